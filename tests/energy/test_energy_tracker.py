"""The Tracker with injected meters, signals and clocks (no sleeping, except one thread test)."""

from __future__ import annotations

import json
import math
import threading

import pandas as pd
import pytest

from cenas.carbon import (
    CarbonSignal,
    ConstantSignal,
    IntensityReading,
    IntensityTrace,
    TraceSignal,
)
from cenas.energy import (
    J_PER_KWH,
    ComponentKind,
    RaplMeter,
    Tracker,
    WorldAverageSignal,
)
from cenas.energy.testing import FakeClock, FakePowerMeter, FakeRapl
from cenas.errors import ConfigError, EnergyError, TraceError

T0 = pd.Timestamp("2021-06-01T00:00:00Z").timestamp()
H = 3600.0


def hourly(values: list[float]) -> IntensityTrace:
    idx = pd.date_range("2021-06-01", periods=len(values), freq="h")
    return IntensityTrace.from_series(pd.Series(values, index=idx, dtype=float))


def make(
    meters: list[FakePowerMeter] | None = None,
    signal: CarbonSignal | None = None,
    *,
    start_s: float = T0,
    pue: float = 1.0,
) -> tuple[Tracker, FakeClock]:
    clock = FakeClock(50.0)
    tracker = Tracker(
        meters if meters is not None else [FakePowerMeter({"cpu": 100.0})],
        signal if signal is not None else ConstantSignal(200.0, "test-constant"),
        pue=pue,
        interval_s=None,
        clock=clock,
        signal_clock=lambda: start_s,
    )
    return tracker, clock


def test_start_stop_energy_duration_carbon() -> None:
    cpu = FakePowerMeter({"package-0": 100.0})
    gpu = FakePowerMeter({"gpu-0": 300.0}, name="gpu-fake", kind=ComponentKind.GPU)
    tracker, clock = make([cpu, gpu], pue=1.2)
    tracker.start()
    clock.advance(36.0)
    r = tracker.stop()
    assert r.duration_s == pytest.approx(36.0)
    assert r.energy_kwh == pytest.approx(400.0 * 36.0 / J_PER_KWH)
    assert r.energy_kwh_by_kind == pytest.approx(
        {ComponentKind.CPU: 100 * 36 / J_PER_KWH, ComponentKind.GPU: 300 * 36 / J_PER_KWH}
    )
    assert r.energy_kwh_by_component == pytest.approx(
        {"fake/package-0": 100 * 36 / J_PER_KWH, "gpu-fake/gpu-0": 300 * 36 / J_PER_KWH}
    )
    assert r.carbon_g == pytest.approx(r.energy_kwh * 1.2 * 200.0)
    assert r.mean_intensity_g_per_kwh == pytest.approx(200.0)
    assert r.meters == ("fake", "gpu-fake")
    assert r.carbon_sources == ("test-constant",)
    assert not r.carbon_is_fallback
    assert r.start_time_s == T0 and r.end_time_s == pytest.approx(T0 + 36.0)
    assert r.n_samples == 2
    assert tracker.result is r
    doc = json.loads(json.dumps(r.to_dict()))
    assert doc["energy_kwh_by_kind"]["gpu"] == pytest.approx(300 * 36 / J_PER_KWH)
    assert doc["components"][0]["meter"] == "fake"


def test_carbon_of_a_window_spanning_several_trace_steps_is_exact() -> None:
    # 1 kW from 00:30 to 03:00 over hourly steps 100, 200, 300, 400 gCO2eq/kWh:
    # 0.5 h x 100 + 1 h x 200 + 1 h x 300 = 550 g, whatever the sampling.
    trace = hourly([100.0, 200.0, 300.0, 400.0])
    for n_samples in (1, 2, 7):
        tracker, clock = make(
            [FakePowerMeter({"cpu": 1000.0})], TraceSignal(trace), start_s=T0 + 0.5 * H
        )
        tracker.start()
        for _ in range(n_samples):
            clock.advance(2.5 * H / n_samples)
            tracker.snapshot()
        r = tracker.stop()
        assert r.energy_kwh == pytest.approx(2.5)
        assert r.carbon_g == pytest.approx(550.0)
        assert r.carbon_sources == (trace.source.label,)


