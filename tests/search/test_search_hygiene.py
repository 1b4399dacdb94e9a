"""Queue hygiene: no filling before LaMOO's first fit, stale entries leave R on a region change,
estimating more than R takes, and the estimate corrector."""

from __future__ import annotations

import numpy as np
import pytest

from cenas.bench import Objectives
from cenas.errors import ConfigError
from cenas.moo import LaMOO, space_features
from cenas.search import (
    CENASSearch,
    EstimateCorrector,
    EstimationTask,
    EvaluationSource,
    EvaluationTask,
    ReadyQueue,
    SearchMode,
    SearchSettings,
    SupernetTask,
    TabularEvaluator,
)
from cenas.sim.testing import ToyBenchmark, ToySpace

OBJ = Objectives.parse("acc:max,lat_ms:min")


@pytest.fixture(scope="module")
def bench() -> ToyBenchmark:
    return ToyBenchmark(ToySpace(positions=4, choices=5), seed=2)


def core(bench: ToyBenchmark, seed: int = 0, **kw: object) -> CENASSearch:
    settings = SearchSettings(mode=SearchMode.CENAS, **kw)  # type: ignore[arg-type]
    return CENASSearch(bench.space, 2, settings, lamoo=LaMOO(leaf_size=6), seed=seed)


def test_no_sampling_before_the_first_fit(bench: ToyBenchmark) -> None:
    ev = TabularEvaluator(bench, OBJ)
    c = core(bench, initial_samples=6, fill_before_fit=False)
    tasks = [c.next_evaluation() for _ in range(6)]
    assert c.next_sampling() is None  # nothing trained yet: no supernet, no estimates
    for t in tasks[:5]:
        assert t is not None
        c.report_evaluation(t, ev.evaluate([t.index])[0])
        assert c.next_sampling() is None
    assert tasks[5] is not None
    c.report_evaluation(tasks[5], ev.evaluate([tasks[5].index])[0])
    first = c.next_sampling()  # the initial design is in P: LaMOO fits, then sampling starts
    assert isinstance(first, SupernetTask) and c.n_fits == 1
    # the original behaviour is still the default
    d = core(bench, initial_samples=6)
    assert d.next_sampling() == SupernetTask(0)


def _run(c: CENASSearch, ev: TabularEvaluator, steps: int) -> list[bool]:
    """Alternate sampling and evaluation; after every region change, whether R holds only
    architectures inside the new region."""
    feats = space_features(c.space)
    assert feats is not None
    checks: list[bool] = []
    rid = c.region.id
    for _ in range(steps):
        s = c.next_sampling()
        if isinstance(s, SupernetTask):
            c.report_supernet(s)
        elif isinstance(s, EstimationTask):
            c.report_estimation(s, ev.estimate(s.indices))
        e = c.next_evaluation()
        if e is not None:
            c.report_evaluation(e, ev.evaluate([e.index])[0])
        if c.region.id != rid:
            rid = c.region.id
            q = c.queue.indices
            checks.append(bool(c._region.contains(feats[q]).all()) if q.size else True)
    return checks


def test_stale_entries_leave_r_on_a_region_change(bench: ToyBenchmark) -> None:
    ev = TabularEvaluator(bench, OBJ)
    dropped = 0
    kept_stale = 0
    for seed in range(3):
        c = core(bench, seed, initial_samples=8, queue_capacity=24, drop_stale=True)
        checks = _run(c, ev, 120)
        assert checks and all(checks)
        dropped += c.n_dropped
        old = core(bench, seed, initial_samples=8, queue_capacity=24)
        kept_stale += sum(not ok for ok in _run(old, ev, 120))
    assert dropped > 0
    assert kept_stale > 0  # without the option, stale entries do stay (the test can fail)


def test_queue_remove_keeps_order() -> None:
    q = ReadyQueue(5, 2)
    for i in range(4):
        q.push(i, [float(i), -float(i)])
    assert q.remove([1, 3, 9]) == 2
    assert q.indices.tolist() == [0, 2]


