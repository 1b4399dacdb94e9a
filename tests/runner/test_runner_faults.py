"""Worker faults (a task that raises, a worker killed mid-task), executors, config errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from cenas.errors import ConfigError
from cenas.runner import (
    LiveRunner,
    LocalExecutor,
    Outcome,
    TaskKind,
    TaskSpec,
    live_record,
    load_search_config,
    parse_search_config,
)
from cenas.runner.testing import FaultyWorkload, toy_workload
from cenas.store import RunStore


def test_local_executor_retries_then_records_failures_and_survives_a_killed_worker(
    tmp_path: Path,
) -> None:
    wl = FaultyWorkload(toy_workload(), raise_on={3}, kill_on={5}, marker_dir=str(tmp_path))
    specs = [TaskSpec(f"t{i}", TaskKind.EVALUATE, (i,), 0, i) for i in (1, 3, 5, 7)]
    got: dict[str, Outcome] = {}
    with LocalExecutor(wl, 2, str(tmp_path), retries=1) as ex:
        ex.run(specs, lambda s, o: got.__setitem__(s.key, o))
        assert set(got) == {"t1", "t3", "t5", "t7"}
        assert got["t3"].result is None and got["t3"].attempts == 2
        assert got["t3"].error is not None and "injected failure evaluating 3" in got["t3"].error
        # the killed worker's task was retried on a fresh worker and succeeded
        assert got["t5"].result is not None and got["t5"].attempts == 2
        np.testing.assert_allclose(
            got["t1"].result.y if got["t1"].result else [], wl.base.evaluate(1, 1).reshape(1, -1)
        )
        # the pool works after the death
        later: dict[str, Outcome] = {}
        ex.run(
            [TaskSpec("u", TaskKind.EVALUATE, (9,), 0, 0)], lambda s, o: later.setdefault(s.key, o)
        )
        assert later["u"].result is not None


def test_a_failing_evaluation_is_recorded_and_the_run_goes_on(
    tmp_path: Path, search_config: Callable[..., Path]
) -> None:
    cfg = load_search_config(search_config(workers=2, hours=3, retries=0))
    base = toy_workload()
    # fail every evaluation of an odd architecture: some initial samples are odd
    wl = FaultyWorkload(
        base, raise_on=set(range(1, 64, 2)), kill_on=set(), marker_dir=str(tmp_path)
    )
    runner = LiveRunner.start(cfg, tmp_path / "run", workload=wl)
    end = runner.run()
    runner.close()
    assert end["reason"] == "horizon"
    rec = live_record(tmp_path / "run")
    failed = [r for r in rec.evaluations if r.status != "ok"]
    ok = [r for r in rec.evaluations if r.status == "ok"]
    assert failed and ok
    assert all(r.index % 2 == 1 and "injected failure" in r.status for r in failed)
    assert all(r.index % 2 == 0 for r in ok)
    assert end["n_failed"] == len(failed)


@pytest.mark.parametrize(
    ("doc", "match"),
    [
        ({"run": {"workers": 0}}, "run.workers must be >= 1"),
        ({"run": {"wrokers": 2}}, "run.wrokers is not a known key"),
        ({"runn": {}}, r"\[runn\] is not a known table"),
        ({"run": {"seed": "x"}}, "run.seed must be int"),
        ({"run": {"hours": True}}, "run.hours must be float"),
        ({"search": {"mode": "fast"}}, "search.mode must be one of cenas, vanilla, oneshot"),
        ({"executor": {"kind": "slurm"}}, "executor.kind must be one of local, ray"),
        ({"run": {"carbon_budget_g": -1}}, "carbon_budget_g must be > 0"),
    ],
)
def test_config_errors_name_the_key(doc: dict[str, object], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        parse_search_config(doc, "cfg.toml")  # type: ignore[arg-type]


def test_config_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_search_config(tmp_path / "none.toml")
    (tmp_path / "bad.toml").write_text("[run\nseed=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_search_config(tmp_path / "bad.toml")
    for shipped in Path(__file__).parents[2].glob("configs/search_*.toml"):
        load_search_config(shipped)


def test_unknown_dataset_is_a_config_error(
    tmp_path: Path, search_config: Callable[..., Path]
) -> None:
    cfg_path = search_config()
    cfg_path.write_text(cfg_path.read_text().replace('dataset = "synthetic"', 'dataset = "mnist"'))
    with pytest.raises(ConfigError, match=r"workload\.dataset must be one of digits.*'mnist'"):
        load_search_config(cfg_path)
    # a data set that needs files it cannot find fails before the run exists
    cfg_path.write_text(cfg_path.read_text().replace('dataset = "mnist"', 'dataset = "cifar10"'))
    with pytest.raises(ConfigError, match="cifar10 data set needs a data_dir"):
        LiveRunner.start(load_search_config(cfg_path), tmp_path / "run")
    assert not (tmp_path / "run" / "run.sqlite").exists(), "nothing is created on bad input"


def test_resume_refuses_what_is_not_a_run(tmp_path: Path) -> None:
    from cenas.errors import StoreError

    with pytest.raises(StoreError, match="not a run directory"):
        LiveRunner.resume(tmp_path)
    RunStore.create(tmp_path / "empty").close()
    with pytest.raises(StoreError, match="no run event"):
        LiveRunner.resume(tmp_path / "empty")
