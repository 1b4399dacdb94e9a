"""The foundation's commands, run through the real entry point (one line + exit 1 on errors)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cenas.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as e:
        main(list(args))
    out, err = capsys.readouterr()
    return int(e.value.code or 0), out, err


def test_data_verify(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, "data", "verify", "--data-dir", str(data_dir), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["ok"] and doc["checked"] == 46


def test_data_verify_changed_byte(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "data"
    shutil.copytree(data_dir / "nas" / "nb201" / "few_shot_nas", copy / "nas/nb201/few_shot_nas")
    victim = copy / "nas/nb201/few_shot_nas/one-shot-supernet.json"
    victim.chmod(0o644)
    raw = bytearray(victim.read_bytes())
    raw[10] = ord("X") if raw[10] != ord("X") else ord("Y")
    victim.write_bytes(bytes(raw))
    code, out, _ = run(capsys, "data", "verify", "--data-dir", str(copy))
    assert code == 1
    assert "one-shot-supernet.json" in out and "MISMATCH" in out


def test_data_verify_missing_dir(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "data", "verify", "--data-dir", str(tmp_path / "absent"))
    assert code == 1
    assert "does not exist" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_bench_info_query_pareto(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    d = ["--data-dir", str(data_dir)]
    code, out, _ = run(capsys, "bench", "info", "nb201", *d, "--json")
    info = json.loads(out)
    assert code == 0 and info["architectures"] == 15_625
    assert {"pixel3", "raspi4"} <= set(info["devices"])
    units = {m["name"]: (m["unit"], m["direction"]) for m in info["metrics"]}
    assert units["latency_pixel3_ms"] == ("ms", "min")

    arch = (
        "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|"
        "+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
    )
    code, out, _ = run(capsys, "bench", "query", "nb201", "--arch", arch, *d, "--json")
    q = json.loads(out)
    assert q["index"] == 0
    assert q["metrics"]["cifar10_test_acc"] == pytest.approx(85.863, abs=1e-3)

    code, out, _ = run(
        capsys,
        "bench",
        "pareto",
        "nb201",
        "--objectives",
        "cifar10_test_acc:max,latency_pixel3_ms:min",
        "--ref",
        "0,30",
        *d,
        "--json",
    )
    p = json.loads(out)
    assert code == 0 and p["front_size"] == len(p["front"]) > 5
    assert p["hypervolume"] > 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("bench", "query", "nb201", "--arch", "|x~0|"), "3 node groups"),
        (("bench", "query", "nope", "--index", "0"), "unknown benchmark 'nope'"),
        (("bench", "pareto", "nb201", "--objectives", "acc", "--ref", "0"), "NAME:max"),
        (("bench", "pareto", "nb201", "--ref", "0"), "--ref must have 2 values"),
        (
            (
                "bench",
                "pareto",
                "nb201",
                "--objectives",
                "foo:max,latency_pixel3_ms:min",
                "--ref",
                "0,1",
            ),
            "unknown metric 'foo'",
        ),
    ],
)
def test_bad_input_one_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, args: tuple[str, ...], message: str
) -> None:
    code, _, err = run(capsys, *args, "--data-dir", str(data_dir))
    assert code == 1
    assert message in err
    assert "Traceback" not in err


def test_error_after_progress_is_exactly_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A command that starts its progress bar and then fails must still print one line only.
    short = tmp_path / "short.csv"
    short.write_text("timestamp,value\n2021-01-01T00:00Z,100\n2021-01-01T01:00Z,120\n")
    code, out, err = run(capsys, "forecast", "backtest", str(short))
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error:") and "too short" in err
