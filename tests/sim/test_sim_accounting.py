"""Both accounting modes and the idle share against hand-computed totals on a toy trace."""

from __future__ import annotations

import pytest

from cenas.alloc import Allocation, AllocationContext, AllocationPolicy, make_policy
from cenas.carbon import Accounting
from cenas.errors import ConfigError
from cenas.search import SearchMode
from cenas.sim import SimConfig, StopReason, simulate
from cenas.sim.testing import TOY_OBJECTIVES, ToyBenchmark, ToySpace, toy_run_spec

OBJ = TOY_OBJECTIVES


spec = toy_run_spec


class OneIdle(AllocationPolicy):
    """One GPU evaluates, the others idle (or are off)."""

    name = "one-idle"

    def decide(self, ctx: AllocationContext) -> Allocation:
        return Allocation(0, 1, ctx.gpus - 1)


def test_full_and_reference_totals_by_hand() -> None:
    bench = ToyBenchmark(seed=0, train_time_s=36_000.0)  # nothing finishes in 2 h
    vals = [100.0, 300.0]
    full = simulate(spec(bench, vals, make_policy("all-evaluation"), SearchMode.VANILLA, pue=1.5))
    # full: 2 GPUs x 100 W x 1.5 x (100 + 300) g·h/kWh = 120 g
    assert full.totals["accounting"] == "full"
    assert full.totals["carbon_g"] == pytest.approx(120.0, rel=1e-12)
    # reference: 2 training GPU-hours x intensity, 1 kW implied, no PUE: 2 x 400 = 800 g
    assert full.totals["carbon_reference_g"] == pytest.approx(800.0, rel=1e-12)
    ref = simulate(
        spec(
            bench,
            vals,
            make_policy("all-evaluation"),
            SearchMode.VANILLA,
            pue=1.5,
            accounting="reference",
        )
    )
    assert ref.totals["accounting"] == "reference"
    assert ref.summary()["accounting"] == "reference"
    assert ref.totals["carbon_g"] == pytest.approx(800.0, rel=1e-12)
    assert ref.totals["carbon_full_g"] == pytest.approx(120.0, rel=1e-12)


def test_idle_share_is_charged_at_idle_power_and_free_under_reference() -> None:
    bench = ToyBenchmark(seed=0, train_time_s=36_000.0)
    vals = [100.0, 300.0]
    r = simulate(spec(bench, vals, OneIdle(), SearchMode.VANILLA))
    # 1 GPU x 100 W + 1 idle GPU x 10 W over 400 g·h/kWh: 40 + 4 g
    assert r.totals["carbon_g"] == pytest.approx(44.0, rel=1e-12)
    assert r.totals["carbon_idle_g"] == pytest.approx(4.0, rel=1e-12)
    assert r.totals["carbon_reference_g"] == pytest.approx(400.0, rel=1e-12)
    assert list(r.allocations["idle_gpus"]) == [1, 1]
    off = simulate(spec(bench, vals, OneIdle(), SearchMode.VANILLA, power_idle_w=0.0))
    assert off.totals["carbon_g"] == pytest.approx(40.0, rel=1e-12)
    # powered off: the idle share draws power_off_w, not the 10 W of an allocated idle GPU
    off2 = simulate(spec(bench, vals, OneIdle(), SearchMode.VANILLA, power_off_w=0.0))
    assert off2.totals["carbon_g"] == pytest.approx(40.0, rel=1e-12)
    assert off2.totals["carbon_idle_g"] == 0.0


def test_allocated_gpus_without_work_stay_at_idle_power_when_the_share_is_off() -> None:
    # vanilla with one GPU and nothing to train after the only architecture: 1 evaluation GPU
    # idles at 10 W while the idle share (the other GPU) is off
    bench = ToyBenchmark(ToySpace(positions=1, choices=2), seed=0, train_time_s=1800.0)
    r = simulate(spec(bench, [100.0, 100.0], OneIdle(), SearchMode.VANILLA, power_off_w=0.0))
    # two trainings of 0.5 h at 100 W (10 g), then 1 h of 1 GPU idle at 10 W (1 g)
    assert r.totals["n_trained"] == 2
    assert r.totals["carbon_g"] == pytest.approx(11.0, rel=1e-9)


def test_oneshot_emits_nothing_under_reference_accounting() -> None:
    bench = ToyBenchmark(ToySpace(positions=2, choices=4), seed=0)
    r = simulate(
        spec(
            bench,
            [100.0, 300.0],
            make_policy("all-sampling"),
            SearchMode.ONESHOT,
            accounting="reference",
        )
    )
    assert r.totals["carbon_g"] == 0.0
    assert r.totals["carbon_full_g"] > 0.0


def test_reference_budget_counts_training_only() -> None:
    bench = ToyBenchmark(seed=0, train_time_s=36_000.0)
    # reference: 2 GPUs x 1 kW-equivalent x 100 g/kWh = 200 g in hour 0, then 600 g/h
    r = simulate(
        spec(
            bench,
            [100.0, 300.0],
            make_policy("all-evaluation"),
            SearchMode.VANILLA,
            accounting="reference",
            carbon_budget_g=500.0,
            budget_guard=False,
        )
    )
    assert r.stop_reason is StopReason.BUDGET
    assert r.totals["hours"] == pytest.approx(1.5, rel=1e-9)
    assert r.totals["carbon_g"] <= 500.0
    assert r.totals["budget_bound"] is True


def test_budget_guard_does_not_start_what_cannot_finish() -> None:
    bench = ToyBenchmark(seed=0, train_time_s=36_000.0)
    r = simulate(
        spec(
            bench,
            [100.0, 300.0],
            make_policy("all-evaluation"),
            SearchMode.VANILLA,
            carbon_budget_g=50.0,
        )
    )
    assert r.totals["n_trained"] == 0 and len(r.trainings) == 0
    assert r.totals["carbon_training_g"] == 0.0
    assert r.totals["guard_skips"] > 0
    assert r.totals["budget_bound"] is False  # the budget never bound: only idle power was drawn


def test_accounting_is_validated() -> None:
    with pytest.raises(ConfigError, match=r"sim\.accounting"):
        SimConfig(accounting="partial")  # type: ignore[arg-type]
    assert SimConfig().accounting is Accounting.FULL
    with pytest.raises(ConfigError, match="supernet_finetune_fraction"):
        SimConfig(supernet_finetune_fraction=0.0)


def test_all_gpus_carbon_is_vanillas_unbudgeted_carbon() -> None:
    from cenas.sim import all_gpus_carbon_g

    bench = ToyBenchmark(seed=0, train_time_s=36_000.0)
    vals = [100.0, 300.0]
    s = spec(bench, vals, make_policy("all-evaluation"), SearchMode.VANILLA, pue=1.5)
    r = simulate(s)
    full = all_gpus_carbon_g(s.sim, s.trace, s.trace.start_s, s.trace.end_s)
    assert full == pytest.approx(120.0) == pytest.approx(r.totals["carbon_g"])
    ref_sim = SimConfig(**{**s.sim.__dict__, "accounting": Accounting.REFERENCE})
    assert all_gpus_carbon_g(ref_sim, s.trace, s.trace.start_s, s.trace.end_s) == pytest.approx(
        800.0
    )
