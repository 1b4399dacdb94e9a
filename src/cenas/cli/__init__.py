"""The ``cenas`` command-line interface."""

from cenas.cli._app import app, main

__all__ = ["app", "main"]
