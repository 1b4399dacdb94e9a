"""The settings of the search core: what work exists and how R is filled and ranked."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cenas.errors import ConfigError
from cenas.moo import SelectStrategy
from cenas.search._predictor import RankBy
from cenas.search._tasks import SearchMode

__all__ = ["SearchSettings"]


@dataclass(frozen=True)
class SearchSettings:
    """Settings of the search core (all documented simulation parameters).

    Attributes:
        mode: which method's work exists (:class:`SearchMode`).
        initial_samples: random architectures drawn first; all trained (estimated in
            ``ONESHOT`` mode). ``>= 1``.
        queue_capacity: Cap(R), ``>= 1``.
        estimate_batch: architectures proposed in Omega_best and estimated by one estimation
            task (fewer when the region and the space run out).
        push_per_task: in ``CENAS`` mode, how many of a task's estimated architectures enter R;
            None (the default) pushes them all. With ``k``, only the ``k`` with the lowest
            dominance number among the task's estimates are queued (ties by proposal order), the
            others stay estimated but are never queued: sampling then acts as a cheap search by
            estimates inside Omega_best (an option; see the ablation in the closing notes of the
            simulator). A task starts only when R, counting the places reserved by tasks in
            flight, has room for all it may push, so sampling blocks while R is full.
        refit_min_new: refit LaMOO only after at least this many new rows in P ...
        refit_growth: ... and at least this fraction of the rows of the last fit.
        lamoo_max_samples: fit LaMOO on at most this many rows of P (a seeded uniform subset of
            the usable rows when P is larger; bounds the cost of one-shot LaMOO, whose P can hold
            the whole space).
        strategy: how LaMOO selects Omega_best.
        fill_before_fit: in ``CENAS`` mode, sample (and fill R) before LaMOO's first fit, i.e.
            from the whole space (the original behaviour, default True). False waits for the
            first fit on the initial design.
        drop_stale: in ``CENAS`` mode, when a refit starts a new region, queued architectures
            outside it leave R (and estimates of the old region reported later are not queued
            unless inside the new one). Default False.
        rank_by: what a task's estimates are ranked by when ``push_per_task`` selects
            (:class:`RankBy`); R's own order is by the same values.
        direct_when_empty: in ``CENAS`` mode, an evaluation GPU that finds R empty trains an
            architecture proposed directly in Omega_best (as vanilla LaMOO does) instead of
            waiting or joining the sampling pool: a GPU the allocation gives to training always
            trains. Default False (the papers' CE-NAS trains only from R).
        direct_candidates: ``K``, how many architectures a direct proposal (vanilla LaMOO's
            evaluation, or ``direct_when_empty``) is chosen from. 1 (the default) trains a
            uniform draw in Omega_best, as the papers' vanilla LaMOO. ``K > 1`` draws ``K``
            uniform candidates in Omega_best and trains the one whose predicted objectives add
            the most hypervolume to P's trained front (:class:`~cenas.search.
            ArchitecturePredictor`: ridge on architecture features fitted on P, look-up
            objectives such as latency exact): a selection that costs CPU, not GPU carbon.
    """

    mode: SearchMode = SearchMode.CENAS
    initial_samples: int = 10
    queue_capacity: int = 32
    estimate_batch: int = 8
    push_per_task: int | None = None
    refit_min_new: int = 8
    refit_growth: float = 0.25
    lamoo_max_samples: int = 500
    strategy: SelectStrategy = SelectStrategy.LEAF
    fill_before_fit: bool = True
    drop_stale: bool = False
    rank_by: RankBy = RankBy.ESTIMATE
    direct_when_empty: bool = False
    direct_candidates: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "mode", SearchMode(self.mode))
        object.__setattr__(self, "strategy", SelectStrategy(self.strategy))
        try:
            object.__setattr__(self, "rank_by", RankBy(self.rank_by))
        except ValueError:
            raise ConfigError(
                f"rank_by must be one of {', '.join(r.value for r in RankBy)}, but got "
                f"{self.rank_by!r}"
            ) from None
        for name in ("fill_before_fit", "drop_stale", "direct_when_empty"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be true or false, but got {getattr(self, name)!r}")
        for name in (
            "initial_samples",
            "queue_capacity",
            "estimate_batch",
            "refit_min_new",
            "direct_candidates",
        ):
            v = getattr(self, name)
            if not isinstance(v, int | np.integer) or v < 1:
                raise ConfigError(f"{name} must be an integer >= 1, but got {v!r}")
        p = self.push_per_task
        if p is not None and (not isinstance(p, int | np.integer) or p < 1):
            raise ConfigError(f"push_per_task must be an integer >= 1 or absent, but got {p!r}")
        if not (math.isfinite(self.refit_growth) and self.refit_growth >= 0):
            raise ConfigError(f"refit_growth must be >= 0, but got {self.refit_growth}")
        if self.lamoo_max_samples < 2:
            raise ConfigError(f"lamoo_max_samples must be >= 2, but got {self.lamoo_max_samples}")
