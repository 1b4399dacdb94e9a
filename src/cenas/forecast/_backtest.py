"""Rolling-origin backtest with CarbonCast's split and MAPE per horizon day."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cenas.carbon import IntensityTrace
from cenas.errors import ForecastError
from cenas.forecast._base import Forecaster
from cenas.forecast._hourly import HourlySeries, to_hourly
from cenas.forecast._time import H_PER_DAY, ProgressCallback

__all__ = [
    "CARBONCAST_DAY1_TO_4_MAPE",
    "BacktestResult",
    "CarbonCastSplit",
    "SplitBounds",
    "backtest",
    "mape_percent",
]

CARBONCAST_DAY1_TO_4_MAPE: dict[str, tuple[float, float, float, float]] = {
    "CISO": (9.70, 12.38, 13.18, 13.68),
    "PJM": (2.72, 3.39, 3.77, 4.00),
    "DE": (13.29, 17.20, 18.19, 19.73),
    "SE": (5.96, 7.88, 8.41, 8.96),
}
"""CarbonCast's published mean MAPE (%) for days 1-4 (from the CarbonCast repository's result
files), test period July-December 2021."""

_DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class SplitBounds:
    """Where the train, validation and test periods of a backtest start and end (UTC, 00:00).

    Attributes:
        train_start: first training hour.
        valid_start: first validation hour (early stopping).
        test_start: first test hour; the models are fitted on ``[train_start, test_start)``.
        test_end: end of the test period (exclusive).
        calendar: True when CarbonCast's calendar dates were used, False for proportions.
    """

    train_start: pd.Timestamp
    valid_start: pd.Timestamp
    test_start: pd.Timestamp
    test_end: pd.Timestamp
    calendar: bool

    def days(self) -> tuple[int, int, int]:
        """Whole days of train, validation and test."""
        return (
            (self.valid_start - self.train_start) // _DAY,
            (self.test_start - self.valid_start) // _DAY,
            (self.test_end - self.test_start) // _DAY,
        )


@dataclass(frozen=True)
class CarbonCastSplit:
    """CarbonCast's protocol: train on 2020, validate on January-June 2021, test on July-December
    2021. A trace that does not cover 2020-2021 is split in the same proportions of its whole
    days (12/6/6 months: 50 %, 25 %, 25 %), at 00:00 UTC.

    Attributes:
        train_fraction: share of the days for training (proportional split).
        valid_fraction: share of the days for validation (proportional split).
        use_calendar: use the calendar dates when the trace covers 2020-01-01 to 2022-01-01.
        min_train_days: the least training history a backtest accepts.
    """

    train_fraction: float = 0.5
    valid_fraction: float = 0.25
    use_calendar: bool = True
    min_train_days: int = 28

    CALENDAR = (
        pd.Timestamp("2020-01-01", tz="UTC"),
        pd.Timestamp("2021-01-01", tz="UTC"),
        pd.Timestamp("2021-07-01", tz="UTC"),
        pd.Timestamp("2022-01-01", tz="UTC"),
    )

    def __post_init__(self) -> None:
        tf, vf = self.train_fraction, self.valid_fraction
        if not (0 < tf < 1 and 0 < vf < 1 and tf + vf < 1):
            raise ForecastError(
                f"split fractions must be in (0, 1) with train + valid < 1, got train={tf}, "
                f"valid={vf}"
            )

    def bounds(self, data: HourlySeries, horizon_days: int) -> SplitBounds:
        """The split of ``data``.

        Raises:
            ForecastError: when the trace is too short: fewer than ``min_train_days`` of training,
                no validation day, or fewer test days than ``horizon_days``.
        """
        a, b, c, d = self.CALENDAR
        if self.use_calendar and data.start <= a and data.end >= d:
            return SplitBounds(a, b, c, d, calendar=True)
        first = data.start.ceil("D")
        n_days = max(0, (data.end - first) // _DAY)
        train = math.floor(n_days * self.train_fraction)
        valid = math.floor(n_days * self.valid_fraction)
        test = n_days - train - valid
        need = max(
            math.ceil(self.min_train_days / self.train_fraction),
            math.ceil(horizon_days / (1 - self.train_fraction - self.valid_fraction)),
            math.ceil(1 / self.valid_fraction),
        )
        if train < self.min_train_days or valid < 1 or test < horizon_days:
            raise ForecastError(
                f"{data.label}: too short for the backtest: {n_days} whole days "
                f"({data.start.isoformat()} to {data.end.isoformat()}) split "
                f"{train}/{valid}/{test} days train/validation/test, but the backtest needs "
                f">= {self.min_train_days} training days and >= {horizon_days} test days "
                f"(a trace of >= {need} days)"
            )
        return SplitBounds(
            train_start=first,
            valid_start=first + train * _DAY,
            test_start=first + (train + valid) * _DAY,
            test_end=first + n_days * _DAY,
            calendar=False,
        )


def mape_percent(forecast: NDArray[np.float64], actual: NDArray[np.float64]) -> float:
    """Mean absolute percentage error, %, over the entries whose actual value is > 0.

    Returns:
        ``100 * mean(|forecast - actual| / actual)``; NaN when no actual value is positive.
    """
    f = np.asarray(forecast, dtype=np.float64).ravel()
    a = np.asarray(actual, dtype=np.float64).ravel()
    ok = a > 0
    if not ok.any():
        return float("nan")
    return float(100.0 * np.mean(np.abs(f[ok] - a[ok]) / a[ok]))


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """One model's rolling-origin backtest.

    Attributes:
        model: the model's name.
        trace: the trace's source label.
        split: the split used.
        horizon_days: forecast horizon in days.
        issue_times: one issue time per test day (00:00 UTC), shape ``(n,)``.
        forecast_g_per_kwh: forecasts, shape ``(n, 24 * horizon_days)``, gCO2eq/kWh.
        actual_g_per_kwh: observed intensity for the same hours, same shape.
        mape_by_day: MAPE (%) of each horizon day (hours 0-23 = day 1, ...).
        mape_overall: MAPE (%) over all hours of the horizon.
        fit_wall_s: wall-clock seconds spent fitting (for reports only).
    """

    model: str
    trace: str
    split: SplitBounds
    horizon_days: int
    issue_times: pd.DatetimeIndex
    forecast_g_per_kwh: NDArray[np.float64]
    actual_g_per_kwh: NDArray[np.float64]
    mape_by_day: tuple[float, ...]
    mape_overall: float
    fit_wall_s: float

    def row(self) -> dict[str, Any]:
        """``{"model": name, "mape": {"day1": .., ..., "overall": ..}}`` (percent)."""
        mape: dict[str, float] = {f"day{d + 1}": m for d, m in enumerate(self.mape_by_day)}
        mape["overall"] = self.mape_overall
        return {"model": self.model, "mape": mape}


def backtest(
    model: Forecaster | Callable[[], Forecaster],
    trace: IntensityTrace | HourlySeries,
    split: CarbonCastSplit | None = None,
    horizon_days: int = 4,
    covariates: pd.DataFrame | None = None,
    *,
    seed: int | None = None,
    progress: ProgressCallback | None = None,
) -> BacktestResult:
    """Fit on the training + validation period, then forecast every test day at 00:00 UTC.

    Each forecast uses only the intensity before its issue time (the forecaster's
    :meth:`~Forecaster.predict` cuts the series there); the model is fitted once, on
    ``[train_start, test_start)`` with early stopping on the validation period.

    Args:
        model: a forecaster, or a factory that makes a new one.
        trace: any trace the carbon layer loads (resampled to hourly means).
        split: default :class:`CarbonCastSplit`.
        horizon_days: days forecast at each issue time (MAPE per day).
        covariates: extra columns (default ``trace.covariates``).
        seed: passed to ``fit``.
        progress: passed to ``fit``.

    Returns:
        The result, with MAPE per horizon day and overall.

    Raises:
        ForecastError: when the trace is too short for the split.
    """
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or horizon_days < 1:
        raise ForecastError(f"horizon_days must be a whole number >= 1, got {horizon_days!r}")
    split = split or CarbonCastSplit()
    data = trace if isinstance(trace, HourlySeries) else to_hourly(trace, covariates)
    bounds = split.bounds(data, horizon_days)
    forecaster = model if isinstance(model, Forecaster) else model()
    horizon_h = H_PER_DAY * horizon_days
    first = data.index_of(bounds.train_start)
    fit_data = data.slice(first, data.index_of(bounds.test_start))
    t0 = time.perf_counter()
    forecaster.fit_hourly(fit_data, seed=seed, valid_from=bounds.valid_start, progress=progress)
    fit_wall_s = time.perf_counter() - t0
    issues = pd.date_range(
        bounds.test_start, bounds.test_end - pd.Timedelta(hours=horizon_h), freq="D"
    )
    test_data = data.slice(first, data.index_of(bounds.test_end))
    forecast = forecaster.predict_hourly(test_data, list(issues), horizon_h)
    idx = np.array([test_data.index_of(t) for t in issues])[:, None] + np.arange(horizon_h)
    actual = np.asarray(test_data.values_g_per_kwh)[idx]
    by_day = tuple(
        mape_percent(forecast[:, d * 24 : (d + 1) * 24], actual[:, d * 24 : (d + 1) * 24])
        for d in range(horizon_days)
    )
    return BacktestResult(
        model=forecaster.name,
        trace=data.label,
        split=bounds,
        horizon_days=horizon_days,
        issue_times=issues,
        forecast_g_per_kwh=forecast,
        actual_g_per_kwh=actual,
        mape_by_day=by_day,
        mape_overall=mape_percent(forecast, actual),
        fit_wall_s=fit_wall_s,
    )
