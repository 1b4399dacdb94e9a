"""Ask/tell multi-objective optimisers over a finite search space.

Every optimiser proposes architecture indices (``ask``) and learns their objectives in
minimisation form (``tell``); evaluating is the caller's business (a benchmark look-up, a training
run). The base class guarantees that no architecture is proposed twice: neither one already told
nor one asked and not yet told. Rows of NaN told for failed evaluations count as observed (never
proposed again) but are left out of every model.

The evolutionary optimisers (NSGA-II and its population core) are in ``_evolution``.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas._seeding import make_rng, resolve_seed
from cenas.bench import Benchmark, Objectives
from cenas.errors import ConfigError, ObjectiveError
from cenas.moo._candidates import space_features
from cenas.moo._hypervolume import as_reference_point
from cenas.moo._lamoo import LaMOO, LaMOOTree, Region, SelectStrategy
from cenas.moo._samplers import QNEHVISampler, RegionSampler, UniformRegionSampler
from cenas.space import SearchSpace

__all__ = [
    "History",
    "LaMOOOptimizer",
    "Optimizer",
    "QNEHVIOptimizer",
    "RandomSearch",
    "run_optimizer",
]

log = logging.getLogger(__name__)


class Optimizer(ABC):
    """Ask/tell optimiser over the indices of a finite :class:`SearchSpace`.

    Subclasses implement :meth:`_propose` (and may react to :meth:`_on_tell`); the base class
    validates, de-duplicates and tops up proposals with uniform draws, so a subclass that comes
    back short still yields ``n`` new architectures while any remain.

    Args:
        space: the search space.
        seed: master seed; None draws one (recorded in :attr:`seed`).
    """

    name: str = "optimizer"

    def __init__(self, space: SearchSpace, *, seed: int | None = None) -> None:
        self.space = space
        self.seed = resolve_seed(seed)
        self._rng = make_rng(self.seed)
        self._observed = np.zeros(space.size, dtype=bool)
        self._pending = np.zeros(space.size, dtype=bool)
        self._idx: list[NDArray[np.int64]] = []
        self._y: list[NDArray[np.float64]] = []
        self._m: int | None = None

    # -- state ---------------------------------------------------------------------------------
    @property
    def observed_idx(self) -> NDArray[np.int64]:
        """Told architectures in the order told, int64, shape ``(k,)``."""
        return np.concatenate(self._idx) if self._idx else np.zeros(0, dtype=np.int64)

    @property
    def observed_y(self) -> NDArray[np.float64]:
        """Their objectives, minimisation form, shape ``(k, m)`` (NaN rows for failures)."""
        if not self._y:
            return np.zeros((0, self._m or 0), dtype=np.float64)
        return np.concatenate(self._y)

    @property
    def n_observed(self) -> int:
        """Number of told architectures."""
        return int(self._observed.sum())

    def _valid(self) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        idx, y = self.observed_idx, self.observed_y
        ok = np.all(np.isfinite(y), axis=1) if y.size else np.zeros(idx.size, dtype=bool)
        return idx[ok], y[ok]

    # -- ask / tell ----------------------------------------------------------------------------
    def ask(self, n: int = 1) -> NDArray[np.int64]:
        """Propose ``n`` new architectures (fewer only when the space is exhausted).

        Returns:
            Distinct indices, int64, never observed or pending before.
        """
        if n < 1:
            raise ConfigError(f"ask(n) needs n >= 1, but got {n}")
        free = int((~(self._observed | self._pending)).sum())
        n = min(n, free)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        raw = np.asarray(self._propose(n), dtype=np.int64).reshape(-1)
        taken = self._observed | self._pending
        out: list[int] = []
        for i in raw.tolist():
            if 0 <= i < self.space.size and not taken[i] and len(out) < n:
                taken[i] = True
                out.append(i)
        if len(out) < n:
            fill = self._rng.choice(np.flatnonzero(~taken), size=n - len(out), replace=False)
            out.extend(int(i) for i in fill)
        idx = np.asarray(out, dtype=np.int64)
        self._pending[idx] = True
        return idx

    def tell(self, idx: ArrayLike, y_min: ArrayLike) -> None:
        """Record objectives.

        Args:
            idx: architectures, int64, shape ``(k,)``; each told at most once.
            y_min: their objectives, shape ``(k, m)``, minimisation form (NaN rows for failures).
        """
        arr = self.space.check_indices(np.asarray(idx).reshape(-1))
        y = np.asarray(y_min, dtype=np.float64)
        if y.ndim != 2 or y.shape[0] != arr.size or y.shape[1] < 1:
            raise ObjectiveError(f"y_min must have shape ({arr.size}, m), but got {y.shape}")
        if self._m is not None and y.shape[1] != self._m:
            raise ObjectiveError(
                f"y_min must have {self._m} objectives as before, not {y.shape[1]}"
            )
        if np.unique(arr).size != arr.size or self._observed[arr].any():
            dup = arr[self._observed[arr]] if self._observed[arr].any() else arr
            raise ObjectiveError(f"architectures can be told only once, but got {dup[:5].tolist()}")
        self._m = int(y.shape[1])
        self._observed[arr] = True
        self._pending[arr] = False
        self._idx.append(arr.copy())
        self._y.append(y.copy())
        self._on_tell(arr, y)

    @abstractmethod
    def _propose(self, n: int) -> NDArray[np.int64]:
        """Up to ``n`` proposals (the base class drops repeats and tops up)."""

    def _on_tell(self, idx: NDArray[np.int64], y: NDArray[np.float64]) -> None:  # noqa: B027
        """Hook after new observations (default: nothing)."""

    def _excluded(self) -> NDArray[np.bool_]:
        return self._observed | self._pending

    def _random(self, n: int) -> NDArray[np.int64]:
        free = np.flatnonzero(~self._excluded())
        return self._rng.choice(free, size=min(n, free.size), replace=False).astype(np.int64)


class RandomSearch(Optimizer):
    """Uniform random search without replacement."""

    name = "random"

    def __repr__(self) -> str:
        return f"RandomSearch(seed={self.seed})"

    def _propose(self, n: int) -> NDArray[np.int64]:
        return self._random(n)


class QNEHVIOptimizer(Optimizer):
    """qNEHVI (BoTorch) over the whole space: a GP on the architecture features and the
    acquisition maximised over a random pool of unobserved candidates.

    Args:
        space: the search space.
        ref_point: hypervolume reference point, minimisation form; None derives one from the
            observations at every ask.
        n_init: the first ``n_init`` proposals are uniform random.
        sampler: the qNEHVI machinery and its settings (pool size, MC samples, refit cadence).
        seed: master seed.
    """

    name = "qnehvi"

    def __init__(
        self,
        space: SearchSpace,
        ref_point: ArrayLike | None = None,
        n_init: int = 10,
        sampler: QNEHVISampler | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        super().__init__(space, seed=seed)
        if n_init < 2:
            raise ConfigError(f"n_init must be >= 2, but got {n_init}")
        self.ref_point = None if ref_point is None else np.asarray(ref_point, dtype=np.float64)
        self.n_init = int(n_init)
        self.sampler = sampler if sampler is not None else QNEHVISampler()

    def __repr__(self) -> str:
        return f"QNEHVIOptimizer({self.sampler!r}, n_init={self.n_init}, seed={self.seed})"

    def _propose(self, n: int) -> NDArray[np.int64]:
        idx, y = self._valid()
        if idx.size < self.n_init:
            return self._random(n)
        return self.sampler.propose(
            self.space,
            Region.everything(),
            idx,
            y,
            n,
            self._rng,
            excluded=self._excluded(),
            ref_point=self.ref_point,
        )


class LaMOOOptimizer(Optimizer):
    """LaMOO: partition the space from the observations, then sample inside the chosen region.

    At every ask (after ``n_init`` uniform proposals) a LaMOO tree is fitted to all valid
    observations, a region is selected and the sampler proposes inside it.

    Args:
        space: the search space.
        sampler: the in-region sampler (:class:`UniformRegionSampler` by default, or
            :class:`QNEHVISampler`).
        lamoo: the partitioning settings (:class:`LaMOO` defaults when None).
        strategy: how the region is selected.
        ref_point: hypervolume reference point, minimisation form, for node hypervolumes and the
            sampler; None derives one from the observations at every ask.
        n_init: the first ``n_init`` proposals are uniform random.
        seed: master seed.
    """

    name = "lamoo"

    def __init__(
        self,
        space: SearchSpace,
        sampler: RegionSampler | None = None,
        lamoo: LaMOO | None = None,
        strategy: SelectStrategy = SelectStrategy.LEAF,
        ref_point: ArrayLike | None = None,
        n_init: int = 10,
        *,
        seed: int | None = None,
    ) -> None:
        super().__init__(space, seed=seed)
        if n_init < 2:
            raise ConfigError(f"n_init must be >= 2, but got {n_init}")
        self.sampler = sampler if sampler is not None else UniformRegionSampler()
        self.lamoo = lamoo if lamoo is not None else LaMOO()
        self.strategy = SelectStrategy(strategy)
        self.ref_point = None if ref_point is None else np.asarray(ref_point, dtype=np.float64)
        self.n_init = int(n_init)
        self.last_tree: LaMOOTree | None = None
        self.last_region: Region | None = None

    def __repr__(self) -> str:
        return f"LaMOOOptimizer({self.sampler!r}, {self.lamoo!r}, seed={self.seed})"

    def _propose(self, n: int) -> NDArray[np.int64]:
        idx, y = self._valid()
        if idx.size < self.n_init:
            return self._random(n)
        feats = space_features(self.space)
        x = feats[idx] if feats is not None else self.space.features(idx)
        ref = None if self.ref_point is None else as_reference_point(self.ref_point, y.shape[1])
        tree = self.lamoo.fit(x, y, hv_ref=ref, rng=self._rng)
        region = tree.select(self.strategy)
        self.last_tree, self.last_region = tree, region
        return self.sampler.propose(
            self.space, region, idx, y, n, self._rng, excluded=self._excluded(), ref_point=ref
        )


@dataclass(frozen=True)
class History:
    """What :func:`run_optimizer` observed, in order.

    Attributes:
        idx: evaluated architectures, int64, shape ``(k,)``.
        y_min: their objectives, minimisation form, shape ``(k, m)``.
        batch: ask number of each evaluation, int64, shape ``(k,)``.
    """

    idx: NDArray[np.int64]
    y_min: NDArray[np.float64]
    batch: NDArray[np.int64]


def run_optimizer(
    optimizer: Optimizer,
    benchmark: Benchmark,
    objectives: Objectives,
    n_evals: int,
    batch_size: int = 1,
    *,
    on_batch: Callable[[int, NDArray[np.int64]], None] | None = None,
) -> History:
    """The thin ask/tell loop on a tabular benchmark: ask, look up true objectives, tell.

    Args:
        optimizer: any :class:`Optimizer` over ``benchmark.space``.
        benchmark: the tabular benchmark.
        objectives: which metrics, in which directions.
        n_evals: total evaluations.
        batch_size: architectures per ask.
        on_batch: called with (evaluations so far, the batch) after each tell (progress bars).

    Returns:
        The :class:`History` of evaluations.
    """
    if n_evals < 1 or batch_size < 1:
        raise ConfigError(f"n_evals and batch_size must be >= 1, got {n_evals}, {batch_size}")
    if optimizer.space is not benchmark.space and optimizer.space.size != benchmark.space.size:
        raise ConfigError("the optimiser's space is not the benchmark's space")
    objectives.check(benchmark)
    done = 0
    b = 0
    batches: list[NDArray[np.int64]] = []
    while done < n_evals:
        idx = optimizer.ask(min(batch_size, n_evals - done))
        if idx.size == 0:
            break
        optimizer.tell(idx, objectives.evaluate(benchmark, idx))
        batches.append(np.full(idx.size, b, dtype=np.int64))
        done += idx.size
        b += 1
        if on_batch is not None:
            on_batch(done, idx)
    idx_all = optimizer.observed_idx[-done:] if done else np.zeros(0, dtype=np.int64)
    y_all = optimizer.observed_y[-done:] if done else np.zeros((0, len(objectives)))
    batch = np.concatenate(batches) if batches else np.zeros(0, dtype=np.int64)
    return History(idx_all, y_all, batch)
