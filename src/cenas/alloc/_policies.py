"""Allocation policies: the CE-NAS heuristic and the papers' baselines."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from cenas._seeding import make_rng
from cenas.alloc._base import Allocation, AllocationContext, AllocationPolicy, split_gpus
from cenas.alloc._window import ForecasterLike, Outlook
from cenas.errors import ConfigError

__all__ = [
    "AllEvaluationPolicy",
    "AllSamplingPolicy",
    "FixedRatioPolicy",
    "HeuristicPolicy",
    "RandomPolicy",
]


class HeuristicPolicy(AllocationPolicy):
    """CE-NAS's heuristic: sample when the grid is dirty, evaluate when it is clean.

    ``lambda_s = (C_cur - C_min) / (C_max - C_min)`` with ``C_min``, ``C_max`` the extremes of
    the intensity over a look-ahead window that starts at the current step (the current value
    included); ``lambda_e = 1 - lambda_s``; GPUs are rounded by :func:`split_gpus`. A flat window
    (``C_max == C_min``) carries no carbon signal and gives an even split (``lambda_s = 0.5``).

    Args:
        lookahead_h: window length in hours (>= 1).
        forecaster: predicts the window after the current step from the past only; None reads the
            trace's own future values, an ORACLE look-ahead (the policy's description says so).
    """

    name = "heuristic"

    def __init__(self, lookahead_h: float = 24.0, forecaster: ForecasterLike | None = None) -> None:
        if not (math.isfinite(lookahead_h) and lookahead_h >= 1):
            raise ConfigError(f"lookahead_h must be >= 1 hour, but got {lookahead_h}")
        self.lookahead_h = float(lookahead_h)
        self.forecaster = forecaster
        self.outlook = Outlook(forecaster)

    def reset(self, seed: int | None) -> None:
        self.outlook.reset()

    def window(self, ctx: AllocationContext) -> NDArray[np.float64]:
        """The look-ahead window's intensities, the current one first (see
        :func:`expected_intensity`)."""
        return self.outlook.window(ctx, self.lookahead_h)[0]

    def sampling_fraction(self, ctx: AllocationContext) -> float:
        """``lambda_s`` in [0, 1]."""
        w = self.window(ctx)
        w = w[np.isfinite(w)]
        cur = ctx.intensity_g_per_kwh
        lo = min(float(w.min()), cur) if w.size else cur
        hi = max(float(w.max()), cur) if w.size else cur
        if hi <= lo:
            return 0.5
        return (cur - lo) / (hi - lo)

    def decide(self, ctx: AllocationContext) -> Allocation:
        return split_gpus(self.sampling_fraction(ctx), ctx.gpus)

    def describe(self) -> str:
        return f"heuristic ({self.outlook.describe()}, {self.lookahead_h:g} h)"


class RandomPolicy(AllocationPolicy):
    """A uniformly random number of sampling GPUs in ``0..G`` at every interval (seeded).

    Args:
        seed: seed of the draws; :meth:`reset` replaces it with the run's policy seed.
    """

    name = "random"

    def __init__(self, seed: int | None = None) -> None:
        self._rng = make_rng(seed)

    def reset(self, seed: int | None) -> None:
        self._rng = make_rng(seed)

    def decide(self, ctx: AllocationContext) -> Allocation:
        s = int(self._rng.integers(0, ctx.gpus + 1))
        return Allocation(s, ctx.gpus - s)


class AllEvaluationPolicy(AllocationPolicy):
    """Every GPU evaluates, always (vanilla LaMOO)."""

    name = "all-evaluation"

    def decide(self, ctx: AllocationContext) -> Allocation:
        return Allocation(0, ctx.gpus)


class AllSamplingPolicy(AllocationPolicy):
    """Every GPU samples, always (one-shot LaMOO)."""

    name = "all-sampling"

    def decide(self, ctx: AllocationContext) -> Allocation:
        return Allocation(ctx.gpus, 0)


class FixedRatioPolicy(AllocationPolicy):
    """A fixed fraction of the GPUs samples (rounded by :func:`split_gpus`).

    Args:
        sampling_fraction: in [0, 1].
    """

    name = "fixed-ratio"

    def __init__(self, sampling_fraction: float = 0.5) -> None:
        if not (0.0 <= sampling_fraction <= 1.0):
            raise ConfigError(f"sampling_fraction must be in [0, 1], but got {sampling_fraction}")
        self.sampling_fraction = float(sampling_fraction)

    def decide(self, ctx: AllocationContext) -> Allocation:
        return split_gpus(self.sampling_fraction, ctx.gpus)

    def describe(self) -> str:
        return f"fixed ratio (sampling {self.sampling_fraction:g})"
