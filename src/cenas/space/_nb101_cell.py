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

This module holds the cell (validation, pruning, hash, string form); the space of cells, its
enumeration and the parameter count of the network built from a cell are in ``_nb101``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.errors import ArchitectureError

__all__ = [
    "HEX32",
    "NB101_INPUT",
    "NB101_MAX_EDGES",
    "NB101_MAX_VERTICES",
    "NB101_OPS",
    "NB101_OUTPUT",
    "NB101Cell",
    "nb101_hash",
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
HEX32 = re.compile(r"^[0-9a-f]{32}$")


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
