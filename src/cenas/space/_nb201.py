"""The NAS-Bench-201 cell space: 6 edges x 5 operations = 15,625 architectures.

An architecture is a DAG cell with nodes 0..3; every node ``j`` takes every earlier node ``i`` as an
input through an edge carrying one operation. The six edges, in the order of the architecture
string ``|op~0|+|op~0|op~1|+|op~0|op~1|op~2|``, are (1<-0), (2<-0), (2<-1), (3<-0), (3<-1), (3<-2).

Representations (all convertible, all vectorised over index arrays):

- index: position in the space's order (by default NAS-Bench-201's official order when built from
  a benchmark table, see :meth:`NB201Space.with_order`; otherwise the canonical mixed-radix order
  of the operation vector);
- architecture string, as in NAS-Bench-201 / NATS-Bench;
- operation-index vector, shape ``(6,)``, values indexing :data:`NB201_OPS`;
- the few-shot-NAS key, a Python-literal string of node-by-node ``(op, input)`` tuples;
- one-hot features, shape ``(30,)``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.errors import ArchitectureError
from cenas.space._base import SearchSpace

__all__ = ["NB201_EDGES", "NB201_OPS", "NB201Space"]

NB201_OPS: tuple[str, ...] = (
    "none",
    "skip_connect",
    "nor_conv_1x1",
    "nor_conv_3x3",
    "avg_pool_3x3",
)
# (target node, input node) per edge, in architecture-string order.
NB201_EDGES: tuple[tuple[int, int], ...] = ((1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2))

_N_EDGES = len(NB201_EDGES)
_N_OPS = len(NB201_OPS)
_SIZE: int = int(_N_OPS**_N_EDGES)
_OP_ID = {op: i for i, op in enumerate(NB201_OPS)}
_RADIX = _N_OPS ** np.arange(_N_EDGES - 1, -1, -1, dtype=np.int64)  # edge 0 most significant
_EDGE_RE = re.compile(r"^([a-z0-9_]+)~(\d+)$")


def _parse_string(arch: str) -> list[int]:
    """Operation vector of an architecture string, with errors that say what is wrong."""
    if not isinstance(arch, str):
        raise ArchitectureError(f"architecture must be a string, got {type(arch).__name__}")
    nodes = arch.split("+")
    if len(nodes) != 3:
        raise ArchitectureError(
            f"architecture {arch!r} must have 3 node groups separated by '+', found {len(nodes)}"
        )
    ops: list[int] = []
    for node, group in enumerate(nodes, start=1):
        if not (group.startswith("|") and group.endswith("|")) or len(group) < 2:
            raise ArchitectureError(
                f"architecture {arch!r}: node group {group!r} must be enclosed in '|'"
            )
        edges = group[1:-1].split("|")
        if len(edges) != node:
            raise ArchitectureError(
                f"architecture {arch!r}: node {node} must have {node} input edge(s), "
                f"found {len(edges)} in {group!r}"
            )
        for expected_input, edge in enumerate(edges):
            m = _EDGE_RE.match(edge)
            if m is None:
                raise ArchitectureError(
                    f"architecture {arch!r}: edge {edge!r} must look like 'op~input'"
                )
            op, inp = m.group(1), int(m.group(2))
            if op not in _OP_ID:
                raise ArchitectureError(
                    f"architecture {arch!r}: unknown operation {op!r}; expected one of "
                    f"{', '.join(NB201_OPS)}"
                )
            if inp != expected_input:
                raise ArchitectureError(
                    f"architecture {arch!r}: edge {edge!r} of node {node} must take input "
                    f"{expected_input}, not {inp}"
                )
            ops.append(_OP_ID[op])
    return ops


class NB201Space(SearchSpace):
    """The NAS-Bench-201 cell space in a fixed index order.

    Args:
        order: operation vectors in index order, shape ``(15625, 6)``, a permutation of the whole
            space; None gives the canonical mixed-radix order.
    """

    name = "nb201"

    def __init__(self, order: NDArray[np.integer] | None = None) -> None:
        if order is None:
            codes = np.arange(_SIZE, dtype=np.int64)
            ops = (codes[:, None] // _RADIX[None, :]) % _N_OPS
        else:
            ops = np.asarray(order, dtype=np.int64)
            if ops.shape != (_SIZE, _N_EDGES) or ops.min() < 0 or ops.max() >= _N_OPS:
                raise ArchitectureError(
                    f"order must be a ({_SIZE}, {_N_EDGES}) array of operation ids in "
                    f"[0, {_N_OPS}), got shape {ops.shape}"
                )
            codes = ops @ _RADIX
            if np.unique(codes).size != _SIZE:
                raise ArchitectureError("order must list every architecture exactly once")
        self._ops = ops.astype(np.int8)
        self._ops.setflags(write=False)
        self._code_to_index = np.empty(_SIZE, dtype=np.int64)
        self._code_to_index[codes] = np.arange(_SIZE, dtype=np.int64)
        self._strings: list[str] | None = None

    @classmethod
    def with_order(cls, archs: Sequence[str]) -> NB201Space:
        """A space whose index ``i`` is ``archs[i]`` (e.g. NAS-Bench-201's official order)."""
        if len(archs) != _SIZE:
            raise ArchitectureError(f"expected {_SIZE} architecture strings, got {len(archs)}")
        return cls(np.array([_parse_string(a) for a in archs], dtype=np.int64))

    @property
    def size(self) -> int:
        return _SIZE

    # -- conversions -------------------------------------------------------------------------
    def op_vectors(self, idx: ArrayLike) -> NDArray[np.int8]:
        """Operation ids per edge, shape ``(n, 6)``."""
        return self._ops[self.check_indices(idx)]

    def from_op_vectors(self, ops: ArrayLike) -> NDArray[np.int64]:
        """Indices of operation vectors, shape ``(n, 6)`` -> ``(n,)``."""
        arr = np.atleast_2d(np.asarray(ops))
        if arr.shape[-1] != _N_EDGES or arr.ndim != 2:
            raise ArchitectureError(f"operation vectors must have shape (n, 6), got {arr.shape}")
        if arr.size and (arr.min() < 0 or arr.max() >= _N_OPS):
            raise ArchitectureError(
                f"operation ids must be in [0, {_N_OPS}), got {arr.min()}..{arr.max()}"
            )
        out: NDArray[np.int64] = self._code_to_index[arr.astype(np.int64) @ _RADIX]
        return out

    def _all_strings(self) -> list[str]:
        if self._strings is None:
            names = np.array(NB201_OPS, dtype=object)[self._ops]
            self._strings = [
                f"|{r[0]}~0|+|{r[1]}~0|{r[2]}~1|+|{r[3]}~0|{r[4]}~1|{r[5]}~2|" for r in names
            ]
        return self._strings

    def to_string(self, idx: int) -> str:
        return self._all_strings()[self.index_of(idx)]

    def to_strings(self, idx: ArrayLike) -> list[str]:
        """Architecture strings of an index array."""
        s = self._all_strings()
        return [s[i] for i in self.check_indices(idx)]

    def from_string(self, arch: str) -> int:
        return int(self.from_op_vectors(np.array([_parse_string(arch)]))[0])

    def from_strings(self, archs: Sequence[str]) -> NDArray[np.int64]:
        """Indices of many architecture strings."""
        return self.from_op_vectors(np.array([_parse_string(a) for a in archs], dtype=np.int64))

    def fewshot_keys(self, idx: ArrayLike) -> list[str]:
        """Keys of the few-shot-NAS supernet tables, e.g.
        ``"[(('avg_pool_3x3', 0),), (('none', 0), ('none', 1)), ...]"``."""
        out = []
        for r in self.op_vectors(idx):
            o = [NB201_OPS[k] for k in r]
            out.append(
                f"[(({o[0]!r}, 0),), (({o[1]!r}, 0), ({o[2]!r}, 1)), "
                f"(({o[3]!r}, 0), ({o[4]!r}, 1), ({o[5]!r}, 2))]"
            )
        return out

    def from_fewshot_key(self, key: str) -> int:
        """Index of a few-shot-NAS key; raises :class:`ArchitectureError` when malformed."""
        pairs = re.findall(r"\('([a-z0-9_]+)', (\d+)\)", key)
        if len(pairs) != _N_EDGES:
            raise ArchitectureError(
                f"few-shot key {key!r} must hold {_N_EDGES} ('op', input) pairs, found {len(pairs)}"
            )
        arch = "+".join(
            "|" + "|".join(f"{op}~{inp}" for op, inp in pairs[a:b]) + "|"
            for a, b in ((0, 1), (1, 3), (3, 6))
        )
        return self.from_string(arch)

    def features(self, idx: ArrayLike) -> NDArray[np.float64]:
        """One-hot encoding, shape ``(n, 30)``: edge-major blocks of 5 operations."""
        ops = self.op_vectors(idx).astype(np.int64)
        out = np.zeros((ops.shape[0], _N_EDGES * _N_OPS), dtype=np.float64)
        cols = np.arange(_N_EDGES) * _N_OPS + ops
        np.put_along_axis(out, cols, 1.0, axis=1)
        return out

    def neighbours(self, idx: int) -> NDArray[np.int64]:
        """The 24 architectures differing from ``idx`` in exactly one edge's operation."""
        base = self.op_vectors(np.array([idx]))[0].astype(np.int64)
        cand = np.repeat(base[None, :], _N_EDGES * _N_OPS, axis=0)
        edge = np.repeat(np.arange(_N_EDGES), _N_OPS)
        cand[np.arange(cand.shape[0]), edge] = np.tile(np.arange(_N_OPS), _N_EDGES)
        keep = cand[np.arange(cand.shape[0]), edge] != base[edge]
        return self.from_op_vectors(cand[keep])
