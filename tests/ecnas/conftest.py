"""A small synthetic two-objective benchmark over the 91 cells of at most 4 vertices."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest
from numpy.typing import NDArray

from cenas.bench import Benchmark, Direction, Metric
from cenas.space import NB101CellSpace, enumerate_nb101_cells, nb101_param_count


class ToyBenchmark(Benchmark):
    """Accuracy grows with log-parameters plus a cell-dependent wiggle; energy with parameters."""

    name = "toy-nb101-4v"
    train_time_metric = "time_s"

    def __init__(self) -> None:
        self._space = NB101CellSpace(enumerate_nb101_cells(4), name="nb101-4v")
        params = np.array([nb101_param_count(c) for c in self._space.cells], dtype=np.float64)
        wiggle = np.array([int(h[:4], 16) / 65535.0 for h in self._space.hashes])
        self._cols = {
            "acc": 40 + 5 * np.log(params / params.min()) + 10 * wiggle,
            "energy_kwh": 1e-9 * params + 0.002 * wiggle,
            "time_s": params / 1e5,
        }
        self._metrics = {
            "acc": Metric("acc", "%", Direction.MAX),
            "energy_kwh": Metric("energy_kwh", "kWh", Direction.MIN),
            "time_s": Metric("time_s", "s", Direction.MIN),
        }

    @property
    def space(self) -> NB101CellSpace:
        return self._space

    @property
    def metrics(self) -> Mapping[str, Metric]:
        return self._metrics

    def column(self, metric: str) -> NDArray[np.float64]:
        self.metric(metric)
        return self._cols[metric]


@pytest.fixture(scope="session")
def toy_benchmark() -> ToyBenchmark:
    return ToyBenchmark()
