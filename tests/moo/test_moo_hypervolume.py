"""Hypervolume against closed forms and a slow grid reference."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from numpy.typing import NDArray

from cenas.errors import ObjectiveError
from cenas.moo import (
    LOG_GAP_REL_FLOOR,
    default_reference_point,
    hv_contributions,
    hypervolume,
    log_hv_gap,
    non_dominated_mask,
)


def grid_hypervolume(y: NDArray[np.float64], ref: NDArray[np.float64]) -> float:
    """Exact HV by summing the cells of the grid of all coordinates that some point dominates."""
    y = y[np.all(y < ref, axis=1)]
    if len(y) == 0:
        return 0.0
    axes = [np.unique(np.append(y[:, k], ref[k])) for k in range(y.shape[1])]
    total = 0.0
    for cell in itertools.product(*[range(len(a) - 1) for a in axes]):
        lo = np.array([axes[k][c] for k, c in enumerate(cell)])
        if np.any(np.all(y <= lo, axis=1)):
            total += float(np.prod([axes[k][c + 1] - axes[k][c] for k, c in enumerate(cell)]))
    return total


def test_closed_forms() -> None:
    assert hypervolume(np.array([[1.0, 2.0]]), [3.0, 5.0]) == pytest.approx(6.0)
    assert hypervolume(np.array([[1.0, 2.0, 3.0]]), [2.0, 4.0, 6.0]) == pytest.approx(6.0)
    # Staircase of k points on the anti-diagonal of the unit square, ref (1, 1).
    k = 5
    xs = np.arange(k) / k
    stair = np.column_stack([xs, xs[::-1]])
    expected = sum((1 - xs[i]) * (1 / k) for i in range(k))
    assert hypervolume(stair, [1.0, 1.0]) == pytest.approx(expected)
    assert hypervolume(np.array([[5.0, 5.0], [4.0, 6.0], [2.0, 7.0], [7.0, 4.0]]), 10) == 38.0
    assert hypervolume(np.array([[0.5], [0.2]]), [1.0]) == pytest.approx(0.8)


def test_points_not_dominating_ref_are_ignored() -> None:
    ref = np.array([1.0, 1.0])
    y = np.array([[0.5, 0.5], [1.0, 0.0], [2.0, -1.0], [0.0, 1.0]])
    assert hypervolume(y, ref) == pytest.approx(0.25)
    assert hypervolume(np.zeros((0, 2)), ref) == 0.0
    assert hypervolume(np.array([[2.0, 2.0]]), ref) == 0.0


@pytest.mark.parametrize("m", [2, 3])
@pytest.mark.parametrize("seed", range(5))
def test_matches_grid_reference_on_random_fronts(m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 12 if m == 2 else 8
    y = rng.random((n, m))
    if seed % 2:
        # A front on the simplex, plus dominated points.
        y[: n // 2] /= y[: n // 2].sum(axis=1, keepdims=True)
    ref = np.full(m, 1.1)
    expected = grid_hypervolume(y, ref)
    assert hypervolume(y, ref) == pytest.approx(expected, rel=1e-12)
    perm = rng.permutation(n)
    assert hypervolume(y[perm], ref) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("m", [2, 3])
def test_contributions_are_leave_one_out_differences(m: int) -> None:
    rng = np.random.default_rng(7 + m)
    y = rng.random((10, m))
    y[0] = y[1] + 0.01  # dominated by row 1
    ref = np.full(m, 1.0)
    total = hypervolume(y, ref)
    contrib = hv_contributions(y, ref)
    nd = non_dominated_mask(y)
    assert contrib[0] == 0.0
    np.testing.assert_array_equal(contrib[~nd], 0.0)
    for i in np.flatnonzero(nd):
        # Leave-one-out over the non-dominated points (dominated ones are ignored, as documented).
        rest = y[nd & (np.arange(len(y)) != i)]
        assert contrib[i] == pytest.approx(total - hypervolume(rest, ref), abs=1e-12)


def test_contributions_edge_cases() -> None:
    ref = np.array([1.0, 1.0])
    y = np.array([[0.5, 0.5], [0.5, 0.5], [2.0, 0.0]])
    np.testing.assert_array_equal(hv_contributions(y, ref), [0.0, 0.0, 0.0])
    np.testing.assert_allclose(
        hv_contributions(np.array([[0.2], [0.5], [3.0]]), [1.0]), [0.3, 0, 0]
    )


def test_reference_point_shape_is_checked() -> None:
    with pytest.raises(ObjectiveError, match="ref must have one value per objective"):
        hypervolume(np.zeros((2, 2)), [1.0, 1.0, 1.0])
    with pytest.raises(ObjectiveError, match="finite"):
        hypervolume(np.zeros((2, 2)), [1.0, np.inf])


def test_default_reference_point() -> None:
    y = np.array([[0.0, 10.0], [2.0, 10.0]])
    np.testing.assert_allclose(default_reference_point(y, margin=0.1), [2.2, 10.1])


def test_log_hv_gap() -> None:
    assert log_hv_gap(1.0, 1.0 + math.e) == pytest.approx(1.0)
    np.testing.assert_allclose(log_hv_gap(np.array([0.0, 9.0]), 10.0), [math.log(10), 0.0])
    assert log_hv_gap(10.0, 10.0) == pytest.approx(math.log(LOG_GAP_REL_FLOOR * 10.0))
    assert math.isfinite(log_hv_gap(10.0 + 1e-12, 10.0))
    with pytest.raises(ObjectiveError, match="must not exceed"):
        log_hv_gap(11.0, 10.0)
