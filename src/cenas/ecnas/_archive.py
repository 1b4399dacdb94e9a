"""Reading EC-NAS's raw measurements: the archive of ``results.json`` files and generated
graphs, streamed with :mod:`tarfile`, every graph re-hashed, into one table per space (see
``_bench`` for the benchmark built from them)."""

from __future__ import annotations

import io
import json
import re
import tarfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cenas.errors import ArchitectureError, DataError
from cenas.space import NB101Cell

__all__ = ["ECNAS_ARCHIVE", "ECNASSpaceId", "ECNASTable", "read_ecnas_archive"]


ECNAS_ARCHIVE = "nas/ecnas/ecnas_raw_energy_4V_5V.tar.gz"


class ECNASSpaceId(IntEnum):
    """The measured EC-NAS spaces, by their largest number of vertices."""

    V4 = 4
    V5 = 5

    @property
    def dirname(self) -> str:
        """Directory name in the archive (``4V9E`` / ``5V9E``)."""
        return f"{int(self)}V9E"


_FIELDS: dict[str, tuple[str, str, float]] = {
    "val_acc": ("last", "validation_accuracy", 100.0),
    "test_acc": ("last", "test_accuracy", 100.0),
    "train_acc": ("last", "train_accuracy", 100.0),
    "train_energy_kwh": ("last", "energy (kWh)", 1.0),
    "train_time_s": ("last", "training_time", 1.0),
    "train_co2_g": ("last", "co2eq (g)", 1.0),
    "params": ("top", "trainable_params", 1.0),
    "total_energy_kwh": ("top", "total_energy (kWh)", 1.0),
    "total_time_s": ("top", "total_time", 1.0),
    "total_co2_g": ("top", "total_co2eq (g)", 1.0),
}

_RESULT_RE = re.compile(
    r"train_model_results/energy/(?P<space>\d+V9E)/(?P<epochs>\d+)_epochs/"
    r"(?P<prefix>[0-9a-f]{2})/(?P<hash>[0-9a-f]{32})/repeat_(?P<repeat>\d+)/results\.json$"
)
_GRAPHS_RE = re.compile(r"graphs/generated_graphs_(?P<space>\d+V9E)\.json$")


@dataclass(frozen=True)
class ECNASTable:
    """The measurements of one EC-NAS space, averaged over repeats.

    Attributes:
        space_id: which space.
        epochs: training budget of the measurements.
        hashes: graph hashes, sorted, shape ``(n,)``.
        cells: the cells in the same order.
        columns: metric name -> values, shape ``(n,)``.
        repeats: repeats averaged per architecture, shape ``(n,)``.
        std: metric name -> standard deviation over repeats (0 with one repeat), shape ``(n,)``.
    """

    space_id: ECNASSpaceId
    epochs: int
    hashes: tuple[str, ...]
    cells: tuple[NB101Cell, ...]
    columns: Mapping[str, NDArray[np.float64]]
    repeats: NDArray[np.int64]
    std: Mapping[str, NDArray[np.float64]]


def _field(data: dict[str, Any], where: str, metric: str) -> float:
    kind, key, scale = _FIELDS[metric]
    src: Any = data
    if kind == "last":
        evals = data.get("evaluation_results")
        if not isinstance(evals, list) or not evals:
            raise DataError(f"{where}: 'evaluation_results' must be a non-empty list")
        src = evals[-1]
    try:
        return float(src[key]) * scale
    except (KeyError, TypeError, ValueError):
        raise DataError(
            f"{where}: field {key!r} ({'last checkpoint' if kind == 'last' else 'top level'}) "
            f"is missing or not a number"
        ) from None


