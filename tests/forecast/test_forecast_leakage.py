"""Conformance suite run against every forecaster: no leakage, shapes, history checks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from cenas.carbon import IntensityTrace
from cenas.errors import ForecastError
from cenas.forecast import (
    MODELS,
    Forecaster,
    GradientBoostingForecaster,
    PersistenceForecaster,
    SeasonalNaiveForecaster,
    TransformerForecaster,
)

# Small settings so the whole suite stays fast; the behaviour under test does not depend on size.
TINY: dict[str, Callable[[], Forecaster]] = {
    "persistence": PersistenceForecaster,
    "seasonal-naive": SeasonalNaiveForecaster,
    "gbm": lambda: GradientBoostingForecaster(max_iter=15, issue_stride_h=24),
    "transformer": lambda: TransformerForecaster(
        context_days=2, d_model=8, n_heads=2, n_layers=1, ff=16, max_epochs=2, issue_stride_h=12
    ),
    # The other baseline and the optional input transforms read the history differently.
    "transformer-variant": lambda: TransformerForecaster(
        context_days=2,
        d_model=8,
        n_heads=2,
        n_layers=1,
        ff=16,
        max_epochs=2,
        issue_stride_h=12,
        baseline="persistence",
        level_norm=True,
        ema_decay=0.9,
    ),
}


def test_every_registered_model_is_in_the_suite() -> None:
    assert set(MODELS) <= set(TINY)


# The DACF availability rule, stated here independently of the package: a forecast column's value
# stored at file row time r describes the hour r + 24 h, and the day-ahead forecast of a UTC day
# exists from 00:00 of that day. So at issue time T the stored rows before floor_day(T) are known;
# rows from floor_day(T) on describe hours after the end of T's day and are not known yet.
def _known_rows(times: pd.DatetimeIndex, t: pd.Timestamp) -> np.ndarray:
    return np.asarray(times < t.floor("D"))


def _is_forecast_column(c: str) -> bool:
    return c.startswith("forecast_avg_") or (c.startswith("avg_") and c.endswith("_forecast"))


def _altered(trace: IntensityTrace, t: pd.Timestamp) -> IntensityTrace:
    """The trace with EVERYTHING produced after the issue time ``t`` replaced by other numbers:
    every intensity from ``t`` on, every actual production value from ``t`` on, and every
    forecast-column value not yet known at ``t`` under the DACF rule."""
    rng = np.random.default_rng(99)
    after = trace.times >= t
    values = trace.values_g_per_kwh.copy()
    values[after] = rng.uniform(1, 1000, int(after.sum()))
    cov = None
    if trace.covariates is not None:
        cov = trace.covariates.copy()
        unknown = ~_known_rows(trace.times, t)
        for c in cov.columns:
            rows = unknown if _is_forecast_column(str(c)) else after
            cov.loc[rows, c] = rng.uniform(0, 1000, int(rows.sum()))
    return IntensityTrace(
        start=trace.start,
        step_s=trace.step_s,
        values_g_per_kwh=values,
        source=trace.source,
        covariates=cov,
    )


def _ended(trace: IntensityTrace, t: pd.Timestamp) -> IntensityTrace:
    """The trace as it existed at ``t``: it ends there, and forecast values not yet known are
    absent (NaN)."""
    ended = trace.window(None, t)
    if ended.covariates is None:
        return ended
    cov = ended.covariates.copy()
    unknown = ~_known_rows(ended.times, t)
    for c in cov.columns:
        if _is_forecast_column(str(c)):
            cov.loc[unknown, c] = np.nan
    return IntensityTrace(
        start=ended.start,
        step_s=ended.step_s,
        values_g_per_kwh=ended.values_g_per_kwh,
        source=ended.source,
        covariates=cov,
    )


ISSUES = (
    pd.Timestamp("2021-04-15", tz="UTC"),
    pd.Timestamp("2021-04-20 07:00", tz="UTC"),
    pd.Timestamp("2021-04-22 23:00", tz="UTC"),
)


@pytest.mark.parametrize("covariates", [True, False])
@pytest.mark.parametrize("name", list(TINY))
def test_no_leakage(name: str, covariates: bool, make_trace: Callable[..., IntensityTrace]) -> None:
    trace = make_trace(days=60, covariates=covariates)
    model = TINY[name]()
    model.fit(trace.window(None, "2021-04-10"), seed=0)
    horizon = 96
    for t in ISSUES:
        before = model.predict(trace, t, horizon)
        assert before.shape == (horizon,) and np.isfinite(before).all()
        np.testing.assert_array_equal(before, model.predict(_altered(trace, t), t, horizon))
        # A trace that simply ends at t, with only the forecasts published by t, gives the
        # same forecast too.
        np.testing.assert_array_equal(before, model.predict(_ended(trace, t), t, horizon))


@pytest.mark.parametrize("name", ["gbm", "transformer"])
def test_known_covariates_are_used(name: str, make_trace: Callable[..., IntensityTrace]) -> None:
    # The other side of the rule: forecasts published by the issue time (stored the day before
    # it, describing the issue day) do reach the model.
    trace = make_trace(days=60)
    model = TINY[name]().fit(trace.window(None, "2021-04-10"), seed=0)
    t = pd.Timestamp("2021-04-15", tz="UTC")
    assert trace.covariates is not None
    cov = trace.covariates.copy()
    published = np.asarray((trace.times >= t - pd.Timedelta(days=1)) & (trace.times < t))
    for c in cov.columns:
        if _is_forecast_column(str(c)):
            cov.loc[published, c] = cov.loc[published, c] * 3.0
    changed = IntensityTrace(
        start=trace.start,
        step_s=trace.step_s,
        values_g_per_kwh=trace.values_g_per_kwh,
        source=trace.source,
        covariates=cov,
    )
    before, after = model.predict(trace, t, 48), model.predict(changed, t, 48)
    assert not np.array_equal(before[:24], after[:24])


@pytest.mark.parametrize("name", list(TINY))
def test_history_is_used(name: str, make_trace: Callable[..., IntensityTrace]) -> None:
    trace = make_trace(days=60)
    model = TINY[name]().fit(trace.window(None, "2021-04-10"), seed=0)
    t = pd.Timestamp("2021-04-15", tz="UTC")
    values = trace.values_g_per_kwh.copy()
    values[trace.times < t] *= 1.5
    changed = IntensityTrace(
        start=trace.start,
        step_s=trace.step_s,
        values_g_per_kwh=values,
        source=trace.source,
        covariates=trace.covariates,
    )
    assert not np.array_equal(model.predict(trace, t, 24), model.predict(changed, t, 24))


@pytest.mark.parametrize("name", list(TINY))
def test_too_little_history(name: str, make_trace: Callable[..., IntensityTrace]) -> None:
    trace = make_trace(days=60)
    model = TINY[name]().fit(trace.window(None, "2021-04-10"), seed=0)
    early = trace.start + pd.Timedelta(hours=model.min_history_h - 1)
    with pytest.raises(ForecastError, match="needs"):
        model.predict(trace, early, 24)
    late = trace.end + pd.Timedelta(hours=5)
    with pytest.raises(ForecastError, match="after the end"):
        model.predict(trace, late, 24)


def test_finer_trace_is_hourly_means_and_leak_free(
    make_trace: Callable[..., IntensityTrace],
) -> None:
    trace = make_trace(days=20, step_s=900, covariates=False)
    model = PersistenceForecaster()
    t = pd.Timestamp("2021-03-10 05:00", tz="UTC")
    got = model.predict(trace, t, 24)
    day_before = trace.window(t - pd.Timedelta(hours=24), t).values_g_per_kwh
    np.testing.assert_allclose(got, day_before.reshape(24, 4).mean(axis=1))
    # An issue time inside an hour is floored to it, and values from it on are ignored.
    np.testing.assert_array_equal(got, model.predict(_altered(trace, t), "2021-03-10 05:40", 24))


def test_persistence_and_seasonal_rules(make_trace: Callable[..., IntensityTrace]) -> None:
    trace = make_trace(days=20, covariates=False)
    v = trace.values_g_per_kwh
    i = 10 * 24 + 3
    t = trace.start + pd.Timedelta(hours=i)
    p = PersistenceForecaster().predict(trace, t, 60)
    np.testing.assert_array_equal(p, v[i - 24 + np.arange(60) % 24])
    s = SeasonalNaiveForecaster().predict(trace, t, 200)
    np.testing.assert_array_equal(s, v[i - 168 + np.arange(200) % 168])


def test_predict_before_fit_is_an_error(make_trace: Callable[..., IntensityTrace]) -> None:
    with pytest.raises(ForecastError, match="fit"):
        GradientBoostingForecaster().predict(make_trace(days=20), "2021-03-15", 24)


def test_hourly_form_is_computed_once_per_trace(make_trace: Callable[..., IntensityTrace]) -> None:
    from cenas.forecast import to_hourly

    trace = make_trace(days=10)
    assert to_hourly(trace) is to_hourly(trace)
    assert to_hourly(trace, trace.covariates) is not to_hourly(trace)
