"""What ``--help`` shows: plain prose, one metavar style, no type tags on flags.

Applied once to the built command tree (see :func:`tidy_help`), so every command, also those a
topic module adds later, gets it without per-option settings:

- a flag (``--json``) shows no ``<bool>``: it takes no value;
- an argument appears in usage lines as ``CONFIG`` / ``[NAME]``, not ``{config}``;
- help prose is reflowed (a docstring's line breaks are not kept) and rST literals
  (````cenas data list````) are shown in plain quotes.
"""

from __future__ import annotations

import inspect
import re

from typer._click import Command, Context, Parameter
from typer.core import TyperArgument, TyperGroup, TyperOption

__all__ = ["plain_help", "tidy_help"]

_LITERAL = re.compile(r"``(.+?)``|`([^`]+)`")


def plain_help(text: str) -> str:
    """Reflow each paragraph of ``text`` onto one line and turn rST literals into quotes."""
    paragraphs = inspect.cleandoc(text).split("\n\n")
    flowed = "\n\n".join(" ".join(p.split()) for p in paragraphs)
    return _LITERAL.sub(lambda m: f"'{m.group(1) or m.group(2)}'", flowed)


class _UsageArgument(TyperArgument):
    """An argument shown in usage lines in upper case: ``CONFIG``, ``[NAME]``, ``COMMAND...``."""

    def get_usage_pieces(self, ctx: Context) -> list[str]:
        name = (self.metavar or self.name or "arg").upper()
        if self.nargs != 1:
            name += "..."
        return [name if self.required else f"[{name}]"]


def _tidy_param(param: Parameter) -> None:
    if isinstance(param, TyperOption) and param.is_flag:
        param.metavar = ""  # typer shows the metavar in place of the type tag
    elif isinstance(param, TyperArgument):
        # typer builds its own argument objects and wraps required names in braces; only the
        # usage piece differs, so the built object takes the subclass that renders it.
        param.__class__ = _UsageArgument
        if param.metavar is None and param.name:
            param.metavar = param.name.upper()  # the same name in usage, panel and errors
    help_text = getattr(param, "help", None)
    if isinstance(help_text, str):
        param.help = plain_help(help_text)  # type: ignore[attr-defined]


def tidy_help(command: Command) -> Command:
    """Tidy the help of ``command`` and of every command below it, in place; returns it."""
    if command.help:
        command.help = plain_help(command.help)
    if command.short_help:
        command.short_help = plain_help(command.short_help)
    for param in command.params:
        _tidy_param(param)
    help_option = command.get_help_option(Context(command))
    if help_option is not None:
        _tidy_param(help_option)
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            tidy_help(sub)
    return command
