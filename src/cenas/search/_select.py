"""Which of a task's estimated architectures enter R: by dominance number among the estimates,
or by the hypervolume each would add to the front of what has been trained."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from cenas.moo import default_reference_point, dominance_number, hypervolume, non_dominated_mask

__all__ = ["best_by_dominance", "best_by_hvi"]


def best_by_dominance(y: NDArray[np.float64], k: int) -> NDArray[np.int64]:
    """Rows of the ``k`` points with the lowest dominance number among ``y`` (shape ``(n, m)``),
    ties by row order; rows with NaN come last. Returns int64 row numbers in selection order."""
    n = y.shape[0]
    finite = np.isfinite(y).all(axis=1)
    dn = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    if finite.any():
        dn[finite] = dominance_number(y[finite])
    return np.argsort(dn, kind="stable")[: max(0, k)].astype(np.int64)


def best_by_hvi(
    y: NDArray[np.float64],
    trained: NDArray[np.float64],
    ref_point: NDArray[np.float64] | None,
    k: int,
) -> NDArray[np.int64]:
    """Rows of the ``k`` points of ``y`` (shape ``(n, m)``, minimisation form) that add the most
    hypervolume to the front of ``trained`` (true objectives, shape ``(p, m)``), ties (such as
    the points predicted to add nothing) by dominance number among ``y``, then row order.

    ``ref_point`` None derives one from the data (:func:`cenas.moo.default_reference_point`).
    Returns int64 row numbers in selection order.
    """
    n = y.shape[0]
    finite = np.isfinite(y).all(axis=1)
    dn = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    if finite.any():
        dn[finite] = dominance_number(y[finite])
    front = trained[np.isfinite(trained).all(axis=1)]
    if front.shape[0]:
        front = front[non_dominated_mask(front)]
    ref = ref_point
    if ref is None:
        both = np.vstack([front, y[finite]])
        ref = default_reference_point(both) if both.shape[0] else None
    hvi = np.zeros(n)
    if ref is not None:
        base = hypervolume(front, ref) if front.shape[0] else 0.0
        for i in np.flatnonzero(finite).tolist():
            hvi[i] = hypervolume(np.vstack([front, y[i : i + 1]]), ref) - base
    order = np.lexsort((np.arange(n), dn, -hvi))
    return order[: max(0, k)].astype(np.int64)
