"""What workers do: the three kinds of task, as plain picklable data, and the worker entry point.

A :class:`Workload` holds everything a worker needs (the data, the training settings) and knows
how to train a region's supernet, estimate architectures with it, and train one architecture to
convergence. Workloads are pickled to worker processes (local or Ray), so they hold data, not
open handles. :func:`run_task` is the one worker entry point: it runs one task under an energy
meter and returns plain data.
"""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cenas.energy import J_PER_KWH, EnergyMeter, ProcessCpuUtilisation, discover_meters
from cenas.search import Evaluator
from cenas.space import SearchSpace

__all__ = ["EvaluatorWorkload", "TaskKind", "TaskResult", "TaskSpec", "Workload", "run_task"]


class TaskKind(StrEnum):
    """The kinds of work a worker runs."""

    SUPERNET = "supernet"
    ESTIMATE = "estimate"
    EVALUATE = "evaluate"


@dataclass(frozen=True)
class TaskSpec:
    """One unit of work for a worker.

    Attributes:
        key: unique and deterministic within a run (``e<epoch>.w<wave>.<slot>``); a resumed run
            finds a finished task's recorded result by it.
        kind: what to do.
        indices: the architectures (one for ``evaluate``, the batch for ``estimate``, none for
            ``supernet``).
        region_id: the region (its supernet) for ``supernet``/``estimate``.
        seed: the task's seed (training order, initialisation).
        members: for ``supernet``: the region's architectures (empty: the whole space).
    """

    key: str
    kind: TaskKind
    indices: tuple[int, ...] = ()
    region_id: int = 0
    seed: int = 0
    members: tuple[int, ...] = ()


@dataclass(frozen=True)
class TaskResult:
    """What a worker returns.

    Attributes:
        y: objectives, minimisation form, shape ``(len(indices), m)`` as nested lists (empty for
            ``supernet``).
        energy_kwh: energy measured while the task ran.
        meter: what measured it.
        started_s, ended_s: the worker's wall-clock times (UNIX seconds) around the task.
        info: extra facts (e.g. which supernet an estimate used).
    """

    y: list[list[float]]
    energy_kwh: float
    meter: str
    started_s: float
    ended_s: float
    info: dict[str, Any] = field(default_factory=dict)


class Workload(ABC):
    """The work of a search: its space, its objectives, and the three kinds of task.

    Attributes:
        space: the search space (architectures are int64 indices).
        objectives: objective names.
        maximize: per objective, whether larger is better (results are minimisation form).
        ref_point: hypervolume reference point, minimisation form, one value per objective.
    """

    space: SearchSpace
    objectives: list[str]
    maximize: list[bool]
    ref_point: list[float]

    @abstractmethod
    def train_supernet(
        self, region_id: int, seed: int, workdir: Path, members: tuple[int, ...] = ()
    ) -> dict[str, Any]:
        """Train (or fine-tune) the supernet of a region (its ``members``; empty: the whole
        space); returns facts for the record."""

    @abstractmethod
    def estimate(
        self, indices: NDArray[np.int64], region_id: int, workdir: Path
    ) -> tuple[NDArray[np.float64], dict[str, Any]]:
        """One-shot estimates (minimisation form, shape ``(k, m)``) and facts for the record."""

    @abstractmethod
    def evaluate(self, index: int, seed: int) -> NDArray[np.float64]:
        """True objectives after training to convergence, minimisation form, shape ``(m,)``."""

    def evaluate_with_info(
        self, index: int, seed: int
    ) -> tuple[NDArray[np.float64], dict[str, Any]]:
        """:meth:`evaluate` with facts for the record (override to add them)."""
        return self.evaluate(index, seed), {}

    def describe(self) -> dict[str, Any]:
        """Facts for the record: data checksums, settings (override to add)."""
        return {"workload": type(self).__name__}


class EvaluatorWorkload(Workload):
    """Any :class:`cenas.search.Evaluator` as a workload (e.g. the tabular one: look-ups)."""

    def __init__(self, evaluator: Evaluator, space: SearchSpace, ref_point: list[float]) -> None:
        self.evaluator = evaluator
        self.space = space
        self.ref_point = [float(v) for v in ref_point]
        self.objectives = list(evaluator.objectives.metrics)
        self.maximize = [bool(s < 0) for s in evaluator.objectives.signs]

    def train_supernet(
        self, region_id: int, seed: int, workdir: Path, members: tuple[int, ...] = ()
    ) -> dict[str, Any]:
        return {"supernet": "tabular: the benchmark's estimate columns"}

    def estimate(
        self, indices: NDArray[np.int64], region_id: int, workdir: Path
    ) -> tuple[NDArray[np.float64], dict[str, Any]]:
        return np.asarray(self.evaluator.estimate(indices), dtype=np.float64), {}

    def evaluate(self, index: int, seed: int) -> NDArray[np.float64]:
        out: NDArray[np.float64] = np.asarray(self.evaluator.evaluate([index]), dtype=np.float64)
        row: NDArray[np.float64] = out[0]
        return row

    def describe(self) -> dict[str, Any]:
        return {"workload": "evaluator", "evaluator": type(self.evaluator).__name__}


_METERS: tuple[EnergyMeter, ...] | None = None


def _meters(tdp_w: float | None) -> tuple[EnergyMeter, ...]:
    """The meters of this worker process (found once); the CPU model, when RAPL cannot be read,
    charges this process's own CPU time."""
    global _METERS
    if _METERS is None:
        found = discover_meters(
            tdp_w=tdp_w, utilisation=ProcessCpuUtilisation(os.getpid()), use_nvml=True
        )
        _METERS = found.meters
    return _METERS


def run_task(
    workload: Workload, spec: TaskSpec, workdir: str, tdp_w: float | None = None
) -> TaskResult:
    """Run one task in this (worker) process under an energy meter."""
    meters = _meters(tdp_w)
    t0 = time.time()
    for m in meters:
        m.start(t0)
    info: dict[str, Any] = {"pid": os.getpid()}
    y: NDArray[np.float64]
    if spec.kind is TaskKind.SUPERNET:
        info.update(workload.train_supernet(spec.region_id, spec.seed, Path(workdir), spec.members))
        y = np.zeros((0, len(workload.objectives)))
    elif spec.kind is TaskKind.ESTIMATE:
        y, more = workload.estimate(
            np.asarray(spec.indices, dtype=np.int64), spec.region_id, Path(workdir)
        )
        info.update(more)
    else:
        row, more = workload.evaluate_with_info(spec.indices[0], spec.seed)
        y = row.reshape(1, -1)
        info.update(more)
    t1 = time.time()
    # a workload that measured its own task (cenas.live's tracker) reports that energy; else the
    # worker's meters around the whole call
    energy_kwh = info.pop("measured_energy_kwh", None)
    meter = info.pop("measured_meter", None)
    if energy_kwh is None:
        energy_kwh = sum(sum(m.energy_j(t1).values()) for m in meters) / J_PER_KWH
        meter = "+".join(m.name for m in meters)
    return TaskResult(
        y=np.asarray(y, dtype=np.float64).tolist(),
        energy_kwh=float(energy_kwh),
        meter=str(meter),
        started_s=t0,
        ended_s=t1,
        info=info,
    )
