"""The NAS-Bench-201 network of one architecture: stem, three stages of cells separated by two
residual reduction blocks, batch norm + ReLU, global average pooling and a linear classifier.

The benchmark's CIFAR network has C=16 channels and N=5 cells per stage
(:meth:`NetworkConfig.cifar`); :meth:`NetworkConfig.small` is a CPU preset for 8x8 and 28x28
inputs. A ``none`` edge is not built and not computed; a node whose every input edge is ``none``
outputs zeros (as the benchmark's zero operation would).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from cenas.errors import ArchitectureError, ConfigError
from cenas.live._ops import OPERATION_NAMES, ResidualReduction, make_operation
from cenas.space import NB201_EDGES

__all__ = ["NB201Network", "NetworkConfig", "count_parameters", "parse_ops"]


@dataclass(frozen=True)
class NetworkConfig:
    """Size of an NAS-Bench-201 network.

    Attributes:
        channels: C, the channels of the first stage (doubled by each reduction block), >= 1.
        cells_per_stage: N, cells in each of the three stages, >= 1.
    """

    channels: int = 16
    cells_per_stage: int = 5

    def __post_init__(self) -> None:
        for name in ("channels", "cells_per_stage"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise ConfigError(f"NetworkConfig.{name} must be an integer >= 1, but got {v!r}")

    @classmethod
    def cifar(cls) -> NetworkConfig:
        """NAS-Bench-201's network: C=16, N=5."""
        return cls(16, 5)

    @classmethod
    def small(cls) -> NetworkConfig:
        """A CPU preset (C=8, N=1) for small inputs such as 8x8 digits or 28x28 Fashion-MNIST."""
        return cls(8, 1)


def parse_ops(ops: Sequence[int] | Sequence[str]) -> tuple[int, ...]:
    """Six operation ids (edge order of :data:`cenas.space.NB201_EDGES`) from ids or names.

    Raises:
        ArchitectureError: not six entries, or an unknown operation.
    """
    if len(ops) != len(NB201_EDGES):
        raise ArchitectureError(
            f"an NB201 architecture has {len(NB201_EDGES)} edge operations, but got {len(ops)}"
        )
    out = []
    for o in ops:
        if isinstance(o, str):
            if o not in OPERATION_NAMES:
                raise ArchitectureError(
                    f"unknown operation {o!r}; expected one of {', '.join(OPERATION_NAMES)}"
                )
            out.append(OPERATION_NAMES.index(o))
        else:
            k = int(o)
            if not 0 <= k < len(OPERATION_NAMES):
                raise ArchitectureError(
                    f"operation id must be in [0, {len(OPERATION_NAMES)}), but got {k}"
                )
            out.append(k)
    return tuple(out)


def _edge_key(edge: int) -> str:
    to, frm = NB201_EDGES[edge]
    return f"{to}<-{frm}"


class _Cell(nn.Module):
    """One fixed cell: only the non-``none`` edges exist."""

    def __init__(self, channels: int, ops: tuple[int, ...]) -> None:
        super().__init__()
        self.ops = ops
        self.edges = nn.ModuleDict(
            {
                _edge_key(e): make_operation(OPERATION_NAMES[k], channels)
                for e, k in enumerate(ops)
                if k != 0
            }
        )

    def forward(self, x: Tensor) -> Tensor:
        nodes = [x]
        for node in (1, 2, 3):
            parts = [
                self.edges[_edge_key(e)](nodes[frm])
                for e, (to, frm) in enumerate(NB201_EDGES)
                if to == node and self.ops[e] != 0
            ]
            nodes.append(sum_or_zeros(parts, x))
        return nodes[3]


def sum_or_zeros(parts: list[Tensor], like: Tensor) -> Tensor:
    """The sum of a node's inputs; zeros shaped like ``like`` when every input edge is none."""
    if not parts:
        return torch.zeros_like(like)
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    return total


def build_stages(
    config: NetworkConfig,
    in_channels: int,
    make_cell: Callable[[int], nn.Module],
    *,
    affine: bool = True,
    track_running_stats: bool = True,
) -> tuple[nn.Sequential, nn.ModuleList, int]:
    """The stem, the cell/reduction layers in order, and the last stage's channels."""
    c = config.channels
    stem = nn.Sequential(
        nn.Conv2d(in_channels, c, 3, padding=1, bias=False),
        nn.BatchNorm2d(c, affine=affine, track_running_stats=track_running_stats),
    )
    layers: list[nn.Module] = []
    for stage in range(3):
        if stage:
            layers.append(
                ResidualReduction(c, 2 * c, affine=affine, track_running_stats=track_running_stats)
            )
            c *= 2
        layers.extend(make_cell(c) for _ in range(config.cells_per_stage))
    return stem, nn.ModuleList(layers), c


class NB201Network(nn.Module):
    """The standalone network of one NAS-Bench-201 architecture.

    Args:
        ops: the six edge operations (ids or names, edge order of
            :data:`cenas.space.NB201_EDGES`); see :func:`parse_ops`.
        config: C and N.
        in_channels: image channels (1 for digits and Fashion-MNIST, 3 for CIFAR).
        num_classes: classifier outputs.

    Input ``(batch, in_channels, H, W)`` float; output logits ``(batch, num_classes)``.
    """

    def __init__(
        self,
        ops: Sequence[int] | Sequence[str],
        config: NetworkConfig | None = None,
        *,
        in_channels: int = 3,
        num_classes: int = 10,
    ) -> None:
        super().__init__()
        if in_channels < 1 or num_classes < 2:
            raise ConfigError(
                f"need in_channels >= 1 and num_classes >= 2, but got {in_channels}, {num_classes}"
            )
        self.ops = parse_ops(ops)
        self.config = config or NetworkConfig.cifar()
        self.stem, self.layers, c_last = build_stages(
            self.config, in_channels, lambda c: _Cell(c, self.ops)
        )
        self.lastact = nn.Sequential(nn.BatchNorm2d(c_last), nn.ReLU(inplace=False))
        self.classifier = nn.Linear(c_last, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        h = self.stem(x)
        for layer in self.layers:
            h = layer(h)
        h = self.lastact(h).mean(dim=(2, 3))
        out: Tensor = self.classifier(h)
        return out


def count_parameters(module: nn.Module) -> int:
    """Trainable parameters of ``module``."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
