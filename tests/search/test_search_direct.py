"""Carbon-free selection of LaMOO's direct proposals: the best of K uniform candidates in
Omega_best by the hypervolume their predicted objectives add (ridge on P, look-ups exact)."""

from __future__ import annotations

import numpy as np
import pytest

from cenas.bench import Objectives
from cenas.errors import ConfigError, ObjectiveError
from cenas.moo import LaMOO, hypervolume, non_dominated_mask, space_features
from cenas.search import (
    ArchitecturePredictor,
    CENASSearch,
    EvaluationSource,
    SearchMode,
    SearchSettings,
    TabularEvaluator,
)
from cenas.sim.testing import ToyBenchmark, ToySpace

OBJ = Objectives.parse("acc:max,lat_ms:min")
REF = np.array([-60.0, 12.0])  # minimisation form: accuracy 60 %, latency 12 ms


@pytest.fixture(scope="module")
def bench() -> ToyBenchmark:
    return ToyBenchmark(ToySpace(positions=4, choices=5), seed=2)


def _hv(y: np.ndarray) -> float:
    return hypervolume(y[non_dominated_mask(y)], REF) if y.shape[0] else 0.0


def direct_gains(bench: ToyBenchmark, k: int, seed: int, n: int = 25) -> list[float]:
    """True hypervolume each of ``n`` direct proposals adds to the trained front (vanilla
    LaMOO's loop, one training at a time), with ``direct_candidates = k``."""
    ev = TabularEvaluator(bench, OBJ)
    settings = SearchSettings(mode=SearchMode.VANILLA, initial_samples=10, direct_candidates=k)
    c = CENASSearch(
        bench.space,
        2,
        settings,
        lamoo=LaMOO(leaf_size=8),
        ref_point=REF,
        seed=seed,
        known_objectives=ev.known_without_training(),
    )
    gains: list[float] = []
    while len(gains) < n:
        t = c.next_evaluation()
        assert t is not None
        y = ev.evaluate([t.index])
        if t.source is EvaluationSource.DIRECT:
            trained = c.observed.y[c.observed.finite_rows()]
            gains.append(_hv(np.vstack([trained, y])) - _hv(trained))
        c.report_evaluation(t, y[0])
    return gains


def test_selection_trains_architectures_that_add_more_hypervolume(bench: ToyBenchmark) -> None:
    uniform = [g for s in range(6) for g in direct_gains(bench, 1, s)]
    chosen = [g for s in range(6) for g in direct_gains(bench, 16, s)]
    assert np.mean(chosen) > 1.5 * np.mean(uniform)


def test_one_candidate_is_vanilla_lamoo(bench: ToyBenchmark) -> None:
    """K = 1 draws exactly what the papers' vanilla LaMOO draws (the same seeded stream)."""
    ev = TabularEvaluator(bench, OBJ)

    def trained(settings: SearchSettings, known: np.ndarray | None) -> list[int]:
        c = CENASSearch(bench.space, 2, settings, seed=3, known_objectives=known)
        out = []
        for _ in range(30):
            t = c.next_evaluation()
            assert t is not None
            out.append(t.index)
            c.report_evaluation(t, ev.evaluate([t.index])[0])
        return out

    plain = trained(SearchSettings(mode=SearchMode.VANILLA), None)
    assert plain == trained(
        SearchSettings(mode=SearchMode.VANILLA, direct_candidates=1), ev.known_without_training()
    )
    assert plain != trained(
        SearchSettings(mode=SearchMode.VANILLA, direct_candidates=8), ev.known_without_training()
    )


def test_selection_is_deterministic_and_marks_only_the_trained_one(bench: ToyBenchmark) -> None:
    ev = TabularEvaluator(bench, OBJ)
    assert direct_gains(bench, 8, 4) == direct_gains(bench, 8, 4)
    c = CENASSearch(
        bench.space,
        2,
        SearchSettings(mode=SearchMode.VANILLA, initial_samples=10, direct_candidates=32),
        seed=0,
        known_objectives=ev.known_without_training(),
    )
    for _ in range(14):
        t = c.next_evaluation()
        assert t is not None
        c.report_evaluation(t, ev.evaluate([t.index])[0])
    assert int(c.taken.sum()) == 14  # the 31 candidates not trained can still be proposed


def test_predictor_takes_lookups_exactly_and_learns_the_rest(bench: ToyBenchmark) -> None:
    ev = TabularEvaluator(bench, OBJ)
    known = ev.known_without_training()
    assert known is not None
    assert np.isnan(known[:, 0]).all()  # accuracy needs training
    np.testing.assert_array_equal(known[:, 1], ev.evaluate(np.arange(bench.space.size))[:, 1])
    feats = space_features(bench.space)
    assert feats is not None
    p = ArchitecturePredictor(feats, 2, known, min_rows=5)
    rng = np.random.default_rng(0)
    train = rng.choice(bench.space.size, 80, replace=False)
    test = np.setdiff1d(np.arange(bench.space.size), train)
    assert p.predict(test, train[:4], ev.evaluate(train[:4])) is None  # too few rows
    pred = p.predict(test, train, ev.evaluate(train))
    assert pred is not None
    true = ev.evaluate(test)
    np.testing.assert_array_equal(pred[:, 1], true[:, 1])
    # accuracy is additive in the toy's digits: ridge explains most of its variance
    resid = np.mean((pred[:, 0] - true[:, 0]) ** 2)
    assert resid < 0.3 * np.var(true[:, 0])


def test_predictor_and_settings_reject_bad_input(bench: ToyBenchmark) -> None:
    feats = space_features(bench.space)
    assert feats is not None
    with pytest.raises(ObjectiveError, match="known must have shape"):
        ArchitecturePredictor(feats, 2, np.zeros((3, 2)))
    with pytest.raises(ConfigError, match="direct_candidates must be an integer >= 1"):
        SearchSettings(direct_candidates=0)
