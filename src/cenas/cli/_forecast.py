"""``cenas forecast``: backtest forecasters on a trace, fit one and save it, predict with it."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import typer
from rich.table import Table

from cenas._seeding import resolve_seed
from cenas.carbon import IntensityTrace, load_trace
from cenas.cli._output import check_output_dir, console, err_console, print_json, progress_bar
from cenas.errors import ForecastError
from cenas.forecast import (
    MODELS,
    BacktestResult,
    Forecaster,
    HistoryForecaster,
    PersistenceForecaster,
    ProgressCallback,
    backtest,
    model_class,
    to_issue_time,
)

__all__ = ["register"]

_HELP = """Carbon-intensity forecasting: backtest, fit, predict.

Forecasts use only the intensity before the issue time and the covariate values known at it.
DACF's weather (forecast_avg_*_wMean) and day-ahead production (avg_*_production_forecast)
columns sit in the files 24 h before the hour they describe, and a UTC day's forecast exists only
from that day's start: they are moved to their hour and used only up to the end of the issue
time's UTC day (leads 0-23 h at 00:00); for later days a model may carry the last known
day's values forward (a forecast of the covariate), never read their future values.
A fitted model records its training period and a SHA-256 of its data; the simulator refuses a
model trained on any hour of the simulated window (fit with --end before it)."""

forecast_app = typer.Typer(help=_HELP, no_args_is_help=True)

TraceArgument = typer.Argument(..., help="Carbon-intensity trace CSV (any format cenas reads).")
KindOption = typer.Option(
    None, "--kind", help="direct or lca (picks the column of an Electricity Maps export)."
)
GapOption = typer.Option(
    "error", "--gap-policy", help="Missing steps in the trace: error, ffill or interpolate."
)
SeedOption = typer.Option(None, "--seed", help="Seed for learned models (default: drawn, shown).")
HistoryOption = typer.Option(
    None,
    "--history",
    help="Trace whose hours before TRACE's start serve as history (e.g. the DACF file's 2020).",
)
JsonOption = typer.Option(False, "--json", help="Print one JSON document.")
_NAMES = ", ".join(MODELS)


def register(app: typer.Typer) -> None:
    """Add ``cenas forecast`` to the root app."""
    app.add_typer(forecast_app, name="forecast")


def _load(path: Path, kind: str | None, gap_policy: str) -> IntensityTrace:
    return load_trace(path, kind=kind, gap_policy=gap_policy)


@contextmanager
def _progress(enabled: bool) -> Iterator[ProgressCallback]:
    """The CLI's progress bar (stderr) as a forecaster's ``progress(done, total, message)``."""
    with progress_bar(enabled) as bar:
        task = bar.add_task("fitting", total=1)

        def update(done: int, total: int, message: str) -> None:
            bar.update(task, completed=done, total=max(total, 1), description=message)

        yield update


def _fmt(x: float) -> str:
    return "-" if not math.isfinite(x) else f"{x:.2f}"


@forecast_app.command("backtest")
def backtest_cmd(
    trace: Path = TraceArgument,
    model: list[str] | None = typer.Option(
        None, "--model", "-m", help=f"Model to backtest, repeatable ({_NAMES}); default all."
    ),
    kind: str | None = KindOption,
    gap_policy: str = GapOption,
    horizon_days: int = typer.Option(4, "--horizon-days", help="Days forecast per issue time."),
    seed: int | None = SeedOption,
    as_json: bool = JsonOption,
) -> None:
    """Rolling-origin backtest (CarbonCast split) with MAPE per horizon day; one row per model,
    persistence always included."""
    names = [PersistenceForecaster.name]
    for m in model or list(MODELS):
        name = model_class(m).name  # validates before any work
        if name not in names:
            names.append(name)
    if horizon_days < 1:
        raise ForecastError(f"--horizon-days must be >= 1, got {horizon_days}")
    tr = _load(trace, kind, gap_policy)
    s = resolve_seed(seed)
    results: list[BacktestResult] = []
    for name in names:
        with _progress(not as_json or err_console.is_terminal) as progress:
            results.append(
                backtest(
                    model_class(name), tr, horizon_days=horizon_days, seed=s, progress=progress
                )
            )
    if as_json:
        print_json([r.row() for r in results])
        return
    split = results[0].split
    tr_d, va_d, te_d = split.days()
    table = Table(
        title=f"forecast MAPE (%) on {tr.source.label}",
        caption=(
            f"train {split.train_start:%Y-%m-%d} ({tr_d} d), valid {split.valid_start:%Y-%m-%d} "
            f"({va_d} d), test {split.test_start:%Y-%m-%d} to {split.test_end:%Y-%m-%d} "
            f"({te_d} d, {len(results[0].issue_times)} issues at 00:00 UTC); seed {s}"
        ),
    )
    table.add_column("model")
    for d in range(horizon_days):
        table.add_column(f"day {d + 1}", justify="right")
    table.add_column("overall", justify="right")
    table.add_column("fit s", justify="right")
    for r in results:
        table.add_row(
            r.model,
            *[_fmt(m) for m in r.mape_by_day],
            _fmt(r.mape_overall),
            f"{r.fit_wall_s:.1f}",
        )
    console.print(table)


@forecast_app.command("fit")
def fit_cmd(
    trace: Path = TraceArgument,
    model: str = typer.Option(..., "--model", "-m", help=f"Model to fit ({_NAMES})."),
    out: Path = typer.Option(..., "--out", "-o", help="Directory to save the model in."),
    kind: str | None = KindOption,
    gap_policy: str = GapOption,
    valid_from: str | None = typer.Option(
        None, "--valid-from", help="Validation from this time on (default: the last third)."
    ),
    start: str | None = typer.Option(
        None, "--start", help="Fit on hours from this time on (default: the trace start)."
    ),
    end: str | None = typer.Option(
        None,
        "--end",
        help="Fit on hours before this time (default: the trace end). Simulated windows must "
        "start at or after it.",
    ),
    no_covariates: bool = typer.Option(
        False,
        "--no-covariates",
        help="Ignore the trace's covariate columns (for a model run on traces without them).",
    ),
    seed: int | None = SeedOption,
) -> None:
    """Fit a model on the trace's hours in [--start, --end) and save it with its training period
    and data checksum."""
    check_output_dir(out, "--out")
    forecaster = model_class(model)()
    tr = _load(trace, kind, gap_policy)
    if no_covariates:
        tr = dataclasses.replace(tr, covariates=None)
    s = resolve_seed(seed)
    with _progress(True) as progress:
        forecaster.fit(tr, seed=s, valid_from=valid_from, progress=progress, start=start, end=end)
    path = forecaster.save(out)
    record = forecaster.training_
    trained = "" if record is None else f"; {record.describe()}"
    console.print(f"fitted {forecaster.name} on {tr.source.label} (seed {s}){trained} -> {path}")


@forecast_app.command("predict")
def predict_cmd(
    trace: Path = TraceArgument,
    model_dir: Path = typer.Option(..., "--model-dir", help="Directory written by `fit`."),
    at: str = typer.Option(..., "--at", help="Issue time, ISO 8601 (no offset means UTC)."),
    hours: int = typer.Option(96, "--hours", help="Hours to forecast."),
    kind: str | None = KindOption,
    gap_policy: str = GapOption,
    history: Path | None = HistoryOption,
    as_json: bool = JsonOption,
) -> None:
    """Forecast the hours from --at with a saved model, using only what was known at --at."""
    forecaster = Forecaster.load(model_dir)
    tr = _load(trace, kind, gap_policy)
    issue = to_issue_time(at)
    if history is not None:
        hist = _load(history, kind, gap_policy)
        values = HistoryForecaster(forecaster, hist).predict(tr, issue, hours)
    else:
        values = forecaster.predict(tr, issue, hours)
    times = pd.date_range(issue, periods=hours, freq="h")
    if as_json:
        print_json(
            {
                "model": forecaster.name,
                "trace": tr.source.label,
                "issue_time": issue.isoformat(),
                "times": [t.isoformat() for t in times],
                "forecast_g_per_kwh": values,
            }
        )
        return
    table = Table(title=f"{forecaster.name} forecast from {issue.isoformat()} ({tr.source.label})")
    table.add_column("hour (UTC)")
    table.add_column("gCO2eq/kWh", justify="right")
    for t, v in zip(times, values, strict=True):
        table.add_row(t.strftime("%Y-%m-%d %H:%M"), f"{v:.1f}")
    console.print(table)
