"""``cenas carbon``: statistics and plots of carbon-intensity traces."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd
import typer
from rich.table import Table

from cenas.carbon import (
    PAPER_WINDOWS,
    GapPolicy,
    IntensityTrace,
    load_trace,
    paper_window,
    render_trace_png,
    to_utc_timestamp,
    trace_plot_data,
)
from cenas.cli._output import console, print_json
from cenas.data import find_file
from cenas.errors import ConfigError

__all__ = ["register"]

carbon_app = typer.Typer(help="Carbon-intensity traces: statistics, plots.", no_args_is_help=True)


class KindChoice(StrEnum):
    DIRECT = "direct"
    LCA = "lca"


class WindowChoice(StrEnum):
    TRACE1 = "trace1"
    TRACE2 = "trace2"


TraceArg = typer.Argument(..., help="Trace CSV (a path, or a path relative to the data directory).")
StartOption = typer.Option(None, "--start", help="Window start (ISO time; no offset means UTC).")
EndOption = typer.Option(None, "--end", help="Window end, exclusive (ISO time).")
KindOption = typer.Option(
    None, "--kind", help="direct or lca column of an Electricity Maps export (default direct)."
)
WindowOption = typer.Option(
    None,
    "--window",
    help="A paper window on US-CAL-CISO 2021: trace1 = 2021-01-01 00:00..01-02 16:00, "
    "trace2 = 2021-01-02 17:00..01-04 09:00 (end hours included: 41 hourly steps each).",
)
GapOption = typer.Option(
    GapPolicy.ERROR, "--gap-policy", help="Missing steps: error, ffill or interpolate."
)
DataDirOption = typer.Option(
    None, "--data-dir", help="Reference data directory for relative trace paths."
)
JsonOption = typer.Option(False, "--json", help="Print one JSON document.")


def register(app: typer.Typer) -> None:
    """Add ``cenas carbon`` to the root app."""
    app.add_typer(carbon_app, name="carbon")


def _load(
    trace: Path,
    data_dir: Path | None,
    kind: KindChoice | None,
    gap_policy: GapPolicy,
    window: WindowChoice | None,
    start: str | None,
    end: str | None,
) -> IntensityTrace:
    if window is not None and (start is not None or end is not None):
        raise ConfigError("--window cannot be combined with --start/--end; pick one")
    tr = load_trace(
        find_file(trace, data_dir),
        kind=None if kind is None else kind.value,
        gap_policy=gap_policy,
    )
    if window is not None:
        return paper_window(tr, window.value)
    if start is not None or end is not None:
        return tr.window(*_window_bounds(tr, start, end))
    return tr


def _window_bounds(
    tr: IntensityTrace, start: str | None, end: str | None
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    # Checked here so that the message names --start/--end and the trace's span.
    s = None if start is None else to_utc_timestamp(start, what="--start")
    e = None if end is None else to_utc_timestamp(end, what="--end")
    span = f"the trace covers {tr.start.isoformat()} to {tr.end.isoformat()}"
    if s is not None and e is not None and e <= s:
        raise ConfigError(f"--end {e.isoformat()} must be after --start {s.isoformat()}")
    if s is not None and s >= tr.end:
        raise ConfigError(f"--start {s.isoformat()} is not before the trace's end; {span}")
    if e is not None and e <= tr.start:
        raise ConfigError(f"--end {e.isoformat()} is not after the trace's start; {span}")
    return s, e


def _stats_doc(tr: IntensityTrace) -> dict[str, Any]:
    st = tr.stats()
    rep = tr.report
    return {
        "rows": st.rows,
        "start": st.start.isoformat(),
        "end": st.end.isoformat(),
        "step_s": tr.step_s,
        "mean": st.mean,
        "min": st.min,
        "max": st.max,
        "cv": st.cv,
        "format": tr.source.format.value,
        "zone": tr.source.zone,
        "kind": tr.source.kind.value,
        "source": tr.source.label,
        "path": str(tr.source.path) if tr.source.path else None,
        "unit": "gCO2eq/kWh",
        "filled_steps": rep.filled_steps if rep else 0,
        "merged_rows": rep.merged_rows if rep else 0,
        "gaps": [
            {"start": g.start.isoformat(), "end": g.end.isoformat(), "steps": g.missing_steps}
            for g in (rep.gaps if rep else ())
        ],
        "notes": list(rep.notes) if rep else [],
    }


@carbon_app.command("stats")
def stats(
    trace: Path = TraceArg,
    start: str | None = StartOption,
    end: str | None = EndOption,
    kind: KindChoice | None = KindOption,
    window: WindowChoice | None = WindowOption,
    gap_policy: GapPolicy = GapOption,
    data_dir: Path | None = DataDirOption,
    as_json: bool = JsonOption,
) -> None:
    """Rows, time span, mean, min, max and coefficient of variation of a trace (gCO2eq/kWh)."""
    tr = _load(trace, data_dir, kind, gap_policy, window, start, end)
    doc = _stats_doc(tr)
    if as_json:
        print_json(doc)
        return
    table = Table(title=f"carbon intensity: {doc['source']}", show_header=False)
    table.add_column("field")
    table.add_column("value", overflow="fold")
    for key in ("rows", "start", "end", "step_s", "mean", "min", "max", "cv"):
        v = doc[key]
        table.add_row(
            key, f"{v:.4g}" if key == "cv" else f"{v:.1f}" if isinstance(v, float) else str(v)
        )
    table.add_row("unit", doc["unit"])
    table.add_row("format", doc["format"])
    table.add_row("zone / kind", f"{doc['zone']} / {doc['kind']}")
    table.add_row("source", doc["source"])
    if doc["filled_steps"] or doc["merged_rows"]:
        table.add_row("filled / merged", f"{doc['filled_steps']} / {doc['merged_rows']}")
    for note in doc["notes"]:
        table.add_row("note", note)
    console.print(table)


@carbon_app.command("plot")
def plot(
    trace: Path = TraceArg,
    output: Path = typer.Option(..., "--output", "-o", help="PNG file to write."),
    start: str | None = StartOption,
    end: str | None = EndOption,
    kind: KindChoice | None = KindOption,
    window: WindowChoice | None = WindowOption,
    gap_policy: GapPolicy = GapOption,
    data_dir: Path | None = DataDirOption,
) -> None:
    """Draw a trace (piecewise constant, with its mean) into a PNG file."""
    tr = _load(trace, data_dir, kind, gap_policy, window, start, end)
    title = None
    if window is not None:
        w = PAPER_WINDOWS[window.value]
        title = f"{w.name}: {w.zone} {w.start:%Y-%m-%d %H:%M} to {w.last:%Y-%m-%d %H:%M} UTC"
    path = render_trace_png(trace_plot_data(tr, title), output)
    console.print(
        f"wrote {path} ({len(tr)} steps, source {tr.source.label})",
        highlight=False,
        soft_wrap=True,
    )
