"""The weight-sharing supernet of a region, trained by single-path sampling inside the region.

Every edge of every cell holds all four non-``none`` operations; a forward pass runs one path
(one architecture). Training draws a path per batch uniformly from the region's members
(``sampling="uniform"``, SPOS restricted to a LaMOO leaf), or a strict-fairness group of member
paths per batch that trains every operation the region uses on every edge once
(``sampling="fair"``, FairNAS; see :mod:`cenas.live._fair`); either way an architecture outside
the region is never trained. Batch norm keeps no running statistics and learns no affine
parameters: paths share weights but not activation statistics, so evaluation normalises with
the batch's own (as NAS-Bench-201's weight-sharing baselines do).

A child region's supernet starts from a copy of its parent's weights and is fine-tuned for a
few epochs (the cost reported in :class:`SupernetResult` is what the simulator charges per
region). :func:`few_shot_split` splits a supernet by the operation on one edge (Few-Shot NAS).
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from numpy.typing import ArrayLike, NDArray
from torch import Tensor, nn

from cenas.energy import TrackingResult
from cenas.errors import ArchitectureError, ConfigError
from cenas.live._datasets import DataSplits
from cenas.live._fair import SAMPLINGS, FairSampler
from cenas.live._measure import TrackerFactory, default_tracker, measure_latency_ms, resolve_device
from cenas.live._network import (
    NetworkConfig,
    build_stages,
    count_parameters,
    sum_or_zeros,
)
from cenas.live._ops import OPERATION_NAMES, make_operation
from cenas.live._region import Region
from cenas.live._train import TrainConfig, build_network, evaluate_accuracy, fit
from cenas.space import NB201_EDGES

__all__ = [
    "EstimateResult",
    "FewShotSupernets",
    "RegionSupernet",
    "Supernet",
    "SupernetResult",
    "few_shot_split",
]

_BN = {"affine": False, "track_running_stats": False}


class _MixedCell(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.edges = nn.ModuleDict(
            {
                f"{e}_{op}": make_operation(op, channels, **_BN)
                for e in range(len(NB201_EDGES))
                for op in OPERATION_NAMES[1:]
            }
        )

    def forward(self, x: Tensor, ops: Sequence[int]) -> Tensor:
        nodes = [x]
        for node in (1, 2, 3):
            parts = [
                self.edges[f"{e}_{OPERATION_NAMES[ops[e]]}"](nodes[frm])
                for e, (to, frm) in enumerate(NB201_EDGES)
                if to == node and ops[e] != 0
            ]
            nodes.append(sum_or_zeros(parts, x))
        return nodes[3]


class Supernet(nn.Module):
    """The NAS-Bench-201 supernet: the network skeleton with every operation on every edge.

    Args:
        config: C and N.
        in_channels: image channels.
        num_classes: classifier outputs.

    ``forward(x, ops)`` runs the path of the architecture ``ops`` (six operation ids).
    """

    def __init__(self, config: NetworkConfig, *, in_channels: int, num_classes: int) -> None:
        super().__init__()
        self.config = config
        self.stem, self.layers, c_last = build_stages(config, in_channels, _MixedCell, **_BN)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c_last, **_BN), nn.ReLU(inplace=False))
        self.classifier = nn.Linear(c_last, num_classes)

    def forward(self, x: Tensor, ops: Sequence[int]) -> Tensor:
        h = self.stem(x)
        for layer in self.layers:
            h = layer(h, ops) if isinstance(layer, _MixedCell) else layer(h)
        out: Tensor = self.classifier(self.lastact(h).mean(dim=(2, 3)))
        return out


@dataclass(frozen=True)
class SupernetResult:
    """What training (or fine-tuning) a region's supernet cost.

    Attributes:
        region: the region's name.
        region_size: architectures in the region.
        parent: the region whose weights it started from (None: trained from scratch).
        epochs: epochs trained.
        steps: optimiser steps (one sampled path each, or one fairness group each).
        train_loss: mean loss of the last epoch.
        seconds: wall time, s.
        energy_kwh: IT energy (before PUE), kWh.
        energy_kwh_by_component: keyed ``meter/component``, kWh.
        meters: the meters used.
        device: the torch device.
        seed: seed of the path sampling and batch order.
        paths: every architecture index trained, in order, shape ``(steps,)`` for uniform
            sampling and ``(steps * group size,)`` for fair sampling.
        tracking: the full tracker result.
    """

    region: str
    region_size: int
    parent: str | None
    epochs: int
    steps: int
    train_loss: float
    seconds: float
    energy_kwh: float
    energy_kwh_by_component: dict[str, float]
    meters: tuple[str, ...]
    device: str
    seed: int
    paths: NDArray[np.int64] = field(repr=False)
    tracking: TrackingResult = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (the sampled paths are left out)."""
        out = {k: v for k, v in self.__dict__.items() if k not in ("paths", "tracking")}
        out["meters"] = list(self.meters)
        out["tracking"] = self.tracking.to_dict()
        return out


