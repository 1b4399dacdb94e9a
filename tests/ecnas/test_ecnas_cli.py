"""``cenas ecnas``: info, hash, surrogate train/predict, through the real entry point."""

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


def test_hash_prunes_and_names_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "ecnas",
        "hash",
        "--adjacency",
        "0110,0010,0001,0000",
        "--ops",
        "input,maxpool,maxpool,output",
        "--json",
    )
    doc = json.loads(out)
    assert code == 0 and doc["graph_hash"] == "001a6fcc8b38cbc515be788a86bdc804"
    assert doc["params"] == 1756298
    code, _, err = run(
        capsys, "ecnas", "hash", "--adjacency", "011,001,000", "--ops", "input,conv7x7,output"
    )
    assert code == 1 and "unknown operation 'conv7x7'" in err and "Traceback" not in err
    code, _, err = run(capsys, "ecnas", "hash", "--adjacency", "01,10", "--ops", "input,output")
    assert code == 1 and "strictly upper triangular" in err


@pytest.mark.data
def test_info(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = run(capsys, "ecnas", "info", "--data-dir", str(data_dir), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["architectures"] == 2532 and doc["repeats"] == [1]
    assert {m["name"] for m in doc["metrics"]} >= {"val_acc", "train_energy_kwh", "params"}
    code, out, _ = run(capsys, "ecnas", "info", "--vertices", "4", "--data-dir", str(data_dir))
    assert code == 0 and "91 architectures" in out
    code, _, err = run(capsys, "ecnas", "info", "--vertices", "6", "--data-dir", str(data_dir))
    assert code == 1 and "--vertices must be 4 or 5" in err


@pytest.mark.data
def test_surrogate_train_and_predict(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    model = tmp_path / "s.pt"
    code, out, _ = run(
        capsys,
        "ecnas",
        "surrogate",
        "train",
        "--epochs",
        "2",
        "--no-learning-curve",
        "--out",
        str(model),
        "--data-dir",
        str(data_dir),
        "--json",
    )
    doc = json.loads(out)
    assert code == 0 and model.is_file()
    assert -1 <= doc["kendall_tau"] <= 1
    assert (doc["n_train"], doc["n_valid"], doc["n_test"], doc["n_features"]) == (
        3017,
        431,
        862,
        36,
    )
    code, out, _ = run(
        capsys,
        "ecnas",
        "surrogate",
        "predict",
        "--model",
        str(model),
        "--adjacency",
        "0110,0010,0001,0000",
        "--ops",
        "input,maxpool,maxpool,output",
        "--json",
    )
    pred = json.loads(out)["predictions"]
    assert code == 0 and len(pred) == 1 and pred[0]["energy_kwh"] > 0
    assert pred[0]["params"] == 1756298 and not pred[0]["params_given"]
    cells = tmp_path / "cells.json"
    cells.write_text(
        json.dumps(
            [
                "0110,0010,0001,0000|input,maxpool3x3,maxpool3x3,output",
                {"adjacency": [[0, 1], [0, 0]], "ops": ["input", "output"], "params": 900000},
            ]
        )
    )
    code, out, _ = run(
        capsys,
        "ecnas",
        "surrogate",
        "predict",
        "--model",
        str(model),
        "--cells",
        str(cells),
        "--json",
    )
    pred2 = json.loads(out)["predictions"]
    assert code == 0 and pred2[0]["energy_kwh"] == pytest.approx(pred[0]["energy_kwh"])
    assert pred2[1]["params"] == 900000 and pred2[1]["params_given"]
    code, _, err = run(capsys, "ecnas", "surrogate", "predict", "--model", str(model))
    assert code == 1 and "--adjacency and --ops" in err
