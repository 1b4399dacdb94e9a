"""Carbon accounting of the live runner (``full`` and ``reference``) against hand-computed totals
on a toy trace, with a fake clock: every task takes exactly 60 s and reports a fixed energy."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from cenas.runner import InlineExecutor, LiveRunner, Workload, live_record, load_search_config
from cenas.runner.testing import toy_workload
from cenas.store import RunStore

ENERGY_KWH = {"supernet": 0.002, "estimate": 0.0005, "evaluate": 0.001}
TASK_S = 60.0
HOURLY = [300.0, 100.0, 200.0, 50.0, 400.0, 250.0]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.now += s


class FixedEnergy(Workload):
    """The toy workload, each task lasting TASK_S on the fake clock with a fixed energy."""

    def __init__(self, clock: Clock) -> None:
        self.base = toy_workload()
        self.space, self.objectives = self.base.space, self.base.objectives
        self.maximize, self.ref_point = self.base.maximize, self.base.ref_point
        self.clock = clock

    def _spend(self, kind: str) -> dict[str, Any]:
        self.clock.now += TASK_S
        return {"measured_energy_kwh": ENERGY_KWH[kind], "measured_meter": "fixed"}

    def train_supernet(
        self, region_id: int, seed: int, workdir: Path, members: tuple[int, ...] = ()
    ) -> dict[str, Any]:
        return self._spend("supernet")

    def estimate(
        self, indices: NDArray[np.int64], region_id: int, workdir: Path
    ) -> tuple[NDArray[np.float64], dict[str, Any]]:
        return self.base.estimate(indices, region_id, workdir)[0], self._spend("estimate")

    def evaluate(self, index: int, seed: int) -> NDArray[np.float64]:
        return self.base.evaluate(index, seed)

    def evaluate_with_info(
        self, index: int, seed: int
    ) -> tuple[NDArray[np.float64], dict[str, Any]]:
        return self.base.evaluate(index, seed), self._spend("evaluate")


def _run(
    cfg_path: Path, run_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], list[Any]]:
    clock = Clock()
    monkeypatch.setattr(time, "time", clock)  # the worker's clock around each task
    wl = FixedEnergy(clock)
    runner = LiveRunner.start(
        load_search_config(cfg_path),
        run_dir,
        workload=wl,
        executor=InlineExecutor(wl, str(run_dir)),
        sleep=clock.sleep,
        clock=clock,
    )
    end = runner.run()
    runner.close()
    with RunStore.open(run_dir, readonly=True) as st:
        events = list(st.events())
    return end, events


# one trace hour = 600 s of wall clock; a wave of two inline tasks takes 120 s, so every interval
# lasts its paced 600 s and no task crosses a trace hour (speed 6: 240 s of work = 24 min)
PACED = {"hours": 4, "seconds_per_hour": 600, "pue": 1.5, "idle_power_w": 20.0}


def test_full_accounting_charges_tasks_and_idle_slots(
    tmp_path: Path, search_config: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    end, events = _run(search_config(**PACED), tmp_path / "run", monkeypatch)
    tasks = [e.payload for e in events if e.kind == "task"]
    assert tasks and {t["kind"] for t in tasks} >= {"evaluate", "supernet", "estimate"}
    expected = 0.0
    for k in range(4):
        mine = [t for t in tasks if t["key"].startswith(f"e{k}.")]
        # tasks: energy x PUE x the hour's intensity
        expected += sum(ENERGY_KWH[t["kind"]] * 1.5 * HOURLY[k] for t in mine)
        # idle: 2 slots x 600 s, less 60 s per task, at 20 W x PUE x the hour's intensity
        idle_s = 2 * 600.0 - TASK_S * len(mine)
        expected += idle_s / 3600.0 * 0.020 * 1.5 * HOURLY[k]
    assert end["carbon_g"] == pytest.approx(expected, rel=1e-9)
    assert end["accounting"] == "full"
    idle = [e.payload for e in events if e.kind == "idle"]
    assert [i["interval"] for i in idle] == [0, 1, 2, 3]
    rec = live_record(tmp_path / "run")
    assert rec.accounting == "full" and rec.summary["accounting"] == "full"
    assert rec.provenance["carbon accounting"].startswith("full: every worker slot charged")


def test_reference_accounting_charges_training_gpu_hours_only(
    tmp_path: Path, search_config: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = search_config(accounting="reference", **PACED)
    end, events = _run(cfg, tmp_path / "run", monkeypatch)
    tasks = [e.payload for e in events if e.kind == "task"]
    trained = [t for t in tasks if t["kind"] == "evaluate"]
    assert trained and len(trained) < len(tasks)
    # 60 s of one GPU at the implied 1 kW, no PUE, at the hour's intensity
    expected = sum(TASK_S / 3600.0 * 1.0 * HOURLY[int(t["hours"])] for t in trained)
    assert end["carbon_g"] == pytest.approx(expected, rel=1e-9)
    assert all(t["carbon_g"] == 0.0 for t in tasks if t["kind"] != "evaluate")
    assert all(e.payload["carbon_g"] == 0.0 for e in events if e.kind == "idle")
    assert live_record(tmp_path / "run").accounting == "reference"


def test_the_budget_check_counts_the_idle_charge_to_come(
    tmp_path: Path, search_config: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # idle slots at 1 kW: interval 0 could cost 2 x 1/6 h x 1 kW x 300 g/kWh = 100 g of idle time
    # alone; a 60 g budget stops the run before a task starts. Tasks alone (0.001 kWh bound
    # x 300) would fit, as the reference run shows.
    run = {**PACED, "idle_power_w": 1000.0, "pue": 1.0, "carbon_budget_g": 60.0}
    end, events = _run(search_config(**run), tmp_path / "full", monkeypatch)
    assert end["reason"] == "budget"
    assert not [e for e in events if e.kind == "task"]
    assert end["carbon_g"] <= 60.0
    end, events = _run(search_config(accounting="reference", **run), tmp_path / "ref", monkeypatch)
    assert [e for e in events if e.kind == "task"]
    assert end["carbon_g"] <= 60.0
