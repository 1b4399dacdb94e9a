"""Experiments: methods × windows × seeds × carbon budgets, in parallel processes.

Every run is independent and reproducible from its :class:`RunKey` (the seed is the run's seed,
so ``cenas simulate CONFIG --method M --window W --seed S`` repeats any run of an experiment).
Runs go to worker processes (``concurrent.futures.ProcessPoolExecutor``, spawn context); each
worker re-reads the configuration from its parsed TOML, loads the data once, writes the run's
tables (no per-run plots) and sends back the summary and the curves for the figures. Workers exit
when the driver dies (even by ``kill -9``). With an output directory, an interrupted experiment
run again reuses every run it finished: a run directory is reused when its fingerprint (the
configuration, the run's key and the data files' checksums) matches.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import threadpoolctl

from cenas.report import (
    StepSeries,
    budget_box_data,
    progress_plot_data,
    render_budget_boxes,
    render_progress,
)
from cenas.sim._build import RunKey, load_inputs, run_config
from cenas.sim._config import ExperimentConfig
from cenas.sim._config_toml import parse_config
from cenas.sim._result import json_dumps, write_run

__all__ = ["ExperimentResult", "RunOutcome", "plan_runs", "run_experiment", "summarise"]


@dataclass(frozen=True)
class RunOutcome:
    """What the experiment keeps of one run.

    Attributes:
        key: which run.
        summary: the run's headline numbers (:meth:`RunResult.summary`).
        hours: times of the HV curve, hours from the start.
        hv: hypervolume at those times.
        run_dir: where the run's tables were written, or None.
    """

    key: RunKey
    summary: dict[str, Any]
    hours: np.ndarray
    hv: np.ndarray
    run_dir: str | None


@dataclass(frozen=True)
class ExperimentResult:
    """All outcomes, the summary table and the figure files."""

    outcomes: tuple[RunOutcome, ...]
    runs: pd.DataFrame
    table: pd.DataFrame
    figures: tuple[Path, ...]
    out_dir: Path | None


def plan_runs(cfg: ExperimentConfig) -> list[RunKey]:
    """Every run of the experiment: windows × methods × seeds, without a budget, under each of
    ``carbon_budgets_g`` and under each of ``carbon_budget_fractions`` (in that order, so the
    budget-free runs come first)."""
    seeds = range(cfg.first_seed, cfg.first_seed + cfg.seeds)
    budgets: list[tuple[float | None, float | None]] = [(None, None)]
    budgets += [(b, None) for b in cfg.carbon_budgets_g]
    budgets += [(None, f) for f in cfg.carbon_budget_fractions]
    return [
        RunKey(m.name, w.name, s, b, f)
        for b, f in budgets
        for w in cfg.windows
        for m in cfg.methods
        for s in seeds
    ]


def _overrides(cfg: ExperimentConfig) -> dict[str, Any]:
    return {"trace": cfg.trace, "seeds": cfg.seeds, "jobs": cfg.jobs, "first_seed": cfg.first_seed}


_FINGERPRINT = "fingerprint.txt"


def _fingerprint(cfg: ExperimentConfig, key: RunKey, data_dir: str | None) -> str:
    """What a finished run's result depends on: the configuration, the overrides that change
    results, the run's key and the checksums of the data files (not ``jobs``)."""
    doc = {
        "config": cfg.raw,
        "trace": cfg.trace,
        "key": dataclasses.asdict(key),
        "data_checksums": load_inputs(cfg, data_dir).checksums,
    }
    return hashlib.sha256(json_dumps(doc).encode()).hexdigest()


def _reuse(run_dir: Path, fingerprint: str, key: RunKey) -> RunOutcome | None:
    """The outcome of a run an earlier, interrupted experiment finished, if it is the same run."""
    try:
        if (run_dir / _FINGERPRINT).read_text().strip() != fingerprint:
            return None
        summary = json.loads((run_dir / "summary.json").read_text())["summary"]
        series = pd.read_csv(run_dir / "series.csv", usecols=["hours", "hv"])
    except (OSError, ValueError, KeyError):
        return None
    return RunOutcome(
        key,
        summary,
        series["hours"].to_numpy(np.float64),
        series["hv"].to_numpy(np.float64),
        str(run_dir),
    )


