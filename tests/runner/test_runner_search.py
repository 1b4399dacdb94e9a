"""The live runner end to end: local executor, resume after kill -9, determinism, budget."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cenas.errors import StoreError
from cenas.runner import LiveRunner, live_record, load_search_config
from cenas.store import RunStore


def _evaluations(run_dir: Path) -> list[tuple[int, tuple[float, ...]]]:
    rec = live_record(run_dir)
    return sorted((r.index, r.objectives) for r in rec.evaluations)


def _run(cfg_path: Path, run_dir: Path) -> dict[str, object]:
    runner = LiveRunner.start(load_search_config(cfg_path), run_dir)
    try:
        return runner.run()
    finally:
        runner.close()


@pytest.mark.slow
def test_tiny_search_end_to_end_and_kill_9_then_resume_gives_the_same_evaluations(
    tmp_path: Path, search_config: Callable[..., Path]
) -> None:
    cfg = search_config(hours=4)
    ref_dir = tmp_path / "uninterrupted"
    end = _run(cfg, ref_dir)
    assert end["reason"] == "horizon"
    expected = _evaluations(ref_dir)
    assert len(expected) >= 5  # initial samples plus queued ones were trained
    rec = live_record(ref_dir)
    assert rec.estimates, "sampling workers estimated architectures"
    assert all(r.energy_kwh >= 0 and r.carbon_source for r in rec.evaluations)
    assert rec.summary["status"] == "finished"
    # resuming a finished run repeats nothing
    with RunStore.open(ref_dir, readonly=True) as st:
        n_tasks = st.count("task")
    runner = LiveRunner.resume(ref_dir)
    runner.run()
    runner.close()
    with RunStore.open(ref_dir, readonly=True) as st:
        assert st.count("task") == n_tasks

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for n, kill_after in enumerate((1, 3, 6)):
        run_dir = tmp_path / f"killed{n}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "cenas", "search", str(cfg), "--out", str(run_dir), "--json"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        done = 0
        while time.monotonic() < deadline and proc.poll() is None:
            if (run_dir / "run.sqlite").exists():
                try:
                    with RunStore.open(run_dir, readonly=True) as st:
                        done = st.count("task")
                except (StoreError, sqlite3.Error):  # the file may be half created
                    done = 0
            if done >= kill_after:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the search ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with RunStore.open(run_dir, readonly=True) as st:
            tasks = [e.payload for e in st.events("task")]
            assert not any(e.kind == "end" for e in st.events())
        assert len(tasks) >= kill_after
        pids = {t["info"]["pid"] for t in tasks if t["status"] == "ok"}
        time.sleep(1.0)  # workers notice their parent is gone within 0.2 s
        alive = [p for p in pids if _alive(p)]
        assert not alive, f"orphaned worker processes {alive}"
        res = subprocess.run(
            [sys.executable, "-m", "cenas", "resume", str(run_dir), "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert res.returncode == 0, res.stderr
        assert json.loads(res.stdout)["status"] == "finished"
        assert _evaluations(run_dir) == expected
        with RunStore.open(run_dir, readonly=True) as st:
            keys = [e.payload["key"] for e in st.events("task")]
        assert len(keys) == len(set(keys)), "a finished task was run again"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead too
    try:
        return Path(f"/proc/{pid}/status").read_text().find("State:\tZ") < 0
    except OSError:
        return False


def test_same_seed_same_evaluations_different_seed_different(
    tmp_path: Path, search_config: Callable[..., Path]
) -> None:
    _run(search_config("a.toml", workers=1, hours=3, waves_per_interval=2), tmp_path / "a")
    _run(search_config("b.toml", workers=1, hours=3, waves_per_interval=2), tmp_path / "b")
    _run(search_config("c.toml", workers=1, hours=3, waves_per_interval=2, seed=8), tmp_path / "c")
    a, b, c = (_evaluations(tmp_path / x) for x in "abc")
    assert a == b
    assert [i for i, _ in a] != [i for i, _ in c]


def test_carbon_budget_is_never_exceeded_and_the_stop_is_recorded(
    tmp_path: Path, search_config: Callable[..., Path]
) -> None:
    # before anything is measured a task may cost 0.001 kWh x 300 g/kWh = 0.3 g: the first of
    # the two initial trainings fits in 0.5 g, the second could overshoot and never starts
    cfg = search_config(workers=2, hours=5, task_energy_bound_kwh=0.001, carbon_budget_g=0.5)
    end = _run(cfg, tmp_path / "run")
    assert end["reason"] == "budget"
    assert float(end["carbon_g"]) <= 0.5
    with RunStore.open(tmp_path / "run", readonly=True) as st:
        stops = [e.payload for e in st.events("budget_stop")]
        tasks = [e.payload for e in st.events("task")]
    assert len(stops) == 1 and "budget" in stops[0]["message"]
    assert len(tasks) == 1, "exactly the affordable work ran"
    assert sum(t["carbon_g"] for t in tasks) <= 0.5
    assert "budget" in live_record(tmp_path / "run").provenance
