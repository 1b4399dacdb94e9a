"""``cenas moo``: multi-objective experiments (LaMOO effectiveness, the papers' Figure 3)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from cenas.cli._output import console, print_json, progress_bar

if TYPE_CHECKING:
    from cenas.moo import EffectivenessResult

__all__ = ["KernelChoice", "StrategyChoice", "register"]

moo_app = typer.Typer(help="Multi-objective search: LaMOO experiments.", no_args_is_help=True)

DEFAULT_OBJECTIVES = "cifar10_test_acc:max,latency_pixel3_ms:min"


class KernelChoice(StrEnum):
    """``--kernel``: the values of :class:`cenas.moo.SvmKernel`, named here so that building
    the CLI does not import the multi-objective stack (a test keeps the two in step)."""

    POLY = "poly"
    RBF = "rbf"


class StrategyChoice(StrEnum):
    """``--strategy``: the values of :class:`cenas.moo.SelectStrategy`."""

    LEAF = "leaf"
    UCB = "ucb"
    GREEDY = "greedy"


def register(app: typer.Typer) -> None:
    """Add ``cenas moo`` to the root app."""
    app.add_typer(moo_app, name="moo")


def _table(res: EffectivenessResult) -> Table:
    table = Table(
        title=(
            f"LaMOO effectiveness on {res.benchmark}: {res.runs} runs, LaMOO fitted on "
            f"{res.samples} samples, {res.draws} architectures per set"
        ),
        caption=(
            "mean over runs (std); HV of each set against ref "
            + ", ".join(f"{v:g}" for v in res.ref_point)
            + ". Papers (HW-NAS-Bench, acc vs edge-GPU energy): 72.12 % vs 68.28 %, "
            "16.59 vs 22.84 mJ"
        ),
    )
    table.add_column("metric")
    table.add_column("selected region", justify="right")
    table.add_column("whole space", justify="right")
    for metric, unit in zip(res.region.means, res.units, strict=True):
        table.add_row(
            f"mean {metric} ({unit})",
            f"{res.region.means[metric]:.3f} ({res.region_std.means[metric]:.3f})",
            f"{res.whole.means[metric]:.3f} ({res.whole_std.means[metric]:.3f})",
        )
    table.add_row(
        "hypervolume",
        f"{res.region.hypervolume:.3f} ({res.region_std.hypervolume:.3f})",
        f"{res.whole.hypervolume:.3f} ({res.whole_std.hypervolume:.3f})",
    )
    return table


@moo_app.command("effectiveness")
def effectiveness(
    benchmark: str = typer.Option("nb201", "--benchmark", help="Benchmark name."),
    objectives: str = typer.Option(
        DEFAULT_OBJECTIVES, "--objectives", help="Two or three NAME:max|min, comma-separated."
    ),
    runs: int = typer.Option(10, "--runs", help="Independent runs.", min=1),
    samples: int = typer.Option(100, "--samples", help="Random samples LaMOO is fitted on.", min=2),
    draws: int = typer.Option(50, "--draws", help="Architectures drawn per set.", min=1),
    seed: int | None = typer.Option(None, "--seed", help="Master seed (drawn when omitted)."),
    kernel: KernelChoice = typer.Option(KernelChoice.POLY, "--kernel", help="SVM kernel."),
    cp: float | None = typer.Option(
        None, "--cp", help="UCB exploration constant (default: 10 % of the root's HV).", min=0.0
    ),
    leaf_size: int = typer.Option(
        15, "--leaf-size", help="Split nodes holding more than this.", min=1
    ),
    max_depth: int = typer.Option(8, "--max-depth", help="Deepest level that may be split.", min=0),
    strategy: StrategyChoice = typer.Option(
        StrategyChoice.LEAF, "--strategy", help="Region selection."
    ),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Reference data directory (default: $CENAS_DATA_DIR)."
    ),
    hwnas: Path | None = typer.Option(
        None, "--hwnas", help="HW-NAS-Bench pickle to join (nb201 only; adds hw_* metrics)."
    ),
    hwnas_sha256: str | None = typer.Option(None, "--hwnas-sha256", help="SHA-256 of --hwnas."),
    allow_unverified_pickle: bool = typer.Option(
        False, "--allow-unverified-pickle", help="Read an HW-NAS-Bench pickle with no checksum."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document."),
) -> None:
    """Fit LaMOO on random samples, then compare architectures drawn from the selected region
    with architectures drawn from the whole space (mean objectives and hypervolume)."""
    from cenas.bench import Objectives
    from cenas.cli._bench import load_benchmark_option
    from cenas.moo import LaMOO, SelectStrategy, SvmKernel, lamoo_effectiveness

    bench = load_benchmark_option(benchmark, data_dir, hwnas, hwnas_sha256, allow_unverified_pickle)
    obj = Objectives.parse(objectives)
    obj.check(bench)
    lamoo = LaMOO(cp=cp, kernel=SvmKernel(kernel.value), leaf_size=leaf_size, max_depth=max_depth)
    with progress_bar() as progress:
        task = progress.add_task("LaMOO runs", total=runs)
        res = lamoo_effectiveness(
            bench,
            obj,
            runs=runs,
            samples=samples,
            draws=draws,
            lamoo=lamoo,
            strategy=SelectStrategy(strategy.value),
            seed=seed,
            on_run=lambda _r: progress.advance(task),
        )
    if as_json:
        print_json(res)
        return
    console.print(_table(res))
    console.print(f"seed {res.seed}; {res.lamoo}", highlight=False)
