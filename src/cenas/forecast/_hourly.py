"""The hourly form of a trace, and the leak-free view of it at an issue time.

Every forecaster works at hourly resolution. A trace with a finer step is averaged into hourly
means (time-weighted, exact in integral) on the grid of whole UTC hours; a trace whose step does
not divide one hour is refused. Forecasts are issued at a whole hour: an ``issue_time`` inside an
hour is floored to it, so the first forecast value is for the hour that contains ``issue_time``.

Forecast covariates are re-aligned to the hour they describe (see :mod:`._availability`): the
hourly form holds them by described hour, reaching ``stored_ahead_h`` hours past the last hour of
intensity (a file that ends at ``t`` already holds forecasts for hours after ``t``).

Leakage is prevented structurally: :meth:`HourlySeries.view` cuts the series at the issue time and
hands the model an :class:`IssueView` holding only the intensity strictly before it and the
covariate values known at it under their rules (NaN otherwise). Models never see the trace itself
when predicting.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cenas.carbon import IntensityTrace
from cenas.errors import ForecastError
from cenas.forecast._availability import (
    PRODUCTION_FORECAST,
    CovariateRule,
    mask_unknown,
    rule_for,
)
from cenas.forecast._time import S_PER_H, epoch_hours

__all__ = ["HourlySeries", "IssueView", "to_hourly"]


@dataclass(frozen=True, eq=False)
class HourlySeries:
    """A trace at hourly resolution on whole UTC hours, with its forecast covariates.

    Attributes:
        start: first hour (UTC, on the hour).
        values_g_per_kwh: hourly mean intensity, shape ``(n,)``.
        known: forecast covariate columns (weather and day-ahead production forecasts) by the
            hour they DESCRIBE, ``n + ahead_h`` rows from ``start``, NaN where missing; None when
            the trace has none. Which of them is known at an issue time is decided by ``rules``.
        actual: per-source actual production columns (MW), ``n`` rows, or None. Used only when
            fitting (to learn emission factors from the fit data), never to predict.
        label: the trace's source label, for messages.
        rules: the availability rule of each column of ``known``.
        zone: the trace's grid zone (None when unknown), recorded by fitted models.
        kind: the trace's emission kind (``direct``, ``lca``, ...), recorded by fitted models.
    """

    start: pd.Timestamp
    values_g_per_kwh: NDArray[np.float64]
    known: pd.DataFrame | None
    actual: pd.DataFrame | None
    label: str
    rules: tuple[CovariateRule, ...] = ()
    zone: str | None = None
    kind: str | None = None
    known_np: NDArray[np.float64] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        known_np = None
        if self.known is not None:
            known_np = self.known.to_numpy(dtype=np.float64, na_value=np.nan)
            known_np.setflags(write=False)
            if len(self.rules) != known_np.shape[1]:
                raise ForecastError(
                    f"{self.label}: {known_np.shape[1]} forecast columns but {len(self.rules)} "
                    "availability rules"
                )
        object.__setattr__(self, "known_np", known_np)

    def __len__(self) -> int:
        return int(self.values_g_per_kwh.size)

    @property
    def end(self) -> pd.Timestamp:
        """End of the last hour of intensity (exclusive)."""
        return self.start + pd.Timedelta(hours=len(self))

    @property
    def ahead_h(self) -> int:
        """Hours of covariates past the last hour of intensity."""
        return 0 if self.known is None else len(self.known) - len(self)

    @property
    def times(self) -> pd.DatetimeIndex:
        """Start of each hour, UTC, shape ``(n,)``."""
        return pd.date_range(self.start, periods=len(self), freq="h", name="time")

    def index_of(self, t: pd.Timestamp) -> int:
        """Index of the hour starting at ``t`` (may be outside ``[0, n]``)."""
        return int((t - self.start) // pd.Timedelta(hours=1))

    def slice(self, first: int, stop: int) -> HourlySeries:
        """Hours ``first .. stop - 1`` (covariates keep their ``ahead_h`` hours past ``stop``)."""
        first, stop = max(first, 0), min(stop, len(self))
        known = None
        if self.known is not None:
            known = self.known.iloc[first : stop + self.ahead_h]
        return HourlySeries(
            start=self.start + pd.Timedelta(hours=first),
            values_g_per_kwh=self.values_g_per_kwh[first:stop],
            known=known,
            actual=None if self.actual is None else self.actual.iloc[first:stop],
            label=self.label,
            rules=self.rules,
            zone=self.zone,
            kind=self.kind,
        )

    def head(self, stop: int) -> HourlySeries:
        """The first ``stop`` hours."""
        return self.slice(0, stop)

    def known_for_hours(self) -> pd.DataFrame | None:
        """The covariate rows of the intensity's own hours (``n`` rows), or None."""
        return None if self.known is None else self.known.iloc[: len(self)]

    def view(self, issue_time: pd.Timestamp, horizon_h: int) -> IssueView:
        """The leak-free view at ``issue_time``: intensity strictly before it, and the covariates
        of the history and target hours as known at it (NaN where a rule says not yet)."""
        i = self.index_of(issue_time)
        if i <= 0:
            raise ForecastError(
                f"{self.label}: issue time {issue_time.isoformat()} leaves no history; the "
                f"hourly trace starts at {self.start.isoformat()}"
            )
        # Hours between the end of the trace and the issue time are unknown: a forecast issued
        # after the trace ends must not silently treat them as observed.
        gap_h = i - len(self)
        if gap_h > 0:
            raise ForecastError(
                f"{self.label}: issue time {issue_time.isoformat()} is {gap_h} h after the end "
                f"of the trace ({self.end.isoformat()}); the last hours before it are unknown"
            )
        history = np.array(self.values_g_per_kwh[:i], dtype=np.float64)
        history.setflags(write=False)
        known = None
        if self.known_np is not None:
            n_rows = i + horizon_h
            rows = np.full((n_rows, self.known_np.shape[1]), np.nan)
            have = min(n_rows, self.known_np.shape[0])
            rows[:have] = self.known_np[:have]
            issue_h = epoch_hours(issue_time)
            target_h = issue_h + np.arange(horizon_h, dtype=np.int64)
            rows[i:] = mask_unknown(rows[i:], self.rules, np.full(horizon_h, issue_h), target_h)
            known = rows
            known.setflags(write=False)
        return IssueView(
            issue_time=issue_time,
            history_start=self.start,
            history_g_per_kwh=history,
            horizon_h=horizon_h,
            known=known,
            known_columns=() if self.known is None else tuple(str(c) for c in self.known.columns),
            label=self.label,
        )


