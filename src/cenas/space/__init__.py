"""Search spaces: the abstraction and the NAS-Bench-201 cell space."""

from cenas.space._base import SearchSpace
from cenas.space._nb101 import NB101CellSpace, enumerate_nb101_cells, nb101_param_count
from cenas.space._nb101_cell import (
    NB101_INPUT,
    NB101_MAX_EDGES,
    NB101_MAX_VERTICES,
    NB101_OPS,
    NB101_OUTPUT,
    NB101Cell,
    nb101_hash,
)
from cenas.space._nb201 import NB201_EDGES, NB201_OPS, NB201Space

__all__ = ["NB201_EDGES", "NB201_OPS", "NB201Space", "SearchSpace"]
__all__ += [
    "NB101_INPUT",
    "NB101_MAX_EDGES",
    "NB101_MAX_VERTICES",
    "NB101_OPS",
    "NB101_OUTPUT",
    "NB101Cell",
    "NB101CellSpace",
    "enumerate_nb101_cells",
    "nb101_hash",
    "nb101_param_count",
]
