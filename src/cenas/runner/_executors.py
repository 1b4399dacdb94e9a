"""Executors: run a batch of tasks on workers, retry failures, report each result at once.

The runner hands an executor one wave of tasks (at most one per worker) and a callback; the
executor calls it for every task as soon as it finishes (so the driver stores the result before
anything else can go wrong), retries a task that raised or whose worker died up to ``retries``
times, and then reports it as failed. The run goes on either way.

Orphans: local workers watch their parent and exit when it disappears (``kill -9`` of the driver
included), so no worker outlives the driver. A local Ray instance started by the driver shares
its fate the same way (Ray's own mechanism).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any

from cenas.errors import ConfigError
from cenas.runner._workload import TaskResult, TaskSpec, Workload, run_task

__all__ = ["Executor", "InlineExecutor", "LocalExecutor", "Outcome", "RayExecutor"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """How a task ended: its result, or the error of its last attempt.

    Attributes:
        result: the worker's result, None when the task failed.
        error: ``<ExceptionType>: <message>`` of the last failure, None on success.
        attempts: attempts made (1 + retries used).
    """

    result: TaskResult | None
    error: str | None
    attempts: int


OnDone = Callable[[TaskSpec, Outcome], None]


class Executor(ABC):
    """Runs tasks of one workload on ``slots`` workers."""

    slots: int
    name: str = "executor"

    @abstractmethod
    def run(self, specs: Sequence[TaskSpec], on_done: OnDone) -> None:
        """Run every task (retrying failures) and call ``on_done`` once per task as it ends."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the workers."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class InlineExecutor(Executor):
    """Runs tasks one after another in the driver process (benchmarks, debugging).

    A task that raises is retried ``retries`` times, then reported failed; there is no worker
    to die.
    """

    name = "inline"

    def __init__(
        self, workload: Workload, workdir: str, *, retries: int = 0, tdp_w: float | None = None
    ) -> None:
        self.slots, self.workload, self.workdir = 1, workload, workdir
        self.retries, self.tdp_w = retries, tdp_w

    def run(self, specs: Sequence[TaskSpec], on_done: OnDone) -> None:
        for s in specs:
            for attempt in range(1, self.retries + 2):
                try:
                    res = run_task(self.workload, s, self.workdir, self.tdp_w)
                except Exception as e:
                    if attempt > self.retries:
                        on_done(s, Outcome(None, _describe(e), attempt))
                    continue
                on_done(s, Outcome(res, None, attempt))
                break


# ---------------------------------------------------------------------------- local workers
_WORKLOAD: Workload | None = None
_WORKDIR = ""
_TDP: float | None = None


def _watch_parent(parent_pid: int) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(70)  # the driver is gone: never outlive it
        time.sleep(0.2)


def _init_worker(driver_pid: int, workload: Workload, workdir: str, tdp_w: float | None) -> None:
    global _WORKLOAD, _WORKDIR, _TDP
    _WORKLOAD, _WORKDIR, _TDP = workload, workdir, tdp_w
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    # spawned workers are children of the driver: a changed parent means the driver is gone
    threading.Thread(target=_watch_parent, args=(driver_pid,), daemon=True).start()


def _run_in_worker(spec: TaskSpec) -> TaskResult:
    if _WORKLOAD is None:  # pragma: no cover - the initializer always runs first
        raise RuntimeError("worker was not initialised")
    return run_task(_WORKLOAD, spec, _WORKDIR, _TDP)


