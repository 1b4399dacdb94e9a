"""The Forecaster interface: fit on the past, forecast from an issue time, save and load.

The base class does the hourly resampling (:mod:`._hourly`), the leak-free cut at the issue time
(:meth:`HourlySeries.view`: no model sees intensity at or after the issue time, or a covariate
value its availability rule says is not known yet), the shape checks, and the bookkeeping of what
a model was fitted on (:mod:`._provenance`). Subclasses implement the model.
"""

from __future__ import annotations

import importlib
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cenas.carbon import IntensityTrace
from cenas.errors import ForecastError
from cenas.forecast._hourly import HourlySeries, IssueView, to_hourly
from cenas.forecast._names import MODEL_LOCATIONS
from cenas.forecast._provenance import TrainingRecord, warn_if_other_region
from cenas.forecast._time import ProgressCallback, TimeLike, to_issue_time, to_utc

__all__ = ["CONFIG_FILE", "FORMAT_VERSION", "Forecaster", "import_model"]

_log = logging.getLogger(__name__)

FORMAT_VERSION = 2
CONFIG_FILE = "forecaster.json"


def import_model(name: str) -> type[Forecaster]:
    """The class registered under ``name`` (imports its module on first use).

    Raises:
        ForecastError: for an unknown name.
    """
    try:
        module, attr = MODEL_LOCATIONS[name]
    except KeyError:
        raise ForecastError(
            f"unknown forecast model {name!r}; expected one of {', '.join(MODEL_LOCATIONS)}"
        ) from None
    cls: type[Forecaster] = getattr(importlib.import_module(module), attr)
    return cls


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
        self.training_: TrainingRecord | None = None
        self._warned: set[str] = set()

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
        start: TimeLike | None = None,
        end: TimeLike | None = None,
    ) -> Self:
        """Fit on the trace's hours in ``[start, end)`` (everything there counts as the past).

        Args:
            trace: history; finer steps are averaged to hourly means.
            covariates: extra columns (default ``trace.covariates``); only known-ahead forecast
                columns (``forecast_avg_*_wMean``, ``avg_*_production_forecast``) are used as
                inputs; actual production columns may be used to learn emission factors.
            seed: seed for a learned model (same seed, same model); None draws one.
            valid_from: hours from this time on are the validation split for early stopping;
                default: the model's choice (the last third of the trace for learned models).
            progress: optional callback ``progress(done, total, message)``.
            start: first time to fit on (default: the trace start).
            end: end of the fit data, exclusive (default: the trace end); the model records
                the period it was fitted on, and the simulator refuses to run it on a window
                that overlaps it.

        Returns:
            self.

        Raises:
            ForecastError: when the trace is too short or the options are invalid.
        """
        data = to_hourly(trace, covariates)
        if start is not None or end is not None:
            first = 0 if start is None else data.index_of(to_utc(start, "start").ceil("h"))
            stop = len(data) if end is None else data.index_of(to_utc(end, "end").floor("h"))
            if not 0 <= first < stop <= len(data):
                raise ForecastError(
                    f"{data.label}: the fit period [{start}, {end}) must be a non-empty part of "
                    f"the trace [{data.start.isoformat()}, {data.end.isoformat()})"
                )
            data = data.slice(first, stop)
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
        # Naive rules learn nothing, so they carry no training period to check.
        self.training_ = TrainingRecord.of(data) if self.needs_fit else None
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
        if data.label not in self._warned:
            self._warned.add(data.label)
            warn_if_other_region(self.training_, data, self.name)
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
            "training": None if self.training_ is None else self.training_.to_dict(),
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
        directory = Path(path)
        cfg_path = directory / CONFIG_FILE
        if not cfg_path.is_file():
            raise ForecastError(f"{directory}: not a saved forecaster (no {CONFIG_FILE})")
        try:
            doc = json.loads(cfg_path.read_text())
            model, config, state = doc["model"], doc["config"], doc["state"]
            version = doc["format_version"]
            training = doc.get("training")
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise ForecastError(f"{cfg_path}: not a valid forecaster file ({e})") from None
        if version != FORMAT_VERSION:
            raise ForecastError(
                f"{cfg_path}: format_version {version} is not supported (expected "
                f"{FORMAT_VERSION}, which records the training period); fit the model again "
                "(cenas forecast fit)"
            )
        klass = import_model(str(model))
        if cls is not Forecaster and klass is not cls:
            raise ForecastError(f"{directory}: holds a {model!r} model, not {cls.name!r}")
        try:
            obj = klass(**config)
        except TypeError as e:
            raise ForecastError(f"{cfg_path}: config does not fit {model!r}: {e}") from None
        obj._load_state(directory, state)
        obj._fitted = True
        if training is not None:
            obj.training_ = TrainingRecord.from_dict(training)
        elif obj.needs_fit:
            raise ForecastError(f"{cfg_path}: a fitted model must record its training period")
        return obj

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._config().items())
        return f"{type(self).__name__}({args})"
