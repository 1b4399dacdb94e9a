"""A live run's store as the neutral :class:`~cenas.record.RunRecord` (what the report reads)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from cenas.record import EvaluationRow, RunRecord, SeriesRow
from cenas.space import SearchSpace
from cenas.store import RunStore

__all__ = ["live_record"]


def _natural(y: list[float], maximize: list[bool]) -> tuple[float, ...]:
    return tuple(-v if mx else v for v, mx in zip(y, maximize, strict=True))


def live_record(run_dir: str | Path, space: SearchSpace | None = None) -> RunRecord:
    """Read a live run directory's store into a record (read-only; works on an unfinished run).

    Args:
        run_dir: the run directory.
        space: to name architectures (default: NAS-Bench-201 strings for the cell-net workload,
            else ``#<index>``).

    Raises:
        StoreError: ``run_dir`` is not a run, or is from a newer schema.
    """
    with RunStore.open(run_dir, readonly=True) as st:
        events = list(st.events())
    run = next((e.payload for e in events if e.kind == "run"), None)
    if run is None:
        from cenas.errors import StoreError

        raise StoreError(f"{run_dir} holds no run event")
    if space is None and run["workload"].get("workload") in ("nb201-live", "cellnet"):
        from cenas.space import NB201Space

        space = NB201Space()
    mx: list[bool] = run["maximize"]
    cfg: dict[str, Any] = run["config"]
    allocs: dict[int, dict[str, Any]] = {}
    evals: list[EvaluationRow] = []
    estimates: list[tuple[int, tuple[float, ...]]] = []
    series: list[SeriesRow] = []
    meters: set[str] = set()
    sources: set[str] = set()
    fallbacks = 0
    end: dict[str, Any] | None = None
    budget_msg = ""
    last: dict[str, Any] | None = None
    waves = int(cfg["run"]["waves_per_interval"])
    interval_h = float(cfg["run"]["interval_h"])
    for e in events:
        p = e.payload
        if e.kind == "allocation":
            allocs[p["interval"]] = p
            fallbacks += bool(p["is_fallback"])
            sources.add(str(p["source"]))
            series.append(_row(p, last, float(p["hours"])))
        elif e.kind == "wave":
            a = allocs.get(p["interval"])
            last = p
            if a is not None:
                # a wave's results count at the end of its share of the interval
                series.append(_row(a, p, float(a["hours"]) + (p["wave"] + 1) * interval_h / waves))
        elif e.kind == "task":
            ok = p["status"] == "ok"
            if ok:
                meters.add(p["meter"])
            if p["kind"] == "estimate" and ok:
                estimates += [
                    (int(i), _natural(y, mx)) for i, y in zip(p["indices"], p["y"], strict=True)
                ]
            if p["kind"] != "evaluate":
                continue
            i = int(p["indices"][0])
            nan = (math.nan,) * len(mx)
            est = p.get("estimate")
            evals.append(
                EvaluationRow(
                    index=i,
                    arch=space.to_string(i) if space is not None else f"#{i}",
                    objectives=_natural(p["y"][0], mx) if ok else nan,
                    estimate=None if est is None else _natural(est, mx),
                    energy_kwh=float(p["energy_kwh"]) if ok else math.nan,
                    carbon_g=float(p["carbon_g"]) if ok else math.nan,
                    intensity_g_per_kwh=float(p["intensity"]) if ok else math.nan,
                    meter=str(p.get("meter", "")),
                    carbon_source=str(p.get("carbon_source", "")),
                    hours=float(p.get("hours", math.nan)),
                    status="ok" if ok else f"failed after {p['attempts']} attempt(s): {p['error']}",
                )
            )
        elif e.kind == "budget_stop":
            budget_msg = p["message"]
        elif e.kind == "end":
            end = p
    ref = [(-v if m else v) for v, m in zip(run["ref_point"], mx, strict=True)]
    wl = run["workload"]
    prov = {
        "energy": f"measured by {', '.join(sorted(meters)) or '(no task finished)'} in each "
        "worker, per task",
        "carbon intensity": f"{', '.join(sorted(sources)) or '(none yet)'}; "
        f"{fallbacks} interval(s) fell back to the trace",
        "trace file": f"{run['trace']['path']} (sha256 {run['trace']['sha256'] or 'n/a'})",
        "objectives": f"{', '.join(run['objectives'])} from training ({wl.get('workload')}, "
        f"dataset {wl.get('dataset', '?')}, sha256 {wl.get('dataset_sha256', 'n/a')})",
        "estimates": "one-shot estimates of the region's supernet",
        "hypervolume": "HV of the trained architectures",
        "carbon accounting": run["accounting"],
        "seed": str(run["seed"]),
        "package versions": ", ".join(f"{k} {v}" for k, v in run["versions"].items()),
    }
    if budget_msg:
        prov["budget"] = budget_msg
    c = cfg["carbon"]
    title = (
        f"cenas search · {wl.get('dataset', '?')} · {cfg['search']['policy']} · seed "
        f"{run['seed']} · {cfg['run']['workers']} workers · {c['trace'].rsplit('/', 1)[-1]} "
        f"from {c['start']}"
    )
    summary: dict[str, Any] = {"status": "finished" if end else "unfinished (resume to continue)"}
    if end is not None:
        summary.update(
            stop_reason=end["reason"],
            hv=end["hv"],
            carbon_g=end["carbon_g"],
            accounting=str(run.get("accounting_mode", "measured")),
        )
    return RunRecord(
        kind="live",
        title=title,
        objectives=list(run["objectives"]),
        maximize=mx,
        ref_point=ref,
        accounting=str(run.get("accounting_mode", "measured")),
        carbon_budget_g=cfg["run"]["carbon_budget_g"],
        evaluations=evals,
        estimates=estimates,
        series=series,
        provenance=prov,
        summary=summary,
    )


def _row(alloc: dict[str, Any], wave: dict[str, Any] | None, hours: float) -> SeriesRow:
    w = wave or {}
    return SeriesRow(
        hours=hours,
        hv=float(w.get("hv", 0.0)),
        carbon_g=float(w.get("carbon_g", 0.0)),
        intensity_g_per_kwh=float(alloc["intensity"]),
        sampling=int(alloc["sampling"]),
        evaluation=int(alloc["evaluation"]),
        queue_length=int(w.get("queue_length", 0)),
    )
