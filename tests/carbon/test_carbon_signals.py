"""Carbon signals: a conformance suite for every implementation, replay, fallback."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cenas.carbon import (
    CarbonSignal,
    ConstantSignal,
    FallbackSignal,
    IntensityReading,
    IntensityTrace,
    TraceSignal,
    carbon_of_energy_g,
)
from cenas.errors import CarbonSignalError, TraceError

T0 = pd.Timestamp("2021-01-01", tz="UTC").timestamp()


def _trace() -> IntensityTrace:
    idx = pd.date_range("2021-01-01", periods=24, freq="h")
    return IntensityTrace.from_series(pd.Series([100.0 + 10 * i for i in range(24)], index=idx))


class _Failing(CarbonSignal):
    def __init__(self) -> None:
        self.calls = 0

    @property
    def label(self) -> str:
        return "failing"

    def reading(self, t_s: float) -> IntensityReading:
        self.calls += 1
        raise CarbonSignalError("failing: offline")


SIGNALS = {
    "constant": lambda: ConstantSignal(123.0),
    "trace": lambda: TraceSignal(_trace()),
    "fallback": lambda: FallbackSignal(_Failing(), ConstantSignal(50.0, "backup")),
}


@pytest.mark.parametrize("make", SIGNALS.values(), ids=SIGNALS.keys())
def test_conformance(make: object) -> None:
    signal: CarbonSignal = make()  # type: ignore[operator]
    r = signal.reading(T0 + 10.0)
    assert isinstance(r, IntensityReading)
    assert r.time_s == T0 + 10.0
    assert math.isfinite(r.value_g_per_kwh) and r.value_g_per_kwh >= 0
    assert isinstance(r.source, str) and r.source
    assert isinstance(signal.label, str) and signal.label
    assert signal.reading(T0 + 10.0) == r  # same time, same reading
    assert isinstance(repr(signal), str)


def test_constant_signal() -> None:
    s = ConstantSignal(200, label="assumed-grid")
    assert s.reading(5.0) == IntensityReading(5.0, 200.0, "assumed-grid")
    assert ConstantSignal(1.5).label == "constant:1.5"
    with pytest.raises(TraceError, match="finite and >= 0"):
        ConstantSignal(-1)


def test_trace_signal_identity_replay() -> None:
    tr = _trace()
    s = TraceSignal(tr)
    r = s.reading(T0 + 3 * 3600 + 5)
    assert r.value_g_per_kwh == 130.0
    assert r.source == tr.source.label
    assert r.data_time_s == T0 + 3 * 3600
    with pytest.raises(TraceError, match="outside the trace"):
        s.reading(tr.end_s)


def test_trace_signal_accelerated_on_injected_clock() -> None:
    now = [1000.0]
    s = TraceSignal(_trace(), speedup=3600.0, clock=lambda: now[0])
    assert s.origin_s == 1000.0
    assert s.now().value_g_per_kwh == 100.0
    now[0] = 1005.5  # 5.5 clock seconds = 5.5 trace hours
    assert s.now().value_g_per_kwh == 150.0
    assert s.trace_time_s(1005.5) == T0 + 5.5 * 3600
    # Energy over 2 clock seconds = 2 trace hours: 1 kWh at mean(150, 160).
    assert s.mean_intensity(1005.0, 1007.0) == pytest.approx(155.0)
    with pytest.raises(TraceError, match="needs a clock"):
        TraceSignal(_trace()).now()
    with pytest.raises(TraceError, match="speedup"):
        TraceSignal(_trace(), speedup=0)


def test_trace_signal_wrap_and_replay_start() -> None:
    tr = _trace()
    s = TraceSignal(tr, replay_start_s=T0 + 20 * 3600, origin_s=0.0, wrap=True)
    assert s.reading(0.0).value_g_per_kwh == 300.0
    assert s.reading(5 * 3600.0).value_g_per_kwh == 110.0  # 25 h in: wrapped to hour 1
    with pytest.raises(TraceError, match="replay_start_s"):
        TraceSignal(tr, replay_start_s=tr.end_s)


def test_identity_replay_matches_exact_accounting() -> None:
    tr = _trace()
    s = TraceSignal(tr)
    a, b = T0 + 1800, T0 + 4 * 3600
    assert s.mean_intensity(a, b) * 2.0 == pytest.approx(carbon_of_energy_g(tr, a, b, 2.0))


def test_fallback_records_the_source() -> None:
    failing = _Failing()
    fb = FallbackSignal(failing, ConstantSignal(50.0, "backup"))
    r = fb.reading(1.0)
    assert (r.value_g_per_kwh, r.source, r.is_fallback) == (50.0, "backup", True)
    assert fb.last_error == "failing: offline"
    assert fb.fallback_count == 1
    ok = FallbackSignal(ConstantSignal(80.0, "primary"), ConstantSignal(50.0, "backup"))
    r2 = ok.reading(1.0)
    assert (r2.value_g_per_kwh, r2.source, r2.is_fallback) == (80.0, "primary", False)
    assert ok.counts == {"primary": 1}
    assert "fallback backup" in ok.label


def test_fallback_catches_narrowly() -> None:
    tr = _trace()
    fb = FallbackSignal(TraceSignal(tr), ConstantSignal(50.0))
    with pytest.raises(TraceError):
        fb.reading(tr.end_s + 1)  # a TraceError is not a live-source failure by default
    wide = FallbackSignal(TraceSignal(tr), ConstantSignal(50.0), catch=(TraceError,))
    assert wide.reading(tr.end_s + 1).is_fallback


def test_fallback_warns_once_per_outage(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.WARNING, logger="cenas.carbon")
    fb = FallbackSignal(_Failing(), ConstantSignal(50.0))
    for t in range(5):
        fb.reading(float(t))
    assert len([r for r in caplog.records if "failed" in r.getMessage()]) == 1
