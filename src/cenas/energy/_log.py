"""The CSV log of tracked runs: one row appended per run."""

from __future__ import annotations

import csv
import os
import shlex
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from cenas.energy._meter import ComponentKind
from cenas.energy._result import TrackingResult
from cenas.errors import ConfigError

__all__ = ["LOG_COLUMNS", "append_tracking_log", "check_tracking_log", "default_log_path"]

LOG_COLUMNS: tuple[str, ...] = (
    "start_utc",
    "end_utc",
    "command",
    "exit_status",
    "duration_s",
    "energy_kwh",
    "cpu_kwh",
    "dram_kwh",
    "gpu_kwh",
    "pue",
    "carbon_g",
    "mean_intensity_g_per_kwh",
    "carbon_sources",
    "carbon_is_fallback",
    "meters",
    "notes",
)
"""Columns of the log, in order."""


def default_log_path() -> Path:
    """``$XDG_DATA_HOME/cenas/track.csv`` (``~/.local/share/cenas/track.csv`` when unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cenas" / "track.csv"


def _utc(t_s: float) -> str:
    return datetime.fromtimestamp(t_s, UTC).isoformat(timespec="seconds")


def check_tracking_log(path: str | Path) -> bool:
    """Check that rows can be appended to the log at ``path``; True when it is new or empty.

    Call it before a long run so that a wrong ``--log`` fails before the work, not after.

    Raises:
        ConfigError: the path is a directory (or lies under a file), or the file exists with a
            different header (not a cenas track log).
    """
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"--log {str(path)!r} is a directory; give a CSV file to append to")
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise ConfigError(f"--log {str(path)!r}: its parent {str(parent)!r} is a file")
    if not path.exists() or path.stat().st_size == 0:
        return True
    with path.open(newline="") as f:
        header = next(csv.reader(f), [])
    if tuple(header) != LOG_COLUMNS:
        raise ConfigError(
            f"{path}: the header must be {','.join(LOG_COLUMNS)} to append a cenas track "
            f"row, but is {','.join(header)!r}; pass another --log file"
        )
    return False


def append_tracking_log(
    path: str | Path,
    result: TrackingResult,
    *,
    command: Sequence[str] = (),
    exit_status: int | None = None,
) -> Path:
    """Append one row for ``result`` to the CSV log at ``path`` (created with a header).

    Args:
        path: the CSV file; parent directories are created.
        result: the tracked run.
        command: the command that ran, if any (stored shell-quoted).
        exit_status: its exit status, if any.

    Returns:
        The path written.

    Raises:
        ConfigError: the file exists with a different header (not a cenas track log).
    """
    path = Path(path)
    new = check_tracking_log(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    by_kind = result.energy_kwh_by_kind
    row = {
        "start_utc": _utc(result.start_time_s),
        "end_utc": _utc(result.end_time_s),
        "command": shlex.join(command),
        "exit_status": "" if exit_status is None else str(exit_status),
        "duration_s": f"{result.duration_s:.3f}",
        "energy_kwh": f"{result.energy_kwh:.9g}",
        "cpu_kwh": f"{by_kind.get(ComponentKind.CPU, 0.0):.9g}",
        "dram_kwh": f"{by_kind.get(ComponentKind.DRAM, 0.0):.9g}",
        "gpu_kwh": f"{by_kind.get(ComponentKind.GPU, 0.0):.9g}",
        "pue": f"{result.pue:g}",
        "carbon_g": f"{result.carbon_g:.9g}",
        "mean_intensity_g_per_kwh": f"{result.mean_intensity_g_per_kwh:.6g}",
        "carbon_sources": " | ".join(result.carbon_sources),
        "carbon_is_fallback": str(result.carbon_is_fallback).lower(),
        "meters": " ".join(result.meters),
        "notes": " | ".join(result.notes),
    }
    with path.open("a", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=LOG_COLUMNS)
        if new:
            writer.writeheader()
        writer.writerow(row)
    return path
