"""CLI commands for sim (filled in by the sim work)."""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add this topic's commands to the root app."""
