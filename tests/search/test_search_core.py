"""The CE-NAS search core on a synthetic benchmark: tasks per mode, blocking, duplicates,
regions and determinism."""

from __future__ import annotations

import numpy as np
import pytest

from cenas.bench import Objectives
from cenas.errors import ConfigError
from cenas.moo import LaMOO
from cenas.search import (
    CENASSearch,
    EstimationTask,
    EvaluationSource,
    SearchMode,
    SearchSettings,
    SupernetTask,
    TabularEvaluator,
)
from cenas.search._core import best_by_dominance
from cenas.sim.testing import ToyBenchmark, ToySpace

OBJ = Objectives.parse("acc:max,lat_ms:min")


@pytest.fixture(scope="module")
def bench() -> ToyBenchmark:
    return ToyBenchmark(ToySpace(positions=3, choices=5), seed=1)


def make(bench: ToyBenchmark, mode: SearchMode, seed: int = 0, **kw: object) -> CENASSearch:
    settings = SearchSettings(mode=mode, **kw)  # type: ignore[arg-type]
    return CENASSearch(bench.space, 2, settings, lamoo=LaMOO(leaf_size=8), seed=seed)


def drain(core: CENASSearch, ev: TabularEvaluator, steps: int = 10_000) -> list[tuple[str, int]]:
    """Alternate sampling and evaluation until nothing is left; return the work log."""
    log: list[tuple[str, int]] = []
    for _ in range(steps):
        progressed = False
        s = core.next_sampling()
        if isinstance(s, SupernetTask):
            core.report_supernet(s)
            log.append(("supernet", s.region_id))
            progressed = True
        elif isinstance(s, EstimationTask):
            core.report_estimation(s, ev.estimate(s.indices))
            log += [("estimate", int(i)) for i in s.indices]
            progressed = True
        e = core.next_evaluation()
        if e is not None:
            core.report_evaluation(e, ev.evaluate([e.index])[0])
            log.append(("train", e.index))
            progressed = True
        if not progressed:
            break
    return log


def test_cenas_mode_trains_initial_then_queue_and_never_duplicates(bench: ToyBenchmark) -> None:
    ev = TabularEvaluator(bench, OBJ)
    core = make(bench, SearchMode.CENAS, initial_samples=5, queue_capacity=6)
    first = core.next_evaluation()
    assert first is not None and first.source is EvaluationSource.INITIAL
    sn = core.next_sampling()
    assert sn == SupernetTask(0)  # the whole space's supernet first
    assert core.next_sampling() is None  # nothing to estimate until it is trained
    core.report_supernet(sn)
    core.report_evaluation(first, ev.evaluate([first.index])[0])
    log = drain(core, ev)
    trained = [i for k, i in log if k == "train"] + [first.index]
    estimated = [i for k, i in log if k == "estimate"]
    assert len(trained) == len(set(trained)) == bench.space.size  # everything, once
    assert len(estimated) == len(set(estimated))
    assert set(core.initial.tolist()) <= set(trained)
    assert not set(core.initial.tolist()) & set(estimated)
    assert len(core.observed) == bench.space.size and core.observed.n_estimated == 0
    assert core.n_fits >= 2 and 1 <= core.n_supernets <= core.n_regions


def test_sampling_blocks_while_queue_is_full(bench: ToyBenchmark) -> None:
    ev = TabularEvaluator(bench, OBJ)
    core = make(bench, SearchMode.CENAS, initial_samples=3, queue_capacity=5, estimate_batch=2)
    s = core.next_sampling()
    assert isinstance(s, SupernetTask)
    core.report_supernet(s)
    tasks = []
    while (t := core.next_sampling()) is not None:
        assert isinstance(t, EstimationTask)
        tasks.append(t)
    # 5 places: batches of 2, 2, 1; reserved while in flight
    assert [t.indices.size for t in tasks] == [2, 2, 1]
    assert sum(t.queue_places for t in tasks) == 5
    for t in tasks:
        core.report_estimation(t, ev.estimate(t.indices))
    assert core.queue.full and core.next_sampling() is None
    for _ in range(3):  # initial ones first, R untouched
        e = core.next_evaluation()
        assert e is not None and e.source is EvaluationSource.INITIAL
    assert core.next_sampling() is None
    e = core.next_evaluation()
    assert e is not None and e.source is EvaluationSource.QUEUE and e.y_estimate is not None
    nxt = core.next_sampling()
    assert isinstance(nxt, EstimationTask) and nxt.indices.size == 1


def test_queue_pops_lowest_dominance_number(bench: ToyBenchmark) -> None:
    ev = TabularEvaluator(bench, OBJ)
    core = make(bench, SearchMode.CENAS, initial_samples=1, queue_capacity=8, estimate_batch=8)
    core.report_supernet(core.next_sampling())  # type: ignore[arg-type]
    t = core.next_sampling()
    assert isinstance(t, EstimationTask)
    y = ev.estimate(t.indices)
    core.report_estimation(t, y)
    core.next_evaluation()  # the initial one
    got = [core.next_evaluation().index for _ in range(8)]  # type: ignore[union-attr]
    expect = [int(t.indices[k]) for k in _reference_order(y)]
    assert got == expect


