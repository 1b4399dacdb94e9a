"""The ``cenas`` command-line interface."""

from __future__ import annotations

from typing import Any

from cenas.cli._app import main

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    # The full app (every topic) is built on request only; ``main`` loads just the topic it runs.
    if name == "app":
        from cenas.cli._app import build_app

        return build_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
