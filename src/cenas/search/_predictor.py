"""Better estimates at almost no carbon: the one-shot estimate corrected by what P has taught.

A supernet's one-shot estimate ranks architectures only roughly (on NAS-Bench-201 its Kendall tau
against the true accuracy is about 0.48 overall and negative inside the top 10 %), and every
estimate R queues is eventually trained. Each architecture trained from R gives one pair
(estimate, true value) for free; :class:`EstimateCorrector` fits a ridge regression of the true
value on the architecture's features and its estimate over those pairs and predicts the others.
Fitting costs microseconds of CPU, not GPU time, so the better ranking is almost free in carbon.
Objectives whose estimate equals the true value on every pair (look-up metrics such as latency)
are passed through unchanged.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.errors import ObjectiveError

__all__ = ["ArchitecturePredictor", "EstimateCorrector", "RankBy"]


class RankBy(StrEnum):
    """What the search ranks estimated architectures by (before they enter R, and in R)."""

    ESTIMATE = "estimate"
    """The one-shot estimate as reported by the evaluator."""
    PREDICTOR = "predictor"
    """The :class:`EstimateCorrector`'s prediction (the estimate until enough pairs exist)."""
    PREDICTED_HVI = "predicted-hvi"
    """The hypervolume the prediction would add to P's trained front (ties, such as the
    candidates predicted to add nothing, by dominance number among the predictions)."""


class EstimateCorrector:
    """Ridge regression of true objectives on (architecture features, one-shot estimate).

    Args:
        features: features of every architecture of the space, shape ``(size, d)``.
        n_objectives: ``m``.
        min_pairs: pairs needed before predicting (fewer: the estimate is returned).
        alpha: ridge penalty on the standardised inputs.
    """

    def __init__(
        self,
        features: NDArray[np.float64],
        n_objectives: int,
        *,
        min_pairs: int = 12,
        alpha: float = 1.0,
    ) -> None:
        self._x = features
        self._m = int(n_objectives)
        self._est = np.full((features.shape[0], self._m), np.nan)
        self._pairs: list[tuple[int, NDArray[np.float64]]] = []
        self.min_pairs = int(min_pairs)
        self.alpha = float(alpha)

    @property
    def n_pairs(self) -> int:
        """(estimate, true value) pairs seen."""
        return len(self._pairs)

    def remember(self, indices: ArrayLike, y_estimate: ArrayLike) -> None:
        """Keep the raw estimates of architectures (shape ``(k, m)``) for later pairing."""
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        self._est[idx] = np.asarray(y_estimate, dtype=np.float64).reshape(idx.size, self._m)

    def add(self, index: int, y_true: ArrayLike) -> None:
        """An architecture was trained; pair its true objectives with its remembered estimate
        (ignored when it was never estimated or a value is not finite)."""
        y = np.asarray(y_true, dtype=np.float64).reshape(self._m)
        if np.isfinite(self._est[index]).all() and np.isfinite(y).all():
            self._pairs.append((int(index), y))

    def predict(self, indices: ArrayLike, y_estimate: ArrayLike) -> NDArray[np.float64]:
        """Predicted objectives of architectures with these estimates, shape ``(k, m)``."""
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        est = np.array(y_estimate, dtype=np.float64).reshape(idx.size, self._m)
        if len(self._pairs) < self.min_pairs or not np.isfinite(est).all():
            return est
        p_idx = np.array([i for i, _ in self._pairs], dtype=np.int64)
        p_true = np.stack([y for _, y in self._pairs])
        p_est = self._est[p_idx]
        out = est.copy()
        for j in range(self._m):
            if np.allclose(p_est[:, j], p_true[:, j], rtol=0.0, atol=1e-9):
                continue  # an exact "estimate" (a look-up metric)
            a = np.column_stack([self._x[p_idx], p_est[:, j]])
            b = np.column_stack([self._x[idx], est[:, j]])
            out[:, j] = _ridge(a, p_true[:, j], b, self.alpha)
        return out


def _ridge(
    a: NDArray[np.float64], t: NDArray[np.float64], b: NDArray[np.float64], alpha: float
) -> NDArray[np.float64]:
    """Fit ridge on standardised columns of ``a`` to targets ``t``; predict the rows of ``b``."""
    mu, sd = a.mean(axis=0), a.std(axis=0)
    sd[sd == 0] = 1.0
    za, zb = (a - mu) / sd, (b - mu) / sd
    t0 = float(t.mean())
    w = np.linalg.solve(za.T @ za + alpha * np.eye(za.shape[1]), za.T @ (t - t0))
    out: NDArray[np.float64] = zb @ w + t0
    return out


class ArchitecturePredictor:
    """Predicts an architecture's true objectives from its features alone: no supernet, no GPU.

    The direct proposals of LaMOO are chosen among several candidates by this prediction (see
    ``SearchSettings.direct_candidates``). Objectives known without training (``known``: a
    device's measured latency in a look-up table) are taken as they are; the others are a ridge
    regression on the architecture features, fitted on P's trained rows (true values only).

    Args:
        features: features of every architecture of the space, shape ``(size, d)``.
        known: objectives known without training, shape ``(size, m)``, NaN where an objective
            needs training to know; None when none is known.
        n_objectives: ``m``.
        min_rows: trained rows needed before predicting (fewer: :meth:`predict` returns None).
        alpha: ridge penalty on the standardised features.
    """

    def __init__(
        self,
        features: NDArray[np.float64],
        n_objectives: int,
        known: NDArray[np.float64] | None = None,
        *,
        min_rows: int = 5,
        alpha: float = 1.0,
    ) -> None:
        self._x = features
        self._m = int(n_objectives)
        shape = (features.shape[0], self._m)
        if known is not None and known.shape != shape:
            raise ObjectiveError(f"known must have shape {shape}, but got {known.shape}")
        self._known = np.full(shape, np.nan) if known is None else known
        # an objective is a look-up only when it is known for every architecture
        self._lookup = np.asarray(np.isfinite(self._known).all(axis=0), dtype=bool)
        self.min_rows = int(min_rows)
        self.alpha = float(alpha)

    def predict(
        self, candidates: ArrayLike, trained: ArrayLike, y_trained: ArrayLike
    ) -> NDArray[np.float64] | None:
        """Predicted objectives of ``candidates`` (shape ``(k, m)``) from the ``trained``
        architectures and their true objectives (shape ``(p, m)``; rows with NaN are ignored),
        or None while fewer than ``min_rows`` usable rows exist."""
        cand = np.asarray(candidates, dtype=np.int64).reshape(-1)
        idx = np.asarray(trained, dtype=np.int64).reshape(-1)
        y = np.asarray(y_trained, dtype=np.float64).reshape(idx.size, self._m)
        ok = np.isfinite(y).all(axis=1)
        if int(ok.sum()) < self.min_rows:
            return None
        idx, y = idx[ok], y[ok]
        out = np.empty((cand.size, self._m))
        for j in range(self._m):
            if self._lookup[j]:
                out[:, j] = self._known[cand, j]
            else:
                out[:, j] = _ridge(self._x[idx], y[:, j], self._x[cand], self.alpha)
        return out