def test_estimating_more_than_r_takes_selects_the_best(bench: ToyBenchmark) -> None:
    ev = TabularEvaluator(bench, OBJ)
    c = core(bench, initial_samples=6, estimate_batch=12, push_per_task=3)
    for _ in range(6):
        t = c.next_evaluation()
        assert t is not None and t.source is EvaluationSource.INITIAL
        c.report_evaluation(t, ev.evaluate([t.index])[0])
    s = c.next_sampling()
    assert isinstance(s, SupernetTask)
    c.report_supernet(s)
    est = c.next_sampling()
    assert isinstance(est, EstimationTask) and est.indices.size == 12
    c.report_estimation(est, ev.estimate(est.indices))
    assert len(c.queue) == 3 and c.n_estimated == 12


def test_corrector_learns_a_biased_estimate() -> None:
    rng = np.random.default_rng(0)
    feats = rng.integers(0, 2, (400, 10)).astype(np.float64)
    true_acc = feats @ rng.normal(size=10)
    lat = feats @ rng.uniform(1, 2, 10)
    est_acc = 0.3 * true_acc + 2.0 * feats[:, 0] + rng.normal(0, 0.3, 400)  # biased, noisy
    y_true = np.column_stack([-true_acc, lat])
    y_est = np.column_stack([-est_acc, lat])
    c = EstimateCorrector(feats, 2, min_pairs=12)
    c.remember(np.arange(400), y_est)
    assert np.array_equal(c.predict(np.arange(5), y_est[:5]), y_est[:5])  # too few pairs
    for i in range(60):
        c.add(i, y_true[i])
    pred = c.predict(np.arange(60, 400), y_est[60:])
    np.testing.assert_array_equal(pred[:, 1], lat[60:])  # exact look-up metric passes through
    err_pred = np.abs(pred[:, 0] - y_true[60:, 0]).mean()
    err_est = np.abs(y_est[60:, 0] - y_true[60:, 0]).mean()
    assert err_pred < 0.5 * err_est


def test_rank_by_is_validated() -> None:
    with pytest.raises(ConfigError, match="rank_by"):
        SearchSettings(rank_by="oracle")  # type: ignore[arg-type]


def test_direct_when_empty_trains_instead_of_waiting(bench: ToyBenchmark) -> None:
    ev = TabularEvaluator(bench, OBJ)

    def after_initial(direct: bool) -> tuple[CENASSearch, object]:
        c = core(bench, initial_samples=3, direct_when_empty=direct)
        for _ in range(3):
            t = c.next_evaluation()
            assert t is not None and t.source is EvaluationSource.INITIAL
            c.report_evaluation(t, ev.evaluate([t.index])[0])
        return c, c.next_evaluation()  # R is empty: nothing was sampled

    _, waiting = after_initial(False)
    assert waiting is None
    c, task = after_initial(True)
    assert len(c.queue) == 0
    assert isinstance(task, EvaluationTask) and task.source is EvaluationSource.DIRECT
    assert c.taken[task.index]


def test_region_members_is_the_current_region(bench: ToyBenchmark) -> None:
    """The public mask marks exactly the untaken architectures of Omega_best, read-only."""
    ev = TabularEvaluator(bench, OBJ)
    c = core(bench, initial_samples=10, queue_capacity=4)
    assert c.region_members.all() and c.region_members.shape == (bench.space.size,)
    feats = space_features(c.space)
    assert feats is not None
    for _ in range(60):
        s = c.next_sampling()
        if isinstance(s, SupernetTask):
            c.report_supernet(s)
            if s.region_id:  # the refit that made this region current has just happened
                break
        elif isinstance(s, EstimationTask):
            c.report_estimation(s, ev.estimate(s.indices))
        e = c.next_evaluation()
        if e is not None:
            c.report_evaluation(e, ev.evaluate([e.index])[0])
    assert c.region.id > 0
    mask = c.region_members
    assert int(mask.sum()) == c.region.members > 0
    # nothing was taken since the refit, so the mask is the region's free architectures
    np.testing.assert_array_equal(mask, c._region.contains(feats) & ~c.taken)
    with pytest.raises(ValueError):
        mask[0] = not mask[0]
