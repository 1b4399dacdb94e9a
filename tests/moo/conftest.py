"""A tiny synthetic space and benchmark for the moo tests (no reference data needed)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import ArrayLike, NDArray

from cenas.bench import Direction, Metric, TableBenchmark
from cenas.space import SearchSpace

GENES = 4
CATS = 4


class ToySpace(SearchSpace):
    """``CATS ** GENES`` architectures; genes are base-``CATS`` digits of the index."""

    name = "toy"

    @property
    def size(self) -> int:
        return CATS**GENES

    def op_vectors(self, idx: ArrayLike) -> NDArray[np.int8]:
        i = self.check_indices(idx)
        radix = CATS ** np.arange(GENES - 1, -1, -1)
        return ((i[:, None] // radix[None, :]) % CATS).astype(np.int8)

    def from_op_vectors(self, ops: ArrayLike) -> NDArray[np.int64]:
        arr = np.atleast_2d(np.asarray(ops, dtype=np.int64))
        radix = CATS ** np.arange(GENES - 1, -1, -1)
        return np.asarray(arr @ radix, dtype=np.int64)

    def features(self, idx: ArrayLike) -> NDArray[np.float64]:
        ops = self.op_vectors(idx).astype(np.int64)
        out = np.zeros((ops.shape[0], GENES * CATS))
        np.put_along_axis(out, np.arange(GENES) * CATS + ops, 1.0, axis=1)
        return out

    def to_string(self, idx: int) -> str:
        return "-".join(str(int(g)) for g in self.op_vectors([idx])[0])

    def from_string(self, arch: str) -> int:
        return int(self.from_op_vectors([[int(g) for g in arch.split("-")]])[0])

    def neighbours(self, idx: int) -> NDArray[np.int64]:
        base = self.op_vectors([idx])[0].astype(np.int64)
        out = []
        for g in range(GENES):
            for c in range(CATS):
                if c != base[g]:
                    v = base.copy()
                    v[g] = c
                    out.append(v)
        return self.from_op_vectors(np.array(out))


class PlainToySpace(ToySpace):
    """The same space seen only through the SearchSpace ABC (no categorical genome)."""

    op_vectors = None  # type: ignore[assignment]
    from_op_vectors = None  # type: ignore[assignment]

    def _ops(self, idx: ArrayLike) -> NDArray[np.int64]:
        return ToySpace.op_vectors(self, idx).astype(np.int64)  # type: ignore[arg-type]

    def features(self, idx: ArrayLike) -> NDArray[np.float64]:
        ops = self._ops(idx)
        out = np.zeros((ops.shape[0], GENES * CATS))
        np.put_along_axis(out, np.arange(GENES) * CATS + ops, 1.0, axis=1)
        return out

    def to_string(self, idx: int) -> str:
        return "-".join(str(int(g)) for g in self._ops([idx])[0])

    def neighbours(self, idx: int) -> NDArray[np.int64]:
        radix = CATS ** np.arange(GENES - 1, -1, -1)
        base = self._ops([idx])[0]
        out = []
        for g in range(GENES):
            for c in range(CATS):
                if c != base[g]:
                    v = base.copy()
                    v[g] = c
                    out.append(int(v @ radix))
        return np.array(out, dtype=np.int64)


def toy_benchmark_of(space: ToySpace) -> TableBenchmark:
    """Accuracy rises with gene values, latency and energy rise with them too (a trade-off)."""
    ops = ToySpace.op_vectors(space, space.all_indices()).astype(np.float64)
    w = np.array([3.0, 2.0, 1.5, 1.0])
    cols = {
        "acc": 50.0 + 10.0 * np.sqrt(ops @ w),
        "lat_ms": 1.0 + ops.sum(axis=1) + 0.3 * ops[:, 0] * ops[:, 3],
        "energy_mj": 2.0 + (ops**2) @ w[::-1] / 5.0,
    }
    metrics = {
        "acc": Metric("acc", "%", Direction.MAX),
        "lat_ms": Metric("lat_ms", "ms", Direction.MIN),
        "energy_mj": Metric("energy_mj", "mJ", Direction.MIN),
    }
    return TableBenchmark(space, cols, metrics)


@pytest.fixture
def toy_space() -> ToySpace:
    return ToySpace()


@pytest.fixture
def plain_toy_space() -> PlainToySpace:
    return PlainToySpace()


@pytest.fixture
def toy_bench(toy_space: ToySpace) -> TableBenchmark:
    return toy_benchmark_of(toy_space)
