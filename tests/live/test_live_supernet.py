"""Region supernets: restriction to the region, fine-tuning, estimates, few-shot, determinism."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cenas.errors import ArchitectureError, ConfigError
from cenas.live import (
    DataSplits,
    NetworkConfig,
    Region,
    RegionSupernet,
    TrainConfig,
    few_shot_split,
)
from cenas.live._fair import FairSampler
from cenas.space import NB201Space

from .conftest import fake_tracker

SPACE = NB201Space()


def _supernet(data: DataSplits, region: Region, seed: int = 0) -> RegionSupernet:
    return RegionSupernet(
        region, data, network=NetworkConfig(4, 1), device="cpu", seed=seed,
        tracker_factory=fake_tracker,
    )  # fmt: skip


def test_regions() -> None:
    whole = Region.whole(SPACE)
    assert whole.size == 15_625 and whole.contains([0, 15_624]).all()
    no_conv3 = Region.where(SPACE, lambda idx: SPACE.op_vectors(idx)[:, 0] != 3, "no-conv3")
    assert no_conv3.size == 4 * 5**5
    assert not (no_conv3.ops(no_conv3.members)[:, 0] == 3).any()
    sub = no_conv3.with_op(1, 2)
    assert sub is not None and sub.size == 4 * 5**4 and (sub.ops(sub.members)[:, 1] == 2).all()
    assert Region(SPACE, [5, 5, 3]).members.tolist() == [3, 5]
    one = Region(SPACE, [3])
    op0 = int(one.ops([3])[0, 0])
    assert one.with_op(0, (op0 + 1) % 5) is None and one.with_op(0, op0) is not None
    with pytest.raises(ConfigError, match="has no architectures"):
        Region(SPACE, [], "empty")
    with pytest.raises(ConfigError, match="boolean array of shape"):
        Region.where(SPACE, lambda idx: idx[:10] > 0)
    with pytest.raises(ArchitectureError):
        Region(SPACE, [15_625])


def test_training_never_leaves_the_region(tiny_data: DataSplits) -> None:
    # Edge 0 never carries a 3x3 convolution in this region.
    region = Region.where(SPACE, lambda idx: SPACE.op_vectors(idx)[:, 0] != 3)
    sn = _supernet(tiny_data, region)
    before = {k: v.clone() for k, v in sn.supernet.state_dict().items()}
    res = sn.train(TrainConfig(epochs=3, batch_size=8))
    assert res.steps == 3 * 9 and region.contains(res.paths).all()
    after = sn.supernet.state_dict()
    conv3_edge0 = [k for k in after if ".edges.0_nor_conv_3x3." in k]
    assert conv3_edge0 and all(torch.equal(before[k], after[k]) for k in conv3_edge0)
    assert any(not torch.equal(before[k], after[k]) for k in after if ".edges.0_nor_conv_1x1." in k)


def test_paths_are_uniform_over_a_small_region(tiny_data: DataSplits) -> None:
    members = [7, 100, 2024, 15_000]
    sn = _supernet(tiny_data, Region(SPACE, members))
    paths = sn.train(TrainConfig(epochs=6, batch_size=4)).paths
    assert set(paths.tolist()) == set(members)  # all visited, nothing else
    counts = np.bincount(np.searchsorted(members, paths), minlength=4)
    assert counts.min() > len(paths) / 4 / 2


def test_finetune_starts_from_the_parent(tiny_data: DataSplits) -> None:
    parent = _supernet(tiny_data, Region.whole(SPACE))
    parent.train(TrainConfig(epochs=1, batch_size=16))
    snapshot = {k: v.clone() for k, v in parent.supernet.state_dict().items()}
    child_region = Region(SPACE, np.arange(0, 15_625, 7), "child")
    child, cost = parent.finetune(child_region, TrainConfig(epochs=1, batch_size=16))
    assert cost.parent == "whole" and cost.region == "child" and cost.epochs == 1
    assert cost.energy_kwh > 0 and cost.seconds > 0 and cost.meters == ("fake",)
    assert child_region.contains(cost.paths).all()
    # The parent is untouched; the child started from its weights (same init) and moved.
    assert all(torch.equal(snapshot[k], v) for k, v in parent.supernet.state_dict().items())
    fresh = _supernet(tiny_data, child_region, seed=123)
    ck = child.supernet.state_dict()
    assert any(not torch.equal(fresh.supernet.state_dict()[k], ck[k]) for k in ck)


def test_estimates(tiny_data: DataSplits) -> None:
    region = Region(SPACE, [11, 222, 3333, 4444])
    sn = _supernet(tiny_data, region)
    sn.train(TrainConfig(epochs=4, batch_size=16))
    est = sn.estimate([11, 3333], latency=TrainConfig(latency_repeats=2, latency_warmup=0))
    assert est.indices.tolist() == [11, 3333] and est.split == "val"
    assert ((est.accuracy >= 0) & (est.accuracy <= 100)).all()
    assert (est.latency_ms > 0).all() and (est.params > 0).all() and est.energy_kwh > 0
    assert np.isnan(sn.estimate([222]).latency_ms).all()
    with pytest.raises(ArchitectureError, match="architecture 5 is outside region"):
        sn.estimate([5])
    assert sn.estimate([5], allow_outside=True).accuracy.shape == (1,)


def test_supernet_is_deterministic(tiny_data: DataSplits) -> None:
    def run(seed: int) -> tuple[float, list[float]]:
        sn = _supernet(tiny_data, Region.whole(SPACE), seed=seed)
        r = sn.train(TrainConfig(epochs=2, batch_size=16))
        return r.train_loss, sn.estimate([1, 2, 3000]).accuracy.tolist()

    assert run(4) == run(4)
    assert run(4)[0] != run(5)[0]


def test_few_shot_split(tiny_data: DataSplits) -> None:
    region = Region(SPACE, SPACE.from_op_vectors([[0, 1, 2, 3, 4, 0], [3, 1, 2, 3, 4, 0],
                                                  [3, 0, 0, 0, 0, 0]]))  # fmt: skip
    parent = _supernet(tiny_data, region)
    parent.train(TrainConfig(epochs=1, batch_size=16))
    fs = few_shot_split(parent, 0, TrainConfig(epochs=1, batch_size=16))
    assert sorted(fs.parts) == [0, 3]
    assert fs.parts[3].region.size == 2 and fs.results[0].parent == region.name
    acc = fs.estimate(region.members)
    assert acc.shape == (3,) and np.isfinite(acc).all()
    with pytest.raises(ConfigError, match="edge must be in"):
        few_shot_split(parent, 6, TrainConfig(epochs=1))


def _covered(sampler_ops: np.ndarray) -> set[tuple[int, int]]:
    return {(e, int(op)) for row in sampler_ops for e, op in enumerate(row)}


def test_fair_groups_cover_every_allowed_operation_of_a_product_region() -> None:
    # Edge 0 without conv3x3 and edge 5 only skip or pool: a product of per-edge sets.
    region = Region.where(
        SPACE,
        lambda idx: (
            (SPACE.op_vectors(idx)[:, 0] != 3) & np.isin(SPACE.op_vectors(idx)[:, 5], [1, 4])
        ),
    )
    sampler = FairSampler(SPACE, region.members)
    assert sampler.is_product and sampler.group_size == 5
    allowed = {(e, op) for e in range(6) for op in range(5)} - {(0, 3)} - {(5, 0), (5, 2), (5, 3)}
    rng = np.random.default_rng(0)
    for _ in range(20):
        group = sampler.group(rng)
        assert group.size == 5 and region.contains(group).all()
        ops = SPACE.op_vectors(group)
        assert _covered(ops) == allowed
        # Strict fairness: an edge with all five operations trains each exactly once.
        assert all(sorted(ops[:, e].tolist()) == [0, 1, 2, 3, 4] for e in range(1, 5))


def test_fair_groups_stay_inside_a_non_product_region() -> None:
    # At most two convolutions: combining per-edge operations freely would leave the region.
    def few_convs(idx: np.ndarray) -> np.ndarray:
        convs: np.ndarray = np.isin(SPACE.op_vectors(idx), [2, 3]).sum(axis=1)
        return convs <= 2

    region = Region.where(SPACE, few_convs)
    sampler = FairSampler(SPACE, region.members)
    assert not sampler.is_product
    rng = np.random.default_rng(1)
    for _ in range(10):
        group = sampler.group(rng)
        assert region.contains(group).all()
        assert _covered(SPACE.op_vectors(group)) == {(e, op) for e in range(6) for op in range(5)}


def test_fair_training(tiny_data: DataSplits) -> None:
    region = Region.where(SPACE, lambda idx: SPACE.op_vectors(idx)[:, 0] != 3)
    sn = RegionSupernet(
        region, tiny_data, network=NetworkConfig(4, 1), device="cpu", tracker_factory=fake_tracker,
        sampling="fair",
    )  # fmt: skip
    before = {k: v.clone() for k, v in sn.supernet.state_dict().items()}
    res = sn.train(TrainConfig(epochs=2, batch_size=8))
    assert res.steps == 2 * 9 and res.paths.size == 5 * res.steps
    assert region.contains(res.paths).all()
    after = sn.supernet.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in after if ".edges.0_nor_conv_3x3." in k)
    # Every allowed parametric operation on every edge moved.
    for e in range(6):
        for op in ("nor_conv_1x1", "nor_conv_3x3"):
            if (e, op) != (0, "nor_conv_3x3"):
                keys = [k for k in after if f".edges.{e}_{op}." in k]
                assert any(not torch.equal(before[k], after[k]) for k in keys), (e, op)
    child, cost = sn.finetune(Region(SPACE, [7, 100, 2024]), TrainConfig(epochs=1, batch_size=8))
    assert child.sampling == "fair" and set(cost.paths.tolist()) <= {7, 100, 2024}
    with pytest.raises(ConfigError, match="sampling must be one of uniform, fair"):
        RegionSupernet(region, tiny_data, sampling="fairnas")
