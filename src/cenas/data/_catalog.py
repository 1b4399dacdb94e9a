"""The catalog of known reference files: where they come from, their SHA-256, and where they are.

Files are looked up in a data directory chosen by, in order: an explicit argument (the CLI's
``--data-dir``), the ``CENAS_DATA_DIR`` environment variable, and the user cache directory
(``$XDG_CACHE_HOME/cenas/data``, where ``cenas data download`` puts files).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from cenas.errors import ChecksumError, DataFileMissingError

__all__ = [
    "CATALOG",
    "DATA_DIR_ENV",
    "DataFile",
    "FileStatus",
    "VerifyResult",
    "cache_dir",
    "find_file",
    "locate",
    "resolve_data_dir",
    "sha256_file",
    "verify_dir",
]

DATA_DIR_ENV = "CENAS_DATA_DIR"

_GH = "https://raw.githubusercontent.com"


@dataclass(frozen=True)
class DataFile:
    """One known reference file.

    Attributes:
        name: path relative to the data directory, e.g. ``nas/nb201/nats_bench_tss_accuracy.csv``.
        sha256: expected SHA-256 (hex) of the file's bytes.
        origin: URL the identical file can be downloaded from, or None when it cannot be fetched
            as one file (then ``note`` says how it was assembled).
        license: license of the upstream data.
        note: how the file relates to its origin.
    """

    name: str
    sha256: str
    origin: str | None
    license: str
    note: str = ""


def _entries() -> dict[str, DataFile]:
    files: list[DataFile] = []
    em = "umassos/decarbonization-potential/HEAD/downloaded_carbon_data"
    for year, sha in [
        ("2021", "666e41276fb5cd75fac81d8391cdf009d14f1e0f31e68b350efc0bc0a5c6387c"),
        ("2022", "82dd6d2d743cfc39b55c35ffbd63ac9c6b55a7367bb8fb2bdba3d071ce4ba33f"),
        ("2023", "79a46ebeadee9257b5cbd11c1bb9f17f9cc7da9bb820dee64bd9af72847f9d3a"),
    ]:
        fname = f"US-CAL-CISO_{year}_hourly.csv"
        files.append(
            DataFile(
                f"carbon/electricitymaps/{fname}",
                sha,
                f"{_GH}/{em}/{fname}",
                "ODbL (Electricity Maps data portal)",
            )
        )
    for region, sha in [
        ("CISO", "09b69575aa3a74169f1887853776ebdcdcd98eb953538e03b87e3df83ce690b6"),
        ("PJM", "92bb6bd4454fb4ee1a7c26aee02003c8b1befac69bfe62845048db4c21e3941e"),
        ("SE", "c422a99460d3bc90151e99e23dbb81cfc88169f3d5f848f02298c127faf59621"),
    ]:
        fname = f"{region}_direct_emissions.csv"
        files.append(
            DataFile(
                f"carbon/dacf/{fname}",
                sha,
                f"{_GH}/carbonfirst/DACF/HEAD/data/{region}/{fname}",
                "Apache-2.0",
            )
        )
    files.append(
        DataFile(
            "carbon/dacf/LICENSE-head.txt",
            "d3654301ef3daf4d2eb184f80c97126e5699f73c47c06f6c5327af0a774ea266",
            None,
            "Apache-2.0",
            "first lines of the DACF repository's LICENSE",
        )
    )
    for region, sha in [
        ("gb", "5c771b6d31c6082343e0d9e3a3fc03d05defb6f4cdcc525a374a26ec337a86ac"),
        ("ger", "bb9aa67ed4ce191d8fa0d48346c0c6c0fa8fe82f8e4c94e7cf1c8156c7fb001c"),
    ]:
        fname = f"{region}_ci.csv"
        files.append(
            DataFile(
                f"carbon/lets_wait_awhile/{fname}",
                sha,
                f"{_GH}/dos-group/lets-wait-awhile/HEAD/data/{fname}",
                "no license file; research use",
            )
        )
    files += [
        DataFile(
            "nas/nb201/nats_bench_tss_accuracy.csv",
            "cb5d777ec3368be83c8f9b3aa4d520696051cb0eb8d94b8f85b519f9ea4afa3e",
            f"{_GH}/v-tao/nats-bench-landscape/HEAD/nats_bench.csv",
            "no license file; research use",
            "renamed from nats_bench.csv",
        ),
        DataFile(
            "nas/nb201/constrained_tpe_metric_vals.pkl",
            "f912d67de5e800e7121bb9faecf596aa2a9b950d0b8432493a85607c224a2228",
            f"{_GH}/nabenabe0928/constrained-tpe/HEAD/targets/nasbench201/metric_vals.pkl",
            "Apache-2.0",
            "renamed from metric_vals.pkl",
        ),
        DataFile(
            "nas/nb201/constrained_tpe_LICENSE_head.txt",
            "eff0486b58cfb202c0f43ab9cf51701280d6ff313fdf51d0dc0c342efcdebe84",
            None,
            "Apache-2.0",
            "first lines of the constrained-tpe repository's LICENSE",
        ),
    ]
    help_base = f"{_GH}/HayeonLee/HELP/HEAD/data/nasbench201/latency"
    for device, sha in _HELP_SHA.items():
        files.append(
            DataFile(f"nas/nb201/help_latency/{device}.pt", sha, f"{help_base}/{device}.pt", "MIT")
        )
    files.append(
        DataFile(
            "nas/nb201/help_latency/LICENSE",
            "3c98229c673fb4c782576aa9da6013416cc906a8a38d0d6daf15807c6361f4f5",
            f"{_GH}/HayeonLee/HELP/HEAD/LICENSE",
            "MIT",
        )
    )
    fs_base = f"{_GH}/aoiang/few-shot-NAS/HEAD/Few-Shot_NasBench201/supernet_info"
    for stem, sha in [
        ("one-shot-supernet", "69c5e90d992b7730b52a0b49849be226843eceb427b50382690a5a8c5cba88a9"),
        ("few-shot-supernet", "6704553c216731415a7a01b4e237da49df9bd37318fc032f0e1800fba7a95a41"),
        ("nasbench201", "31d66fbfd64850150141ed403360bd92684443f684db1976a7b63db55f1d4f85"),
    ]:
        files.append(
            DataFile(
                f"nas/nb201/few_shot_nas/{stem}.json",
                sha,
                f"{fs_base}/{stem}.json",
                "no license file; research use",
            )
        )
    files += [
        DataFile(
            "nas/ecnas/ecnas_raw_energy_4V_5V.tar.gz",
            "308c7734d3aabc14a034b7397775d8b30d8c6b59936093a06181ebd1d99231f2",
            None,
            "MIT",
            "tar.gz of github PedramBakh/EC-NAS-Bench @ ecnas/vendors/ec_nasbench/nasbench/data/ "
            "(train_model_results/energy/ and graphs/); build it from a clone of that repository",
        ),
        DataFile(
            "nas/ecnas/LICENSE_head.txt",
            "6f8028e3064ab1e1c393bf6847409c9f66135ae6a512313b4a20a9aec591dc37",
            None,
            "MIT",
            "first lines of the EC-NAS-Bench repository's LICENSE",
        ),
        DataFile(
            "nas/ecnas/surrogate_7v_data.pt",
            "31835127c875a36214d5daa9041a914b804ab398a382594fe3cc6ffc78d3dd75",
            f"{_GH}/raghavian/surrogate-ec-nasbench/HEAD/7v_data.pt",
            "MIT",
            "renamed from 7v_data.pt",
        ),
        DataFile(
            "nas/ecnas/surrogate_LICENSE_head.txt",
            "825ff0365d177a7780e06f695b775d827cb013cb9f473208c3f335930c0dadb7",
            None,
            "MIT",
            "first lines of the surrogate-ec-nasbench repository's LICENSE",
        ),
    ]
    return {f.name: f for f in files}


_HELP_SHA = {
    "1080ti_1": "4028f52b2c2441da126932e3827ae11a7f76d39818c4374c1b9ab9df236e23f4",
    "1080ti_256": "435af0ccfab01f5dc55dc9f2e8b90ca37b396b2656e327bba5ee0b6eb9c24464",
    "1080ti_32": "affce4fcdcf6f28622365995ef2ec018bb07d448add59f80633c0978c393cdea",
    "2080ti_1": "38cf0e8f698abf8696c69b41a358fe9ddedf5d54cb1ae6f85b04dd8a8f89a1b3",
    "2080ti_256": "daee655c44c46955d8318ddf0fa39254e70bab1ae723a6abc53d7b7e4e1561ae",
    "2080ti_32": "ebc603ad325850663fc56c8e0fde52fadea28e585a8405864baa20f986eaf29d",
    "essential_ph_1": "a97165c8669a216b9ca046041c83a07352bd07f2a42e2d8fea8b51e7ddbcabf0",
    "fpga": "6a0333c1476a3ab039d8c39e5d42ac99efe9e7f3ff521289569013fa84233b28",
    "gold_6226": "6a00f63d14f67f8007ec04519f638a90aa6ed5357cf5c0e60c391df37f186c99",
    "gold_6240": "ac6dd41f183de69bba21dec3954ac73333b7dec871e0defbcce0572d82536890",
    "pixel2": "051845ddefc2bc138f21e2217f6c7827fe280c78375cbfb4b5bd252a888cb950",
    "pixel3": "cf1387da12e06b1d4541ce85f3ca4869d551084e09daf4acf024b6e21a80d465",
    "raspi4": "2fae425c50bcaef7aacc5391244cd0af98bfc7fba689a8741e461cb18192f57c",
    "samsung_a50": "0872cb4ec8ecc7ea1b3bd8c98dd705f2d0f6e4940f3af833b313e484de39b155",
    "silver_4114": "0cce9dc9ba62ad81c21275298a88cb0e4534db6474a878f089df0abb13293421",
    "silver_4210r": "f976049bda39abde94b8f8cac90140cb78a5069fc145c462d6d6bc2f8450727a",
    "str_arch2idx": "e1d7b7cc7cf51d7c3cd6f9e726e7395bea87d7ba674e26202fb8633f963aef0d",
    "titan_rtx_1": "a854dac331e2a37d7dcd6ee1f63d1bc6d73ead3aeb0a86f803f45ea1b294859e",
    "titan_rtx_256": "cff1fba40b1743d3716cfb74c86ac2463d0682c146f356fa9095ac0d02dfb2a5",
    "titan_rtx_32": "1258bee5501fe191530b9898a4f55a122ab30beec9c6ea74598c47a0173babed",
    "titanx_1": "3461cc686263bd0ce4d4cd915bfc2fe067deb139cc68da387741bd6443434cb0",
    "titanx_256": "04ddb80719515687bd3d722235cd5da821b50bd453a9e580b1e9d321dfb92941",
    "titanx_32": "9c4ca69131e34451fb1e104caa47efbe12ffec3cc47bf051613674d7af044ff2",
    "titanxp_1": "935aa0041c6592bed90f2f94ff3b4d40e892c066467864b704e6583682a57b20",
    "titanxp_256": "9f03206bc62b0dcfc882820de07f55dc1fb7f43f57dfc977e4f0f4b019cb5041",
    "titanxp_32": "4b6db63c7a9fb55177aa2649d70031dd86d2ed1609467ef5803dc1089a73cb1b",
}

CATALOG: dict[str, DataFile] = _entries()


def cache_dir() -> Path:
    """The user cache directory where downloaded files go."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cenas" / "data"


