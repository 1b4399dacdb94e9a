"""The intensity a policy expects over the coming allocation intervals: a forecast from the past
only, or (labelled as such) the trace's own future, the ORACLE upper bound."""

from __future__ import annotations

import logging
import math
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cenas.alloc._base import AllocationContext
from cenas.carbon import IntensityTrace
from cenas.errors import ForecastError

__all__ = ["ForecasterLike", "Outlook", "expected_intensity"]

log = logging.getLogger(__name__)


@runtime_checkable
class ForecasterLike(Protocol):
    """What a policy needs from a forecaster (:class:`cenas.forecast.Forecaster`)."""

    def predict(
        self, trace: IntensityTrace, issue_time: pd.Timestamp, horizon_h: int
    ) -> NDArray[np.float64]:
        """Intensity of the ``horizon_h`` steps from ``issue_time`` on, from data before it."""
        ...


def expected_intensity(
    ctx: AllocationContext, hours: float, forecaster: ForecasterLike | None
) -> tuple[NDArray[np.float64], bool]:
    """The intensity of the allocation intervals in ``[t_s, t_s + hours)``, the current (known)
    one first, and whether it is a real forecast.

    With a forecaster, the intervals after the current one come from
    ``forecaster.predict(trace, next interval, ...)``, which reads only data before its issue
    time. When the forecaster cannot forecast (too little history, e.g. at the start of a trace
    file) the current value is repeated (no information about the future) and the second value
    is False. Without a forecaster the trace's own future is read: an ORACLE.

    Returns:
        ``(values, forecast_ok)``; ``values`` has shape ``(k,)`` with ``k >= 1``.
    """
    n = max(1, math.ceil(hours * 3600.0 / ctx.interval_s))
    if forecaster is None:
        return ctx.lookahead(hours), True
    if n == 1:
        return np.array([ctx.intensity_g_per_kwh]), True
    issue = pd.Timestamp(ctx.t_s + ctx.interval_s, unit="s", tz="UTC")
    try:
        pred = np.asarray(
            forecaster.predict(ctx.trace, issue, math.ceil((n - 1) * ctx.interval_s / 3600)),
            dtype=np.float64,
        ).reshape(-1)[: n - 1]
    except ForecastError as e:
        log.debug("no forecast at %s (%s): the current intensity is repeated", issue, e)
        return np.full(n, ctx.intensity_g_per_kwh), False
    pred = np.where(np.isfinite(pred), pred, ctx.intensity_g_per_kwh)
    return np.concatenate([[ctx.intensity_g_per_kwh], pred]), True


class Outlook:
    """A policy's view of the coming intervals: :func:`expected_intensity` with its source, and a
    count of the intervals where the forecaster had too little history (said in
    :meth:`describe`, so that a run's policy description records it).

    Args:
        forecaster: the forecaster; None for the ORACLE look-ahead.
    """

    def __init__(self, forecaster: ForecasterLike | None) -> None:
        self.forecaster = forecaster
        self.no_forecast = 0

    def reset(self) -> None:
        """Forget the count (a new run)."""
        self.no_forecast = 0

    def window(self, ctx: AllocationContext, hours: float) -> tuple[NDArray[np.float64], bool]:
        """:func:`expected_intensity` over ``hours``, counting the intervals without forecast."""
        w, ok = expected_intensity(ctx, hours, self.forecaster)
        self.no_forecast += not ok
        return w, ok

    def describe(self) -> str:
        """``oracle look-ahead`` or ``forecast by <class>`` (with the intervals without one)."""
        if self.forecaster is None:
            return "oracle look-ahead"
        out = f"forecast by {type(self.forecaster).__name__}"
        if self.no_forecast:
            out += f"; {self.no_forecast} intervals without history to forecast from"
        return out
