"""Carbon-aware policies that plan over the (forecast) horizon: the budget planner for CE-NAS and
the two baselines a user would pick instead of it.

All three see the future only through :func:`expected_intensity` (a leak-free forecast, or the
trace's own future as a labelled ORACLE) and re-plan at every allocation interval from what has
happened (the carbon spent so far, R's length).

- :class:`ThresholdPolicy` (Let's Wait Awhile, GAIA's lowest-carbon start): suspend-resume
  vanilla LaMOO. Every GPU trains while the current intensity is at most a quantile of the
  forecast window; otherwise every GPU is suspended (idle or off).
- :class:`CarbonScalerPolicy` (CarbonScaler's greedy marginal allocation): rank the intervals of
  the horizon by work per gram (for independent trainings the marginal work of a GPU is the same
  in every interval, so: by intensity), and fill the cleanest with all GPUs until the job's
  demand is met: the GPU-hours the remaining carbon budget buys, or without a budget a fixed
  fraction of the horizon's GPU-hours.
- :class:`BudgetPlannerPolicy`: the same cleanest-hours evaluation plan for CE-NAS, plus a small
  sampling pool sized to R's need (it samples only while R is not full, in any interval: estimates
  are cheap) and an explicit idle/off share for the rest.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from cenas.alloc._base import Allocation, AllocationContext, AllocationPolicy
from cenas.alloc._window import ForecasterLike, Outlook
from cenas.errors import ConfigError

__all__ = [
    "BudgetPlannerPolicy",
    "CarbonScalerPolicy",
    "ThresholdPolicy",
    "plan_cleanest",
]


def _check(name: str, v: float, lo: float, hi: float, *, lo_open: bool = False) -> float:
    ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    if not ok or v > hi or v < lo or (lo_open and v == lo):
        bracket = "(" if lo_open else "["
        raise ConfigError(f"{name} must be in {bracket}{lo:g}, {hi:g}], but got {v!r}")
    return float(v)


def plan_cleanest(
    intensity: NDArray[np.float64],
    gpus: int,
    *,
    budget_g: float | None,
    gpu_hours: float | None,
    train_factor: float,
    idle_factor: float,
) -> NDArray[np.int64]:
    """Training GPUs per interval: fill the cleanest intervals first.

    Intervals are taken in order of increasing intensity (ties: earlier first), each with all
    ``gpus``, until the demand is met: ``gpu_hours`` (in interval units) and/or what
    ``budget_g`` pays for. Every GPU not training is charged at idle power over the whole plan,
    so that cost is set aside from the budget first; a training GPU costs
    ``(train_factor - idle_factor) * intensity`` more. The last interval gets the GPUs that fit.

    Args:
        intensity: expected intensity per interval, shape ``(k,)``, gCO2eq/kWh.
        gpus: G.
        budget_g: carbon left, gCO2eq; None for no limit.
        gpu_hours: GPU-intervals wanted; None for no limit (then a budget must be given).
        train_factor: gCO2eq per (gCO2eq/kWh) of one GPU training for one interval.
        idle_factor: the same for an idle GPU.

    Returns:
        int64 array of shape ``(k,)`` with values in ``[0, gpus]``.
    """
    k = intensity.size
    plan = np.zeros(k, dtype=np.int64)
    want = math.inf if gpu_hours is None else max(gpu_hours, 0.0)
    left = math.inf if budget_g is None else budget_g - idle_factor * gpus * float(intensity.sum())
    extra = max(train_factor - idle_factor, 0.0)
    for i in np.argsort(intensity, kind="stable").tolist():
        if want <= 0 or left <= 0:
            break
        per_gpu = extra * float(intensity[i])
        n = gpus if per_gpu <= 0 or math.isinf(left) else min(gpus, math.floor(left / per_gpu))
        if math.isfinite(want):
            n = min(n, math.ceil(want))
        n = int(n)
        if n <= 0:
            break
        plan[i] = n
        want -= n
        left -= n * per_gpu
    return plan


class ThresholdPolicy(AllocationPolicy):
    """Suspend-resume vanilla LaMOO: all GPUs train while the current intensity is at most the
    ``quantile`` of the forecast window (the current value included), else all are suspended.

    Args:
        lookahead_h: the window, hours (>= 1).
        quantile: in [0, 1]; 0.5 trains in the cleaner half of the hours.
        forecaster: forecasts the window from the past only; None reads the trace's future
            (an ORACLE, said in :meth:`describe`).
    """

    name = "threshold"

    def __init__(
        self,
        lookahead_h: float = 24.0,
        quantile: float = 0.5,
        forecaster: ForecasterLike | None = None,
    ) -> None:
        self.lookahead_h = _check("lookahead_h", lookahead_h, 1.0, math.inf)
        self.quantile = _check("quantile", quantile, 0.0, 1.0)
        self.forecaster = forecaster
        self.outlook = Outlook(forecaster)

    def reset(self, seed: int | None) -> None:
        self.outlook.reset()

    def decide(self, ctx: AllocationContext) -> Allocation:
        w, _ = self.outlook.window(ctx, self.lookahead_h)
        if ctx.intensity_g_per_kwh <= float(np.quantile(w, self.quantile)):
            return Allocation(0, ctx.gpus, 0)
        return Allocation(0, 0, ctx.gpus)

    def describe(self) -> str:
        return (
            f"threshold (train below the {self.quantile:g} quantile of "
            f"{self.lookahead_h:g} h, {self.outlook.describe()})"
        )


class CarbonScalerPolicy(AllocationPolicy):
    """CarbonScaler's greedy marginal allocation for vanilla LaMOO (see the module docstring).

    Args:
        plan_h: planning horizon, hours (>= 1); cut at the run's end.
        work_fraction: without a budget, the demand as a fraction of the GPU-hours of the rest
            of the run (in (0, 1]).
        forecaster: as :class:`ThresholdPolicy`.
    """

    name = "carbonscaler"

    def __init__(
        self,
        plan_h: float = 48.0,
        work_fraction: float = 0.3,
        forecaster: ForecasterLike | None = None,
    ) -> None:
        self.plan_h = _check("plan_h", plan_h, 1.0, math.inf)
        self.work_fraction = _check("work_fraction", work_fraction, 0.0, 1.0, lo_open=True)
        self.forecaster = forecaster
        self.outlook = Outlook(forecaster)

    def reset(self, seed: int | None) -> None:
        self.outlook.reset()

    def plan(
        self, ctx: AllocationContext, budget_share: float = 1.0
    ) -> tuple[NDArray[np.int64], bool]:
        """Training GPUs per interval over the rest of the horizon, and whether the intensities
        it was planned on are a forecast (False: no history, all intervals alike)."""
        left_s = max(ctx.horizon_s - ctx.elapsed_s, ctx.interval_s)
        hours = min(self.plan_h, left_s / 3600.0)
        w, known = self.outlook.window(ctx, hours)
        train_f, _, idle_f = ctx.charge_factors()
        budget = ctx.remaining_budget_g
        demand = None
        if budget is None:
            demand = self.demand(ctx, w.size)
        else:
            budget *= budget_share
        plan = plan_cleanest(
            w,
            ctx.gpus,
            budget_g=budget,
            gpu_hours=demand,
            train_factor=train_f,
            idle_factor=idle_f,
        )
        return plan, known

    def demand(self, ctx: AllocationContext, intervals: int) -> float:
        """Without a budget: GPU-intervals to train over the next ``intervals`` intervals,
        ``work_fraction`` of their GPU-intervals."""
        return self.work_fraction * ctx.gpus * intervals

    def training_plan(self, ctx: AllocationContext, budget_share: float = 1.0) -> int:
        """Training GPUs for the current interval from a plan over the horizon."""
        plan, known = self.plan(ctx, budget_share)
        return self.first_step(plan, known, ctx.gpus)

    @staticmethod
    def first_step(plan: NDArray[np.int64], known: bool, gpus: int) -> int:
        """The current interval's training GPUs of a :meth:`plan`."""
        if not known:
            # no forecast (too little history): the intervals are alike as far as anyone knows,
            # so the planned work is spread evenly rather than all done first
            return min(gpus, math.floor(float(plan.sum()) / plan.size + 0.5))
        return int(plan[0])

    def decide(self, ctx: AllocationContext) -> Allocation:
        e = self.training_plan(ctx)
        return Allocation(0, e, ctx.gpus - e)

    def describe(self) -> str:
        return (
            f"carbonscaler (cleanest hours of {self.plan_h:g} h, work fraction "
            f"{self.work_fraction:g} without a budget, {self.outlook.describe()})"
        )