def resolve_data_dir(data_dir: str | Path | None = None, *, must_exist: bool = True) -> Path:
    """The data directory to read from: explicit argument, ``$CENAS_DATA_DIR``, or the cache.

    Raises:
        DataFileMissingError: the chosen directory does not exist (with ``must_exist``) or is
            not a directory.
    """
    if data_dir is not None:
        where, how = Path(data_dir), "data_dir/--data-dir"
    elif os.environ.get(DATA_DIR_ENV):
        where, how = Path(os.environ[DATA_DIR_ENV]), DATA_DIR_ENV
    else:
        where = cache_dir()
        if must_exist and not where.is_dir():
            raise DataFileMissingError(
                f"no reference data: set {DATA_DIR_ENV} or --data-dir to the data directory, "
                f"or fetch files with `cenas data download NAME` (into {where})"
            )
        return where
    if where.exists() and not where.is_dir():
        raise DataFileMissingError(f"data directory {str(where)!r} (from {how}) is not a directory")
    if must_exist and not where.is_dir():
        raise DataFileMissingError(f"data directory {str(where)!r} (from {how}) does not exist")
    return where


def find_file(path: str | Path, data_dir: str | Path | None = None) -> Path:
    """A user-given file path: as given when it exists, else relative to the data directory.

    Lets commands and the Python API take ``carbon/electricitymaps/US-CAL-CISO_2021_hourly.csv``
    as well as a path of the user's own. When neither exists the path is returned unchanged, so
    the caller's loader reports the missing file in its own words.
    """
    p = Path(path).expanduser()
    if p.exists() or p.is_absolute():
        return p
    try:
        candidate = resolve_data_dir(data_dir) / p
    except DataFileMissingError:
        return p
    return candidate if candidate.exists() else p


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes, hex."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# Verified (path, size, mtime_ns) -> sha, so a file is hashed once per process.
_verified: dict[tuple[str, int, int], str] = {}


