"""Regions of the NAS-Bench-201 space: the sets of architectures a supernet is trained over.

A region is a LaMOO leaf (Omega_best), given either as a membership predicate (evaluated once,
vectorised, over the whole space: 15,625 architectures) or as an explicit set of indices. It
stores its members, so that sampling a path is uniform over the members and can never leave
the region.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.errors import ConfigError
from cenas.space import NB201_EDGES, NB201_OPS, NB201Space

__all__ = ["Region"]


class Region:
    """A non-empty set of architectures of an NAS-Bench-201 space.

    Args:
        space: the space whose indices the members are.
        members: architecture indices (duplicates are dropped).
        name: a label for reports, e.g. ``whole`` or a LaMOO path ``ggb``.

    Raises:
        ConfigError: no members.
        ArchitectureError: an index outside the space.
    """

    def __init__(self, space: NB201Space, members: ArrayLike, name: str = "") -> None:
        raw = np.asarray(members).reshape(-1)
        if raw.size == 0:
            raise ConfigError(f"region {name or '(unnamed)'} has no architectures")
        arr = np.unique(space.check_indices(raw))
        arr.setflags(write=False)
        self.space = space
        self.members: NDArray[np.int64] = arr
        self.name = name

    @classmethod
    def whole(cls, space: NB201Space | None = None) -> Region:
        """Every architecture of the space."""
        sp = space or NB201Space()
        return cls(sp, sp.all_indices(), "whole")

    @classmethod
    def where(
        cls,
        space: NB201Space,
        predicate: Callable[[NDArray[np.int64]], ArrayLike],
        name: str = "",
    ) -> Region:
        """The architectures for which ``predicate`` (vectorised over an index array) is true,
        e.g. ``lambda idx: lamoo_region.contains(space.features(idx))``.

        Raises:
            ConfigError: the predicate does not return one boolean per index, or none is true.
        """
        idx = space.all_indices()
        mask = np.asarray(predicate(idx))
        if mask.shape != idx.shape or mask.dtype != np.bool_:
            raise ConfigError(
                f"region predicate must return a boolean array of shape {idx.shape}, got "
                f"{mask.dtype} {mask.shape}"
            )
        return cls(space, idx[mask], name)

    @property
    def size(self) -> int:
        """Number of members."""
        return int(self.members.size)

    def contains(self, idx: ArrayLike) -> NDArray[np.bool_]:
        """Membership of each index."""
        out: NDArray[np.bool_] = np.isin(np.asarray(idx).reshape(-1), self.members)
        return out

    def sample(self, rng: np.random.Generator, n: int) -> NDArray[np.int64]:
        """``n`` members drawn uniformly with replacement."""
        out: NDArray[np.int64] = rng.choice(self.members, size=n, replace=True)
        return out

    def ops(self, idx: ArrayLike) -> NDArray[np.int8]:
        """Operation ids of architectures, shape ``(n, 6)``."""
        return self.space.op_vectors(np.asarray(idx).reshape(-1))

    def with_op(self, edge: int, op: int) -> Region | None:
        """The members whose ``edge`` carries operation ``op`` (a few-shot sub-region), or None
        when there are none."""
        if not (0 <= edge < len(NB201_EDGES) and 0 <= op < len(NB201_OPS)):
            raise ConfigError(f"edge must be in [0, 6) and op in [0, 5), got {edge}, {op}")
        keep = self.members[self.ops(self.members)[:, edge] == op]
        if keep.size == 0:
            return None
        return Region(self.space, keep, f"{self.name}|e{edge}={NB201_OPS[op]}")

    def __repr__(self) -> str:
        return f"Region({self.name or '?'}: {self.size} architectures)"