@dataclass(frozen=True, eq=False)
class IssueView:
    """What a forecaster may use at ``issue_time``.

    Attributes:
        issue_time: the issue time (UTC, whole hour); forecasts are for the hours
            ``issue_time + k h``, ``k = 0 .. horizon_h - 1``.
        history_start: the hour of ``history_g_per_kwh[0]``.
        history_g_per_kwh: hourly intensity strictly before ``issue_time``, shape ``(i,)``.
        horizon_h: number of hours to forecast.
        known: forecast covariates by described hour for the history and target hours, shape
            ``(i + horizon_h, len(known_columns))``; NaN where missing or not yet known.
        known_columns: names of the columns of ``known``.
        label: the trace's source label.
    """

    issue_time: pd.Timestamp
    history_start: pd.Timestamp
    history_g_per_kwh: NDArray[np.float64]
    horizon_h: int
    known: NDArray[np.float64] | None
    known_columns: tuple[str, ...]
    label: str

    @property
    def n_history(self) -> int:
        """Number of history hours."""
        return int(self.history_g_per_kwh.size)


def _hourly_covariates(
    trace: IntensityTrace, covariates: pd.DataFrame | None
) -> pd.DataFrame | None:
    """Covariates as hourly means indexed by UTC hour (the rows the file has)."""
    frame = trace.covariates if covariates is None else covariates
    if frame is None or frame.shape[1] == 0:
        return None
    if isinstance(frame.index, pd.DatetimeIndex):
        idx = frame.index
        idx = idx.tz_localize("UTC") if idx.tz is None else idx.tz_convert("UTC")
        frame = frame.set_axis(idx, axis=0)
    elif len(frame) == len(trace):
        frame = frame.set_axis(trace.times, axis=0)
    else:
        raise ForecastError(
            f"{trace.source.label}: covariates must be indexed by time (DatetimeIndex) or have one "
            f"row per trace step ({len(trace)}), but got {len(frame)} rows with a "
            f"{type(frame.index).__name__}"
        )
    numeric: pd.DataFrame = frame.apply(pd.to_numeric, errors="coerce")
    # Hourly means on whole hours (a no-op for hourly data on the hour).
    hourly: pd.DataFrame = numeric.resample("h").mean() if trace.step_s != S_PER_H else numeric
    return hourly


