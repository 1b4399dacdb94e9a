"""Shared CLI output: one JSON document on stdout for ``--json``, rich tables otherwise."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from cenas._json import json_dumps, to_jsonable

__all__ = ["console", "err_console", "print_json", "progress_bar", "to_jsonable"]

console = Console()
err_console = Console(stderr=True)


def print_json(obj: Any) -> None:
    """Print one JSON document on stdout."""
    sys.stdout.write(json_dumps(obj) + "\n")
    sys.stdout.flush()


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Progress]:
    """The one progress bar of the CLI: on stderr (stdout stays clean for ``--json``), transient,
    and silent when ``enabled`` is False or stderr is not a terminal (a log file would only get
    stray blank lines, which also pushed error messages off their one line)."""
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not enabled or not err_console.is_terminal,
    )
    with progress:
        yield progress
