"""``cenas simulate`` (one run) and ``cenas experiment`` (methods × traces × seeds × budgets)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import threadpoolctl
import typer
from rich.table import Table

from cenas.cli._output import check_output_dir, console, print_json, progress_bar

__all__ = ["register", "run_summary_table"]

DataDirOption = typer.Option(
    None, "--data-dir", help="Reference data directory (default: $CENAS_DATA_DIR, then the cache)."
)
JsonOption = typer.Option(False, "--json", help="Print one JSON document.")
_REL_CARBON = (
    "rel. carbon = sum over busy GPU-hours of the intensity (gCO2eq/kWh x GPU-h); "
    "ln gap = natural log of (HV_max - HV)"
)


def register(app: typer.Typer) -> None:
    """Add ``cenas simulate`` and ``cenas experiment`` to the root app."""
    app.command("simulate")(simulate)
    app.command("experiment")(experiment)


def run_summary_table(rows: list[dict[str, Any]], title: str = "") -> Table:
    """A rich table of run summaries (method, HV, log gap, carbon, counts)."""
    table = Table(title=title or None, caption=_REL_CARBON)
    for col in (
        "method",
        "HV",
        "ln(HV_max-HV)",
        "carbon kgCO2eq",
        "rel. carbon (gCO2eq/kWh x GPU-h)",
        "trained",
        "estimated",
        "hours",
    ):
        table.add_column(col, justify="left" if col == "method" else "right")
    for r in rows:
        table.add_row(
            str(r["method"]),
            f"{r['hv']:.2f}",
            f"{r['log_hv_gap']:.3f}",
            f"{r['carbon_g'] / 1000:.2f}",
            f"{r['relative_carbon']:.0f}",
            str(r["n_trained"]),
            str(r["n_estimated"]),
            f"{r['hours']:.1f}",
        )
    return table


def simulate(
    config: Path = typer.Argument(..., help="Experiment configuration (TOML)."),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Run directory (default: cenas-runs/<config>/<method>-<window>-seed<S>).",
    ),
    seed: int | None = typer.Option(None, "--seed", help="Run seed (default: the first seed)."),
    method: str | None = typer.Option(None, "--method", help="Method name (default: the first)."),
    window: str | None = typer.Option(
        None, "--window", help="Window: trace1, trace2 or an ISO start (default: the first)."
    ),
    budget: float | None = typer.Option(
        None, "--budget", help="Carbon budget in gCO2eq (default: the config's, if any)."
    ),
    budget_fraction: float | None = typer.Option(
        None,
        "--budget-fraction",
        help="Carbon budget as a fraction of vanilla LaMOO's unbudgeted carbon on the window.",
    ),
    data_dir: Path | None = DataDirOption,
    as_json: bool = JsonOption,
) -> None:
    """Simulate one CE-NAS run and write its run directory (tables and plots)."""
    from cenas.sim import RunKey, build_spec, load_config, write_run
    from cenas.sim import simulate as run_sim

    if out is not None:
        check_output_dir(out, "--out")
    cfg = load_config(config)
    m = cfg.method(method)
    w = cfg.window(window)
    s = cfg.first_seed if seed is None else seed
    if s < 0:
        raise typer.BadParameter("--seed must be >= 0")
    if budget is not None and not budget > 0:
        raise typer.BadParameter(f"--budget must be > 0 gCO2eq, got {budget:g}")
    if budget_fraction is not None and not budget_fraction > 0:
        raise typer.BadParameter(f"--budget-fraction must be > 0, got {budget_fraction:g}")
    if budget is not None and budget_fraction is not None:
        raise typer.BadParameter("give --budget or --budget-fraction, not both")
    key = RunKey(m.name, w.name, s, budget, budget_fraction)
    spec = build_spec(cfg, key, data_dir)
    horizon_h = spec.sim.horizon_h or 0.0
    with progress_bar(not as_json) as progress:
        task = progress.add_task(f"{m.name} on {w.name}", total=horizon_h)
        # One BLAS thread, as run_experiment's workers: a run's matrix products are small, and
        # spinning BLAS threads cost 2-5x the CPU on a busy machine (benchmarks/sim_speed.py).
        with threadpoolctl.threadpool_limits(1):
            result = run_sim(spec, on_hour=lambda h: progress.update(task, completed=h))
    if out is None:
        safe = key.slug.replace("/", "-")
        out = Path("cenas-runs") / config.stem / safe
    run_dir = write_run(result, out)
    summary = result.summary()
    if as_json:
        print_json({"run_dir": str(run_dir), **summary})
        return
    console.print(
        run_summary_table(
            [summary],
            title=(
                f"{Path(config).name}: {w.name}, seed {s}, {result.policy}, "
                f"{summary['accounting']} accounting"
                + (
                    ""
                    if summary["budget_g"] is None or summary["budget_bound"]
                    else ", the budget never bound"
                )
            ),
        )
    )
    console.print(
        f"HV from {result.hv_source}; HV_max {result.hv_max:.4f}; carbon source "
        f"{result.trace_source}; stopped by {result.stop_reason.value}",
        highlight=False,
    )
    console.print(f"run directory: {run_dir}", highlight=False)


def experiment(
    config: Path = typer.Argument(..., help="Experiment configuration (TOML)."),
    trace: str | None = typer.Option(
        None, "--trace", help="Carbon trace file (overrides the config; data-dir relative)."
    ),
    seeds: int | None = typer.Option(None, "--seeds", help="Seeds per method (overrides)."),
    out: Path | None = typer.Option(
        None, "--out", help="Output directory (default: cenas-runs/<config>-experiment)."
    ),
    jobs: int | None = typer.Option(
        None, "--jobs", help="Parallel processes (default: the config's, 2)."
    ),
    data_dir: Path | None = DataDirOption,
    as_json: bool = JsonOption,
) -> None:
    """Run methods × windows × seeds × carbon budgets; write tables and Figures 4-6."""
    from cenas.sim import load_config, plan_runs, run_experiment

    if out is not None:
        check_output_dir(out, "--out")
    cfg = load_config(config).with_overrides(trace=trace, seeds=seeds, jobs=jobs)
    plan = plan_runs(cfg)
    out_dir = out if out is not None else Path("cenas-runs") / f"{config.stem}-experiment"
    with progress_bar(True) as progress:
        task = progress.add_task(f"{len(plan)} runs on {cfg.jobs} processes", total=len(plan))

        def done(o: Any, n: int, total: int) -> None:
            progress.update(
                task,
                completed=n,
                description=f"{o.key.method} {o.key.window} seed {o.key.seed}",
            )

        result = run_experiment(cfg, out_dir=out_dir, data_dir=data_dir, on_done=done)
    table = result.table
    if as_json:
        methods: dict[str, Any] = {}
        for r in table[table["budget_g"].isna()].to_dict("records"):
            methods.setdefault(str(r["method"]), {})[str(r["window"])] = {
                "median_hv": r["median_hv"],
                "median_carbon_g": r["median_carbon_g"],
                "median_log_hv_gap": r["median_log_hv_gap"],
                "median_relative_carbon": r["median_relative_carbon"],
                "median_n_trained": r["median_n_trained"],
                "runs": r["runs"],
            }
        budgets = [
            {
                k: r[k]
                for k in ("window", "budget_g", "method", "runs", "median_hv", "median_carbon_g")
            }
            for r in table[table["budget_g"].notna()].to_dict("records")
        ]
        print_json(
            {
                "config": str(config),
                "trace": cfg.trace,
                "seeds": cfg.seeds,
                "out_dir": str(out_dir),
                "methods": methods,
                "budgets": budgets,
                "accounting": cfg.sim.accounting.value,
                "figures": [str(f) for f in result.figures],
            }
        )
        return
    for (window, budget_key), g in table.groupby(
        [table["window"], table["budget_g"].fillna(-1.0)], sort=False
    ):
        budget = float(budget_key)  # type: ignore[arg-type]
        title = f"{window}: " + ("no budget" if budget < 0 else f"budget {budget / 1000:.3g} kg")
        fraction = g["budget_fraction"].iloc[0] if "budget_fraction" in g else None
        if fraction is not None and fraction == fraction:  # not NaN
            title += f" ({fraction:g}x vanilla LaMOO's unbudgeted carbon)"
        title += f", {cfg.sim.accounting.value} accounting"
        t = Table(title=title + f" (medians over {cfg.seeds} seeds)", caption=_REL_CARBON)
        rel = "rel. carbon (gCO2eq/kWh x GPU-h)"
        for col in ("method", "HV", "ln gap", "kgCO2eq", rel, "trained", "hours"):
            t.add_column(col, justify="left" if col == "method" else "right")
        for r in g.to_dict("records"):
            t.add_row(
                str(r["method"]),
                f"{r['median_hv']:.2f}",
                f"{r['median_log_hv_gap']:.3f}",
                f"{r['median_carbon_g'] / 1000:.2f}",
                f"{r['median_relative_carbon']:.0f}",
                f"{r['median_n_trained']:.0f}",
                f"{r['median_hours']:.1f}",
            )
        console.print(t)
    console.print(f"tables and figures in {out_dir}", highlight=False)
