"""Exact carbon accounting: closed forms, a slow reference, and hypothesis properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cenas.carbon import (
    IntensityTrace,
    account,
    carbon_of_energy_g,
    carbon_of_power_g,
    intensity_integral,
    mean_intensity,
    relative_carbon,
)
from cenas.errors import TraceError

T0 = pd.Timestamp("2021-01-01", tz="UTC").timestamp()


def _trace(values: list[float], step_s: int = 3600) -> IntensityTrace:
    idx = pd.date_range("2021-01-01", periods=len(values), freq=pd.Timedelta(seconds=step_s))
    return IntensityTrace.from_series(pd.Series(values, index=idx, dtype=float), step=step_s)


def _reference(trace: IntensityTrace, t0: float, t1: float) -> float:
    """Slow step-by-step overlap sum."""
    total = 0.0
    for i, v in enumerate(trace.values_g_per_kwh):
        a = trace.start_s + i * trace.step_s
        b = a + trace.step_s
        total += float(v) * max(0.0, min(b, t1) - max(a, t0)) / 3600.0
    return total


def test_closed_forms() -> None:
    tr = _trace([100, 200, 300])
    assert intensity_integral(tr, T0, T0 + 3600) == pytest.approx(100)
    assert intensity_integral(tr, T0 + 1800, T0 + 5400) == pytest.approx(50 + 100)
    assert intensity_integral(tr, T0, tr.end_s) == pytest.approx(600)
    assert intensity_integral(tr, T0 + 10, T0 + 10) == 0.0
    # 250 W for 1.5 h from 00:30: 0.25 kW * (0.5 h * 100 + 1 h * 200) = 62.5 g; PUE 1.2.
    assert carbon_of_power_g(tr, T0 + 1800, T0 + 7200, 250.0) == pytest.approx(62.5)
    assert carbon_of_power_g(tr, T0 + 1800, T0 + 7200, 250.0, pue=1.2) == pytest.approx(75.0)
    # 1 kWh spread over 00:30-02:00: mean intensity 250/1.5.
    assert carbon_of_energy_g(tr, T0 + 1800, T0 + 7200, 1.0) == pytest.approx(250 / 1.5)
    assert carbon_of_energy_g(tr, T0 + 3600, T0 + 3600, 2.0) == pytest.approx(400)  # instant
    assert relative_carbon(tr, T0, T0 + 7200, gpus=4) == pytest.approx(4 * 300)
    assert mean_intensity(tr, T0, tr.end_s) == pytest.approx(200)


def test_vectorised_matches_scalar() -> None:
    rng = np.random.default_rng(0)
    tr = _trace(list(rng.uniform(50, 400, size=200)))
    t0 = rng.uniform(tr.start_s, tr.end_s, size=1000)
    t1 = np.minimum(t0 + rng.uniform(0, 20 * 3600, size=1000), tr.end_s)
    vec = intensity_integral(tr, t0, t1)
    assert isinstance(vec, np.ndarray) and vec.shape == (1000,)
    for a, b, v in zip(t0[:50], t1[:50], vec[:50], strict=True):
        assert v == pytest.approx(_reference(tr, a, b), rel=1e-9, abs=1e-7)
        assert intensity_integral(tr, float(a), float(b)) == pytest.approx(v, rel=1e-12, abs=1e-9)
    power = rng.uniform(0, 300, size=1000)
    np.testing.assert_allclose(carbon_of_power_g(tr, t0, t1, power), power / 1000 * vec)
    acc = account(tr, t0, t1, power, gpus=2.0, pue=1.1)
    np.testing.assert_allclose(acc.carbon_g, power / 1000 * 1.1 * vec)
    np.testing.assert_allclose(acc.relative_carbon, 2 * vec)
    np.testing.assert_allclose(acc.energy_kwh, power / 1000 * 1.1 * (t1 - t0) / 3600)
    assert acc.source == tr.source.label
    assert acc.total_carbon_g == pytest.approx(float(acc.carbon_g.sum()))


def test_errors_no_extrapolation() -> None:
    tr = _trace([100, 200])
    with pytest.raises(TraceError, match="outside the trace"):
        intensity_integral(tr, T0 - 1, T0 + 10)
    with pytest.raises(TraceError, match="outside the trace"):
        carbon_of_power_g(tr, T0, tr.end_s + 1, 100)
    with pytest.raises(TraceError, match="must end at or after its start"):
        intensity_integral(tr, T0 + 10, T0)
    with pytest.raises(TraceError, match=r"pue .* must be finite and >= 1, got 0\.5"):
        carbon_of_power_g(tr, T0, T0 + 1, 100, pue=0.5)
    with pytest.raises(TraceError, match="power_w must be finite and >= 0, got -1"):
        carbon_of_power_g(tr, T0, T0 + 1, -1.0)
    with pytest.raises(TraceError, match="energy_kwh must be"):
        carbon_of_energy_g(tr, T0, T0 + 1, float("nan"))
    with pytest.raises(TraceError, match="gpus must be"):
        relative_carbon(tr, T0, T0 + 1, gpus=-2)
    with pytest.raises(TraceError, match="broadcastable"):
        intensity_integral(tr, np.array([T0, T0]), np.array([T0, T0, T0]))


def test_year_of_intervals_is_vectorised() -> None:
    tr = _trace([200.0 + (i % 24) for i in range(8760)])
    t0 = np.linspace(tr.start_s, tr.end_s - 7200, 100_000)
    out = intensity_integral(tr, t0, t0 + 5400.0)
    assert isinstance(out, np.ndarray) and out.shape == (100_000,)


# --------------------------------------------------------------------------- properties
values_st = st.lists(st.floats(0, 1500, allow_nan=False), min_size=1, max_size=60)
step_st = st.sampled_from([300, 900, 1800, 3600])
frac_st = st.floats(0, 1, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(values=values_st, step=step_st, a=frac_st, b=frac_st, c=frac_st)
def test_splitting_never_changes_total(
    values: list[float], step: int, a: float, b: float, c: float
) -> None:
    tr = _trace(values, step)
    t0, m, t1 = sorted(tr.start_s + x * (tr.end_s - tr.start_s) for x in (a, b, c))
    whole = intensity_integral(tr, t0, t1)
    parts = intensity_integral(tr, t0, m) + intensity_integral(tr, m, t1)
    scale = max(values) * (tr.end_s - tr.start_s) / 3600
    assert whole == pytest.approx(parts, rel=1e-9, abs=1e-9 * scale + 1e-9)
    assert whole == pytest.approx(_reference(tr, t0, t1), rel=1e-9, abs=1e-9 * scale + 1e-9)


@settings(max_examples=150, deadline=None)
@given(
    ci=st.floats(0, 1500, allow_nan=False),
    n=st.integers(1, 50),
    step=step_st,
    a=frac_st,
    b=frac_st,
    energy=st.floats(0, 1e4, allow_nan=False),
    pue=st.floats(1, 3, allow_nan=False),
)
def test_constant_trace_gives_energy_times_intensity(
    ci: float, n: int, step: int, a: float, b: float, energy: float, pue: float
) -> None:
    tr = _trace([ci] * n, step)
    t0, t1 = sorted(tr.start_s + x * (tr.end_s - tr.start_s) for x in (a, b))
    got = carbon_of_energy_g(tr, t0, t1, energy, pue=pue)
    assert got == pytest.approx(energy * pue * ci, rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(
    values=values_st,
    step=step_st,
    tasks=st.lists(st.tuples(frac_st, frac_st, st.floats(0, 700)), min_size=1, max_size=30),
    seed=st.integers(0, 2**32 - 1),
)
def test_task_order_does_not_matter(
    values: list[float], step: int, tasks: list[tuple[float, float, float]], seed: int
) -> None:
    tr = _trace(values, step)
    span = tr.end_s - tr.start_s
    t0 = np.array([tr.start_s + min(a, b) * span for a, b, _ in tasks])
    t1 = np.array([tr.start_s + max(a, b) * span for a, b, _ in tasks])
    p = np.array([w for _, _, w in tasks])
    perm = np.random.default_rng(seed).permutation(len(tasks))
    one = account(tr, t0, t1, p).total_carbon_g
    other = account(tr, t0[perm], t1[perm], p[perm]).total_carbon_g
    assert one == other  # fsum is exactly rounded
    loop = math.fsum(carbon_of_power_g(tr, float(t0[i]), float(t1[i]), float(p[i])) for i in perm)
    assert loop == pytest.approx(one, rel=1e-12, abs=1e-12)
