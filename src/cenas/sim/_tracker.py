"""Search progress as the runs report it: hypervolume of what the search has found."""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from cenas.moo import hypervolume, non_dominated_mask

__all__ = ["HVSource", "ProgressTracker"]


class HVSource(StrEnum):
    """Which architectures a run's hypervolume is computed from (always at true objectives)."""

    TRAINED = "true objectives of the trained architectures"
    ESTIMATED_FRONT = (
        "true objectives (benchmark look-up) of the architectures on the one-shot estimated front"
    )
    ALL_ESTIMATED = "true objectives (benchmark look-up) of every estimated architecture"


class _Front:
    """An incrementally maintained non-dominated set of (index, objectives)."""

    def __init__(self, m: int) -> None:
        self.idx = np.zeros(0, dtype=np.int64)
        self.y = np.zeros((0, m), dtype=np.float64)

    def add(self, idx: NDArray[np.int64], y: NDArray[np.float64]) -> bool:
        """Merge points; returns whether the front changed. Non-finite rows are ignored."""
        ok = np.isfinite(y).all(axis=1)
        if not ok.any():
            return False
        idx, y = idx[ok], y[ok]
        all_idx = np.concatenate([self.idx, idx])
        all_y = np.concatenate([self.y, y])
        keep = non_dominated_mask(all_y)
        if keep[: self.idx.size].all() and not keep[self.idx.size :].any():
            return False
        self.idx, self.y = all_idx[keep], all_y[keep]
        return True


class ProgressTracker:
    """Hypervolume of a run's findings against a fixed reference point, updated incrementally.

    For searches that train (CE-NAS, vanilla LaMOO, ...), the HV of the true objectives of the
    trained architectures. For one-shot LaMOO, which trains nothing: the architectures on the
    front of its estimates (what a one-shot search returns), valued at their true objectives
    looked up in the benchmark (:attr:`HVSource.ESTIMATED_FRONT`); the HV of the true objectives
    of every estimated architecture is kept alongside (:attr:`hv_all_estimated`).

    Args:
        true_y: true objectives of every architecture, minimisation form, ``(space.size, m)``.
        ref_point: reference point, minimisation form, ``(m,)``.
        oneshot: whether the run is one-shot LaMOO.
    """

    def __init__(
        self, true_y: NDArray[np.float64], ref_point: NDArray[np.float64], *, oneshot: bool
    ) -> None:
        self._true = true_y
        self.ref_point = ref_point
        self.oneshot = oneshot
        m = true_y.shape[1]
        self._trained = _Front(m)
        self._est_front = _Front(m)  # by estimates
        self._all_est = _Front(m)  # by true values of everything estimated
        self.hv = 0.0
        self.hv_all_estimated = 0.0

    @property
    def source(self) -> HVSource:
        """What :attr:`hv` is computed from."""
        return HVSource.ESTIMATED_FRONT if self.oneshot else HVSource.TRAINED

    def trained(self, idx: NDArray[np.int64], y_true: NDArray[np.float64]) -> None:
        """Architectures were trained with these true objectives."""
        if self._trained.add(idx, y_true) and not self.oneshot:
            self.hv = hypervolume(self._trained.y, self.ref_point)

    def estimated(self, idx: NDArray[np.int64], y_est: NDArray[np.float64]) -> None:
        """Architectures were estimated (one-shot)."""
        if self._all_est.add(idx, self._true[idx]):
            self.hv_all_estimated = hypervolume(self._all_est.y, self.ref_point)
        if self.oneshot and self._est_front.add(idx, y_est):
            self.hv = hypervolume(self._true[self._est_front.idx], self.ref_point)

    def pareto_indices(self) -> NDArray[np.int64]:
        """The run's final Pareto set: the trained front, or the estimated front (one-shot)."""
        return (self._est_front if self.oneshot else self._trained).idx.copy()
