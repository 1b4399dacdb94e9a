"""The budget planner and the baselines (threshold suspend-resume, CarbonScaler) on toy traces,
and the property that a run under the planner never exceeds its budget."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cenas.alloc import (
    Allocation,
    AllocationContext,
    BudgetPlannerPolicy,
    CarbonScalerPolicy,
    ThresholdPolicy,
    expected_intensity,
    plan_cleanest,
)
from cenas.carbon import Accounting, IntensityTrace
from cenas.errors import ConfigError
from cenas.forecast import PersistenceForecaster
from cenas.search import SearchMode, SearchSettings
from cenas.sim import simulate
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


def test_plan_fills_the_cleanest_intervals_first() -> None:
    w = np.array(VALUES)
    plan = plan_cleanest(w, 2, budget_g=None, gpu_hours=3, train_factor=1.0, idle_factor=0.0)
    assert plan.tolist() == [1, 0, 0, 2]  # 50 first (2 GPUs), then 100 (1 GPU)
    # 250 g: two GPUs at 50 (100 g), one at 100 (100 g), none at 200 (would cost 200 g)
    plan = plan_cleanest(w, 2, budget_g=250.0, gpu_hours=None, train_factor=1.0, idle_factor=0.0)
    assert plan.tolist() == [1, 0, 0, 2]
    # idle GPUs cost 0.1 per unit of intensity over the whole plan: 0.1 x 2 x 650 = 130 g first;
    # a training GPU then costs 0.9 x intensity more: 2 x 45 = 90 g at 50, leaving 30 g
    plan = plan_cleanest(w, 2, budget_g=250.0, gpu_hours=None, train_factor=1.0, idle_factor=0.1)
    assert plan.tolist() == [0, 0, 0, 2]
    assert (
        plan_cleanest(w, 2, budget_g=10.0, gpu_hours=None, train_factor=1.0, idle_factor=0.0)[3]
        == 0
    )


def test_threshold_trains_below_the_forecast_quantile_and_suspends_above() -> None:
    trace = toy_trace(VALUES)
    pol = ThresholdPolicy(lookahead_h=4, quantile=0.5)
    # window [100, 300, 200, 50]: median 150, 100 <= 150 -> every GPU trains
    assert pol.decide(ctx(trace, 0)) == Allocation(0, 2, 0)
    # window [300, 200, 50]: median 200 < 300 -> every GPU suspended
    assert pol.decide(ctx(trace, 1)) == Allocation(0, 0, 2)
    assert "oracle" in pol.describe()
    with pytest.raises(ConfigError, match="quantile"):
        ThresholdPolicy(quantile=1.5)


def test_carbonscaler_under_a_budget_and_without() -> None:
    trace = toy_trace(VALUES)
    pol = CarbonScalerPolicy(plan_h=4, work_fraction=0.25)
    # no budget: 0.25 x 2 GPUs x 4 h = 2 GPU-hours, both in the cleanest hour (the last)
    assert pol.decide(ctx(trace, 0)) == Allocation(0, 0, 2)
    # in the last hour the plan covers that hour only: 0.25 x 2 GPUs x 1 h, rounded up
    assert pol.decide(ctx(trace, 3)) == Allocation(0, 1, 1)
    # a budget of 250 g at 1 kW per GPU: the plan is [1, 0, 0, 2], so one GPU trains now at 100
    pol2 = CarbonScalerPolicy(plan_h=4)
    trace2 = toy_trace([100.0, 300.0, 200.0, 50.0])
    a = pol2.decide(ctx(trace2, 0, carbon_budget_g=250.0))
    assert a == Allocation(0, 1, 1)
    # the budget is spent: nothing trains, even in the cleanest hour
    assert pol2.decide(ctx(trace2, 3, carbon_budget_g=250.0, carbon_g=250.0)) == Allocation(0, 0, 2)


def test_planner_sizes_sampling_to_the_queue() -> None:
    trace = toy_trace(VALUES)
    pol = BudgetPlannerPolicy(plan_h=4, work_fraction=0.5)
    # hour 1 (300, the dirtiest): R not full, so one GPU samples, the other idles
    assert pol.decide(ctx(trace, 1, queue_length=0, queue_capacity=4)) == Allocation(1, 0, 1)
    # R full: no sampling
    assert pol.decide(ctx(trace, 1, queue_length=4, queue_capacity=4)) == Allocation(0, 0, 2)
    # hour 0 is in the plan (2 GPUs), one of them samples while R is not full
    assert pol.decide(ctx(trace, 0, queue_length=0, queue_capacity=4)) == Allocation(1, 1, 0)
    # the cleanest hour (the plan's 0.5 x 2 x 4 = 4 GPU-hours: 2 in hour 3 and 2 in hour 0)
    assert pol.decide(ctx(trace, 2, queue_length=4, queue_capacity=4)) == Allocation(0, 0, 2)
    # in hour 3 (plan of 1 h: 0.5 x 2 = 1 GPU) one GPU trains; one samples while R is not full
    assert pol.decide(ctx(trace, 3, queue_length=1, queue_capacity=4)) == Allocation(1, 1, 0)
    assert pol.decide(ctx(trace, 3, queue_length=4, queue_capacity=4)) == Allocation(0, 1, 1)


def test_reference_accounting_charges_only_training_in_plans() -> None:
    trace = toy_trace(VALUES)
    c = ctx(trace, 0, accounting=Accounting.REFERENCE, pue=1.5, power_idle_w=50.0)
    assert c.charge_factors() == (1.0, 0.0, 0.0)
    f = ctx(trace, 0, pue=1.5, power_idle_w=50.0).charge_factors()
    assert f == pytest.approx((1.5, 0.75, 0.075))


def test_forecast_window_is_leak_free_and_falls_back_without_history() -> None:
    values = [100.0 + 10 * (h % 24) for h in range(72)]
    trace = toy_trace(values)
    fc = PersistenceForecaster()
    w, ok = expected_intensity(ctx(trace, 30), 6, fc)
    assert ok and w.tolist() == [values[30], *values[7:12]]  # same hour yesterday
    changed = toy_trace(values[:31] + [999.0] * 41)  # the future changes, the forecast not
    assert expected_intensity(ctx(changed, 30), 6, fc)[0].tolist() == w.tolist()
    w0, ok0 = expected_intensity(ctx(trace, 2), 6, fc)  # under a day of history
    assert not ok0 and w0.tolist() == [values[2]] * 6
    pol = ThresholdPolicy(lookahead_h=6, forecaster=fc)
    for step in (2, 3, 30):
        pol.decide(ctx(trace, step))
    assert "2 intervals without history" in pol.describe()
    pol.reset(0)
    assert "without history" not in pol.describe()


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
)
def test_the_planner_never_exceeds_the_budget(
    values: list[float],
    fraction: float,
    accounting: Accounting,
    idle_w: float,
    oracle: bool,
    seed: int,
) -> None:
    spec, budget = toy_budget_spec(
        values,
        BudgetPlannerPolicy(plan_h=24, forecaster=None if oracle else PersistenceForecaster()),
        SearchSettings(
            mode=SearchMode.CENAS, estimate_batch=4, push_per_task=2, fill_before_fit=False
        ),
        fraction=fraction,
        seed=seed,
        accounting=accounting,
        idle_w=idle_w,
    )
    r = simulate(spec)
    assert r.totals["carbon_g"] <= budget
    assert r.totals["accounting"] == accounting.value
    other = "carbon_reference_g" if accounting is Accounting.FULL else "carbon_full_g"
    assert r.totals[other] >= 0.0
