"""The tabular-benchmark abstraction: metric metadata and vectorised queries."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.errors import BenchmarkError
from cenas.space import SearchSpace

__all__ = ["Benchmark", "Direction", "Metric"]


class Direction(StrEnum):
    """Whether larger or smaller values of a metric are better."""

    MIN = "min"
    MAX = "max"


@dataclass(frozen=True)
class Metric:
    """Metadata of one benchmark column.

    Attributes:
        name: identifier used in queries and on the command line, e.g. ``cifar10_test_acc``.
        unit: unit of the values, e.g. ``%``, ``ms``, ``s``, ``MB``, ``mJ``, ``kWh``.
        direction: which way is better.
        description: one line for humans.
        estimates: for a cheap estimate (e.g. a supernet's accuracy), the name of the true metric
            it stands in for; None for a true measurement.
    """

    name: str
    unit: str
    direction: Direction
    description: str = ""
    estimates: str | None = None


class Benchmark(ABC):
    """A tabular benchmark over a finite :class:`SearchSpace`.

    Values are float64; a metric unavailable for an architecture is NaN.
    """

    name: str = "benchmark"

    @property
    @abstractmethod
    def space(self) -> SearchSpace:
        """The search space whose indices the benchmark is keyed by."""

    @property
    @abstractmethod
    def metrics(self) -> Mapping[str, Metric]:
        """Available metrics by name, in a stable order."""

    @abstractmethod
    def column(self, metric: str) -> NDArray[np.float64]:
        """All values of one metric, shape ``(space.size,)`` (a read-only view is fine)."""

    # Simulator hooks: which metric is the cost of training to convergence, and which estimate
    # (one-shot supernet) stands in for which true metric. Subclasses override as they can.
    train_time_metric: str | None = None

    def metric(self, name: str) -> Metric:
        """Metadata of one metric; raises :class:`BenchmarkError` naming the available ones."""
        try:
            return self.metrics[name]
        except KeyError:
            raise BenchmarkError(
                f"unknown metric {name!r} for benchmark {self.name!r}; available: "
                f"{', '.join(self.metrics)}"
            ) from None

    def query_many(self, idx: ArrayLike, metrics: Sequence[str]) -> NDArray[np.float64]:
        """Values of ``metrics`` for an index array, shape ``(len(idx), len(metrics))``."""
        arr = self.space.check_indices(idx)
        for m in metrics:
            self.metric(m)
        out = np.empty((arr.shape[0], len(metrics)), dtype=np.float64)
        for j, m in enumerate(metrics):
            out[:, j] = self.column(m)[arr]
        return out

    def query(self, arch: int | str, metrics: Sequence[str] | None = None) -> dict[str, float]:
        """All (or the named) metrics of one architecture given by index or string."""
        i = self.space.index_of(arch)
        names = list(metrics) if metrics is not None else list(self.metrics)
        row = self.query_many(np.array([i]), names)[0]
        return {n: float(v) for n, v in zip(names, row, strict=True)}

    def estimate_of(self, metric: str) -> str:
        """Name of the cheap estimate of ``metric`` (itself when none is declared: hardware
        metrics from a look-up table need no training to know)."""
        self.metric(metric)
        for m in self.metrics.values():
            if m.estimates == metric:
                return m.name
        return metric
