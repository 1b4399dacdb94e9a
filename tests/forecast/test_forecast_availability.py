"""Covariate timing: forecasts moved to the hour they describe, and hidden until known."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cenas.carbon import IntensityTrace, load_trace
from cenas.forecast import DACF_RULE, is_known_ahead, rule_for, to_hourly
from cenas.forecast._availability import mask_unknown
from cenas.forecast._time import epoch_hours


def test_rules_by_column() -> None:
    assert rule_for("forecast_avg_wind_speed_wMean") is DACF_RULE
    assert rule_for("avg_coal_production_forecast") is DACF_RULE
    assert rule_for("coal") is None and not is_known_ahead("carbon_intensity")


def test_dacf_rule_covers_the_rest_of_the_issue_day() -> None:
    day = epoch_hours(pd.Timestamp("2021-04-15", tz="UTC"))
    issues = np.array([day, day + 7, day + 23])
    np.testing.assert_array_equal(DACF_RULE.known_end(issues), [day + 24] * 3)
    raw = np.ones((3, 30, 1))
    hours = day + np.arange(30)
    masked = mask_unknown(raw, [DACF_RULE], issues[:, None], hours[None, :])
    assert np.isfinite(masked[:, :24]).all() and np.isnan(masked[:, 24:]).all()


def test_forecast_columns_move_to_the_hour_they_describe(
    make_trace: Callable[..., IntensityTrace],
) -> None:
    trace = make_trace(days=10)
    data = to_hourly(trace)
    assert data.known is not None and data.ahead_h == 24 and len(data.known) == len(data) + 24
    stored = trace.covariates["avg_coal_production_forecast"].to_numpy()  # type: ignore[index]
    moved = data.known["avg_coal_production_forecast"].to_numpy()
    np.testing.assert_array_equal(moved[24:], stored)
    assert np.isnan(moved[:24]).all()
    # Actual production stays on its own hour.
    assert data.actual is not None
    np.testing.assert_array_equal(data.actual["coal"].to_numpy(), trace.covariates["coal"])  # type: ignore[index]


@pytest.mark.parametrize("hour", [0, 7, 23])
def test_view_hides_covariates_not_known_at_the_issue_time(
    hour: int, make_trace: Callable[..., IntensityTrace]
) -> None:
    data = to_hourly(make_trace(days=10))
    t = pd.Timestamp("2021-03-05", tz="UTC") + pd.Timedelta(hours=hour)
    view = data.view(t, 72)
    assert view.known is not None
    i = view.n_history
    known_to = i + 24 - hour  # the end of the issue time's UTC day
    assert np.isfinite(view.known[24:known_to]).all()
    assert np.isnan(view.known[known_to:]).all()


@pytest.mark.data
@pytest.mark.parametrize("region", ["CISO", "PJM", "SE"])
def test_dacf_wind_forecast_describes_the_next_day(region: str, data_dir: Path) -> None:
    # The evidence for the rule: after the move, the wind production forecast matches the actual
    # wind far better than at the row the file stores it on.
    trace = load_trace(data_dir / f"carbon/dacf/{region}_direct_emissions.csv")
    data = to_hourly(trace)
    assert data.known is not None and data.actual is not None and trace.covariates is not None
    actual = trace.covariates["wind"].to_numpy(dtype=float)
    stored = trace.covariates["avg_wind_production_forecast"].to_numpy(dtype=float)
    moved = data.known["avg_wind_production_forecast"].to_numpy()[: len(data)]

    def wmape(f: np.ndarray) -> float:
        ok = np.isfinite(f) & (f != 0)
        return float(np.abs(f[ok] - actual[ok]).sum() / np.abs(actual[ok]).sum())

    assert wmape(moved) < 0.8 * wmape(stored)
