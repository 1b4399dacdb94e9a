"""``cenas live``: output of both commands and one line + exit 1 for every bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from cenas.cli import main

from ._files import FASHION_NAMES, write_cifar_dir, write_fashion_dir

ARCH = "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as e:
        main(list(args))
    out, err = capsys.readouterr()
    return int(e.value.code or 0), out, err


def test_live_train_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "live", "train", "--arch", ARCH, "--dataset", "synthetic", "--epochs", "1",
        "--device", "cpu", "--json",
    )  # fmt: skip
    doc = json.loads(out)
    assert code == 0 and doc["arch"] == ARCH and doc["device"] == "cpu"
    for key in ("accuracy", "energy_kwh", "latency_ms", "params", "seconds", "meter"):
        assert key in doc
    assert doc["params"] > 0 and doc["energy_kwh"] >= 0 and doc["meter"]


def test_live_supernet_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "live", "supernet", "--dataset", "synthetic", "--archs", "3", "--epochs", "1",
        "--train-epochs", "1", "--device", "cpu", "--no-progress",
    )  # fmt: skip
    assert code == 0 and "Kendall tau =" in out and "one-shot %" in out


def _bad(tmp_path: Path) -> list[tuple[list[str], str]]:
    bad_header = tmp_path / "bad_header"
    write_fashion_dir(bad_header)
    (bad_header / FASHION_NAMES[1]).write_bytes(b"\x00\x00\x08\x01" + b"\x00\x00\x00\x09" + b"\x01")
    missing = tmp_path / "missing"
    write_fashion_dir(missing)
    (missing / FASHION_NAMES[2]).unlink()
    mismatch = tmp_path / "mismatch"
    write_cifar_dir(mismatch)
    train = ["live", "train", "--arch", ARCH, "--device", "cpu"]
    return [
        ([*train, "--dataset", "imagenet"], "unknown dataset 'imagenet'"),
        ([*train, "--dataset", "fashion-mnist", "--data-dir", str(missing)], "lacks t10k-images"),
        ([*train, "--dataset", "cifar10", "--data-dir", str(mismatch)], "data_batch_1: MD5"),
        (
            [
                *train,
                "--dataset",
                "fashion-mnist",
                "--data-dir",
                str(bad_header),
                "--allow-unverified",
            ],
            "IDX header says shape (9,)",
        ),
        (["live", "train", "--arch", "|conv~0|+|x~0|y~1|+|a~0|b~1|c~2|"], "unknown operation"),
        (["live", "train", "--arch", "|none~0|+|none~0|"], "must have 3 node groups"),
        ([*train, "--epochs", "0"], "Invalid value for '--epochs'"),
        (["live", "train", "--arch", ARCH, "--device", "tpu"], "unknown device 'tpu'"),
        ([*train, "--preset", "huge"], "unknown --preset 'huge'"),
        (["live", "supernet", "--archs", "1"], "--archs must be >= 2"),
        (["live", "supernet", "--archs", "3", "--epochs", "0"], "'--epochs'"),
    ]


def test_bad_input_gives_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for args, message in _bad(tmp_path):
        code, _, err = run(capsys, *args)
        assert code == 1, args
        assert message in err, (args, err)
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is present here")
def test_cuda_where_none_exists(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "live", "train", "--arch", ARCH, "--device", "cuda")
    assert code == 1 and "CUDA is not available" in err and len(err.strip().splitlines()) == 1
