"""One wave of the live runner: which tasks the core hands out, and reporting them back."""

from __future__ import annotations

from typing import Any

import numpy as np

from cenas.alloc import Allocation
from cenas.errors import StoreError
from cenas.runner._workload import TaskKind, TaskSpec
from cenas.search import CENASSearch, EstimationTask, EvaluationTask, SupernetTask

__all__ = ["region_members", "report_wave", "seed_of", "wave_tasks"]


def seed_of(seed: int, *parts: int) -> int:
    """A child seed of ``seed`` named by ``parts`` (independent of the order tasks run in)."""
    return int(np.random.SeedSequence([seed, *parts]).generate_state(1)[0] & 0x7FFFFFFF)


def region_members(core: CENASSearch, region_id: int) -> tuple[int, ...]:
    """The architectures of the core's current region (empty for region 0, the whole space).

    A supernet task is handed out right after the refit that made its region current, so the
    core's membership mask (:attr:`CENASSearch.region_members`) is that region's.
    """
    if region_id == 0:
        return ()
    if core.region.id != region_id:
        raise StoreError(f"region {region_id} is not the current region {core.region.id}")
    mask = core.region_members
    return tuple(int(i) for i in np.flatnonzero(mask))


def wave_tasks(
    k: int, wave: int, core: CENASSearch, alloc: Allocation, seed: int, idle_sample: bool
) -> tuple[list[TaskSpec], dict[str, Any]]:
    """The tasks of one wave, at most one per worker: evaluation workers first (an idle one
    samples when ``idle_sample``), then sampling workers. Keys are ``e<k>.w<wave>.<j>``."""
    specs: list[TaskSpec] = []
    tasks: dict[str, Any] = {}

    def add(task: Any) -> None:
        key = f"e{k}.w{wave}.{len(specs)}"
        if isinstance(task, EvaluationTask):
            sp = TaskSpec(key, TaskKind.EVALUATE, (task.index,), 0, seed_of(seed, 2, task.index))
        elif isinstance(task, SupernetTask):
            sp = TaskSpec(
                key,
                TaskKind.SUPERNET,
                (),
                task.region_id,
                seed_of(seed, 3, task.region_id),
                region_members(core, task.region_id),
            )
        else:
            sp = TaskSpec(
                key, TaskKind.ESTIMATE, tuple(int(i) for i in task.indices), task.region_id
            )
        specs.append(sp)
        tasks[key] = task

    for _ in range(alloc.evaluation_gpus):
        ev = core.next_evaluation()
        if ev is not None:
            add(ev)
        elif idle_sample:
            st = core.next_sampling()
            if st is not None:
                add(st)
    for _ in range(alloc.sampling_gpus):
        st = core.next_sampling()
        if st is not None:
            add(st)
    return specs, tasks


def report_wave(
    core: CENASSearch,
    specs: list[TaskSpec],
    tasks: dict[str, Any],
    recorded: dict[str, dict[str, Any]],
    stopped: bool,
    where: str,
) -> None:
    """Report a wave's recorded results to the core in task order, whatever order they finished
    in (this is what makes the run a deterministic function of its record).

    Raises:
    StoreError: the record does not match the task the core hands out now (changed code or
        configuration).
    """
    for sp in specs:
        ev = recorded.get(sp.key)
        if ev is None:
            if stopped:
                continue  # never started: the budget stopped the search
            raise StoreError(f"task {sp.key} has no recorded outcome")  # pragma: no cover
        if ev["kind"] != sp.kind.value or list(ev["indices"]) != list(sp.indices):
            raise StoreError(
                f"{where}: the run diverges from its record at task {sp.key}: recorded "
                f"{ev['kind']} {ev['indices']}, now {sp.kind.value} {list(sp.indices)}; was "
                "the code or the configuration changed?"
            )
        task = tasks[sp.key]
        ok = ev["status"] == "ok"
        if isinstance(task, SupernetTask):
            core.report_supernet(task)  # a failed supernet: estimates use an older one
        elif isinstance(task, EstimationTask):
            y = np.asarray(ev["y"], dtype=np.float64) if ok else None
            if y is None:
                y = np.full((task.indices.size, core.observed.y.shape[1]), np.nan)
            core.report_estimation(task, y)
        elif ok:
            core.report_evaluation(task, np.asarray(ev["y"][0], dtype=np.float64))
