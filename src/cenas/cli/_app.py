"""The ``cenas`` command: a root typer app; each topic registers its commands from its module.

Topic modules are imported only when their command runs: ``cenas track`` must work (and start
fast) on a machine where the multi-objective or forecasting stack is missing or slow to import.
Only the root ``--help`` (or an unknown command) loads every topic.

All bad input exits with status 1 and one line on stderr, usage errors included (click would
use 2 for those and draw a box): a script sees one status for "you asked for something wrong".
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Sequence

# Idle OpenMP threads sleep instead of spinning: on a small or shared machine spinning torch
# threads slowed training about 15x (measured on 2 busy cores). Set before torch loads (it loads
# lazily); a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer.exceptions import Abort, Exit

from cenas import __version__
from cenas.cli._help import tidy_help
from cenas.cli._output import print_error
from cenas.errors import CenasError

__all__ = ["BAD_INPUT_EXIT", "TOPICS", "build_app", "main"]

BAD_INPUT_EXIT = 1
"""Exit status of every bad input: unknown option or command, bad value, missing file, ..."""

TOPICS: dict[str, str] = {
    "demo": "_demo",
    "simulate": "_sim",
    "experiment": "_sim",
    "track": "_track",
    "data": "_data",
    "bench": "_bench",
    "carbon": "_carbon",
    "moo": "_moo",
    "forecast": "_forecast",
    "ecnas": "_ecnas",
    "search": "_search",
    "resume": "_search",
    "report": "_report",
    "live": "_live",
    "reproduce": "_reproduce",
    "rl": "_rl",
}
"""Top-level command -> the module in ``cenas.cli`` whose ``register(app)`` adds it."""

_ROOT_FLAGS = frozenset({"--verbose", "-v"})


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cenas {__version__}")
        raise typer.Exit()


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


def build_app(commands: Sequence[str] | None = None) -> typer.Typer:
    """The root app with the topics that hold ``commands`` (default: every topic)."""
    app = typer.Typer(
        name="cenas",
        help="Carbon-efficient neural architecture search.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    app.callback()(_root)
    modules = dict.fromkeys(TOPICS[c] for c in (commands or TOPICS) if c in TOPICS)
    for name in modules:
        importlib.import_module(f"cenas.cli.{name}").register(app)
    return app


def _wanted(args: Sequence[str]) -> list[str] | None:
    """The top-level command in ``args`` when it is a known one, else None (load all)."""
    for a in args:
        if a in _ROOT_FLAGS:
            continue
        return [a] if a in TOPICS else None
    return None


def __getattr__(name: str) -> typer.Typer:
    # ``cenas.cli.app`` stays available (the full app) without loading every topic on import.
    if name == "app":
        return build_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI; bad input becomes one line on stderr and exit status 1.

    Usage errors (unknown option, bad value) and our own errors (:class:`CenasError`) are turned
    into ``error: ...`` without a traceback; a command's own ``typer.Exit(n)`` keeps its status.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    command = tidy_help(typer.main.get_command(build_app(_wanted(args))))
    try:
        status = command.main(args=args, prog_name="cenas", standalone_mode=False)
    except NoArgsIsHelpError:
        sys.exit(BAD_INPUT_EXIT)  # the help was printed; a subcommand is missing
    except ClickException as e:
        ctx = getattr(e, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        print_error(f"{e.format_message()}{hint}")
        sys.exit(BAD_INPUT_EXIT)
    except CenasError as e:
        print_error(str(e))
        sys.exit(BAD_INPUT_EXIT)
    except Abort:
        print_error("aborted")
        sys.exit(BAD_INPUT_EXIT)
    except Exit as e:
        sys.exit(e.exit_code)
    except BrokenPipeError:
        # The reader (``| head``) went away: nothing more to say, and no traceback.
        sys.stderr.close()
        sys.exit(BAD_INPUT_EXIT)
    sys.exit(status if isinstance(status, int) else 0)
