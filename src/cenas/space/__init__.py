"""Search spaces: the abstraction and the NAS-Bench-201 cell space."""

from cenas.space._base import SearchSpace
from cenas.space._nb201 import NB201_EDGES, NB201_OPS, NB201Space

__all__ = ["NB201_EDGES", "NB201_OPS", "NB201Space", "SearchSpace"]
