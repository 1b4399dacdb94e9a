"""The NAS-Bench-201 network: every operation on every edge, none edges dropped, sizes."""

from __future__ import annotations

import pytest
import torch

from cenas.errors import ArchitectureError, ConfigError
from cenas.live import NB201Network, NetworkConfig, count_parameters, parse_ops
from cenas.live._ops import OPERATION_NAMES
from cenas.space import NB201_EDGES


def _net(ops: list[int], c: int = 4, n: int = 1, in_ch: int = 1) -> NB201Network:
    torch.manual_seed(0)
    return NB201Network(ops, NetworkConfig(c, n), in_channels=in_ch, num_classes=5).eval()


def _op_params(op: str, c: int) -> int:
    # ReLU-conv-BN: k*k*c*c weights, BN scale and shift; skip and pooling have none.
    return {"nor_conv_1x1": c * c + 2 * c, "nor_conv_3x3": 9 * c * c + 2 * c}.get(op, 0)


@pytest.mark.parametrize("edge", range(6))
@pytest.mark.parametrize("op", range(5))
def test_every_operation_on_every_edge(edge: int, op: int) -> None:
    ops = [0] * 6
    ops[edge] = op
    base, net = _net([0] * 6, n=2), _net(ops, n=2)
    out = net(torch.randn(3, 1, 8, 8))
    assert out.shape == (3, 5) and torch.isfinite(out).all()
    # Closed form: the op adds its parameters once per cell, at C, 2C and 4C channels.
    extra = sum(2 * _op_params(OPERATION_NAMES[op], c) for c in (4, 8, 16))
    assert count_parameters(net) - count_parameters(base) == extra
    key = f"{NB201_EDGES[edge][0]}<-{NB201_EDGES[edge][1]}"
    for layer in net.layers:
        if hasattr(layer, "edges"):
            assert (key in layer.edges) == (op != 0)


def test_none_edges_really_drop_the_edge() -> None:
    # Node 3 has only none inputs: the cell outputs zeros, so the logits ignore the input.
    ops = parse_ops(["nor_conv_3x3"] * 3 + ["none"] * 3)
    net = _net(list(ops))
    assert torch.allclose(net(torch.randn(2, 1, 8, 8)), net(torch.randn(2, 1, 8, 8)))
    # The same cell with a skip on 3<-0 depends on the input.
    with_skip = _net([3, 3, 3, 1, 0, 0])
    a, b = torch.randn(2, 1, 8, 8), torch.randn(2, 1, 8, 8)
    assert not torch.allclose(with_skip(a), with_skip(b))


def test_a_none_edge_is_not_the_same_as_a_skip() -> None:
    x = torch.randn(2, 1, 8, 8)
    dropped, skipped = _net([1, 1, 0, 1, 1, 1]), _net([1, 1, 1, 1, 1, 1])
    assert not torch.allclose(dropped(x), skipped(x))


def test_cifar_preset_matches_the_benchmark_size() -> None:
    # NAS-Bench-201 lists 1.53 MB (million parameters) for the all-3x3 CIFAR-10 network.
    net = NB201Network(["nor_conv_3x3"] * 6, NetworkConfig.cifar(), in_channels=3)
    assert count_parameters(net) == 1_531_546
    assert NetworkConfig.cifar() == NetworkConfig(16, 5)


@pytest.mark.parametrize("size", [8, 28, 32, 7])
def test_input_sizes(size: int) -> None:
    net = _net([3, 2, 4, 1, 3, 2])
    assert net(torch.randn(1, 1, size, size)).shape == (1, 5)


def test_bad_architectures_and_configs() -> None:
    with pytest.raises(ArchitectureError, match="6 edge operations"):
        parse_ops([0, 1])
    with pytest.raises(ArchitectureError, match="unknown operation 'conv5x5'"):
        parse_ops(["conv5x5"] * 6)
    with pytest.raises(ArchitectureError, match=r"\[0, 5\)"):
        parse_ops([0, 1, 2, 3, 4, 5])
    with pytest.raises(ConfigError, match="channels"):
        NetworkConfig(0, 1)
    with pytest.raises(ConfigError, match="num_classes"):
        NB201Network([0] * 6, num_classes=1)
