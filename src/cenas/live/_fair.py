"""Strict-fairness path groups (FairNAS) restricted to a region.

Uniform single-path sampling trains each operation on each edge equally often only in
expectation; over a short supernet budget the counts drift apart, and the operations that happen
to be drawn more look better. FairNAS removes that drift: each optimiser step trains a *group* of
paths in which every operation on every edge appears, with their gradients summed before the
single update. Here the operations are those the region's members use on that edge, and every
path of a group is a member, so training never leaves the region.

For a region that is a product of per-edge operation sets (the whole space, a Few-Shot NAS
split) a group is FairNAS's exactly: one random permutation of the allowed operations per edge,
``k`` paths for ``k`` = the most operations any edge allows. Other regions (a LaMOO leaf is cut
by hyperplanes in feature space) may not contain those combinations; their groups are a greedy
cover instead: while some (edge, operation) pair is uncovered, pick one at random and take the
member, among a few random ones carrying it, that covers the most uncovered pairs.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from cenas.space import NB201_EDGES, NB201_OPS, NB201Space

__all__ = ["SAMPLINGS", "FairSampler"]

SAMPLINGS = ("uniform", "fair")
"""Path sampling of supernet training (see :class:`cenas.live.RegionSupernet`)."""

_CANDIDATES = 32  # members scored per greedy pick: enough to cover several pairs at once


class FairSampler:
    """Groups of member paths that together cover each allowed operation on each edge.

    Args:
        space: the space the indices belong to.
        members: the region's architecture indices (non-empty, unique).
    """

    def __init__(self, space: NB201Space, members: NDArray[np.int64]) -> None:
        self.space = space
        self.members = members
        self._ops = space.op_vectors(members).astype(np.int64)
        self.allowed: tuple[NDArray[np.int64], ...] = tuple(
            np.unique(self._ops[:, e]) for e in range(len(NB201_EDGES))
        )
        self.group_size = max(a.size for a in self.allowed)
        self.is_product = members.size == int(np.prod([a.size for a in self.allowed]))

    def group(self, rng: np.random.Generator) -> NDArray[np.int64]:
        """One group of member indices covering every allowed (edge, operation) pair."""
        if self.is_product:
            cols = []
            for a in self.allowed:
                # Edges with fewer operations fill the rest of the group with random repeats.
                col = np.concatenate([a, rng.choice(a, self.group_size - a.size)])
                cols.append(rng.permutation(col))
            out: NDArray[np.int64] = self.space.from_op_vectors(np.stack(cols, axis=1))
            return out
        return self._greedy(rng)

    def _greedy(self, rng: np.random.Generator) -> NDArray[np.int64]:
        uncovered = np.zeros((len(NB201_EDGES), len(NB201_OPS)), dtype=bool)
        for e, a in enumerate(self.allowed):
            uncovered[e, a] = True
        rows = np.arange(len(NB201_EDGES))
        picked: list[int] = []
        while uncovered.any():
            pairs = np.argwhere(uncovered)
            e, op = pairs[rng.integers(len(pairs))]
            carriers = np.flatnonzero(self._ops[:, e] == op)
            cand = rng.choice(carriers, size=min(_CANDIDATES, carriers.size), replace=False)
            score = uncovered[rows, self._ops[cand]].sum(axis=1)
            best = int(cand[int(np.argmax(score))])
            picked.append(best)
            uncovered[rows, self._ops[best]] = False
        return self.members[np.array(picked, dtype=np.int64)]