def _reference_order(y: np.ndarray) -> list[int]:
    from cenas.moo import dominance_number

    rest = list(range(len(y)))
    out = []
    while rest:
        dn = dominance_number(y[rest])
        k = rest[int(np.argmin(dn))]
        out.append(k)
        rest.remove(k)
    return out


def test_push_per_task_keeps_only_the_best_estimates(bench: ToyBenchmark) -> None:
    ev = TabularEvaluator(bench, OBJ)
    core = make(
        bench,
        SearchMode.CENAS,
        initial_samples=1,
        queue_capacity=10,
        estimate_batch=6,
        push_per_task=2,
    )
    core.report_supernet(core.next_sampling())  # type: ignore[arg-type]
    t = core.next_sampling()
    assert isinstance(t, EstimationTask) and t.indices.size == 6 and t.queue_places == 2
    y = ev.estimate(t.indices)
    core.report_estimation(t, y)
    assert sorted(core.queue.indices.tolist()) == sorted(
        int(t.indices[k]) for k in best_by_dominance(y, 2)
    )
    assert core.n_estimated == 6


def test_vanilla_mode_trains_direct_proposals_without_sampling(bench: ToyBenchmark) -> None:
    ev = TabularEvaluator(bench, OBJ)
    core = make(bench, SearchMode.VANILLA, initial_samples=4)
    assert core.next_sampling() is None
    log = drain(core, ev)
    trained = [i for k, i in log if k == "train"]
    assert len(trained) == len(set(trained)) == bench.space.size
    assert trained[:4] == core.initial.tolist()
    assert core.n_estimated == 0 and core.n_supernets == 0


def test_oneshot_mode_fills_p_with_flagged_estimates(bench: ToyBenchmark) -> None:
    ev = TabularEvaluator(bench, OBJ)
    core = make(bench, SearchMode.ONESHOT, initial_samples=4)
    assert core.next_evaluation() is None
    s = core.next_sampling()
    assert isinstance(s, SupernetTask)
    core.report_supernet(s)
    first = core.next_sampling()
    assert isinstance(first, EstimationTask)
    assert sorted(first.indices.tolist()) == sorted(core.initial.tolist())
    core.report_estimation(first, ev.estimate(first.indices))
    drain(core, ev)
    assert len(core.observed) == bench.space.size
    assert core.observed.estimated.all() and core.n_trained == 0
    np.testing.assert_array_equal(core.observed.y, ev.estimate(core.observed.indices))
    with pytest.raises(ConfigError):
        core.report_evaluation(first, [0.0, 0.0])  # type: ignore[arg-type]


def test_new_region_needs_a_new_supernet(bench: ToyBenchmark) -> None:
    ev = TabularEvaluator(bench, OBJ)
    core = make(bench, SearchMode.CENAS, initial_samples=20, queue_capacity=4)
    supernets = [i for k, i in drain(core, ev) if k == "supernet"]
    assert supernets[0] == 0
    assert supernets == sorted(set(supernets))  # one per region, in order
    assert core.n_regions >= 2 and core.n_supernets == len(supernets)


def test_same_seed_same_work_different_seed_different(bench: ToyBenchmark) -> None:
    ev = TabularEvaluator(bench, OBJ)
    a = drain(make(bench, SearchMode.CENAS, seed=7, initial_samples=6), ev)
    b = drain(make(bench, SearchMode.CENAS, seed=7, initial_samples=6), ev)
    c = drain(make(bench, SearchMode.CENAS, seed=8, initial_samples=6), ev)
    assert a == b
    assert a != c


def test_settings_validation(bench: ToyBenchmark) -> None:
    with pytest.raises(ConfigError):
        SearchSettings(initial_samples=0)
    with pytest.raises(ConfigError):
        SearchSettings(push_per_task=0)
    with pytest.raises(ConfigError):
        SearchSettings(refit_growth=-1)
    with pytest.raises(ConfigError):
        CENASSearch(bench.space, 2, SearchSettings(initial_samples=bench.space.size + 1))


def test_tabular_evaluator(bench: ToyBenchmark) -> None:
    ev = TabularEvaluator(bench, OBJ, train_time_scale=2.0)
    np.testing.assert_allclose(ev.train_time_s([0, 1]), 2 * bench.column("train_time_s")[[0, 1]])
    assert ev.estimate_columns == ["oneshot_acc", "lat_ms"]
    np.testing.assert_array_equal(ev.estimate([3])[0, 1], ev.evaluate([3])[0, 1])
    oracle = TabularEvaluator(bench, OBJ, estimate_metrics={"acc": "acc"})
    np.testing.assert_array_equal(oracle.estimate([0, 5]), oracle.evaluate([0, 5]))
    with pytest.raises(ConfigError):
        TabularEvaluator(bench, OBJ, estimate_metrics={"nope": "acc"})
    with pytest.raises(ConfigError):
        TabularEvaluator(bench, OBJ, train_time_scale=0)