def test_trace_replay_mapping_and_pue() -> None:
    # Replay from the trace's second step: signal time T0 replays trace time T0 + 1 h.
    trace = hourly([100.0, 200.0, 300.0])
    sig = TraceSignal(trace, origin_s=T0, replay_start_s=T0 + H)
    tracker, clock = make([FakePowerMeter({"cpu": 1000.0})], sig, pue=1.5)
    tracker.start()
    clock.advance(2 * H)
    r = tracker.stop()
    assert r.carbon_g == pytest.approx(1.5 * (200.0 + 300.0))


def test_wrapping_replay_across_the_trace_end() -> None:
    trace = hourly([100.0, 300.0])
    sig = TraceSignal(trace, origin_s=T0, replay_start_s=T0 + 1.5 * H, wrap=True)
    tracker, clock = make([FakePowerMeter({"cpu": 1000.0})], sig)
    tracker.start()
    clock.advance(H)  # 0.5 h at 300, then wraps: 0.5 h at 100
    assert tracker.stop().carbon_g == pytest.approx(150.0 + 50.0)


class StepSignal(CarbonSignal):
    """Intensity 100 before ``switch_s``, 500 after (a stand-in for a live signal)."""

    def __init__(self, switch_s: float) -> None:
        self.switch_s = switch_s

    @property
    def label(self) -> str:
        return "step"

    def reading(self, t_s: float) -> IntensityReading:
        return IntensityReading(t_s, 100.0 if t_s < self.switch_s else 500.0, "step")


def test_generic_signal_is_sampled_with_power() -> None:
    tracker, clock = make([FakePowerMeter({"cpu": 1000.0})], StepSignal(T0 + H))
    tracker.start()
    clock.advance(H)
    tracker.snapshot()  # interval 1: midpoint 0.5 h -> 100
    clock.advance(H)
    r = tracker.stop()  # interval 2: midpoint 1.5 h -> 500
    assert r.carbon_g == pytest.approx(100.0 + 500.0)


def test_trace_not_covering_the_start_fails_early() -> None:
    tracker, _ = make(signal=TraceSignal(hourly([100.0, 200.0])), start_s=T0 + 10 * H)
    with pytest.raises(TraceError):
        tracker.start()
    assert not tracker.running


def test_fallback_default_is_flagged() -> None:
    tracker, clock = make(signal=WorldAverageSignal())
    tracker.start()
    clock.advance(10.0)
    r = tracker.stop()
    assert r.carbon_is_fallback
    assert r.carbon_sources[0].startswith("fallback:world-average")
    assert r.mean_intensity_g_per_kwh == pytest.approx(480.0)


def test_meter_failing_mid_run_is_reported_once_not_replaced() -> None:
    bad = FakePowerMeter({"cpu": 100.0}, name="flaky")
    good = FakePowerMeter({"gpu-0": 50.0}, name="steady", kind=ComponentKind.GPU)
    tracker, clock = make([bad, good])
    tracker.start()
    clock.advance(10.0)
    tracker.snapshot()
    bad.fail_with = "permission denied reading energy_uj"
    for _ in range(3):
        clock.advance(10.0)
        tracker.snapshot()
    r = tracker.stop()
    assert r.energy_kwh_by_component["flaky/cpu"] == pytest.approx(100 * 10 / J_PER_KWH)
    assert r.energy_kwh_by_component["steady/gpu-0"] == pytest.approx(50 * 40 / J_PER_KWH)
    assert len([n for n in r.notes if "flaky" in n]) == 1
    assert "permission denied" in r.notes[0]


def test_rapl_wrap_through_the_tracker(fake_rapl: FakeRapl) -> None:
    fake_rapl.zone("intel-rapl:0", "package-0", 9_000_000, max_range_uj=10_000_000)
    clock = FakeClock()
    tracker = Tracker(
        [RaplMeter(fake_rapl.root)],
        ConstantSignal(100.0),
        interval_s=None,
        clock=clock,
        signal_clock=lambda: T0,
    )
    tracker.start()
    fake_rapl.set("intel-rapl:0", 2_000_000)  # wrapped: 1 J + 2 J
    clock.advance(1.0)
    assert tracker.stop().energy_kwh == pytest.approx(3.0 / J_PER_KWH)


