"""The ledger's scalar intensity integral is bit-identical to the carbon package's array path."""

from __future__ import annotations

import numpy as np
import pytest

from cenas.carbon import carbon_of_power_g, relative_carbon
from cenas.errors import TraceError
from cenas.sim._ledger import CarbonLedger, _integral_gh
from cenas.sim._params import SimConfig
from cenas.sim.testing import toy_trace


def _intervals(trace_start: float, trace_end: float) -> list[tuple[float, float]]:
    rng = np.random.default_rng(0)
    edges = trace_start + 3600.0 * np.arange(7)
    pts = np.concatenate([rng.uniform(trace_start, trace_end, 300), edges, edges + 1e-6])
    pts = np.clip(pts, trace_start, trace_end)
    pairs = [(float(a), float(b)) for a, b in zip(pts[::2], pts[1::2], strict=False)]
    pairs = [(min(a, b), max(a, b)) for a, b in pairs]
    pairs += [(float(e), float(e)) for e in edges] + [(trace_start, trace_end)]
    return pairs


def test_integral_matches_relative_carbon_bit_for_bit() -> None:
    trace = toy_trace([310.0, 95.5, 180.25, 401.0, 12.0, 250.0])
    for t0, t1 in _intervals(trace.start_s, trace.end_s):
        assert _integral_gh(trace, t0, t1) == float(relative_carbon(trace, t0, t1, 1.0)), (t0, t1)


def test_integral_outside_the_trace_raises() -> None:
    trace = toy_trace([100.0, 200.0])
    with pytest.raises(TraceError, match="outside the trace"):
        _integral_gh(trace, trace.start_s - 10.0, trace.start_s + 10.0)
    with pytest.raises(TraceError, match="outside the trace"):
        _integral_gh(trace, trace.start_s, trace.end_s + 1.0)


def test_ledger_charges_what_the_carbon_functions_give() -> None:
    trace = toy_trace([310.0, 95.5, 180.25, 401.0, 12.0, 250.0])
    sim = SimConfig()
    ledger = CarbonLedger(trace, sim, trace.start_s)
    power = np.array([500.0, 150.0, 75.0, 20.0])
    full = rel = 0.0
    by = np.zeros(4)
    t_prev = trace.start_s
    for t in np.sort(np.random.default_rng(1).uniform(trace.start_s, trace.end_s, 40)):
        ledger.charge(float(t), power, busy=3, training=2)
        c = np.asarray(carbon_of_power_g(trace, t_prev, float(t), power, sim.pue))
        by += c
        full += float(c.sum())
        rel += float(relative_carbon(trace, t_prev, float(t), 3))
        t_prev = float(t)
    assert ledger.carbon_full == full
    assert ledger.relative == rel
    assert [ledger.carbon_by[k] for k in ledger.carbon_by] == by.tolist()
