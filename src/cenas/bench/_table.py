"""A benchmark held as a table of columns: the common case of every tabular benchmark."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.bench._base import Benchmark, Metric
from cenas.errors import DataError
from cenas.space import SearchSpace

__all__ = ["TableBenchmark"]


class TableBenchmark(Benchmark):
    """A :class:`Benchmark` whose metrics are float64 columns indexed by architecture.

    Args:
        space: the search space; every column has ``space.size`` values.
        columns: metric name -> values (copied into read-only float64 arrays).
        metrics: metadata for exactly the names in ``columns``.
        data_files: where the values came from (file name -> SHA-256, or a label), recorded
            with every run.
    """

    def __init__(
        self,
        space: SearchSpace,
        columns: Mapping[str, ArrayLike],
        metrics: Mapping[str, Metric],
        data_files: Mapping[str, str] | None = None,
    ) -> None:
        differ = set(metrics) ^ set(columns)
        if differ:
            raise DataError(f"metrics and columns disagree on {sorted(differ)}")
        self._space = space
        self._columns: dict[str, NDArray[np.float64]] = {}
        for name, values in columns.items():
            col = np.array(values, dtype=np.float64)
            if col.shape != (space.size,):
                raise DataError(f"column {name!r} has shape {col.shape}, expected ({space.size},)")
            col.setflags(write=False)
            self._columns[name] = col
        self._metrics = dict(metrics)
        self.data_files: dict[str, str] = dict(data_files or {})

    @property
    def space(self) -> SearchSpace:
        return self._space

    @property
    def metrics(self) -> Mapping[str, Metric]:
        return self._metrics

    def column(self, metric: str) -> NDArray[np.float64]:
        self.metric(metric)
        return self._columns[metric]
