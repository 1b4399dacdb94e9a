"""The NAS-Bench-101 cell space: a finite set of cells with features and neighbours, the
enumeration of every cell up to a size, and the parameter count of the network built from a cell.

The cell itself (validation, pruning, graph hash, string form) is in ``_nb101_cell``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas._seeding import make_rng
from cenas.errors import ArchitectureError
from cenas.space._base import SearchSpace
from cenas.space._nb101_cell import (
    HEX32,
    NB101_INPUT,
    NB101_MAX_EDGES,
    NB101_MAX_VERTICES,
    NB101_OPS,
    NB101_OUTPUT,
    NB101Cell,
)

__all__ = ["NB101CellSpace", "enumerate_nb101_cells", "nb101_param_count"]


def _vertex_channels(in_ch: int, out_ch: int, m: NDArray[np.int8]) -> list[int]:
    # NAS-Bench-101's channel assignment: output channels are split evenly (remainder to the
    # first vertices) among vertices feeding the output; other vertices take the max of the
    # vertices they feed.
    n = m.shape[0]
    ch = [0] * n
    ch[0], ch[n - 1] = in_ch, out_ch
    if n == 2:
        return ch
    in_deg = m[1:].sum(axis=0)
    interior, correction = divmod(out_ch, int(in_deg[n - 1]))
    for v in range(1, n - 1):
        if m[v, n - 1]:
            ch[v] = interior
            if correction:
                ch[v] += 1
                correction -= 1
    for v in range(n - 3, 0, -1):
        if not m[v, n - 1]:
            for dst in range(v + 1, n - 1):
                if m[v, dst]:
                    ch[v] = max(ch[v], ch[dst])
    return ch


def nb101_param_count(
    cell: NB101Cell,
    *,
    stem_channels: int = 128,
    num_stacks: int = 3,
    modules_per_stack: int = 3,
    num_labels: int = 10,
) -> int:
    """Trainable parameters of the NAS-Bench-101 network built from ``cell``.

    The network is NAS-Bench-101's: a 3x3 conv-BN-ReLU stem, ``num_stacks`` stacks of
    ``modules_per_stack`` cells (channels doubled and 2x2 max-pooling between stacks), global
    average pooling and a dense layer. Convolutions have no bias; batch norm contributes its scale
    and offset (2 per channel). Matches the ``trainable_params`` measured by EC-NAS.
    """

    def conv_bn(k: int, cin: int, cout: int) -> int:
        return k * k * cin * cout + 2 * cout

    m = cell.matrix
    n = cell.num_vertices
    total = conv_bn(3, 3, stem_channels)
    channels = stem_channels
    in_ch = stem_channels
    for stack in range(num_stacks):
        if stack > 0:
            channels *= 2
        for _ in range(modules_per_stack):
            ch = _vertex_channels(in_ch, channels, m)
            for t in range(1, n - 1):
                if m[0, t]:  # projection of the module input
                    total += conv_bn(1, in_ch, ch[t])
                op = cell.ops[t]
                if op == "conv3x3-bn-relu":
                    total += conv_bn(3, ch[t], ch[t])
                elif op == "conv1x1-bn-relu":
                    total += conv_bn(1, ch[t], ch[t])
            if m[0, n - 1]:
                total += conv_bn(1, in_ch, channels)
            in_ch = channels
    return total + channels * num_labels + num_labels


def enumerate_nb101_cells(
    max_vertices: int, *, max_edges: int = NB101_MAX_EDGES
) -> list[NB101Cell]:
    """Every distinct (non-isomorphic) valid cell with at most ``max_vertices`` vertices, sorted
    by graph hash.

    Enumerates all upper-triangular matrices and operation labellings, so it is practical up to 5
    vertices (2,532 cells, about a second); 6 takes minutes and 7 (NAS-Bench-101's 423,624)
    hours.
    """
    if not 2 <= max_vertices <= NB101_MAX_VERTICES:
        raise ArchitectureError(
            f"max_vertices must be between 2 and {NB101_MAX_VERTICES}, got {max_vertices}"
        )
    found: dict[str, NB101Cell] = {}
    for v in range(2, max_vertices + 1):
        iu = np.triu_indices(v, 1)
        for bits in itertools.product((0, 1), repeat=len(iu[0])):
            m = np.zeros((v, v), dtype=np.int8)
            m[iu] = bits
            for ops in itertools.product(NB101_OPS, repeat=v - 2):
                try:
                    cell = NB101Cell(m, (NB101_INPUT, *ops, NB101_OUTPUT), max_edges=max_edges)
                except ArchitectureError:
                    continue
                # Pruned cells are enumerated again at their own size.
                if cell.num_vertices == v:
                    found.setdefault(cell.graph_hash, cell)
    return [found[h] for h in sorted(found)]


class NB101CellSpace(SearchSpace):
    """A finite set of NAS-Bench-101 cells (e.g. the architectures a benchmark measured).

    Index ``i`` is ``cells[i]``. Strings: :meth:`to_string` gives the graph hash;
    :meth:`from_string` accepts a graph hash or a cell string of any isomorphic variant.

    Args:
        cells: distinct (non-isomorphic) cells.
        max_vertices: vertices of the padded encoding used by :meth:`features` (at least the
            largest cell; default: the largest cell).
        max_edges: edge limit applied to neighbours.
        name: the space's name.

    Raises:
        ArchitectureError: two cells are isomorphic, or ``cells`` is empty.
    """

    def __init__(
        self,
        cells: Sequence[NB101Cell],
        *,
        max_vertices: int | None = None,
        max_edges: int = NB101_MAX_EDGES,
        name: str = "nb101",
    ) -> None:
        if not cells:
            raise ArchitectureError("a cell space needs at least one cell")
        self.name = name
        self._cells = tuple(cells)
        self._hashes = tuple(c.graph_hash for c in self._cells)
        self._index = {h: i for i, h in enumerate(self._hashes)}
        if len(self._index) != len(self._hashes):
            seen: dict[str, int] = {}
            for i, h in enumerate(self._hashes):
                if h in seen:
                    raise ArchitectureError(
                        f"cells {seen[h]} and {i} are isomorphic (graph hash {h})"
                    )
                seen[h] = i
        largest = max(c.num_vertices for c in self._cells)
        self.max_vertices = largest if max_vertices is None else int(max_vertices)
        if self.max_vertices < largest:
            raise ArchitectureError(
                f"max_vertices={self.max_vertices} is smaller than the largest cell ({largest})"
            )
        self.max_edges = max_edges
        self._features = self._encode()
        self._features.setflags(write=False)
        self._neighbours: dict[int, NDArray[np.int64]] = {}

    def _encode(self) -> NDArray[np.float64]:
        v = self.max_vertices
        iu = np.triu_indices(v, 1)
        n_ops = len(NB101_OPS)
        out = np.zeros((len(self._cells), len(iu[0]) + n_ops * (v - 2)), dtype=np.float64)
        for r, cell in enumerate(self._cells):
            m, lab = cell.padded(v)
            out[r, : len(iu[0])] = m[iu]
            for k in range(1, v - 1):
                if lab[k] >= 0:
                    out[r, len(iu[0]) + (k - 1) * n_ops + int(lab[k])] = 1.0
        return out

    @property
    def size(self) -> int:
        return len(self._cells)

    @property
    def cells(self) -> tuple[NB101Cell, ...]:
        """The cells in index order."""
        return self._cells

    @property
    def hashes(self) -> tuple[str, ...]:
        """Graph hashes in index order."""
        return self._hashes

    def cell(self, idx: int) -> NB101Cell:
        """The cell at one index."""
        return self._cells[self.index_of(idx)]

    def features(self, idx: ArrayLike) -> NDArray[np.float64]:
        """Encoding of shape ``(n, V(V-1)/2 + 3(V-2))`` for ``V = max_vertices``: the strict upper
        triangle of the padded adjacency (row-major, as ``np.triu_indices(V, 1)``), then a one-hot
        block of the 3 operations per interior vertex (all zero for padding). Cells with fewer
        vertices are padded by inserting isolated vertices before the output (19 features for
        ``V = 5``, 36 for ``V = 7``)."""
        return self._features[self.check_indices(idx)]

    def to_string(self, idx: int) -> str:
        """The graph hash (32 hex digits) of the cell at ``idx``."""
        return self._hashes[self.index_of(idx)]

    def cell_string(self, idx: int) -> str:
        """The readable cell string of the cell at ``idx``."""
        return self.cell(idx).to_string()

    def index_of_hash(self, graph_hash: str) -> int:
        """Index of a graph hash; raises :class:`ArchitectureError` if not in the space."""
        try:
            return self._index[graph_hash]
        except KeyError:
            raise ArchitectureError(
                f"graph hash {graph_hash!r} is not one of the {self.size} cells of space "
                f"{self.name!r}"
            ) from None

    def index_of_cell(self, cell: NB101Cell) -> int:
        """Index of a cell (any isomorphic variant)."""
        try:
            return self._index[cell.graph_hash]
        except KeyError:
            raise ArchitectureError(
                f"cell {cell.to_string()!r} (graph hash {cell.graph_hash}) is not one of the "
                f"{self.size} cells of space {self.name!r}"
            ) from None

    def from_string(self, arch: str) -> int:
        """Index of a graph hash or a cell string (validated, pruned and hashed)."""
        if not isinstance(arch, str):
            raise ArchitectureError(f"architecture must be a string, got {type(arch).__name__}")
        s = arch.strip()
        if HEX32.match(s):
            return self.index_of_hash(s)
        return self.index_of_cell(NB101Cell.from_string(s))

    def neighbours(self, idx: int) -> NDArray[np.int64]:
        """Cells of this space one edge flip or one operation change away (sorted, no repeats).

        May be empty (only for the cell ``input -> output``: removing its one edge disconnects
        it, and it has no operations to change); :meth:`mutate` then draws uniformly.
        """
        i = self.index_of(idx)
        cached = self._neighbours.get(i)
        if cached is None:
            found = {
                self._index[c.graph_hash]
                for c in self._cells[i].mutations(max_edges=self.max_edges)
                if c.graph_hash in self._index
            }
            found.discard(i)
            cached = np.array(sorted(found), dtype=np.int64)
            cached.setflags(write=False)
            self._neighbours[i] = cached
        return cached

    def mutate(self, idx: int, seed: int | np.random.Generator | None = None) -> int:
        """A uniformly chosen neighbour of ``idx``, or a uniformly drawn other cell when it has
        none."""
        rng = make_rng(seed)
        nb = self.neighbours(idx)
        if nb.size:
            return int(nb[rng.integers(nb.size)])
        if self.size == 1:
            return int(idx)
        other = int(rng.integers(self.size - 1))
        return other + (other >= int(idx))
