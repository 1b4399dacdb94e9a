"""The CE-NAS hybrid policy: CarbonScaler's plan for the trainings, sampling only on GPUs the
plan leaves free and only while R is useful; its budget is never exceeded."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cenas.alloc import (
    Allocation,
    AllocationContext,
    AllocationPolicy,
    CarbonScalerPolicy,
    HybridPolicy,
    make_policy,
)
from cenas.carbon import Accounting, IntensityTrace
from cenas.errors import ConfigError
from cenas.forecast import PersistenceForecaster
from cenas.search import RankBy, SearchMode, SearchSettings
from cenas.sim import RunSpec, simulate
from cenas.sim.testing import context_at, toy_budget_spec, toy_trace

VALUES = [100.0, 300.0, 200.0, 50.0]


# Two GPUs with simple powers, so carbon is easy to count by hand.
POWERS: dict[str, object] = {
    "gpus": 2,
    "power_train_w": 1000.0,
    "power_sample_w": 500.0,
    "power_idle_w": 0.0,
    "pue": 1.0,
}


def ctx(trace: IntensityTrace, step: int, **kw: object) -> AllocationContext:
    return context_at(trace, step, **{**POWERS, **kw})


def hybrid(**kw: int) -> HybridPolicy:
    args = {"plan_h": 4, "work_fraction": 0.5, "min_planned_trainings": 0}
    return HybridPolicy(**{**args, **kw})  # type: ignore[arg-type]


def test_hybrid_trains_as_carbonscaler_and_samples_only_on_free_gpus() -> None:
    trace = toy_trace(VALUES)
    cs = CarbonScalerPolicy(plan_h=4, work_fraction=0.5)
    pol = hybrid()
    busy = {
        "n_trained": 20,
        "queue_length": 0,
        "queue_capacity": 8,
        "mean_train_s": 3600.0,
        "carbon_budget_g": 300.0,  # 4 GPU-hours in the cleanest hours (2 x 50 + 2 x 100 g)
    }
    for step in range(4):
        c = ctx(trace, step, **busy)
        a, b = pol.decide(c), cs.decide(c)
        assert a.evaluation_gpus == b.evaluation_gpus  # sampling never takes a training GPU
        free = c.gpus - b.evaluation_gpus
        assert a.sampling_gpus == min(1, free)
    # hour 0 is planned with both GPUs (see the planner tests): no sampling at all
    assert pol.decide(ctx(trace, 0, **busy)) == Allocation(0, 2, 0)
    assert pol.decide(ctx(trace, 1, **busy)) == Allocation(1, 0, 1)


def test_without_a_budget_the_hybrid_trains_a_fixed_share_of_the_run() -> None:
    """work_fraction of the run's GPU-hours in all, cleanest first, less what is done (the
    CarbonScaler baseline re-plans a share of the hours still ahead instead)."""
    trace = toy_trace(VALUES)  # 4 hours x 2 GPUs: work fraction 0.5 is 4 GPU-hours
    pol = hybrid(sample_until_trained=0)
    assert pol.demand(ctx(trace, 0), 4) == pytest.approx(4.0)
    # hour 3 (50 g/kWh) and hour 0 (100 g/kWh) are the cleanest: both GPUs in each
    assert [pol.decide(ctx(trace, 0)).evaluation_gpus] == [2]
    done = ctx(trace, 1, trained_gpu_s=2 * 3600.0)
    assert pol.demand(done, 3) == pytest.approx(2.0)
    assert pol.decide(done).evaluation_gpus == 0  # hours 1 and 2 are dirtier than hour 3
    assert pol.decide(ctx(trace, 3, trained_gpu_s=2 * 3600.0)).evaluation_gpus == 2
    assert pol.decide(ctx(trace, 3, trained_gpu_s=4 * 3600.0)).evaluation_gpus == 0
    cs = CarbonScalerPolicy(plan_h=4, work_fraction=0.5)
    assert cs.decide(ctx(trace, 3, trained_gpu_s=4 * 3600.0)).evaluation_gpus == 1


@pytest.mark.parametrize(
    ("kw", "samples"),
    [
        ({"n_trained": 5}, False),  # before the initial design is trained: no region yet
        ({"n_trained": 10}, True),
        ({"n_trained": 200}, False),  # past sample_until_trained: R drains, LaMOO proposes
        ({"queue_length": 8}, False),  # R holds what the next trainings need
        ({"queue_length": 7}, True),
        ({"queue_length": 3, "queue_capacity": 3}, False),
    ],
)
def test_hybrid_samples_only_while_r_is_useful(kw: dict[str, int], samples: bool) -> None:
    trace = toy_trace(VALUES)
    c = ctx(trace, 1, **{"n_trained": 20, "queue_length": 0, "queue_capacity": 32, **kw})
    assert (hybrid().decide(c).sampling_gpus > 0) is samples


def test_hybrid_samples_only_while_the_plan_pays_for_enough_trainings() -> None:
    trace = toy_trace(VALUES)
    # in hour 1 the plan covers 0.5 x 2 GPUs x 4 h, less the 1 GPU-hour trained = 3 GPU-hours:
    # with trainings of 1 h, 3 planned trainings
    base = {
        "n_trained": 20,
        "queue_length": 0,
        "queue_capacity": 8,
        "mean_train_s": 3600.0,
        "trained_gpu_s": 3600.0,
    }
    assert hybrid(min_planned_trainings=3).decide(ctx(trace, 1, **base)).sampling_gpus == 1
    assert hybrid(min_planned_trainings=4).decide(ctx(trace, 1, **base)).sampling_gpus == 0
    # trainings of 2 h: only 1.5 planned
    slow = {**base, "mean_train_s": 7200.0}
    assert hybrid(min_planned_trainings=1).decide(ctx(trace, 1, **slow)).sampling_gpus == 1
    assert hybrid(min_planned_trainings=2).decide(ctx(trace, 1, **slow)).sampling_gpus == 0


def test_hybrid_parameters_are_checked_and_named() -> None:
    for bad in ({"sampling_gpus": 0}, {"queue_target": 0}, {"sample_until_trained": -1}):
        with pytest.raises(ConfigError, match=next(iter(bad))):
            make_policy("hybrid", bad)
    with pytest.raises(ConfigError, match="min_planned_trainings"):
        make_policy("hybrid", {"min_planned_trainings": 1.5})
    assert "hybrid" in make_policy("hybrid").describe()
    assert "no sampling" in make_policy("hybrid", {"sample_until_trained": 0}).describe()


def _spec(
    values: list[float],
    policy: AllocationPolicy,
    mode: SearchMode,
    *,
    fraction: float,
    seed: int,
    accounting: Accounting = Accounting.FULL,
    idle_w: float = 0.0,
    direct_candidates: int = 1,
) -> tuple[RunSpec, float]:
    search = SearchSettings(
        mode=mode,
        estimate_batch=4,
        push_per_task=2,
        fill_before_fit=False,
        drop_stale=True,
        rank_by=RankBy.PREDICTED_HVI,
        direct_when_empty=True,
        direct_candidates=direct_candidates,
    )
    return toy_budget_spec(
        values, policy, search, fraction=fraction, seed=seed, accounting=accounting, idle_w=idle_w
    )


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(st.floats(10.0, 800.0), min_size=4, max_size=16),
    fraction=st.floats(0.02, 1.2),
    accounting=st.sampled_from(list(Accounting)),
    idle_w=st.sampled_from([0.0, 20.0]),
    oracle=st.booleans(),
    seed=st.integers(0, 3),
    direct_candidates=st.sampled_from([1, 8]),
    sample_until=st.sampled_from([0, 200]),
)
def test_the_hybrid_never_exceeds_the_budget(
    values: list[float],
    fraction: float,
    accounting: Accounting,
    idle_w: float,
    oracle: bool,
    seed: int,
    direct_candidates: int,
    sample_until: int,
) -> None:
    # with and without sampling, uniform or selected direct proposals (the shipped hybrid)
    pol = HybridPolicy(
        plan_h=24,
        start_after_trained=3,
        sample_until_trained=sample_until,
        min_planned_trainings=0,
        forecaster=None if oracle else PersistenceForecaster(),
    )
    spec, budget = _spec(
        values,
        pol,
        SearchMode.CENAS,
        fraction=fraction,
        seed=seed,
        accounting=accounting,
        idle_w=idle_w,
        direct_candidates=direct_candidates,
    )
    r = simulate(spec)
    assert r.totals["carbon_g"] <= budget
    assert r.totals["accounting"] == accounting.value


@pytest.mark.parametrize("fraction", [0.05, 0.2, 0.6])
def test_hybrid_without_sampling_is_exactly_carbonscaler(fraction: float) -> None:
    # the same trainings and carbon: CE-NAS's core with direct proposals and no sampling is
    # vanilla LaMOO, and GPUs the budget guard keeps from training do not sample either
    values = [300.0, 120.0, 80.0, 400.0, 90.0, 60.0, 500.0, 70.0]
    cs, _ = _spec(
        values, CarbonScalerPolicy(plan_h=24), SearchMode.VANILLA, fraction=fraction, seed=1
    )
    hy, _ = _spec(
        values,
        HybridPolicy(plan_h=24, sample_until_trained=0),
        SearchMode.CENAS,
        fraction=fraction,
        seed=1,
    )
    a, b = simulate(cs), simulate(hy)
    assert b.totals["n_estimated"] == 0 and b.totals["carbon_supernet_g"] == 0.0
    assert a.totals["n_trained"] == b.totals["n_trained"]
    assert a.totals["carbon_g"] == pytest.approx(b.totals["carbon_g"], rel=1e-12)
    assert a.totals["hv"] == b.totals["hv"]
