"""Conformance suite run against every optimiser, plus optimiser-specific checks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from cenas.bench import Objectives
from cenas.errors import ConfigError, ObjectiveError
from cenas.moo import (
    NSGA2,
    LaMOO,
    LaMOOOptimizer,
    Optimizer,
    QNEHVIOptimizer,
    QNEHVISampler,
    RandomSearch,
    UniformRegionSampler,
    run_optimizer,
)
from cenas.space import SearchSpace

OBJ2 = Objectives.parse("acc:max,lat_ms:min")
OBJ3 = Objectives.parse("acc:max,lat_ms:min,energy_mj:min")


def _qsampler() -> QNEHVISampler:
    return QNEHVISampler(pool_size=64, mc_samples=8, screen_size=16, refit_every=2, fit_maxiter=20)


FACTORIES: dict[str, Callable[[SearchSpace, int | None], Optimizer]] = {
    "random": lambda s, seed: RandomSearch(s, seed=seed),
    "nsga2": lambda s, seed: NSGA2(s, pop_size=8, seed=seed),
    "qnehvi": lambda s, seed: QNEHVIOptimizer(s, n_init=8, sampler=_qsampler(), seed=seed),
    "lamoo-uniform": lambda s, seed: LaMOOOptimizer(
        s, UniformRegionSampler(), LaMOO(leaf_size=6), n_init=8, seed=seed
    ),
    "lamoo-qnehvi": lambda s, seed: LaMOOOptimizer(
        s, _qsampler(), LaMOO(leaf_size=6), n_init=8, seed=seed
    ),
}
CHEAP = ["random", "nsga2", "lamoo-uniform"]


def _run(opt: Optimizer, bench, objectives: Objectives, n: int, batch: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    return run_optimizer(opt, bench, objectives, n, batch).idx


@pytest.mark.parametrize("name", list(FACTORIES))
def test_seeded_determinism_and_no_repeats(name: str, toy_space, toy_bench) -> None:  # type: ignore[no-untyped-def]
    n = 40 if name in CHEAP else 24
    a = _run(FACTORIES[name](toy_space, 11), toy_bench, OBJ2, n, 5)
    b = _run(FACTORIES[name](toy_space, 11), toy_bench, OBJ2, n, 5)
    np.testing.assert_array_equal(a, b)
    assert a.size == n and np.unique(a).size == n
    c = _run(FACTORIES[name](toy_space, 12), toy_bench, OBJ2, n, 5)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("name", CHEAP)
def test_exhausts_the_space_without_repeats(name: str, toy_space, toy_bench) -> None:  # type: ignore[no-untyped-def]
    opt = FACTORIES[name](toy_space, 0)
    hist = run_optimizer(opt, toy_bench, OBJ2, toy_space.size + 50, 37)
    assert hist.idx.size == toy_space.size
    assert np.unique(hist.idx).size == toy_space.size
    assert opt.ask(3).size == 0


@pytest.mark.parametrize("name", list(FACTORIES))
def test_three_objectives_and_pending_asks(name: str, toy_space, toy_bench) -> None:  # type: ignore[no-untyped-def]
    opt = FACTORIES[name](toy_space, 3)
    first = opt.ask(8)
    opt.tell(first, OBJ3.evaluate(toy_bench, first))
    a = opt.ask(3)
    b = opt.ask(3)  # asked before `a` is told: must not repeat it
    assert np.intersect1d(a, b).size == 0
    assert not np.isin(np.concatenate([a, b]), first).any()
    opt.tell(np.concatenate([a, b]), OBJ3.evaluate(toy_bench, np.concatenate([a, b])))
    assert opt.n_observed == 14
    assert opt.observed_y.shape == (14, 3)


@pytest.mark.parametrize("name", CHEAP)
def test_failed_evaluations_are_tolerated(name: str, toy_space, toy_bench) -> None:  # type: ignore[no-untyped-def]
    opt = FACTORIES[name](toy_space, 5)
    for _ in range(6):
        idx = opt.ask(4)
        y = OBJ2.evaluate(toy_bench, idx)
        y[0] = np.nan
        opt.tell(idx, y)
    assert np.unique(opt.observed_idx).size == 24


def test_tell_validation(toy_space, toy_bench) -> None:  # type: ignore[no-untyped-def]
    opt = RandomSearch(toy_space, seed=0)
    idx = opt.ask(3)
    with pytest.raises(ObjectiveError, match="shape"):
        opt.tell(idx, np.zeros((2, 2)))
    opt.tell(idx, OBJ2.evaluate(toy_bench, idx))
    with pytest.raises(ObjectiveError, match="only once"):
        opt.tell(idx[:1], np.zeros((1, 2)))
    with pytest.raises(ObjectiveError, match="2 objectives"):
        opt.tell(opt.ask(1), np.zeros((1, 3)))
    with pytest.raises(ConfigError, match="n >= 1"):
        opt.ask(0)


def test_nsga2_without_a_categorical_genome(plain_toy_space, toy_bench) -> None:  # type: ignore[no-untyped-def]
    a = _run(NSGA2(plain_toy_space, pop_size=8, seed=1), toy_bench, OBJ2, 40, 8)
    b = _run(NSGA2(plain_toy_space, pop_size=8, seed=1), toy_bench, OBJ2, 40, 8)
    np.testing.assert_array_equal(a, b)
    assert np.unique(a).size == 40


def _nsga2_after_60(toy_space, toy_bench, pop_size: int):  # type: ignore[no-untyped-def]
    from cenas.moo import non_dominated_mask

    opt = NSGA2(toy_space, pop_size=pop_size, seed=0)
    run_optimizer(opt, toy_bench, OBJ2, 60, 10)
    assert opt.population.size == pop_size
    return opt.population, opt.observed_idx[non_dominated_mask(opt.observed_y)]


def test_nsga2_population_is_the_best_ranked(toy_space, toy_bench) -> None:  # type: ignore[no-untyped-def]
    # Survivors are drawn from the best fronts first. With seed 0 and a population of 16 the
    # observed front (12) fits: every member of it survives.
    pop, front = _nsga2_after_60(toy_space, toy_bench, 16)
    assert 2 <= front.size <= 16
    assert np.isin(front, pop).all()


def test_nsga2_overfull_front_fills_the_population(toy_space, toy_bench) -> None:  # type: ignore[no-untyped-def]
    # With a population of 10 the observed front (11) does not fit: survivors are all from it.
    pop, front = _nsga2_after_60(toy_space, toy_bench, 10)
    assert front.size > 10
    assert np.isin(pop, front).all()


def test_lamoo_optimizer_keeps_its_last_region(toy_space, toy_bench) -> None:  # type: ignore[no-untyped-def]
    opt = LaMOOOptimizer(toy_space, lamoo=LaMOO(leaf_size=6), n_init=8, seed=0)
    run_optimizer(opt, toy_bench, OBJ2, 30, 6)
    assert opt.last_tree is not None and opt.last_region is not None
    assert opt.last_tree.root.n == 24
