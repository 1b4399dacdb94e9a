"""Image data sets for live search, with fixed train/validation/test splits from a seed.

``digits`` (scikit-learn's 8x8 digits, bundled, needs no files) is the default; ``fashion-mnist``
reads the four IDX files from a directory (Debian's ``dataset-fashion-mnist`` installs them in
:data:`DEBIAN_FASHION_MNIST_DIR`); ``cifar10`` reads the python batches; ``synthetic`` is a tiny
learnable set for tests. Pixels are scaled to [0, 1] and standardised per channel with the
training split's mean and standard deviation.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
import torch
from numpy.typing import NDArray

from cenas.errors import ConfigError, DataFileMissingError
from cenas.live._formats import read_cifar10_dir, read_fashion_mnist_dir

__all__ = [
    "DEBIAN_FASHION_MNIST_DIR",
    "DataSplits",
    "DatasetName",
    "ImageSet",
    "load_dataset",
    "make_splits",
    "synthetic_dataset",
]

DEBIAN_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
"""Where Debian's ``dataset-fashion-mnist`` package installs the gzipped IDX files."""


class DatasetName(StrEnum):
    """The data sets :func:`load_dataset` knows."""

    DIGITS = "digits"
    FASHION_MNIST = "fashion-mnist"
    CIFAR10 = "cifar10"
    SYNTHETIC = "synthetic"


@dataclass(frozen=True)
class ImageSet:
    """Images and labels of one split.

    Attributes:
        x: float32 images, shape ``(n, channels, height, width)``, standardised.
        y: int64 labels in ``[0, num_classes)``, shape ``(n,)``.
    """

    x: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return int(self.y.shape[0])


@dataclass(frozen=True)
class DataSplits:
    """A data set split into train, validation and test.

    Attributes:
        name: the data set.
        train: the training split (networks and supernets train on it).
        val: the validation split (accuracies that guide the search).
        test: the test split (held out; reported at the end).
        num_classes: number of classes.
        seed: the seed that fixed the splits.
        source: where the data came from (a directory, or ``scikit-learn``).
        sha256: SHA-256 of each file read (empty for bundled or generated data).
    """

    name: str
    train: ImageSet
    val: ImageSet
    test: ImageSet
    num_classes: int
    seed: int
    source: str
    sha256: dict[str, str] = field(default_factory=dict)

    @property
    def in_channels(self) -> int:
        """Channels of an image."""
        return int(self.train.x.shape[1])

    @property
    def image_size(self) -> tuple[int, int]:
        """Height and width of an image."""
        return int(self.train.x.shape[2]), int(self.train.x.shape[3])

    def split(self, name: str) -> ImageSet:
        """The split called ``train``, ``val`` or ``test``."""
        if name not in ("train", "val", "test"):
            raise ConfigError(f"split must be train, val or test, but got {name!r}")
        out: ImageSet = getattr(self, name)
        return out


def _standardise(parts: list[NDArray[np.float32]]) -> list[torch.Tensor]:
    train = parts[0]
    mean = train.mean(axis=(0, 2, 3), keepdims=True)
    std = train.std(axis=(0, 2, 3), keepdims=True) + 1e-6
    return [torch.from_numpy(((p - mean) / std).astype(np.float32)) for p in parts]


