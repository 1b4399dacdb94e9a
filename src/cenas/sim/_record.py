"""The simulator's run as a neutral :class:`~cenas.record.RunRecord` (what ``cenas report`` reads).

A simulated run directory keeps the true objectives of its final Pareto set only, so the record's
table of evaluations holds that set; energy per training is not tracked by the simulator (its
carbon is charged per GPU state, see :mod:`cenas.sim._engine`), which the provenance says.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from cenas.record import EvaluationRow, RunRecord, SeriesRow

if TYPE_CHECKING:
    from cenas.sim._result import RunResult

__all__ = ["run_record"]


def run_record(result: RunResult) -> RunRecord:
    """Convert a simulated run's result."""
    names = [o.rsplit(":", 1)[0] for o in result.objectives]
    maximize = [o.rsplit(":", 1)[1] == "max" for o in result.objectives]
    evals = [
        EvaluationRow(
            index=int(row["index"]),
            arch=str(row["arch"]),
            objectives=tuple(float(row[m]) for m in names),
            carbon_source=result.trace_source,
            meter="simulated (benchmark training time x configured GPU power)",
        )
        for _, row in result.pareto.iterrows()
    ]
    s = result.series
    series = [
        SeriesRow(
            hours=float(h),
            hv=float(hv),
            carbon_g=float(c),
            intensity_g_per_kwh=float(i),
            sampling=int(a),
            evaluation=int(b),
            queue_length=int(q),
        )
        for h, hv, c, i, a, b, q in zip(
            s["hours"],
            s["hv"],
            s["carbon_g"],
            s["intensity_g_per_kwh"],
            s["sampling_gpus"],
            s["evaluation_gpus"],
            s["queue_length"],
            strict=True,
        )
    ]
    budget = result.config.get("sim", {}).get("carbon_budget_g")
    accounting = str(result.config.get("sim", {}).get("accounting", "full"))
    return RunRecord(
        kind="simulated",
        title=f"{result.method} · {result.window} · seed {result.seed} · {result.policy}",
        objectives=names,
        maximize=maximize,
        ref_point=[float(v) for v in result.ref_point],
        hv_max=float(result.hv_max) if math.isfinite(result.hv_max) else None,
        accounting=accounting,
        carbon_budget_g=None if budget is None else float(budget),
        evaluations=evals,
        series=series,
        provenance={
            "carbon intensity": result.trace_source,
            "energy": "simulated: configured GPU power per state x simulated time",
            "objectives": f"tabular benchmark {result.config.get('benchmark', '?')}",
            "hypervolume": result.hv_source,
            "table": "the final Pareto set (a simulated run keeps only its front's objectives)",
        },
        summary={k: v for k, v in result.summary().items() if not isinstance(v, np.ndarray)},
    )
