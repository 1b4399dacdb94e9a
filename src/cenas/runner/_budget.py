"""The carbon budget of a live run: never start a task that could overshoot it."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cenas.carbon import IntensityTrace
from cenas.runner._workload import TaskSpec

__all__ = ["CarbonBudget"]


@dataclass
class CarbonBudget:
    """Bounds the cost of tasks before they start.

    A task's bound is twice the largest energy measured for its kind (``first_bound_kwh`` before
    any was measured), times PUE, times the highest intensity of its interval (trace steps of
    the interval and the next, and the live reading).

    Attributes:
        budget_g: the budget, gCO2eq, or None.
        first_bound_kwh: the bound of a kind not measured yet.
        pue: power usage effectiveness.
    """

    budget_g: float | None
    first_bound_kwh: float
    pue: float
    bound_kwh: dict[str, float] = field(default_factory=dict)

    def note_energy(self, kind: str, kwh: float) -> None:
        """A task of ``kind`` measured ``kwh``."""
        self.bound_kwh[kind] = max(self.bound_kwh.get(kind, 0.0), 2.0 * kwh)

    def affordable(
        self,
        todo: list[TaskSpec],
        trace: IntensityTrace,
        t_s: float,
        interval_s: float,
        intensity: float,
        used_g: float,
    ) -> tuple[list[TaskSpec], dict[str, Any] | None]:
        """The tasks (a prefix of ``todo``) that fit, and the stop event when one does not."""
        budget = self.budget_g
        if budget is None:
            return todo, None
        i0 = min(int((t_s - trace.start_s) // trace.step_s), len(trace) - 1)
        n = max(1, math.ceil(interval_s / trace.step_s)) + 1
        peak = max(float(np.max(trace.values_g_per_kwh[i0 : i0 + n])), intensity)
        committed = used_g
        out: list[TaskSpec] = []
        for sp in todo:
            cost = self.bound_kwh.get(sp.kind.value, self.first_bound_kwh) * self.pue * peak
            if committed + cost > budget:
                return out, {
                    "key": sp.key,
                    "carbon_g": used_g,
                    "committed_g": committed,
                    "task_bound_g": cost,
                    "budget_g": budget,
                    "message": f"stopped: starting task {sp.key} ({sp.kind.value}) could "
                    f"cost up to {cost:.4g} g, and {committed:.4g} g of the {budget:.4g} g "
                    "budget are used or committed",
                }
            committed += cost
            out.append(sp)
        return out, None
