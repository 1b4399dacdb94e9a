"""Writers of small files in the real formats: IDX (raw or gzipped) and CIFAR-10's Python 2
pickles, built opcode by opcode as Python 2's cPickle wrote them (Python 3 cannot produce them)."""

from __future__ import annotations

import gzip
import hashlib
import struct
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

FASHION_NAMES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def idx_bytes(arr: NDArray[np.uint8]) -> bytes:
    head = bytes([0, 0, 0x08, arr.ndim]) + b"".join(struct.pack(">I", d) for d in arr.shape)
    return head + arr.astype(np.uint8).tobytes()


def write_fashion_dir(
    d: Path, *, n_train: int = 60, n_test: int = 20, gz: bool = False, seed: int = 0
) -> dict[str, str]:
    """Write the four IDX files; returns the SHA-256 of each decompressed file."""
    rng = np.random.default_rng(seed)
    arrays = {
        FASHION_NAMES[0]: rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        FASHION_NAMES[1]: (np.arange(n_train) % 10).astype(np.uint8),
        FASHION_NAMES[2]: rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        FASHION_NAMES[3]: (np.arange(n_test) % 10).astype(np.uint8),
    }
    d.mkdir(parents=True, exist_ok=True)
    digests = {}
    for name, arr in arrays.items():
        raw = idx_bytes(arr)
        digests[name] = hashlib.sha256(raw).hexdigest()
        if gz:
            (d / f"{name}.gz").write_bytes(gzip.compress(raw))
        else:
            (d / name).write_bytes(raw)
    return digests


def _s(b: bytes) -> bytes:  # a Python 2 str: SHORT_BINSTRING or BINSTRING
    return (b"U" + bytes([len(b)]) if len(b) < 256 else b"T" + struct.pack("<I", len(b))) + b


def _i(v: int) -> bytes:  # BININT1 or BININT
    return b"K" + bytes([v]) if 0 <= v < 256 else b"J" + struct.pack("<i", v)


def cifar_py2_pickle(data: NDArray[np.uint8], labels: list[int]) -> bytes:
    """A CIFAR-10 batch as Python 2 pickled it: {'data': uint8 (n, 3072), 'labels': [...]}."""
    n = data.shape[0]
    arr = (
        b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n"
        + _i(0) + b"\x85" + _s(b"b") + b"\x87R"
        + b"(" + _i(1) + _i(n) + _i(3072) + b"\x86"
        + b"cnumpy\ndtype\n" + _s(b"u1") + _i(0) + _i(1) + b"\x87R"
        + b"(" + _i(3) + _s(b"|") + b"NNN" + _i(-1) + _i(-1) + _i(0) + b"tb"
        + b"\x89" + _s(data.astype(np.uint8).tobytes()) + b"tb"
    )  # fmt: skip
    labs = b"](" + b"".join(_i(v) for v in labels) + b"e"
    return b"\x80\x02}(" + _s(b"data") + arr + _s(b"labels") + labs + b"u."


CIFAR_NAMES = ("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5")


def write_cifar_dir(d: Path, *, n: int = 12, seed: int = 0) -> dict[str, str]:
    """Write five training batches and a test batch of ``n`` images; returns their SHA-256."""
    rng = np.random.default_rng(seed)
    d.mkdir(parents=True, exist_ok=True)
    digests = {}
    for name in (*CIFAR_NAMES, "test_batch"):
        blob = cifar_py2_pickle(
            rng.integers(0, 256, (n, 3072), dtype=np.uint8), [int(v) for v in np.arange(n) % 10]
        )
        (d / name).write_bytes(blob)
        digests[name] = hashlib.sha256(blob).hexdigest()
    return digests
