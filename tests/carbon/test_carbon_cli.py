"""``cenas carbon stats`` / ``plot`` through the real entry point, and the plot data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cenas.carbon import IntensityTrace, render_trace_png, trace_plot_data
from cenas.cli import main
from cenas.errors import ConfigError


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as e:
        main(list(args))
    out, err = capsys.readouterr()
    return int(e.value.code or 0), out, err


def _csv(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def _good(tmp_path: Path, n: int = 48) -> str:
    times = pd.date_range("2021-01-01", periods=n, freq="h")
    rows = "".join(f"{t},{100 + (i % 24) * 5}\n" for i, t in enumerate(times))
    return _csv(tmp_path, "good.csv", "Time,Carbon Intensity\n" + rows)


def test_stats_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "carbon", "stats", _good(tmp_path), "--json")
    doc = json.loads(out)
    assert code == 0
    assert doc["rows"] == 48 and doc["format"] == "time-carbon-intensity"
    assert doc["start"] == "2021-01-01T00:00:00+00:00" and doc["end"] == "2021-01-02T23:00:00+00:00"
    assert doc["mean"] == pytest.approx(157.5) and doc["min"] == 100 and doc["max"] == 215
    assert doc["source"].endswith("good.csv") and doc["kind"] == "lca"
    assert set(doc) >= {"rows", "start", "end", "mean", "min", "max", "cv", "format", "source"}


def test_stats_window_and_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _good(tmp_path)
    code, out, _ = run(
        capsys,
        "carbon",
        "stats",
        path,
        "--start",
        "2021-01-01 02:00",
        "--end",
        "2021-01-01 04:00",
        "--json",
    )
    assert code == 0 and json.loads(out)["rows"] == 2
    code, out, _ = run(capsys, "carbon", "stats", path)
    assert code == 0 and "rows" in out and "157.5" in out and "time-carbon-intensity" in out


BAD = {
    "empty": ("", "the file is empty"),
    "header only": ("Time,Carbon Intensity\n", "no data rows"),
    "other format": ("arch,accuracy\nx,1\n", "unrecognised header"),
    "unsorted": (
        "Time,Carbon Intensity\n2021-01-01 01:00,1\n2021-01-01 00:00,2\n2021-01-01 02:00,3\n",
        "expected rows sorted",
    ),
    "duplicate": (
        "Time,Carbon Intensity\n2021-01-01 00:00,100\n2021-01-01 00:00,200\n",
        "duplicate timestamp",
    ),
    "gap": (
        "Time,Carbon Intensity\n2021-01-01 00:00,100\n2021-01-01 01:00,100\n"
        "2021-01-01 03:00,100\n2021-01-01 04:00,100\n",
        "gap of 1 step",
    ),
    "nan": ("Time,Carbon Intensity\n2021-01-01 00:00,100\n2021-01-01 01:00,NaN\n", "NaN"),
    "negative": ("Time,Carbon Intensity\n2021-01-01 00:00,100\n2021-01-01 01:00,-3\n", "negative"),
    "wrong unit": (
        "Time,Carbon Intensity\n2021-01-01 00:00,250000\n2021-01-01 01:00,260000\n",
        "another unit",
    ),
    "no time zone": ("timestamp,value\n2021-01-01 00:00,1\n2021-01-01 01:00,2\n", "no time zone"),
}


@pytest.mark.parametrize(("text", "expected"), BAD.values(), ids=BAD.keys())
def test_bad_files_one_line_nonzero(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, expected: str
) -> None:
    path = _csv(tmp_path, "bad.csv", text)
    code, out, err = run(capsys, "carbon", "stats", path, "--json")
    assert code == 1 and out == ""
    assert "bad.csv" in err and expected in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_gap_policy_option(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _csv(tmp_path, "gap.csv", BAD["gap"][0])
    code, out, _ = run(capsys, "carbon", "stats", path, "--gap-policy", "ffill", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["rows"] == 5 and doc["filled_steps"] == 1
    assert doc["gaps"] == [
        {"start": "2021-01-01T02:00:00+00:00", "end": "2021-01-01T03:00:00+00:00", "steps": 1}
    ]


def test_window_with_start_is_rejected(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "carbon", "stats", _good(tmp_path), "--window", "trace1", "--start", "2021-01-01"
    )
    assert code == 1 and "--window cannot be combined" in err


def test_window_outside_trace(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "carbon", "stats", _good(tmp_path, 10), "--window", "trace2")
    assert code == 1 and "not inside the trace" in err
    assert len(err.strip().splitlines()) == 1


def test_plot(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_png = tmp_path / "t.png"
    code, out, _ = run(capsys, "carbon", "plot", _good(tmp_path), "-o", str(out_png))
    assert code == 0 and "wrote" in out
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _, err = run(capsys, "carbon", "plot", _good(tmp_path), "-o", str(tmp_path / "t.jpg"))
    assert code == 1 and "must be a .png" in err


def test_plot_data() -> None:
    idx = pd.date_range("2021-01-01", periods=4, freq="h")
    tr = IntensityTrace.from_series(pd.Series([100.0, 200.0, 300.0, 400.0], index=idx))
    data = trace_plot_data(tr)
    assert data.mean_g_per_kwh == 250.0 and data.step_s == 3600
    np.testing.assert_array_equal(data.values_g_per_kwh, [100, 200, 300, 400])
    assert data.times.equals(tr.times)
    assert "gCO2eq/kWh" in data.ylabel and data.source == tr.source.label
    assert "2021-01-01 00:00 to 2021-01-01 03:00" in data.title
    assert trace_plot_data(tr, "custom").title == "custom"
    with pytest.raises(ConfigError, match="does not exist"):
        render_trace_png(data, Path("/nonexistent-dir/x.png"))


@pytest.mark.data
def test_cli_ciso_2021(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(
        capsys,
        "carbon",
        "stats",
        "carbon/electricitymaps/US-CAL-CISO_2021_hourly.csv",
        "--data-dir",
        str(data_dir),
        "--json",
    )
    doc = json.loads(out)
    assert code == 0 and doc["rows"] == 8760 and doc["format"] == "electricitymaps-portal"
    assert doc["mean"] == pytest.approx(205.6, abs=0.1)
    assert doc["min"] == pytest.approx(58.8, abs=0.1)
    assert doc["max"] == pytest.approx(326.0, abs=0.1)
    assert doc["kind"] == "direct" and "US-CAL-CISO_2021_hourly.csv" in doc["source"]
    path = str(data_dir / "carbon/electricitymaps/US-CAL-CISO_2021_hourly.csv")
    code, out, _ = run(
        capsys, "carbon", "stats", path, "--kind", "lca", "--window", "trace2", "--json"
    )
    doc = json.loads(out)
    assert code == 0 and doc["rows"] == 41 and doc["kind"] == "lca"
