"""The trace-driven simulator: the CE-NAS core executed on G simulated GPUs in simulated time.

Decide / execute / loop are separate: the allocation policy decides the GPU split at every trace
step, the search core decides what work exists, and this module executes the work on simulated
GPUs and runs the event loop.

Execution model.

- Evaluation GPUs each train one architecture at a time; training takes the benchmark's training
  time (GPU-seconds on one GPU). When a re-allocation leaves fewer evaluation GPUs than running
  trainings, the trainings with the most remaining work (among equals, the one started last)
  are preempted (checkpointed at no cost) and wait; free evaluation GPUs resume preempted
  trainings (least remaining work first) before taking new work. An evaluation GPU with no work
  idles (or samples, see below).
- Sampling GPUs form one pool that works through sampling tasks one at a time, data-parallel over
  all its GPUs (a task of W GPU-seconds takes W / n seconds on n GPUs). A task in progress when
  the pool shrinks or grows keeps its remaining work; with no sampling GPUs it pauses. While the
  core has no sampling work (R full, or nothing left to estimate) the pool's GPUs idle.
  Evaluation GPUs with nothing to train join the pool until there is (work-conserving, see
  ``SimConfig.idle_evaluation_gpus_sample``); sampling GPUs never train.
- Carbon: between consecutive events every GPU draws a constant power (training, estimating or
  idle, see :class:`SimConfig`), charged with :func:`cenas.carbon.carbon_of_power_g` over exactly
  that interval; relative carbon is intensity × busy GPU-hours
  (:func:`cenas.carbon.relative_carbon`). Both accounting modes are kept (``full``: every GPU
  state at its power × PUE; ``reference``: training GPU-hours × intensity); ``sim.accounting``
  says which one is the run's ``carbon_g`` and which one its budget counts.
- An allocation may leave GPUs idle (or off): they draw ``power_idle_w`` and take no work.
- A carbon budget stops the search at the moment the current power would spend the rest of it
  (re-computed after every event), so the total never exceeds it. With ``sim.budget_guard`` a
  new training is not started when it could not finish within the budget (see
  :class:`SimConfig`).
- The run starts at the window's start and lasts ``horizon_h``; past the window's end it goes on
  along the trace file. Work unfinished at the stop is dropped.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

import numpy as np

from cenas.alloc import Allocation, AllocationContext
from cenas.errors import ConfigError
from cenas.search import (
    EstimationTask,
    SupernetTask,
)
from cenas.sim._budget import can_finish, time_to_emit
from cenas.sim._engine_state import _EngineState, _Training
from cenas.sim._events import EventKind
from cenas.sim._result import RunResult, StopReason, TrainingRecord
from cenas.sim._spec import RunSpec

__all__ = ["RunSpec", "Simulation", "simulate"]

log = logging.getLogger(__name__)

# relative safety margin on the budget, so that the float sum of the charges stays below it
_BUDGET_MARGIN = 1e-9


class _Engine(_EngineState):
    """Executes a run: applies allocations, dispatches work to GPUs, handles events."""

    def _apply(self, alloc: Allocation) -> None:
        t = self.clock.now_s
        self.n_s, self.n_e = alloc.sampling_gpus, alloc.evaluation_gpus
        # evaluation: preempt the trainings with the most remaining work
        excess = len(self.running) - self.n_e
        if excess > 0:
            for tr in self.running:
                tr.remaining_s -= t - tr.seg_start_s
                tr.seg_start_s = t
            order = sorted(self.running, key=lambda r: (-r.remaining_s, -r.token))
            for tr in order[:excess]:
                self.running.remove(tr)
                tr.record.segments.append((tr.record.segments_open, t))
                tr.record.preemptions += 1
                self.token += 1
                tr.token = self.token  # invalidates its completion event
                self.suspended.append(tr)
                self.preemptions += 1

    # ---------------------------------------------------------------------------- dispatch
    def _start_training(self, tr: _Training) -> None:
        t = self.clock.now_s
        self.token += 1
        tr.token = self.token
        tr.seg_start_s = t
        tr.record.segments_open = t
        self.running.append(tr)
        self.heap.push(t + tr.remaining_s, EventKind.TRAIN_DONE, tr.token, tr)

    def _set_pool_rate(self, rate: int) -> None:
        """Change the GPUs working on the pool's task; its remaining work is kept."""
        t = self.clock.now_s
        if self.pool_task is not None and self.pool_rate > 0:
            self.pool_remaining -= (t - self.pool_seg_start) * self.pool_rate
        self.pool_seg_start = t
        self.pool_rate = rate
        self.pool_token += 1  # invalidates the old completion event
        if self.pool_task is not None and rate > 0:
            done = t + max(self.pool_remaining, 0.0) / rate
            self.heap.push(done, EventKind.SAMPLE_DONE, self.pool_token)

    def _dispatch(self) -> None:
        t = self.clock.now_s
        guarded = False
        while len(self.running) < self.n_e:
            if self.suspended:
                k = min(
                    range(len(self.suspended)),
                    key=lambda j: (self.suspended[j].remaining_s, j),
                )
                self._start_training(self.suspended.pop(k))
                continue
            if not self._guard_allows():
                guarded = True
                break
            task = self.core.next_evaluation()
            if task is None:
                break
            work = float(self.ev.train_time_s([task.index])[0])
            rec = TrainingRecord(task.index, task.source.value, work)
            self.trainings.append(rec)
            self._start_training(_Training(task, work, work, t, 0, rec))
        # Evaluation GPUs with nothing to train join the sampling pool (work-conserving) when
        # the config allows; sampling GPUs never train. Not when the budget guard kept them from
        # training: the budget cannot pay for the trainings that sampling would feed, and
        # sampling would spend what the running trainings need to finish.
        borrow = 0
        if self.sim.idle_evaluation_gpus_sample and not guarded:
            borrow = self.n_e - len(self.running)
        rate = self.n_s + borrow
        if self.pool_task is None:
            stask = self.core.next_sampling() if rate > 0 else None
            if stask is None:
                self.pool_rate = 0
                return
            self.pool_task = stask
            if isinstance(stask, SupernetTask):
                # the first supernet is trained from scratch, later ones fine-tuned from it
                frac = 1.0 if self.supernets_started == 0 else self.sim.supernet_finetune_fraction
                self.supernets_started += 1
                self.pool_remaining = self.sim.supernet_train_s * frac
            else:
                self.pool_remaining = self.sim.estimate_s * stask.indices.size
            self.pool_rate = 0
            self.pool_seg_start = t
            self._set_pool_rate(rate)
        elif rate != self.pool_rate:
            self._set_pool_rate(rate)

    def _guard_allows(self) -> bool:
        """Whether a new training of mean length could still finish within the budget (see
        ``SimConfig.budget_guard``)."""
        if self.budget is None or not self.sim.budget_guard:
            return True
        t = self.clock.now_s
        need_s = sum(r.remaining_s - (t - r.seg_start_s) for r in self.running)
        need_s += sum(r.remaining_s for r in self.suspended) + self.mean_train_s
        if can_finish(self.trace, self.sim, t, self.ledger.carbon, self.budget, need_s):
            return True
        self.guard_skips += 1
        return False

    def _schedule_budget(self) -> None:
        if self.budget is None:
            return
        self.budget_token += 1
        power, pue = self.ledger.budget_power(self._powers()[0], len(self.running))
        left = self.budget * (1.0 - _BUDGET_MARGIN) - self.ledger.carbon
        t_stop = time_to_emit(self.trace, self.clock.now_s, left, power, pue)
        if t_stop < self.end:
            self.heap.push(t_stop, EventKind.BUDGET, self.budget_token)

    # ---------------------------------------------------------------------------- handlers
    def _on_train_done(self, tr: _Training) -> None:
        t = self.clock.now_s
        self.running.remove(tr)
        tr.remaining_s = 0.0
        tr.record.segments.append((tr.record.segments_open, t))
        tr.record.end_s = t
        tr.record.completed = True
        y = self.ev.evaluate([tr.task.index])
        self.core.report_evaluation(tr.task, y[0])
        self.tracker.trained(np.array([tr.task.index], dtype=np.int64), y)
        self._row("train")

    def _on_sample_done(self) -> None:
        task = self.pool_task
        self.pool_task = None
        self.pool_remaining = 0.0
        self.pool_rate = 0
        if isinstance(task, SupernetTask):
            self.core.report_supernet(task)
            self._row("supernet")
        elif isinstance(task, EstimationTask):
            y = self.ev.estimate(task.indices)
            self.core.report_estimation(task, y)
            self.tracker.estimated(task.indices, y)
            self._row("estimate")

    def _on_step(self, ctx: AllocationContext, alloc: Allocation, who: str) -> None:
        t = self.clock.now_s
        alloc = alloc.check(self.G, who)
        self.alloc = alloc
        self._apply(alloc)
        self.alloc_rows.append(
            {
                "t_s": t,
                "hours": (t - self.start) / 3600.0,
                "intensity_g_per_kwh": ctx.intensity_g_per_kwh,
                "sampling_gpus": alloc.sampling_gpus,
                "evaluation_gpus": alloc.evaluation_gpus,
                "idle_gpus": alloc.idle_gpus,
            }
        )
        nxt = self.trace.start_s + (
            math.floor((t - self.trace.start_s) / self.trace.step_s) + 1
        ) * (self.trace.step_s)
        if nxt < self.end:
            self.heap.push(nxt, EventKind.STEP)

    # ---------------------------------------------------------------------------- loop
    def begin(self) -> AllocationContext | None:
        """Start the run and return the first decision point's context (None: already over)."""
        self.heap.push(self.start, EventKind.STEP)
        self.heap.push(self.end, EventKind.END)
        return self._until_step()

    def _until_step(self) -> AllocationContext | None:
        """Handle events up to the next trace step; its context, or None when the run stopped."""
        while self.heap:
            ev = self.heap.pop()
            if ev.kind is EventKind.TRAIN_DONE and ev.token != ev.payload.token:
                continue
            if ev.kind is EventKind.SAMPLE_DONE and ev.token != self.pool_token:
                continue
            if ev.kind is EventKind.BUDGET and ev.token != self.budget_token:
                continue
            self._charge_to(ev.time_s)
            if ev.kind is EventKind.END:
                self.stop_reason = StopReason.HORIZON
                return None
            if ev.kind is EventKind.BUDGET:
                self.stop_reason = StopReason.BUDGET
                return None
            if ev.kind is EventKind.STEP:
                return self._context()
            if ev.kind is EventKind.TRAIN_DONE:
                self._on_train_done(ev.payload)
            else:
                self._on_sample_done()
            self._dispatch()
            self._schedule_budget()
        return None

    def advance(
        self,
        ctx: AllocationContext,
        alloc: Allocation,
        who: str,
        on_hour: Callable[[float], None] | None = None,
    ) -> AllocationContext | None:
        """Apply ``alloc`` at the decision point ``ctx`` and run to the next one (None: the run
        stopped, at the horizon or the budget)."""
        self._on_step(ctx, alloc, who)
        self._dispatch()
        self._row("step")
        if on_hour is not None:
            on_hour(self.clock.elapsed_s / 3600.0)
        self._schedule_budget()
        return self._until_step()

    def run(self, on_hour: Callable[[float], None] | None = None) -> RunResult:
        policy = self.policy
        ctx = self.begin()
        while ctx is not None:
            if self.alloc is not None:
                policy.observe(ctx, self.alloc)
            ctx = self.advance(ctx, policy.decide(ctx), policy.describe(), on_hour)
        return self._finish()


