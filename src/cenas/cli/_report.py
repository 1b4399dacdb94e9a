"""``cenas report RUN_DIR``: one HTML page for a live or a simulated run."""

from __future__ import annotations

from pathlib import Path

import typer

from cenas.cli._output import console, print_json
from cenas.errors import StoreError

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``cenas report`` to the root app."""
    app.command("report")(report)


def report(
    run_dir: Path = typer.Argument(
        ..., help="Run directory of `cenas search` or `cenas simulate`."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Directory of the report (default: RUN_DIR/report)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Write RUN_DIR/report/report.html: Pareto front (true and estimated), hypervolume and carbon
    over time, intensity with the worker split, every evaluated architecture with its energy and
    carbon, and where every number came from."""
    from cenas.record import RECORD_FILE, RunRecord
    from cenas.report import write_html_report
    from cenas.store import is_run_dir

    if run_dir.exists() and not run_dir.is_dir():
        raise StoreError(f"{run_dir} is a file, not a run directory")
    if is_run_dir(run_dir):
        from cenas.runner import live_record

        rec = live_record(run_dir)
    elif (run_dir / RECORD_FILE).is_file():
        rec = RunRecord.read(run_dir / RECORD_FILE)
    elif not run_dir.exists():
        raise StoreError(f"run directory {run_dir} does not exist")
    else:
        raise StoreError(
            f"{run_dir} is not a run directory: it has neither run.sqlite (cenas search) nor "
            f"{RECORD_FILE} (cenas simulate)"
        )
    path = write_html_report(rec, out if out is not None else run_dir / "report")
    if as_json:
        print_json({"report": str(path), "kind": rec.kind, "evaluations": len(rec.evaluations)})
    else:
        console.print(f"report written to {path}", highlight=False)
