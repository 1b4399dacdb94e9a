"""``cenas demo``: the README's main job — a short CE-NAS simulation on NAS-Bench-201."""

from __future__ import annotations

from pathlib import Path

import typer

from cenas.cli._output import console, print_json, progress_bar

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``cenas demo`` to the root app."""
    app.command("demo")(demo)


def demo(
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Reference data directory."),
    seed: int = typer.Option(0, "--seed", help="Run seed."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Simulate CE-NAS and its baselines for 41 h of US-CAL-CISO 2021 carbon intensity on
    NAS-Bench-201 (CIFAR-10 accuracy vs Raspberry Pi 4 latency, 8 GPUs) and compare them."""
    from cenas.cli._sim import run_summary_table
    from cenas.sim import RunKey, build_spec, bundled_config, load_config, simulate

    cfg = load_config(bundled_config("demo"))
    window = cfg.windows[0]
    rows = []
    hv_max, hv_notes = 0.0, {}
    with progress_bar(not as_json) as progress:
        task = progress.add_task("simulating", total=len(cfg.methods))
        for m in cfg.methods:
            progress.update(task, description=f"simulating {m.name}")
            result = simulate(build_spec(cfg, RunKey(m.name, window.name, seed), data_dir))
            rows.append(result.summary())
            hv_max = result.hv_max
            hv_notes[m.name] = result.hv_source
            progress.advance(task)
    if as_json:
        print_json(
            {
                "config": "demo",
                "window": window.name,
                "seed": seed,
                "accounting": cfg.sim.accounting.value,
                "runs": rows,
            }
        )
        return
    first = rows[0]
    console.print(
        f"[bold]CE-NAS demo[/]: {first['objectives']} on NAS-Bench-201, reference point "
        f"{first['ref_point']}, HV_max {hv_max:.2f}",
        highlight=False,
        markup=True,  # the consoles print text verbatim unless asked (cenas.cli._output)
    )
    console.print(
        f"{cfg.sim.gpus} GPUs, {cfg.horizon_h(window):g} h from {window.start.isoformat()} "
        f"({window.name}), carbon from {first['trace_source']} "
        f"({cfg.sim.accounting.value} accounting), seed {seed}",
        highlight=False,
    )
    console.print(run_summary_table(rows))
    for name, src in hv_notes.items():
        if "estimated" in src:
            console.print(f"{name}: HV from {src}", highlight=False)
    console.print(
        "Run one method with tables and plots: cenas simulate CONFIG; all methods, seeds and "
        "carbon budgets: cenas experiment CONFIG (example configs in configs/).",
        highlight=False,
    )
