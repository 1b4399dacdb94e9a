"""``cenas search``/``resume``/``report``: one clear line for bad input; report of both worlds."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from cenas.cli import main
from cenas.runner import LiveRunner, parse_search_config
from cenas.runner.testing import toy_workload
from cenas.store import SCHEMA_VERSION, STORE_FILE, RunStore


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 1
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    text = " ".join(lines)
    assert "Traceback" not in err
    for n in needles:
        assert n in text


def test_bad_inputs_get_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "search", str(tmp_path / "none.toml"))
    _one_line_error(code, err, "does not exist")
    (tmp_path / "bad.toml").write_text("[run]\nworkers = 0\n")
    code, _, err = run(capsys, "search", str(tmp_path / "bad.toml"))
    _one_line_error(code, err, "run.workers must be >= 1")
    f = tmp_path / "file"
    f.write_text("x")
    (tmp_path / "ok.toml").write_text("[run]\nworkers = 1\n")
    code, _, err = run(capsys, "search", str(tmp_path / "ok.toml"), "--out", str(f))
    _one_line_error(code, err, "existing file")
    code, _, err = run(capsys, "resume", str(tmp_path))
    _one_line_error(code, err, "not a run directory")
    code, _, err = run(capsys, "report", str(tmp_path))
    _one_line_error(code, err, "not a run directory")
    code, _, err = run(capsys, "report", str(f))
    _one_line_error(code, err, "is a file")
    RunStore.create(tmp_path / "newer").close()
    conn = sqlite3.connect(tmp_path / "newer" / STORE_FILE)
    with conn:
        conn.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 5),)
        )
    conn.close()
    for cmd in ("resume", "report"):
        code, _, err = run(capsys, cmd, str(tmp_path / "newer"))
        _one_line_error(code, err, "newer than this cenas supports")


def test_missing_trace_leaves_no_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text('[carbon]\ntrace = "nowhere/trace.csv"\n')
    code, _, err = run(capsys, "search", str(tmp_path / "c.toml"), "--out", str(tmp_path / "r"))
    _one_line_error(code, err, "nowhere/trace.csv")
    assert not (tmp_path / "r" / STORE_FILE).exists()


def test_report_of_a_live_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    trace = tmp_path / "t.csv"
    trace.write_text(
        "timestamp,value\n"
        + "".join(f"2021-01-01T{h:02d}:00:00Z,{100 + 20 * h}\n" for h in range(12))
    )
    cfg = parse_search_config(
        {
            "run": {"workers": 1, "hours": 4, "seconds_per_hour": 0.0, "waves_per_interval": 2},
            "search": {
                "initial_samples": 3,
                "queue_capacity": 4,
                "estimate_batch": 4,
                "leaf_size": 4,
            },
            "carbon": {"trace": str(trace), "start": "2021-01-01T00:00:00Z"},
        }
    )
    runner = LiveRunner.start(cfg, tmp_path / "run", workload=toy_workload())
    runner.run()
    runner.close()
    code, out, _ = run(capsys, "report", str(tmp_path / "run"), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["kind"] == "live" and doc["evaluations"] >= 3
    page = Path(doc["report"]).read_text()
    assert page.count("data:image/png;base64,") == 2
    assert "full: every worker slot charged" in page and "t.csv" in page


def test_shipped_gpu_config_parses_and_fails_in_one_line_without_its_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cfg = Path(__file__).parents[2] / "configs" / "search_cifar10_ray.toml"
    parsed = parse_search_config(__import__("tomllib").loads(cfg.read_text()), str(cfg))
    assert parsed.executor.kind == "ray" and parsed.workload.device == "cuda"
    code, _, err = run(capsys, "search", str(cfg), "--out", str(tmp_path / "run"))
    _one_line_error(code, err, "cifar-10-batches-py")
    assert not (tmp_path / "run").exists()
    # with the data but no GPU on a local executor: the device is named
    text = cfg.read_text().replace('kind = "ray"', 'kind = "local"')
    text = text.replace('dataset = "cifar10"', 'dataset = "synthetic"')
    text = text.replace('data_dir = "/path/to/cifar-10-batches-py"', "")
    (tmp_path / "local.toml").write_text(text)
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    code, _, err = run(capsys, "search", str(tmp_path / "local.toml"), "--out", str(tmp_path / "r"))
    _one_line_error(code, err, "cuda")