_THREADS = 1
"""BLAS/OpenMP threads per run. A run's matrix products are too small to gain from more, and on
a busy machine idle BLAS threads spin: with the default threads one simulated run took 2-5x the
CPU time for no less wall time (``benchmarks/sim_speed.py --threads 0`` against the default 1)."""


def _die_with_parent(parent_pid: int) -> None:
    """Worker initializer: exit when the driver is gone (killed with -9, no clean-up ran), so
    that no orphaned worker keeps computing; and one BLAS/OpenMP thread (see :data:`_THREADS`)."""
    threadpoolctl.threadpool_limits(_THREADS)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def _work(
    raw: dict[str, Any],
    label: str,
    overrides: dict[str, Any],
    key: RunKey,
    data_dir: str | None,
    out_dir: str | None,
) -> RunOutcome:
    cfg = parse_config(raw, label).with_overrides(**overrides)
    run_dir = None
    fingerprint = ""
    if out_dir is not None:
        fingerprint = _fingerprint(cfg, key, data_dir)
        done = _reuse(Path(out_dir) / "runs" / key.slug, fingerprint, key)
        if done is not None:
            return done
    result = run_config(cfg, key, data_dir)
    if out_dir is not None:
        path = write_run(result, Path(out_dir) / "runs" / key.slug, plots=False)
        (path / _FINGERPRINT).write_text(fingerprint + "\n")  # last: marks the run finished
        run_dir = str(path)
    s = result.series
    return RunOutcome(
        key,
        result.summary(),
        s["hours"].to_numpy(np.float64),
        s["hv"].to_numpy(np.float64),
        run_dir,
    )


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Median (and quartiles of HV) per window, method and budget."""
    rows = []
    keys = ["window", "budget_fraction", "budget_g", "method"]
    if "budget_fraction" not in runs:
        runs = runs.assign(budget_fraction=None)
    frame = runs.assign(
        budget_g=runs["budget_g"].astype(float).fillna(-1.0),
        budget_fraction=runs["budget_fraction"].astype(float).fillna(-1.0),
    )
    for (window, fraction_key, budget_key, method), g in frame.groupby(keys, sort=False):
        budget = float(budget_key)  # type: ignore[arg-type]
        fraction = float(fraction_key)  # type: ignore[arg-type]
        hv = g["hv"].to_numpy(np.float64)
        rows.append(
            {
                "window": window,
                "budget_g": None if budget < 0 else budget,
                "budget_fraction": None if fraction < 0 else fraction,
                "accounting": str(g["accounting"].iloc[0]) if "accounting" in g else "full",
                "method": method,
                "runs": len(g),
                "median_hv": float(np.median(hv)),
                "q1_hv": float(np.percentile(hv, 25)),
                "q3_hv": float(np.percentile(hv, 75)),
                "median_log_hv_gap": float(np.median(g["log_hv_gap"])),
                "median_carbon_g": float(np.median(g["carbon_g"])),
                "median_relative_carbon": float(np.median(g["relative_carbon"])),
                "median_energy_kwh": float(np.median(g["energy_kwh"])),
                "median_n_trained": float(np.median(g["n_trained"])),
                "median_n_estimated": float(np.median(g["n_estimated"])),
                "median_hours": float(np.median(g["hours"])),
                "budget_bound_runs": int(np.sum(g["budget_bound"].astype(bool)))
                if "budget_bound" in g
                else 0,
                "hv_source": str(g["hv_source"].iloc[0]),
            }
        )
    return pd.DataFrame(rows)


def _figures(
    cfg: ExperimentConfig,
    outcomes: Sequence[RunOutcome],
    out: Path,
    data_dir: str | Path | None,
) -> list[Path]:
    inputs = load_inputs(cfg, data_dir)  # HV_max (cached in this process)
    files: list[Path] = []
    methods = [m.name for m in cfg.methods]
    for w in cfg.windows:
        free = [o for o in outcomes if o.key.window == w.name and not o.key.budgeted]
        if free:
            hv_runs = {
                m: [StepSeries(o.hours, o.hv) for o in free if o.key.method == m] for m in methods
            }
            carbon = {
                m: [float(o.summary["carbon_g"]) for o in free if o.key.method == m]
                for m in methods
            }
            notes = sorted(
                {
                    f"{o.key.method}: HV from {o.summary['hv_source']}"
                    for o in free
                    if o.summary["mode"] == "oneshot"
                }
            )
            data = progress_plot_data(
                {m: r for m, r in hv_runs.items() if r},
                carbon,
                inputs.hv_max,
                title=(
                    f"{cfg.objectives} on {cfg.benchmark}, {w.name} ({Path(cfg.trace).name}), "
                    f"median and IQR over {cfg.seeds} seeds"
                ),
                notes=notes,
            )
            files.append(render_progress(data, out / f"fig4_progress_{_safe(w.name)}.png"))
        budgeted = [o for o in outcomes if o.key.window == w.name and o.key.budgeted]
        if budgeted:
            box = budget_box_data(
                [
                    (o.key.method, float(o.summary["budget_g"]), float(o.summary["hv"]))
                    for o in budgeted
                ],
                methods=methods,
                title=f"hypervolume under carbon budgets, {w.name} ({Path(cfg.trace).name}), "
                f"{len({o.key.seed for o in budgeted})} seed(s) per box",
            )
            files.append(render_budget_boxes(box, out / f"fig56_budgets_{_safe(w.name)}.png"))
    return files


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def run_experiment(
    cfg: ExperimentConfig,
    *,
    out_dir: str | Path | None = None,
    data_dir: str | Path | None = None,
    jobs: int | None = None,
    on_done: Callable[[RunOutcome, int, int], None] | None = None,
    keys: Sequence[RunKey] | None = None,
) -> ExperimentResult:
    """Run every run of an experiment and summarise it.

    Args:
        cfg: the configuration (with any overrides applied).
        out_dir: where to write ``runs/…`` tables, ``runs.csv``, ``table.csv``/``table.json`` and
            the figures; None writes nothing.
        data_dir: the reference data directory.
        jobs: worker processes (default ``cfg.jobs``); 1 runs in this process.
        on_done: called after each run with (outcome, runs done, runs in total).
        keys: the runs (default :func:`plan_runs`).

    Returns:
        The :class:`ExperimentResult`; outcomes are in plan order whatever the completion order.
    """
    plan = list(keys) if keys is not None else plan_runs(cfg)
    load_inputs(cfg, data_dir)  # fail fast, in this process, on data or config errors
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    n_jobs = cfg.jobs if jobs is None else jobs
    args = (cfg.raw, cfg.label, _overrides(cfg))
    dd = str(data_dir) if data_dir is not None else None
    od = str(out) if out is not None else None
    results: dict[int, RunOutcome] = {}
    if n_jobs <= 1:
        with threadpoolctl.threadpool_limits(_THREADS):
            for i, key in enumerate(plan):
                results[i] = _work(*args, key, dd, od)
                if on_done is not None:
                    on_done(results[i], len(results), len(plan))
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=n_jobs,
            mp_context=ctx,
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            pending: dict[Future[RunOutcome], int] = {
                pool.submit(_work, *args, key, dd, od): i for i, key in enumerate(plan)
            }
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    i = pending.pop(fut)
                    results[i] = fut.result()
                    if on_done is not None:
                        on_done(results[i], len(results), len(plan))
    outcomes = tuple(results[i] for i in range(len(plan)))
    runs = pd.DataFrame(
        [
            {
                **o.summary,
                "budget_g": o.summary.get("budget_g", o.key.budget_g),
                "budget_fraction": o.key.budget_fraction,
                "run_dir": o.run_dir,
            }
            for o in outcomes
        ]
    )
    table = summarise(runs)
    figures: list[Path] = []
    if out is not None:
        runs.to_csv(out / "runs.csv", index=False)
        table.to_csv(out / "table.csv", index=False)
        (out / "table.json").write_text(
            json_dumps({"config": cfg.label, "trace": cfg.trace, "table": table.to_dict("records")})
            + "\n"
        )
        figures = _figures(cfg, outcomes, out, data_dir)
    return ExperimentResult(outcomes, runs, table, tuple(figures), out)
