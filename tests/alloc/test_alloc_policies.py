"""Allocation policies: a conformance suite for every policy, and the heuristic by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cenas.alloc import (
    POLICIES,
    AllEvaluationPolicy,
    AllocationContext,
    AllocationPolicy,
    AllSamplingPolicy,
    FixedRatioPolicy,
    HeuristicPolicy,
    RandomPolicy,
    make_policy,
    split_gpus,
)
from cenas.alloc._base import Allocation
from cenas.carbon import IntensityTrace
from cenas.errors import ConfigError
from cenas.sim.testing import context_at, toy_trace

VALUES = [100.0, 300.0, 200.0, 150.0, 250.0, 100.0]


def ctx(trace: IntensityTrace, step: int, gpus: int = 8) -> AllocationContext:
    return context_at(trace, step, gpus=gpus)


@pytest.mark.parametrize("name", sorted(POLICIES))
@pytest.mark.parametrize("gpus", [1, 3, 8])
def test_every_policy_returns_a_valid_split(name: str, gpus: int) -> None:
    trace = toy_trace(VALUES)
    policy = make_policy(name)
    policy.reset(0)
    for step in range(len(VALUES)):
        a = policy.decide(ctx(trace, step, gpus))
        assert isinstance(a, Allocation)
        assert a.check(gpus) is a
        assert isinstance(policy.describe(), str)


def test_split_gpus_rounds_half_up_and_clips() -> None:
    assert split_gpus(0.0, 8) == Allocation(0, 8)
    assert split_gpus(1.0, 8) == Allocation(8, 0)
    assert split_gpus(0.5, 8) == Allocation(4, 4)
    assert split_gpus(0.5625, 8) == Allocation(5, 3)  # 4.5 rounds up
    assert split_gpus(0.5624, 8) == Allocation(4, 4)
    assert split_gpus(1.7, 8) == Allocation(8, 0)
    assert split_gpus(-0.2, 3) == Allocation(0, 3)
    with pytest.raises(ConfigError):
        split_gpus(float("nan"), 8)


def test_heuristic_by_hand_with_oracle_window() -> None:
    trace = toy_trace(VALUES)
    pol = HeuristicPolicy(lookahead_h=3)
    # step 0: window [100, 300, 200]: C_cur is the minimum -> all evaluate
    assert pol.sampling_fraction(ctx(trace, 0)) == 0.0
    assert pol.decide(ctx(trace, 0)) == Allocation(0, 8)
    # step 2: window [200, 150, 250]: (200-150)/(250-150) = 0.5 -> 4/4
    assert pol.sampling_fraction(ctx(trace, 2)) == pytest.approx(0.5)
    assert pol.decide(ctx(trace, 2)) == Allocation(4, 4)
    # step 1: window [300, 200, 150]: the maximum -> all sample
    assert pol.decide(ctx(trace, 1)) == Allocation(8, 0)
    # step 5: the window is cut at the trace end: one value -> flat -> even split
    assert pol.sampling_fraction(ctx(trace, 5)) == 0.5
    assert "oracle" in pol.describe()


class _Fake:
    """A forecaster that predicts a constant, recording what it was asked."""

    def __init__(self, value: float) -> None:
        self.value = value
        self.calls: list[tuple[pd.Timestamp, int]] = []

    def predict(
        self, trace: IntensityTrace, issue_time: pd.Timestamp, horizon_h: int
    ) -> np.ndarray:
        self.calls.append((issue_time, horizon_h))
        return np.full(horizon_h, self.value)


def test_heuristic_with_forecaster_uses_only_the_forecast_for_the_future() -> None:
    trace = toy_trace(VALUES)
    fake = _Fake(400.0)
    pol = HeuristicPolicy(lookahead_h=3, forecaster=fake)
    # window = [current 300, 400, 400] -> (300-300)/(400-300) = 0 -> all evaluate
    assert pol.decide(ctx(trace, 1)) == Allocation(0, 8)
    issue, horizon = fake.calls[0]
    assert issue == trace.start + pd.Timedelta(hours=2)  # after the current step only
    assert horizon == 2
    assert "forecast" in pol.describe()


def test_random_policy_is_reproducible_from_its_seed() -> None:
    trace = toy_trace(VALUES * 4)
    a, b, c = RandomPolicy(), RandomPolicy(), RandomPolicy()
    a.reset(5)
    b.reset(5)
    c.reset(6)
    sa = [a.decide(ctx(trace, i)).sampling_gpus for i in range(24)]
    sb = [b.decide(ctx(trace, i)).sampling_gpus for i in range(24)]
    sc = [c.decide(ctx(trace, i)).sampling_gpus for i in range(24)]
    assert sa == sb and sa != sc
    assert set(sa) <= set(range(9)) and len(set(sa)) > 3


def test_static_policies() -> None:
    trace = toy_trace(VALUES)
    assert AllEvaluationPolicy().decide(ctx(trace, 0)) == Allocation(0, 8)
    assert AllSamplingPolicy().decide(ctx(trace, 0)) == Allocation(8, 0)
    assert FixedRatioPolicy(0.25).decide(ctx(trace, 0)) == Allocation(2, 6)
    with pytest.raises(ConfigError):
        FixedRatioPolicy(1.5)
    with pytest.raises(ConfigError):
        HeuristicPolicy(lookahead_h=0)


def test_registry_errors_name_the_choices() -> None:
    with pytest.raises(ConfigError, match="heuristic"):
        make_policy("greedy")
    with pytest.raises(ConfigError, match="lookahead_h"):
        make_policy("heuristic", {"look_ahead": 3})
    assert isinstance(make_policy("fixed-ratio", {"sampling_fraction": 0.3}), AllocationPolicy)


def test_bad_allocations_are_rejected() -> None:
    with pytest.raises(ConfigError, match="split 8 GPUs"):
        Allocation(3, 3).check(8)
    with pytest.raises(ConfigError):
        Allocation(-1, 9).check(8)


def test_context_budget_and_lookahead() -> None:
    trace = toy_trace(VALUES)
    c = ctx(trace, 1)
    assert c.remaining_budget_g is None
    np.testing.assert_array_equal(c.lookahead(2), [300.0, 200.0])
    c2 = AllocationContext(**{**c.__dict__, "carbon_g": 70.0, "carbon_budget_g": 50.0})
    assert c2.remaining_budget_g == 0.0
