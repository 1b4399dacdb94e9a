"""The forecasts the transformer corrects: a closed-form ridge map from the context to the
horizon (as in NLinear), or persistence; and, where the day-ahead production forecast is known at
the issue time, the intensity it implies."""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from cenas.errors import ForecastError
from cenas.forecast._time import H_PER_DAY

__all__ = ["Baseline", "baseline_forecast", "fit_ridge", "implied_where_known"]


class Baseline(StrEnum):
    """The forecast the transformer learns to correct."""

    RIDGE = "ridge"
    """Linear map from the context (relative to its mean level) to the horizon, closed form."""
    PERSISTENCE = "persistence"
    """The last observed day repeated."""


def _ridge_design(
    z: NDArray[np.float64], issues: NDArray[np.int64], context_h: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Ridge inputs ``[context - level, 1]`` and the level, from ``z`` before each issue."""
    ctx = z[issues[:, None] + np.arange(-context_h, 0)[None, :]]
    level = ctx.mean(axis=1, keepdims=True)
    return np.concatenate([ctx - level, np.ones_like(level)], axis=1), level


def fit_ridge(
    z: NDArray[np.float64],
    issues: NDArray[np.int64],
    context_h: int,
    horizon_h: int,
    penalty: float,
) -> NDArray[np.float64]:
    """Ridge coefficients ``(context_h + 1, horizon_h)`` fitted on the given issues."""
    x, level = _ridge_design(z, issues, context_h)
    y = z[issues[:, None] + np.arange(horizon_h)[None, :]] - level
    reg = penalty * np.eye(x.shape[1])
    reg[-1, -1] = 0.0  # the intercept is not shrunk
    coef: NDArray[np.float64] = np.linalg.solve(x.T @ x + reg, x.T @ y)
    return coef


def baseline_forecast(
    kind: Baseline,
    ridge: NDArray[np.float64] | None,
    z: NDArray[np.float64],
    issues: NDArray[np.int64],
    context_h: int,
    horizon_h: int,
) -> NDArray[np.float64]:
    """The baseline, z scale, shape ``(m, horizon_h)``; reads only ``z[issue - context_h :
    issue]``."""
    if kind is Baseline.RIDGE:
        if ridge is None:
            raise ForecastError("transformer: the ridge baseline is not fitted")
        x, level = _ridge_design(z, issues, context_h)
        out: NDArray[np.float64] = level + x @ ridge
        return out
    last_day = z[issues[:, None] - H_PER_DAY + np.arange(H_PER_DAY)[None, :]]
    persistence: NDArray[np.float64] = last_day[:, np.arange(horizon_h) % H_PER_DAY]
    return persistence


def implied_where_known(
    base: NDArray[np.float64], feats: NDArray[np.float64], implied: int | None
) -> NDArray[np.float64]:
    """``base`` with the implied intensity (z scale) wherever the covariates are known.

    Args:
        base: shape ``(m, horizon_h)``.
        feats: encoded covariate features of the target hours, shape ``(m, horizon_h, f)``; the
            last feature flags missing (or not yet known) rows.
        implied: column of the implied intensity, or None (then ``base`` is returned).
    """
    if implied is None:
        return base
    out: NDArray[np.float64] = np.where(feats[..., -1] == 0.0, feats[..., implied], base)
    return out
