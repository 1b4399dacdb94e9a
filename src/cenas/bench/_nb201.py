"""NAS-Bench-201 joined from the reference files (see the data README for their origins).

Every column is indexed by NAS-Bench-201's official architecture index: row ``i`` of the
NATS-Bench accuracy table, element ``i`` of each HELP latency list, the ``i``-th group of rows of
the constrained-TPE arrays. The few-shot-NAS tables are keyed by cell and re-ordered here, and the
HELP ``str_arch2idx`` table is used to check that the join is consistent.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cenas.bench._base import Direction, Metric
from cenas.bench._hwnas import HWNAS_FILENAME, load_hwnasbench
from cenas.bench._table import TableBenchmark
from cenas.data import CATALOG, load_pickle, load_torch_zip_pickle, locate, resolve_data_dir
from cenas.errors import DataError, DataFileMissingError
from cenas.space import NB201Space

__all__ = ["NB201Benchmark", "load_nb201"]

log = logging.getLogger(__name__)

_ACC_FILE = "nas/nb201/nats_bench_tss_accuracy.csv"
_TPE_FILE = "nas/nb201/constrained_tpe_metric_vals.pkl"
_ARCH2IDX_FILE = "nas/nb201/help_latency/str_arch2idx.pt"
_FEWSHOT = {
    "oneshot_cifar10_acc": ("nas/nb201/few_shot_nas/one-shot-supernet.json", "one-shot supernet"),
    "fewshot_cifar10_acc": ("nas/nb201/few_shot_nas/few-shot-supernet.json", "few-shot supernets"),
}
_DATASETS = {"cifar10": "CIFAR10", "cifar100": "CIFAR100", "imagenet16": "ImageNet"}
_TPE_DATASETS = {"cifar10": "cifar10", "cifar100": "cifar100", "imagenet16": "imagenet"}
_N = 15_625


class NB201Benchmark(TableBenchmark):
    """NAS-Bench-201 with accuracies, training cost, supernet estimates and hardware latencies.

    Build it with :func:`load_nb201`. Metrics (see :attr:`metrics` for units and directions):
    ``{cifar10,cifar100,imagenet16}_test_acc`` and ``_valid_acc`` (%, 200 epochs; validation is
    the mean over seeds), ``{...}_train_time_s`` (200-epoch training), ``params_mb``,
    ``oneshot_cifar10_acc`` and ``fewshot_cifar10_acc`` (supernet estimates of
    ``cifar10_test_acc``), ``latency_<device>_ms`` for every HELP device file present, and
    ``hw_*`` columns when an HW-NAS-Bench pickle is given. ``data_files`` maps each file the
    table was built from to its SHA-256.
    """

    name = "nb201"
    train_time_metric = "cifar10_train_time_s"
    _space: NB201Space

    def __init__(
        self,
        space: NB201Space,
        columns: Mapping[str, NDArray[np.float64]],
        metrics: Mapping[str, Metric],
        data_files: Mapping[str, str],
    ) -> None:
        super().__init__(space, columns, metrics, data_files)

    @property
    def space(self) -> NB201Space:
        return self._space

    @property
    def devices(self) -> list[str]:
        """Devices with a latency column."""
        return [m[len("latency_") : -len("_ms")] for m in self.metrics if m.startswith("latency_")]

    def table(self) -> pd.DataFrame:
        """Every metric as a DataFrame indexed by architecture index, with the strings."""
        df = pd.DataFrame(self._columns)
        df.insert(0, "arch", self._space.to_strings(self._space.all_indices()))
        return df


def _load_accuracy(data_dir: Path) -> tuple[NB201Space, dict[str, NDArray[np.float64]]]:
    path = locate(_ACC_FILE, data_dir)
    df = pd.read_csv(path)
    expected = [f"{v}TestAccuracy200Epochs" for v in _DATASETS.values()] + ["ArchitectureString"]
    missing = [c for c in expected if c not in df.columns]
    if missing or len(df) != _N:
        raise DataError(
            f"{path}: expected {_N} rows with columns {expected}, got {len(df)} rows, "
            f"missing {missing}"
        )
    space = NB201Space.with_order(df["ArchitectureString"].tolist())
    cols = {
        f"{k}_test_acc": df[f"{v}TestAccuracy200Epochs"].to_numpy(np.float64)
        for k, v in _DATASETS.items()
    }
    return space, cols


def _load_tpe(data_dir: Path) -> dict[str, NDArray[np.float64]]:
    path = locate(_TPE_FILE, data_dir)
    d = load_pickle(path, expected_sha256=CATALOG[_TPE_FILE].sha256)
    cols: dict[str, NDArray[np.float64]] = {}
    for key, ds in _TPE_DATASETS.items():
        try:
            loss = np.asarray(d[ds]["loss"], dtype=np.float64)
            runtime = np.asarray(d[ds]["runtime"], dtype=np.float64)
            size = np.asarray(d[ds]["size_in_mb"], dtype=np.float64)
        except (KeyError, TypeError):
            raise DataError(f"{path}: expected {ds!r} -> loss/runtime/size_in_mb arrays") from None
        # Rows are (architecture x seed) with no index: a new architecture starts wherever
        # (runtime, size) changes.
        starts = np.flatnonzero(
            np.r_[True, (runtime[1:] != runtime[:-1]) | (size[1:] != size[:-1])]
        )
        if starts.size != _N:
            raise DataError(f"{path}: {ds} has {starts.size} architecture groups, expected {_N}")
        counts = np.diff(np.r_[starts, loss.size])
        cols[f"{key}_valid_acc"] = 100.0 - np.add.reduceat(loss, starts) / counts
        cols[f"{key}_train_time_s"] = runtime[starts]
        if key == "cifar10":
            cols["params_mb"] = size[starts]
    return cols


def _load_fewshot(data_dir: Path, space: NB201Space) -> dict[str, NDArray[np.float64]]:
    keys = space.fewshot_keys(space.all_indices())
    cols = {}
    for metric, (name, _) in _FEWSHOT.items():
        path = locate(name, data_dir)
        with path.open() as f:
            table = json.load(f)
        try:
            cols[metric] = np.array([table[k] for k in keys], dtype=np.float64)
        except KeyError as e:
            raise DataError(f"{path}: no entry for cell {e.args[0]}") from None
    return cols


def _load_latency(data_dir: Path) -> tuple[dict[str, NDArray[np.float64]], list[str]]:
    cols, names = {}, []
    for name in CATALOG:
        if not (name.startswith("nas/nb201/help_latency/") and name.endswith(".pt")):
            continue
        device = Path(name).stem
        if device == "str_arch2idx" or not (data_dir / name).is_file():
            continue
        path = locate(name, data_dir)
        values = load_torch_zip_pickle(path, expected_sha256=CATALOG[name].sha256)
        arr = np.asarray(values, dtype=np.float64)
        if arr.shape != (_N,):
            raise DataError(f"{path}: expected {_N} latencies, got shape {arr.shape}")
        cols[f"latency_{device}_ms"] = arr
        names.append(name)
    return cols, names


def _check_join(data_dir: Path, space: NB201Space) -> bool:
    if not (data_dir / _ARCH2IDX_FILE).is_file():
        return False
    path = locate(_ARCH2IDX_FILE, data_dir)
    mapping = load_torch_zip_pickle(path, expected_sha256=CATALOG[_ARCH2IDX_FILE].sha256)
    strings = space.to_strings(space.all_indices())
    bad = [s for i, s in enumerate(strings) if mapping.get(s) != i]
    if bad:
        raise DataError(
            f"{path}: {len(bad)} architectures have a different index than in {_ACC_FILE} "
            f"(first: {bad[0]!r}); the files do not join"
        )
    return True


@functools.lru_cache(maxsize=4)
def _load_cached(
    data_dir: Path,
    hwnas_path: Path | None,
    hwnas_sha256: str | None,
    allow_unverified: bool,
    hwnas_stamp: tuple[int, int] | None,  # (size, mtime) so a changed pickle is re-read
) -> NB201Benchmark:
    space, columns = _load_accuracy(data_dir)
    files = [_ACC_FILE]
    metrics: dict[str, Metric] = {}
    for key, label in (
        ("cifar10", "CIFAR-10"),
        ("cifar100", "CIFAR-100"),
        ("imagenet16", "ImageNet16-120"),
    ):
        metrics[f"{key}_test_acc"] = Metric(
            f"{key}_test_acc", "%", Direction.MAX, f"{label} test accuracy after 200 epochs"
        )
    if (data_dir / _TPE_FILE).is_file():
        columns.update(_load_tpe(data_dir))
        files.append(_TPE_FILE)
        for key, label in (
            ("cifar10", "CIFAR-10"),
            ("cifar100", "CIFAR-100"),
            ("imagenet16", "ImageNet16-120"),
        ):
            metrics[f"{key}_valid_acc"] = Metric(
                f"{key}_valid_acc",
                "%",
                Direction.MAX,
                f"{label} validation accuracy after 200 epochs, mean over seeds",
            )
            metrics[f"{key}_train_time_s"] = Metric(
                f"{key}_train_time_s",
                "s",
                Direction.MIN,
                f"time to train 200 epochs on {label} (one GPU)",
            )
        metrics["params_mb"] = Metric(
            "params_mb", "MB", Direction.MIN, "parameters of the CIFAR-10 network"
        )
    else:
        log.warning("%s not found: no validation accuracy, training time or size", _TPE_FILE)
    if all((data_dir / name).is_file() for name, _ in _FEWSHOT.values()):
        columns.update(_load_fewshot(data_dir, space))
        for metric, (name, label) in _FEWSHOT.items():
            files.append(name)
            metrics[metric] = Metric(
                metric,
                "%",
                Direction.MAX,
                f"CIFAR-10 accuracy estimated by the {label}",
                estimates="cifar10_test_acc",
            )
    lat, lat_files = _load_latency(data_dir)
    columns.update(lat)
    files += lat_files
    for metric in lat:
        device = metric[len("latency_") : -len("_ms")]
        metrics[metric] = Metric(
            metric, "ms", Direction.MIN, f"inference latency on {device} (HELP)"
        )
    if _check_join(data_dir, space):
        files.append(_ARCH2IDX_FILE)
    data_files = {name: CATALOG[name].sha256 for name in files}
    if hwnas_path is not None:
        hw = load_hwnasbench(
            hwnas_path, expected_sha256=hwnas_sha256, allow_unverified=allow_unverified
        )
        if list(hw.arch_strings) != space.to_strings(space.all_indices()):
            raise DataError(f"{hwnas_path}: architecture order differs from NAS-Bench-201's")
        columns.update(hw.columns)
        metrics.update(hw.metrics)
        from cenas.data import sha256_file

        data_files[str(hwnas_path)] = sha256_file(hwnas_path)
    return NB201Benchmark(space, columns, metrics, data_files)


def load_nb201(
    data_dir: str | Path | None = None,
    *,
    hwnas_path: str | Path | None = None,
    hwnas_sha256: str | None = None,
    allow_unverified_pickle: bool = False,
) -> NB201Benchmark:
    """Load NAS-Bench-201 from the reference data directory (cached per process).

    Args:
        data_dir: the data directory (default: ``$CENAS_DATA_DIR``, then the cache).
        hwnas_path: an HW-NAS-Bench pickle to join (default: ``nas/nb201/HW-NAS-Bench-v1_0.pickle``
            in the data directory, used only when ``hwnas_sha256`` or the opt-in is given).
        hwnas_sha256: expected checksum of that pickle.
        allow_unverified_pickle: read the HW-NAS-Bench pickle without a known checksum.

    Raises:
        DataFileMissingError: the accuracy table (the one required file) is missing.
        ChecksumError: a file differs from the catalog.
    """
    root = resolve_data_dir(data_dir).resolve()
    hw: Path | None = Path(hwnas_path).resolve() if hwnas_path is not None else None
    if hw is None:
        default = root / "nas" / "nb201" / HWNAS_FILENAME
        if default.is_file() and (hwnas_sha256 or allow_unverified_pickle):
            hw = default
        elif default.is_file():
            log.warning(
                "%s found but not read: pass its SHA-256 or allow_unverified_pickle", default
            )
    elif not hw.is_file():
        raise DataFileMissingError(f"HW-NAS-Bench pickle {str(hw)!r} does not exist")
    stamp = (hw.stat().st_size, hw.stat().st_mtime_ns) if hw is not None else None
    return _load_cached(root, hw, hwnas_sha256, allow_unverified_pickle, stamp)
