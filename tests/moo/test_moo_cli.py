"""``cenas moo effectiveness`` through the real entry point, on NAS-Bench-201."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cenas.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as e:
        main(list(args))
    out, err = capsys.readouterr()
    return int(e.value.code or 0), out, err


@pytest.mark.data
def test_effectiveness_json(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(
        capsys,
        "moo",
        "effectiveness",
        "--data-dir",
        str(data_dir),
        "--runs",
        "2",
        "--samples",
        "60",
        "--seed",
        "1",
        "--json",
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["objectives"] == "cifar10_test_acc:max,latency_pixel3_ms:min"
    for side in ("region", "whole"):
        assert set(doc[side]["means"]) == {"cifar10_test_acc", "latency_pixel3_ms"}
        assert doc[side]["hypervolume"] > 0
    assert len(doc["per_run"]) == 2 and doc["seed"] == 1


@pytest.mark.data
def test_effectiveness_table_and_errors(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(
        capsys,
        "moo",
        "effectiveness",
        "--data-dir",
        str(data_dir),
        "--runs",
        "1",
        "--samples",
        "40",
        "--objectives",
        "cifar10_test_acc:max,latency_raspi4_ms:min",
    )
    assert code == 0
    assert "selected region" in out and "hypervolume" in out
    code, _, err = run(
        capsys,
        "moo",
        "effectiveness",
        "--data-dir",
        str(data_dir),
        "--objectives",
        "nope:max",
    )
    assert code == 1 and "unknown metric 'nope'" in err and "Traceback" not in err
