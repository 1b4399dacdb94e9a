"""The simulator's run state and its bookkeeping: what :mod:`cenas.sim._engine` executes on.

:class:`_EngineState` builds the search core, policy, clock, event heap, GPU split and ledger of
one run, and holds the helpers that only read or record that state: the power drawn between
events and its carbon charge, the series rows, the policy's context and the final
:class:`RunResult`. Dispatch, the event handlers and the loop are in :mod:`cenas.sim._engine`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cenas._seeding import child_seeds
from cenas.alloc import Allocation, AllocationContext, AllocationPolicy
from cenas.errors import ConfigError
from cenas.moo import hypervolume, log_hv_gap
from cenas.search import (
    CENASSearch,
    EvaluationTask,
    SamplingTask,
    SearchMode,
    SupernetTask,
)
from cenas.sim._events import EventHeap, SimClock
from cenas.sim._ledger import CarbonLedger, Series
from cenas.sim._params import SimConfig
from cenas.sim._result import RunResult, StopReason, TrainingRecord
from cenas.sim._spec import RunSpec
from cenas.sim._tracker import ProgressTracker


@dataclass(eq=False)
class _Training:
    task: EvaluationTask
    total_s: float
    remaining_s: float
    seg_start_s: float
    token: int
    record: TrainingRecord


class _EngineState:
    """State of one simulated run and the helpers that charge and record it."""

    def __init__(self, spec: RunSpec) -> None:
        self.spec = spec
        sim = spec.sim
        self.sim = sim
        self.trace = spec.trace
        self.ev = spec.evaluator
        self.G = sim.gpus
        # Cap(R) and the initial samples are resources of the run: SimConfig's values win.
        settings = dataclasses.replace(
            spec.search, queue_capacity=sim.queue_capacity, initial_samples=sim.initial_samples
        )
        self.mode = settings.mode
        self.core = CENASSearch(
            spec.evaluator.benchmark.space,
            len(spec.evaluator.objectives),
            settings,
            lamoo=spec.lamoo,
            sampler=spec.sampler,
            ref_point=spec.ref_point,
            seed=spec.seed,
            known_objectives=spec.evaluator.known_without_training(),
        )
        self.policy: AllocationPolicy = spec.policy
        self.policy.reset(child_seeds(spec.seed, 1)[0])
        true_all = spec.evaluator.all_true
        self.ref = np.asarray(spec.ref_point, dtype=np.float64)
        if spec.hv_max is None:
            finite = np.isfinite(true_all).all(axis=1)
            self.hv_max = hypervolume(true_all[finite], self.ref)
        else:
            self.hv_max = float(spec.hv_max)
        self.tracker = ProgressTracker(true_all, self.ref, oneshot=self.mode is SearchMode.ONESHOT)
        # time
        self.start = float(spec.start_s)
        horizon_s = spec.horizon_s if spec.horizon_s is not None else _horizon_s(sim)
        self.end = self.start + horizon_s
        if not (self.trace.start_s <= self.start < self.trace.end_s):
            raise ConfigError(
                f"{self.trace.source.label}: the run starts at {self.start} s, outside the trace"
            )
        if self.end > self.trace.end_s:
            raise ConfigError(
                f"{self.trace.source.label}: a {horizon_s / 3600:g} h run from the window start "
                f"needs the trace up to {self.end} s but it ends at {self.trace.end_s} s; "
                "shorten sim.horizon_h or use a longer trace"
            )
        self.clock = SimClock(self.start)
        self.heap = EventHeap()
        self.budget = sim.carbon_budget_g
        # GPUs
        self.n_s = 0
        self.n_e = 0
        self.alloc: Allocation | None = None
        self.running: list[_Training] = []
        self.suspended: list[_Training] = []
        self.pool_task: SamplingTask | None = None
        self.pool_rate = 0  # GPUs working on the pool's task (sampling GPUs + borrowed ones)
        self.pool_remaining = 0.0  # GPU-seconds
        self.pool_seg_start = self.start
        self.pool_token = 0
        self.token = 0
        self.budget_token = 0
        # accounting
        self.ledger = CarbonLedger(self.trace, sim, self.start)
        self.supernets_started = 0
        self.guard_skips = 0
        all_idx = np.arange(spec.evaluator.benchmark.space.size, dtype=np.int64)
        self.mean_train_s = float(np.mean(spec.evaluator.train_time_s(all_idx)))
        self.preemptions = 0
        self.series = Series()
        self.trainings: list[TrainingRecord] = []
        self.alloc_rows: list[dict[str, Any]] = []
        self.stop_reason = StopReason.HORIZON

    # ---------------------------------------------------------------------------- power
    def _powers(self) -> tuple[NDArray[np.float64], int]:
        """Power per carbon category (W) and busy GPUs, constant until the next event."""
        sim = self.sim
        train = len(self.running)
        pool_busy = self.pool_rate if self.pool_task is not None else 0
        supernet = pool_busy if isinstance(self.pool_task, SupernetTask) else 0
        estimating = pool_busy - supernet
        off = self.alloc.idle_gpus if self.alloc is not None else 0
        idle = self.G - train - pool_busy - off
        p = np.array(
            [
                train * sim.power_train_w,
                supernet * sim.power_train_w,
                estimating * sim.power_sample_w,
                idle * sim.power_idle_w + off * sim.idle_share_power_w,
            ],
            dtype=np.float64,
        )
        return p, train + pool_busy

    def _charge_to(self, t: float) -> None:
        """Charge carbon for ``[last_t, t]`` at the current power and move the clock."""
        if t > self.ledger.last_t:
            p, busy = self._powers()
            self.ledger.charge(t, p, busy, len(self.running))
        self.clock.advance_to(t)

    # ---------------------------------------------------------------------------- records
    def _row(self, event: str) -> None:
        t = self.clock.now_s
        busy_s = self.pool_rate if self.pool_task is not None else 0
        self.series.append(
            t_s=t,
            hours=(t - self.start) / 3600.0,
            event=event,
            hv=self.tracker.hv,
            hv_all_estimated=self.tracker.hv_all_estimated,
            carbon_g=self.ledger.carbon,
            relative_carbon=self.ledger.relative,
            energy_kwh=self.ledger.energy_kwh,
            intensity_g_per_kwh=self.trace.value_at(min(t, self.trace.end_s - 1e-6)),
            sampling_gpus=self.n_s,
            evaluation_gpus=self.n_e,
            busy_training=len(self.running),
            busy_sampling=busy_s,
            queue_length=len(self.core.queue),
            n_trained=self.core.n_trained,
            n_estimated=self.core.n_estimated,
        )

    # ---------------------------------------------------------------------------- allocation
    def _context(self) -> AllocationContext:
        t = self.clock.now_s
        return AllocationContext(
            t_s=t,
            interval_s=float(self.trace.step_s),
            elapsed_s=t - self.start,
            horizon_s=self.end - self.start,
            gpus=self.G,
            intensity_g_per_kwh=self.trace.value_at(t),
            trace=self.trace,
            carbon_g=self.ledger.carbon,
            carbon_budget_g=self.budget,
            hv=self.tracker.hv,
            n_trained=self.core.n_trained,
            n_estimated=self.core.n_estimated,
            queue_length=len(self.core.queue),
            queue_capacity=self.core.queue.capacity,
            power_train_w=self.sim.power_train_w,
            power_sample_w=self.sim.power_sample_w,
            power_idle_w=self.sim.idle_share_power_w,
            pue=self.sim.pue,
            accounting=self.sim.accounting,
            mean_train_s=self.mean_train_s,
            trained_gpu_s=self.ledger.trained_gpu_s,
        )

    # ---------------------------------------------------------------------------- result
    def _finish(self) -> RunResult:
        t = self.clock.now_s
        for tr in self.running:
            tr.record.segments.append((tr.record.segments_open, t))
            tr.remaining_s -= t - tr.seg_start_s
        self._row(self.stop_reason.value)
        pareto = self.tracker.pareto_indices()
        return RunResult.build(
            spec=self.spec,
            engine_series=self.series.cols,
            alloc_rows=self.alloc_rows,
            trainings=self.trainings,
            pareto=pareto,
            hv_max=self.hv_max,
            hv_source=self.tracker.source.value,
            stop_reason=self.stop_reason,
            stop_s=t,
            totals={
                "hv": self.tracker.hv,
                "log_hv_gap": float(log_hv_gap(self.tracker.hv, self.hv_max)),
                "hv_all_estimated": self.tracker.hv_all_estimated,
                **self.ledger.totals(),
                "hours": (t - self.start) / 3600.0,
                "n_trained": self.core.n_trained,
                "n_estimated": self.core.n_estimated,
                "n_supernets": self.core.n_supernets,
                "n_regions": self.core.n_regions,
                "n_lamoo_fits": self.core.n_fits,
                "preemptions": self.preemptions,
                "budget_g": self.budget,
                "budget_bound": self.stop_reason is StopReason.BUDGET,
                "guard_skips": self.guard_skips,
                "unfinished_trainings": len(self.running) + len(self.suspended),
                "queue_length": len(self.core.queue),
            },
        )


def _horizon_s(sim: SimConfig) -> float:
    if sim.horizon_h is None:
        raise ConfigError("sim.horizon_h is not set and the run has no window length to use")
    return sim.horizon_h * 3600.0
