"""The live workload: cenas.live's networks and region supernets as the runner's tasks."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from cenas.live import NB201Network, NetworkConfig, count_parameters
from cenas.runner import LiveWorkload, LiveWorkloadSettings, TaskKind, TaskSpec, run_task

SETTINGS = LiveWorkloadSettings(
    dataset="synthetic", channels=4, epochs=1, supernet_epochs=1, batch_size=32, latency_repeats=1
)


@pytest.fixture(scope="module")
def workload() -> LiveWorkload:
    return LiveWorkload(SETTINGS)


def test_objectives_reference_point_and_pickling(workload: LiveWorkload) -> None:
    assert workload.objectives == ["accuracy", "params"]
    assert workload.maximize == [True, False]
    widest = NB201Network([3] * 6, NetworkConfig(4, 1), in_channels=1, num_classes=4)
    assert workload.ref_point == [0.0, count_parameters(widest) + 1.0]
    # workers load the data themselves; the pickle carries settings only
    clone = pickle.loads(pickle.dumps(workload))
    assert clone._data is None and clone.data.num_classes == 4
    assert workload.describe()["dataset_sha256"] == clone.describe()["dataset_sha256"]


def test_evaluation_trains_the_real_network_deterministically(workload: LiveWorkload) -> None:
    i = int(workload._nb201.from_op_vectors([[3, 1, 2, 4, 3, 1]])[0])
    y, info = workload.evaluate_with_info(i, seed=5)
    net = NB201Network([3, 1, 2, 4, 3, 1], NetworkConfig(4, 1), in_channels=1, num_classes=4)
    assert y[1] == count_parameters(net)
    assert -100.0 <= y[0] <= 0.0  # accuracy, minimisation form
    assert info["arch"].startswith("|nor_conv_3x3~0|") and info["latency_ms"] > 0
    assert info["measured_energy_kwh"] > 0 and info["measured_meter"]
    np.testing.assert_array_equal(workload.evaluate(i, seed=5), y)
    r = run_task(workload, TaskSpec("k", TaskKind.EVALUATE, (i,), 0, 5), "/nonexistent")
    assert r.y == [y.tolist()]
    assert r.meter == info["measured_meter"]  # the energy is cenas.live's measurement
    assert "measured_energy_kwh" not in r.info


def test_region_supernets_are_restricted_fine_tuned_and_passed_by_file(
    workload: LiveWorkload, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cenas.live import RegionSupernet

    sampled: list[np.ndarray] = []
    real_train = RegionSupernet.train

    def spy(self: RegionSupernet, config: object) -> object:
        out = real_train(self, config)  # type: ignore[arg-type]
        sampled.append(out.paths)
        return out

    monkeypatch.setattr(RegionSupernet, "train", spy)
    first = workload.train_supernet(0, 1, tmp_path)
    assert first["fine_tuned_from"] is None and first["region_size"] == 15625
    members = (5, 77, 1234, 9000)
    child = workload.train_supernet(3, 2, tmp_path, members)
    assert child["fine_tuned_from"] == "region_00000" and child["region_size"] == 4
    assert set(sampled[1].tolist()) <= set(members), "a path outside the region was sampled"
    assert (tmp_path / "region_00003.pt").is_file()
    # the child started from the parent's weights: they differ from a fresh supernet's by less
    parent_w = torch.load(tmp_path / "region_00000.pt", weights_only=True)
    child_w = torch.load(tmp_path / "region_00003.pt", weights_only=True)
    fresh = workload._supernet(None).state_dict()
    k = next(k for k in parent_w if k.endswith("weight"))
    assert float((child_w[k] - parent_w[k]).norm()) < float((fresh[k] - parent_w[k]).norm())
    # estimates read the newest supernet of the region, any index allowed
    y, info = workload.estimate(np.array([5, 77, 42]), 3, tmp_path)
    assert info["supernet"] == "region_00003.pt" and y.shape == (3, 2)
    assert np.all((y[:, 0] <= 0) & (y[:, 0] >= -100))
    y0, info0 = workload.estimate(np.array([5, 77, 42]), 2, tmp_path)
    assert info0["supernet"] == "region_00000.pt"
    assert y0[:, 1].tolist() == y[:, 1].tolist()  # parameter counts do not depend on weights
