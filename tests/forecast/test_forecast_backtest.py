"""Backtest: the split, MAPE of persistence computed by hand, too-short traces."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from cenas.carbon import IntensityTrace
from cenas.errors import ForecastError
from cenas.forecast import (
    CarbonCastSplit,
    PersistenceForecaster,
    backtest,
    mape_percent,
    to_hourly,
)


def _alternating(days: int, start: str = "2021-03-01") -> IntensityTrace:
    # 100 gCO2eq/kWh on even days (counted from the start), 200 on odd days.
    day = np.arange(days * 24) // 24
    values = np.where(day % 2 == 0, 100.0, 200.0)
    idx = pd.date_range(start, periods=days * 24, freq="h", tz="UTC")
    return IntensityTrace.from_series(pd.Series(values, index=idx))


def test_persistence_mape_by_hand() -> None:
    # 64 days split 32/16/16: test days 48..63, issues on days 48..60 (13 issues, 4-day
    # horizon). Persistence repeats day D-1. Day 1 (target day D): D even -> forecast 200 for
    # 100 (100 %), 7 issues; D odd -> 100 for 200 (50 %), 6 issues. Day 2 (D+1 has D-1's
    # parity): 0 %. Day 3 as day 1, day 4 as day 2.
    res = backtest(PersistenceForecaster(), _alternating(64))
    assert res.split.test_start == pd.Timestamp("2021-03-01", tz="UTC") + pd.Timedelta(days=48)
    assert len(res.issue_times) == 13 and not res.split.calendar
    day1 = (7 * 100 + 6 * 50) / 13
    np.testing.assert_allclose(res.mape_by_day, [day1, 0.0, day1, 0.0])
    np.testing.assert_allclose(res.mape_overall, day1 / 2)
    assert res.row() == {
        "model": "persistence",
        "mape": {
            "day1": pytest.approx(day1),
            "day2": 0.0,
            "day3": pytest.approx(day1),
            "day4": 0.0,
            "overall": pytest.approx(day1 / 2),
        },
    }


def test_factory_and_horizon_days() -> None:
    res = backtest(PersistenceForecaster, _alternating(64), horizon_days=2)
    assert res.forecast_g_per_kwh.shape == (15, 48) == res.actual_g_per_kwh.shape
    assert len(res.mape_by_day) == 2


def test_calendar_split_for_2020_2021() -> None:
    idx = pd.date_range("2020-01-01", "2021-12-31 23:00", freq="h", tz="UTC")
    trace = IntensityTrace.from_series(pd.Series(100 + (idx.hour.to_numpy() % 5), index=idx))
    b = CarbonCastSplit().bounds(to_hourly(trace), 4)
    assert b.calendar
    assert (b.valid_start, b.test_start, b.test_end) == (
        pd.Timestamp("2021-01-01", tz="UTC"),
        pd.Timestamp("2021-07-01", tz="UTC"),
        pd.Timestamp("2022-01-01", tz="UTC"),
    )
    res = backtest(PersistenceForecaster(), trace)
    assert res.issue_times[0] == pd.Timestamp("2021-07-01", tz="UTC")
    assert res.issue_times[-1] == pd.Timestamp("2021-12-28", tz="UTC")


def test_proportional_split_on_days() -> None:
    trace = _alternating(100, start="2019-05-03 07:00")
    b = CarbonCastSplit().bounds(to_hourly(trace), 4)
    assert b.train_start == pd.Timestamp("2019-05-04", tz="UTC")
    assert b.days() == (49, 24, 26)  # 99 whole days from the first midnight


@pytest.mark.parametrize("days", [2, 30, 55])
def test_too_short_trace(days: int) -> None:
    with pytest.raises(ForecastError, match="too short for the backtest") as e:
        backtest(PersistenceForecaster(), _alternating(days))
    assert "\n" not in str(e.value) and ">= 56 days" in str(e.value)


def test_finer_trace_backtests_on_hourly_means(make_trace: Callable[..., IntensityTrace]) -> None:
    fine = make_trace(days=64, step_s=900, covariates=False)
    hourly = fine.resample(3600)
    a = backtest(PersistenceForecaster(), fine)
    b = backtest(PersistenceForecaster(), hourly)
    np.testing.assert_allclose(a.mape_by_day, b.mape_by_day)


def test_mape_skips_zero_actuals() -> None:
    assert mape_percent(np.array([1.0, 5.0]), np.array([2.0, 0.0])) == 50.0
    assert np.isnan(mape_percent(np.array([1.0]), np.array([0.0])))
