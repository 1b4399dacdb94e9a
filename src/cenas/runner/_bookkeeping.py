"""What the live runner records and reports: task and idle carbon charges, wave events,
the hypervolume of trained results and progress states (the bookkeeping half of
:class:`cenas.runner.LiveRunner`, whose loop is in :mod:`cenas.runner._runner`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from cenas.carbon import (
    IntensityTrace,
    mean_intensity,
)
from cenas.moo import hypervolume
from cenas.runner._assembly import RunState
from cenas.runner._budget import CarbonBudget
from cenas.runner._charging import Charging
from cenas.runner._config import SearchFileConfig
from cenas.runner._executors import Outcome
from cenas.runner._workload import TaskSpec, Workload
from cenas.search import (
    CENASSearch,
    EvaluationTask,
)
from cenas.store import RunStore


class _Bookkeeping:
    """Charging and recording helpers of a run; :class:`LiveRunner` sets these attributes."""

    cfg: SearchFileConfig
    store: RunStore
    workload: Workload
    trace: IntensityTrace
    charging: Charging
    budget: CarbonBudget
    clock: Callable[[], float]
    progress: Callable[[RunState], None] | None
    start_s: float
    _carbon_g: float
    _failed: int

    def _record_task(
        self,
        sp: TaskSpec,
        out: Outcome,
        *,
        tasks: dict[str, Any],
        t_s: float,
        wall0: float,
        speed: float,
        alloc_ev: dict[str, Any],
        recorded: dict[str, dict[str, Any]],
    ) -> None:
        task = tasks[sp.key]
        ev: dict[str, Any] = {
            "key": sp.key,
            "kind": sp.kind.value,
            "indices": list(sp.indices),
            "region_id": sp.region_id,
            "seed": sp.seed,
            "attempts": out.attempts,
        }
        if isinstance(task, EvaluationTask):
            ev["source"] = task.source.value
            ev["estimate"] = None if task.y_estimate is None else task.y_estimate.tolist()
        r = out.result
        if r is None:
            ev.update(status="failed", error=out.error, carbon_g=0.0)
            self._failed += 1
        else:
            if alloc_ev["source"] != self.trace.source.label:
                intensity, src = float(alloc_ev["intensity"]), str(alloc_ev["source"])
            elif math.isfinite(speed):
                a = t_s + max(r.started_s - wall0, 0.0) * speed
                b = t_s + max(r.ended_s - wall0, 0.0) * speed
                b = min(b, self.trace.end_s)
                intensity = float(mean_intensity(self.trace, min(a, b), b))
                src = self.trace.source.label
            else:
                intensity, src = float(alloc_ev["intensity"]), str(alloc_ev["source"])
            carbon = self.charging.task_g(
                sp.kind.value, r.energy_kwh, r.ended_s - r.started_s, intensity
            )
            self._carbon_g += carbon
            # the budget bounds what a task is charged: its energy, or reference GPU-hours x 1 kW
            charged_kwh = carbon / (intensity * self.cfg.run.pue) if intensity > 0 else 0.0
            self.budget.note_energy(sp.kind.value, max(charged_kwh, 0.0))
            ev.update(
                status="ok",
                y=r.y,
                energy_kwh=r.energy_kwh,
                meter=r.meter,
                started_s=r.started_s,
                ended_s=r.ended_s,
                intensity=intensity,
                carbon_source=src,
                carbon_g=carbon,
                charged_kwh=charged_kwh,
                hours=(t_s - self.start_s) / 3600.0,
                info=r.info,
            )
        self.store.append("task", ev)
        recorded[sp.key] = ev

    def _idle_bound_g(
        self,
        k: int,
        wall0: float,
        alloc_ev: dict[str, Any],
        speed: float,
        idled: dict[int, dict[str, Any]],
    ) -> float:
        if k in idled:
            return 0.0
        return self.charging.idle_reserve_g(
            max(self.clock() - wall0, 0.0),
            self.cfg.run.interval_h * 3600.0 / speed,
            self.cfg.run.waves_per_interval,
            float(alloc_ev["intensity"]),
        )

    def _charge_idle(
        self, k: int, wall0: float, alloc_ev: dict[str, Any], recorded: dict[str, dict[str, Any]]
    ) -> None:
        """Charge the slot time of interval ``k`` that no task used."""
        busy_s = sum(
            max(float(p["ended_s"]) - float(p["started_s"]), 0.0)
            for key, p in recorded.items()
            if key.startswith(f"e{k}.") and p["status"] == "ok"
        )
        ev = self.charging.idle_event(k, self.clock() - wall0, busy_s, float(alloc_ev["intensity"]))
        self._carbon_g += float(ev["carbon_g"])
        self.store.append("idle", ev)

    def _hv(self, core: CENASSearch) -> float:
        rows = core.observed.finite_rows() & ~core.observed.estimated
        y = core.observed.y[rows]
        if y.shape[0] == 0:
            return 0.0
        return float(hypervolume(y, np.asarray(self.workload.ref_point, dtype=np.float64)))

    def _wave_event(self, k: int, wave: int, core: CENASSearch) -> dict[str, Any]:
        return {
            "interval": k,
            "wave": wave,
            "hv": self._hv(core),
            "carbon_g": self._carbon_g,
            "queue_length": len(core.queue),
            "n_trained": core.n_trained,
            "n_estimated": core.n_estimated,
            "n_failed": self._failed,
        }

    def _show(self, k: int, n: int, alloc_ev: dict[str, Any], core: CENASSearch) -> None:
        if self.progress is None:
            return
        self.progress(
            RunState(
                interval=k,
                intervals=n,
                hours=float(alloc_ev["hours"]),
                intensity_g_per_kwh=float(alloc_ev["intensity"]),
                source=str(alloc_ev["source"]),
                sampling=int(alloc_ev["sampling"]),
                evaluation=int(alloc_ev["evaluation"]),
                queue_length=len(core.queue),
                hv=self._hv(core),
                carbon_g=self._carbon_g,
                carbon_budget_g=self.cfg.run.carbon_budget_g,
                n_trained=core.n_trained,
                n_failed=self._failed,
            )
        )