def _read_json(tf: tarfile.TarFile, member: tarfile.TarInfo) -> Any:
    f = tf.extractfile(member)
    if f is None:
        raise DataError(f"{member.name}: not a regular file")
    try:
        return json.load(io.TextIOWrapper(f, encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise DataError(f"{member.name}: not valid JSON: {e}") from None


def _scan(
    tf: tarfile.TarFile, path: str, epochs: int
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, dict[int, dict[str, float]]]]]:
    graphs: dict[str, dict[str, Any]] = {}
    runs: dict[str, dict[str, dict[int, dict[str, float]]]] = {}
    for member in tf:
        if not member.isfile():
            continue
        g = _GRAPHS_RE.search(member.name)
        if g:
            data = _read_json(tf, member)
            if not isinstance(data, dict):
                raise DataError(f"{member.name}: expected an object hash -> [matrix, labels]")
            graphs[g["space"]] = data
            continue
        r = _RESULT_RE.search(member.name)
        if r is None or int(r["epochs"]) != epochs:
            continue  # _recovery counters, other budgets
        data = _read_json(tf, member)
        where = f"{path}:{member.name}"
        if not isinstance(data, dict):
            raise DataError(f"{where}: expected a JSON object")
        if "model_hash" in data and data["model_hash"] != r["hash"]:
            raise DataError(
                f"{where}: model_hash {data['model_hash']!r} differs from its directory "
                f"{r['hash']!r}"
            )
        values = {m: _field(data, where, m) for m in _FIELDS}
        runs.setdefault(r["space"], {}).setdefault(r["hash"], {})[int(r["repeat"])] = values
    return graphs, runs


def read_ecnas_archive(path: str | Path, *, epochs: int = 4) -> dict[ECNASSpaceId, ECNASTable]:
    """Parse the raw EC-NAS archive into one table per space.

    Args:
        path: the ``.tar.gz`` (its checksum is the caller's business; see :func:`load_ecnas`).
        epochs: training budget to read (the archive holds only 4).

    Raises:
        DataError: a member is malformed, a measured hash has no graph, a graph does not hash to
            its key, or the budget has no results.
    """
    try:
        with tarfile.open(path, mode="r:gz") as tf:
            graphs, runs = _scan(tf, str(path), epochs)
    except (OSError, EOFError, tarfile.TarError, zlib.error) as e:
        raise DataError(f"{path}: not a readable .tar.gz archive: {e}") from None
    if not runs:
        raise DataError(f"{path}: no results.json for a {epochs}-epoch budget")
    tables: dict[ECNASSpaceId, ECNASTable] = {}
    for sid in ECNASSpaceId:
        if sid.dirname not in runs:
            continue
        if sid.dirname not in graphs:
            raise DataError(f"{path}: graphs/generated_graphs_{sid.dirname}.json is missing")
        tables[sid] = _table(str(path), sid, epochs, graphs[sid.dirname], runs[sid.dirname])
    return tables


def _table(
    where: str,
    sid: ECNASSpaceId,
    epochs: int,
    graphs: dict[str, Any],
    runs: dict[str, dict[int, dict[str, float]]],
) -> ECNASTable:
    hashes = tuple(sorted(runs))
    cells = []
    for h in hashes:
        spec = graphs.get(h)
        if not (isinstance(spec, list) and len(spec) == 2):
            raise DataError(
                f"{where}: measured hash {h} of {sid.dirname} has no [matrix, labels] entry in "
                f"generated_graphs_{sid.dirname}.json"
            )
        try:
            cell = NB101Cell.from_labels(spec[0], spec[1], max_vertices=int(sid))
        except ArchitectureError as e:
            raise DataError(f"{where}: graph {h} of {sid.dirname}: {e}") from None
        if cell.graph_hash != h:
            raise DataError(
                f"{where}: graph {h} of {sid.dirname} hashes to {cell.graph_hash}; the graph "
                f"and its key disagree"
            )
        cells.append(cell)
    columns: dict[str, NDArray[np.float64]] = {}
    std: dict[str, NDArray[np.float64]] = {}
    for m in _FIELDS:
        per = [np.array([runs[h][r][m] for r in sorted(runs[h])]) for h in hashes]
        columns[m] = np.array([v.mean() for v in per], dtype=np.float64)
        std[m] = np.array([v.std() for v in per], dtype=np.float64)
    repeats = np.array([len(runs[h]) for h in hashes], dtype=np.int64)
    return ECNASTable(sid, epochs, hashes, tuple(cells), columns, repeats, std)
