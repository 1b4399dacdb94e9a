"""The observed set P."""

from __future__ import annotations

import numpy as np
import pytest

from cenas.errors import ObjectiveError
from cenas.search import ObservedSet


def test_add_and_views() -> None:
    p = ObservedSet(2, 10)
    assert len(p) == 0 and p.version == 0
    p.add([3, 5], [[1.0, 2.0], [3.0, 4.0]])
    p.add([7], [[np.nan, 1.0]], estimated=True)
    assert p.indices.tolist() == [3, 5, 7]
    assert p.estimated.tolist() == [False, False, True]
    assert p.n_true == 2 and p.n_estimated == 1
    assert p.finite_rows().tolist() == [True, True, False]
    assert 5 in p and 4 not in p
    assert p.member_mask.sum() == 3
    assert p.version == 2
    with pytest.raises(ValueError):
        p.indices[0] = 1  # read-only view


def test_grows_past_initial_storage() -> None:
    p = ObservedSet(1, 100)
    for i in range(40):
        p.add([i], [[float(i)]])
    assert p.y[:, 0].tolist() == [float(i) for i in range(40)]


def test_duplicates_and_shapes_are_rejected() -> None:
    p = ObservedSet(2, 10)
    p.add([1], [[0.0, 0.0]])
    with pytest.raises(ObjectiveError, match="at most once"):
        p.add([1], [[0.0, 0.0]])
    with pytest.raises(ObjectiveError, match="at most once"):
        p.add([2, 2], [[0.0, 0.0], [1.0, 1.0]])
    with pytest.raises(ObjectiveError, match="shape"):
        p.add([3], [[0.0, 0.0, 0.0]])
    p.add([], np.zeros((0, 2)))
    assert len(p) == 1