@dataclass(frozen=True)
class EstimateResult:
    """One-shot estimates of architectures and what they cost.

    Attributes:
        indices: the architectures, shape ``(n,)``.
        accuracy: one-shot accuracy on the split, %, shape ``(n,)``.
        latency_ms: measured batch-1 latency of each standalone (untrained) network, ms, when
            asked for (latency needs no training), else NaN.
        params: parameters of each standalone network (0 when latency was not measured).
        split: the split the accuracy is measured on.
        seconds: wall time, s.
        energy_kwh: IT energy, kWh.
        energy_kwh_by_component: keyed ``meter/component``, kWh.
        tracking: the full tracker result.
    """

    indices: NDArray[np.int64]
    accuracy: NDArray[np.float64]
    latency_ms: NDArray[np.float64]
    params: NDArray[np.int64]
    split: str
    seconds: float
    energy_kwh: float
    energy_kwh_by_component: dict[str, float]
    tracking: TrackingResult = field(repr=False)


class RegionSupernet:
    """A supernet for one region, with its training, fine-tuning and estimation.

    Args:
        region: the architectures the supernet serves.
        data: the splits.
        network: C and N; :meth:`NetworkConfig.small` when None.
        device: see :func:`~cenas.live.resolve_device`.
        seed: initial weights (when ``supernet`` is None), path sampling and batch order.
        tracker_factory: the energy tracker of each task; the default when None.
        supernet: start from these weights (a copy is taken) instead of a fresh supernet.
        parent: the name of the region the weights came from.
        sampling: ``uniform`` (one member path per batch) or ``fair`` (a FairNAS group per
            batch: every operation the region uses on each edge once, gradients summed before
            one update; an epoch then costs a group's size times as many forward passes).

    Raises:
        ConfigError: an unknown ``sampling``.
    """

    def __init__(
        self,
        region: Region,
        data: DataSplits,
        *,
        network: NetworkConfig | None = None,
        device: str | torch.device = "auto",
        seed: int = 0,
        tracker_factory: TrackerFactory | None = None,
        supernet: Supernet | None = None,
        parent: str | None = None,
        sampling: str = "uniform",
    ) -> None:
        if sampling not in SAMPLINGS:
            raise ConfigError(
                f"sampling must be one of {', '.join(SAMPLINGS)}, but got {sampling!r}"
            )
        self.sampling = sampling
        self._fair: FairSampler | None = None
        self.region = region
        self.data = data
        self.device = resolve_device(device)
        self.seed = seed
        self.tracker_factory = tracker_factory or default_tracker
        self.parent = parent
        if supernet is None:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                supernet = Supernet(
                    network or NetworkConfig.small(),
                    in_channels=data.in_channels,
                    num_classes=data.num_classes,
                )
        else:
            supernet = copy.deepcopy(supernet)
        self.supernet = supernet.to(self.device)
        self.trained_epochs = 0

    @property
    def network(self) -> NetworkConfig:
        """C and N of the supernet (and of the standalone networks it stands for)."""
        return self.supernet.config

    def train(self, config: TrainConfig) -> SupernetResult:
        """Train for ``config.epochs`` epochs, one uniformly drawn member path per batch (or one
        fairness group per batch, see ``sampling``)."""
        rng = np.random.default_rng([self.seed, self.trained_epochs])
        gen = torch.Generator().manual_seed(self.seed + 7919 * self.trained_epochs)
        paths: list[int] = []
        steps = [0]
        ops_of = self.region.ops
        loss_fn = nn.CrossEntropyLoss()
        net = self.supernet
        if self.sampling == "fair" and self._fair is None:
            self._fair = FairSampler(self.region.space, self.region.members)
        fair = self._fair if self.sampling == "fair" else None

        def loss_of(x: Tensor, y: Tensor) -> Tensor:
            group = self.region.sample(rng, 1) if fair is None else fair.group(rng)
            paths.extend(int(i) for i in group)
            steps[0] += 1
            # The mean over the group: one update, each path's gradient weighted alike.
            losses = [loss_fn(net(x, tuple(int(k) for k in row)), y) for row in ops_of(group)]
            loss: Tensor = torch.stack(losses).mean()
            return loss

        tracker = self.tracker_factory(self.device)
        tracker.start()
        try:
            loss = fit(net, loss_of, self.data.train, config, gen, self.device, tracker)
        finally:
            tracking = tracker.stop()
        self.trained_epochs += config.epochs
        return SupernetResult(
            region=self.region.name,
            region_size=self.region.size,
            parent=self.parent,
            epochs=config.epochs,
            steps=steps[0],
            train_loss=loss,
            seconds=tracking.duration_s,
            energy_kwh=tracking.energy_kwh,
            energy_kwh_by_component=tracking.energy_kwh_by_component,
            meters=tracking.meters,
            device=str(self.device),
            seed=self.seed,
            paths=np.array(paths, dtype=np.int64),
            tracking=tracking,
        )

    def finetune(
        self, child: Region, config: TrainConfig, *, seed: int | None = None
    ) -> tuple[RegionSupernet, SupernetResult]:
        """A supernet for ``child`` that starts from a copy of these weights, fine-tuned for
        ``config.epochs`` epochs (these weights are left as they are).

        Returns:
            The child's supernet and the fine-tuning's cost.
        """
        out = RegionSupernet(
            child,
            self.data,
            device=self.device,
            seed=self.seed if seed is None else seed,
            tracker_factory=self.tracker_factory,
            supernet=self.supernet,
            parent=self.region.name,
            sampling=self.sampling,
        )
        return out, out.train(config)

    def estimate(
        self,
        idx: ArrayLike,
        *,
        split: str = "val",
        batch_size: int = 512,
        latency: TrainConfig | None = None,
        allow_outside: bool = False,
    ) -> EstimateResult:
        """One-shot accuracy of architectures, each evaluated on its path of the supernet.

        Args:
            idx: architecture indices (members of the region).
            split: ``val`` (default) or ``test``.
            batch_size: images per forward pass (batch norm uses each batch's statistics).
            latency: when given, also measure each standalone network's latency with its
                ``latency_repeats`` / ``latency_warmup`` (and count its parameters).
            allow_outside: estimate architectures outside the region too.

        Raises:
            ArchitectureError: an index outside the region (unless ``allow_outside``).
        """
        arr = self.region.space.check_indices(np.asarray(idx).reshape(-1))
        outside = arr[~self.region.contains(arr)]
        if outside.size and not allow_outside:
            raise ArchitectureError(
                f"architecture {int(outside[0])} is outside region {self.region.name or '?'} "
                f"({self.region.size} architectures) whose supernet was asked to estimate it"
            )
        ops = self.region.ops(arr)
        data = self.data.split(split)
        acc = np.empty(arr.size)
        lat = np.full(arr.size, np.nan)
        params = np.zeros(arr.size, dtype=np.int64)
        tracker = self.tracker_factory(self.device)
        tracker.start()
        try:
            self.supernet.eval()
            for i, row in enumerate(ops):
                path = tuple(int(k) for k in row)
                acc[i] = evaluate_accuracy(
                    functools.partial(self.supernet, ops=path), data, batch_size, self.device
                )
                if latency is not None:
                    net = build_network(path, self.data, self.network, self.seed, self.device)
                    params[i] = count_parameters(net)
                    lat[i] = measure_latency_ms(
                        net,
                        self.data.val.x[:1].to(self.device),
                        repeats=latency.latency_repeats,
                        warmup=latency.latency_warmup,
                    )
        finally:
            tracking = tracker.stop()
        return EstimateResult(
            indices=arr,
            accuracy=acc,
            latency_ms=lat,
            params=params,
            split=split,
            seconds=tracking.duration_s,
            energy_kwh=tracking.energy_kwh,
            energy_kwh_by_component=tracking.energy_kwh_by_component,
            tracking=tracking,
        )


