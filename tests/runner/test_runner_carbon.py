"""Carbon sources of the live runner: trace replay, a live API, and the recorded fallback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cenas.carbon import CarbonSignal, ConstantSignal, IntensityReading
from cenas.errors import CarbonSignalError
from cenas.runner import InlineExecutor, LiveRunner, live_record, load_search_config
from cenas.runner.testing import toy_workload
from cenas.store import RunStore


class Unreachable(CarbonSignal):
    @property
    def label(self) -> str:
        return "electricitymaps:TEST"

    def reading(self, t_s: float) -> IntensityReading:
        raise CarbonSignalError("electricitymaps:TEST: connection refused")


def _run(cfg_path: Path, run_dir: Path, api: CarbonSignal | None) -> list[dict[str, object]]:
    wl = toy_workload()
    runner = LiveRunner.start(
        load_search_config(cfg_path),
        run_dir,
        workload=wl,
        executor=InlineExecutor(wl, str(run_dir)),
        api=api,
    )
    runner.run()
    runner.close()
    with RunStore.open(run_dir, readonly=True) as st:
        return [e.payload for e in st.events()]


def test_unreachable_api_falls_back_to_the_trace_and_says_so(
    tmp_path: Path, search_config: Callable[..., Path]
) -> None:
    events = _run(search_config(hours=3), tmp_path / "run", Unreachable())
    allocs = [e for e in events if "is_fallback" in e]
    assert len(allocs) == 3
    assert all(a["is_fallback"] and "connection refused" in str(a["api_error"]) for a in allocs)
    # the trace's own values were used: 300, 100, 200 g/kWh in the first three hours
    assert [a["intensity"] for a in allocs] == [300.0, 100.0, 200.0]
    assert (
        "3 interval(s) fell back to the trace"
        in live_record(tmp_path / "run").provenance["carbon intensity"]
    )


def test_a_live_api_reading_is_charged_and_named(
    tmp_path: Path, search_config: Callable[..., Path]
) -> None:
    events = _run(search_config(hours=2), tmp_path / "run", ConstantSignal(123.0, label="api:X"))
    tasks = [e for e in events if e.get("status") == "ok"]
    assert tasks
    for t in tasks:
        assert t["carbon_source"] == "api:X" and t["intensity"] == 123.0
        assert t["carbon_g"] == pytest.approx(float(t["energy_kwh"]) * 123.0)  # type: ignore[arg-type]


def test_trace_replay_charges_the_intensity_of_the_hour_a_task_ran(
    tmp_path: Path, search_config: Callable[..., Path]
) -> None:
    events = _run(search_config(hours=4), tmp_path / "run", None)
    hourly = {0: 300.0, 1: 100.0, 2: 200.0, 3: 50.0}
    tasks = [e for e in events if e.get("status") == "ok"]
    assert {t["hours"] for t in tasks} >= {0.0, 1.0}
    for t in tasks:
        # an unpaced clock maps a task onto the start of its interval
        assert t["intensity"] == hourly[int(t["hours"])]  # type: ignore[call-overload]
        assert t["carbon_source"] == "generic:trace.csv" or "trace.csv" in str(t["carbon_source"])


def test_resume_from_any_prefix_of_the_store_reaches_the_same_evaluations(
    tmp_path: Path, search_config: Callable[..., Path]
) -> None:
    """Cutting the store after the k-th event (what a kill -9 leaves) and resuming gives the
    uninterrupted run's evaluations, and no recorded task runs again (fast, in-process twin of
    the kill -9 test)."""
    import shutil
    import sqlite3

    cfg = search_config(hours=4, waves_per_interval=2)
    _run(cfg, tmp_path / "full", None)
    expected = sorted((r.index, r.objectives) for r in live_record(tmp_path / "full").evaluations)
    with RunStore.open(tmp_path / "full", readonly=True) as st:
        n_events = st.count()
    for cut in (3, n_events // 2, n_events - 2):
        d = tmp_path / f"cut{cut}"
        shutil.copytree(tmp_path / "full", d)
        conn = sqlite3.connect(d / "run.sqlite")
        with conn:
            conn.execute("DELETE FROM events WHERE seq > ?", (cut,))
        conn.close()
        with RunStore.open(d, readonly=True) as st:
            kept = {e.payload["key"] for e in st.events("task")}
        wl = toy_workload()
        runner = LiveRunner.resume(d, workload=wl, executor=InlineExecutor(wl, str(d)))
        runner.run()
        runner.close()
        assert sorted((r.index, r.objectives) for r in live_record(d).evaluations) == expected
        with RunStore.open(d, readonly=True) as st:
            keys = [e.payload["key"] for e in st.events("task")]
        assert len(keys) == len(set(keys)) and kept <= set(keys)


def test_accelerated_clock_paces_every_new_interval_and_replay_does_not_wait(
    tmp_path: Path, search_config: Callable[..., Path]
) -> None:
    import sqlite3

    wl = toy_workload()
    slept: list[float] = []
    cfg = load_search_config(search_config(hours=3, seconds_per_hour=2.0))
    runner = LiveRunner.start(
        cfg, tmp_path / "run", workload=wl, executor=InlineExecutor(wl, "x"), sleep=slept.append
    )
    runner.run()
    runner.close()
    assert len(slept) == 3 and all(0 < s <= 2.0 for s in slept)
    conn = sqlite3.connect(tmp_path / "run" / "run.sqlite")
    with conn:  # cut the end and the last interval's wave records: one interval left to redo
        conn.execute("DELETE FROM events WHERE kind = 'end'")
        last = conn.execute("SELECT MAX(seq) FROM events WHERE kind = 'allocation'").fetchone()[0]
        conn.execute("DELETE FROM events WHERE seq > ?", (last,))
    conn.close()
    slept.clear()
    runner = LiveRunner.resume(
        tmp_path / "run", workload=wl, executor=InlineExecutor(wl, "x"), sleep=slept.append
    )
    runner.run()
    runner.close()
    assert len(slept) == 1
