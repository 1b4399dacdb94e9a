"""The simulator on synthetic benchmarks and traces: carbon against hand-computed cases,
preemption and resumption, the budget, reproducibility."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from cenas.alloc import (
    Allocation,
    AllocationContext,
    AllocationPolicy,
    make_policy,
)
from cenas.errors import ConfigError
from cenas.moo import hypervolume
from cenas.search import SearchMode, TabularEvaluator
from cenas.sim import EventHeap, EventKind, SimClock, SimConfig, StopReason, simulate
from cenas.sim.testing import TOY_OBJECTIVES, ToyBenchmark, ToySpace, toy_run_spec

OBJ = TOY_OBJECTIVES
H = 3600.0


class Scripted(AllocationPolicy):
    """Sampling GPUs per hour from a list (the last value repeats)."""

    name = "scripted"

    def __init__(self, sampling: list[int]) -> None:
        self.sampling = sampling
        self.seen: list[float] = []

    def decide(self, ctx: AllocationContext) -> Allocation:
        self.seen.append(ctx.t_s)
        k = min(round(ctx.elapsed_s / ctx.interval_s), len(self.sampling) - 1)
        s = self.sampling[k]
        return Allocation(s, ctx.gpus - s)


spec = toy_run_spec


def test_event_heap_breaks_ties_by_insertion_and_clock_moves_forward() -> None:
    heap = EventHeap()
    heap.push(5.0, EventKind.END)
    heap.push(1.0, EventKind.TRAIN_DONE, token=1)
    heap.push(1.0, EventKind.STEP)
    assert [heap.pop().kind for _ in range(3)] == [
        EventKind.TRAIN_DONE,
        EventKind.STEP,
        EventKind.END,
    ]
    clock = SimClock(10.0)
    clock.advance_to(12.5)
    assert clock.elapsed_s == 2.5
    with pytest.raises(ConfigError):
        clock.advance_to(11.0)


def test_all_gpus_training_carbon_by_hand() -> None:
    bench = ToyBenchmark(seed=0, train_time_s=36_000.0)  # nothing finishes in 2 h
    r = simulate(spec(bench, [100.0, 300.0], make_policy("all-evaluation"), SearchMode.VANILLA))
    # 2 GPUs x 100 W x (100 g/kWh x 1 h + 300 g/kWh x 1 h) = 0.2 kW x 400 g·h/kWh
    assert r.totals["carbon_g"] == pytest.approx(80.0, rel=1e-12)
    assert r.totals["carbon_training_g"] == pytest.approx(80.0, rel=1e-12)
    assert r.totals["carbon_idle_g"] == 0.0
    assert r.totals["relative_carbon"] == pytest.approx(2 * 400.0)
    assert r.totals["energy_kwh"] == pytest.approx(0.4)
    assert r.totals["n_trained"] == 0 and r.totals["unfinished_trainings"] == 2
    assert r.stop_reason is StopReason.HORIZON
    s2 = spec(bench, [100.0, 300.0], make_policy("all-evaluation"), SearchMode.VANILLA, pue=1.5)
    assert simulate(s2).totals["carbon_g"] == pytest.approx(120.0, rel=1e-12)


def test_oneshot_supernet_estimates_and_idle_carbon_by_hand() -> None:
    bench = ToyBenchmark(ToySpace(positions=2, choices=4), seed=0)  # 16 architectures
    r = simulate(
        spec(
            bench,
            [100.0, 300.0],
            make_policy("all-sampling"),
            SearchMode.ONESHOT,
            supernet_train_s=3600.0,
            estimate_s=90.0,
        )
    )
    # supernet: 3600 GPU-s on 2 GPUs = [0, 1800 s] at 100 W each;
    # 16 estimates x 90 GPU-s = 1440 GPU-s on 2 GPUs = [1800, 2520 s] at 50 W each;
    # then idle at 10 W each until 7200 s.
    supernet = 0.2 * 0.5 * 100.0
    estimation = 0.1 * 0.2 * 100.0
    idle = 0.02 * 0.3 * 100.0 + 0.02 * 1.0 * 300.0
    t = r.totals
    assert t["n_estimated"] == 16 and t["n_trained"] == 0 and t["n_supernets"] == 1
    assert t["carbon_supernet_g"] == pytest.approx(supernet, rel=1e-9)
    assert t["carbon_estimation_g"] == pytest.approx(estimation, rel=1e-9)
    assert t["carbon_idle_g"] == pytest.approx(idle, rel=1e-9)
    assert t["carbon_g"] == pytest.approx(supernet + estimation + idle, rel=1e-9)
    assert t["relative_carbon"] == pytest.approx(2 * 0.7 * 100.0, rel=1e-9)
    ends = r.series[r.series.event == "estimate"]["t_s"] - r.series["t_s"].iloc[0]
    assert ends.iloc[-1] == pytest.approx(2520.0)


def test_preempted_training_resumes_with_its_remaining_work() -> None:
    bench = ToyBenchmark(seed=0, train_time_s=5400.0)
    policy = Scripted([0, 1, 0])  # hour 0: 2 evaluate; hour 1: 1 evaluates; hour 2: 2 evaluate
    r = simulate(spec(bench, [100.0, 100.0, 100.0], policy, SearchMode.VANILLA))
    t0 = r.series["t_s"].iloc[0]
    recs = r.training_records
    a, b = recs[0], recs[1]
    # A: never preempted, done at 1.5 h. B (started second) lost its GPU at 1 h with 0.5 h
    # left, resumed when A finished at 1.5 h (preempted work first), done at 2 h.
    assert a.preemptions == 0 and a.segments == [(t0, t0 + 1.5 * H)]
    assert b.preemptions == 1
    assert b.segments == [(t0, t0 + H), (t0 + 1.5 * H, t0 + 2 * H)]
    assert b.completed and b.end_s == t0 + 2 * H
    assert b.run_s == pytest.approx(b.work_s)
    assert r.totals["preemptions"] == 1
    assert r.allocations["evaluation_gpus"].tolist() == [2, 1, 2]
    seg = json.loads(r.trainings.loc[1, "segments"])
    assert len(seg) == 2


def test_sampling_pool_keeps_remaining_work_when_it_shrinks() -> None:
    bench = ToyBenchmark(seed=0, train_time_s=36_000.0)
    policy = Scripted([2, 1])  # hour 0: both sample; then one samples, one trains
    r = simulate(spec(bench, [100.0] * 4, policy, SearchMode.CENAS, supernet_train_s=3 * H))
    t0 = r.series["t_s"].iloc[0]
    # 3 GPU-hours: 2 done in hour 0 on 2 GPUs, the last one on 1 GPU in hour 1
    done = r.series[r.series.event == "supernet"]["t_s"]
    assert done.iloc[0] == pytest.approx(t0 + 2 * H)


def test_idle_evaluation_gpus_sample_only_when_allowed() -> None:
    bench = ToyBenchmark(seed=0, train_time_s=1800.0)
    values = [100.0] * 6
    on = simulate(spec(bench, values, make_policy("all-evaluation"), SearchMode.CENAS))
    off = simulate(
        spec(
            bench,
            values,
            make_policy("all-evaluation"),
            SearchMode.CENAS,
            idle_evaluation_gpus_sample=False,
        )
    )
    assert off.totals["n_estimated"] == 0 and off.totals["n_trained"] == 2  # initial only
    assert on.totals["n_estimated"] > 0 and on.totals["n_trained"] > 2
    assert off.totals["carbon_idle_g"] > on.totals["carbon_idle_g"]


@pytest.mark.parametrize("policy", ["heuristic", "random", "all-evaluation", "all-sampling"])
def test_carbon_budget_is_never_exceeded(policy: str) -> None:
    bench = ToyBenchmark(seed=2)
    rng = np.random.default_rng(11)
    values = rng.uniform(20.0, 400.0, 24).tolist()
    mode = {"all-evaluation": SearchMode.VANILLA, "all-sampling": SearchMode.ONESHOT}.get(
        policy, SearchMode.CENAS
    )
    free = simulate(spec(bench, values, make_policy(policy), mode, gpus=3, leaf_size=8))
    for k, budget in enumerate(rng.uniform(0.5, 1.2, 8) * free.totals["carbon_g"]):
        r = simulate(
            spec(
                bench,
                values,
                make_policy(policy),
                mode,
                gpus=3,
                leaf_size=8,
                seed=k,
                carbon_budget_g=float(budget),
            )
        )
        c = r.totals["carbon_g"]
        assert c <= budget
        parts = sum(
            r.totals[f"carbon_{n}_g"] for n in ("training", "supernet", "estimation", "idle")
        )
        assert parts == pytest.approx(c, rel=1e-12)
        assert (r.series["carbon_g"].diff().dropna() >= 0).all()
        if r.stop_reason is StopReason.BUDGET:
            assert c == pytest.approx(budget, rel=1e-6)
            assert r.totals["hours"] < 24
        else:
            assert budget >= c


def test_budget_stop_inside_a_step_by_hand() -> None:
    bench = ToyBenchmark(seed=0, train_time_s=36_000.0)
    # 2 GPUs x 100 W: 20 g in hour 0 at 100 g/kWh, then 60 g/h: 50 g is spent at 1.5 h
    r = simulate(
        spec(
            bench,
            [100.0, 300.0],
            make_policy("all-evaluation"),
            SearchMode.VANILLA,
            carbon_budget_g=50.0,
            budget_guard=False,  # the guard would not start 10 h trainings on a 50 g budget
        )
    )
    assert r.stop_reason is StopReason.BUDGET
    assert r.totals["hours"] == pytest.approx(1.5, rel=1e-9)
    assert r.totals["carbon_g"] <= 50.0


def test_same_seed_is_bit_for_bit_and_other_seeds_differ() -> None:
    bench = ToyBenchmark(ToySpace(positions=3, choices=5), seed=3)
    values = list(np.random.default_rng(0).uniform(50, 300, 30))

    def run(seed: int) -> object:
        return simulate(
            spec(
                bench,
                values,
                make_policy("random"),
                SearchMode.CENAS,
                gpus=4,
                leaf_size=8,
                seed=seed,
            )
        )

    a, b, c = run(4), run(4), run(5)
    pd.testing.assert_frame_equal(a.series, b.series)  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(a.allocations, b.allocations)  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(a.pareto, b.pareto)  # type: ignore[attr-defined]
    assert a.totals == b.totals  # type: ignore[attr-defined]
    assert not a.series.equals(c.series)  # type: ignore[attr-defined]


def test_hv_is_that_of_the_trained_architectures() -> None:
    bench = ToyBenchmark(ToySpace(positions=3, choices=4), seed=5)
    r = simulate(
        spec(bench, [100.0] * 12, make_policy("heuristic"), SearchMode.CENAS, gpus=3, leaf_size=8)
    )
    done = r.trainings[r.trainings.completed]["index"].to_numpy()
    y = OBJ.evaluate(bench, done)
    assert r.totals["hv"] == pytest.approx(hypervolume(y, OBJ.to_min([0.0, 100.0])))
    assert r.totals["n_trained"] == done.size
    assert len(set(done.tolist())) == done.size
    assert set(r.pareto["index"]) <= set(done.tolist())
    gap = r.series["log_hv_gap"].to_numpy()
    assert np.all(np.diff(r.series["hv"].to_numpy()) >= -1e-12)
    assert math.isfinite(gap[-1])


def test_oneshot_hv_is_the_true_hv_of_its_estimated_front() -> None:
    from cenas.moo import non_dominated_mask

    bench = ToyBenchmark(ToySpace(positions=2, choices=4), seed=0, noise=5.0)
    r = simulate(spec(bench, [100.0, 100.0], make_policy("all-sampling"), SearchMode.ONESHOT))
    ev = TabularEvaluator(bench, OBJ)
    idx = np.arange(16)
    front = idx[non_dominated_mask(ev.estimate(idx))]
    ref = OBJ.to_min([0.0, 100.0])
    assert r.totals["hv"] == pytest.approx(hypervolume(ev.evaluate(front), ref))
    assert r.totals["hv_all_estimated"] == pytest.approx(hypervolume(ev.evaluate(idx), ref))
    assert sorted(r.pareto["index"]) == sorted(front.tolist())
    assert "estimated front" in r.hv_source


def test_run_must_fit_in_the_trace() -> None:
    bench = ToyBenchmark(seed=0)
    s = spec(bench, [100.0, 100.0], make_policy("heuristic"), SearchMode.CENAS, horizon_h=3.0)
    with pytest.raises(ConfigError, match="shorten"):
        simulate(s)


def test_bad_policy_output_is_a_config_error() -> None:
    class Bad(AllocationPolicy):
        def decide(self, ctx: AllocationContext) -> Allocation:
            return Allocation(1, 5)

    with pytest.raises(ConfigError, match="split 2 GPUs"):
        simulate(spec(ToyBenchmark(seed=0), [100.0], Bad(), SearchMode.CENAS))


def test_sim_config_validation() -> None:
    with pytest.raises(ConfigError, match="gpus"):
        SimConfig(gpus=0)
    with pytest.raises(ConfigError, match="pue"):
        SimConfig(pue=0.9)
    with pytest.raises(ConfigError, match="carbon_budget_g"):
        SimConfig(carbon_budget_g=-1.0)
    with pytest.raises(ConfigError, match="estimate_s"):
        SimConfig(estimate_s=0.0)