def make_splits(
    name: str,
    x_pool: NDArray[np.floating],
    y_pool: NDArray[np.integer],
    *,
    seed: int,
    val_fraction: float = 0.2,
    test: tuple[NDArray[np.floating], NDArray[np.integer]] | None = None,
    test_fraction: float = 0.2,
    train_size: int | None = None,
    val_size: int | None = None,
    source: str = "",
    sha256: dict[str, str] | None = None,
) -> DataSplits:
    """Split a pool of images into train/val (and test, when no official test set is given).

    The permutation comes from ``seed`` alone, so the same seed gives the same splits.

    Args:
        name: the data set's name.
        x_pool: images in [0, 1], shape ``(n, c, h, w)``.
        y_pool: labels, shape ``(n,)``.
        seed: fixes the permutation.
        val_fraction: share of the pool held out for validation, in (0, 1).
        test: an official test set (images, labels); else ``test_fraction`` of the pool.
        test_fraction: share of the pool held out for test when ``test`` is None.
        train_size: keep only this many training images (a subset for quick runs).
        val_size: keep only this many validation images.
        source: where the data came from.
        sha256: digests of the files read.

    Raises:
        ConfigError: fractions out of range, or splits that would be empty.
    """
    n = len(y_pool)
    hold = val_fraction + (0.0 if test is not None else test_fraction)
    if not (0 < val_fraction < 1 and 0 < hold < 1):
        raise ConfigError(
            f"val_fraction (and test_fraction) must be in (0, 1) and sum below 1, but got "
            f"{val_fraction} and {test_fraction}"
        )
    perm = np.random.default_rng(seed).permutation(n)
    n_val = max(1, round(val_fraction * n))
    n_test = 0 if test is not None else max(1, round(test_fraction * n))
    val_i, test_i, train_i = perm[:n_val], perm[n_val : n_val + n_test], perm[n_val + n_test :]
    for what, size in (("train_size", train_size), ("val_size", val_size)):
        if size is not None and size < 1:
            raise ConfigError(f"{what} must be >= 1, but got {size}")
    if train_size is not None:
        train_i = train_i[:train_size]
    if val_size is not None:
        val_i = val_i[:val_size]
    if len(train_i) == 0:
        raise ConfigError(f"data set {name!r} with {n} images leaves no training images")
    xs = [x_pool[train_i], x_pool[val_i]]
    ys = [y_pool[train_i], y_pool[val_i]]
    if test is not None:
        xs.append(test[0])
        ys.append(test[1])
    else:
        xs.append(x_pool[test_i])
        ys.append(y_pool[test_i])
    tx = _standardise([np.asarray(x, dtype=np.float32) for x in xs])
    ty = [torch.from_numpy(np.asarray(y, dtype=np.int64)) for y in ys]
    num_classes = int(max(int(t.max()) for t in ty)) + 1
    return DataSplits(
        name=name,
        train=ImageSet(tx[0], ty[0]),
        val=ImageSet(tx[1], ty[1]),
        test=ImageSet(tx[2], ty[2]),
        num_classes=num_classes,
        seed=seed,
        source=source,
        sha256=dict(sha256 or {}),
    )


def synthetic_dataset(
    *,
    n: int = 240,
    num_classes: int = 4,
    size: int = 8,
    channels: int = 1,
    seed: int = 0,
    noise: float = 0.35,
) -> DataSplits:
    """A tiny learnable set for tests: each class is a fixed random pattern plus Gaussian noise.

    Args:
        n: images in total (split 60/20/20).
        num_classes: classes, >= 2.
        size: height = width.
        channels: image channels.
        seed: fixes the patterns, the noise and the splits.
        noise: standard deviation of the noise (pattern values lie in [0, 1]).
    """
    if num_classes < 2 or n < 5 * num_classes or size < 2 or channels < 1:
        raise ConfigError(
            f"synthetic data needs num_classes >= 2, n >= 5 * num_classes, size >= 2 and "
            f"channels >= 1, but got {num_classes}, {n}, {size}, {channels}"
        )
    rng = np.random.default_rng(seed)
    patterns = rng.random((num_classes, channels, size, size))
    y = np.arange(n) % num_classes
    x = np.clip(patterns[y] + noise * rng.standard_normal((n, channels, size, size)), 0, 1)
    return make_splits("synthetic", x, y, seed=seed, source="generated")


_Subset = tuple[int | None, int | None]  # train_size, val_size


def _to01(a: NDArray[np.uint8]) -> NDArray[np.float32]:
    out: NDArray[np.float32] = a.astype(np.float32) / np.float32(255.0)
    return out


