"""qNEHVI chooses what improves the front, on a problem whose right answer is known.

The statistical comparison (qNEHVI against random search over many seeds) lives in
``benchmarks/``; this check is deterministic and would fail if the acquisition's choice were
replaced by a random pick (1 chance in C(30, 3) = 4,060 of passing).
"""

from __future__ import annotations

import numpy as np

from cenas.moo import QNEHVISettings, non_dominated_mask
from cenas.moo._qnehvi import qnehvi_select

_FAST = QNEHVISettings(mc_samples=16, fit_maxiter=50)


def _problem() -> tuple[np.ndarray, np.ndarray, np.ndarray, set[int]]:
    # Two objectives, both minimised, equal to the two features: a GP learns them at once.
    rng = np.random.default_rng(0)
    train_x = rng.uniform(0.3, 1.0, (16, 2))
    bad = rng.uniform(0.85, 1.0, (27, 2))  # behind the observed front: no improvement
    good = np.array([[0.05, 0.1], [0.1, 0.05], [0.08, 0.08]])  # ahead of every observation
    pool = np.r_[bad[:9], good[:1], bad[9:18], good[1:2], bad[18:], good[2:]]
    want = {9, 19, 29}
    return train_x, train_x.copy(), pool, want


def test_qnehvi_picks_the_candidates_that_improve_the_front() -> None:
    train_x, train_y, pool, want = _problem()
    front = train_y[non_dominated_mask(train_y)]
    # The premise: every bad candidate is dominated by an observation, every good one is not.
    for i, c in enumerate(pool):
        dominated = bool(((front <= c).all(axis=1) & (front < c).any(axis=1)).any())
        assert dominated is (i not in want)
    chosen, _ = qnehvi_select(
        train_x, train_y, pool, 3, np.array([1.2, 1.2]), seed=0, settings=_FAST
    )
    assert set(chosen.tolist()) == want


def test_qnehvi_first_pick_is_the_largest_improvement() -> None:
    # One candidate far ahead of the front and one just ahead of it: the far one comes first.
    train_x, train_y, pool, _ = _problem()
    pool = np.r_[pool[:5], [[0.28, 0.28]], pool[5:9], [[0.02, 0.02]]]
    chosen, _ = qnehvi_select(
        train_x, train_y, pool, 1, np.array([1.2, 1.2]), seed=0, settings=_FAST
    )
    assert chosen.tolist() == [10]
