"""The same tiny search through a local Ray instance (one test: Ray starts slowly on 2 cores)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cenas.runner import (
    LiveRunner,
    RayExecutor,
    TaskKind,
    TaskSpec,
    live_record,
    load_search_config,
)
from cenas.runner.testing import FaultyWorkload, toy_workload

ray = pytest.importorskip("ray", reason="the `ray` extra is not installed")


@pytest.mark.slow
def test_search_and_worker_faults_on_a_local_ray_instance(
    tmp_path: Path, search_config: Callable[..., Path]
) -> None:
    wl = FaultyWorkload(toy_workload(), raise_on={3}, kill_on={5}, marker_dir=str(tmp_path))
    ex = RayExecutor(wl, 2, str(tmp_path / "sn"), retries=1, num_cpus=1.0)
    try:
        got = {}
        specs = [TaskSpec(f"t{i}", TaskKind.EVALUATE, (i,), 0, i) for i in (1, 3, 5)]
        ex.run(specs, lambda s, o: got.__setitem__(s.key, o))
        assert got["t1"].result is not None
        assert got["t3"].result is None and "injected failure" in (got["t3"].error or "")
        assert got["t3"].attempts == 2
        assert got["t5"].result is not None and got["t5"].attempts == 2  # worker died, retried
        # a whole search on the synthetic set, with a Ray executor of its own on the same
        # (already started) Ray instance, built from the configuration
        path = search_config(hours=3)
        path.write_text(path.read_text() + '\n[executor]\nkind = "ray"\nnum_cpus = 1.0\n')
        cfg = load_search_config(path)
        runner = LiveRunner.start(cfg, tmp_path / "run")
        end = runner.run()
        runner.close()
    finally:
        ex.close()
    assert end["reason"] == "horizon"
    rec = live_record(tmp_path / "run")
    assert len([r for r in rec.evaluations if r.status == "ok"]) >= 3
    assert rec.estimates
