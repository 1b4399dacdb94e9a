"""What the learned policy sees and what it may do: the observation built from an
:class:`~cenas.alloc.AllocationContext`, and the mapping of an action to an
:class:`~cenas.alloc.Allocation`.

The environment (training) and :class:`~cenas.rl.RLPolicy` (inference) share this module, so the
policy sees at inference exactly what it saw in training. The future intensity enters only
through :class:`~cenas.alloc.Outlook`: a leak-free forecast issued at the decision time, or
(named as such) the trace's own future, the ORACLE input of the paper's appendix comparison.

Beyond the paper's state (forecast intensity, remaining budget, hypervolume, samples) the
observation says where the current interval ranks among the coming ones and how much of the
remaining horizon the budget can pay for, and it carries the cleanest-hours plan's share for the
current interval (CarbonScaler's greedy plan over the same forecast, see
:func:`~cenas.alloc.plan_cleanest`): a policy that starts from the planner's view and learns when
to deviate from it learns in minutes what one learning from raw intensities would need hours for.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cenas.alloc import (
    Allocation,
    AllocationContext,
    CarbonScalerPolicy,
    Outlook,
    plan_cleanest,
)
from cenas.errors import ConfigError

__all__ = ["OBS_BOUND", "OBS_NAMES", "ActionKind", "ActionMap", "ObservationBuilder"]

_OUTLOOK_H = 24
_SCALARS = (
    "intensity_scaled",
    "rank_24h",
    "rank_remaining",
    "plan_share",
    "plan_share_next",
    "has_budget",
    "budget_left",
    "budget_per_hour",
    "hv_gain_step",
    "hv_gain_total",
    "queue_fill",
    "n_trained_log",
    "time_fraction",
    "remaining_hours",
    "train_intervals",
    "forecast_ok",
)
OBS_BOUND = 50.0
"""Every observation component lies in ``[-OBS_BOUND, OBS_BOUND]``."""
OBS_NAMES: tuple[str, ...] = _SCALARS + tuple(f"outlook_{k}" for k in range(_OUTLOOK_H))
"""The observation's components, in order."""


class ActionKind(enum.Enum):
    """How the agent's action is read.

    ``discrete``: two choices per interval, the paper's 10 levels of evaluation share (level
    ``k`` gives ``max(1, round(k / 10 * G))`` evaluation GPUs) plus level 0, no evaluation; and
    what the other GPUs do: off, one GPU samples, all sample (the paper's). ``continuous``: the
    evaluation share and the sampling share of the rest, each in [0, 1]; what is left is off.
    """

    DISCRETE = "discrete"
    CONTINUOUS = "continuous"


@dataclass(frozen=True)
class ActionMap:
    """Maps an action of :class:`ActionKind` to an allocation of ``gpus`` GPUs.

    Attributes:
        kind: discrete or continuous.
        levels: evaluation-share levels of the discrete action (the paper: 10).
    """

    kind: ActionKind
    levels: int = 10

    def __post_init__(self) -> None:
        if isinstance(self.levels, bool) or not isinstance(self.levels, int) or self.levels < 1:
            raise ConfigError(f"levels must be an integer >= 1, but got {self.levels!r}")

    @property
    def nvec(self) -> tuple[int, int]:
        """Sizes of the discrete action's two choices."""
        return (self.levels + 1, 3)

    def to_allocation(
        self, action: NDArray[np.float64] | NDArray[np.int64], gpus: int
    ) -> Allocation:
        """The allocation an action asks for.

        Raises:
            ConfigError: for an action of the wrong shape or out of range.
        """
        a = np.asarray(action).reshape(-1)
        if a.size != 2 or not np.all(np.isfinite(a)):
            raise ConfigError(f"an action must hold two finite numbers, but got {a.tolist()!r}")
        if self.kind is ActionKind.DISCRETE:
            level, rest = int(a[0]), int(a[1])
            if not (0 <= level <= self.levels and 0 <= rest <= 2):
                raise ConfigError(
                    f"a discrete action must be (level in 0..{self.levels}, rest in 0..2), "
                    f"but got {a.tolist()!r}"
                )
            e = 0 if level == 0 else max(1, math.floor(level / self.levels * gpus + 0.5))
            e = min(e, gpus)
            free = gpus - e
            s = (0, min(1, free), free)[rest]
        else:
            ev, sa = (min(max(float(v), 0.0), 1.0) for v in a)
            e = min(gpus, math.floor(ev * gpus + 0.5))
            s = min(gpus - e, math.floor(sa * (gpus - e) + 0.5))
        return Allocation(int(s), int(e), int(gpus - s - e))


