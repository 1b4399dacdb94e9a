"""The learned policy in the live runner, which now gives policies their feedback (observe)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import cenas.runner._runner as runner_mod
from cenas.alloc import Allocation, AllocationContext, AllocationPolicy, make_policy
from cenas.runner import InlineExecutor, LiveRunner, load_search_config
from cenas.runner.testing import toy_workload


class Recording(AllocationPolicy):
    """Wraps a policy, recording the intervals it decides and the feedback it gets."""

    def __init__(self, inner: AllocationPolicy) -> None:
        self.inner = inner
        self.decided: list[float] = []
        self.observed: list[tuple[float, Allocation]] = []

    def decide(self, ctx: AllocationContext) -> Allocation:
        self.decided.append(ctx.t_s)
        return self.inner.decide(ctx)

    def observe(self, ctx: AllocationContext, allocation: Allocation) -> None:
        self.observed.append((ctx.t_s, allocation))

    def describe(self) -> str:
        return self.inner.describe()


def test_live_runner_runs_rl_and_calls_observe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trace = tmp_path / "trace.csv"
    rows = [f"2021-01-01T{h:02d}:00:00Z,{v}" for h, v in enumerate([300, 100, 200, 50] * 3)]
    trace.write_text("timestamp,value\n" + "\n".join(rows) + "\n")
    cfg = tmp_path / "cfg.toml"
    cfg.write_text(
        f"""
[run]
seed = 3
workers = 2
hours = 3
seconds_per_hour = 0
[search]
policy = "rl"
initial_samples = 3
queue_capacity = 4
estimate_batch = 4
leaf_size = 4
[carbon]
trace = "{trace}"
start = "2021-01-01T00:00:00Z"
[workload]
dataset = "synthetic"
"""
    )
    made: list[Recording] = []

    def make(name: str, params: Any = None) -> AllocationPolicy:
        made.append(Recording(make_policy(name, params)))
        return made[-1]

    monkeypatch.setattr(runner_mod, "make_policy", make)
    wl = toy_workload()
    runner = LiveRunner.start(
        load_search_config(cfg), tmp_path / "run", workload=wl, executor=InlineExecutor(wl, "w")
    )
    end = runner.run()
    runner.close()
    assert end["reason"] == "horizon"
    (pol,) = made
    assert "rl (PPO discrete" in pol.describe()
    assert len(pol.decided) == 3
    # feedback at the start of every interval after the first, on the allocation in force
    assert [t for t, _ in pol.observed] == pol.decided[1:]
    assert all(isinstance(a, Allocation) for _, a in pol.observed)
