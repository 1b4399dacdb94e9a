"""What a new user meets first: one line and exit 1 for every bad input, text shown verbatim,
output paths checked before the work, help without internals, topics imported on demand."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cenas.cli._track as track_cli
from cenas.cli import main
from cenas.cli._app import TOPICS, build_app
from cenas.cli._help import plain_help, tidy_help


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as e:
        main(list(args))
    out, err = capsys.readouterr()
    return int(e.value.code or 0), out, err


def one_line_error(code: int, err: str) -> str:
    assert code == 1, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


# -- user text is shown verbatim, never as rich markup -------------------------------------------


@pytest.mark.parametrize("header", ["[/red],value", "[foo],bar"])
def test_csv_header_with_brackets_is_shown_verbatim(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, header: str
) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(f"{header}\n2021-01-01T00:00Z,1\n")
    line = one_line_error(*run(capsys, "carbon", "stats", str(f))[::2])
    assert header.split(",")[0] in line


def test_path_with_markup_is_shown_verbatim(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "d[/x]" / "[bold]a.csv"
    line = one_line_error(*run(capsys, "carbon", "stats", str(missing))[::2])
    assert "d[/x]/[bold]a.csv" in line


# -- one exit status for bad input, usage errors included ----------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("bench", "pareto", "--show", "x", "--ref", "0,1"),
        ("data", "list", "--no-such-option"),
        ("no-such-command",),
        ("track",),
        ("ecnas", "hash", "--ops", "input,output"),
    ],
)
def test_usage_errors_are_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    code, _, err = run(capsys, *args)
    one_line_error(code, err)


def test_bench_show_must_not_be_negative(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "bench", "pareto", "--ref", "0,30", "--show", "-5")
    assert "--show" in one_line_error(code, err)


def _hourly_csv(tmp_path: Path) -> Path:
    f = tmp_path / "t.csv"
    f.write_text(
        "timestamp,value\n"
        + "".join(f"2021-01-01T{h:02d}:00:00+00:00,{100 + h}\n" for h in range(24))
    )
    return f


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--start", "2021-01-02T00:00"), "--start 2021-01-02T00:00:00+00:00 is not before"),
        (("--end", "2020-12-31"), "--end 2020-12-31T00:00:00+00:00 is not after"),
        (("--start", "2021-01-01T05:00", "--end", "2021-01-01T04:00"), "must be after --start"),
        (("--start", "soon"), "--start must be a datetime"),
    ],
)
def test_carbon_window_errors_name_the_options(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: tuple[str, ...], words: str
) -> None:
    code, _, err = run(capsys, "carbon", "stats", str(_hourly_csv(tmp_path)), *args)
    assert words in one_line_error(code, err)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("moo", "effectiveness", "--runs", "0"), "'--runs'"),
        (("moo", "effectiveness", "--cp", "-1"), "'--cp'"),
        (("bench", "pareto", "--ref", "0,nan"), "--ref must be finite numbers"),
        (("ecnas", "info", "--vertices", "6"), "--vertices must be 4 or 5"),
        (("ecnas", "surrogate", "train", "--epochs", "0"), "--epochs must be at least 1"),
    ],
)
def test_option_errors_name_the_option(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], words: str
) -> None:
    assert words in one_line_error(*run(capsys, *args)[::2])


# -- output paths are checked before any work ----------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("simulate", "configs/nb201_trace1.toml", "--out", "{file}"),
        ("experiment", "configs/nb201_trace1.toml", "--out", "{file}"),
        ("forecast", "fit", "no-such-trace.csv", "-m", "persistence", "-o", "{file}"),
        ("data", "download", "carbon/dacf/PJM_direct_emissions.csv", "--dest", "{file}"),
        ("data", "download", "carbon/dacf/PJM_direct_emissions.csv", "--dest", "{file}/sub"),
    ],
)
def test_existing_file_as_output_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: tuple[str, ...]
) -> None:
    f = tmp_path / "README.md"
    f.write_text("not a directory\n")
    code, _, err = run(capsys, *(a.format(file=f) for a in args))
    line = one_line_error(code, err)
    assert "must be a directory" in line and str(f) in line
    assert f.read_text() == "not a directory\n"


def test_data_list_named_directory_must_exist(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "data", "list", "--data-dir", str(tmp_path / "absent"))
    assert "does not exist" in one_line_error(code, err) and out == ""


def test_data_list_pipes_full_cells(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Piped output (not a terminal) keeps every cell whole, on one line, so it can be copied.
    code, out, _ = run(capsys, "data", "list", "--data-dir", str(tmp_path))
    assert code == 0
    origins = [line for line in out.splitlines() if "https://" in line]
    assert origins and all(len(line) > 120 for line in origins)
    assert "carbon/electricitymaps/US-CAL-CISO_2021_hourly.csv" in out


# -- cenas track: a bad --log fails before the command; a failing log loses no measurement -------


def test_track_log_directory_fails_before_running(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    code, _, err = run(
        capsys, "track", "--log", str(tmp_path), "--intensity", "100", "--", "touch", str(marker)
    )
    assert "is a directory" in one_line_error(code, err)
    assert not marker.exists()


def test_track_failing_log_keeps_the_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*_a: object, **_k: object) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(track_cli, "append_tracking_log", full_disk)
    log = tmp_path / "track.csv"
    code, out, err = run(
        capsys, "track", "--json", "--log", str(log), "--intensity", "100", "--interval", "0.05",
        "--", sys.executable, "-c", "raise SystemExit(3)",
    )  # fmt: skip
    assert code == 3  # the command's status
    doc = json.loads(out)
    assert doc["exit_status"] == 3 and doc["energy_kwh"] >= 0 and doc["log"] is None
    assert "warning: the run was not logged" in err and "No space left" in err


@pytest.mark.parametrize(
    ("option", "value"), [("--pue", "inf"), ("--interval", "0"), ("--tdp-w", "-3")]
)
def test_track_numbers_are_named_by_their_option(
    capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    code, _, err = run(capsys, "track", "--no-log", option, value, "--", "true")
    line = one_line_error(code, err)
    assert option in line and "np.float64" not in line and "interval_s" not in line


# -- ecnas surrogate: a file that is not a model --------------------------------------------------


def test_surrogate_predict_on_a_text_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "ecnas", "surrogate", "predict", "--model", "README.md",
        "--adjacency", "011,001,000", "--ops", "input,conv3x3,output",
    )  # fmt: skip
    line = one_line_error(code, err)
    assert "README.md" in line and "weights_only" not in line


# -- help -----------------------------------------------------------------------------------------


def _command_paths() -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = [()]
    todo = [((), tidy_help(__import__("typer").main.get_command(build_app())))]
    while todo:
        prefix, cmd = todo.pop()
        for name, sub in getattr(cmd, "commands", {}).items():
            paths.append((*prefix, name))
            todo.append(((*prefix, name), sub))
    return sorted(paths)


def test_every_command_is_reachable_from_the_table() -> None:
    top = {p[0] for p in _command_paths() if len(p) == 1}
    assert top == set(TOPICS)


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "cenas")
def test_help_shows_no_internals(capsys: pytest.CaptureFixture[str], path: tuple[str, ...]) -> None:
    code, out, _ = run(capsys, *path, "--help")
    assert code == 0 and "Usage: cenas" in out
    usage = next(line for line in out.splitlines() if "Usage: cenas" in line)
    assert "{" not in usage and not re.search(r"\[[a-z]", usage), usage
    for leak in ("<bool>", "`", "load_trace", "cenas.carbon", "cenas.moo", "Config("):
        assert leak not in out, f"{leak!r} in the help of {' '.join(path)}"


def test_help_prose_is_reflowed() -> None:
    assert plain_help("Run it,\n    then ``report``.\n\n    Next `x`.") == (
        "Run it, then 'report'.\n\nNext 'x'."
    )
    track = tidy_help(__import__("typer").main.get_command(build_app(["track"])))
    help_text = track.commands["track"].help  # type: ignore[attr-defined]
    assert all("\n" not in p for p in help_text.split("\n\n"))


# -- topics are imported when their command runs --------------------------------------------------

_SNIFF = """
import sys
from cenas.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted(m for m in ("cenas.moo", "moocore", "sklearn", "botorch", "torch", "cenas.forecast")
               if m in sys.modules)