class ObservationBuilder:
    """Builds the observation (shape ``(len(OBS_NAMES),)``, float32) at each decision point.

    Stateful within a run (it remembers the hypervolume of the previous decision and of the
    first), so call :meth:`reset` at the start of every run and :meth:`observe` once per
    decision point, in order.

    Args:
        outlook: the intensity view, a forecast (leak-free) or the ORACLE look-ahead.
        plan_h: hours of the cleanest-hours plan (capped at the remaining horizon).
        work_fraction: without a budget, the share of the horizon's GPU-hours the plan asks for
            (as :class:`~cenas.alloc.CarbonScalerPolicy`).
    """

    def __init__(self, outlook: Outlook, plan_h: float = 48.0, work_fraction: float = 0.3) -> None:
        if not (math.isfinite(plan_h) and plan_h >= 1.0):
            raise ConfigError(f"plan_h must be >= 1 hour, but got {plan_h!r}")
        if not 0.0 < work_fraction <= 1.0:
            raise ConfigError(f"work_fraction must be in (0, 1], but got {work_fraction!r}")
        self.outlook = outlook
        self.plan_h = float(plan_h)
        self.work_fraction = float(work_fraction)
        self._hv_prev = 0.0
        self._hv_first = 0.0

    def reset(self) -> None:
        """Forget the previous run."""
        self.outlook.reset()
        self._hv_prev = 0.0
        self._hv_first = 0.0

    def observe(self, ctx: AllocationContext) -> NDArray[np.float32]:
        """The observation at ``ctx`` (only what the context and the outlook know)."""
        step_h = ctx.interval_s / 3600.0
        remaining_h = max(ctx.horizon_s - ctx.elapsed_s, ctx.interval_s) / 3600.0
        hours = max(min(self.plan_h, remaining_h), float(_OUTLOOK_H) * step_h)
        window, ok = self.outlook.window(ctx, hours)
        now = float(window[0])
        n_rem = max(1, min(window.size, math.ceil(remaining_h / step_h - 1e-9)))
        rem = window[:n_rem]
        head = window[:_OUTLOOK_H]
        outlook = np.full(_OUTLOOK_H, head[-1], dtype=np.float64)
        outlook[: head.size] = head
        mean = max(float(outlook.mean()), 1e-6)
        train_f, _, idle_f = ctx.charge_factors()
        left = ctx.remaining_budget_g
        plan = plan_cleanest(
            rem,
            ctx.gpus,
            budget_g=left,
            gpu_hours=None if left is not None else self.work_fraction * ctx.gpus * n_rem,
            train_factor=train_f,
            idle_factor=idle_f,
        )
        g = max(ctx.gpus, 1)
        if left is None or ctx.carbon_budget_g is None:
            budget_left, per_hour = 1.0, self.work_fraction
        else:
            budget_left = left / max(ctx.carbon_budget_g, 1e-9)
            full_cost = train_f * g * float(rem.mean())
            per_hour = left / max(full_cost * n_rem, 1e-9)
        hv = float(ctx.hv)
        if self._hv_first <= 0.0:
            self._hv_first = hv
        scale = max(hv, 1e-9)
        gain_step = (hv - self._hv_prev) / scale if self._hv_prev > 0 else 0.0
        gain_total = (hv - self._hv_first) / scale
        self._hv_prev = hv
        feats = [
            now / 500.0,
            float(np.mean(outlook < now)),
            float(np.mean(rem < now)),
            CarbonScalerPolicy.first_step(plan, ok, ctx.gpus) / g,
            float(plan[1]) / g if plan.size > 1 else 0.0,
            0.0 if left is None else 1.0,
            budget_left,
            min(per_hour, 4.0),
            math.copysign(math.log1p(abs(gain_step) * 1e3), gain_step),
            math.log1p(max(gain_total, 0.0) * 1e2),
            ctx.queue_length / max(ctx.queue_capacity, 1),
            math.log1p(ctx.n_trained) / math.log(1000.0),
            ctx.elapsed_s / max(ctx.horizon_s, 1e-9),
            remaining_h / 48.0,
            ctx.mean_train_s / max(ctx.interval_s, 1e-9),
            1.0 if ok else 0.0,
        ]
        out = np.concatenate([np.asarray(feats), outlook / mean - 1.0]).astype(np.float32)
        out = np.nan_to_num(out, nan=0.0, posinf=OBS_BOUND, neginf=-OBS_BOUND)
        return np.clip(out, -OBS_BOUND, OBS_BOUND).astype(np.float32)
