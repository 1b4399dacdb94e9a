"""Training records, the overlap check, history from another file, and region warnings."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cenas.carbon import EmissionKind, IntensityTrace, TraceFormat, TraceSource
from cenas.errors import ConfigError, ForecastError
from cenas.forecast import (
    Forecaster,
    GradientBoostingForecaster,
    HistoryForecaster,
    SeasonalNaiveForecaster,
    check_no_overlap,
)

UTC = "UTC"


def _tiny_gbm() -> GradientBoostingForecaster:
    return GradientBoostingForecaster(max_iter=5, issue_stride_h=24)


def test_fit_records_period_and_checksum(
    make_trace: Callable[..., IntensityTrace], tmp_path: Path
) -> None:
    trace = make_trace(days=60)
    model = _tiny_gbm().fit(trace, seed=0, end="2021-04-10 05:30")
    rec = model.training_
    assert rec is not None
    assert rec.start == trace.start and rec.end == pd.Timestamp("2021-04-10 05:00", tz=UTC)
    assert rec.zone == "SYN" and rec.kind == "direct" and len(rec.data_sha256) == 64
    # The checksum is of the data: other data, other checksum; the same data, the same one.
    other = _tiny_gbm().fit(make_trace(days=60, seed=1), seed=0, end="2021-04-10 05:30")
    assert other.training_ is not None and other.training_.data_sha256 != rec.data_sha256
    again = _tiny_gbm().fit(trace, seed=3, end="2021-04-10 05:30")
    assert again.training_ is not None and again.training_.data_sha256 == rec.data_sha256
    loaded = Forecaster.load(model.save(tmp_path / "m"))
    assert loaded.training_ == rec
    with pytest.raises(ForecastError, match="non-empty part"):
        _tiny_gbm().fit(trace, end="2020-01-01")


def test_overlap_check() -> None:
    from cenas.forecast import TrainingRecord

    assert _tiny_gbm().training_ is None  # not fitted: nothing to check
    t = pd.Timestamp("2021-04-10", tz=UTC)
    check_no_overlap(None, t, t + pd.Timedelta(hours=41), "naive")
    trace_start = t - pd.Timedelta(days=50)
    r = TrainingRecord(trace_start, t, "syn", "SYN", "direct", "0" * 64)
    check_no_overlap(r, t, t + pd.Timedelta(hours=41), "m")  # starts where training ends
    with pytest.raises(ForecastError, match="overlaps the simulated window"):
        check_no_overlap(r, t - pd.Timedelta(hours=1), t + pd.Timedelta(hours=40), "m")


def test_history_from_another_file(make_trace: Callable[..., IntensityTrace]) -> None:
    whole = make_trace(days=30, covariates=False)
    start = pd.Timestamp("2021-03-15", tz=UTC)
    history, run = whole.window(None, start), whole.window(start, None)
    model = SeasonalNaiveForecaster()
    with pytest.raises(ForecastError, match="leaves no history"):
        model.predict(run, start, 24)
    wrapped = HistoryForecaster(model, history)
    for t in (start, start + pd.Timedelta(hours=30)):
        np.testing.assert_array_equal(wrapped.predict(run, t, 48), model.predict(whole, t, 48))
    # The run trace wins where both have hours; a gap before the run trace is an error.
    overlapping = HistoryForecaster(model, whole)
    np.testing.assert_array_equal(
        overlapping.predict(run, start + pd.Timedelta(days=3), 24),
        model.predict(whole, start + pd.Timedelta(days=3), 24),
    )
    gap = HistoryForecaster(model, whole.window(None, start - pd.Timedelta(hours=2)))
    with pytest.raises(ForecastError, match="gap"):
        gap.predict(run, start, 24)


def test_other_region_warns(make_trace: Callable[..., IntensityTrace]) -> None:
    trace = make_trace(days=60, covariates=False)
    model = _tiny_gbm().fit(trace, seed=0, end="2021-04-10")
    t = "2021-04-15"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.predict(trace, t, 24)  # the region it was fitted on: no warning
    src = TraceSource.make(
        path=None, format=TraceFormat.SERIES, zone="XX", kind=EmissionKind.LCA, label="other"
    )
    other = dataclasses.replace(trace, source=src)
    with pytest.warns(UserWarning, match=r"zone 'XX', fitted on 'SYN'.*lca emissions"):
        model.predict(other, t, 24)


@pytest.mark.data
def test_simulator_refuses_an_overlapping_forecaster(data_dir: Path, tmp_path: Path) -> None:
    from cenas.carbon import load_trace
    from cenas.sim import parse_config
    from cenas.sim._build import RunKey, build_spec

    dacf = load_trace(data_dir / "carbon/dacf/CISO_direct_emissions.csv")
    bare = dataclasses.replace(dacf, covariates=None)
    leaky = _tiny_gbm().fit(bare, seed=0, start="2020-10-01", end="2021-01-02")
    clean = _tiny_gbm().fit(bare, seed=0, start="2020-10-01", end="2021-01-01")
    leaky.save(tmp_path / "leaky")
    clean.save(tmp_path / "clean")
    doc = {
        "benchmark": {
            "objectives": ["cifar10_test_acc:max", "latency_raspi4_ms:min"],
            "ref_point": [0, 100],
        },
        "carbon": {
            "trace": "carbon/electricitymaps/US-CAL-CISO_2021_hourly.csv",
            "windows": ["trace1"],
            "forecast_history": "carbon/dacf/CISO_direct_emissions.csv",
        },
        "methods": [
            {"name": m, "policy": "heuristic", "forecaster": str(tmp_path / m)}
            for m in ("leaky", "clean")
        ],
    }
    cfg = parse_config(doc, "exp.toml")
    with pytest.raises(ConfigError, match=r"exp.toml: .*overlaps the simulated window"):
        build_spec(cfg, RunKey("leaky", "trace1", 0), data_dir)
    spec = build_spec(cfg, RunKey("clean", "trace1", 0), data_dir)
    f = spec.policy.forecaster  # type: ignore[attr-defined]
    assert isinstance(f, HistoryForecaster)
    got = f.predict(spec.trace, spec.trace.start, 24)  # trace 1's first hour: history from 2020
    assert got.shape == (24,) and np.isfinite(got).all()