class BudgetPlannerPolicy(CarbonScalerPolicy):
    """CE-NAS's budget planner: CarbonScaler's cleanest-hours plan for the evaluation GPUs, a
    sampling pool sized to what R needs, and the rest idle (or off).

    Sampling gets ``sampling_gpus`` whenever R is not full (more when the plan leaves GPUs free
    and R is less than half full), and ``sampling_share`` of the remaining budget is set aside
    for it when planning the trainings.

    Args:
        plan_h: as :class:`CarbonScalerPolicy`.
        work_fraction: as :class:`CarbonScalerPolicy`.
        sampling_gpus: GPUs sampling while R is not full (>= 1).
        sampling_share: fraction of the remaining budget kept for sampling, in [0, 1).
        forecaster: as :class:`ThresholdPolicy`.
    """

    name = "planner"

    def __init__(
        self,
        plan_h: float = 48.0,
        work_fraction: float = 0.3,
        sampling_gpus: int = 1,
        sampling_share: float = 0.1,
        forecaster: ForecasterLike | None = None,
    ) -> None:
        super().__init__(plan_h, work_fraction, forecaster)
        if (
            isinstance(sampling_gpus, bool)
            or not isinstance(sampling_gpus, int)
            or sampling_gpus < 1
        ):
            raise ConfigError(f"sampling_gpus must be an integer >= 1, but got {sampling_gpus!r}")
        self.sampling_gpus = sampling_gpus
        self.sampling_share = _check("sampling_share", sampling_share, 0.0, 1.0)
        if self.sampling_share >= 1.0:
            raise ConfigError(f"sampling_share must be below 1, but got {sampling_share!r}")

    def decide(self, ctx: AllocationContext) -> Allocation:
        e = self.training_plan(ctx, 1.0 - self.sampling_share)
        s = 0
        if ctx.queue_length < ctx.queue_capacity:
            s = min(self.sampling_gpus, ctx.gpus)
            e = min(e, ctx.gpus - s)
        return Allocation(s, e, ctx.gpus - s - e)

    def describe(self) -> str:
        return (
            f"budget planner (cleanest hours of {self.plan_h:g} h, {self.sampling_gpus} "
            f"sampling GPU(s) while R is not full, {self.outlook.describe()})"
        )