class Simulation:
    """A run that stops at every decision point, for a controller outside the engine (a
    reinforcement-learning environment): :meth:`begin` gives the first context, :meth:`advance`
    applies an allocation and gives the next context (None when the run has stopped), and
    :meth:`result` gives the :class:`RunResult`. The spec's own policy is not consulted.

    Driving it with ``spec.policy``'s decisions gives exactly :func:`simulate`'s result.

    Args:
        spec: the run (see :class:`RunSpec`).
        who: names the controller in the error for an invalid allocation.
    """

    def __init__(self, spec: RunSpec, who: str = "external controller") -> None:
        self._engine = _Engine(spec)
        self._who = who
        self._ctx: AllocationContext | None = None
        self._started = False
        self._result: RunResult | None = None

    @property
    def context(self) -> AllocationContext | None:
        """The current decision point, None before :meth:`begin` and after the stop."""
        return self._ctx

    @property
    def hv_max(self) -> float:
        """The benchmark's maximal hypervolume (for normalising rewards)."""
        return float(self._engine.hv_max)

    @property
    def carbon_g(self) -> float:
        """Carbon emitted so far (the run's accounting), gCO2eq."""
        return float(self._engine.ledger.carbon)

    @property
    def hv(self) -> float:
        """Hypervolume so far."""
        return float(self._engine.tracker.hv)

    @property
    def n_trained(self) -> int:
        """Architectures trained so far."""
        return int(self._engine.core.n_trained)

    def begin(self) -> AllocationContext | None:
        """Start the run; the first decision point (None if there is none).

        Raises:
            ConfigError: when called twice.
        """
        if self._started:
            raise ConfigError("Simulation.begin() was already called; build a new Simulation")
        self._started = True
        self._ctx = self._engine.begin()
        return self._ctx

    def advance(self, alloc: Allocation) -> AllocationContext | None:
        """Apply ``alloc`` for the current interval and run to the next decision point.

        Returns:
            The next context, or None when the run has stopped (horizon or budget).

        Raises:
            ConfigError: before :meth:`begin`, after the stop, or for an invalid split.
        """
        if self._ctx is None:
            state = "has stopped" if self._started else "has not begun"
            raise ConfigError(f"the simulation {state}: no decision point to apply {alloc} at")
        self._ctx = self._engine.advance(self._ctx, alloc, self._who)
        return self._ctx

    @property
    def done(self) -> bool:
        """Whether the run has stopped."""
        return self._started and self._ctx is None

    def result(self) -> RunResult:
        """The run's result (once it has stopped).

        Raises:
            ConfigError: while the run is still going.
        """
        if not self.done:
            raise ConfigError("the simulation has not stopped yet: advance() until it returns None")
        if self._result is None:
            self._result = self._engine._finish()
        return self._result


def simulate(spec: RunSpec, *, on_hour: Callable[[float], None] | None = None) -> RunResult:
    """Run one simulated search.

    Args:
        spec: the run (see :class:`RunSpec`).
        on_hour: called with the elapsed simulated hours after every trace step (progress bars).

    Returns:
        The :class:`RunResult`. The same spec (and seed) gives the same result, bit for bit.

    Raises:
        ConfigError: when the trace does not cover the run, or a policy returns a bad split.
    """
    return _Engine(spec).run(on_hour)
