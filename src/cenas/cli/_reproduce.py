"""``cenas reproduce``: the seed papers' figures and tables, ours beside theirs, on one page."""

from __future__ import annotations

from pathlib import Path

import typer

from cenas.cli._output import check_output_dir, console, progress_bar
from cenas.errors import ConfigError

__all__ = ["DEFAULT_CONFIG", "register"]

DEFAULT_CONFIG = Path("configs/nb201_trace1.toml")


def register(app: typer.Typer) -> None:
    """Add ``cenas reproduce`` to the root app."""
    app.command("reproduce")(reproduce_command)


def reproduce_command(
    out: Path = typer.Option(..., "--out", help="Directory for index.html and its figures."),
    quick: bool = typer.Option(
        False, "--quick", help="Fewer seeds and shorter training (under 5 minutes on 2 cores)."
    ),
    config: Path = typer.Option(
        DEFAULT_CONFIG,
        "--config",
        help="The trace configuration the simulated sections start from.",
    ),
    jobs: int = typer.Option(2, "--jobs", help="Simulation worker processes.", min=1),
    seed: int = typer.Option(0, "--seed", help="Master seed of every randomised part.", min=0),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Reference data directory (default: $CENAS_DATA_DIR)."
    ),
    hwnas: Path | None = typer.Option(
        None, "--hwnas", help="HW-NAS-Bench pickle: also run Figure 3 on edge-GPU energy."
    ),
    hwnas_sha256: str | None = typer.Option(None, "--hwnas-sha256", help="SHA-256 of --hwnas."),
    allow_unverified_pickle: bool = typer.Option(
        False, "--allow-unverified-pickle", help="Read an HW-NAS-Bench pickle with no checksum."
    ),
) -> None:
    """Regenerate the papers' figures and tables (HotCarbon'23, NeurIPS'24, EC-NAS) from the
    offline data into one HTML page, each number beside the published one with a reason for any
    difference."""
    from cenas.reproduce import (
        BUILDERS,
        HwNasOption,
        ReproduceContext,
        ReproduceSettings,
        reproduce,
    )

    check_output_dir(out, "--out")
    if not config.is_file():
        raise ConfigError(
            f"--config: {str(config)!r} is not a file; run from the repository root (the default "
            f"is {DEFAULT_CONFIG}) or give the trace configuration's path"
        )
    if hwnas is None and (hwnas_sha256 is not None or allow_unverified_pickle):
        raise ConfigError("--hwnas-sha256 and --allow-unverified-pickle need --hwnas PATH")
    hw = HwNasOption(hwnas, hwnas_sha256, allow_unverified_pickle) if hwnas is not None else None
    settings = ReproduceSettings.for_mode(quick, jobs=jobs, seed=seed)
    with progress_bar() as progress:
        task = progress.add_task("reproduce", total=len(BUILDERS))
        ctx = ReproduceContext(
            settings,
            out,
            config,
            data_dir=data_dir,
            hwnas=hw,
            status=lambda msg: progress.update(task, description=msg),
        )
        res = reproduce(ctx, on_builder=lambda _b: progress.advance(task))
    rows = sum(len(s.rows) for s in res.sections)
    console.print(
        f"{len(res.sections)} sections, {rows} rows, in {res.wall_s:.0f} s "
        f"({'quick' if quick else 'full'} run): {res.page}",
        highlight=False,
    )
