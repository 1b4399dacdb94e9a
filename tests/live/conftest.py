"""Shared fixtures of the live tests: tiny data, tiny networks, fake energy meters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch

from cenas.carbon import ConstantSignal
from cenas.energy import Tracker
from cenas.energy.testing import FakePowerMeter
from cenas.live import DataSplits, NetworkConfig, TrainConfig, synthetic_dataset

POWER_W = 10.0


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    # Tiny networks gain nothing from intra-op threads, and on a shared CPU they spin.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def tiny_data() -> DataSplits:
    return synthetic_dataset(n=120, num_classes=3, size=8, seed=0)


@pytest.fixture
def tiny_net() -> NetworkConfig:
    return NetworkConfig(channels=4, cells_per_stage=1)


@pytest.fixture
def quick_train() -> TrainConfig:
    return TrainConfig(epochs=2, batch_size=32, latency_repeats=3, latency_warmup=1)


def fake_tracker(device: torch.device) -> Tracker:
    """A tracker with one fake 10 W meter and a constant signal, no sampling thread."""
    return Tracker([FakePowerMeter({"cpu": POWER_W})], ConstantSignal(100.0), interval_s=None)
