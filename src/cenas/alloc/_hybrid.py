"""CE-NAS hybrid: CarbonScaler's cleanest-hours evaluation plan with R's selection only while it
is cheap and useful.

The budget planner (:class:`~cenas.alloc.BudgetPlannerPolicy`) lost to CarbonScaler because its
sampling side took trainings away: a GPU reserved for sampling in every interval (also the
cleanest ones, where it would have trained), a share of the budget set aside for it, and the
sampling GPU idling at idle power while R was full. The hybrid spends the whole remaining budget
on CarbonScaler's training plan (re-planned every interval, so whatever sampling did cost is
paid out of the plan) and samples only

- on GPUs that the plan leaves free in this interval (never instead of a training),
- once LaMOO has a region to sample in (``start_after_trained`` trainings, the initial design),
- while R holds fewer than ``queue_target`` architectures (what the next trainings need, not
  Cap(R): estimates of an old region are dropped on a region change), and
- while the plan can still pay for at least ``min_planned_trainings`` trainings (a supernet
  costs about as much as a few trainings, so R pays only for a search that will train enough
  architectures to amortise it; with little budget left the GPUs' carbon goes to trainings),
- until ``sample_until_trained`` architectures are trained; after that R drains and the
  evaluation GPUs train LaMOO's direct proposals (set ``direct_when_empty`` in the method's
  search settings), because R's predicted-HVI selection stops helping after a few hundred
  trainings while its supernets and estimates keep costing.

Every other GPU is in the idle share (``power_off_w``).

The shipped configs set ``sample_until_trained = 0`` (no supernet at all) and select LaMOO's
direct proposals on the CPU instead (``direct_candidates`` in the method's search settings, see
:class:`~cenas.search.SearchSettings`): once the direct proposals are the best of several by
predicted hypervolume improvement, a region supernet (about as much carbon as several
trainings under full accounting) no longer paid for itself on the tuning windows.

Without a budget the hybrid's demand is a fixed amount of work, as CarbonScaler's jobs have:
``work_fraction`` of the run's GPU-hours, less the training already done, in the cleanest
hours of the forecast. (The :class:`~cenas.alloc.CarbonScalerPolicy` baseline re-plans
``work_fraction`` of the GPU-hours still ahead at every interval, so how much it trains in all
depends on the trace's shape; a fixed total makes the carbon saved against vanilla LaMOO at
least ``1 / work_fraction`` when the cleanest hours are no dirtier than the average.)
"""

from __future__ import annotations

from cenas.alloc._base import Allocation, AllocationContext
from cenas.alloc._planner import CarbonScalerPolicy
from cenas.alloc._window import ForecasterLike
from cenas.errors import ConfigError

__all__ = ["HybridPolicy"]


def _count(name: str, v: object, lo: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < lo:
        raise ConfigError(f"{name} must be an integer >= {lo}, but got {v!r}")
    return v


class HybridPolicy(CarbonScalerPolicy):
    """CE-NAS hybrid (see the module docstring).

    Args:
        plan_h: as :class:`~cenas.alloc.CarbonScalerPolicy`.
        work_fraction: as :class:`~cenas.alloc.CarbonScalerPolicy`.
        sampling_gpus: at most this many GPUs sample (>= 1), taken from those the plan leaves
            free.
        queue_target: sample while R holds fewer architectures than this (>= 1).
        start_after_trained: sample only after this many trainings (>= 0; the initial design,
            before which the core has no region to sample in).
        sample_until_trained: stop sampling after this many trainings (>= 0; 0 never samples,
            which is CarbonScaler with CE-NAS's search core).
        min_planned_trainings: sample only while the plan still pays for at least this many
            trainings of mean length (>= 0).
        forecaster: as :class:`~cenas.alloc.ThresholdPolicy`.
    """

    name = "hybrid"

    def __init__(
        self,
        plan_h: float = 48.0,
        work_fraction: float = 0.3,
        sampling_gpus: int = 1,
        queue_target: int = 8,
        start_after_trained: int = 10,
        sample_until_trained: int = 200,
        min_planned_trainings: int = 100,
        forecaster: ForecasterLike | None = None,
    ) -> None:
        super().__init__(plan_h, work_fraction, forecaster)
        self.sampling_gpus = _count("sampling_gpus", sampling_gpus, 1)
        self.queue_target = _count("queue_target", queue_target, 1)
        self.start_after_trained = _count("start_after_trained", start_after_trained, 0)
        self.sample_until_trained = _count("sample_until_trained", sample_until_trained, 0)
        self.min_planned_trainings = _count("min_planned_trainings", min_planned_trainings, 0)

    def demand(self, ctx: AllocationContext, intervals: int) -> float:
        """Without a budget: ``work_fraction`` of the run's GPU-intervals less the training
        work done, the share of it that falls in the next ``intervals`` intervals."""
        total = self.work_fraction * ctx.gpus * ctx.horizon_s
        left_s = max(ctx.horizon_s - ctx.elapsed_s, ctx.interval_s)
        share = min(1.0, intervals * ctx.interval_s / left_s)
        return max(total - ctx.trained_gpu_s, 0.0) * share / ctx.interval_s

    def wants_samples(self, ctx: AllocationContext, planned_gpu_intervals: float) -> bool:
        """Whether R needs estimates now (before looking at free GPUs)."""
        if not self.start_after_trained <= ctx.n_trained < self.sample_until_trained:
            return False
        if ctx.queue_length >= min(self.queue_target, ctx.queue_capacity):
            return False
        planned = planned_gpu_intervals * ctx.interval_s / max(ctx.mean_train_s, 1.0)
        return planned >= self.min_planned_trainings

    def decide(self, ctx: AllocationContext) -> Allocation:
        plan, known = self.plan(ctx)
        e = self.first_step(plan, known, ctx.gpus)
        s = 0
        if e < ctx.gpus and self.wants_samples(ctx, float(plan.sum())):
            s = min(self.sampling_gpus, ctx.gpus - e)
        return Allocation(s, e, ctx.gpus - s - e)

    def describe(self) -> str:
        if self.sample_until_trained <= self.start_after_trained:
            return (
                f"hybrid (cleanest hours of {self.plan_h:g} h, no sampling; without a budget "
                f"{self.work_fraction:g} of the run's GPU-hours; {self.outlook.describe()})"
            )
        return (
            f"hybrid (cleanest hours of {self.plan_h:g} h; up to {self.sampling_gpus} free "
            f"GPU(s) sample while |R| < {self.queue_target}, from {self.start_after_trained} to "
            f"{self.sample_until_trained} trainings while the plan pays for "
            f"{self.min_planned_trainings}+ more; {self.outlook.describe()})"
        )
