"""A small synthetic two-objective benchmark over the 91 cells of at most 4 vertices."""

from __future__ import annotations

import numpy as np
import pytest

from cenas.bench import Direction, Metric, TableBenchmark
from cenas.space import NB101CellSpace, enumerate_nb101_cells, nb101_param_count


def make_toy_benchmark() -> TableBenchmark:
    """Accuracy grows with log-parameters plus a cell-dependent wiggle; energy with parameters."""
    space = NB101CellSpace(enumerate_nb101_cells(4), name="nb101-4v")
    params = np.array([nb101_param_count(c) for c in space.cells], dtype=np.float64)
    wiggle = np.array([int(h[:4], 16) / 65535.0 for h in space.hashes])
    cols = {
        "acc": 40 + 5 * np.log(params / params.min()) + 10 * wiggle,
        "energy_kwh": 1e-9 * params + 0.002 * wiggle,
        "time_s": params / 1e5,
    }
    metrics = {
        "acc": Metric("acc", "%", Direction.MAX),
        "energy_kwh": Metric("energy_kwh", "kWh", Direction.MIN),
        "time_s": Metric("time_s", "s", Direction.MIN),
    }
    bench = TableBenchmark(space, cols, metrics)
    bench.name = "toy-nb101-4v"
    bench.train_time_metric = "time_s"
    return bench


@pytest.fixture(scope="session")
def toy_benchmark() -> TableBenchmark:
    return make_toy_benchmark()
