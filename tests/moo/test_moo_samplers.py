"""Region samplers on the toy space."""

from __future__ import annotations

import numpy as np
import pytest

from cenas.errors import ConfigError
from cenas.moo import (
    LaMOO,
    QNEHVISampler,
    Region,
    UniformRegionSampler,
    region_pool,
    space_features,
)


def _region(toy_space, toy_bench):  # type: ignore[no-untyped-def]
    idx = toy_space.sample(80, seed=0)
    y = -toy_bench.query_many(idx, ["acc"])
    y = np.column_stack([y[:, 0], toy_bench.query_many(idx, ["lat_ms"])[:, 0]])
    tree = LaMOO(leaf_size=10, seed=0).fit(toy_space.features(idx), y)
    return idx, y, tree.select()


def test_space_features_are_cached_and_read_only(toy_space) -> None:  # type: ignore[no-untyped-def]
    f = space_features(toy_space)
    assert f is not None and f.shape == (toy_space.size, 16)
    assert space_features(toy_space) is f
    assert not f.flags.writeable


def test_region_pool(toy_space, toy_bench) -> None:  # type: ignore[no-untyped-def]
    idx, _, region = _region(toy_space, toy_bench)
    excluded = np.zeros(toy_space.size, dtype=bool)
    excluded[idx] = True
    pool = region_pool(toy_space, region, excluded, np.random.default_rng(0))
    members = np.flatnonzero(region.contains(toy_space.features(toy_space.all_indices())))
    np.testing.assert_array_equal(np.sort(pool), np.setdiff1d(members, idx))
    assert region_pool(toy_space, region, excluded, np.random.default_rng(0), limit=3).size <= 3


def test_uniform_sampler(toy_space, toy_bench) -> None:  # type: ignore[no-untyped-def]
    idx, y, region = _region(toy_space, toy_bench)
    s = UniformRegionSampler()
    out = s.propose(toy_space, region, idx, y, 5, np.random.default_rng(1))
    assert out.dtype == np.int64 and out.size == 5 and np.unique(out).size == 5
    assert not np.isin(out, idx).any()
    members = region.contains(toy_space.features(out))
    n_in = int(region.contains(toy_space.features(toy_space.all_indices())).sum())
    if n_in - len(np.intersect1d(idx, np.flatnonzero(members))) >= 5:
        assert members.all()
    again = s.propose(toy_space, region, idx, y, 5, np.random.default_rng(1))
    np.testing.assert_array_equal(out, again)


def test_uniform_sampler_falls_back_outside_a_small_region(toy_space, toy_bench) -> None:  # type: ignore[no-untyped-def]
    idx, y, region = _region(toy_space, toy_bench)
    n_free = toy_space.size - idx.size
    out = UniformRegionSampler().propose(
        toy_space, region, idx, y, n_free, np.random.default_rng(2)
    )
    assert out.size == n_free and np.unique(out).size == n_free
    more = UniformRegionSampler().propose(
        toy_space, region, idx, y, n_free + 10, np.random.default_rng(2)
    )
    assert more.size == n_free  # the whole space is exhausted


def test_excluded_is_respected(toy_space) -> None:  # type: ignore[no-untyped-def]
    excluded = np.ones(toy_space.size, dtype=bool)
    excluded[[3, 5, 7]] = False
    out = UniformRegionSampler().propose(
        toy_space,
        Region.everything(),
        np.zeros(0, np.int64),
        np.zeros((0, 2)),
        10,
        np.random.default_rng(0),
        excluded=excluded,
    )
    np.testing.assert_array_equal(np.sort(out), [3, 5, 7])


def test_qnehvi_sampler(toy_space, toy_bench) -> None:  # type: ignore[no-untyped-def]
    idx, y, region = _region(toy_space, toy_bench)
    idx, y = idx[:25], y[:25]
    out = QNEHVISampler(pool_size=60, mc_samples=16, screen_size=20).propose(
        toy_space, Region.everything(), idx, y, 3, np.random.default_rng(3)
    )
    assert out.size == 3 and np.unique(out).size == 3 and not np.isin(out, idx).any()
    again = QNEHVISampler(pool_size=60, mc_samples=16, screen_size=20).propose(
        toy_space, Region.everything(), idx, y, 3, np.random.default_rng(3)
    )
    np.testing.assert_array_equal(out, again)
    # NaN rows are ignored; too few valid rows fall back to uniform proposals.
    y_nan = y.copy()
    y_nan[2:] = np.nan
    few = QNEHVISampler().propose(toy_space, region, idx, y_nan, 4, np.random.default_rng(0))
    assert few.size == 4


def test_qnehvi_sampler_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="pool_size"):
        QNEHVISampler(pool_size=0)
