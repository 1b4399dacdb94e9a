"""``cenas demo``: the README's main job — a short, self-contained look at what cenas does."""

from __future__ import annotations

from pathlib import Path

import typer

from cenas.cli._bench import pareto

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``cenas demo`` to the root app."""
    app.command("demo")(demo)


def demo(
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Reference data directory."),
) -> None:
    """Print NAS-Bench-201's true Pareto front of CIFAR-10 accuracy vs Pixel 3 latency."""
    pareto(
        name="nb201",
        objectives="cifar10_test_acc:max,latency_pixel3_ms:min",
        ref="0,30",
        show=10,
        data_dir=data_dir,
        hwnas=None,
        hwnas_sha256=None,
        allow_unverified_pickle=False,
        as_json=False,
    )