def _digits(seed: int, data_dir: Path | None, sub: _Subset, _: bool) -> DataSplits:
    from sklearn.datasets import load_digits

    if data_dir is not None:
        raise ConfigError("the digits data set is bundled with scikit-learn; it takes no data_dir")
    d = load_digits()
    x = (np.asarray(d.images, dtype=np.float64) / 16.0)[:, None, :, :]
    return make_splits(
        "digits", x, np.asarray(d.target), seed=seed, train_size=sub[0], val_size=sub[1],
        source="scikit-learn",
    )  # fmt: skip


def _fashion(seed: int, data_dir: Path | None, sub: _Subset, unverified: bool) -> DataSplits:
    directory = data_dir if data_dir is not None else DEBIAN_FASHION_MNIST_DIR
    if data_dir is None and not directory.is_dir():
        raise DataFileMissingError(
            f"no Fashion-MNIST directory given and {DEBIAN_FASHION_MNIST_DIR} does not exist; "
            "pass a directory of the four IDX files or install Debian's dataset-fashion-mnist"
        )
    x_tr, y_tr, x_te, y_te, digests = read_fashion_mnist_dir(directory, allow_unverified=unverified)
    return make_splits(
        "fashion-mnist",
        _to01(x_tr)[:, None],
        y_tr,
        seed=seed,
        val_fraction=1 / 12,  # 5,000 of 60,000, as NAS-Bench-201 holds out of CIFAR's train set
        test=(_to01(x_te)[:, None], y_te),
        train_size=sub[0],
        val_size=sub[1],
        source=str(directory),
        sha256=digests,
    )


def _cifar10(seed: int, data_dir: Path | None, sub: _Subset, _: bool) -> DataSplits:
    if data_dir is None:
        raise ConfigError("the cifar10 data set needs a data_dir (the cifar-10-batches-py folder)")
    x_tr, y_tr, x_te, y_te, digests = read_cifar10_dir(data_dir)
    return make_splits(
        "cifar10",
        _to01(x_tr),
        y_tr,
        seed=seed,
        val_fraction=0.1,
        test=(_to01(x_te), y_te),
        train_size=sub[0],
        val_size=sub[1],
        source=str(data_dir),
        sha256=digests,
    )


def _synthetic(seed: int, data_dir: Path | None, sub: _Subset, _: bool) -> DataSplits:
    if data_dir is not None or sub != (None, None):
        raise ConfigError("the synthetic data set is generated; it takes no data_dir or sizes")
    return synthetic_dataset(seed=seed)


_LOADERS: dict[DatasetName, Callable[[int, Path | None, _Subset, bool], DataSplits]] = {
    DatasetName.DIGITS: _digits,
    DatasetName.FASHION_MNIST: _fashion,
    DatasetName.CIFAR10: _cifar10,
    DatasetName.SYNTHETIC: _synthetic,
}


def load_dataset(
    name: str | DatasetName = DatasetName.DIGITS,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    seed: int = 0,
    train_size: int | None = None,
    val_size: int | None = None,
    allow_unverified: bool = False,
) -> DataSplits:
    """Load a data set by name with fixed splits.

    Args:
        name: one of :class:`DatasetName` (``digits``, ``fashion-mnist``, ``cifar10``,
            ``synthetic``).
        data_dir: the directory of the files (Fashion-MNIST: default
            :data:`DEBIAN_FASHION_MNIST_DIR`; CIFAR-10: required).
        seed: fixes the splits.
        train_size: keep only this many training images.
        val_size: keep only this many validation images.
        allow_unverified: Fashion-MNIST only: accept IDX files with unknown checksums (CIFAR
            batches are pickles and are always verified).

    Raises:
        ConfigError: an unknown name or an option the data set does not take.
        DataFileMissingError, ChecksumError, DataError: see the readers in
            :mod:`cenas.live._formats`.
    """
    try:
        key = DatasetName(name)
    except ValueError:
        raise ConfigError(
            f"unknown dataset {name!r}; expected one of {', '.join(d.value for d in DatasetName)}"
        ) from None
    return _LOADERS[key](
        seed, None if data_dir is None else Path(data_dir), (train_size, val_size), allow_unverified
    )
