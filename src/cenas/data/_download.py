"""Download a catalog file into the user cache directory, verified by SHA-256."""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from cenas.data._catalog import CATALOG, cache_dir
from cenas.errors import ChecksumError, DataFileMissingError, DownloadError

__all__ = ["download"]


def download(name: str, dest_dir: str | Path | None = None, *, timeout_s: float = 30.0) -> Path:
    """Fetch the catalog file ``name`` from its origin into ``dest_dir`` (default: the cache).

    The bytes are checked against the catalog's SHA-256 before the file is moved into place, so a
    partial or altered download never lands.

    Raises:
        DataFileMissingError: unknown name.
        DownloadError: no origin, offline, or an HTTP error.
        ChecksumError: the downloaded bytes differ from the catalog.
    """
    if name not in CATALOG:
        raise DataFileMissingError(f"{name!r} is not a known data file; see `cenas data list`")
    entry = CATALOG[name]
    if entry.origin is None:
        raise DownloadError(f"{name!r} cannot be downloaded as one file: {entry.note}")
    root = Path(dest_dir) if dest_dir is not None else cache_dir()
    target = root / entry.name
    target.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(entry.origin, timeout=timeout_s) as resp:
                    for chunk in iter(lambda: resp.read(1 << 20), b""):
                        h.update(chunk)
                        out.write(chunk)
            except (urllib.error.URLError, TimeoutError, OSError) as e:
                raise DownloadError(
                    f"could not download {name!r} from {entry.origin}: {e} (offline? copy the "
                    f"file to {target} by hand instead)"
                ) from e
        if h.hexdigest() != entry.sha256:
            raise ChecksumError(
                f"downloaded {name!r} has SHA-256 {h.hexdigest()}, expected {entry.sha256}; "
                "the upstream file may have changed"
            )
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
