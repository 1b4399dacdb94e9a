"""The steppable simulation: driven by a policy's decisions it is simulate(), bit for bit."""

from __future__ import annotations

import pytest

from cenas.alloc import Allocation, HeuristicPolicy, RandomPolicy
from cenas.errors import ConfigError
from cenas.search import SearchMode
from cenas.sim import RunSpec, Simulation, StopReason, simulate
from cenas.sim.testing import ToyBenchmark, toy_run_spec

VALUES = [300.0, 120.0, 250.0, 80.0, 200.0, 90.0, 310.0, 150.0]


@pytest.mark.parametrize("budget", [None, 30.0])
@pytest.mark.parametrize("policy", ["heuristic", "random"])
def test_stepping_with_the_policy_equals_simulate(policy: str, budget: float | None) -> None:
    bench = ToyBenchmark(seed=0)

    def spec() -> RunSpec:
        pol = HeuristicPolicy(lookahead_h=3) if policy == "heuristic" else RandomPolicy()
        return toy_run_spec(bench, VALUES, pol, SearchMode.CENAS, seed=4, carbon_budget_g=budget)

    want = simulate(spec())
    s = spec()
    sim = Simulation(s)
    ctx = sim.begin()
    prev = None
    steps = 0
    while ctx is not None:
        if prev is not None:
            s.policy.observe(ctx, prev)
        prev = s.policy.decide(ctx)
        ctx = sim.advance(prev)
        steps += 1
    got = sim.result()
    assert got.totals == want.totals
    assert got.series.equals(want.series)
    assert got.allocations.equals(want.allocations)
    assert got.trainings.equals(want.trainings)
    assert sim.result() is got  # finishing twice would add a row
    if budget is not None:
        assert got.stop_reason is StopReason.BUDGET
        assert steps < len(VALUES)


def test_misuse_is_refused() -> None:
    bench = ToyBenchmark(seed=0)
    sim = Simulation(toy_run_spec(bench, VALUES, RandomPolicy(), SearchMode.CENAS), who="agent")
    with pytest.raises(ConfigError, match="not begun"):
        sim.advance(Allocation(0, 2))
    with pytest.raises(ConfigError, match="not stopped"):
        sim.result()
    ctx = sim.begin()
    assert ctx is not None and sim.context is ctx
    with pytest.raises(ConfigError, match="already"):
        sim.begin()
    with pytest.raises(ConfigError, match="agent must split 2 GPUs"):
        sim.advance(Allocation(1, 2))
