"""``cenas forecast``: backtest table/JSON, fit + predict, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cenas.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as e:
        main(list(args))
    out, err = capsys.readouterr()
    return int(e.value.code or 0), out, err


def _csv(path: Path, days: int) -> Path:
    idx = pd.date_range("2021-03-01", periods=days * 24, freq="h", tz="UTC")
    hours = np.arange(days * 24)
    values = 200 + 50 * np.sin(2 * np.pi * hours / 24) + 10 * np.sin(hours / 37.0)
    stamps = [t.isoformat() for t in idx]
    pd.DataFrame({"timestamp": stamps, "value": values}).to_csv(path, index=False)
    return path


def test_backtest_json_rows(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    trace = _csv(tmp_path / "t.csv", 64)
    code, out, err = run(
        capsys, "forecast", "backtest", str(trace), "--model", "seasonal-naive", "--json"
    )
    assert code == 0, err
    rows = json.loads(out)
    assert [r["model"] for r in rows] == ["persistence", "seasonal-naive"]
    assert set(rows[0]["mape"]) == {"day1", "day2", "day3", "day4", "overall"}
    assert all(v >= 0 for r in rows for v in r["mape"].values())


def test_backtest_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    trace = _csv(tmp_path / "t.csv", 64)
    code, out, _ = run(
        capsys, "forecast", "backtest", str(trace), "-m", "persistence", "--seed", "3"
    )
    assert code == 0
    assert "day 4" in out and "overall" in out and "persistence" in out and "seed 3" in out


def test_fit_and_predict(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    trace = _csv(tmp_path / "t.csv", 20)
    model_dir = tmp_path / "model"
    code, out, err = run(
        capsys, "forecast", "fit", str(trace), "--model", "persistence", "-o", str(model_dir)
    )
    assert code == 0, err
    code, out, err = run(
        capsys,
        "forecast",
        "predict",
        "--model-dir",
        str(model_dir),
        str(trace),
        "--at",
        "2021-03-10T05:00",
        "--hours",
        "30",
        "--json",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["issue_time"] == "2021-03-10T05:00:00+00:00" and len(doc["times"]) == 30
    values = pd.read_csv(trace)["value"].to_numpy()
    i = 9 * 24 + 5
    np.testing.assert_allclose(doc["forecast_g_per_kwh"], values[i - 24 + np.arange(30) % 24])


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["backtest", "{short}"], "too short for the backtest"),
        (["backtest", "{long}", "--model", "prophet"], "unknown forecast model 'prophet'"),
        (["backtest", "{missing}"], "missing.csv"),
        (["predict", "{long}", "--model-dir", "{tmp}", "--at", "2021-03-20"], "not a saved"),
        (
            ["fit", "{long}", "-m", "persistence", "-o", "{tmp}/m", "--valid-from", "1999-01-01"],
            "valid_from",
        ),
    ],
)
def test_one_line_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], needle: str
) -> None:
    paths = {
        "short": str(_csv(tmp_path / "short.csv", 30)),
        "long": str(_csv(tmp_path / "long.csv", 64)),
        "missing": str(tmp_path / "missing.csv"),
        "tmp": str(tmp_path),
    }
    code, _, err = run(capsys, "forecast", *[a.format(**paths) for a in args])
    assert code == 1
    assert needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


def test_fit_records_its_training_period(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    trace = _csv(tmp_path / "t.csv", 64)
    model_dir = tmp_path / "gbm"
    code, out, err = run(
        capsys,
        "forecast",
        "fit",
        str(trace),
        "-m",
        "gbm",
        "-o",
        str(model_dir),
        "--end",
        "2021-04-20",
        "--seed",
        "0",
    )
    assert code == 0, err
    doc = json.loads((model_dir / "forecaster.json").read_text())
    assert doc["training"]["start"] == "2021-03-01T00:00:00+00:00"
    assert doc["training"]["end"] == "2021-04-20T00:00:00+00:00"
    assert len(doc["training"]["data_sha256"]) == 64
    assert "2021-04-20" in out


def test_predict_with_history_from_another_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    whole = pd.read_csv(_csv(tmp_path / "whole.csv", 20))
    whole.iloc[: 10 * 24].to_csv(tmp_path / "hist.csv", index=False)
    whole.iloc[10 * 24 :].to_csv(tmp_path / "run.csv", index=False)
    model_dir = tmp_path / "p"
    run(
        capsys,
        "forecast",
        "fit",
        str(tmp_path / "hist.csv"),
        "-m",
        "seasonal-naive",
        "-o",
        str(model_dir),
    )
    args = ["predict", str(tmp_path / "run.csv"), "--model-dir", str(model_dir)]
    args += ["--at", "2021-03-11T03:00", "--hours", "24", "--json"]
    code, _, err = run(capsys, "forecast", *args)
    assert code == 1 and "needs 168 h of history" in err
    code, out, err = run(capsys, "forecast", *args, "--history", str(tmp_path / "hist.csv"))
    assert code == 0, err
    values = whole["value"].to_numpy()
    i = 10 * 24 + 3
    np.testing.assert_allclose(
        json.loads(out)["forecast_g_per_kwh"], values[i - 168 + np.arange(24)]
    )
