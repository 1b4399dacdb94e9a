"""The Forecaster interface and the hourly, leak-free view of a trace that every model sees.

Every forecaster works at hourly resolution. A trace with a finer step is averaged into hourly
means (time-weighted, exact in integral) on the grid of whole UTC hours; a trace whose step does
not divide one hour is refused. Forecasts are issued at a whole hour: an ``issue_time`` inside an
hour is floored to it, so the first forecast value is for the hour that contains ``issue_time``.

Leakage is prevented structurally: :meth:`Forecaster.predict` cuts the hourly series at the issue
time and hands the model an :class:`IssueView` holding only the intensity strictly before it, plus
the known-in-advance covariate columns (weather and day-ahead production forecasts) up to the end
of the horizon. Subclasses never see the trace itself when predicting.
"""

from __future__ import annotations

import json
import logging
import re
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cenas.carbon import IntensityTrace, to_utc_timestamp
from cenas.errors import ForecastError, TraceError

__all__ = [
    "H_PER_DAY",
    "S_PER_H",
    "Forecaster",
    "HourlySeries",
    "IssueView",
    "ProgressCallback",
    "TimeLike",
    "to_hourly",
    "to_issue_time",
]

_log = logging.getLogger(__name__)

S_PER_H = 3600
H_PER_DAY = 24
FORMAT_VERSION = 1
CONFIG_FILE = "forecaster.json"

TimeLike = pd.Timestamp | str | float | int
"""A time: a Timestamp/datetime (naive means UTC), an ISO string, or UNIX epoch seconds."""

ProgressCallback = Callable[[int, int, str], None]
"""Called as ``progress(done, total, message)`` while a forecaster trains."""

# DACF / CarbonCast columns that are known in advance for the hour they describe: weather
# forecasts and day-ahead production forecasts per source. Everything else in a file (actual
# production, the other intensity column, ...) is only known after the fact.
WEATHER_FORECAST = re.compile(r"^forecast_avg_(?P<var>.+)_wMean$")
PRODUCTION_FORECAST = re.compile(r"^avg_(?P<src>.+)_production_forecast$")


def is_known_ahead(column: str) -> bool:
    """Whether a covariate column is a forecast that is known before the hour it describes."""
    return bool(WEATHER_FORECAST.match(column) or PRODUCTION_FORECAST.match(column))


def to_utc(t: TimeLike, what: str = "time") -> pd.Timestamp:
    """A UTC Timestamp from a Timestamp/datetime (naive = UTC), ISO string or epoch seconds."""
    try:
        return to_utc_timestamp(t, what=what)
    except TraceError as e:  # the same rule, reported as a forecasting error
        raise ForecastError(str(e)) from None


def to_issue_time(t: TimeLike) -> pd.Timestamp:
    """The issue time floored to the whole UTC hour (forecasts are hourly)."""
    return to_utc(t, "issue_time").floor("h")


