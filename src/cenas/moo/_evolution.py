"""Evolutionary optimisers on a categorical space: a population of survivors, offspring by
crossover and mutation of operation vectors (PopulationOptimizer), and NSGA-II on it."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.errors import ConfigError
from cenas.moo._optimizers import Optimizer
from cenas.space import SearchSpace

__all__ = ["NSGA2", "CategoricalSpace", "PopulationOptimizer"]


@runtime_checkable
class CategoricalSpace(Protocol):
    """A space with a categorical genome (e.g. :class:`cenas.space.NB201Space`'s operation ids
    per edge), which :class:`NSGA2` uses for crossover and mutation."""

    def op_vectors(self, idx: ArrayLike) -> NDArray[np.int8]:
        """Genes, shape ``(n, k)``."""

    def from_op_vectors(self, ops: ArrayLike) -> NDArray[np.int64]:
        """Indices of genes."""


class PopulationOptimizer(Optimizer):
    """Base of evolutionary optimisers: a population of at most ``pop_size`` survivors, updated
    by a survival rule on every tell, and offspring that are never already observed or pending.

    Until the population is full, proposals are uniform random. Subclasses give
    :meth:`_survive` (which rows of population + new evaluations live on) and :meth:`_offspring`
    (one child index).
    """

    def __init__(self, space: SearchSpace, pop_size: int, *, seed: int | None = None) -> None:
        super().__init__(space, seed=seed)
        if pop_size < 2:
            raise ConfigError(f"{type(self).__name__} pop_size must be >= 2, but got {pop_size}")
        self.pop_size = int(pop_size)
        self._pop = np.zeros(0, dtype=np.int64)
        self._pop_y = np.zeros((0, 0), dtype=np.float64)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(pop_size={self.pop_size}, seed={self.seed})"

    @property
    def population(self) -> NDArray[np.int64]:
        """Current survivors, int64."""
        return self._pop.copy()

    @abstractmethod
    def _survive(self, pop: NDArray[np.int64], y: NDArray[np.float64]) -> None:
        """Set ``_pop``/``_pop_y`` (and any selection state) from the candidates ``pop``."""

    @abstractmethod
    def _offspring(self) -> int:
        """One child of the current population."""

    def _on_tell(self, idx: NDArray[np.int64], y: NDArray[np.float64]) -> None:
        ok = np.all(np.isfinite(y), axis=1)
        if not ok.any():
            return
        pop = np.concatenate([self._pop, idx[ok]])
        ys = np.concatenate([self._pop_y.reshape(-1, y.shape[1]), y[ok]])
        self._survive(pop, ys)

    def _propose(self, n: int) -> NDArray[np.int64]:
        if self._pop.size < 2 or self.n_observed < self.pop_size:
            return self._random(n)
        taken = self._excluded().copy()
        out: list[int] = []
        for _ in range(n):
            for _attempt in range(50):  # a crowded neighbourhood may keep producing known cells
                c = self._offspring()
                if not taken[c]:
                    taken[c] = True
                    out.append(c)
                    break
        return np.asarray(out, dtype=np.int64)


class NSGA2(PopulationOptimizer):
    """NSGA-II on the discrete space, ask/tell.

    Survival is pymoo's ``RankAndCrowding`` (non-dominated sorting, then crowding distance) over
    the population and every newly told architecture; parents are chosen by binary tournament
    (lower rank, then larger crowding distance); offspring by uniform crossover of the
    categorical genes (probability ``crossover_prob``) and per-gene mutation to another category
    (probability ``mutation_prob``, default ``1 / genes``). Spaces without a categorical genome
    (see :class:`CategoricalSpace`) use mutation only, by a random single-edit neighbour. The
    first ``pop_size`` proposals are uniform random; a child already observed is redrawn, and
    after 50 failures replaced by a uniform draw. With ``ask(pop_size)`` per generation this is
    the generational NSGA-II; smaller batches make it steady-state.

    Args:
        space: the search space.
        pop_size: population size.
        crossover_prob: probability that a child is a crossover of two parents.
        mutation_prob: per-gene mutation probability; None for ``1 / genes``.
        seed: master seed.
    """

    name = "nsga2"

    def __init__(
        self,
        space: SearchSpace,
        pop_size: int = 20,
        crossover_prob: float = 0.9,
        mutation_prob: float | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        super().__init__(space, pop_size, seed=seed)
        if not 0 <= crossover_prob <= 1 or (
            mutation_prob is not None and not 0 <= mutation_prob <= 1
        ):
            raise ConfigError(
                f"NSGA2 probabilities must be in [0, 1], but got crossover_prob={crossover_prob}, "
                f"mutation_prob={mutation_prob}"
            )
        self.crossover_prob = float(crossover_prob)
        self._categorical = isinstance(space, CategoricalSpace)
        self._n_cat: NDArray[np.int64] | None = None
        if self._categorical:
            genes = np.asarray(space.op_vectors(space.all_indices()), dtype=np.int64)  # type: ignore[attr-defined]
            self._n_cat = genes.max(axis=0) + 1
            k = genes.shape[1]
        else:
            k = 1
        self.mutation_prob = float(mutation_prob) if mutation_prob is not None else 1.0 / k
        self._rank = np.zeros(0, dtype=np.int64)
        self._crowd = np.zeros(0, dtype=np.float64)

    def _survive(self, pop: NDArray[np.int64], ys: NDArray[np.float64]) -> None:
        from pymoo.core.population import Population
        from pymoo.core.problem import Problem
        from pymoo.operators.survival.rank_and_crowding import RankAndCrowding

        p = Population.new("X", pop.reshape(-1, 1).astype(np.float64), "F", ys)
        problem = Problem(n_var=1, n_obj=ys.shape[1])
        survivors = RankAndCrowding().do(
            problem, p, n_survive=self.pop_size, random_state=self._rng
        )
        self._pop = survivors.get("X")[:, 0].astype(np.int64)
        self._pop_y = np.asarray(survivors.get("F"), dtype=np.float64)
        self._rank = np.asarray(survivors.get("rank"), dtype=np.int64).reshape(-1)
        self._crowd = np.asarray(survivors.get("crowding"), dtype=np.float64).reshape(-1)

    def _tournament(self) -> int:
        a, b = self._rng.choice(self._pop.size, size=2, replace=False)
        if self._rank[a] != self._rank[b]:
            return int(self._pop[a] if self._rank[a] < self._rank[b] else self._pop[b])
        if self._crowd[a] != self._crowd[b]:
            return int(self._pop[a] if self._crowd[a] > self._crowd[b] else self._pop[b])
        return int(self._pop[a] if self._rng.random() < 0.5 else self._pop[b])

    def _offspring(self) -> int:
        if not self._categorical or self._n_cat is None:
            return self.space.mutate(self._tournament(), self._rng)
        space: CategoricalSpace = self.space  # type: ignore[assignment]
        p1 = np.asarray(space.op_vectors(np.array([self._tournament()])), dtype=np.int64)[0]
        genes = p1.copy()
        if self._rng.random() < self.crossover_prob:
            p2 = np.asarray(space.op_vectors(np.array([self._tournament()])), dtype=np.int64)[0]
            take = self._rng.random(genes.size) < 0.5
            genes[take] = p2[take]
        flip = self._rng.random(genes.size) < self.mutation_prob
        for g in np.flatnonzero(flip):
            shift = self._rng.integers(1, self._n_cat[g])
            genes[g] = (genes[g] + shift) % self._n_cat[g]
        return int(space.from_op_vectors(genes[None, :])[0])
