"""Naive baselines: the same hour of the last observed day (persistence) or week (seasonal)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cenas.forecast._base import Forecaster
from cenas.forecast._hourly import HourlySeries, IssueView
from cenas.forecast._time import H_PER_DAY, ProgressCallback

__all__ = ["PersistenceForecaster", "SeasonalNaiveForecaster", "repeat_last_period"]


def repeat_last_period(
    history: NDArray[np.float64], period_h: int, horizon_h: int
) -> NDArray[np.float64]:
    """The last ``period_h`` hours of ``history`` repeated over ``horizon_h`` hours.

    Target hour ``k`` (0-based, from the issue time) gets ``history[-period_h + k % period_h]``:
    the value one period before it, or for ``k >= period_h`` the same hour of the last observed
    period again.

    Returns:
        float64 array of shape ``(horizon_h,)``.
    """
    last = np.asarray(history[-period_h:], dtype=np.float64)
    return last[np.arange(horizon_h) % period_h]


class _PeriodicNaive(Forecaster):
    period_h: int = H_PER_DAY

    @property
    def needs_fit(self) -> bool:
        return False

    @property
    def min_history_h(self) -> int:
        return self.period_h

    def _fit(
        self,
        data: HourlySeries,
        valid_from: int | None,
        seed: int | None,
        progress: ProgressCallback | None,
    ) -> None:
        if progress is not None:
            progress(1, 1, f"{self.name}: nothing to fit")

    def _predict(self, views: Sequence[IssueView]) -> NDArray[np.float64]:
        return np.stack(
            [repeat_last_period(v.history_g_per_kwh, self.period_h, v.horizon_h) for v in views]
        )

    def _config(self) -> dict[str, Any]:
        return {}


class PersistenceForecaster(_PeriodicNaive):
    """Same hour yesterday: the forecast for hour ``t + k`` is the value at ``t + k - 24 h``, and
    for multi-day horizons the last observed day repeats (``t + (k mod 24) - 24 h``).

    Needs 24 h of history and no fitting.
    """

    name = "persistence"
    period_h = H_PER_DAY


class SeasonalNaiveForecaster(_PeriodicNaive):
    """Same hour last week: the value at ``t + (k mod 168) - 168 h``. Needs 168 h of history."""

    name = "seasonal-naive"
    period_h = 7 * H_PER_DAY
