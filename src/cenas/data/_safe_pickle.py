"""Restricted unpickling: pickles may only rebuild the classes their formats need.

``pickle.load`` on an arbitrary file can run arbitrary code. Known files are checked against the
catalog's SHA-256 first and then read with an unpickler that admits only builtins containers and
NumPy arrays; a user-supplied pickle with no known checksum needs ``allow_unverified=True``.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path
from typing import Any

from cenas.errors import DataError, UnsafePickleError

__all__ = ["ALLOWED_GLOBALS", "load_pickle", "load_torch_zip_pickle", "restricted_loads"]

# (module, name) pairs a data pickle may reference: plain containers and NumPy arrays.
ALLOWED_GLOBALS: frozenset[tuple[str, str]] = frozenset(
    {
        ("builtins", "dict"),
        ("builtins", "list"),
        ("builtins", "tuple"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "float"),
        ("builtins", "int"),
        ("builtins", "str"),
        ("builtins", "complex"),
        ("collections", "OrderedDict"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "scalar"),
        ("numpy", "core.multiarray._reconstruct"),
    }
)


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(
        self, file: io.BufferedIOBase | io.BytesIO, where: str, encoding: str = "ASCII"
    ) -> None:
        super().__init__(file, encoding=encoding)
        self._where = where

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED_GLOBALS:
            raise UnsafePickleError(
                f"{self._where}: pickle refers to {module}.{name}, which is not an allowed "
                "data type (only builtins containers and NumPy arrays are admitted)"
            )
        if module == "numpy.core.multiarray":  # NumPy 2 moved it; old pickles name the old path
            module = "numpy._core.multiarray"
        return super().find_class(module, name)


def restricted_loads(data: bytes, where: str = "<bytes>", *, encoding: str = "ASCII") -> Any:
    """Unpickle ``data`` admitting only :data:`ALLOWED_GLOBALS`; ``encoding`` decodes Python 2
    strings as :class:`pickle.Unpickler` does (``"bytes"`` keeps them as bytes, e.g. for
    CIFAR-10's batches)."""
    try:
        return _RestrictedUnpickler(io.BytesIO(data), where, encoding).load()
    except UnsafePickleError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as e:
        raise DataError(f"{where}: not a readable pickle ({e})") from e


def _check_opt_in(path: Path, expected_sha256: str | None, allow_unverified: bool) -> None:
    if expected_sha256 is None and not allow_unverified:
        raise UnsafePickleError(
            f"{path}: refusing to unpickle a file with no known checksum; pass "
            "allow_unverified=True (CLI: --allow-unverified-pickle) if you trust it"
        )
    if expected_sha256 is not None:
        from cenas.data._catalog import sha256_file

        actual = sha256_file(path)
        if actual != expected_sha256:
            from cenas.errors import ChecksumError

            raise ChecksumError(f"{path}: SHA-256 {actual} differs from expected {expected_sha256}")


def load_pickle(
    path: str | Path, *, expected_sha256: str | None = None, allow_unverified: bool = False
) -> Any:
    """Load a pickle file after checking its SHA-256 (or an explicit opt-in) with the restricted
    unpickler."""
    p = Path(path)
    _check_opt_in(p, expected_sha256, allow_unverified)
    return restricted_loads(p.read_bytes(), str(p))


def load_torch_zip_pickle(
    path: str | Path, *, expected_sha256: str | None = None, allow_unverified: bool = False
) -> Any:
    """Load the ``*/data.pkl`` member of a torch zip archive that holds plain Python data (no
    tensors), without torch and with the restricted unpickler."""
    p = Path(path)
    _check_opt_in(p, expected_sha256, allow_unverified)
    try:
        with zipfile.ZipFile(p) as z:
            members = [n for n in z.namelist() if n.endswith("/data.pkl") or n == "data.pkl"]
            if len(members) != 1:
                raise DataError(f"{p}: expected one data.pkl member in the archive, got {members}")
            data = z.read(members[0])
    except zipfile.BadZipFile as e:
        raise DataError(f"{p}: not a torch zip archive ({e})") from e
    return restricted_loads(data, str(p))
