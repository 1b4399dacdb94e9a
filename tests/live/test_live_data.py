"""Data sets: each file format from small files written here, checksums, bad files, splits."""

from __future__ import annotations

import gzip
import hashlib
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from cenas.errors import (
    ChecksumError,
    ConfigError,
    DataError,
    DataFileMissingError,
    UnsafePickleError,
)
from cenas.live import (
    DEBIAN_FASHION_MNIST_DIR,
    load_dataset,
    read_cifar10_dir,
    read_fashion_mnist_dir,
    read_idx,
    synthetic_dataset,
)

from ._files import FASHION_NAMES, cifar_py2_pickle, idx_bytes, write_cifar_dir, write_fashion_dir


@pytest.mark.parametrize("gz", [False, True])
def test_fashion_mnist_dir_raw_or_gzipped(tmp_path: Path, gz: bool) -> None:
    digests = write_fashion_dir(tmp_path, gz=gz)
    x_tr, y_tr, x_te, _, got = read_fashion_mnist_dir(tmp_path, sha256=digests)
    assert x_tr.shape == (60, 28, 28) and x_te.shape == (20, 28, 28)
    assert y_tr.tolist() == [i % 10 for i in range(60)]
    assert got == digests  # digests of the decompressed content, whatever the compression
    rng = np.random.default_rng(0)
    assert np.array_equal(x_tr, rng.integers(0, 256, (60, 28, 28), dtype=np.uint8))


def test_fashion_mnist_checksum_mismatch(tmp_path: Path) -> None:
    write_fashion_dir(tmp_path)
    with pytest.raises(ChecksumError, match="train-images-idx3-ubyte: SHA-256"):
        read_fashion_mnist_dir(tmp_path)  # the real files' checksums
    arrays = read_fashion_mnist_dir(tmp_path, allow_unverified=True)
    assert arrays[0].shape == (60, 28, 28)


def test_fashion_mnist_missing_file(tmp_path: Path) -> None:
    write_fashion_dir(tmp_path)
    (tmp_path / FASHION_NAMES[3]).unlink()
    with pytest.raises(DataFileMissingError, match="lacks t10k-labels-idx1-ubyte"):
        read_fashion_mnist_dir(tmp_path, allow_unverified=True)
    with pytest.raises(DataFileMissingError, match="does not exist"):
        read_fashion_mnist_dir(tmp_path / "nope", allow_unverified=True)


def test_corrupt_idx_headers(tmp_path: Path) -> None:
    good = idx_bytes(np.zeros((2, 3, 3), dtype=np.uint8))
    with pytest.raises(DataError, match="magic"):
        read_idx(b"\x01" + good[1:], "f")
    with pytest.raises(DataError, match="type code 0x07"):
        read_idx(good[:2] + b"\x07" + good[3:], "f")
    with pytest.raises(DataError, match=r"shape \(2, 3, 3\) \(18 bytes.*holds 17"):
        read_idx(good[:-1], "f")
    with pytest.raises(DataError, match="truncated"):
        read_idx(good[:6], "f")
    assert read_idx(good, "f").shape == (2, 3, 3)
    write_fashion_dir(tmp_path, gz=True)
    (tmp_path / f"{FASHION_NAMES[0]}.gz").write_bytes(gzip.compress(good[:-1]))
    with pytest.raises(DataError, match=f"{FASHION_NAMES[0]}.gz: IDX header"):
        read_fashion_mnist_dir(tmp_path, allow_unverified=True)
    (tmp_path / f"{FASHION_NAMES[0]}.gz").write_bytes(b"not gzip")
    with pytest.raises(DataError, match="not a readable gzip"):
        read_fashion_mnist_dir(tmp_path, allow_unverified=True)


def test_cifar_batches_from_python2_pickles(tmp_path: Path) -> None:
    digests = write_cifar_dir(tmp_path, n=12)
    x_tr, _, x_te, y_te, got = read_cifar10_dir(tmp_path, sha256=digests)
    assert x_tr.shape == (60, 3, 32, 32) and x_te.shape == (12, 3, 32, 32)
    assert y_te.tolist() == [i % 10 for i in range(12)]
    first = np.random.default_rng(0).integers(0, 256, (12, 3072), dtype=np.uint8)
    assert np.array_equal(x_tr[:12], first.reshape(12, 3, 32, 32))  # channel-first layout
    assert got == digests


def test_cifar_batches_are_verified_before_unpickling(tmp_path: Path) -> None:
    digests = write_cifar_dir(tmp_path)
    with pytest.raises(ChecksumError, match=r"data_batch_1: MD5 .* published"):
        read_cifar10_dir(tmp_path)  # not the standard batches, and no SHA-256 given
    wrong = dict(digests, test_batch="0" * 64)
    with pytest.raises(ChecksumError, match="test_batch: SHA-256"):
        read_cifar10_dir(tmp_path, sha256=wrong)


