"""The ready queue R: capacity, and pop order by dominance number among the queued estimates."""

from __future__ import annotations

import numpy as np
import pytest

from cenas.errors import ConfigError, ObjectiveError
from cenas.moo import dominance_number
from cenas.search import ReadyQueue


def test_pop_returns_lowest_dominance_number_then_oldest() -> None:
    q = ReadyQueue(capacity=5, n_objectives=2)
    q.push(10, [3.0, 3.0])  # dominated by 11 and 12
    q.push(11, [1.0, 2.0])  # non-dominated
    q.push(12, [2.0, 1.0])  # non-dominated
    q.push(13, [4.0, 4.0])  # dominated by all three
    assert [e.index for e in q.peek_order()] == [11, 12, 10, 13]
    assert q.pop().index == 11  # tie with 12 broken by push order
    assert q.pop().index == 12
    assert q.pop().index == 10
    assert q.pop().index == 13
    assert len(q) == 0


def test_dominance_is_recounted_against_the_remaining_entries() -> None:
    q = ReadyQueue(capacity=4, n_objectives=2)
    q.push(1, [2.0, 2.0])  # dominated by 0 only
    q.push(0, [1.0, 1.0])
    q.push(2, [3.0, 0.5])  # non-dominated
    assert q.pop().index == 0  # 0 and 2 both have dn 0; 0 was pushed first
    # now 1 (dn 0 among {1, 2}) and 2 (dn 0): oldest first
    assert q.pop().index == 1
    assert q.pop().index == 2


def test_order_matches_reference_on_random_queues() -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        y = rng.integers(0, 4, size=(8, 2)).astype(float)  # many ties and duplicates
        q = ReadyQueue(capacity=8, n_objectives=2)
        for i, row in enumerate(y):
            q.push(i, row)
        remaining = list(range(8))
        while remaining:
            dn = dominance_number(y[remaining])
            expect = remaining[int(np.flatnonzero(dn == dn.min())[0])]
            assert q.pop().index == expect
            remaining.remove(expect)


def test_capacity_and_errors() -> None:
    q = ReadyQueue(capacity=2, n_objectives=2)
    q.push(0, [0.0, 0.0])
    assert not q.full and q.free == 1
    q.push(1, [1.0, 1.0])
    assert q.full and q.free == 0
    with pytest.raises(IndexError):
        q.push(2, [2.0, 2.0])
    with pytest.raises(ObjectiveError):
        ReadyQueue(3, 2).push(0, [1.0, 2.0, 3.0])
    with pytest.raises(ConfigError):
        ReadyQueue(0, 2)
    with pytest.raises(IndexError):
        ReadyQueue(1, 2).pop()
    assert 0 in q and 5 not in q
    assert q.indices.tolist() == [0, 1]


def test_nan_estimates_are_never_preferred() -> None:
    q = ReadyQueue(capacity=3, n_objectives=2)
    q.push(0, [np.nan, 1.0])
    q.push(1, [5.0, 5.0])
    assert q.pop().index == 1
    assert q.pop().index == 0