def test_context_manager_and_decorator() -> None:
    tracker, clock = make()
    with tracker as t:
        assert t.running
        clock.advance(5.0)
    assert tracker.result is not None and tracker.result.duration_s == pytest.approx(5.0)

    @tracker
    def work(x: int) -> int:
        clock.advance(2.0)
        return 2 * x

    assert work(21) == 42
    assert tracker.result.duration_s == pytest.approx(2.0)
    assert not tracker.running


def test_background_thread_samples_and_is_joined() -> None:
    meter = FakePowerMeter({"cpu": 10.0})
    tracker = Tracker([meter], ConstantSignal(100.0), interval_s=0.005)
    tracker.start()
    workers = [t for t in threading.enumerate() if t.name == "cenas-energy-tracker"]
    assert len(workers) == 1 and workers[0].daemon
    done = threading.Event()
    for _ in range(2000):  # wait (at most ~2 s) for the thread to have sampled a few times
        if meter.reads >= 3:
            done.set()
            break
        threading.Event().wait(0.001)
    r = tracker.stop()
    assert done.is_set()
    assert r.n_samples >= 4
    assert not workers[0].is_alive()


def test_epochs_and_prediction() -> None:
    tracker, clock = make([FakePowerMeter({"cpu": 100.0})])
    with pytest.raises(EnergyError, match="at least one completed epoch"):
        tracker.predict_total(10)
    tracker.epoch_start()  # starts the tracker
    assert tracker.running
    clock.advance(10.0)
    e0 = tracker.epoch_end()
    assert e0.index == 0 and e0.duration_s == pytest.approx(10.0)
    assert e0.energy_kwh == pytest.approx(1000.0 / J_PER_KWH)
    assert e0.carbon_g == pytest.approx(1000.0 / J_PER_KWH * 200.0)
    clock.advance(3.0)  # between epochs: counted in the total, not in an epoch
    tracker.epoch_start()
    clock.advance(12.0)
    tracker.epoch_end()
    p = tracker.predict_total(10)
    assert p.from_epochs == 2 and p.n_epochs == 10
    assert p.duration_s == pytest.approx(110.0)
    assert p.energy_kwh == pytest.approx(100.0 * 110.0 / J_PER_KWH)
    assert p.carbon_g == pytest.approx(p.energy_kwh * 200.0)
    r = tracker.stop()
    assert len(r.epochs) == 2 and r.duration_s == pytest.approx(25.0)


def test_epoch_misuse() -> None:
    tracker, _ = make()
    with pytest.raises(EnergyError, match="without a matching epoch_start"):
        tracker.epoch_end()
    tracker.epoch_start()
    with pytest.raises(EnergyError, match="still open"):
        tracker.epoch_start()
    with pytest.raises(ConfigError, match="n_epochs"):
        tracker.predict_total(0)
    r = tracker.stop()
    assert any("not ended" in n for n in r.notes)


def test_state_errors() -> None:
    tracker, _ = make()
    with pytest.raises(EnergyError, match="without start"):
        tracker.stop()
    with pytest.raises(EnergyError, match="start\\(\\) first"):
        tracker.snapshot()
    tracker.start()
    with pytest.raises(EnergyError, match="already tracking"):
        tracker.start()
    tracker.stop()


@pytest.mark.parametrize(
    ("kwargs", "msg"),
    [
        ({"meters": []}, "at least one energy meter"),
        ({"meters": [FakePowerMeter({"a": 1.0}), FakePowerMeter({"b": 1.0})]}, "unique"),
        ({"pue": 0.9}, "pue must be"),
        ({"pue": math.inf}, "pue must be"),
        ({"interval_s": 0.0}, "interval_s must be positive"),
    ],
)
def test_bad_config(kwargs: dict[str, object], msg: str) -> None:
    args: dict[str, object] = {
        "meters": [FakePowerMeter({"cpu": 1.0})],
        "signal": ConstantSignal(1.0),
    }
    args.update(kwargs)
    with pytest.raises(ConfigError, match=msg):
        Tracker(**args)  # type: ignore[arg-type]


def test_zero_energy_has_nan_mean_intensity() -> None:
    tracker, clock = make([FakePowerMeter({"cpu": 0.0})])
    tracker.start()
    clock.advance(1.0)
    r = tracker.stop()
    assert r.energy_kwh == 0.0 and r.carbon_g == 0.0
    assert math.isnan(r.mean_intensity_g_per_kwh)
    assert r.carbon_sources == ("test-constant",)
