"""Pareto utilities on objective arrays in minimisation form.

Sign convention (the one of :mod:`cenas.bench._objectives`): every array here has shape ``(n, m)``,
one row per point and one column per objective, and every objective is MINIMISED. Point ``a``
dominates point ``b`` when ``a <= b`` in every objective and ``a < b`` in at least one; two equal
points do not dominate each other.
"""

from __future__ import annotations

import moocore
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.errors import ObjectiveError

__all__ = [
    "as_objective_array",
    "dominance_number",
    "front_extremes",
    "knee_point",
    "non_dominated_mask",
    "non_dominated_sort",
]

# Rows x candidates x objectives compared at once by the general-m dominance count: bounds the
# temporary boolean arrays to a few MB while keeping the per-block NumPy overhead negligible.
_BLOCK_ELEMENTS = 1 << 22


def as_objective_array(y: ArrayLike, name: str = "Y") -> NDArray[np.float64]:
    """``y`` as a float64 array of shape ``(n, m)``, ``m >= 1``, without NaN.

    Raises:
        ObjectiveError: on a wrong number of dimensions, zero objectives or a NaN.
    """
    arr = np.asarray(y, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] < 1:
        raise ObjectiveError(
            f"{name} must be a 2-D array of shape (n points, m objectives) with m >= 1, "
            f"but got shape {arr.shape}"
        )
    if np.isnan(arr).any():
        row = int(np.flatnonzero(np.isnan(arr).any(axis=1))[0])
        raise ObjectiveError(f"{name} must not contain NaN, but row {row} is {arr[row].tolist()}")
    return arr


def non_dominated_mask(y: ArrayLike) -> NDArray[np.bool_]:
    """Which points no other point dominates.

    Duplicates of a non-dominated point are all kept (equal points do not dominate each other),
    so this equals ``dominance_number(y) == 0``.

    Args:
        y: objectives, shape ``(n, m)``, minimisation form.

    Returns:
        Boolean mask, shape ``(n,)``.
    """
    arr = as_objective_array(y)
    if arr.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    return np.asarray(moocore.is_nondominated(arr, keep_weakly=True), dtype=bool)


def non_dominated_sort(y: ArrayLike) -> NDArray[np.int64]:
    """Pareto rank of every point (non-dominated sorting, via moocore).

    Rank 0 is the non-dominated front; rank ``r`` is the front of what remains after removing
    ranks ``< r``. Equal points share a rank.

    Args:
        y: objectives, shape ``(n, m)``, minimisation form.

    Returns:
        Ranks, int64, shape ``(n,)``.
    """
    arr = as_objective_array(y)
    if arr.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    return np.asarray(moocore.pareto_rank(arr), dtype=np.int64)


def _duplicate_counts(arr: NDArray[np.float64]) -> NDArray[np.int64]:
    """How many rows equal each row (itself included)."""
    _, inverse, counts = np.unique(arr, axis=0, return_inverse=True, return_counts=True)
    return counts[inverse.reshape(-1)].astype(np.int64)


def _dense_rank(v: NDArray[np.float64]) -> tuple[NDArray[np.int64], int]:
    """Dense ranks 0..u-1 of a vector (equal values share a rank) and the number of ranks."""
    uniq, inverse = np.unique(v, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), int(uniq.size)


def _weak_count_2d(arr: NDArray[np.float64]) -> NDArray[np.int64]:
    """For each point, how many points (itself included) are ``<=`` it in both objectives.

    Offline 2-D dominance counting: sort by the first objective, so the candidates of a point are
    a prefix of the sorted order; count, within that prefix, the second-objective ranks ``<=`` its
    own. The prefix is cut into aligned power-of-two segments (a merge-sort tree built level by
    level); at each level every point needs at most one segment, counted with one global
    ``searchsorted`` because the level's keys ``segment * u + rank`` are globally sorted.
    ``O(n log^2 n)`` work, all of it inside NumPy.
    """
    n = arr.shape[0]
    a, b = arr[:, 0], arr[:, 1]
    order = np.lexsort((b, a))
    a_sorted = a[order]
    rank_b, u = _dense_rank(b)
    rank_sorted = rank_b[order]
    prefix = np.searchsorted(a_sorted, a, side="right").astype(np.int64)  # j with a_j <= a_i
    pos = np.arange(n, dtype=np.int64)
    counts = np.zeros(n, dtype=np.int64)
    k = 0
    while (1 << k) <= n:
        keys = np.sort((pos >> k) * u + rank_sorted, kind="stable")
        has = ((prefix >> k) & 1).astype(bool)
        seg = (prefix[has] >> k) - 1
        hit = np.searchsorted(keys, seg * u + rank_b[has], side="right")
        counts[has] += hit - seg * (1 << k)
        k += 1
    return counts


