"""CLI commands for forecast (filled in by the forecast work)."""

from __future__ import annotations

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add this topic's commands to the root app."""
