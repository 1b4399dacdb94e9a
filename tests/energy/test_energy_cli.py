"""``cenas track``: end to end on this machine (whatever meters it has), carbon options, errors."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cenas.cli import main
from cenas.energy import LOG_COLUMNS, CpuTable, read_cpu_model_name


def _cpu_known() -> bool:
    return CpuTable.load().lookup(read_cpu_model_name()) is not None


def _run_main(capfd: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(argv)
    out, err = capfd.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err


def test_track_json_end_to_end_in_a_subprocess(tmp_path: Path) -> None:
    if not _cpu_known() and not Path("/sys/class/powercap").is_dir():
        pytest.skip("CPU model not in the table and no RAPL: cenas track needs --tdp-w here")
    log = tmp_path / "runs.csv"
    script = "import sys; print('hello from the command'); sys.exit(3)"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cenas",
            "track",
            "--json",
            "--log",
            str(log),
            "--",
            sys.executable,
            "-c",
            script,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 3, proc.stderr  # the command's exit status
    doc = json.loads(proc.stdout)  # stdout is exactly one JSON document
    assert "hello from the command" in proc.stderr
    assert doc["exit_status"] == 3
    assert doc["command"][-1] == script
    assert doc["duration_s"] > 0
    assert doc["energy_kwh"] >= 0 and doc["carbon_g"] >= 0
    assert doc["meters"] and all(c["meter"] in doc["meters"] for c in doc["components"])
    assert doc["carbon_sources"][0].startswith("fallback:world-average")
    assert doc["carbon_is_fallback"] is True
    if "cpu-model" in doc["meters"]:  # e.g. this project's machine: no RAPL, no GPU
        assert doc["cpu_model_used"] is True
        assert doc["energy_source"].endswith("CPU energy estimated by the CPU model")
        assert "no RAPL: " in doc["energy_source"]
    rows = list(csv.DictReader(log.open()))
    assert len(rows) == 1 and rows[0]["exit_status"] == "3"
    assert not (tmp_path / "xdg").exists()  # --log given: the default log is not touched


def test_default_log_and_constant_intensity(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    argv = [
        "track",
        "--json",
        "--intensity",
        "250",
        "--pue",
        "1.5",
        "--tdp-w",
        "20",
        "--",
        sys.executable,
        "-c",
        "sum(i for i in range(10**6))",
    ]
    for _ in range(2):
        code, out, _ = _run_main(capfd, argv)
        assert code == 0
    doc = json.loads(out)
    assert doc["carbon_sources"] == ["user-constant:250"]
    assert doc["carbon_is_fallback"] is False
    assert doc["pue"] == 1.5
    assert doc["carbon_g"] == pytest.approx(doc["energy_kwh"] * 1.5 * 250.0)
    log = tmp_path / "xdg" / "cenas" / "track.csv"
    assert doc["log"] == str(log)
    with log.open() as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == LOG_COLUMNS and len(rows) == 3


def test_trace_replay(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    trace = tmp_path / "grid.csv"
    trace.write_text(
        "timestamp,value\n"
        + "".join(f"2021-06-01T0{h}:00:00+00:00,{100 * (h + 1)}\n" for h in range(4))
    )
    code, out, _ = _run_main(
        capfd,
        [
            "track",
            "--json",
            "--no-log",
            "--trace",
            str(trace),
            "--trace-start",
            "2021-06-01T01:30:00Z",
            "--tdp-w",
            "20",
            "--",
            sys.executable,
            "-c",
            "pass",
        ],
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["carbon_is_fallback"] is False
    assert "grid.csv" in doc["carbon_sources"][0]
    assert "replayed from 2021-06-01T01:30:00+00:00" in doc["carbon_note"]
    if doc["energy_kwh"] > 0:
        assert doc["mean_intensity_g_per_kwh"] == pytest.approx(200.0)


def test_human_output_names_meters_and_sources(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run_main(
        capfd,
        [
            "track",
            "--no-log",
            "--tdp-w",
            "20",
            "--",
            sys.executable,
            "-c",
            "print('hi')",
        ],
    )
    assert code == 0
    assert "hi" in out
    assert "energy source" in out and "carbon source" in out and "fallback" in out


@pytest.mark.parametrize(
    ("args", "msg"),
    [
        (["--intensity", "100", "--trace", "x.csv"], "alternatives"),
        (["--kind", "lca"], "only apply with --trace"),
        (["--intensity", "-1"], "--intensity must be >= 0"),
        (["--pue", "0.5"], "pue must be"),
    ],
)
def test_bad_options_are_one_line_errors(
    capfd: pytest.CaptureFixture[str], args: list[str], msg: str
) -> None:
    code, _, err = _run_main(
        capfd, ["track", "--no-log", "--tdp-w", "20", *args, "--", sys.executable, "-c", "pass"]
    )
    assert code == 1
    assert msg in err and "Traceback" not in err


def test_missing_executable(capfd: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run_main(
        capfd, ["track", "--no-log", "--tdp-w", "20", "--", "no-such-program-cenas"]
    )
    assert code == 1 and "cannot run no-such-program-cenas" in err


def test_foreign_log_file_is_refused(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "other.csv"
    log.write_text("a,b\n1,2\n")
    code, _, err = _run_main(
        capfd, ["track", "--log", str(log), "--tdp-w", "20", "--", sys.executable, "-c", "pass"]
    )
    assert code == 1 and "header must be" in err
    assert log.read_text() == "a,b\n1,2\n"
