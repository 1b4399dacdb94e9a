"""The live CE-NAS runner: the search core, an allocation policy, a carbon signal, an executor
and the run store, assembled in real (or accelerated-replay) time.

Why waves. Decisions must be a deterministic function of recorded events, so that ``cenas
resume`` reaches the same final set of evaluated architectures as an uninterrupted run. Each
allocation interval therefore runs ``waves_per_interval`` waves; a wave asks the core for at
most one task per worker (evaluation workers first, then sampling), runs them all, and reports
the results back to the core in task order, whatever order they finished in. Time enters only as
the interval's trace time, which is the interval number times its length (an interval whose work
overruns its wall-clock length delays the next one; the trace clock does not skip). On resume the
same loop runs again from the start with the same seed; a task whose result is in the store is
not executed again, its recorded result is reported instead, so the core reaches the state it had
at the crash and continues from there.

Carbon is counted one stated way (:mod:`cenas.runner._charging`: ``full`` by default, every
worker slot charged, idle ones at ``idle_power_w``; or ``reference``), named in the store, the
record, the report and the CLI. A carbon budget is checked before every task starts, against a
bound of its cost plus the idle charge the interval could still add; the first task that could
overshoot stops the search, recorded as such.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from cenas._seeding import resolve_seed
from cenas.alloc import Allocation, AllocationContext, make_policy
from cenas.carbon import (
    Accounting,
    CarbonSignal,
    ElectricityMapsSignal,
    IntensityTrace,
    UKCarbonIntensitySignal,
    load_trace,
)
from cenas.data import find_file
from cenas.data._catalog import sha256_file
from cenas.errors import CarbonSignalError, StoreError
from cenas.moo import LaMOO
from cenas.runner._assembly import RunState, build_executor, build_workload, package_versions
from cenas.runner._bookkeeping import _Bookkeeping
from cenas.runner._budget import CarbonBudget
from cenas.runner._charging import ACCOUNTING, Charging
from cenas.runner._config import SearchFileConfig, parse_search_config
from cenas.runner._executors import Executor
from cenas.runner._waves import report_wave, seed_of, wave_tasks
from cenas.runner._workload import Workload
from cenas.search import (
    CENASSearch,
    SearchMode,
    SearchSettings,
)
from cenas.store import RunStore

__all__ = ["LiveRunner"]

log = logging.getLogger(__name__)


class LiveRunner(_Bookkeeping):
    """One live search run in a run directory (create with :meth:`start` or :meth:`resume`).

    Args:
        cfg: the configuration.
        run_dir: the run directory (store, supernets, report).
        store: the opened run store (None: :meth:`start` creates it after the checks).
        workload: what workers run (built from ``cfg`` when None).
        executor: where tasks run (built from ``cfg`` when None).
        trace: the replayed intensity trace (loaded from ``cfg`` when None).
        api: a live carbon signal tried first every interval (built from ``cfg`` when None and
            ``carbon.api`` is set).
        sleep: how to wait for the end of an interval (tests pass a no-op).
        progress: called with a :class:`RunState` after every wave.
        data_dir: where a relative trace path is looked up (default ``$CENAS_DATA_DIR``).
        clock: the driver's wall clock, UNIX seconds (tests pass a fake one).
    """

    def __init__(
        self,
        cfg: SearchFileConfig,
        run_dir: Path,
        store: RunStore | None,
        *,
        workload: Workload | None = None,
        executor: Executor | None = None,
        trace: IntensityTrace | None = None,
        api: CarbonSignal | None = None,
        sleep: Callable[[float], None] = time.sleep,
        progress: Callable[[RunState], None] | None = None,
        data_dir: str | Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.cfg, self.run_dir = cfg, run_dir
        self.clock = clock
        self.accounting = Accounting(cfg.run.accounting)
        self.charging = Charging(
            self.accounting, cfg.run.workers, cfg.run.pue, cfg.run.idle_power_w
        )
        if store is not None:
            self.store = store
        self.workload = workload if workload is not None else build_workload(cfg)
        if trace is None:
            path = find_file(cfg.carbon.trace, data_dir)
            trace = load_trace(path)
            self.trace_sha256 = sha256_file(path)
        else:
            self.trace_sha256 = ""
        self.trace = trace
        if api is None and cfg.carbon.api == "electricitymaps":
            api = ElectricityMapsSignal(cfg.carbon.zone)
        elif api is None and cfg.carbon.api == "uk":
            api = UKCarbonIntensitySignal()
        self.api = api
        self.sleep, self.progress = sleep, progress
        self.start_s = float(np.datetime64(cfg.carbon.start.rstrip("Z"), "s").astype(np.int64))
        if not (trace.start_s <= self.start_s < trace.end_s):
            raise StoreError(
                f"carbon.start {cfg.carbon.start} is outside the trace "
                f"({trace.times[0]} .. {trace.end})"
            )
        self._executor = executor

    # --------------------------------------------------------------------- construction
    @classmethod
    def start(cls, cfg: SearchFileConfig, run_dir: str | Path, **kwargs: Any) -> LiveRunner:
        """A new run in ``run_dir`` (which must not hold one); writes the ``run`` event.

        Raises:
            StoreError: ``run_dir`` is a file or already holds a run.
        """
        d = Path(run_dir)
        if d.exists() and not d.is_dir():
            raise StoreError(f"run directory {d} is an existing file, not a directory")
        # everything that can fail on bad input (trace, data set) fails before the run exists
        runner = cls(cfg, d, None, **kwargs)
        runner.store = RunStore.create(d)
        runner.store.append("run", runner._run_event())
        return runner

    @classmethod
    def resume(cls, run_dir: str | Path, **kwargs: Any) -> LiveRunner:
        """Continue the run in ``run_dir`` with its stored configuration.

        Raises:
            StoreError: ``run_dir`` is not a run, is from a newer schema, or has no run event.
        """
        store = RunStore.open(run_dir)
        try:
            first = next(store.events("run"), None)
            if first is None:
                raise StoreError(f"{run_dir} has a store but no run event; it cannot be resumed")
            cfg = parse_search_config(first.payload["config"], f"{run_dir} (stored config)")
            runner = cls(cfg, Path(run_dir), store, **kwargs)
        except BaseException:
            store.close()
            raise
        store.append("resume", {"at_s": time.time(), "events_before": store.count()})
        return runner

    def _run_event(self) -> dict[str, Any]:
        w = self.workload
        return {
            "config": self.cfg.to_dict(),
            "seed": self.cfg.run.seed,
            "objectives": w.objectives,
            "maximize": w.maximize,
            "ref_point": w.ref_point,
            "workload": w.describe(),
            "trace": {
                "path": self.cfg.carbon.trace,
                "sha256": self.trace_sha256,
                "source": self.trace.source.label,
            },
            "accounting": ACCOUNTING[self.accounting],
            "accounting_mode": self.accounting.value,
            "versions": package_versions(),
            "started_at_s": time.time(),
        }

    # ----------------------------------------------------------------------------- the loop
    def run(self) -> dict[str, Any]:
        """Run (or continue) the search to its end; returns the final summary."""
        for ev in self.store.events("end"):
            return dict(ev.payload)  # finished already: nothing to repeat
        recorded = {e.payload["key"]: e.payload for e in self.store.events("task")}
        allocations = {e.payload["interval"]: e.payload for e in self.store.events("allocation")}
        waves_done = {(e.payload["interval"], e.payload["wave"]) for e in self.store.events("wave")}
        return self._loop(recorded, allocations, waves_done)

    def _loop(
        self,
        recorded: dict[str, dict[str, Any]],
        allocations: dict[int, dict[str, Any]],
        waves_done: set[tuple[int, int]],
    ) -> dict[str, Any]:
        c, s = self.cfg.run, self.cfg.search
        w = self.workload
        seed = resolve_seed(c.seed)
        core = CENASSearch(
            w.space,
            len(w.objectives),
            SearchSettings(
                mode=SearchMode(s.mode),
                initial_samples=s.initial_samples,
                queue_capacity=s.queue_capacity,
                estimate_batch=s.estimate_batch,
            ),
            lamoo=LaMOO(leaf_size=s.leaf_size),
            ref_point=w.ref_point,
            seed=seed,
        )
        policy = make_policy(s.policy)
        policy.reset(seed_of(seed, 1))
        interval_s = c.interval_h * 3600.0
        n_intervals = max(1, math.ceil(c.hours / c.interval_h - 1e-9))
        speed = math.inf if c.seconds_per_hour == 0 else 3600.0 / c.seconds_per_hour
        idled = {e.payload["interval"]: e.payload for e in self.store.events("idle")}
        self._carbon_g = sum(
            float(p.get("carbon_g") or 0.0) for p in recorded.values() if p["status"] == "ok"
        ) + sum(float(p["carbon_g"]) for p in idled.values())
        self.budget = CarbonBudget(c.carbon_budget_g, c.task_energy_bound_kwh, c.pue)
        for p in recorded.values():
            if p["status"] == "ok":
                self.budget.note_energy(p["kind"], float(p.get("charged_kwh", p["energy_kwh"])))
        self._failed = sum(1 for p in recorded.values() if p["status"] != "ok")
        stop_reason = "horizon"
        executor: Executor | None = self._executor
        prev: Allocation | None = None
        try:
            for k in range(n_intervals):
                t_s = self.start_s + k * interval_s
                wall0 = self.clock()
                if prev is not None:  # feedback on the last interval (learned policies)
                    ctx = self._context(k, t_s, core, self.trace.value_at(t_s), interval_s)
                    policy.observe(ctx, prev)
                alloc_ev = allocations.get(k) or self._decide(k, t_s, core, policy, interval_s)
                alloc = prev = Allocation(alloc_ev["sampling"], alloc_ev["evaluation"])
                if k in allocations:
                    policy.decide(self._context(k, t_s, core, alloc_ev["intensity"], interval_s))
                fresh = False
                for wave in range(c.waves_per_interval):
                    specs, tasks = wave_tasks(
                        k, wave, core, alloc, seed, s.idle_evaluation_workers_sample
                    )
                    todo = [sp for sp in specs if sp.key not in recorded]
                    todo, stop_ev = self.budget.affordable(
                        todo,
                        self.trace,
                        t_s,
                        interval_s,
                        alloc_ev["intensity"],
                        self._carbon_g + self._idle_bound_g(k, wall0, alloc_ev, speed, idled),
                    )
                    stop = stop_ev is not None
                    if stop_ev is not None:
                        self.store.append("budget_stop", stop_ev)
                    # an interval is replayed at full speed only when all of it is recorded
                    fresh = fresh or (k, wave) not in waves_done
                    if todo:
                        if executor is None:
                            executor = self._executor = build_executor(
                                self.cfg, self.workload, self.run_dir
                            )
                        executor.run(
                            todo,
                            functools.partial(
                                self._record_task,
                                tasks=tasks,
                                t_s=t_s,
                                wall0=wall0,
                                speed=speed,
                                alloc_ev=alloc_ev,
                                recorded=recorded,
                            ),
                        )
                    report_wave(core, specs, tasks, recorded, stop, str(self.run_dir))
                    if (k, wave) not in waves_done:
                        self.store.append("wave", self._wave_event(k, wave, core))
                    self._show(k, n_intervals, alloc_ev, core)
                    if stop:
                        stop_reason = "budget"
                        break
                if fresh and math.isfinite(speed) and stop_reason != "budget":
                    left = wall0 + interval_s / speed - self.clock()
                    if left > 0:
                        self.sleep(left)
                if k not in idled:
                    self._charge_idle(k, wall0, alloc_ev, recorded)
                if stop_reason == "budget":
                    break
        finally:
            if executor is not None:
                executor.close()
                self._executor = None
        end = {
            "reason": stop_reason,
            "accounting": self.accounting.value,
            **self._wave_event(-1, -1, core),
        }
        self.store.append("end", end)
        return end

    # ------------------------------------------------------------------------------ pieces
    def _context(
        self, k: int, t_s: float, core: CENASSearch, intensity: float, interval_s: float
    ) -> AllocationContext:
        return AllocationContext(
            t_s=t_s,
            interval_s=interval_s,
            elapsed_s=k * interval_s,
            horizon_s=self.cfg.run.hours * 3600.0,
            gpus=self.cfg.run.workers,
            intensity_g_per_kwh=intensity,
            trace=self.trace,
            carbon_g=self._carbon_g,
            carbon_budget_g=self.cfg.run.carbon_budget_g,
            hv=self._hv(core),
            n_trained=core.n_trained,
            n_estimated=core.n_estimated,
            queue_length=len(core.queue),
            queue_capacity=core.queue.capacity,
        )

    def _decide(
        self, k: int, t_s: float, core: CENASSearch, policy: Any, interval_s: float
    ) -> dict[str, Any]:
        trace_value = self.trace.value_at(t_s)
        value, source, fallback, error = trace_value, self.trace.source.label, False, None
        if self.api is not None:
            try:
                r = self.api.reading(time.time())
                value, source = r.value_g_per_kwh, r.source
            except CarbonSignalError as e:
                fallback, error = True, str(e)
                log.warning("carbon API failed (%s); using the trace", e)
        alloc = policy.decide(self._context(k, t_s, core, value, interval_s))
        ev = {
            "interval": k,
            "hours": k * interval_s / 3600.0,
            "trace_time_s": t_s,
            "intensity": value,
            "source": source,
            "is_fallback": fallback,
            "api_error": error,
            "sampling": int(alloc.sampling_gpus),
            "evaluation": int(alloc.evaluation_gpus),
            "policy": policy.describe(),
        }
        self.store.append("allocation", ev)
        return ev

    def close(self) -> None:
        """Close the store."""
        self.store.close()
