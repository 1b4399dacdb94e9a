"""The ``cenas`` command: a root typer app; each topic registers its commands from its module."""

from __future__ import annotations

import logging
import os
import sys

# Idle OpenMP threads sleep instead of spinning: on a small or shared machine spinning torch
# threads slowed training about 15x (measured on 2 busy cores). Set before torch loads (it loads
# lazily); a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import typer

from cenas import __version__
from cenas.cli import _bench, _carbon, _data, _demo, _ecnas, _forecast, _live, _moo, _sim, _track
from cenas.cli._output import err_console
from cenas.errors import CenasError

__all__ = ["app", "main"]

app = typer.Typer(
    name="cenas",
    help="Carbon-efficient neural architecture search.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cenas {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log at INFO level to stderr."),
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


for _module in (_demo, _data, _bench, _carbon, _moo, _sim, _forecast, _track, _ecnas, _live):
    _module.register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI; errors a user can cause become one line and exit status 1.

    Typer's standalone mode handles usage errors and ``typer.Exit``; our own errors pass through
    it untouched and are turned into one line here, without a traceback.
    """
    try:
        app(args=argv)
    except CenasError as e:
        err_console.print(f"[bold red]error:[/] {e}", highlight=False, soft_wrap=True)
        sys.exit(1)
