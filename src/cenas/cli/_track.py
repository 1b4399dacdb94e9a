"""``cenas track -- COMMAND ...``: run a command and report its energy and carbon.

Meters: RAPL and NVML where they can be read, else the CPU model (TDP x utilisation); the
output names the meters used and why the others were not. Carbon: ``--intensity`` (a constant),
``--trace`` (a replayed trace), or by default the world-average intensity, recorded as a
fallback. Each run is appended to a CSV log (``--log``; default
``$XDG_DATA_HOME/cenas/track.csv``, i.e. ``~/.local/share/cenas/track.csv``). The exit status
is the command's (128 + N when it was killed by signal N).
"""

from __future__ import annotations

import math
import shlex
import subprocess
import time
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd
import typer
from rich.table import Table

from cenas.carbon import CarbonSignal, ConstantSignal, IntensityTrace, TraceSignal, load_trace
from cenas.cli._output import console, print_error, print_json
from cenas.data import find_file
from cenas.energy import (
    WORLD_AVERAGE_G_PER_KWH,
    ChildProcessesCpuUtilisation,
    Discovery,
    SystemCpuUtilisation,
    Tracker,
    TrackingResult,
    WorldAverageSignal,
    append_tracking_log,
    check_tracking_log,
    default_log_path,
    discover_meters,
)
from cenas.errors import CenasError, ConfigError

__all__ = ["register"]


class KindChoice(StrEnum):
    DIRECT = "direct"
    LCA = "lca"


class CpuScope(StrEnum):
    """Whose CPU utilisation the CPU model multiplies the TDP by."""

    COMMAND = "command"
    SYSTEM = "system"


def register(app: typer.Typer) -> None:
    """Add ``cenas track`` to the root app."""
    app.command(
        "track",
        context_settings={"allow_interspersed_args": False, "ignore_unknown_options": True},
    )(track)


def _utc_seconds(text: str, what: str) -> float:
    try:
        ts = pd.Timestamp(text)
    except ValueError as e:
        raise ConfigError(f"{what} must be an ISO time or 'now', but got {text!r}: {e}") from e
    ts = ts.tz_localize("UTC") if ts.tz is None else ts.tz_convert("UTC")
    return float(ts.timestamp())


def _trace_signal(
    trace: Path, kind: KindChoice | None, trace_start: str | None, now_s: float
) -> tuple[TraceSignal, str]:
    path = find_file(trace)
    tr: IntensityTrace = load_trace(path, kind=None if kind is None else kind.value)
    covers_now = tr.start_s <= now_s < tr.end_s
    if trace_start is None:
        start_s = now_s if covers_now else tr.start_s
    elif trace_start == "now":
        start_s = now_s
    else:
        start_s = _utc_seconds(trace_start, "--trace-start")
    if not tr.start_s <= start_s < tr.end_s:
        raise ConfigError(
            f"--trace-start {pd.Timestamp(start_s, unit='s', tz='UTC')} is outside the trace "
            f"{tr.source.label} ({tr.start} to {tr.end})"
        )
    signal = TraceSignal(tr, origin_s=now_s, replay_start_s=start_s, wrap=True)
    when = pd.Timestamp(start_s, unit="s", tz="UTC").isoformat()
    how = (
        "live: the trace covers now"
        if start_s == now_s
        else f"replayed from {when} (the trace does not cover now)"
        if trace_start is None
        else f"replayed from {when}"
    )
    guesses = [n for n in (tr.report.notes if tr.report else ()) if "guessed" in n]
    said = "".join(f"; {n}" for n in guesses)  # zone or kind taken from the file name
    return signal, f"carbon intensity from {tr.source.label}, {how}, looping at its end{said}"


def _signal(
    intensity: float | None,
    trace: Path | None,
    kind: KindChoice | None,
    trace_start: str | None,
    now_s: float,
) -> tuple[CarbonSignal, str]:
    if intensity is not None and trace is not None:
        raise ConfigError("--intensity and --trace are alternatives; give one")
    if trace is None and (kind is not None or trace_start is not None):
        raise ConfigError("--kind and --trace-start only apply with --trace")
    if intensity is not None:
        if not intensity >= 0:
            raise ConfigError(f"--intensity must be >= 0 gCO2eq/kWh, but got {intensity}")
        return ConstantSignal(intensity, f"user-constant:{intensity:g}"), (
            f"carbon intensity given by the user: {intensity:g} gCO2eq/kWh"
        )
    if trace is not None:
        return _trace_signal(trace, kind, trace_start, now_s)
    return WorldAverageSignal(), (
        f"no carbon source given: world-average intensity {WORLD_AVERAGE_G_PER_KWH:g} "
        f"gCO2eq/kWh used as a fallback (pass --intensity or --trace for your grid)"
    )


def _check_numbers(pue: float, tdp_w: float | None, interval_s: float) -> None:
    # Checked here, before the command runs, in the words of the options the user typed.
    if not (math.isfinite(pue) and pue >= 1.0):
        raise ConfigError(f"--pue must be a finite number >= 1, but got {pue:g}")
    if tdp_w is not None and not (math.isfinite(tdp_w) and tdp_w > 0):
        raise ConfigError(f"--tdp-w must be a positive number of watts, but got {tdp_w:g}")
    if not (math.isfinite(interval_s) and interval_s > 0):
        raise ConfigError(f"--interval must be a positive number of seconds, got {interval_s:g}")


