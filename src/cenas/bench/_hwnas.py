"""Loader for the official HW-NAS-Bench pickle (``HW-NAS-Bench-v1_0.pickle``).

Schema: ``d['nasbench201'][dataset][metric][index]`` for the metrics in :data:`HWNAS_METRICS`
and ``d['nasbench201'][dataset]['config'][index]['arch_str']``, datasets ``cifar10``,
``cifar100``, ``ImageNet``; the index is NAS-Bench-201's. The file is a pickle with no checksum
in the catalog (it is not available offline), so reading it needs an expected SHA-256 or an
explicit opt-in; either way only the restricted unpickler touches it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cenas.bench._base import Direction, Metric
from cenas.data import load_pickle
from cenas.errors import DataError

__all__ = ["HWNAS_FILENAME", "HWNAS_METRICS", "HWNasTable", "load_hwnasbench"]

HWNAS_FILENAME = "HW-NAS-Bench-v1_0.pickle"

# metric in the pickle -> (cenas metric suffix, unit)
HWNAS_METRICS: dict[str, tuple[str, str]] = {
    "edgegpu_latency": ("edgegpu_latency_ms", "ms"),
    "edgegpu_energy": ("edgegpu_energy_mj", "mJ"),
    "raspi4_latency": ("raspi4_latency_ms", "ms"),
    "edgetpu_latency": ("edgetpu_latency_ms", "ms"),
    "pixel3_latency": ("pixel3_latency_ms", "ms"),
    "eyeriss_latency": ("eyeriss_latency_ms", "ms"),
    "eyeriss_energy": ("eyeriss_energy_mj", "mJ"),
    "eyeriss_arithmetic_intensity": ("eyeriss_arithmetic_intensity", "op/byte"),
    "fpga_latency": ("fpga_latency_ms", "ms"),
    "fpga_energy": ("fpga_energy_mj", "mJ"),
}
_DATASETS = {"cifar10": "cifar10", "cifar100": "cifar100", "ImageNet": "imagenet16"}


@dataclass(frozen=True)
class HWNasTable:
    """Columns read from HW-NAS-Bench, keyed by cenas metric name, with architecture strings."""

    columns: Mapping[str, NDArray[np.float64]]
    metrics: Mapping[str, Metric]
    arch_strings: Sequence[str]


def _as_column(values: Any, where: str) -> NDArray[np.float64]:
    if isinstance(values, Mapping):
        n = len(values)
        try:
            return np.array([float(values[i]) for i in range(n)], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as e:
            raise DataError(f"{where}: expected values indexed 0..{n - 1}") from e
    try:
        return np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as e:
        raise DataError(f"{where}: expected a list of numbers") from e


def load_hwnasbench(
    path: str | Path,
    *,
    expected_sha256: str | None = None,
    allow_unverified: bool = False,
    dataset: str = "cifar10",
) -> HWNasTable:
    """Read one dataset's hardware metrics from an HW-NAS-Bench pickle.

    Args:
        path: the pickle file.
        expected_sha256: its checksum, if known; otherwise ``allow_unverified`` must be True.
        allow_unverified: opt in to reading a pickle with no known checksum (still restricted).
        dataset: ``cifar10``, ``cifar100`` or ``ImageNet``.

    Returns:
        Columns named ``hw_<metric>`` (e.g. ``hw_edgegpu_energy_mj``), plus ``arch_strings``.
    """
    p = Path(path)
    d = load_pickle(p, expected_sha256=expected_sha256, allow_unverified=allow_unverified)
    try:
        block = d["nasbench201"][dataset]
    except (KeyError, TypeError):
        raise DataError(
            f"{p}: expected d['nasbench201'][{dataset!r}] (HW-NAS-Bench schema)"
        ) from None
    if dataset not in _DATASETS:
        raise DataError(f"dataset must be one of {', '.join(_DATASETS)}, got {dataset!r}")
    columns: dict[str, NDArray[np.float64]] = {}
    metrics: dict[str, Metric] = {}
    for key, (suffix, unit) in HWNAS_METRICS.items():
        if key not in block:
            continue
        name = f"hw_{suffix}"
        columns[name] = _as_column(block[key], f"{p}: nasbench201/{dataset}/{key}")
        direction = Direction.MAX if "intensity" in key else Direction.MIN
        metrics[name] = Metric(
            name, unit, direction, f"HW-NAS-Bench {key} ({_DATASETS[dataset]} network)"
        )
    if not columns:
        raise DataError(f"{p}: no known HW-NAS-Bench metric under nasbench201/{dataset}")
    configs = block.get("config")
    if configs is None:
        raise DataError(f"{p}: missing nasbench201/{dataset}/config (architecture strings)")
    n = len(configs)
    try:
        archs = [str(configs[i]["arch_str"]) for i in range(n)]
    except (KeyError, TypeError):
        raise DataError(f"{p}: each nasbench201/{dataset}/config entry needs 'arch_str'") from None
    for name, col in columns.items():
        if col.shape[0] != n:
            raise DataError(f"{p}: {name} has {col.shape[0]} values but there are {n} configs")
    return HWNasTable(columns, metrics, archs)
