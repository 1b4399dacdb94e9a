"""The NAS-Bench-101 cell space: DAGs of at most 7 vertices over three operations.

A cell is a directed acyclic graph given by a strictly upper-triangular 0/1 adjacency matrix
(``matrix[i, j] == 1`` is an edge ``i -> j``) and one operation per vertex. Vertex 0 is the
``input``, the last vertex the ``output``; every interior vertex carries one of
:data:`NB101_OPS`. Vertices that are not on a path from input to output do not affect the network
and are *pruned*; a cell whose output cannot be reached from its input is invalid. After pruning a
cell may have at most :data:`NB101_MAX_EDGES` edges.

Isomorphic cells (the same graph with the interior vertices numbered differently) are the same
network. :func:`nb101_hash` identifies them the way NAS-Bench-101 does: every vertex starts with the
MD5 of ``(out-degree, in-degree, label)``; then, as many rounds as there are vertices, each vertex's
hash becomes the MD5 of its sorted in-neighbour hashes, ``|``, its sorted out-neighbour hashes,
``|`` and its own hash; the fingerprint is the MD5 of the sorted final hashes. Labels are
NAS-Bench-101's: ``-1`` input, ``-2`` output, ``0, 1, 2`` the positions in :data:`NB101_OPS`.
The hash therefore equals NAS-Bench-101's (and EC-NAS's) ``module_hash`` of the pruned cell.

Encodings:

- *graph hash* (32 hex digits): canonical, identical for isomorphic cells;
- *cell string*: the adjacency rows as bits separated by ``,``, then ``|``, then the operations
  separated by ``,``, e.g. ``"011,001,000|input,conv3x3-bn-relu,output"`` (readable, not
  canonical: isomorphic cells may have different strings);
- *features*: see :meth:`NB101CellSpace.features`.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas._seeding import make_rng
from cenas.errors import ArchitectureError
from cenas.space._base import SearchSpace

__all__ = [
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

NB101_OPS: tuple[str, ...] = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")
NB101_INPUT = "input"
NB101_OUTPUT = "output"
NB101_MAX_VERTICES = 7
NB101_MAX_EDGES = 9

# NAS-Bench-101's integer labels of the input and output vertices (ops are 0..2).
_LABEL_INPUT = -1
_LABEL_OUTPUT = -2
_OP_LABEL = {op: i for i, op in enumerate(NB101_OPS)}
_HEX32 = re.compile(r"^[0-9a-f]{32}$")


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def nb101_hash(matrix: ArrayLike, labels: Sequence[int]) -> str:
    """NAS-Bench-101's isomorphism-invariant hash of a (pruned) cell.

    Args:
        matrix: adjacency, shape ``(V, V)``, 0/1, upper-triangular.
        labels: ``V`` integer labels: ``-1`` input, ``-2`` output, ``0..2`` the index of the
            operation in :data:`NB101_OPS`.

    Returns:
        32 hexadecimal digits; equal for isomorphic cells with equal labels.
    """
    m = np.asarray(matrix, dtype=np.int64)
    n = m.shape[0]
    if m.shape != (n, n) or len(labels) != n:
        raise ArchitectureError(
            f"hash needs a square matrix and one label per vertex, got matrix shape {m.shape} "
            f"and {len(labels)} labels"
        )
    in_deg = m.sum(axis=0).tolist()
    out_deg = m.sum(axis=1).tolist()
    # str() of a tuple of Python ints, e.g. "(2, 0, -1)", exactly as NAS-Bench-101 formats it.
    hashes = [
        _md5(str((int(o), int(i), int(lab))))
        for o, i, lab in zip(out_deg, in_deg, labels, strict=True)
    ]
    preds = [[w for w in range(n) if m[w, v]] for v in range(n)]
    succs = [[w for w in range(n) if m[v, w]] for v in range(n)]
    for _ in range(n):
        hashes = [
            _md5(
                "".join(sorted(hashes[w] for w in preds[v]))
                + "|"
                + "".join(sorted(hashes[w] for w in succs[v]))
                + "|"
                + hashes[v]
            )
            for v in range(n)
        ]
    return _md5(str(sorted(hashes)))


def _as_matrix(matrix: ArrayLike) -> NDArray[np.int8]:
    try:
        m = np.asarray(matrix)
    except (TypeError, ValueError) as e:
        raise ArchitectureError(f"adjacency matrix is not a rectangular array: {e}") from None
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ArchitectureError(f"adjacency matrix must be square, got shape {m.shape}")
    if m.dtype.kind not in "biuf" or not ((m == 0) | (m == 1)).all():
        raise ArchitectureError(f"adjacency matrix entries must be 0 or 1, got {m.tolist()}")
    m = m.astype(np.int8)
    below = np.argwhere(np.tril(m) != 0)
    if below.size:
        i, j = (int(x) for x in below[0])
        raise ArchitectureError(
            f"adjacency matrix must be strictly upper triangular (edges only from a lower- to a "
            f"higher-numbered vertex), but entry ({i}, {j}) is 1"
        )
    return m


def _reachable(m: NDArray[np.int8], start: int, forward: bool) -> NDArray[np.bool_]:
    n = m.shape[0]
    rows = (m if forward else m.T).tolist()
    seen = [False] * n
    seen[start] = True
    stack = [start]
    while stack:
        v = stack.pop()
        for w, edge in enumerate(rows[v]):
            if edge and not seen[w]:
                seen[w] = True
                stack.append(w)
    return np.array(seen, dtype=bool)


class NB101Cell:
    """A validated and pruned NAS-Bench-101 cell.

    Args:
        matrix: adjacency, shape ``(V, V)``, strictly upper-triangular 0/1, ``2 <= V``.
        ops: ``V`` operation names: ``input``, interior ops from :data:`NB101_OPS`, ``output``.
        max_vertices: most vertices allowed (before pruning); NAS-Bench-101 allows 7.
        max_edges: most edges allowed after pruning; NAS-Bench-101 allows 9.
        prune: drop vertices that are not on an input-output path (NAS-Bench-101 does); when
            False such vertices are an error.

    Raises:
        ArchitectureError: not square / not 0-1 / not upper triangular, too many vertices or
            edges, an unknown operation, or no path from input to output.
    """

    __slots__ = ("_hash", "matrix", "ops")

    matrix: NDArray[np.int8]
    ops: tuple[str, ...]

    def __init__(
        self,
        matrix: ArrayLike,
        ops: Sequence[str],
        *,
        max_vertices: int = NB101_MAX_VERTICES,
        max_edges: int = NB101_MAX_EDGES,
        prune: bool = True,
    ) -> None:
        m = _as_matrix(matrix)
        n = m.shape[0]
        if not 2 <= n <= max_vertices:
            raise ArchitectureError(
                f"a cell must have between 2 and {max_vertices} vertices, got {n}"
            )
        ops = tuple(str(o) for o in ops)
        if len(ops) != n:
            raise ArchitectureError(
                f"a cell needs one operation per vertex: matrix has {n} vertices, got "
                f"{len(ops)} operations {list(ops)}"
            )
        if ops[0] != NB101_INPUT or ops[-1] != NB101_OUTPUT:
            raise ArchitectureError(
                f"the first operation must be {NB101_INPUT!r} and the last {NB101_OUTPUT!r}, "
                f"got {ops[0]!r} and {ops[-1]!r}"
            )
        for k, op in enumerate(ops[1:-1], start=1):
            if op not in _OP_LABEL:
                raise ArchitectureError(
                    f"unknown operation {op!r} at vertex {k}; expected one of "
                    f"{', '.join(NB101_OPS)}"
                )
        keep = _reachable(m, 0, True) & _reachable(m, n - 1, False)
        if not keep[n - 1]:
            raise ArchitectureError(
                f"the cell is disconnected: no path from the input (vertex 0) to the output "
                f"(vertex {n - 1}) in {m.tolist()}"
            )
        if not keep.all():
            if not prune:
                bad = [int(v) for v in np.flatnonzero(~keep)]
                raise ArchitectureError(
                    f"vertices {bad} are not on a path from input to output (pruning is off)"
                )
            m = m[np.ix_(keep, keep)]
            ops = tuple(o for o, k in zip(ops, keep, strict=True) if k)
        edges = int(m.sum())
        if edges > max_edges:
            raise ArchitectureError(
                f"a cell may have at most {max_edges} edges (after pruning), got {edges}"
            )
        m.setflags(write=False)
        self.matrix = m
        self.ops = ops
        self._hash: str | None = None

    # -- constructors and encodings ----------------------------------------------------------
    @classmethod
    def from_labels(cls, matrix: ArrayLike, labels: Sequence[int], **kwargs: Any) -> NB101Cell:
        """A cell from NAS-Bench-101 integer labels (``-1`` input, ``-2`` output, ``0..2`` ops)."""
        names = []
        for k, lab in enumerate(labels):
            lab = int(lab)
            if lab == _LABEL_INPUT:
                names.append(NB101_INPUT)
            elif lab == _LABEL_OUTPUT:
                names.append(NB101_OUTPUT)
            elif 0 <= lab < len(NB101_OPS):
                names.append(NB101_OPS[lab])
            else:
                raise ArchitectureError(
                    f"unknown operation label {lab} at vertex {k}; expected -1 (input), "
                    f"-2 (output) or 0..{len(NB101_OPS) - 1}"
                )
        return cls(matrix, names, **kwargs)

    @classmethod
    def from_string(cls, text: str, **kwargs: Any) -> NB101Cell:
        """Parse a cell string such as ``"011,001,000|input,conv3x3-bn-relu,output"``."""
        if not isinstance(text, str) or text.count("|") != 1:
            raise ArchitectureError(
                f"cell string {text!r} must look like 'ROW,ROW,...|OP,OP,...' with rows of 0/1 "
                f"digits, e.g. '011,001,000|input,conv3x3-bn-relu,output'"
            )
        rows_s, ops_s = text.split("|")
        rows = [r.strip() for r in rows_s.split(",")]
        if any(not r or set(r) - {"0", "1"} for r in rows):
            raise ArchitectureError(f"cell string {text!r}: adjacency rows must be 0/1 digits")
        if len({len(r) for r in rows}) != 1:
            raise ArchitectureError(f"cell string {text!r}: adjacency rows differ in length")
        matrix = [[int(c) for c in r] for r in rows]
        return cls(matrix, [o.strip() for o in ops_s.split(",")], **kwargs)

    def to_string(self) -> str:
        """The cell string, e.g. ``"011,001,000|input,conv3x3-bn-relu,output"``."""
        rows = ",".join("".join(str(int(x)) for x in row) for row in self.matrix)
        return f"{rows}|{','.join(self.ops)}"

    @property
    def labels(self) -> tuple[int, ...]:
        """NAS-Bench-101 integer labels (``-1`` input, ``-2`` output, ``0..2`` ops)."""
        return (_LABEL_INPUT, *(_OP_LABEL[o] for o in self.ops[1:-1]), _LABEL_OUTPUT)

    @property
    def num_vertices(self) -> int:
        """Vertices after pruning, input and output included."""
        return int(self.matrix.shape[0])

    @property
    def num_edges(self) -> int:
        """Edges after pruning."""
        return int(self.matrix.sum())

    @property
    def graph_hash(self) -> str:
        """NAS-Bench-101 hash of the pruned cell (see :func:`nb101_hash`)."""
        if self._hash is None:
            self._hash = nb101_hash(self.matrix, self.labels)
        return self._hash

    def padded(self, n_vertices: int) -> tuple[NDArray[np.int8], NDArray[np.int8]]:
        """Adjacency and labels padded to ``n_vertices`` by inserting isolated vertices before
        the output (which stays last); padded vertices get label ``-3``.

        Returns:
            ``(matrix (n, n) int8, labels (n,) int8)``.
        """
        v = self.num_vertices
        if n_vertices < v:
            raise ArchitectureError(f"cannot pad a {v}-vertex cell to {n_vertices} vertices")
        pos = np.r_[np.arange(v - 1), n_vertices - 1]
        m = np.zeros((n_vertices, n_vertices), dtype=np.int8)
        m[np.ix_(pos, pos)] = self.matrix
        lab = np.full(n_vertices, -3, dtype=np.int8)
        lab[pos] = self.labels
        return m, lab

    def mutations(self, *, max_edges: int = NB101_MAX_EDGES) -> Iterator[NB101Cell]:
        """Every valid cell one elementary change away: one edge flipped (added or removed,
        then pruned) or one interior operation replaced. May repeat isomorphic cells."""
        n = self.num_vertices
        for i in range(n - 1):
            for j in range(i + 1, n):
                m = self.matrix.copy()
                m[i, j] ^= 1
                try:
                    yield NB101Cell(m, self.ops, max_vertices=n, max_edges=max_edges)
                except ArchitectureError:
                    continue
        for k in range(1, n - 1):
            for op in NB101_OPS:
                if op != self.ops[k]:
                    ops = list(self.ops)
                    ops[k] = op
                    yield NB101Cell(self.matrix, ops, max_vertices=n, max_edges=max_edges)

    def __eq__(self, other: object) -> bool:
        """Same matrix and operations (not isomorphism: compare :attr:`graph_hash` for that)."""
        if not isinstance(other, NB101Cell):
            return NotImplemented
        return self.ops == other.ops and np.array_equal(self.matrix, other.matrix)

    def __hash__(self) -> int:
        return hash((self.matrix.tobytes(), self.matrix.shape, self.ops))

    def __repr__(self) -> str:
        return f"NB101Cell({self.to_string()!r})"


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
        if _HEX32.match(s):
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
