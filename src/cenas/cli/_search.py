"""``cenas search CONFIG`` (a live CE-NAS search) and ``cenas resume RUN_DIR``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.live import Live
from rich.table import Table
from rich.text import Text

from cenas.cli._output import console, err_console, print_json

__all__ = ["register"]

JsonOption = typer.Option(False, "--json", help="Print one JSON document.")
DataDirOption = typer.Option(
    None, "--data-dir", help="Reference data directory (default: $CENAS_DATA_DIR, then the cache)."
)
ProgressOption = typer.Option(
    True, "--progress/--no-progress", help="Live display on stderr (only on a terminal)."
)


def register(app: typer.Typer) -> None:
    """Add ``cenas search`` and ``cenas resume`` to the root app."""
    app.command("search")(search)
    app.command("resume")(resume)


def _state_table(st: Any) -> Table:
    t = Table(show_header=False, box=None, pad_edge=False)
    budget = "" if st.carbon_budget_g is None else f" of {st.carbon_budget_g:.4g} g budget"
    rows = [
        ("interval", f"{st.interval + 1}/{st.intervals} (trace hour {st.hours:g})"),
        ("intensity", f"{st.intensity_g_per_kwh:.1f} gCO2eq/kWh from {st.source}"),
        ("workers", f"{st.sampling} sampling / {st.evaluation} evaluation"),
        ("ready queue", str(st.queue_length)),
        ("hypervolume", f"{st.hv:.6g}"),
        ("trained / failed", f"{st.n_trained} / {st.n_failed}"),
        ("carbon", f"{st.carbon_g:.4g} gCO2eq{budget}"),
    ]
    for k, v in rows:
        t.add_row(Text(k, style="bold"), Text(v))
    return t


@contextmanager
def _live(enabled: bool) -> Iterator[Any]:
    if not enabled or not err_console.is_terminal:
        yield None
        return
    with Live(console=err_console, transient=True, refresh_per_second=4) as live:
        yield live


def _finish(run_dir: Path, as_json: bool, started: float) -> None:
    from cenas.runner import live_record

    rec = live_record(run_dir)
    idx, y = rec.trained()
    front = rec.front_mask(y)
    hv = rec.hypervolume(y)
    carbon = sum(r.carbon_g for r in rec.evaluations if r.status == "ok")
    from cenas.space import NB201Space

    space = NB201Space()
    front_rows: list[dict[str, Any]] = [
        {
            "index": int(i),
            "arch": space.to_string(int(i)),
            **dict(zip(rec.objectives, map(float, row), strict=True)),
        }
        for i, row in zip(idx[front], y[front], strict=True)
    ]
    doc: dict[str, Any] = {
        "run_dir": str(run_dir),
        "status": rec.summary.get("status"),
        "stop_reason": rec.summary.get("stop_reason"),
        "hypervolume": hv,
        "ref_point": rec.ref_point,
        "carbon_g": rec.summary.get("carbon_g"),
        "carbon_of_evaluations_g": carbon,
        "accounting": rec.provenance["carbon accounting"],
        "carbon_sources": rec.provenance["carbon intensity"],
        "energy_meter": rec.provenance["energy"],
        "trained": len(idx),
        "failed": sum(1 for r in rec.evaluations if r.status != "ok"),
        "front": front_rows,
        "wall_s": time.monotonic() - started,
    }
    if as_json:
        print_json(doc)
        return
    table = Table(title=f"Pareto front of the trained architectures ({len(front_rows)})")
    table.add_column("architecture", overflow="fold")
    for o, mx in zip(rec.objectives, rec.maximize, strict=True):
        table.add_column(f"{o} ({'max' if mx else 'min'})", justify="right")
    for f in sorted(front_rows, key=lambda d: float(d[rec.objectives[0]])):
        table.add_row(f["arch"], *(f"{f[o]:.6g}" for o in rec.objectives))
    console.print(table)
    ref = ", ".join(f"{v + 0.0:g}" for v in rec.ref_point)  # + 0.0: no "-0" for a negated 0
    console.print(
        f"hypervolume {hv:.6g} (reference point [{ref}]); {doc['trained']} trained, "
        f"{doc['failed']} failed; carbon {doc['carbon_g'] or 0.0:.4g} gCO2eq "
        f"({rec.provenance['carbon accounting']}); intensity from {doc['carbon_sources']}; "
        f"energy {doc['energy_meter']}; stop: {doc['stop_reason']}; run directory {run_dir}",
        highlight=False,
    )
    if "budget" in rec.provenance:
        console.print(rec.provenance["budget"], highlight=False)


def _run(runner_factory: Any, progress: bool) -> None:
    with _live(progress) as live:

        def show(st: Any) -> None:
            if live is not None:
                live.update(_state_table(st))

        runner = runner_factory(show)
        try:
            runner.run()
        finally:
            runner.close()


def search(
    config: Path = typer.Argument(
        ..., help="Search configuration (TOML), e.g. configs/search_digits.toml."
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Run directory, must not hold a run (default: cenas-runs/search-<config>).",
    ),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
    progress: bool = ProgressOption,
) -> None:
    """Run a live CE-NAS search: real training on workers, measured energy, replayed or live carbon
    intensity, every event stored in RUN_DIR/run.sqlite (resumable)."""
    from cenas.runner import LiveRunner, load_search_config

    cfg = load_search_config(config)
    run_dir = out if out is not None else Path("cenas-runs") / f"search-{config.stem}"
    started = time.monotonic()
    _run(lambda show: LiveRunner.start(cfg, run_dir, progress=show, data_dir=data_dir), progress)
    _finish(run_dir, as_json, started)


def resume(
    run_dir: Path = typer.Argument(..., help="Run directory of an interrupted `cenas search`."),
    as_json: bool = JsonOption,
    data_dir: Path | None = DataDirOption,
    progress: bool = ProgressOption,
) -> None:
    """Continue an interrupted search; finished work is never repeated."""
    from cenas.runner import LiveRunner

    started = time.monotonic()
    _run(lambda show: LiveRunner.resume(run_dir, progress=show, data_dir=data_dir), progress)
    _finish(run_dir, as_json, started)