def _weak_count_blocks(arr: NDArray[np.float64]) -> NDArray[np.int64]:
    """Weak-dominance counts for any number of objectives, in vectorised blocks.

    Rows sorted by the first objective only need to be compared with the prefix whose first
    objective is not larger, which halves the work of the all-pairs comparison.
    """
    n, m = arr.shape
    order = np.lexsort(arr.T[::-1])
    s = arr[order]
    first = s[:, 0]
    counts_sorted = np.zeros(n, dtype=np.int64)
    block = max(1, _BLOCK_ELEMENTS // max(1, n * m))
    for start in range(0, n, block):
        stop = min(n, start + block)
        rows = s[start:stop]
        end = int(np.searchsorted(first, rows[-1, 0], side="right"))
        cand = s[:end]
        weak = cand[None, :, 0] <= rows[:, None, 0]
        for j in range(1, m):
            weak &= cand[None, :, j] <= rows[:, None, j]
        counts_sorted[start:stop] = weak.sum(axis=1)
    counts = np.empty(n, dtype=np.int64)
    counts[order] = counts_sorted
    return counts


def dominance_number(y: ArrayLike) -> NDArray[np.int64]:
    """How many points dominate each point.

    Vectorised: ``O(n log n)`` sort-based counting for one objective, a merge-sort tree built
    level by level for two (``O(n log^2 n)``, all in NumPy), blocked all-pairs comparison against
    the sorted prefix for three or more.

    Args:
        y: objectives, shape ``(n, m)``, minimisation form.

    Returns:
        Dominance numbers, int64, shape ``(n,)``; 0 exactly for the non-dominated points.
    """
    arr = as_objective_array(y)
    n, m = arr.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if m == 1:
        v = np.sort(arr[:, 0])
        return np.searchsorted(v, arr[:, 0], side="left").astype(np.int64)
    weak = _weak_count_2d(arr) if m == 2 else _weak_count_blocks(arr)
    # Points weakly dominating a point include itself and its duplicates; none of these dominate.
    return weak - _duplicate_counts(arr)


def _nondominated_rows(arr: NDArray[np.float64]) -> NDArray[np.int64]:
    """Indices of the non-dominated rows, keeping only the first of equal rows."""
    nd = np.flatnonzero(non_dominated_mask(arr))
    _, first = np.unique(arr[nd], axis=0, return_index=True)
    return np.asarray(nd[np.sort(first)], dtype=np.int64)


def front_extremes(y: ArrayLike) -> NDArray[np.int64]:
    """The extreme points of the non-dominated front: the best point in each objective.

    For objective ``k``, the non-dominated point with the smallest value of ``k``; ties broken by
    the other objectives in order, then by the lowest row index.

    Args:
        y: objectives, shape ``(n, m)``, minimisation form, ``n >= 1``.

    Returns:
        Row indices into ``y``, int64, shape ``(m,)`` (entry ``k`` is the extreme of objective k).

    Raises:
        ObjectiveError: when ``y`` has no rows.
    """
    arr = as_objective_array(y)
    if arr.shape[0] == 0:
        raise ObjectiveError("front_extremes needs at least one point, but Y has 0 rows")
    nd = _nondominated_rows(arr)
    sub = arr[nd]
    m = arr.shape[1]
    out = np.empty(m, dtype=np.int64)
    for k in range(m):
        keys = [*[sub[:, j] for j in range(m) if j != k][::-1], sub[:, k]]
        out[k] = nd[np.lexsort(keys)[0]]
    return out


def knee_point(y: ArrayLike) -> int:
    """The knee of the non-dominated front.

    Definition: normalise the front to ``[0, 1]`` per objective (ideal -> 0, nadir -> 1, taken
    over the non-dominated points), take the hyperplane through the ``m`` extreme points (the
    line through the two extremes for two objectives) and return the point farthest from it on
    the side of the ideal point, i.e. the point that gives up the least in every objective
    relative to the straight trade-off between the extremes. When the extremes do not span a
    hyperplane (fewer distinct extremes than objectives) the plane ``sum(z) = 1`` is used, which
    picks the point with the smallest sum of normalised objectives. Ties go to the lowest index.

    Args:
        y: objectives, shape ``(n, m)``, minimisation form, ``n >= 1``.

    Returns:
        Row index into ``y`` of the knee point.

    Raises:
        ObjectiveError: when ``y`` has no rows.
    """
    arr = as_objective_array(y)
    if arr.shape[0] == 0:
        raise ObjectiveError("knee_point needs at least one point, but Y has 0 rows")
    nd = _nondominated_rows(arr)
    if nd.size == 1:
        return int(nd[0])
    sub = arr[nd]
    ideal, nadir = sub.min(axis=0), sub.max(axis=0)
    span = np.where(nadir > ideal, nadir - ideal, 1.0)
    z = (sub - ideal) / span
    ext = z[np.searchsorted(nd, front_extremes(arr))]
    m = arr.shape[1]
    w = np.ones(m)
    if np.unique(ext, axis=0).shape[0] == m:
        try:
            cand = np.linalg.solve(ext, np.ones(m))
        except np.linalg.LinAlgError:
            cand = None
        if cand is not None and np.all(np.isfinite(cand)) and np.all(cand > 0):
            w = cand
    distance = (1.0 - z @ w) / np.linalg.norm(w)
    return int(nd[int(np.argmax(distance))])
