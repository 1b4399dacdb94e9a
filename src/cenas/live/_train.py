"""Measured training and evaluation of one standalone NAS-Bench-201 network.

The whole task (training to the epoch budget, the held-out accuracy and the latency
measurement) runs inside one energy-tracker window, epoch by epoch, so the result carries the
energy it cost, by component and meter, next to the objectives. On CPU the result's accuracy,
loss and parameter count depend only on the seed, data and config (measured times and energy
do not).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from cenas.energy import Tracker, TrackingResult
from cenas.errors import ConfigError
from cenas.live._datasets import DataSplits, ImageSet
from cenas.live._measure import TrackerFactory, default_tracker, measure_latency_ms, resolve_device
from cenas.live._network import NB201Network, NetworkConfig, count_parameters, parse_ops
from cenas.live._ops import OPERATION_NAMES
from cenas.space import NB201Space

__all__ = ["TrainConfig", "TrainResult", "arch_ops", "evaluate_accuracy", "train_network"]

_CANONICAL = NB201Space()


@dataclass(frozen=True)
class TrainConfig:
    """How a network (or a supernet) is trained.

    Attributes:
        epochs: passes over the training split, >= 1.
        batch_size: images per step, >= 1.
        learning_rate: initial SGD learning rate (cosine-annealed to 0), > 0.
        momentum: SGD (Nesterov) momentum, in [0, 1).
        weight_decay: L2 penalty, >= 0.
        eval_split: split whose accuracy is the result, ``val`` (default; what guides a search)
            or ``test``.
        eval_batch_size: images per evaluation forward pass, >= 1.
        latency_repeats: timed batch-1 forward passes (their median is the latency), >= 1.
        latency_warmup: untimed passes before them, >= 0.
    """

    epochs: int = 10
    batch_size: int = 64
    learning_rate: float = 0.05
    momentum: float = 0.9
    weight_decay: float = 5e-4
    eval_split: str = "val"
    eval_batch_size: int = 512
    latency_repeats: int = 30
    latency_warmup: int = 5

    def __post_init__(self) -> None:
        if not isinstance(self.epochs, int) or self.epochs < 1:
            raise ConfigError(f"epochs must be an integer >= 1, but got {self.epochs!r}")
        if self.batch_size < 1 or self.eval_batch_size < 1:
            raise ConfigError(
                f"batch sizes must be >= 1, but got {self.batch_size}, {self.eval_batch_size}"
            )
        if not (self.learning_rate > 0 and 0 <= self.momentum < 1 and self.weight_decay >= 0):
            raise ConfigError(
                f"need learning_rate > 0, 0 <= momentum < 1, weight_decay >= 0, but got "
                f"{self.learning_rate}, {self.momentum}, {self.weight_decay}"
            )
        if self.eval_split not in ("val", "test"):
            raise ConfigError(f"eval_split must be val or test, but got {self.eval_split!r}")
        if self.latency_repeats < 1 or self.latency_warmup < 0:
            raise ConfigError(
                f"need latency_repeats >= 1 and latency_warmup >= 0, but got "
                f"{self.latency_repeats}, {self.latency_warmup}"
            )


@dataclass(frozen=True)
class TrainResult:
    """What training one architecture gave and cost.

    Attributes:
        arch: the architecture string.
        accuracy: accuracy on ``eval_split`` after training, %.
        eval_split: ``val`` or ``test``.
        train_loss: mean training loss of the last epoch.
        params: trainable parameters.
        latency_ms: median batch-1 inference latency on ``device``, ms.
        seconds: wall time of the whole task (training, evaluation, latency), s.
        energy_kwh: IT energy of the task (before PUE), kWh.
        energy_kwh_by_component: energy keyed ``meter/component``, kWh.
        meters: the meters that produced the energy.
        device: the torch device used.
        epochs: epochs trained.
        seed: the seed of initialisation and batch order.
        tracking: the full tracker result (epochs, carbon at the tracker's signal, notes).
    """

    arch: str
    accuracy: float
    eval_split: str
    train_loss: float
    params: int
    latency_ms: float
    seconds: float
    energy_kwh: float
    energy_kwh_by_component: dict[str, float]
    meters: tuple[str, ...]
    device: str
    epochs: int
    seed: int
    tracking: TrackingResult

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the tracker result in its own JSON form)."""
        out = {k: v for k, v in self.__dict__.items() if k != "tracking"}
        out["meters"] = list(self.meters)
        out["tracking"] = self.tracking.to_dict()
        return out


def arch_ops(arch: str | Sequence[int] | Sequence[str]) -> tuple[tuple[int, ...], str]:
    """Operation ids and the canonical string of an architecture given as string or op vector.

    Raises:
        ArchitectureError: not an architecture of the NAS-Bench-201 space.
    """
    if isinstance(arch, str):
        ops = tuple(int(k) for k in _CANONICAL.op_vectors([_CANONICAL.from_string(arch)])[0])
    else:
        ops = parse_ops(arch)
    names = [OPERATION_NAMES[k] for k in ops]
    text = f"|{names[0]}~0|+|{names[1]}~0|{names[2]}~1|+|{names[3]}~0|{names[4]}~1|{names[5]}~2|"
    return ops, text


def batches(n: int, batch_size: int, generator: torch.Generator) -> Iterator[Tensor]:
    """Shuffled index batches over ``n`` items (the last one may be smaller)."""
    perm = torch.randperm(n, generator=generator)
    for i in range(0, n, batch_size):
        yield perm[i : i + batch_size]


def make_optimizer(
    params: Any, config: TrainConfig, steps: int
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    """Nesterov SGD with cosine annealing over ``steps`` steps (NAS-Bench-201's recipe)."""
    opt = torch.optim.SGD(
        params,
        lr=config.learning_rate,
        momentum=config.momentum,
        weight_decay=config.weight_decay,
        nesterov=config.momentum > 0,
    )
    return opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, steps))