def _describe(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"


class LocalExecutor(Executor):
    """Worker processes on this machine (spawned, one task at a time each).

    Args:
        workload: what the workers run (sent to each worker once).
        slots: number of worker processes.
        workdir: directory shared with the workers (supernet weights).
        retries: extra attempts per task.
        tdp_w: CPU TDP for the CPU energy model, W.
    """

    name = "local"

    def __init__(
        self,
        workload: Workload,
        slots: int,
        workdir: str,
        *,
        retries: int = 1,
        tdp_w: float | None = None,
    ) -> None:
        if slots < 1:
            raise ConfigError(f"a local executor needs >= 1 worker slot, but got {slots}")
        self.workload, self.slots, self.workdir = workload, slots, workdir
        self.retries, self.tdp_w = retries, tdp_w
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # Spawned, not forked: no worker inherits the driver's threads or its open store,
            # and each is the driver's own child, so it can tell when the driver dies (a fork
            # server would outlive a killed driver, and so would its workers).
            self._pool = ProcessPoolExecutor(
                max_workers=self.slots,
                mp_context=get_context("spawn"),
                initializer=_init_worker,
                initargs=(os.getpid(), self.workload, self.workdir, self.tdp_w),
            )
        return self._pool

    def _drop_pool(self) -> None:
        if self._pool is not None:
            for p in list(getattr(self._pool, "_processes", {}).values()):
                if p.is_alive():
                    p.kill()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def run(self, specs: Sequence[TaskSpec], on_done: OnDone) -> None:
        attempts = {s.key: 0 for s in specs}
        todo = list(specs)
        while todo:
            pool = self._get_pool()
            running: dict[Future[TaskResult], TaskSpec] = {}
            for s in todo:
                attempts[s.key] += 1
                running[pool.submit(_run_in_worker, s)] = s
            todo = []
            broken: list[tuple[TaskSpec, str]] = []
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for f in done:
                    s = running.pop(f)
                    try:
                        res = f.result()
                    except BrokenProcessPool as e:
                        # a worker died (killed, out of memory); every task then in the pool
                        # fails with this, and each counts one attempt
                        broken.append((s, f"WorkerDied: {e}"))
                        continue
                    except Exception as e:
                        self._retry_or_fail(s, _describe(e), attempts, todo, on_done)
                        continue
                    on_done(s, Outcome(res, None, attempts[s.key]))
            if broken:
                self._drop_pool()
                for s, err in broken:
                    self._retry_or_fail(s, err, attempts, todo, on_done)

    def _retry_or_fail(
        self,
        s: TaskSpec,
        error: str,
        attempts: dict[str, int],
        todo: list[TaskSpec],
        on_done: OnDone,
    ) -> None:
        if attempts[s.key] <= self.retries:
            log.warning("task %s failed (attempt %d): %s; retrying", s.key, attempts[s.key], error)
            todo.append(s)
        else:
            on_done(s, Outcome(None, error, attempts[s.key]))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


# ---------------------------------------------------------------------------------- Ray
def _ray_task(workload: Workload, spec: TaskSpec, workdir: str, tdp_w: float | None) -> TaskResult:
    return run_task(workload, spec, workdir, tdp_w)


class RayExecutor(Executor):
    """Tasks as Ray remote functions with ``num_cpus``/``num_gpus`` resources.

    Args:
        workload: what the tasks run (put into Ray's object store once).
        slots: concurrent tasks (the runner never hands out more).
        workdir: directory shared with the workers (one machine, or a shared file system).
        retries: extra attempts per task (Ray's own retries are off so that every attempt is
            counted here).
        address: a Ray cluster to join; empty starts a local instance.
        num_cpus, num_gpus: resources of one task.
        tdp_w: CPU TDP for the CPU energy model, W.

    Raises:
        ConfigError: Ray is not installed (``pip install 'cenas[ray]'``).
    """

    name = "ray"

    def __init__(
        self,
        workload: Workload,
        slots: int,
        workdir: str,
        *,
        retries: int = 1,
        address: str = "",
        num_cpus: float = 1.0,
        num_gpus: float = 0.0,
        tdp_w: float | None = None,
    ) -> None:
        try:
            import ray
        except ImportError as e:
            raise ConfigError(
                "executor.kind = 'ray' needs Ray: install the extra with "
                "`.venv/bin/python -m pip install -c constraints.txt 'ray[default]'`"
            ) from e
        self._ray: Any = ray
        self.slots, self.workdir, self.retries, self.tdp_w = slots, workdir, retries, tdp_w
        self._started = not ray.is_initialized()
        if self._started:
            kwargs: dict[str, Any] = {
                "include_dashboard": False,
                "log_to_driver": False,
                "configure_logging": False,
            }
            if address:
                kwargs["address"] = address
            else:
                kwargs["num_cpus"] = max(int(slots * num_cpus + 0.999), 1)
                kwargs["num_gpus"] = int(slots * num_gpus + 0.999)
            ray.init(**kwargs)
        self._remote = ray.remote(num_cpus=num_cpus, num_gpus=num_gpus, max_retries=0)(_ray_task)
        self._workload_ref = ray.put(workload)

    def run(self, specs: Sequence[TaskSpec], on_done: OnDone) -> None:
        ray = self._ray
        attempts = {s.key: 0 for s in specs}
        running: dict[Any, TaskSpec] = {}

        def submit(s: TaskSpec) -> None:
            attempts[s.key] += 1
            ref = self._remote.remote(self._workload_ref, s, self.workdir, self.tdp_w)
            running[ref] = s

        for s in specs:
            submit(s)
        while running:
            ready, _ = ray.wait(list(running), num_returns=1)
            for ref in ready:
                s = running.pop(ref)
                try:
                    res = ray.get(ref)
                except ray.exceptions.RayError as e:
                    err = _describe(getattr(e, "cause", None) or e)
                    if attempts[s.key] <= self.retries:
                        log.warning("task %s failed (attempt %d): %s", s.key, attempts[s.key], err)
                        submit(s)
                    else:
                        on_done(s, Outcome(None, err, attempts[s.key]))
                    continue
                on_done(s, Outcome(res, None, attempts[s.key]))

    def close(self) -> None:
        if self._started and self._ray.is_initialized():
            self._ray.shutdown()