print("HEAVY", heavy, file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["track", "--help"],
        ["track", "--no-log", "--intensity", "100", "--interval", "0.05", "--", "true"],
    ],
)
def test_track_does_not_import_the_search_stacks(args: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _SNIFF, *args], capture_output=True, text=True, timeout=120
    )
    assert "HEAVY []" in proc.stderr, proc.stderr


def test_moo_choices_match_the_library() -> None:
    from cenas.cli._moo import KernelChoice, StrategyChoice
    from cenas.moo import SelectStrategy, SvmKernel

    assert [c.value for c in KernelChoice] == [c.value for c in SvmKernel]
    assert [c.value for c in StrategyChoice] == [c.value for c in SelectStrategy]


# -- bench pareto: a reference point that no architecture beats ------------------------------------


def test_reference_point_beaten_by_nobody_is_an_error() -> None:
    import numpy as np

    from cenas.bench import Objectives
    from cenas.cli._bench import check_reference_point
    from cenas.errors import ConfigError

    obj = Objectives.parse("acc:max,lat:min")
    front = obj.to_min(np.array([[90.0, 5.0], [80.0, 2.0]]))
    assert check_reference_point(obj, front, [0.0, 10.0]) == 0
    assert check_reference_point(obj, front, [85.0, 10.0]) == 1  # (80, 2) adds nothing
    with pytest.raises(ConfigError, match=r"acc best 90, not above 100; lat best 2, not below 1"):
        check_reference_point(obj, front, [100.0, 1.0])
    with pytest.raises(ConfigError, match="by no architecture in all"):
        check_reference_point(obj, front, [85.0, 3.0])


@pytest.mark.data
def test_bench_pareto_reference_point(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    d = ("--data-dir", str(data_dir))
    code, out, err = run(capsys, "bench", "pareto", "--ref", "100,0", *d)
    assert "the hypervolume would be 0" in one_line_error(code, err) and out == ""
    code, out, err = run(capsys, "bench", "pareto", "--ref", "90,20", "--show", "2", *d)
    assert code == 0 and err.startswith("warning: ") and "add nothing" in err
    arch = next(line for line in out.splitlines() if "|nor_conv" in line)
    assert arch.count("~") == 6  # the whole architecture string, not cut at 80 columns


def test_track_says_what_it_guessed_from_a_file_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    f = tmp_path / "PJM_direct_emissions.csv"
    f.write_text(
        "UTC time,carbon_intensity\n"
        + "".join(f"2021-01-01 {h:02d}:00:00,{300 + h}\n" for h in range(24))
    )
    code, out, _ = run(
        capsys, "track", "--json", "--no-log", "--interval", "0.05", "--trace", str(f), "--", "true"
    )
    note = json.loads(out)["carbon_note"]
    assert code == 0 and "zone 'PJM' is guessed from the file name" in note