def _check(path: Path, entry: DataFile) -> None:
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if _verified.get(key) == entry.sha256:
        return
    actual = sha256_file(path)
    if actual != entry.sha256:
        raise ChecksumError(
            f"{path}: SHA-256 {actual} does not match the catalog's {entry.sha256} for "
            f"{entry.name!r}; the file is corrupt or a different version"
        )
    _verified[key] = actual


def locate(name: str, data_dir: str | Path | None = None, *, verify: bool = True) -> Path:
    """Path of the known file ``name`` in the data directory, checked against its SHA-256.

    Raises:
        DataFileMissingError: ``name`` is not in the catalog.
        DataFileMissingError: the file is not there (the message says how to get it).
        ChecksumError: the file's bytes differ from the catalog's checksum.
    """
    if name not in CATALOG:
        raise DataFileMissingError(f"{name!r} is not a known data file; see `cenas data list`")
    entry = CATALOG[name]
    root = resolve_data_dir(data_dir)
    path = root / name
    if not path.is_file():
        hint = (
            f"run `cenas data download {name}`"
            if entry.origin
            else f"it cannot be downloaded as one file: {entry.note}"
        )
        raise DataFileMissingError(
            f"data file {name!r} not found under {str(root)!r}; set {DATA_DIR_ENV} or "
            f"--data-dir to the reference data directory, or {hint}"
        )
    if verify:
        _check(path, entry)
    return path


class FileStatus(Enum):
    """Outcome of verifying one catalog file."""

    OK = "ok"
    MISSING = "missing"
    MISMATCH = "mismatch"


@dataclass(frozen=True)
class VerifyResult:
    """Verification of one catalog file in a data directory."""

    name: str
    status: FileStatus
    expected_sha256: str
    actual_sha256: str | None


def verify_dir(data_dir: str | Path | None = None) -> list[VerifyResult]:
    """Verify every catalog file present in the data directory (missing ones are reported)."""
    root = resolve_data_dir(data_dir)
    results = []
    for entry in CATALOG.values():
        path = root / entry.name
        if not path.is_file():
            results.append(VerifyResult(entry.name, FileStatus.MISSING, entry.sha256, None))
            continue
        actual = sha256_file(path)
        status = FileStatus.OK if actual == entry.sha256 else FileStatus.MISMATCH
        results.append(VerifyResult(entry.name, status, entry.sha256, actual))
    return results
