"""Workloads for tests of the runner: a fast tabular one and one that injects worker faults."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cenas.runner._workload import EvaluatorWorkload, Workload

__all__ = ["FaultyWorkload", "toy_workload"]


def toy_workload(seed: int = 0, positions: int = 3, choices: int = 4) -> EvaluatorWorkload:
    """A tabular workload on :class:`cenas.sim.testing.ToyBenchmark` (look-ups, no torch)."""
    from cenas.bench import Objectives
    from cenas.search import TabularEvaluator
    from cenas.sim.testing import ToyBenchmark, ToySpace

    obj = Objectives.parse("acc:max,lat_ms:min")
    bench = ToyBenchmark(ToySpace(positions, choices), seed=seed, train_time_s=60.0)
    return EvaluatorWorkload(TabularEvaluator(bench, obj), bench.space, [0.0, 100.0])


class FaultyWorkload(Workload):
    """Wraps a workload; evaluating ``raise_on`` always raises, evaluating ``kill_on`` kills the
    worker process (SIGKILL) the first time only (a marker file in ``marker_dir`` remembers)."""

    def __init__(
        self, base: Workload, *, raise_on: set[int], kill_on: set[int], marker_dir: str
    ) -> None:
        self.base = base
        self.space, self.objectives = base.space, base.objectives
        self.maximize, self.ref_point = base.maximize, base.ref_point
        self.raise_on, self.kill_on, self.marker_dir = raise_on, kill_on, marker_dir

    def train_supernet(
        self, region_id: int, seed: int, workdir: Path, members: tuple[int, ...] = ()
    ) -> dict[str, Any]:
        return self.base.train_supernet(region_id, seed, workdir, members)

    def estimate(
        self, indices: NDArray[np.int64], region_id: int, workdir: Path
    ) -> tuple[NDArray[np.float64], dict[str, Any]]:
        return self.base.estimate(indices, region_id, workdir)

    def evaluate(self, index: int, seed: int) -> NDArray[np.float64]:
        if index in self.raise_on:
            raise RuntimeError(f"injected failure evaluating {index}")
        marker = Path(self.marker_dir) / f"killed-{index}"
        if index in self.kill_on and not marker.exists():
            marker.write_text("x")
            os.kill(os.getpid(), signal.SIGKILL)
        return self.base.evaluate(index, seed)
