"""The live evaluator behind the search core's Evaluator interface."""

from __future__ import annotations

import numpy as np
import pytest

from cenas.errors import ConfigError
from cenas.live import DataSplits, LiveEvaluator, NetworkConfig, Region, TrainConfig
from cenas.search import Evaluator

from .conftest import fake_tracker


def _evaluator(data: DataSplits, objectives: str = "accuracy:max,latency_ms:min") -> LiveEvaluator:
    quick = TrainConfig(epochs=1, batch_size=32, latency_repeats=2, latency_warmup=0)
    return LiveEvaluator(
        data, objectives=objectives, network=NetworkConfig(4, 1), train=quick,
        supernet_train=quick, device="cpu", seed=3, tracker_factory=fake_tracker,
    )  # fmt: skip


def test_evaluate_is_standalone_training_in_minimisation_form(tiny_data: DataSplits) -> None:
    ev = _evaluator(tiny_data, "accuracy:max,params:min")
    assert isinstance(ev, Evaluator)
    y = ev.evaluate([10, 20])
    assert y.shape == (2, 2)
    r = ev.train_one(10)
    assert y[0].tolist() == [-r.accuracy, float(r.params)]
    assert ev.train_one(10) is r and sorted(ev.trained) == [10, 20]  # trained once
    # Seeds are per architecture: the order of requests does not change results.
    other = _evaluator(tiny_data, "accuracy:max,params:min")
    assert other.evaluate([20, 10])[::-1].tolist() == y.tolist()


def test_estimate_uses_the_active_region(tiny_data: DataSplits) -> None:
    ev = _evaluator(tiny_data)
    y = ev.estimate([1, 2, 3])  # trains the whole-space supernet first
    assert y.shape == (3, 2) and ev.active_region == 0 and (y[:, 0] <= 0).all()
    assert (y[:, 1] > 0).all()  # latency is measured, not NaN
    cost = ev.train_supernet(4, Region(ev.space, [1, 2, 3, 50]), parent_id=0)
    assert cost.parent == "whole" and cost.region == "region-4" and ev.active_region == 4
    est = ev.estimate_in([50], 4)
    assert est.indices.tolist() == [50] and est.energy_kwh > 0
    assert ev.estimate([1]).shape == (1, 2)


def test_bad_configuration(tiny_data: DataSplits) -> None:
    with pytest.raises(ConfigError, match="unknown live objective 'energy'"):
        _evaluator(tiny_data, "accuracy:max,energy:min")
    with pytest.raises(ConfigError, match="accuracy must be maximised"):
        _evaluator(tiny_data, "accuracy:min")
    ev = _evaluator(tiny_data)
    with pytest.raises(ConfigError, match="parent region 2 has no supernet"):
        ev.train_supernet(3, parent_id=2)
    with pytest.raises(ConfigError, match="region 9 has no supernet"):
        ev.estimate_in(np.array([1]), 9)
