"""The search-space abstraction: a finite, enumerable set of architectures indexed 0..size-1."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas._seeding import make_rng
from cenas.errors import ArchitectureError

__all__ = ["SearchSpace"]


class SearchSpace(ABC):
    """A finite search space whose architectures are identified by integer indices.

    Every algorithm in cenas works on index arrays (``int64``), which makes membership tests,
    de-duplication and table look-ups vectorised. Subclasses give string conversion, a numeric
    encoding for models (SVMs, GPs) and the neighbourhood for local search.
    """

    name: str = "space"

    @property
    @abstractmethod
    def size(self) -> int:
        """Number of architectures."""

    @abstractmethod
    def features(self, idx: ArrayLike) -> NDArray[np.float64]:
        """Numeric encoding of architectures, shape ``(n, feature_dim)`` (one-hot by default)."""

    @abstractmethod
    def to_string(self, idx: int) -> str:
        """Canonical string of one architecture."""

    @abstractmethod
    def from_string(self, arch: str) -> int:
        """Index of an architecture string; raises :class:`ArchitectureError` when invalid."""

    @abstractmethod
    def neighbours(self, idx: int) -> NDArray[np.int64]:
        """Indices of architectures one elementary change away (single-edge mutation)."""

    @property
    def feature_dim(self) -> int:
        """Length of one feature vector."""
        return int(self.features(np.array([0])).shape[1])

    def all_indices(self) -> NDArray[np.int64]:
        """Every index, in order."""
        return np.arange(self.size, dtype=np.int64)

    def check_indices(self, idx: ArrayLike) -> NDArray[np.int64]:
        """``idx`` as an int64 array, validated to lie in ``[0, size)``."""
        arr = np.asarray(idx)
        if arr.dtype.kind not in "iu":
            raise ArchitectureError(f"architecture indices must be integers, got dtype {arr.dtype}")
        arr = arr.astype(np.int64, copy=False)
        if arr.size and (arr.min() < 0 or arr.max() >= self.size):
            bad = arr[(arr < 0) | (arr >= self.size)][0]
            raise ArchitectureError(
                f"architecture index must be in [0, {self.size}), but got {int(bad)}"
            )
        return arr

    def index_of(self, arch: int | str) -> int:
        """Index of an architecture given as index or string."""
        if isinstance(arch, str):
            return self.from_string(arch)
        return int(self.check_indices(np.array([arch]))[0])

    def sample(
        self, n: int, seed: int | np.random.Generator | None = None, *, replace: bool = False
    ) -> NDArray[np.int64]:
        """``n`` architectures drawn uniformly (without replacement by default)."""
        if not replace and n > self.size:
            raise ValueError(f"cannot draw {n} distinct architectures from a space of {self.size}")
        rng = make_rng(seed)
        return rng.choice(self.size, size=n, replace=replace).astype(np.int64)

    def mutate(self, idx: int, seed: int | np.random.Generator | None = None) -> int:
        """A uniformly chosen neighbour of ``idx``."""
        rng = make_rng(seed)
        nb = self.neighbours(idx)
        return int(nb[rng.integers(len(nb))])
