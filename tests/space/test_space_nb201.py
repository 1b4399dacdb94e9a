from __future__ import annotations

import numpy as np
import pytest

from cenas.errors import ArchitectureError
from cenas.space import NB201_OPS, NB201Space

ARCH = (
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|"
    "+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
)


@pytest.fixture(scope="module")
def space() -> NB201Space:
    return NB201Space()


def test_size_and_roundtrips(space: NB201Space) -> None:
    assert space.size == 15_625
    idx = space.all_indices()
    strings = space.to_strings(idx)
    assert len(set(strings)) == space.size
    np.testing.assert_array_equal(space.from_strings(strings), idx)
    np.testing.assert_array_equal(space.from_op_vectors(space.op_vectors(idx)), idx)
    keys = space.fewshot_keys(idx[:50])
    assert [space.from_fewshot_key(k) for k in keys] == list(idx[:50])


def test_string_and_ops(space: NB201Space) -> None:
    i = space.from_string(ARCH)
    assert space.to_string(i) == ARCH
    ops = space.op_vectors([i])[0]
    assert [NB201_OPS[k] for k in ops] == [
        "nor_conv_3x3",
        "nor_conv_3x3",
        "avg_pool_3x3",
        "skip_connect",
        "nor_conv_3x3",
        "skip_connect",
    ]
    key = space.fewshot_keys([i])[0]
    assert key.startswith("[(('nor_conv_3x3', 0),), (('nor_conv_3x3', 0), ('avg_pool_3x3', 1))")


def test_features_one_hot(space: NB201Space) -> None:
    f = space.features(space.all_indices())
    assert f.shape == (15_625, 30)
    np.testing.assert_array_equal(f.reshape(-1, 6, 5).sum(axis=2), 1.0)
    assert space.feature_dim == 30


@pytest.mark.parametrize(
    ("arch", "message"),
    [
        ("|none~0|+|none~0|none~1|", "3 node groups"),
        ("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|", "unknown operation 'conv'"),
        ("|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "must take input 0"),
        ("|none~0|+|none~0|+|none~0|none~1|none~2|", "node 2 must have 2 input edge"),
        ("none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "enclosed"),
        ("|none0|+|none~0|none~1|+|none~0|none~1|none~2|", "op~input"),
    ],
)
def test_malformed_strings_are_quoted(space: NB201Space, arch: str, message: str) -> None:
    with pytest.raises(ArchitectureError, match=message) as e:
        space.from_string(arch)
    assert repr(arch) in str(e.value)


def test_bad_indices(space: NB201Space) -> None:
    with pytest.raises(ArchitectureError, match=r"\[0, 15625\)"):
        space.check_indices([0, 15_625])
    with pytest.raises(ArchitectureError, match="integers"):
        space.check_indices([0.5])


def test_neighbours(space: NB201Space) -> None:
    i = space.from_string(ARCH)
    nb = space.neighbours(i)
    assert nb.shape == (24,)
    assert i not in nb
    diffs = (space.op_vectors(nb) != space.op_vectors([i])).sum(axis=1)
    np.testing.assert_array_equal(diffs, 1)
    assert space.mutate(i, seed=1) in set(nb.tolist())


def test_sampling_seeded(space: NB201Space) -> None:
    a, b, c = space.sample(100, 3), space.sample(100, 3), space.sample(100, 4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert len(set(a.tolist())) == 100


def test_custom_order(space: NB201Space) -> None:
    rng = np.random.default_rng(0)
    perm = rng.permutation(space.size)
    strings = space.to_strings(perm)
    other = NB201Space.with_order(strings)
    assert other.to_string(0) == strings[0]
    assert other.from_string(strings[123]) == 123
