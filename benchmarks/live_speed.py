"""Speed of live training on one CPU thread, and the energy tracker's overhead in the same run.

Targets: one digits architecture trains to its configured budget (``TrainConfig``'s default
10 epochs) in under 20 s; a digits supernet epoch takes under 10 s; the tracker's own work
(meter readings and carbon bookkeeping in its sampling thread) stays under 1 % of the training
time. The overhead is a ratio measured inside one run: every meter is wrapped in a timer, and
the time spent reading it is divided by the run's duration. Fashion-MNIST figures are printed
too when its files are present (Debian's dataset-fashion-mnist, or --fashion-dir).

    .venv/bin/python benchmarks/live_speed.py [--arch ARCH] [--epochs 10] [--fashion-size 5000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import torch
from rich.console import Console
from rich.table import Table

from cenas.energy import Component, EnergyMeter, Tracker
from cenas.live import (
    DEBIAN_FASHION_MNIST_DIR,
    DataSplits,
    Region,
    RegionSupernet,
    TrainConfig,
    default_tracker,
    load_dataset,
    train_network,
)

SLOWEST = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+" + "|".join(
    ["", "nor_conv_3x3~0", "nor_conv_3x3~1", "nor_conv_3x3~2", ""]
)


class TimedMeter(EnergyMeter):
    """Delegates to a meter and adds up the wall time spent in it."""

    def __init__(self, inner: EnergyMeter) -> None:
        self.inner = inner
        self.spent_s = 0.0
        self.reads = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def components(self) -> tuple[Component, ...]:
        return self.inner.components

    @property
    def details(self) -> str:
        return self.inner.details

    def start(self, t_s: float) -> None:
        t0 = time.perf_counter()
        self.inner.start(t_s)
        self.spent_s += time.perf_counter() - t0

    def energy_j(self, t_s: float) -> dict[str, float]:
        t0 = time.perf_counter()
        out = self.inner.energy_j(t_s)
        self.spent_s += time.perf_counter() - t0
        self.reads += 1
        return out


def timed_factory(store: list[TimedMeter]) -> Callable[[torch.device], Tracker]:
    def make(device: torch.device) -> Tracker:
        base = default_tracker(device)
        meters = [TimedMeter(m) for m in base.meters]
        store.extend(meters)
        return Tracker(meters, base.signal, interval_s=base.interval_s)

    return make


def supernet_epoch_s(data: DataSplits, batch: int) -> float:
    sn = RegionSupernet(Region.whole(), data, device="cpu", seed=0)
    return sn.train(TrainConfig(epochs=1, batch_size=batch)).seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", default=SLOWEST, help="default: the all-3x3 cell (the slowest)")
    ap.add_argument("--epochs", type=int, default=TrainConfig().epochs)
    ap.add_argument("--fashion-dir", type=Path, default=DEBIAN_FASHION_MNIST_DIR)
    ap.add_argument("--fashion-size", type=int, default=5000)
    args = ap.parse_args()
    torch.set_num_threads(1)
    console = Console()
    digits = load_dataset("digits")
    train_network(args.arch, digits, config=TrainConfig(epochs=1), device="cpu")  # warm-up

    meters: list[TimedMeter] = []
    r = train_network(
        args.arch, digits, config=TrainConfig(epochs=args.epochs), device="cpu",
        tracker_factory=timed_factory(meters),
    )  # fmt: skip
    spent = sum(m.spent_s for m in meters)
    reads = sum(m.reads for m in meters)
    t = Table(title="live training speed, 1 CPU thread (network C=8, N=1)")
    t.add_column("measure")
    t.add_column("value", justify="right")
    t.add_column("target", justify="right")
    t.add_row(f"digits: one architecture, {args.epochs} epochs", f"{r.seconds:.2f} s", "< 20 s")
    t.add_row("  accuracy (val) / latency", f"{r.accuracy:.1f} % / {r.latency_ms:.2f} ms", "")
    t.add_row("  energy (meter: " + ", ".join(r.meters) + ")", f"{r.energy_kwh:.3g} kWh", "")
    t.add_row(
        f"  tracker overhead ({reads} meter reads)",
        f"{100 * spent / r.seconds:.4f} %",
        "< 1 %",
    )
    for batch in (64, 32):
        t.add_row(
            f"digits: supernet epoch, batch {batch}",
            f"{supernet_epoch_s(digits, batch):.2f} s",
            "< 10 s",
        )
    if (args.fashion_dir / "train-labels-idx1-ubyte.gz").is_file() or (
        args.fashion_dir / "train-labels-idx1-ubyte"
    ).is_file():
        fm = load_dataset("fashion-mnist", data_dir=args.fashion_dir, train_size=args.fashion_size)
        fr = train_network(args.arch, fm, config=TrainConfig(epochs=1), device="cpu")
        t.add_row(
            f"fashion-mnist ({args.fashion_size} train): one epoch", f"{fr.seconds:.2f} s", ""
        )
        t.add_row("  accuracy (5,000 val) after 1 epoch", f"{fr.accuracy:.1f} %", "")
        t.add_row(
            f"fashion-mnist ({args.fashion_size} train): supernet epoch",
            f"{supernet_epoch_s(fm, 64):.2f} s",
            "",
        )
    else:
        t.add_row("fashion-mnist", f"absent from {args.fashion_dir}", "")
    console.print(t)


if __name__ == "__main__":
    main()
