"""Hypervolume, contributions and the log-gap metric, behind one small interface over moocore.

moocore is the fastest exact implementation measured for this project (2-D hypervolume of 10,000
points in about 1.6 ms); BoTorch's own is used only inside qNEHVI. Everything is in minimisation
form: a point counts only when it strictly dominates the reference point (is ``<`` it in every
objective); other points add no volume and are ignored.
"""

from __future__ import annotations

import math

import moocore
import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.errors import ObjectiveError
from cenas.moo._pareto import as_objective_array

__all__ = [
    "LOG_GAP_REL_FLOOR",
    "as_reference_point",
    "default_reference_point",
    "hv_contributions",
    "hypervolume",
    "log_hv_gap",
]

LOG_GAP_REL_FLOOR = 1e-12
"""Relative floor of :func:`log_hv_gap`: a gap of exactly zero is replaced by this times
``max(|HV_max|, 1)`` so that the logarithm stays finite (about 27.6 below ``log(HV_max)``)."""


def as_reference_point(ref: ArrayLike, m: int, name: str = "ref") -> NDArray[np.float64]:
    """``ref`` as a finite float64 vector of length ``m`` (a scalar is broadcast)."""
    arr = np.asarray(ref, dtype=np.float64)
    if arr.ndim == 0:
        arr = np.full(m, float(arr))
    if arr.shape != (m,):
        raise ObjectiveError(
            f"{name} must have one value per objective ({m}), but got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ObjectiveError(f"{name} must be finite, but got {arr.tolist()}")
    return arr


def _inside(y: ArrayLike, ref: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    arr = as_objective_array(y)
    r = as_reference_point(ref, arr.shape[1])
    return arr, np.all(arr < r, axis=1)


def hypervolume(y: ArrayLike, ref: ArrayLike) -> float:
    """Exact hypervolume dominated by ``y`` and bounded by ``ref`` (moocore).

    Args:
        y: objectives, shape ``(n, m)``, minimisation form; ``n`` may be 0.
        ref: reference point, shape ``(m,)`` (or a scalar), minimisation form.

    Returns:
        The hypervolume (product of objective units); 0.0 when no point dominates ``ref``.
    """
    arr, inside = _inside(y, ref)
    r = as_reference_point(ref, arr.shape[1])
    pts = arr[inside]
    if pts.shape[0] == 0:
        return 0.0
    if arr.shape[1] == 1:
        return float(r[0] - pts[:, 0].min())
    return float(moocore.hypervolume(pts, ref=r))


def hv_contributions(y: ArrayLike, ref: ArrayLike) -> NDArray[np.float64]:
    """Exclusive hypervolume contribution of each point: ``HV(Y) - HV(Y without the point)``.

    Dominated points, points not dominating ``ref`` and duplicated points contribute 0 (removing
    one copy of a duplicate leaves the volume unchanged); dominated points are ignored when the
    contributions of the others are computed (moocore's ``ignore_dominated=True``).

    Args:
        y: objectives, shape ``(n, m)``, minimisation form.
        ref: reference point, shape ``(m,)``, minimisation form.

    Returns:
        Contributions, float64, shape ``(n,)``.
    """
    arr, inside = _inside(y, ref)
    r = as_reference_point(ref, arr.shape[1])
    out = np.zeros(arr.shape[0], dtype=np.float64)
    idx = np.flatnonzero(inside)
    if idx.size == 0:
        return out
    if arr.shape[1] == 1:
        vals = arr[idx, 0]
        order = np.argsort(vals, kind="stable")
        best = vals[order[0]]
        second = vals[order[1]] if idx.size > 1 else r[0]
        out[idx[order[0]]] = second - best
        return out
    out[idx] = moocore.hv_contributions(arr[idx], ref=r, ignore_dominated=True)
    return out


def default_reference_point(y: ArrayLike, margin: float = 0.1) -> NDArray[np.float64]:
    """A reference point from data: the worst value of each objective plus ``margin`` times its
    range (plus ``margin`` in absolute terms when the range is zero), so every point counts.

    Args:
        y: objectives, shape ``(n, m)``, ``n >= 1``, minimisation form.
        margin: relative margin, ``>= 0``.

    Returns:
        Reference point, shape ``(m,)``, minimisation form.
    """
    arr = as_objective_array(y)
    if arr.shape[0] == 0:
        raise ObjectiveError("default_reference_point needs at least one point, got 0 rows")
    if not margin >= 0:
        raise ObjectiveError(f"margin must be >= 0, but got {margin}")
    lo, hi = arr.min(axis=0), arr.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    return np.asarray(hi + margin * span, dtype=np.float64)


def log_hv_gap(hv: ArrayLike, hv_max: float) -> NDArray[np.float64] | float:
    """``log(HV_max - HV)``, the usual convergence metric (natural logarithm).

    The gap is floored at ``LOG_GAP_REL_FLOOR * max(|HV_max|, 1)``, so a gap of exactly zero (the
    maximum reached) gives a finite value instead of ``-inf``; values above ``HV_max`` by no more
    than rounding (``1e-9`` relative) count as zero gap.

    Args:
        hv: hypervolume(s), scalar or array.
        hv_max: the maximum hypervolume (of the whole space's front, same reference point).

    Returns:
        A float for a scalar ``hv``, else an array of the same shape.

    Raises:
        ObjectiveError: when some ``hv`` exceeds ``hv_max`` by more than rounding, or is NaN.
    """
    arr = np.asarray(hv, dtype=np.float64)
    scale = max(abs(float(hv_max)), 1.0)
    if not math.isfinite(hv_max):
        raise ObjectiveError(f"hv_max must be finite, but got {hv_max}")
    if np.isnan(arr).any():
        raise ObjectiveError("hv must not be NaN")
    gap = float(hv_max) - arr
    if (gap < -1e-9 * scale).any():
        raise ObjectiveError(
            f"hv must not exceed hv_max={hv_max}, but got {float(arr.max())} "
            "(was the same reference point used?)"
        )
    out = np.log(np.maximum(gap, LOG_GAP_REL_FLOOR * scale))
    if out.ndim == 0:
        return float(out)
    return out