class _Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        import os

        return (os.system, ("echo pwned",))


def test_a_malicious_cifar_batch_is_refused(tmp_path: Path) -> None:
    digests = write_cifar_dir(tmp_path)
    blob = pickle.dumps({"data": _Evil(), "labels": [0]}, protocol=2)
    (tmp_path / "data_batch_3").write_bytes(blob)
    # Even a file the user vouches for by checksum is refused: it would run a command.
    digests["data_batch_3"] = hashlib.sha256(blob).hexdigest()
    with pytest.raises(UnsafePickleError, match=r"data_batch_3: pickle refers to posix\.system"):
        read_cifar10_dir(tmp_path, sha256=digests)


def test_cifar_batch_with_wrong_layout(tmp_path: Path) -> None:
    digests = write_cifar_dir(tmp_path)
    blob = cifar_py2_pickle(np.zeros((2, 3072), dtype=np.uint8), [0, 1, 2])
    (tmp_path / "data_batch_2").write_bytes(blob)
    digests["data_batch_2"] = hashlib.sha256(blob).hexdigest()
    with pytest.raises(DataError, match=r"data_batch_2: 'data' must be uint8.*3 labels"):
        read_cifar10_dir(tmp_path, sha256=digests)
    digests = write_cifar_dir(tmp_path / "other")
    (tmp_path / "other" / "test_batch").unlink()
    with pytest.raises(DataFileMissingError, match="lacks test_batch"):
        read_cifar10_dir(tmp_path / "other", sha256=digests)


def test_load_dataset_splits_are_fixed_by_the_seed() -> None:
    a, b, c = (load_dataset("digits", seed=s) for s in (3, 3, 4))
    assert len(a.train) + len(a.val) + len(a.test) == 1797
    assert torch.equal(a.train.x, b.train.x) and torch.equal(a.val.y, b.val.y)
    assert not torch.equal(a.val.y, c.val.y)
    assert a.in_channels == 1 and a.image_size == (8, 8) and a.num_classes == 10
    # Standardised with the training split's statistics.
    assert abs(float(a.train.x.mean())) < 1e-4
    sub = load_dataset("digits", train_size=100, val_size=50, seed=3)
    assert len(sub.train) == 100 and len(sub.val) == 50
    assert torch.equal(sub.val.y, a.val.y[:50])  # a subset of the same split
    with pytest.raises(ConfigError, match="val_size must be >= 1, but got 0"):
        load_dataset("digits", val_size=0)
    with pytest.raises(ConfigError, match="takes no data_dir or sizes"):
        load_dataset("synthetic", train_size=10)


def test_load_dataset_from_files(tmp_path: Path) -> None:
    write_fashion_dir(tmp_path / "f", n_train=120)
    d = load_dataset("fashion-mnist", data_dir=tmp_path / "f", allow_unverified=True, seed=1)
    assert len(d.val) == 10 and len(d.train) == 110 and len(d.test) == 20
    assert d.image_size == (28, 28) and set(d.sha256) == set(FASHION_NAMES)
    write_cifar_dir(tmp_path / "c")
    with pytest.raises(ChecksumError):
        load_dataset("cifar10", data_dir=tmp_path / "c")


def test_load_dataset_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown dataset 'mnist'; expected one of digits"):
        load_dataset("mnist")
    with pytest.raises(ConfigError, match="needs a data_dir"):
        load_dataset("cifar10")
    with pytest.raises(DataFileMissingError, match="lacks train-images"):
        load_dataset("fashion-mnist", data_dir=tmp_path)
    with pytest.raises(ConfigError, match="takes no data_dir"):
        load_dataset("digits", data_dir=tmp_path)


def test_synthetic_data_is_deterministic_and_learnable_in_shape() -> None:
    a, b = synthetic_dataset(seed=5), synthetic_dataset(seed=5)
    assert torch.equal(a.train.x, b.train.x)
    assert a.num_classes == 4 and a.train.x.dtype == torch.float32
    with pytest.raises(ConfigError):
        synthetic_dataset(num_classes=1)


@pytest.mark.skipif(not DEBIAN_FASHION_MNIST_DIR.is_dir(), reason="dataset-fashion-mnist absent")
def test_the_installed_fashion_mnist_verifies() -> None:
    d = load_dataset("fashion-mnist", train_size=50)
    assert len(d.test) == 10_000 and len(d.val) == 5_000 and d.num_classes == 10
