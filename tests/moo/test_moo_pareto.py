"""Pareto utilities against brute-force references and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from cenas.errors import ObjectiveError
from cenas.moo import (
    dominance_number,
    front_extremes,
    knee_point,
    non_dominated_mask,
    non_dominated_sort,
)


def brute_dominance(y: NDArray[np.float64]) -> NDArray[np.int64]:
    le = (y[None, :, :] <= y[:, None, :]).all(-1)
    lt = (y[None, :, :] < y[:, None, :]).any(-1)
    return np.asarray((le & lt).sum(axis=1), dtype=np.int64)


def brute_ranks(y: NDArray[np.float64]) -> NDArray[np.int64]:
    ranks = np.full(len(y), -1, dtype=np.int64)
    r = 0
    while (ranks < 0).any():
        rest = np.flatnonzero(ranks < 0)
        dom = brute_dominance(y[rest])
        ranks[rest[dom == 0]] = r
        r += 1
    return ranks


@pytest.mark.parametrize("m", [1, 2, 3, 4])
@pytest.mark.parametrize("n", [0, 1, 2, 7, 64, 257])
@pytest.mark.parametrize("ties", [False, True])
def test_dominance_number_matches_brute_force(m: int, n: int, ties: bool) -> None:
    rng = np.random.default_rng(100 * m + n + ties)
    y = rng.integers(0, 4, (n, m)).astype(float) if ties else rng.normal(size=(n, m))
    got = dominance_number(y)
    assert got.dtype == np.int64
    assert got.shape == (n,)
    np.testing.assert_array_equal(got, brute_dominance(y) if n else np.zeros(0, np.int64))
    np.testing.assert_array_equal(non_dominated_mask(y), got == 0)


def test_dominance_number_2d_large_with_duplicates() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 30, (2000, 2)).astype(float)
    y = np.vstack([y, y[:100]])
    np.testing.assert_array_equal(dominance_number(y), brute_dominance(y))


def test_dominance_number_is_permutation_equivariant() -> None:
    rng = np.random.default_rng(2)
    y = rng.random((500, 3))
    perm = rng.permutation(500)
    np.testing.assert_array_equal(dominance_number(y)[perm], dominance_number(y[perm]))


def test_dominance_number_closed_form_chain() -> None:
    # A chain where point i is dominated by exactly the i points before it.
    y = np.column_stack([np.arange(10.0), np.arange(10.0)])
    np.testing.assert_array_equal(dominance_number(y), np.arange(10))
    # A perfect trade-off: nobody dominates anybody.
    front = np.column_stack([np.arange(10.0), -np.arange(10.0)])
    np.testing.assert_array_equal(dominance_number(front), np.zeros(10))


def test_equal_points_do_not_dominate_each_other() -> None:
    y = np.array([[1.0, 1.0], [1.0, 1.0], [2.0, 2.0]])
    np.testing.assert_array_equal(dominance_number(y), [0, 0, 2])
    np.testing.assert_array_equal(non_dominated_mask(y), [True, True, False])


@pytest.mark.parametrize("m", [2, 3])
def test_non_dominated_sort_matches_peeling(m: int) -> None:
    rng = np.random.default_rng(3 + m)
    y = rng.integers(0, 6, (120, m)).astype(float)
    np.testing.assert_array_equal(non_dominated_sort(y), brute_ranks(y))


@pytest.mark.parametrize(
    "bad", [np.zeros(3), np.zeros((3, 0)), np.array([[1.0, np.nan]]), np.zeros((2, 2, 2))]
)
def test_bad_objective_arrays_raise(bad: NDArray[np.float64]) -> None:
    with pytest.raises(ObjectiveError, match="Y must"):
        dominance_number(bad)


def test_front_extremes_break_ties_by_other_objectives() -> None:
    y = np.array([[0.0, 5.0], [0.0, 4.0], [1.0, 1.0], [3.0, 0.0], [3.0, 0.0], [2.0, 2.0]])
    np.testing.assert_array_equal(front_extremes(y), [1, 3])


def test_front_extremes_three_objectives() -> None:
    y = np.array([[0.0, 2, 2], [2, 0, 2], [2, 2, 0], [1, 1, 1], [3, 3, 3]])
    np.testing.assert_array_equal(front_extremes(y), [0, 1, 2])


def test_knee_point_two_objectives() -> None:
    # Convex front: the corner point is farthest from the line through the extremes.
    # Normalised: (0, 1), (.1, .3), (.2, .15), (1, 0); distances to x + y = 1: .6 and .65.
    y = np.array([[0.0, 10.0], [1.0, 3.0], [2.0, 1.5], [10.0, 0.0], [5.0, 5.0]])
    assert knee_point(y) == 2
    # Knee is invariant to rescaling an objective (normalisation).
    assert knee_point(y * np.array([1000.0, 1.0])) == 2


def test_knee_point_three_objectives_and_degenerate_cases() -> None:
    y = np.array([[0.0, 1, 1], [1, 0, 1], [1, 1, 0], [0.2, 0.2, 0.2], [0.5, 0.5, 0.5]])
    assert knee_point(y) == 3
    assert knee_point(np.array([[3.0, 4.0]])) == 0
    assert knee_point(np.array([[1.0, 1.0], [1.0, 1.0], [2.0, 2.0]])) == 0
    with pytest.raises(ObjectiveError, match="at least one point"):
        knee_point(np.zeros((0, 2)))
