from __future__ import annotations

import pickle
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cenas.data import (
    CATALOG,
    FileStatus,
    load_pickle,
    load_torch_zip_pickle,
    locate,
    resolve_data_dir,
    restricted_loads,
    verify_dir,
)
from cenas.errors import ChecksumError, DataError, DataFileMissingError, UnsafePickleError


def test_catalog_matches_manifest(data_dir: Path) -> None:
    manifest = {}
    for line in (data_dir / "MANIFEST.sha256").read_text().splitlines():
        sha, name = line.split(maxsplit=1)
        manifest[name.removeprefix("./")] = sha
    assert manifest == {name: e.sha256 for name, e in CATALOG.items()}


def test_verify_reference_dir(data_dir: Path) -> None:
    results = verify_dir(data_dir)
    assert all(r.status is FileStatus.OK for r in results)


def test_verify_names_changed_file(tmp_path: Path, data_dir: Path) -> None:
    name = "nas/nb201/help_latency/pixel3.pt"
    target = tmp_path / name
    target.parent.mkdir(parents=True)
    data = bytearray((data_dir / name).read_bytes())
    data[100] ^= 1
    target.write_bytes(bytes(data))
    results = {r.name: r.status for r in verify_dir(tmp_path)}
    assert results[name] is FileStatus.MISMATCH
    assert results["nas/nb201/nats_bench_tss_accuracy.csv"] is FileStatus.MISSING
    with pytest.raises(ChecksumError, match=r"pixel3\.pt"):
        locate(name, tmp_path)


def test_missing_dir_and_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileMissingError, match="does not exist"):
        resolve_data_dir(tmp_path / "nope")
    with pytest.raises(DataFileMissingError, match="cenas data download"):
        locate("nas/nb201/nats_bench_tss_accuracy.csv", tmp_path)
    with pytest.raises(DataFileMissingError, match="not a known data file"):
        locate("nope.csv", tmp_path)


def test_env_var_selects_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CENAS_DATA_DIR", str(tmp_path))
    assert resolve_data_dir() == tmp_path
    monkeypatch.delenv("CENAS_DATA_DIR")
    assert resolve_data_dir(must_exist=False).parts[-2:] == ("cenas", "data")
    with pytest.raises(DataFileMissingError, match="no reference data: set CENAS_DATA_DIR"):
        resolve_data_dir()


class _Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("pwned",))


def test_restricted_unpickler_rejects_code() -> None:
    with pytest.raises(UnsafePickleError, match=r"builtins\.print"):
        restricted_loads(pickle.dumps(_Evil()))


def test_restricted_unpickler_admits_numpy() -> None:
    obj = {"a": np.arange(3.0), "b": [1, 2.5, "x"]}
    out = restricted_loads(pickle.dumps(obj))
    np.testing.assert_array_equal(out["a"], obj["a"])
    assert out["b"] == obj["b"]


def test_unverified_pickle_needs_opt_in(tmp_path: Path) -> None:
    p = tmp_path / "user.pkl"
    p.write_bytes(pickle.dumps([1, 2]))
    with pytest.raises(UnsafePickleError, match="allow_unverified"):
        load_pickle(p)
    assert load_pickle(p, allow_unverified=True) == [1, 2]
    with pytest.raises(ChecksumError):
        load_pickle(p, expected_sha256="0" * 64)


def test_torch_zip_pickle(tmp_path: Path) -> None:
    p = tmp_path / "x.pt"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("archive/data.pkl", pickle.dumps([1.5, 2.5]))
        z.writestr("archive/version", "3")
    assert load_torch_zip_pickle(p, allow_unverified=True) == [1.5, 2.5]
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a zip")
    with pytest.raises(DataError, match="not a torch zip"):
        load_torch_zip_pickle(bad, allow_unverified=True)


def test_download_offline_is_clear(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    from cenas.data import download
    from cenas.errors import DownloadError

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    with pytest.raises(DownloadError, match="offline"):
        download("nas/nb201/help_latency/pixel3.pt", tmp_path)
    assert not any(tmp_path.rglob("*.pt"))
    with pytest.raises(DownloadError, match="cannot be downloaded"):
        download("nas/ecnas/ecnas_raw_energy_4V_5V.tar.gz", tmp_path)


def test_download_verifies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    import io
    import urllib.request

    from cenas.data import download

    name = "nas/nb201/help_latency/pixel3.pt"
    payload = (data_dir / name).read_bytes()
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: io.BytesIO(payload))
    path = download(name, tmp_path)
    assert path.read_bytes() == payload
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: io.BytesIO(payload[:-1]))
    shutil.rmtree(tmp_path / "nas")
    with pytest.raises(ChecksumError):
        download(name, tmp_path)
    assert not (tmp_path / name).exists()
