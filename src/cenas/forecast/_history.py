"""Forecasting a trace whose own start leaves no history: take the hours before it from another
file.

The papers' first window starts at the first hour of the CISO 2021 file, so a forecaster that needs
a week of history cannot run on that file alone. :class:`HistoryForecaster` puts the hours of a
history trace that lie before the run trace's start (e.g. the DACF CISO file's 2020 hours) in
front of it and forecasts the joined series; the run trace wins wherever both have hours. It is
the API a scheduler (the heuristic, an RL policy) calls at any simulated time: ``predict(trace,
issue_time, horizon_h)``, leak-free like every forecaster.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cenas.carbon import IntensityTrace
from cenas.errors import ForecastError
from cenas.forecast._base import Forecaster
from cenas.forecast._hourly import HourlySeries, to_hourly
from cenas.forecast._provenance import TrainingRecord, check_no_overlap
from cenas.forecast._time import TimeLike

__all__ = ["HistoryForecaster", "join_history"]


def join_history(history: HourlySeries, run: HourlySeries) -> HourlySeries:
    """``history``'s hours before ``run`` starts, followed by ``run``.

    Covariates are kept when both series have the same forecast columns, else dropped (a model
    fitted with covariates then says it lacks them).

    Raises:
        ForecastError: when the history leaves a gap before the run trace's start or starts
            after it.
    """
    if history.start >= run.start:
        raise ForecastError(
            f"history {history.label} starts at {history.start.isoformat()}, not before the run "
            f"trace {run.label} ({run.start.isoformat()})"
        )
    if history.end < run.start:
        raise ForecastError(
            f"history {history.label} ends at {history.end.isoformat()}, leaving a gap before "
            f"the run trace {run.label} starts at {run.start.isoformat()}"
        )
    cut = history.index_of(run.start)
    values = np.concatenate([history.values_g_per_kwh[:cut], run.values_g_per_kwh])
    values.setflags(write=False)
    known, rules = None, run.rules
    if (
        history.known is not None
        and run.known is not None
        and list(history.known.columns) == list(run.known.columns)
        and history.rules == run.rules
    ):
        known = pd.concat([history.known.iloc[:cut], run.known])
    else:
        rules = ()
    return HourlySeries(
        start=history.start,
        values_g_per_kwh=values,
        known=known,
        actual=None,
        label=f"{run.label} (history before {run.start.isoformat()} from {history.label})",
        rules=rules,
        zone=run.zone,
        kind=run.kind,
    )


class HistoryForecaster:
    """A fitted forecaster that reads the history before a run trace from another trace.

    Args:
        forecaster: the model (fitted, or a naive rule).
        history: the trace whose hours before the run trace's start are used as history.

    Attributes:
        forecaster: the wrapped model.
        history: the history trace.
    """

    def __init__(self, forecaster: Forecaster, history: IntensityTrace) -> None:
        self.forecaster = forecaster
        self.history = history
        self._joined: weakref.WeakKeyDictionary[IntensityTrace, HourlySeries] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def name(self) -> str:
        """The wrapped model's name."""
        return self.forecaster.name

    @property
    def training_(self) -> TrainingRecord | None:
        """The wrapped model's training record."""
        return self.forecaster.training_

    def joined(self, trace: IntensityTrace) -> HourlySeries:
        """The history followed by ``trace``, hourly (computed once per trace)."""
        out = self._joined.get(trace)
        if out is None:
            out = join_history(to_hourly(self.history), to_hourly(trace))
            self._joined[trace] = out
        return out

    def check_window(self, start: TimeLike, end: TimeLike, what: str | None = None) -> None:
        """Refuse (ForecastError) when the model was trained on any hour of ``[start, end)``."""
        s, e = pd.Timestamp(start), pd.Timestamp(end)
        check_no_overlap(self.training_, s, e, what or f"forecaster {self.name!r}")

    def predict(
        self, trace: IntensityTrace, issue_time: TimeLike, horizon_h: int
    ) -> NDArray[np.float64]:
        """Forecast ``horizon_h`` hours of ``trace`` from ``issue_time`` (gCO2eq/kWh, shape
        ``(horizon_h,)``), with the history before the trace's start from :attr:`history`."""
        out: NDArray[np.float64] = self.predict_many(trace, [issue_time], horizon_h)[0]
        return out

    def predict_many(
        self, trace: IntensityTrace, issue_times: Sequence[TimeLike], horizon_h: int
    ) -> NDArray[np.float64]:
        """:meth:`predict` for several issue times, shape ``(len(issue_times), horizon_h)``."""
        return self.forecaster.predict_hourly(self.joined(trace), issue_times, horizon_h)

    def __repr__(self) -> str:
        return f"HistoryForecaster({self.forecaster!r}, history={self.history.source.label!r})"