def _run(command: list[str], as_json: bool) -> int:
    try:
        # With --json our stdout carries one JSON document, so the command's goes to stderr.
        proc = subprocess.Popen(command, stdout=2 if as_json else None)
    except OSError as e:
        raise ConfigError(f"cannot run {shlex.join(command)}: {e.strerror or e}") from e
    while True:
        try:
            rc = proc.wait()
            break
        except KeyboardInterrupt:
            continue  # Ctrl-C reached the command too; report once it has exited
    return rc if rc >= 0 else 128 - rc


def _doc(
    command: list[str],
    status: int,
    result: TrackingResult,
    discovery: Discovery,
    carbon_note: str,
    log: Path | None,
) -> dict[str, Any]:
    return {
        "command": command,
        "exit_status": status,
        **result.to_dict(),
        "energy_j": result.energy_kwh * 3.6e6,
        "energy_source": discovery.summary(),
        "cpu_model_used": discovery.uses_cpu_model,
        "unavailable_meters": [
            {"meter": u.meter, "reason": u.reason} for u in discovery.unavailable
        ],
        "carbon_note": carbon_note,
        "log": None if log is None else str(log),
    }


def _print(doc: dict[str, Any]) -> None:
    table = Table(title=f"cenas track: {shlex.join(doc['command'])}", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("exit status", str(doc["exit_status"]))
    table.add_row("duration", f"{doc['duration_s']:.2f} s")
    kinds = ", ".join(f"{k} {v:.3g} kWh" for k, v in doc["energy_kwh_by_kind"].items())
    table.add_row("energy", f"{doc['energy_j']:.4g} J = {doc['energy_kwh']:.4g} kWh ({kinds})")
    intensity = doc["mean_intensity_g_per_kwh"]
    mean = "" if intensity != intensity else f", mean {intensity:.4g} gCO2eq/kWh"
    table.add_row("carbon", f"{doc['carbon_g']:.4g} gCO2eq (PUE {doc['pue']:g}{mean})")
    for name, details in doc["meter_details"].items():
        table.add_row(f"meter {name}", details)
    table.add_row("energy source", doc["energy_source"])
    table.add_row("carbon source", " | ".join(doc["carbon_sources"]))
    table.add_row("", doc["carbon_note"])
    for note in doc["notes"][1:]:  # the first note is the energy source, shown above
        table.add_row("note", note)
    if doc["log"]:
        table.add_row("log", doc["log"])
    console.print(table)


def track(
    command: list[str] = typer.Argument(
        ...,
        help="The command to run and track; put it after `--`.",
        show_default=False,
        metavar="COMMAND",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print one JSON document (the command's stdout goes to stderr)."
    ),
    intensity: float | None = typer.Option(
        None, "--intensity", help="Constant carbon intensity, gCO2eq/kWh."
    ),
    trace: Path | None = typer.Option(
        None,
        "--trace",
        help="Carbon-intensity trace CSV to replay (Electricity Maps, DACF, or a time,value CSV).",
    ),
    kind: KindChoice | None = typer.Option(
        None, "--kind", help="With --trace: direct or lca column of an Electricity Maps export."
    ),
    trace_start: str | None = typer.Option(
        None,
        "--trace-start",
        help="With --trace: trace time (ISO, UTC) at which replay starts, or 'now'; default: "
        "now if the trace covers it, else the trace's start.",
    ),
    pue: float = typer.Option(1.0, "--pue", help="Power usage effectiveness (>= 1)."),
    tdp_w: float | None = typer.Option(
        None, "--tdp-w", help="TDP of the CPUs you use, W, for the CPU model (overrides the table)."
    ),
    log: Path | None = typer.Option(
        None, "--log", help="CSV log to append to (default $XDG_DATA_HOME/cenas/track.csv)."
    ),
    no_log: bool = typer.Option(False, "--no-log", help="Do not append to a CSV log."),
    cpu_scope: CpuScope = typer.Option(
        CpuScope.COMMAND,
        "--cpu-scope",
        help="CPU model only: utilisation of the command's processes, or of the whole system "
        "(what RAPL would see, other users' load included).",
    ),
    interval_s: float = typer.Option(1.0, "--interval", help="Sampling interval, s."),
) -> None:
    """Run COMMAND, then report its energy, duration and carbon, and which meters and carbon
    source produced them. Example: ``cenas track --json -- python train.py``."""
    if not command:
        raise ConfigError("no command given; usage: cenas track [OPTIONS] -- COMMAND ...")
    _check_numbers(pue, tdp_w, interval_s)
    now_s = time.time()
    signal, carbon_note = _signal(intensity, trace, kind, trace_start, now_s)
    log_path = None if no_log else (log if log is not None else default_log_path())
    if log_path is not None:
        check_tracking_log(log_path)
    utilisation = (
        ChildProcessesCpuUtilisation() if cpu_scope is CpuScope.COMMAND else SystemCpuUtilisation()
    )
    discovery = discover_meters(tdp_w=tdp_w, utilisation=utilisation)
    try:
        tracker = Tracker(
            discovery.meters,
            signal,
            pue=pue,
            interval_s=interval_s,
            notes=[discovery.summary()],
        )
        tracker.start()
        try:
            status = _run(command, as_json)
        finally:
            result = tracker.stop()
    finally:
        discovery.close()
    log_error = None
    if log_path is not None:
        # The measurement is never lost to a log that fails at the end (disk full, removed
        # directory): the report is still printed, with a warning, and the status is kept.
        try:
            append_tracking_log(log_path, result, command=command, exit_status=status)
        except (OSError, CenasError) as e:
            log_error, log_path = f"the run was not logged to {log_path}: {e}", None
    doc = _doc(command, status, result, discovery, carbon_note, log_path)
    if as_json:
        print_json(doc)
    else:
        _print(doc)
    if log_error is not None:
        print_error(log_error, prefix="warning")
    raise typer.Exit(status)
