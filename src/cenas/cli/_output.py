"""Shared CLI output: one JSON document on stdout for ``--json``, rich tables otherwise.

Both consoles print text as it is: rich markup is off, so a CSV header such as ``[/red]`` or a
path holding brackets is shown verbatim instead of crashing or losing characters. Styling goes
through ``style=`` or explicit :class:`rich.text.Text`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
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
from rich.text import Text

from cenas._json import json_dumps, to_jsonable
from cenas.errors import ConfigError

__all__ = [
    "check_output_dir",
    "console",
    "err_console",
    "print_error",
    "print_json",
    "progress_bar",
    "to_jsonable",
]

# Width of piped output: wide enough that no table cell (an architecture string, a file name) is
# cut or folded, so it can be copied. A terminal keeps its own width. COLUMNS is not followed
# when piped: shells and test runners set it to 80 for reasons unrelated to this output.
_PIPED_WIDTH = 1000


def _console(stderr: bool) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, markup=False, width=None if stream.isatty() else _PIPED_WIDTH)


console = _console(stderr=False)
err_console = _console(stderr=True)


def print_json(obj: Any) -> None:
    """Print one JSON document on stdout."""
    sys.stdout.write(json_dumps(obj) + "\n")
    sys.stdout.flush()


def print_error(message: str, *, prefix: str = "error") -> None:
    """Print ``prefix: message`` as one line on stderr; the message is shown verbatim."""
    line = Text(f"{prefix}:", style="bold red" if prefix == "error" else "bold yellow")
    line.append(f" {message}")
    err_console.print(line, highlight=False, soft_wrap=True)


def check_output_dir(path: Path, option: str) -> Path:
    """Refuse an output directory that is, or lies under, an existing non-directory.

    Call it before the work, so that ``--out README.md`` fails at once with the option's name
    instead of with a traceback after a long run.

    Raises:
        ConfigError: ``path`` or one of its parents exists and is not a directory.
    """
    for p in (path, *path.parents):
        if p.exists() and not p.is_dir():
            where = "" if p == path else f" (its parent {str(p)!r} is a file)"
            raise ConfigError(
                f"{option} must be a directory, but {str(path)!r} is not one{where}; "
                "give a new or existing directory"
            )
    return path


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Progress]:
    """The one progress bar of the CLI: on stderr (stdout stays clean for ``--json``), transient,
    and silent when ``enabled`` is False or stderr is not a terminal (a log file would only get
    stray blank lines, which also pushed error messages off their one line)."""
    progress = Progress(
        # Descriptions may hold user text (method names, paths): no markup.
        TextColumn("{task.description}", style="progress.description", markup=False),
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
