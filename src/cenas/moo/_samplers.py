"""Samplers that propose architectures inside a region of a discrete, enumerable space."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.errors import ConfigError, ObjectiveError
from cenas.moo._candidates import region_pool, space_features
from cenas.moo._hypervolume import as_reference_point, default_reference_point
from cenas.moo._lamoo import Region
from cenas.moo._qnehvi import GPState, QNEHVISettings, qnehvi_select
from cenas.space import SearchSpace

__all__ = ["QNEHVISampler", "RegionSampler", "UniformRegionSampler"]

log = logging.getLogger(__name__)


def _excluded_mask(
    space: SearchSpace, observed_idx: NDArray[np.int64], excluded: NDArray[np.bool_] | None
) -> NDArray[np.bool_]:
    if excluded is not None:
        mask = np.asarray(excluded, dtype=bool)
        if mask.shape != (space.size,):
            raise ObjectiveError(
                f"excluded must be a boolean mask of shape ({space.size},), got {mask.shape}"
            )
        mask = mask.copy()
    else:
        mask = np.zeros(space.size, dtype=bool)
    mask[observed_idx] = True
    return mask


class RegionSampler(ABC):
    """Proposes new architectures inside a region (ask-side plug-in of :class:`LaMOOOptimizer`).

    Implementations never return an observed or excluded architecture, nor one twice. When the
    region holds fewer unobserved architectures than asked, the rest are drawn uniformly from
    the unobserved remainder of the space; fewer than ``n`` come back only when the whole space
    is exhausted.
    """

    def propose(
        self,
        space: SearchSpace,
        region: Region,
        observed_idx: ArrayLike,
        observed_y: ArrayLike,
        n: int,
        rng: np.random.Generator,
        *,
        excluded: NDArray[np.bool_] | None = None,
        ref_point: ArrayLike | None = None,
    ) -> NDArray[np.int64]:
        """Propose ``n`` architectures.

        Args:
            space: the search space.
            region: where to propose (``Region.everything()`` for the whole space).
            observed_idx: observed architectures, int64, shape ``(k,)``.
            observed_y: their objectives, shape ``(k, m)``, minimisation form; rows with NaN
                (failed evaluations) are ignored by models.
            n: how many to propose, ``>= 1``.
            rng: the caller's seeded generator.
            excluded: optional mask of shape ``(space.size,)`` of further architectures not to
                propose (e.g. asked but not yet told).
            ref_point: hypervolume reference point, minimisation form (for samplers that need
                one); None for one derived from the observed data.

        Returns:
            Distinct indices, int64, shape ``(<= n,)``.
        """
        if n < 1:
            raise ConfigError(f"n must be >= 1, but got {n}")
        obs = space.check_indices(np.asarray(observed_idx, dtype=np.int64).reshape(-1))
        y = np.asarray(observed_y, dtype=np.float64)
        if y.ndim != 2 or y.shape[0] != obs.size:
            raise ObjectiveError(f"observed_y must have shape ({obs.size}, m), but got {y.shape}")
        mask = _excluded_mask(space, obs, excluded)
        picked = self._propose(space, region, obs, y, n, rng, mask, ref_point)
        picked = np.asarray(picked, dtype=np.int64)
        if picked.size < n:
            mask[picked] = True
            free = np.flatnonzero(~mask)
            k = min(n - picked.size, free.size)
            if k:
                log.info("region offered %d of %d candidates; %d drawn outside", picked.size, n, k)
                picked = np.concatenate([picked, rng.choice(free, size=k, replace=False)])
        return picked.astype(np.int64)

    @abstractmethod
    def _propose(
        self,
        space: SearchSpace,
        region: Region,
        observed_idx: NDArray[np.int64],
        observed_y: NDArray[np.float64],
        n: int,
        rng: np.random.Generator,
        excluded: NDArray[np.bool_],
        ref_point: ArrayLike | None,
    ) -> NDArray[np.int64]:
        """Up to ``n`` distinct in-region indices not in ``excluded`` (the base class fills up)."""


class UniformRegionSampler(RegionSampler):
    """Uniformly at random among the unobserved architectures inside the region (rejection from
    the region: every candidate of an enumerable space is tested, larger spaces are sampled)."""

    def __repr__(self) -> str:
        return "UniformRegionSampler()"

    def _propose(
        self,
        space: SearchSpace,
        region: Region,
        observed_idx: NDArray[np.int64],
        observed_y: NDArray[np.float64],
        n: int,
        rng: np.random.Generator,
        excluded: NDArray[np.bool_],
        ref_point: ArrayLike | None,
    ) -> NDArray[np.int64]:
        return region_pool(space, region, excluded, rng, limit=n)


class QNEHVISampler(RegionSampler):
    """qNEHVI (BoTorch) restricted to a region.

    A GP (BoTorch ``SingleTaskGP``, one independent output per objective, standardised) is fitted
    to the observed architectures' features and objectives; the acquisition is maximised over the
    in-region unobserved candidates (a random subset of ``pool_size`` when there are more,
    narrowed by an optimistic screen; see :class:`QNEHVISettings`) with a sequential greedy batch
    of ``n``. The sampler keeps the GP hyperparameters between asks: use one instance per
    optimiser.

    Args:
        pool_size: most candidates considered per ask.
        refit_every: fit GP hyperparameters on every ``refit_every``-th ask (warm-started from
            the last fit) and reuse them in between (1 refits every time).
        min_observed: with fewer valid observations, propose uniformly instead.
        mc_samples: quasi-Monte-Carlo samples of the acquisition.
        screen_size: candidates kept by the optimistic screen (None: score the whole pool).
        baseline_ranks: non-dominated ranks of observations in the qNEHVI baseline (None: all).
        fit_maxiter: most L-BFGS-B iterations per GP fit.
    """

    def __init__(
        self,
        pool_size: int = 2000,
        refit_every: int = 1,
        min_observed: int = 3,
        *,
        mc_samples: int = 64,
        screen_size: int | None = 128,
        baseline_ranks: int | None = 2,
        fit_maxiter: int = 100,
    ) -> None:
        checks = {
            "pool_size": pool_size,
            "refit_every": refit_every,
            "mc_samples": mc_samples,
            "fit_maxiter": fit_maxiter,
            "screen_size": 1 if screen_size is None else screen_size,
            "baseline_ranks": 1 if baseline_ranks is None else baseline_ranks,
            "min_observed - 1": min_observed - 1,
        }
        bad = {k: v for k, v in checks.items() if v < 1}
        if bad:
            raise ConfigError(f"QNEHVISampler parameters must be >= 1, but got {bad}")
        self.pool_size = int(pool_size)
        self.refit_every = int(refit_every)
        self.min_observed = int(min_observed)
        self.settings = QNEHVISettings(
            mc_samples=int(mc_samples),
            screen_size=screen_size,
            baseline_ranks=baseline_ranks,
            fit_maxiter=int(fit_maxiter),
        )
        self._state: GPState | None = None
        self._asks = 0

    def __repr__(self) -> str:
        return (
            f"QNEHVISampler(pool_size={self.pool_size}, refit_every={self.refit_every}, "
            f"{self.settings})"
        )

    def _propose(
        self,
        space: SearchSpace,
        region: Region,
        observed_idx: NDArray[np.int64],
        observed_y: NDArray[np.float64],
        n: int,
        rng: np.random.Generator,
        excluded: NDArray[np.bool_],
        ref_point: ArrayLike | None,
    ) -> NDArray[np.int64]:
        pool = region_pool(space, region, excluded, rng, limit=self.pool_size)
        valid = np.all(np.isfinite(observed_y), axis=1)
        if pool.size <= n or int(valid.sum()) < self.min_observed:
            return pool[:n]
        y = observed_y[valid]
        ref = (
            default_reference_point(y)
            if ref_point is None
            else as_reference_point(ref_point, y.shape[1], "ref_point")
        )
        feats = space_features(space)
        train_x = (
            feats[observed_idx[valid]] if feats is not None else space.features(observed_idx[valid])
        )
        pool_x = feats[pool] if feats is not None else space.features(pool)
        refit = self._state is None or self._asks % self.refit_every == 0
        self._asks += 1
        chosen, self._state = qnehvi_select(
            train_x,
            y,
            pool_x,
            n,
            ref,
            seed=int(rng.integers(2**31 - 1)),
            settings=self.settings,
            state=self._state,
            refit=refit,
        )
        return pool[chosen]