@dataclass(frozen=True, eq=False)
class HourlySeries:
    """A trace at hourly resolution on whole UTC hours, with its known-ahead covariates.

    Attributes:
        start: first hour (UTC, on the hour).
        values_g_per_kwh: hourly mean intensity, shape ``(n,)``.
        known: known-ahead covariate columns (weather and day-ahead production forecasts),
            ``n`` rows aligned with the hours, NaN where missing; None when the trace has none.
        actual: per-source actual production columns (MW) aligned with the hours, or None. Used
            only when fitting (to learn emission factors from the fit data), never to predict.
        label: the trace's source label, for messages.
    """

    start: pd.Timestamp
    values_g_per_kwh: NDArray[np.float64]
    known: pd.DataFrame | None
    actual: pd.DataFrame | None
    label: str

    def __post_init__(self) -> None:
        known_np = None
        if self.known is not None:
            known_np = self.known.to_numpy(dtype=np.float64, na_value=np.nan)
            known_np.setflags(write=False)
        object.__setattr__(self, "known_np", known_np)

    known_np: NDArray[np.float64] | None = field(init=False, repr=False)

    def __len__(self) -> int:
        return int(self.values_g_per_kwh.size)

    @property
    def end(self) -> pd.Timestamp:
        """End of the last hour (exclusive)."""
        return self.start + pd.Timedelta(hours=len(self))

    @property
    def times(self) -> pd.DatetimeIndex:
        """Start of each hour, UTC, shape ``(n,)``."""
        return pd.date_range(self.start, periods=len(self), freq="h", name="time")

    def index_of(self, t: pd.Timestamp) -> int:
        """Index of the hour starting at ``t`` (may be outside ``[0, n]``)."""
        return int((t - self.start) // pd.Timedelta(hours=1))

    def slice(self, first: int, stop: int) -> HourlySeries:
        """Hours ``first .. stop - 1`` (used to cut the fit data at split boundaries)."""
        first, stop = max(first, 0), min(stop, len(self))
        return HourlySeries(
            start=self.start + pd.Timedelta(hours=first),
            values_g_per_kwh=self.values_g_per_kwh[first:stop],
            known=None if self.known is None else self.known.iloc[first:stop],
            actual=None if self.actual is None else self.actual.iloc[first:stop],
            label=self.label,
        )

    def head(self, stop: int) -> HourlySeries:
        """The first ``stop`` hours."""
        return self.slice(0, stop)

    def view(self, issue_time: pd.Timestamp, horizon_h: int) -> IssueView:
        """The leak-free view at ``issue_time``: intensity strictly before it, known-ahead
        covariates up to the end of the horizon (NaN beyond the series)."""
        i = self.index_of(issue_time)
        if i <= 0:
            raise ForecastError(
                f"{self.label}: issue time {issue_time.isoformat()} leaves no history; the "
                f"hourly trace starts at {self.start.isoformat()}"
            )
        i = min(i, len(self))
        # Hours between the end of the trace and the issue time are unknown: a forecast issued
        # after the trace ends must not silently treat them as observed.
        gap_h = self.index_of(issue_time) - i
        if gap_h > 0:
            raise ForecastError(
                f"{self.label}: issue time {issue_time.isoformat()} is {gap_h} h after the end "
                f"of the trace ({self.end.isoformat()}); the last hours before it are unknown"
            )
        history = np.array(self.values_g_per_kwh[:i], dtype=np.float64)
        history.setflags(write=False)
        known = None
        if self.known_np is not None:
            rows = self.known_np[: i + horizon_h]
            if rows.shape[0] < i + horizon_h:
                pad = np.full((i + horizon_h - rows.shape[0], rows.shape[1]), np.nan)
                rows = np.vstack([rows, pad])
            known = rows
            known.setflags(write=False)
        return IssueView(
            issue_time=issue_time,
            history_start=self.start,
            history_g_per_kwh=history,
            horizon_h=horizon_h,
            known=known,
            known_columns=() if self.known is None else tuple(self.known.columns),
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
        known: known-ahead covariates for the history hours and the target hours, shape
            ``(i + horizon_h, len(known_columns))``, NaN where missing; or None.
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
    trace: IntensityTrace, covariates: pd.DataFrame | None, first: int, n_hours: int
) -> pd.DataFrame | None:
    """Covariates on the hourly grid that starts at step ``first`` of the trace."""
    frame = trace.covariates if covariates is None else covariates
    if frame is None or frame.shape[1] == 0:
        return None
    hours = pd.date_range(
        trace.start + pd.Timedelta(seconds=first * trace.step_s), periods=n_hours, freq="h"
    )
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
    hourly = numeric.resample("h").mean() if trace.step_s != S_PER_H else numeric
    out: pd.DataFrame = hourly.reindex(hours)
    return out


# Traces are immutable, so their hourly form is computed once per trace object: a simulator that
# asks for a forecast every simulated hour pays the resampling once.
_HOURLY_CACHE: weakref.WeakKeyDictionary[IntensityTrace, HourlySeries] = weakref.WeakKeyDictionary()


def to_hourly(trace: IntensityTrace, covariates: pd.DataFrame | None = None) -> HourlySeries:
    """The trace as hourly means on whole UTC hours, with its covariates split into known-ahead
    forecasts and actual production.

    Args:
        trace: any trace whose step divides one hour (5 min, 15 min, 30 min, 1 h, ...).
        covariates: extra columns indexed by time, or one row per trace step; default the
            trace's own ``covariates`` (e.g. the DACF columns).

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
    cov = _hourly_covariates(trace, covariates, first, n_hours)
    known = actual = None
    if cov is not None:
        known_cols = [c for c in cov.columns if is_known_ahead(str(c))]
        if known_cols:
            known = cov[known_cols].astype(np.float64)
        sources = [
            m["src"] for c in known_cols if (m := PRODUCTION_FORECAST.match(str(c))) is not None
        ]
        actual_cols = [s for s in sources if s in cov.columns]
        if sources and len(actual_cols) == len(sources):
            actual = cov[actual_cols].astype(np.float64)
    out = HourlySeries(
        start=first_hour, values_g_per_kwh=values, known=known, actual=actual, label=label
    )
    if covariates is None:
        _HOURLY_CACHE[trace] = out
    return out


class Forecaster(ABC):
    """Forecasts hourly carbon intensity from the history before an issue time.

    Subclasses implement :meth:`_fit`, :meth:`_predict` and, to be saved, :meth:`_config` /
    :meth:`_save_state` / :meth:`_load_state`. The base class does the hourly resampling, the
    leak-free cut at the issue time and the checks, so no model can see the future.

    Attributes:
        name: the model's name in the CLI table (``persistence``, ``transformer``, ...).
    """

    name: ClassVar[str] = "forecaster"

    def __init__(self) -> None:
        self._fitted = False

    # ---------------------------------------------------------------------------- to implement
    @property
    @abstractmethod
    def min_history_h(self) -> int:
        """Hours of history a forecast needs before the issue time."""

    @abstractmethod
    def _fit(
        self,
        data: HourlySeries,
        valid_from: int | None,
        seed: int | None,
        progress: ProgressCallback | None,
    ) -> None:
        """Fit on ``data``; hours from index ``valid_from`` on are for validation."""

    @abstractmethod
    def _predict(self, views: Sequence[IssueView]) -> NDArray[np.float64]:
        """Forecasts for each view, shape ``(len(views), horizon_h)``, gCO2eq/kWh."""

    @property
    def needs_fit(self) -> bool:
        """Whether :meth:`fit` must be called before :meth:`predict` (False for naive rules)."""
        return True

    # ------------------------------------------------------------------------------ public API
    def fit(
        self,
        trace: IntensityTrace,
        covariates: pd.DataFrame | None = None,
        *,
        seed: int | None = None,
        valid_from: TimeLike | None = None,
        progress: ProgressCallback | None = None,
    ) -> Self:
        """Fit on the whole trace (everything in it counts as the past).

        Args:
            trace: history; finer steps are averaged to hourly means.
            covariates: extra columns (default ``trace.covariates``); only known-ahead forecast
                columns (``forecast_avg_*_wMean``, ``avg_*_production_forecast``) are used as
                inputs; actual production columns may be used to learn emission factors.
            seed: seed for a learned model (same seed, same model); None draws one.
            valid_from: hours from this time on are the validation split for early stopping;
                default: the model's choice (the last third of the trace for learned models).
            progress: optional callback ``progress(done, total, message)``.

        Returns:
            self.

        Raises:
            ForecastError: when the trace is too short or the options are invalid.
        """
        data = to_hourly(trace, covariates)
        vf = None if valid_from is None else to_utc(valid_from, "valid_from")
        return self.fit_hourly(data, seed=seed, valid_from=vf, progress=progress)

    def fit_hourly(
        self,
        data: HourlySeries,
        *,
        seed: int | None = None,
        valid_from: pd.Timestamp | None = None,
        progress: ProgressCallback | None = None,
    ) -> Self:
        """:meth:`fit` on an already resampled :class:`HourlySeries`."""
        vf = None
        if valid_from is not None:
            vf = data.index_of(valid_from)
            if not 0 < vf < len(data):
                raise ForecastError(
                    f"{data.label}: valid_from {valid_from.isoformat()} must fall inside the "
                    f"trace [{data.start.isoformat()}, {data.end.isoformat()})"
                )
        self._fit(data, vf, seed, progress)
        self._fitted = True
        return self

    def predict(
        self,
        trace: IntensityTrace,
        issue_time: TimeLike,
        horizon_h: int,
        covariates: pd.DataFrame | None = None,
    ) -> NDArray[np.float64]:
        """Forecast the ``horizon_h`` hours from ``issue_time`` using only what was known then.

        Args:
            trace: a trace holding at least :attr:`min_history_h` hours before ``issue_time``;
                values at or after the issue time are ignored (it may be the full trace).
            issue_time: floored to the whole UTC hour.
            horizon_h: number of hours, >= 1.
            covariates: as in :meth:`fit`; only known-ahead columns are read, and only up to
                the end of the horizon.

        Returns:
            float64 array of shape ``(horizon_h,)``, gCO2eq/kWh, for the hours
            ``issue_time + k h``, ``k = 0 .. horizon_h - 1``.

        Raises:
            ForecastError: when the model is not fitted or the history is too short.
        """
        out: NDArray[np.float64] = self.predict_many(trace, [issue_time], horizon_h, covariates)[0]
        return out

    def predict_many(
        self,
        trace: IntensityTrace,
        issue_times: Sequence[TimeLike],
        horizon_h: int,
        covariates: pd.DataFrame | None = None,
    ) -> NDArray[np.float64]:
        """:meth:`predict` for several issue times at once (one resampling, batched models).

        Returns:
            float64 array of shape ``(len(issue_times), horizon_h)``, gCO2eq/kWh.
        """
        return self.predict_hourly(to_hourly(trace, covariates), issue_times, horizon_h)

    def predict_hourly(
        self, data: HourlySeries, issue_times: Sequence[TimeLike], horizon_h: int
    ) -> NDArray[np.float64]:
        """:meth:`predict_many` on an already resampled :class:`HourlySeries`."""
        if self.needs_fit and not self._fitted:
            raise ForecastError(f"{self.name}: call fit() (or load a saved model) before predict")
        if isinstance(horizon_h, bool) or not isinstance(horizon_h, int | np.integer):
            raise ForecastError(f"horizon_h must be a whole number of hours, got {horizon_h!r}")
        if horizon_h < 1:
            raise ForecastError(f"horizon_h must be >= 1 hour, got {horizon_h}")
        if len(issue_times) == 0:
            return np.empty((0, int(horizon_h)), dtype=np.float64)
        views = []
        for t in issue_times:
            view = data.view(to_issue_time(t), int(horizon_h))
            if view.n_history < self.min_history_h:
                raise ForecastError(
                    f"{self.name}: a forecast at {view.issue_time.isoformat()} needs "
                    f"{self.min_history_h} h of history, but {data.label} has {view.n_history} h "
                    f"before it (from {data.start.isoformat()})"
                )
            views.append(view)
        out = np.asarray(self._predict(views), dtype=np.float64)
        expected = (len(views), int(horizon_h))
        if out.shape != expected or not np.isfinite(out).all():
            raise ForecastError(
                f"{self.name}: produced a forecast of shape {out.shape} with "
                f"{int((~np.isfinite(out)).sum())} non-finite values; expected {expected}, finite"
            )
        clipped: NDArray[np.float64] = np.maximum(out, 0.0)
        return clipped

    # -------------------------------------------------------------------------------- save/load
    def _config(self) -> dict[str, Any]:
        """Constructor arguments, JSON-ready."""
        return {}

    def _save_state(self, directory: Path) -> dict[str, Any]:
        """Write fitted state files into ``directory``; return JSON-ready state to record."""
        return {}

    def _load_state(self, directory: Path, state: dict[str, Any]) -> None:  # noqa: B027
        """Restore what :meth:`_save_state` wrote."""

    def save(self, path: str | Path) -> Path:
        """Save the fitted model (config, normalisation and weights) into directory ``path``.

        Returns:
            The directory.

        Raises:
            ForecastError: when the model is not fitted.
        """
        if self.needs_fit and not self._fitted:
            raise ForecastError(f"{self.name}: nothing to save, the model is not fitted")
        directory = Path(path)
        directory.mkdir(parents=True, exist_ok=True)
        state = self._save_state(directory)
        doc = {
            "format_version": FORMAT_VERSION,
            "model": self.name,
            "config": self._config(),
            "state": state,
        }
        (directory / CONFIG_FILE).write_text(json.dumps(doc, indent=2, allow_nan=False) + "\n")
        return directory

    @classmethod
    def load(cls, path: str | Path) -> Forecaster:
        """Load a model saved by :meth:`save` (on the base class: any registered model).

        Raises:
            ForecastError: when the directory is not a saved model or holds another model.
        """
        from cenas.forecast._registry import model_class

        directory = Path(path)
        cfg_path = directory / CONFIG_FILE
        if not cfg_path.is_file():
            raise ForecastError(f"{directory}: not a saved forecaster (no {CONFIG_FILE})")
        try:
            doc = json.loads(cfg_path.read_text())
            model, config, state = doc["model"], doc["config"], doc["state"]
            version = doc["format_version"]
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise ForecastError(f"{cfg_path}: not a valid forecaster file ({e})") from None
        if version != FORMAT_VERSION:
            raise ForecastError(
                f"{cfg_path}: format_version {version} is not supported (expected {FORMAT_VERSION})"
            )
        klass = model_class(model)
        if cls is not Forecaster and klass is not cls:
            raise ForecastError(f"{directory}: holds a {model!r} model, not {cls.name!r}")
        try:
            obj = klass(**config)
        except TypeError as e:
            raise ForecastError(f"{cfg_path}: config does not fit {model!r}: {e}") from None
        obj._load_state(directory, state)
        obj._fitted = True
        return obj

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._config().items())
        return f"{type(self).__name__}({args})"
