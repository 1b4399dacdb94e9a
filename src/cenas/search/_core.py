"""The CE-NAS search core: observed set, LaMOO regions, sampling and evaluation tasks.

The core is pure and deterministic given its seed: it never reads a clock, a meter or a carbon
signal, and it never evaluates anything. An executor asks it for work (:meth:`CENASSearch.
next_evaluation`, :meth:`CENASSearch.next_sampling`), runs the work for however long it takes,
and reports the results back (``report_*``). The trace-driven simulator and a live runner are two
executors of the same core.

Region life cycle. P is partitioned by LaMOO and the selected leaf is Omega_best. The tree is
refitted lazily, when work needs a region and P has grown by at least
``max(refit_min_new, ceil(refit_growth * n))`` rows since the last fit on ``n`` rows (refitting on
every new row would cost a tree per trained architecture; the growth rule keeps the number of
fits logarithmic in |P| and is documented as a simulation parameter). Before P holds
``initial_samples`` usable rows the region is the whole space. A refit whose region has a
different membership than the current one starts a new region, which needs its own supernet
(one :class:`SupernetTask`) before anything in it can be estimated; earlier estimates stay queued
unless ``drop_stale`` is set, in which case queued architectures outside the new region leave R.

Queue hygiene (options, off by default for backward compatibility; the shipped configs turn them
on): ``fill_before_fit = false`` keeps sampling idle until LaMOO has been fitted once on the
initial design (R filled from the whole space would train worse architectures than vanilla
LaMOO); ``drop_stale`` (above); ``push_per_task < estimate_batch`` estimates more than it queues,
so that R selects; ``rank_by = "predictor"`` ranks a task's estimates by a predictor fitted on P
(:class:`~cenas.search.EstimateCorrector`) instead of the raw one-shot estimate.

Carbon-free selection: with ``direct_candidates = K > 1`` a direct proposal is the best of ``K``
uniform candidates in Omega_best by the hypervolume its predicted objectives would add to P's
trained front (:class:`~cenas.search.ArchitecturePredictor`, fitted on P's true values; objectives
known without training, given as ``known_objectives``, are exact). Until P holds enough rows the
first candidate (a uniform draw) is taken.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas._seeding import make_rng
from cenas.errors import ConfigError, ObjectiveError
from cenas.moo import (
    LaMOO,
    Region,
    RegionSampler,
    UniformRegionSampler,
    space_features,
)
from cenas.search._observed import ObservedSet
from cenas.search._predictor import ArchitecturePredictor, EstimateCorrector, RankBy
from cenas.search._queue import ReadyQueue
from cenas.search._select import best_by_dominance, best_by_hvi
from cenas.search._settings import SearchSettings
from cenas.search._tasks import (
    EstimationTask,
    EvaluationSource,
    EvaluationTask,
    SamplingTask,
    SearchMode,
    SupernetTask,
)
from cenas.space import SearchSpace

__all__ = ["CENASSearch", "RegionInfo", "SearchSettings", "best_by_dominance"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegionInfo:
    """The current Omega_best.

    Attributes:
        id: its number (0 is the whole space before the first fit).
        depth: SVM decisions on its path (0 for the whole space).
        path: ``g``/``b`` per decision, root first.
        members: architectures of the space inside it.
        fitted_on: rows of P the tree that chose it was fitted on (0 for the whole space).
    """

    id: int
    depth: int
    path: str
    members: int
    fitted_on: int


class CENASSearch:
    """The CE-NAS search: P, LaMOO regions, the ready queue R and the tasks that connect them.

    Args:
        space: the search space (its architectures are int64 indices).
        n_objectives: ``m``.
        settings: see :class:`SearchSettings`.
        lamoo: the LaMOO partitioner (its settings: kernel, leaf size, depth, Cp).
        sampler: proposes architectures in Omega_best (uniform by default; or qNEHVI).
        ref_point: hypervolume reference point of LaMOO's node hypervolumes, minimisation form,
            shape ``(m,)``; None derives one from the data at each fit.
        seed: master seed of the search's random choices (initial samples, subsets, proposals,
            LaMOO tie-breaking). Same seed, same reports -> same tasks.
        known_objectives: objectives known without training for every architecture of the
            space, minimisation form, shape ``(space.size, m)``, NaN in the columns that need
            training (see :meth:`~cenas.search.Evaluator.known_without_training`); used only by
            ``direct_candidates > 1``.
    """

    def __init__(
        self,
        space: SearchSpace,
        n_objectives: int,
        settings: SearchSettings | None = None,
        *,
        lamoo: LaMOO | None = None,
        sampler: RegionSampler | None = None,
        ref_point: ArrayLike | None = None,
        seed: int | None = None,
        known_objectives: ArrayLike | None = None,
    ) -> None:
        self.space = space
        self.settings = settings if settings is not None else SearchSettings()
        self.mode = self.settings.mode
        self.lamoo = lamoo if lamoo is not None else LaMOO()
        self.sampler = sampler if sampler is not None else UniformRegionSampler()
        self.ref_point = None if ref_point is None else np.asarray(ref_point, dtype=np.float64)
        if self.ref_point is not None and self.ref_point.shape != (n_objectives,):
            raise ObjectiveError(
                f"ref_point must have shape ({n_objectives},), got {self.ref_point.shape}"
            )
        if self.settings.initial_samples > space.size:
            raise ConfigError(
                f"initial_samples ({self.settings.initial_samples}) exceeds the space size "
                f"({space.size})"
            )
        self._rng = make_rng(seed)
        feats = space_features(space)
        if feats is None:
            raise ConfigError(
                f"space {space.name!r} has {space.size} architectures; the search core needs an "
                "enumerable space"
            )
        self._features = feats
        self.observed = ObservedSet(n_objectives, space.size)
        self.queue = ReadyQueue(self.settings.queue_capacity, n_objectives)
        self._taken = np.zeros(space.size, dtype=bool)
        self.initial = self._rng.choice(
            space.size, size=self.settings.initial_samples, replace=False
        ).astype(np.int64)
        self._taken[self.initial] = True
        self._initial_next = 0
        # regions
        self._region = Region.everything()
        self._region_id = 0
        self._region_members = np.ones(space.size, dtype=bool)
        self._fitted_on = 0
        self._supernet_ready: set[int] = set()
        self._supernet_running: set[int] = set()
        # accounting
        self._estimating = 0
        self._reserved = 0  # places of R promised to estimation tasks in flight
        self._corrector = EstimateCorrector(self._features, n_objectives)
        known = None if known_objectives is None else np.asarray(known_objectives, np.float64)
        self._predictor = ArchitecturePredictor(self._features, n_objectives, known)
        self.n_dropped = 0
        self.n_fits = 0
        self.n_regions = 1
        self.n_supernets = 0
        self.n_estimated = 0
        self.n_trained = 0

    # ------------------------------------------------------------------------------- queries
    @property
    def region(self) -> RegionInfo:
        """The current Omega_best."""
        return RegionInfo(
            self._region_id,
            self._region.depth,
            self._region.path,
            int(self._region_members.sum()),
            self._fitted_on,
        )

    @property
    def taken(self) -> NDArray[np.bool_]:
        """Architectures observed, queued, in flight or pending (never proposed again)."""
        v = self._taken.view()
        v.flags.writeable = False
        return v

    @property
    def region_members(self) -> NDArray[np.bool_]:
        """Read-only mask (length ``space.size``) of the current region's members: those of
        :attr:`region` still free when it was last recomputed (all ``True`` for region 0)."""
        v = self._region_members.view()
        v.flags.writeable = False
        return v

    @property
    def initial_pending(self) -> int:
        """Initial architectures not yet handed out."""
        return int(self.initial.size - self._initial_next)

    @property
    def estimating(self) -> int:
        """Architectures in estimation tasks not yet reported."""
        return self._estimating

    # ---------------------------------------------------------------------------- evaluation
    def next_evaluation(self) -> EvaluationTask | None:
        """Work for an evaluation GPU, or None when there is none now.

        ``CENAS``: an initial architecture, else the queue's best; when R is empty, None (or with
        ``direct_when_empty`` one proposed directly in Omega_best).
        ``VANILLA``: an initial architecture, else one proposed directly in Omega_best.
        ``ONESHOT``: always None (nothing is trained).
        """
        if self.mode is SearchMode.ONESHOT:
            return None
        if self._initial_next < self.initial.size:
            i = int(self.initial[self._initial_next])
            self._initial_next += 1
            return EvaluationTask(i, EvaluationSource.INITIAL)
        if self.mode is SearchMode.CENAS:
            if len(self.queue):
                e = self.queue.pop()
                return EvaluationTask(e.index, EvaluationSource.QUEUE, e.y_estimate)
            if not self.settings.direct_when_empty:
                return None
        self._maybe_refit()
        idx = self._propose_direct()
        if idx.size == 0:
            return None
        return EvaluationTask(int(idx[0]), EvaluationSource.DIRECT)

    def report_evaluation(self, task: EvaluationTask, y_true: ArrayLike) -> None:
        """Add a trained architecture and its true objectives (shape ``(m,)``) to P."""
        if self.mode is SearchMode.ONESHOT:
            raise ConfigError("one-shot LaMOO trains nothing; no evaluation can be reported")
        y = np.asarray(y_true, dtype=np.float64).reshape(1, -1)
        self.observed.add(np.array([task.index], dtype=np.int64), y, estimated=False)
        self.n_trained += 1
        if task.source is EvaluationSource.QUEUE:
            self._corrector.add(task.index, y[0])

    # ------------------------------------------------------------------------------ sampling
    def next_sampling(self) -> SamplingTask | None:
        """Work for the sampling GPUs, or None when sampling is blocked or has nothing to do.

        Trains the supernet of a new Omega_best first; then proposes up to ``estimate_batch``
        architectures in Omega_best for estimation. In ``CENAS`` mode the batch never exceeds
        the free places of R (counting estimations in flight), and sampling blocks while R is
        full. ``VANILLA`` mode has no sampling.
        """
        if self.mode is SearchMode.VANILLA:
            return None
        self._maybe_refit()
        if self.mode is SearchMode.CENAS and not self.settings.fill_before_fit and self.n_fits == 0:
            return None
        rid = self._region_id
        if rid not in self._supernet_ready:
            if rid in self._supernet_running:
                return None
            self._supernet_running.add(rid)
            return SupernetTask(rid)
        if self.mode is SearchMode.ONESHOT and self._initial_next < self.initial.size:
            batch = self.initial[self._initial_next :].copy()
            self._initial_next = self.initial.size
            self._estimating += batch.size
            return EstimationTask(batch, rid)
        k = self.settings.estimate_batch
        places = 0
        if self.mode is SearchMode.CENAS:
            free = self.queue.free - self._reserved
            if self.settings.push_per_task is None:
                k = min(k, free)
                places = k
            else:
                places = min(self.settings.push_per_task, self.queue.capacity, k)
            if free < places or k <= 0:
                return None
        idx = self._propose(k)
        if idx.size == 0:
            return None
        places = min(places, idx.size)
        self._reserved += places
        self._estimating += idx.size
        return EstimationTask(idx, rid, places)

    def report_supernet(self, task: SupernetTask) -> None:
        """The supernet of ``task.region_id`` is trained."""
        self._supernet_running.discard(task.region_id)
        self._supernet_ready.add(task.region_id)
        self.n_supernets += 1

    def report_estimation(self, task: EstimationTask, y_estimate: ArrayLike) -> None:
        """Estimates of ``task.indices`` (shape ``(k, m)``): into R (``CENAS``) or into P as
        flagged estimates (``ONESHOT``)."""
        y = np.asarray(y_estimate, dtype=np.float64).reshape(task.indices.size, -1)
        self._estimating -= task.indices.size
        self.n_estimated += task.indices.size
        if self.mode is SearchMode.ONESHOT:
            self.observed.add(task.indices, y, estimated=True)
            return
        self._reserved -= task.queue_places
        self._corrector.remember(task.indices, y)
        rank = y
        if self.settings.rank_by is not RankBy.ESTIMATE:
            rank = self._corrector.predict(task.indices, y)
        ok = np.ones(task.indices.size, dtype=bool)
        if self.settings.drop_stale and task.region_id != self._region_id and self._region.depth:
            ok = self._region.contains(self._features[task.indices])
            self.n_dropped += int((~ok).sum())
        cand = np.flatnonzero(ok)
        if self.settings.rank_by is RankBy.PREDICTED_HVI:
            rows = self.observed.finite_rows() & ~self.observed.estimated
            chosen = cand[
                best_by_hvi(rank[cand], self.observed.y[rows], self.ref_point, task.queue_places)
            ]
        else:
            chosen = cand[best_by_dominance(rank[cand], task.queue_places)]
        # the chosen ones enter R in proposal order (the order that breaks ties in R)
        for k in np.sort(chosen).tolist():
            self.queue.push(int(task.indices[k]), rank[k])

    # ------------------------------------------------------------------------------- regions
    def _refit_due(self) -> bool:
        n = int(self.observed.finite_rows().sum())
        if n < max(2, self.settings.initial_samples):
            return False
        if self._fitted_on == 0:
            return True
        need = max(
            self.settings.refit_min_new, math.ceil(self.settings.refit_growth * self._fitted_on)
        )
        return n - self._fitted_on >= need

    def _maybe_refit(self) -> None:
        if not self._refit_due():
            return
        finite = np.flatnonzero(self.observed.finite_rows())
        n = finite.size
        rows = finite
        if n > self.settings.lamoo_max_samples:
            rows = np.sort(self._rng.choice(finite, self.settings.lamoo_max_samples, replace=False))
        idx = self.observed.indices[rows]
        y = self.observed.y[rows]
        tree = self.lamoo.fit(self._features[idx], y, hv_ref=self.ref_point, rng=self._rng)
        region = tree.select(self.settings.strategy)
        self.n_fits += 1
        self._fitted_on = n
        # Membership matters only for architectures that can still be proposed.
        free = ~self._taken
        members = np.zeros(self.space.size, dtype=bool)
        if region.depth:
            cand = np.flatnonzero(free)
            members[cand] = region.contains(self._features[cand])
        else:
            members[free] = True
        if np.array_equal(members, self._region_members & free):
            self._region = region
            return
        self._region = region
        self._region_members = members
        self._region_id = self.n_regions
        self.n_regions += 1
        if self.settings.drop_stale and self.mode is SearchMode.CENAS and len(self.queue):
            queued = self.queue.indices
            inside = (
                region.contains(self._features[queued])
                if region.depth
                else np.ones(queued.size, dtype=bool)
            )
            self.n_dropped += self.queue.remove(queued[~inside])
        log.debug(
            "new region %d: path %r, %d members, fitted on %d rows",
            self._region_id,
            region.path,
            int(members.sum()),
            n,
        )

    def _propose_direct(self) -> NDArray[np.int64]:
        """One architecture to train directly: a uniform draw in Omega_best, or the best of
        ``direct_candidates`` draws by predicted hypervolume improvement; marks it taken."""
        k = self.settings.direct_candidates
        if k == 1:
            return self._propose(1)
        cand = self._candidates(k)
        if cand.size > 1:
            rows = self.observed.finite_rows() & ~self.observed.estimated
            trained_y = self.observed.y[rows]
            pred = self._predictor.predict(cand, self.observed.indices[rows], trained_y)
            if pred is not None:
                cand = cand[best_by_hvi(pred, trained_y, self.ref_point, 1)]
        cand = cand[:1]
        self._taken[cand] = True
        return cand

    def _propose(self, k: int) -> NDArray[np.int64]:
        """Up to ``k`` untaken architectures in Omega_best (the sampler fills up from the rest of
        the space when the region runs out); marks them taken."""
        picked = self._candidates(k)
        self._taken[picked] = True
        return picked

    def _candidates(self, k: int) -> NDArray[np.int64]:
        """Up to ``k`` untaken architectures in Omega_best, as :meth:`_propose`, not marked."""
        if k <= 0 or self._taken.all():
            return np.zeros(0, dtype=np.int64)
        finite = self.observed.finite_rows()
        obs_idx = self.observed.indices[finite]
        obs_y = self.observed.y[finite]
        # Membership was computed once per region; the sampler sees it folded into `excluded`
        # and the whole space as its region, so no SVM runs per proposal.
        excluded = self._taken | ~self._region_members
        picked = np.zeros(0, dtype=np.int64)
        if not excluded.all():
            picked = self.sampler.propose(
                self.space,
                Region.everything(),
                obs_idx,
                obs_y,
                k,
                self._rng,
                excluded=excluded,
                ref_point=self.ref_point,
            )
        if picked.size < k:
            rest = self._taken.copy()
            rest[picked] = True
            free = np.flatnonzero(~rest)
            extra = min(k - picked.size, free.size)
            if extra:
                picked = np.concatenate(
                    [picked, self._rng.choice(free, size=extra, replace=False).astype(np.int64)]
                )
        return picked.astype(np.int64)
