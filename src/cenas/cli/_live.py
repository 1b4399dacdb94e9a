"""``cenas live``: train NAS-Bench-201 networks and supernets for real, with measured energy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.table import Table

from cenas.cli._output import console, print_json, progress_bar
from cenas.errors import ConfigError

__all__ = ["register"]

live_app = typer.Typer(
    help="Live search: train NAS-Bench-201 networks and supernets, measure them.",
    no_args_is_help=True,
)

DatasetOption = typer.Option(
    "digits", "--dataset", help="digits (bundled), fashion-mnist, cifar10 or synthetic."
)
DataDirOption = typer.Option(
    None,
    "--data-dir",
    help="Directory of the data set's files (fashion-mnist: the four IDX files, default "
    "/usr/share/datasets/fashion-mnist; cifar10: cifar-10-batches-py).",
)
DeviceOption = typer.Option("auto", "--device", help="auto (CUDA when present), cpu, cuda, cuda:N.")
SeedOption = typer.Option(0, "--seed", help="Seed of the splits, initialisation and batch order.")
PresetOption = typer.Option(
    "small", "--preset", help="Network size: small (C=8, N=1; CPU) or cifar (C=16, N=5)."
)
ThreadsOption = typer.Option(
    1, "--threads", help="CPU threads for torch (small networks run fastest on one)."
)
TrainSizeOption = typer.Option(None, "--train-size", help="Use only this many training images.")
ValSizeOption = typer.Option(None, "--val-size", help="Use only this many validation images.")
UnverifiedOption = typer.Option(
    False, "--allow-unverified", help="fashion-mnist: accept IDX files with unknown checksums."
)
JsonOption = typer.Option(False, "--json", help="Print one JSON document.")


def register(app: typer.Typer) -> None:
    """Add ``cenas live`` to the root app."""
    app.add_typer(live_app, name="live")


def _setup(preset: str, threads: int, device: str) -> tuple[Any, Any]:
    import torch

    from cenas.live import NetworkConfig, resolve_device

    presets = {"small": NetworkConfig.small, "cifar": NetworkConfig.cifar}
    if preset not in presets:
        raise ConfigError(f"unknown --preset {preset!r}; expected small or cifar")
    if threads < 1:
        raise ConfigError(f"--threads must be >= 1, but got {threads}")
    torch.set_num_threads(threads)
    return presets[preset](), resolve_device(device)


def _energy_note(result: Any) -> str:
    return "; ".join(f"{k}: {v}" for k, v in result.tracking.meter_details.items())


@live_app.command("train")
def train(
    arch: str = typer.Option(
        ..., "--arch", help="Architecture string, e.g. '|nor_conv_3x3~0|+...'."
    ),
    dataset: str = DatasetOption,
    epochs: int = typer.Option(10, "--epochs", min=1, help="Training epochs (>= 1)."),
    device: str = DeviceOption,
    seed: int = SeedOption,
    preset: str = PresetOption,
    data_dir: Path | None = DataDirOption,
    train_size: int | None = TrainSizeOption,
    val_size: int | None = ValSizeOption,
    allow_unverified: bool = UnverifiedOption,
    threads: int = ThreadsOption,
    as_json: bool = JsonOption,
) -> None:
    """Train one architecture and print accuracy, energy, latency, parameters, time, meter and
    device."""
    from cenas.live import TrainConfig, arch_ops, load_dataset, train_network

    config = TrainConfig(epochs=epochs)
    arch_ops(arch)  # a bad architecture fails before the data are read
    network, dev = _setup(preset, threads, device)
    data = load_dataset(
        dataset, data_dir=data_dir, seed=seed, train_size=train_size, val_size=val_size,
        allow_unverified=allow_unverified,
    )  # fmt: skip
    r = train_network(arch, data, network=network, config=config, device=dev, seed=seed)
    doc: dict[str, Any] = {
        "arch": r.arch,
        "dataset": data.name,
        "accuracy": r.accuracy,
        "eval_split": r.eval_split,
        "energy_kwh": r.energy_kwh,
        "latency_ms": r.latency_ms,
        "params": r.params,
        "seconds": r.seconds,
        "meter": ", ".join(r.meters),
        "meter_details": r.tracking.meter_details,
        "device": r.device,
        "epochs": r.epochs,
        "seed": r.seed,
        "energy_kwh_by_component": r.energy_kwh_by_component,
        "notes": list(r.tracking.notes),
        "data_sha256": data.sha256,
    }
    if as_json:
        print_json(doc)
        return
    table = Table(title=f"cenas live train: {r.arch}", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("accuracy", f"{r.accuracy:.2f} % ({data.name} {r.eval_split}, {r.epochs} epochs)")
    table.add_row("energy", f"{r.energy_kwh:.4g} kWh")
    table.add_row("latency", f"{r.latency_ms:.3f} ms (median, batch 1)")
    table.add_row("params", f"{r.params:,}")
    table.add_row("time", f"{r.seconds:.2f} s")
    table.add_row("meter", _energy_note(r))
    table.add_row("device", r.device)
    console.print(table)


@live_app.command("supernet")
def supernet(
    archs: int = typer.Option(..., "--archs", help="Random architectures to estimate and train."),
    dataset: str = DatasetOption,
    epochs: int = typer.Option(10, "--epochs", min=1, help="Supernet training epochs (>= 1)."),
    train_epochs: int = typer.Option(
        10, "--train-epochs", min=1, help="Standalone training epochs per architecture (>= 1)."
    ),
    device: str = DeviceOption,
    seed: int = SeedOption,
    preset: str = PresetOption,
    data_dir: Path | None = DataDirOption,
    train_size: int | None = TrainSizeOption,
    val_size: int | None = ValSizeOption,
    allow_unverified: bool = UnverifiedOption,
    threads: int = ThreadsOption,
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
    as_json: bool = JsonOption,
) -> None:
    """Train a supernet over the whole space, estimate ARCHS random architectures with it, train
    each standalone, and print the Kendall tau between estimates and standalone accuracy."""
    from scipy.stats import kendalltau

    from cenas.live import Region, RegionSupernet, TrainConfig, load_dataset, train_network
    from cenas.space import NB201Space

    if archs < 2:
        raise ConfigError(f"--archs must be >= 2 (a rank correlation needs two), but got {archs}")
    sn_config, tr_config = TrainConfig(epochs=epochs), TrainConfig(epochs=train_epochs)
    network, dev = _setup(preset, threads, device)
    data = load_dataset(
        dataset, data_dir=data_dir, seed=seed, train_size=train_size, val_size=val_size,
        allow_unverified=allow_unverified,
    )  # fmt: skip
    space = NB201Space()
    idx = space.sample(archs, seed)
    sn = RegionSupernet(Region.whole(space), data, network=network, device=dev, seed=seed)
    with progress_bar(progress and not as_json) as bar:
        task = bar.add_task("supernet", total=1 + archs)
        cost = sn.train(sn_config)
        est = sn.estimate(idx)
        bar.advance(task)
        results = []
        for i in idx:
            bar.update(task, description=f"standalone {int(i)}")
            ops = [int(k) for k in space.op_vectors([i])[0]]
            results.append(
                train_network(ops, data, network=network, config=tr_config, device=dev, seed=seed)
            )
            bar.advance(task)
    acc = np.array([r.accuracy for r in results])
    tau = float(kendalltau(est.accuracy, acc).statistic)
    rows: list[dict[str, Any]] = [
        {"index": int(i), "arch": r.arch, "estimate": float(e), "accuracy": r.accuracy}
        for i, r, e in zip(idx, results, est.accuracy, strict=True)
    ]
    doc: dict[str, Any] = {
        "dataset": data.name,
        "archs": archs,
        "kendall_tau": tau,
        "supernet": {"epochs": epochs, "seconds": cost.seconds, "energy_kwh": cost.energy_kwh},
        "standalone": {
            "epochs": train_epochs,
            "seconds": float(sum(r.seconds for r in results)),
            "energy_kwh": float(sum(r.energy_kwh for r in results)),
        },
        "device": str(dev),
        "meter": ", ".join(cost.meters),
        "architectures": rows,
    }
    if as_json:
        print_json(doc)
        return
    table = Table(title=f"cenas live supernet: {data.name}, {archs} architectures")
    for col in ("architecture", "one-shot %", "standalone %"):
        table.add_column(col, justify="left" if col == "architecture" else "right")
    for row in rows:
        table.add_row(row["arch"], f"{row['estimate']:.2f}", f"{row['accuracy']:.2f}")
    console.print(table)
    console.print(
        f"Kendall tau = {tau:.3f}; supernet {epochs} epochs in {cost.seconds:.1f} s "
        f"({cost.energy_kwh:.3g} kWh), standalone {doc['standalone']['seconds']:.1f} s "
        f"({doc['standalone']['energy_kwh']:.3g} kWh); meter {doc['meter']}, device {dev}"
    )
