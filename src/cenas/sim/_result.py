"""The result of a simulated run: time series, allocations, trainings, Pareto set, metadata."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cenas._json import json_dumps
from cenas.moo import log_hv_gap

if TYPE_CHECKING:
    from cenas.sim._spec import RunSpec

__all__ = ["RunResult", "StopReason", "TrainingRecord", "json_dumps", "write_run"]


class StopReason(StrEnum):
    """Why a run stopped."""

    HORIZON = "horizon"
    BUDGET = "budget"


@dataclass(eq=False)
class TrainingRecord:
    """One training task's life on the evaluation GPUs.

    Attributes:
        index: the architecture.
        source: ``initial``, ``queue`` or ``direct``.
        work_s: GPU-seconds it needs in total.
        segments: ``(start_s, end_s)`` of each stretch it ran on a GPU (several when preempted).
        preemptions: how often it lost its GPU.
        end_s: completion time, None when unfinished at the stop.
        completed: whether it finished.
    """

    index: int
    source: str
    work_s: float
    segments: list[tuple[float, float]] = field(default_factory=list)
    preemptions: int = 0
    end_s: float | None = None
    completed: bool = False
    segments_open: float = 0.0

    @property
    def run_s(self) -> float:
        """Seconds it ran in total (equals ``work_s`` when completed)."""
        return float(sum(b - a for a, b in self.segments))


@dataclass(eq=False)
class RunResult:
    """Everything a simulated run produced.

    Attributes:
        method: the method's name.
        mode: the search mode (``cenas``, ``vanilla``, ``oneshot``).
        policy: the allocation policy's description (names oracle knowledge).
        seed: the run's seed.
        window: the trace window's name.
        start: ISO time of the start (UTC).
        trace_source: the source label of the intensity (every carbon number's source).
        objectives: ``metric:direction`` per objective.
        ref_point: reference point in natural units.
        hv_max: hypervolume of the benchmark's true front at the reference point.
        hv_source: what the hypervolume is computed from (see :class:`HVSource`).
        stop_reason: horizon or budget.
        totals: final numbers (hv, log_hv_gap, carbon_g by category, relative_carbon,
            energy_kwh, counts, ...).
        series: time series, one row per trace step and per completed task (columns ``t_s``,
            ``hours``, ``event``, ``hv``, ``log_hv_gap``, ``carbon_g``, ``relative_carbon``,
            ``sampling_gpus``, ``evaluation_gpus``, ``queue_length``, ``n_trained``,
            ``n_estimated``, ...).
        allocations: the GPU split decided at every trace step.
        trainings: one row per training task (segments as JSON).
        pareto: the final Pareto set: index, architecture, true objectives (natural units) and,
            for one-shot runs, the estimates.
        config: the resolved parameters (sim, search, method, data) of the run.
    """

    method: str
    mode: str
    policy: str
    seed: int
    window: str
    start: str
    trace_source: str
    objectives: list[str]
    ref_point: list[float]
    hv_max: float
    hv_source: str
    stop_reason: StopReason
    totals: dict[str, Any]
    series: pd.DataFrame
    allocations: pd.DataFrame
    trainings: pd.DataFrame
    pareto: pd.DataFrame
    config: dict[str, Any]
    training_records: list[TrainingRecord] = field(default_factory=list, repr=False)

    @classmethod
    def build(
        cls,
        *,
        spec: RunSpec,
        engine_series: dict[str, list[Any]],
        alloc_rows: list[dict[str, Any]],
        trainings: list[TrainingRecord],
        pareto: NDArray[np.int64],
        hv_max: float,
        hv_source: str,
        stop_reason: StopReason,
        stop_s: float,
        totals: dict[str, Any],
    ) -> RunResult:
        """Assemble a result from the engine's records."""
        series = pd.DataFrame(engine_series)
        series.insert(
            int(series.columns.get_loc("hv")) + 1,  # type: ignore[arg-type]
            "log_hv_gap",
            np.asarray(log_hv_gap(series["hv"].to_numpy(), hv_max), dtype=np.float64),
        )
        ev = spec.evaluator
        obj = ev.objectives
        pareto = np.sort(pareto)
        true_nat = obj.to_natural(ev.evaluate(pareto)) if pareto.size else np.zeros((0, len(obj)))
        pdf = pd.DataFrame({"index": pareto.astype(np.int64)})
        space = ev.benchmark.space
        pdf["arch"] = [space.to_string(int(i)) for i in pareto]
        for j, m in enumerate(obj.metrics):
            pdf[m] = true_nat[:, j]
        if spec.search.mode.value == "oneshot" and pareto.size:
            est_nat = obj.to_natural(ev.estimate(pareto))
            for j, col in enumerate(ev.estimate_columns):
                pdf[f"estimate:{col}"] = est_nat[:, j]
        tdf = pd.DataFrame(
            {
                "index": [r.index for r in trainings],
                "source": [r.source for r in trainings],
                "work_s": [r.work_s for r in trainings],
                "run_s": [r.run_s for r in trainings],
                "preemptions": [r.preemptions for r in trainings],
                "completed": [r.completed for r in trainings],
                "end_s": [r.end_s for r in trainings],
                "segments": [json.dumps(r.segments) for r in trainings],
            }
        )
        start = pd.Timestamp(spec.start_s, unit="s", tz="UTC")
        config = {
            "method": spec.method,
            "policy": spec.policy.describe(),
            "mode": spec.search.mode.value,
            "seed": spec.seed,
            "window": spec.window,
            "start": start.isoformat(),
            "stop": pd.Timestamp(stop_s, unit="s", tz="UTC").isoformat(),
            "sim": dataclasses.asdict(spec.sim),
            "search": {
                k: (v.value if hasattr(v, "value") else v)
                for k, v in dataclasses.asdict(spec.search).items()
            },
            "lamoo": repr(spec.lamoo),
            "sampler": repr(spec.sampler) if spec.sampler is not None else "UniformRegionSampler()",
            "benchmark": ev.benchmark.name,
            "estimate_columns": ev.estimate_columns,
            **spec.meta,
        }
        return cls(
            method=spec.method,
            mode=spec.search.mode.value,
            policy=spec.policy.describe(),
            seed=spec.seed,
            window=spec.window,
            start=start.isoformat(),
            trace_source=spec.trace.source.label,
            objectives=[str(o) for o in obj.items],
            ref_point=[float(v) for v in obj.to_natural(spec.ref_point)],
            hv_max=float(hv_max),
            hv_source=hv_source,
            stop_reason=stop_reason,
            totals=totals,
            series=series,
            allocations=pd.DataFrame(alloc_rows),
            trainings=tdf,
            pareto=pdf,
            config=config,
            training_records=trainings,
        )

    def summary(self) -> dict[str, Any]:
        """The headline numbers and metadata, JSON-ready."""
        return {
            "method": self.method,
            "mode": self.mode,
            "policy": self.policy,
            "seed": self.seed,
            "window": self.window,
            "start": self.start,
            "trace_source": self.trace_source,
            "objectives": self.objectives,
            "ref_point": self.ref_point,
            "hv_max": self.hv_max,
            "hv_source": self.hv_source,
            "stop_reason": self.stop_reason.value,
            **self.totals,
            "pareto_size": len(self.pareto),
        }


def write_run(result: RunResult, out_dir: str | Path, *, plots: bool = True) -> Path:
    """Write a run directory: ``summary.json`` (headline numbers, config, seed, checksums),
    ``series.csv``, ``allocations.csv``, ``trainings.csv``, ``pareto.csv`` and PNG plots.

    Returns:
        The directory.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    doc = {"summary": result.summary(), "config": result.config}
    (out / "summary.json").write_text(json_dumps(doc) + "\n")
    result.series.to_csv(out / "series.csv", index=False)
    result.allocations.to_csv(out / "allocations.csv", index=False)
    result.trainings.to_csv(out / "trainings.csv", index=False)
    result.pareto.to_csv(out / "pareto.csv", index=False)
    from cenas.record import RECORD_FILE
    from cenas.sim._record import run_record

    record = run_record(result)
    record.write(out / RECORD_FILE)
    if plots:
        from cenas.report import render_run

        render_run(record, out)
    return out