@dataclass
class FewShotSupernets:
    """Few-Shot NAS: one supernet per operation on one edge, each serving the architectures
    that carry that operation there.

    Attributes:
        edge: the split edge (0..5, order of :data:`cenas.space.NB201_EDGES`).
        parts: operation id -> that sub-region's supernet.
        results: operation id -> what fine-tuning it cost.
    """

    edge: int
    parts: dict[int, RegionSupernet]
    results: dict[int, SupernetResult]

    def estimate(self, idx: ArrayLike, **kwargs: Any) -> NDArray[np.float64]:
        """One-shot accuracy, %, each architecture from the supernet of its operation on the
        split edge (keyword arguments go to :meth:`RegionSupernet.estimate`)."""
        any_part = next(iter(self.parts.values()))
        arr = any_part.region.space.check_indices(np.asarray(idx).reshape(-1))
        ops = any_part.region.ops(arr)[:, self.edge]
        out = np.empty(arr.size)
        for op in np.unique(ops):
            if int(op) not in self.parts:
                raise ArchitectureError(
                    f"no few-shot supernet for operation {OPERATION_NAMES[op]} on edge {self.edge}"
                )
            sel = ops == op
            out[sel] = self.parts[int(op)].estimate(arr[sel], **kwargs).accuracy
        return out


def few_shot_split(parent: RegionSupernet, edge: int, config: TrainConfig) -> FewShotSupernets:
    """Split ``parent`` by the operation on ``edge``: each sub-region (its members with that
    operation there) gets a copy of the parent's weights, fine-tuned for ``config.epochs``.

    Raises:
        ConfigError: ``edge`` is not in ``[0, 6)``.
    """
    if not 0 <= edge < len(NB201_EDGES):
        raise ConfigError(f"edge must be in [0, {len(NB201_EDGES)}), but got {edge}")
    parts: dict[int, RegionSupernet] = {}
    results: dict[int, SupernetResult] = {}
    for op in range(len(OPERATION_NAMES)):
        sub = parent.region.with_op(edge, op)
        if sub is not None:
            parts[op], results[op] = parent.finetune(sub, config)
    return FewShotSupernets(edge, parts, results)
