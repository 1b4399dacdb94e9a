"""``cenas reproduce``'s bad input: one line on stderr and exit 1, before any work."""

from __future__ import annotations

from pathlib import Path

import pytest

from cenas.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as e:
        main(list(args))
    _, err = capsys.readouterr()
    return int(e.value.code or 0), err


def one_line(code: int, err: str) -> str:
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def test_out_must_be_a_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    assert "--out must be a directory" in one_line(*run(capsys, "reproduce", "--out", str(f)))


def test_missing_config_names_the_option(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    line = one_line(
        *run(capsys, "reproduce", "--out", str(tmp_path / "o"), "--config", str(tmp_path / "x"))
    )
    assert "--config" in line and "not a file" in line


def test_pickle_options_need_the_pickle(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("")
    line = one_line(
        *run(
            capsys,
            "reproduce",
            "--out",
            str(tmp_path / "o"),
            "--config",
            str(cfg),
            "--allow-unverified-pickle",
        )
    )
    assert "need --hwnas PATH" in line


def test_missing_data_dir_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cfg = Path(__file__).resolve().parents[2] / "configs" / "nb201_trace1.toml"
    line = one_line(
        *run(
            capsys,
            "reproduce",
            "--quick",
            "--out",
            str(tmp_path / "o"),
            "--config",
            str(cfg),
            "--data-dir",
            str(tmp_path / "nothing"),
        )
    )
    assert "nothing" in line
