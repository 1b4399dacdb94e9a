"""Measured training: results, energy from the injected tracker, determinism, bad input."""

from __future__ import annotations

import pytest
import torch

from cenas.errors import ArchitectureError, ConfigError
from cenas.live import (
    DataSplits,
    NetworkConfig,
    TrainConfig,
    measure_latency_ms,
    resolve_device,
    train_network,
)
from cenas.live._network import NB201Network

from .conftest import POWER_W, fake_tracker

ARCH = "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|"


def test_train_result_and_energy(
    tiny_data: DataSplits, tiny_net: NetworkConfig, quick_train: TrainConfig
) -> None:
    r = train_network(
        ARCH, tiny_data, network=tiny_net, config=quick_train, device="cpu",
        tracker_factory=fake_tracker,
    )  # fmt: skip
    assert r.arch == ARCH and r.device == "cpu" and r.epochs == 2 and r.eval_split == "val"
    assert 0.0 <= r.accuracy <= 100.0 and r.latency_ms > 0 and r.params > 0
    assert r.meters == ("fake",) and len(r.tracking.epochs) == 2
    # The fake meter draws 10 W over the tracked window.
    assert r.energy_kwh == pytest.approx(POWER_W * r.seconds / 3.6e6, rel=1e-9)
    assert r.energy_kwh_by_component == {"fake/cpu": pytest.approx(r.energy_kwh)}
    assert r.to_dict()["tracking"]["meters"] == ["fake"]


def test_training_learns(tiny_data: DataSplits, tiny_net: NetworkConfig) -> None:
    r = train_network(
        ARCH, tiny_data, network=tiny_net, config=TrainConfig(epochs=8, batch_size=16,
        latency_repeats=1, latency_warmup=0), device="cpu", tracker_factory=fake_tracker,
    )  # fmt: skip
    assert r.accuracy > 80.0  # 3 classes: chance is 33 %


def test_seeded_determinism_on_cpu(
    tiny_data: DataSplits, tiny_net: NetworkConfig, quick_train: TrainConfig
) -> None:
    def run(seed: int) -> tuple[float, float]:
        r = train_network(
            [3, 2, 1, 4, 0, 3], tiny_data, network=tiny_net, config=quick_train, device="cpu",
            seed=seed, tracker_factory=fake_tracker,
        )  # fmt: skip
        return r.accuracy, r.train_loss

    state = torch.random.get_rng_state()
    assert run(1) == run(1)
    assert run(1)[1] != run(2)[1]
    assert torch.equal(torch.random.get_rng_state(), state)  # the global RNG is left alone


def test_latency_is_a_median_of_timed_passes() -> None:
    calls = []

    class Counting(NB201Network):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            calls.append(1)
            return super().forward(x)

    net = Counting([1] * 6, NetworkConfig(4, 1), in_channels=1).train()
    ms = measure_latency_ms(net, torch.randn(1, 1, 8, 8), repeats=4, warmup=3)
    assert ms > 0 and len(calls) == 7 and net.training


def test_bad_input(tiny_data: DataSplits) -> None:
    with pytest.raises(ConfigError, match="epochs must be an integer >= 1, but got 0"):
        TrainConfig(epochs=0)
    with pytest.raises(ArchitectureError, match="unknown operation 'conv'"):
        train_network("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", tiny_data)
    with pytest.raises(ConfigError, match="unknown device 'tpu'"):
        resolve_device("tpu")
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is present here")
def test_cuda_requested_where_none_exists() -> None:
    with pytest.raises(ConfigError, match="'cuda' requested, but CUDA is not available"):
        resolve_device("cuda")
