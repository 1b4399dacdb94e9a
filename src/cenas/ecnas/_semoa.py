"""SEMOA: the simple evolutionary multi-objective optimiser that EC-NAS compares, ask/tell.

EC-NAS's SEMOA ranks its population by hypervolume contribution, picks parents by linear
ranking selection (selection pressure ``eta_p = 1.9`` for the best, ``eta_o = 0.1`` for the
worst) and creates each offspring by mutating one parent (on average 0.5 operation and 2 edge
changes). Here, on a finite space of measured architectures:

- *ranking*: non-dominated sorting, then descending exclusive hypervolume contribution within a
  front (the reference point is the population's nadir plus a 10 % margin);
- *parents*: linear ranking selection with EC-NAS's pressures;
- *offspring*: a random walk of ``K`` steps through :meth:`SearchSpace.mutate` (one edge flip or
  operation change per step that stays in the space), ``K = max(1, Poisson(expected_changes))``
  with ``expected_changes = 2.5`` (EC-NAS's 0.5 + 2);
- *survival*: (mu + lambda): the ``pop_size`` best of parents and offspring by the ranking above
  (EC-NAS keeps every distinct individual; truncation keeps the selection pressure constant).

The first ``pop_size`` proposals are uniform random.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from cenas.errors import ConfigError
from cenas.moo import (
    PopulationOptimizer,
    default_reference_point,
    hv_contributions,
    non_dominated_sort,
)
from cenas.space import SearchSpace

__all__ = ["SEMOA"]


def _rank(y: NDArray[np.float64]) -> NDArray[np.int64]:
    """Order of rows, best first: front, then larger hypervolume contribution, then row."""
    fronts = non_dominated_sort(y)
    contrib = np.zeros(y.shape[0])
    ref = default_reference_point(y)
    for f in np.unique(fronts):
        rows = np.flatnonzero(fronts == f)
        contrib[rows] = hv_contributions(y[rows], ref)
    return np.lexsort((np.arange(y.shape[0]), -contrib, fronts)).astype(np.int64)


class SEMOA(PopulationOptimizer):
    """Simple evolutionary multi-objective optimiser (EC-NAS's baseline), see the module docs.

    Args:
        space: the search space (mutation uses :meth:`SearchSpace.mutate`).
        pop_size: population size ``mu``.
        expected_changes: mean number of elementary changes per offspring.
        eta_p: selection weight of the best parent (linear ranking; ``eta_o = 2 - eta_p``).
        seed: master seed.
    """

    name = "semoa"

    def __init__(
        self,
        space: SearchSpace,
        pop_size: int = 10,
        expected_changes: float = 2.5,
        eta_p: float = 1.9,
        *,
        seed: int | None = None,
    ) -> None:
        super().__init__(space, pop_size, seed=seed)
        if not expected_changes > 0 or not 1.0 <= eta_p <= 2.0:
            raise ConfigError(
                f"SEMOA needs expected_changes > 0 and 1 <= eta_p <= 2, but got "
                f"expected_changes={expected_changes}, eta_p={eta_p}"
            )
        self.expected_changes = float(expected_changes)
        self.eta_p = float(eta_p)

    def _survive(self, pop: NDArray[np.int64], ys: NDArray[np.float64]) -> None:
        # The population is kept best first, which linear-ranking selection relies on.
        order = _rank(ys)[: self.pop_size]
        self._pop, self._pop_y = pop[order], ys[order]

    def _selection_probs(self) -> NDArray[np.float64]:
        m = self._pop.size
        eta_o = 2.0 - self.eta_p
        p = (self.eta_p - (self.eta_p - eta_o) * np.arange(m) / (m - 1)) / m
        return np.asarray(p / p.sum(), dtype=np.float64)

    def _offspring(self) -> int:
        child = int(self._pop[self._rng.choice(self._pop.size, p=self._selection_probs())])
        for _step in range(max(1, int(self._rng.poisson(self.expected_changes)))):
            child = self.space.mutate(child, self._rng)
        return child