def _split_covariates(
    cov: pd.DataFrame, first_hour: pd.Timestamp, n_hours: int
) -> tuple[pd.DataFrame | None, tuple[CovariateRule, ...], pd.DataFrame | None]:
    """Forecast columns moved to the hour they describe, their rules, and actual production."""
    hours = pd.date_range(first_hour, periods=n_hours, freq="h")
    cols = [str(c) for c in cov.columns]
    rules = {c: r for c in cols if (r := rule_for(c)) is not None}
    known = None
    if rules:
        ahead = max(r.stored_ahead_h for r in rules.values())
        ext = pd.date_range(first_hour, periods=n_hours + ahead, freq="h")
        moved = {}
        for c, r in rules.items():
            s = cov[c].astype(np.float64)
            moved[c] = s.set_axis(s.index + pd.Timedelta(hours=r.stored_ahead_h)).reindex(ext)
        known = pd.DataFrame(moved, index=ext)
    sources = [m["src"] for c in rules if (m := PRODUCTION_FORECAST.match(c)) is not None]
    actual_cols = [s for s in sources if s in cov.columns]
    actual = None
    if sources and len(actual_cols) == len(sources):
        actual = cov[actual_cols].astype(np.float64).reindex(hours)
    return known, tuple(rules.values()), actual


# Traces are immutable, so their hourly form is computed once per trace object: a simulator that
# asks for a forecast every simulated hour pays the resampling once.
_HOURLY_CACHE: weakref.WeakKeyDictionary[IntensityTrace, HourlySeries] = weakref.WeakKeyDictionary()


def to_hourly(trace: IntensityTrace, covariates: pd.DataFrame | None = None) -> HourlySeries:
    """The trace as hourly means on whole UTC hours, with its covariates split into forecast
    columns (moved to the hour they describe) and actual production.

    Args:
        trace: any trace whose step divides one hour (5 min, 15 min, 30 min, 1 h, ...).
        covariates: extra columns indexed by time, or one row per trace step; default the
            trace's own ``covariates`` (e.g. the DACF columns), as stored in the file (forecasts
            on the row 24 h before the hour they describe).

    Raises:
        ForecastError: when the step does not divide one hour or no whole hour is covered.
    """
    if covariates is None:
        cached = _HOURLY_CACHE.get(trace)
        if cached is not None:
            return cached
    label = trace.source.label
    if S_PER_H % trace.step_s != 0:
        raise ForecastError(
            f"{label}: forecasting needs a trace whose step divides one hour (e.g. 5 min, "
            f"15 min, 1 h), but the step is {trace.step_s} s"
        )
    # Start on the first whole hour; drop a trailing partial hour.
    first_hour = trace.start.ceil("h")
    first = int((first_hour - trace.start) // pd.Timedelta(seconds=trace.step_s))
    per_h = S_PER_H // trace.step_s
    n_hours = (len(trace) - first) // per_h
    if n_hours < 1:
        raise ForecastError(f"{label}: the trace covers no whole UTC hour ({trace!r})")
    raw = np.asarray(trace.values_g_per_kwh[first : first + n_hours * per_h], dtype=np.float64)
    values = raw.reshape(n_hours, per_h).mean(axis=1)
    values.setflags(write=False)
    cov = _hourly_covariates(trace, covariates)
    known, rules, actual = (
        (None, (), None) if cov is None else _split_covariates(cov, first_hour, n_hours)
    )
    out = HourlySeries(
        start=first_hour,
        values_g_per_kwh=values,
        known=known,
        actual=actual,
        label=label,
        rules=rules,
        zone=trace.source.zone,
        kind=trace.source.kind.value,
    )
    if covariates is None:
        _HOURLY_CACHE[trace] = out
    return out
