"""``cenas rl``: one line and exit 1 for bad input; evaluation on a held-out window."""

from __future__ import annotations

from pathlib import Path

import pytest

from cenas.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as e:
        main(list(args))
    out, err = capsys.readouterr()
    return int(e.value.code or 0), out, err


def _one_line(code: int, err: str) -> str:
    assert code == 1, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def test_train_bad_inputs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = _one_line(*run(capsys, "rl", "train", str(tmp_path / "nope.toml"))[::2])
    assert "does not exist" in line
    bad = tmp_path / "bad.toml"
    bad.write_text('[rl]\nexperiment = "x.toml"\nalgorithm = "dqn"\ntraces = []\n')
    assert "algorithm must be one of" in _one_line(*run(capsys, "rl", "train", str(bad))[::2])
    f = tmp_path / "file"
    f.write_text("")
    cfg = str(ROOT / "configs" / "rl_default.toml")
    line = _one_line(*run(capsys, "rl", "train", cfg, "--out", str(f))[::2])
    assert "--out must be a directory" in line
    line = _one_line(*run(capsys, "rl", "train", cfg, "--timesteps", "0")[::2])
    assert "--timesteps must be >= 1" in line


def test_evaluate_unknown_method(capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(ROOT / "configs" / "nb201_trace1_rl.toml")
    line = _one_line(*run(capsys, "rl", "evaluate", cfg, "-m", "nope", "--no-progress")[::2])
    assert "no method named 'nope'" in line


@pytest.mark.data
@pytest.mark.slow
def test_evaluate_one_window_json(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    import json

    from cenas.rl import HELD_OUT_WINDOWS, evaluate_policies, summarise_policies

    runs = evaluate_policies(
        ROOT / "configs" / "nb201_trace1_rl.toml",
        windows=HELD_OUT_WINDOWS[:1],
        budget_fractions=(0.2,),
        seeds=(0,),
        methods=("CE-NAS RL", "CE-NAS hybrid"),
        data_dir=data_dir,
    )
    assert list(runs["method"]) == ["CE-NAS RL", "CE-NAS hybrid"]
    assert (runs["carbon_g"] <= 0.2 * runs["reference_carbon_g"] * (1 + 1e-9)).all()
    assert "pretrained discrete" in runs["policy"].iloc[0]
    table = summarise_policies(runs)
    assert list(table["budget"]) == ["0.2", "0.2"]
    code, out, _ = run(
        capsys,
        "rl",
        "evaluate",
        str(ROOT / "configs" / "nb201_trace1_rl.toml"),
        "--seeds",
        "1",
        "-m",
        "CE-NAS RL",
        "--json",
        "--no-progress",
    )
    assert code == 0
    rows = json.loads(out)
    assert {r["budget"] for r in rows} == {"0.1", "0.2", "0.4", "none"}