def fit(
    module: nn.Module,
    loss_of: Callable[[Tensor, Tensor], Tensor],
    split: ImageSet,
    config: TrainConfig,
    generator: torch.Generator,
    device: torch.device,
    tracker: Tracker,
) -> float:
    """Train ``module`` for ``config.epochs`` epochs, one tracker epoch each.

    Args:
        module: the network or supernet (its parameters are optimised).
        loss_of: the loss of a batch ``(x, y)`` on ``device`` (a supernet samples its path here).
        split: the training images.
        config: the recipe.
        generator: batch order.
        device: where the batches go.
        tracker: a running tracker; each epoch is one of its epochs.

    Returns:
        The mean loss of the last epoch.
    """
    steps = config.epochs * -(-len(split) // config.batch_size)
    opt, sched = make_optimizer(module.parameters(), config, steps)
    losses: list[float] = []
    for _ in range(config.epochs):
        tracker.epoch_start()
        module.train()
        losses = []
        for idx in batches(len(split), config.batch_size, generator):
            x, y = split.x[idx].to(device), split.y[idx].to(device)
            opt.zero_grad(set_to_none=True)
            loss = loss_of(x, y)
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
            sched.step()
            losses.append(float(loss.detach()))
        tracker.epoch_end()
    return float(np.mean(losses))


def evaluate_accuracy(
    forward: Callable[[Tensor], Tensor], split: ImageSet, batch_size: int, device: torch.device
) -> float:
    """Accuracy of ``forward`` (logits) on a split, %."""
    correct = 0
    with torch.no_grad():
        for i in range(0, len(split), batch_size):
            x = split.x[i : i + batch_size].to(device)
            y = split.y[i : i + batch_size].to(device)
            correct += int((forward(x).argmax(dim=1) == y).sum())
    return 100.0 * correct / max(1, len(split))


def build_network(
    ops: Sequence[int], data: DataSplits, config: NetworkConfig, seed: int, device: torch.device
) -> NB201Network:
    """The network, initialised from ``seed`` without touching the global torch RNG."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = NB201Network(ops, config, in_channels=data.in_channels, num_classes=data.num_classes)
    return net.to(device)


def train_network(
    arch: str | Sequence[int] | Sequence[str],
    data: DataSplits,
    *,
    network: NetworkConfig | None = None,
    config: TrainConfig | None = None,
    device: str | torch.device = "auto",
    seed: int = 0,
    tracker_factory: TrackerFactory | None = None,
) -> TrainResult:
    """Train one architecture to the epoch budget and measure it.

    Args:
        arch: architecture string or six operation ids/names.
        data: the splits (training on ``train``, accuracy on ``config.eval_split``).
        network: C and N; :meth:`NetworkConfig.small` when None.
        config: the training recipe; defaults when None.
        device: ``auto``, ``cpu``, ``cuda`` or ``cuda:N`` (see :func:`resolve_device`).
        seed: initialisation and batch order.
        tracker_factory: builds the energy tracker; :func:`default_tracker` when None.

    Raises:
        ArchitectureError: ``arch`` is not in the space.
        ConfigError: bad config or unavailable device.
        MeterUnavailableError: no way to measure or estimate the energy.
    """
    ops, text = arch_ops(arch)
    net_cfg = network or NetworkConfig.small()
    cfg = config or TrainConfig()
    dev = resolve_device(device)
    net = build_network(ops, data, net_cfg, seed, dev)
    loss_fn = nn.CrossEntropyLoss()
    tracker = (tracker_factory or default_tracker)(dev)
    tracker.start()
    try:
        train_loss = fit(
            net,
            lambda x, y: loss_fn(net(x), y),
            data.train,
            cfg,
            torch.Generator().manual_seed(seed),
            dev,
            tracker,
        )
        net.eval()
        acc = evaluate_accuracy(net, data.split(cfg.eval_split), cfg.eval_batch_size, dev)
        latency = measure_latency_ms(
            net,
            data.val.x[:1].to(dev),
            repeats=cfg.latency_repeats,
            warmup=cfg.latency_warmup,
        )
    finally:
        tracking = tracker.stop()
    return TrainResult(
        arch=text,
        accuracy=acc,
        eval_split=cfg.eval_split,
        train_loss=train_loss,
        params=count_parameters(net),
        latency_ms=latency,
        seconds=tracking.duration_s,
        energy_kwh=tracking.energy_kwh,
        energy_kwh_by_component=tracking.energy_kwh_by_component,
        meters=tracking.meters,
        device=str(dev),
        epochs=cfg.epochs,
        seed=seed,
        tracking=tracking,
    )
