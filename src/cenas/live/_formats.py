"""Reading image data sets from their standard files: IDX (Fashion-MNIST) and CIFAR-10's python
batches.

Both are checked before they are parsed. IDX files are checked by the SHA-256 of their
*decompressed* bytes, so a re-compressed copy (Debian's ``dataset-fashion-mnist`` ships gzip files
whose bytes differ from the upstream ones) verifies the same. CIFAR-10 batches are pickles and are
never unpickled unchecked: each file must match a known digest (a SHA-256 the caller gives, or the
MD5 published for the standard batches) and is then read with the project's restricted
unpickler, which admits only plain containers and NumPy arrays.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from cenas.data import restricted_loads
from cenas.errors import ChecksumError, DataError, DataFileMissingError

__all__ = [
    "CIFAR10_FILES",
    "CIFAR10_PUBLISHED_MD5",
    "FASHION_MNIST_FILES",
    "FASHION_MNIST_SHA256",
    "read_cifar10_dir",
    "read_fashion_mnist_dir",
    "read_idx",
]

FASHION_MNIST_FILES: tuple[str, ...] = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
"""The four IDX files of Fashion-MNIST (each may also be present gzipped, with ``.gz``)."""

FASHION_MNIST_SHA256: dict[str, str] = {
    # SHA-256 of the decompressed files (github zalandoresearch/fashion-mnist @ data/fashion,
    # as shipped by Debian's dataset-fashion-mnist 0.0~git20200523.55506a9-1).
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}

CIFAR10_FILES: tuple[str, ...] = (
    "data_batch_1",
    "data_batch_2",
    "data_batch_3",
    "data_batch_4",
    "data_batch_5",
    "test_batch",
)
"""The python batches of CIFAR-10 (``cifar-10-batches-py/``): five training, one test."""

CIFAR10_PUBLISHED_MD5: dict[str, str] = {
    # The per-file digests published with the standard archive (torchvision's CIFAR10 list;
    # the archive cifar-10-python.tar.gz itself is c58f30108f718f92721af3b95e74349a). No SHA-256
    # of the individual batches is published; give one with ``sha256=`` to check by SHA-256.
    "data_batch_1": "c99cafc152244af753f735de768cd75f",
    "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
    "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
    "data_batch_4": "634d18415352ddfa80567beed471001a",
    "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
    "test_batch": "40351d587109b95175f43aff81a1287e",
}

_IDX_DTYPES: dict[int, np.dtype[np.generic]] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _find(directory: Path, name: str, what: str, *, gz: bool) -> Path:
    if not directory.is_dir():
        raise DataFileMissingError(f"{what} directory {directory} does not exist")
    for candidate in (directory / name, *([directory / f"{name}.gz"] if gz else [])):
        if candidate.is_file():
            return candidate
    raise DataFileMissingError(
        f"{what} directory {directory} lacks {name}{f' (or {name}.gz)' if gz else ''}; "
        f"expected the files "
        f"{', '.join(FASHION_MNIST_FILES if what == 'Fashion-MNIST' else CIFAR10_FILES)}"
    )


def _read_maybe_gzip(path: Path) -> bytes:
    raw = path.read_bytes()
    if path.suffix != ".gz":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise DataError(f"{path}: not a readable gzip file ({e})") from e


def read_idx(data: bytes, where: str = "<bytes>") -> NDArray[np.generic]:
    """Parse an IDX file (the MNIST format): a 4-byte magic ``0 0 type ndim``, ``ndim`` big-endian
    uint32 sizes, then the values.

    Raises:
        DataError: a bad magic number, an unknown type code, or a size that disagrees with the
            header (the message names ``where`` and the values found).
    """
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise DataError(f"{where}: not an IDX file (the magic number must start with two 0 bytes)")
    dtype = _IDX_DTYPES.get(data[2])
    if dtype is None:
        raise DataError(f"{where}: unknown IDX type code 0x{data[2]:02x}")
    ndim = data[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise DataError(f"{where}: IDX header declares {ndim} dimensions but is truncated")
    shape = tuple(int(v) for v in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected:
        raise DataError(
            f"{where}: IDX header says shape {shape} ({expected} bytes of data), but the file "
            f"holds {len(data) - header}"
        )
    return (
        np.frombuffer(data, dtype=dtype, offset=header)
        .reshape(shape)
        .astype(dtype.newbyteorder("="))
    )


def _check_sha256(data: bytes, expected: str, where: str) -> str:
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise ChecksumError(f"{where}: SHA-256 {actual} differs from the expected {expected}")
    return actual


def read_fashion_mnist_dir(
    directory: str | Path,
    *,
    sha256: Mapping[str, str] | None = None,
    allow_unverified: bool = False,
) -> tuple[
    NDArray[np.uint8], NDArray[np.int64], NDArray[np.uint8], NDArray[np.int64], dict[str, str]
]:
    """Fashion-MNIST (or any MNIST-format set) from a directory of the four IDX files.

    Args:
        directory: holds :data:`FASHION_MNIST_FILES`, each raw or gzipped.
        sha256: expected SHA-256 of each decompressed file; :data:`FASHION_MNIST_SHA256` when
            None.
        allow_unverified: skip the checksum check (for your own files in this format).

    Returns:
        train images ``(n, 28, 28)`` uint8, train labels ``(n,)``, test images, test labels, and
        the SHA-256 of each decompressed file (to record with a run).

    Raises:
        DataFileMissingError: the directory or a file is missing.
        ChecksumError: a file's content differs from the expected one.
        DataError: a corrupt gzip or IDX file, or images and labels that disagree.
    """
    d = Path(directory)
    expected = dict(FASHION_MNIST_SHA256 if sha256 is None else sha256)
    arrays: list[NDArray[np.generic]] = []
    digests: dict[str, str] = {}
    paths = [_find(d, name, "Fashion-MNIST", gz=True) for name in FASHION_MNIST_FILES]  # all, first
    for name, path in zip(FASHION_MNIST_FILES, paths, strict=True):
        data = _read_maybe_gzip(path)
        if allow_unverified:
            digests[name] = hashlib.sha256(data).hexdigest()
        else:
            if name not in expected:
                raise ChecksumError(f"{path}: no expected SHA-256 given for {name}")
            digests[name] = _check_sha256(data, expected[name], str(path))
        arr = read_idx(data, str(path))
        want_ndim = 3 if "images" in name else 1
        if arr.ndim != want_ndim:
            raise DataError(f"{path}: expected a {want_ndim}-d IDX array, got shape {arr.shape}")
        arrays.append(arr)
    x_tr, y_tr, x_te, y_te = arrays
    for x, y, split in ((x_tr, y_tr, "train"), (x_te, y_te, "t10k")):
        if len(x) != len(y):
            raise DataError(
                f"{d}: {split} images ({len(x)}) and labels ({len(y)}) differ in number"
            )
    return (
        x_tr.astype(np.uint8),
        y_tr.astype(np.int64),
        x_te.astype(np.uint8),
        y_te.astype(np.int64),
        digests,
    )


def _cifar_batch(path: Path, data: bytes) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
    # The batches are Python 2 pickles: their str objects are read as bytes, so keys are b"data".
    obj = restricted_loads(data, str(path), encoding="bytes")
    if not isinstance(obj, dict):
        raise DataError(f"{path}: expected a dict in the CIFAR batch, got {type(obj).__name__}")
    keys = {k.decode() if isinstance(k, bytes) else k: v for k, v in obj.items()}
    if "data" not in keys or "labels" not in keys:
        raise DataError(f"{path}: a CIFAR batch needs 'data' and 'labels', found {sorted(keys)}")
    x = np.asarray(keys["data"])
    y = np.asarray(keys["labels"], dtype=np.int64)
    if x.ndim != 2 or x.shape[1] != 3072 or x.dtype != np.uint8 or len(x) != len(y):
        raise DataError(
            f"{path}: 'data' must be uint8 of shape (n, 3072) with n labels, got {x.dtype} "
            f"{x.shape} and {len(y)} labels"
        )
    return x.reshape(-1, 3, 32, 32), y


def read_cifar10_dir(
    directory: str | Path,
    *,
    sha256: Mapping[str, str] | None = None,
) -> tuple[
    NDArray[np.uint8], NDArray[np.int64], NDArray[np.uint8], NDArray[np.int64], dict[str, str]
]:
    """CIFAR-10 from a directory of the python batches (``cifar-10-batches-py``).

    Every file is verified before it is unpickled: against ``sha256[name]`` when given, else
    against the published MD5 of the standard batch (:data:`CIFAR10_PUBLISHED_MD5`). There is no
    way to skip the check: a pickle can run code.

    Args:
        directory: holds :data:`CIFAR10_FILES`.
        sha256: expected SHA-256 per file name (for your own copy, or batches in this format).

    Returns:
        train images ``(50000, 3, 32, 32)`` uint8, train labels, test images, test labels, and
        the SHA-256 of each file (to record with a run).

    Raises:
        DataFileMissingError: the directory or a batch is missing.
        ChecksumError: a batch matches neither the given SHA-256 nor the published digest.
        UnsafePickleError: a batch refers to a class the restricted unpickler does not admit.
        DataError: a batch is not a readable pickle or not in the CIFAR format.
    """
    d = Path(directory)
    given = dict(sha256 or {})
    xs: list[NDArray[np.uint8]] = []
    ys: list[NDArray[np.int64]] = []
    digests: dict[str, str] = {}
    paths = [_find(d, name, "CIFAR-10", gz=False) for name in CIFAR10_FILES]  # all, first
    for name, path in zip(CIFAR10_FILES, paths, strict=True):
        data = path.read_bytes()
        if name in given:
            digests[name] = _check_sha256(data, given[name], str(path))
        else:
            md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
            if md5 != CIFAR10_PUBLISHED_MD5[name]:
                raise ChecksumError(
                    f"{path}: MD5 {md5} differs from the published {CIFAR10_PUBLISHED_MD5[name]} "
                    f"of the standard {name}; give its SHA-256 if it is your own trusted copy"
                )
            digests[name] = hashlib.sha256(data).hexdigest()
        x, y = _cifar_batch(path, data)
        xs.append(x)
        ys.append(y)
    return (
        np.concatenate(xs[:-1]),
        np.concatenate(ys[:-1]),
        xs[-1],
        ys[-1],
        digests,
    )
