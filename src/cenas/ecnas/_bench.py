"""The EC-NAS benchmark read from its raw measurements (NAS-Bench-101 cells, 4-epoch budget).

The archive ``nas/ecnas/ecnas_raw_energy_4V_5V.tar.gz`` holds EC-NAS-Bench's
``train_model_results/energy/<S>/4_epochs/<hh>/<hash>/repeat_<r>/results.json`` for the spaces
``S = 4V9E`` (at most 4 vertices, 91 cells, 3 repeats) and ``5V9E`` (at most 5 vertices, 2,532
cells, 1 repeat), and ``graphs/generated_graphs_<S>.json`` mapping each NAS-Bench-101 graph hash
to ``[adjacency, labels]``. The archive is streamed with :mod:`tarfile` (nothing is extracted);
every graph is re-hashed and must reproduce its key (reading it is ``_archive``'s work).

Per architecture, averaged over repeats (the last checkpoint, epoch 4, is "the" result; EC-NAS
takes the same checkpoint's energy, CO2 and training time for its 4-epoch benchmark):

- ``val_acc``, ``test_acc``, ``train_acc`` (%): CIFAR-10 accuracy measured after 4 epochs;
- ``train_energy_kwh``, ``train_time_s``, ``train_co2_g``: energy (GPU + CPU, carbontracker),
  training time and CO2 of the 4 training epochs;
- ``total_energy_kwh``, ``total_time_s``, ``total_co2_g``: the whole run including the
  checkpoint evaluations;
- ``params``: trainable parameters.

Architecture index ``i`` is the ``i``-th graph hash in sorted order. The parsed tables are cached
in memory and as an ``.npz`` (no pickles) in the user cache directory, keyed by the archive's
catalog SHA-256 (the archive itself is verified on every load).
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cenas.bench import Direction, Metric, TableBenchmark
from cenas.data import CATALOG, cache_dir, locate
from cenas.ecnas._archive import (
    _FIELDS,
    ECNAS_ARCHIVE,
    ECNASSpaceId,
    ECNASTable,
    read_ecnas_archive,
)
from cenas.errors import ConfigError, DataError
from cenas.space import NB101Cell, NB101CellSpace

__all__ = ["ECNAS_METRICS", "ECNASBenchmark", "load_ecnas"]

logger = logging.getLogger(__name__)

ECNAS_METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("val_acc", "%", Direction.MAX, "CIFAR-10 validation accuracy after 4 epochs"),
        Metric("test_acc", "%", Direction.MAX, "CIFAR-10 test accuracy after 4 epochs"),
        Metric("train_acc", "%", Direction.MAX, "CIFAR-10 training accuracy after 4 epochs"),
        Metric("train_energy_kwh", "kWh", Direction.MIN, "energy of 4 training epochs (GPU+CPU)"),
        Metric("train_time_s", "s", Direction.MIN, "time of 4 training epochs"),
        Metric("train_co2_g", "gCO2eq", Direction.MIN, "carbon of 4 training epochs"),
        Metric("params", "count", Direction.MIN, "trainable parameters"),
        Metric("total_energy_kwh", "kWh", Direction.MIN, "energy of the run incl. evaluations"),
        Metric("total_time_s", "s", Direction.MIN, "time of the run incl. evaluations"),
        Metric("total_co2_g", "gCO2eq", Direction.MIN, "carbon of the run incl. evaluations"),
    )
}

# metric -> (where in results.json, key, scale); "last" is the last checkpoint.


class ECNASBenchmark(TableBenchmark):
    """EC-NAS measurements of one NAS-Bench-101 sub-space as a tabular :class:`Benchmark`.

    Build it with :func:`load_ecnas`. The space is an :class:`~cenas.space.NB101CellSpace` over
    the measured cells (index ``i`` = ``i``-th sorted graph hash); metrics are listed in
    :data:`ECNAS_METRICS`; the cost of training an architecture is ``train_time_s``.
    """

    train_time_metric = "train_time_s"
    _space: NB101CellSpace

    def __init__(self, table: ECNASTable, data_files: Mapping[str, str] | None = None) -> None:
        self.table = table
        self.name = f"ecnas-{int(table.space_id)}v"
        space = NB101CellSpace(
            table.cells, max_vertices=int(table.space_id), name=f"nb101-{int(table.space_id)}v"
        )
        metrics = {k: ECNAS_METRICS[k] for k in table.columns}
        super().__init__(space, table.columns, metrics, data_files)

    @property
    def space(self) -> NB101CellSpace:
        return self._space

    @property
    def vertices(self) -> int:
        """Largest number of vertices of the space (4 or 5)."""
        return int(self.table.space_id)

    @property
    def epochs(self) -> int:
        """Training budget of the measurements."""
        return self.table.epochs

    @property
    def repeats(self) -> NDArray[np.int64]:
        """Repeats averaged per architecture, shape ``(space.size,)``."""
        return self.table.repeats

    def std(self, metric: str) -> NDArray[np.float64]:
        """Standard deviation over repeats of one metric, shape ``(space.size,)``."""
        self.metric(metric)
        return self.table.std[metric]


_memo: dict[tuple[str, int], dict[ECNASSpaceId, ECNASTable]] = {}
_CACHE_VERSION = 1


def _cache_file(epochs: int) -> Path:
    sha = CATALOG[ECNAS_ARCHIVE].sha256
    return cache_dir().parent / "ecnas" / f"tables-{sha[:16]}-e{epochs}-v{_CACHE_VERSION}.npz"


def _save_tables(tables: dict[ECNASSpaceId, ECNASTable], path: Path) -> None:
    arrays: dict[str, NDArray[Any]] = {}
    for sid, t in tables.items():
        v = int(sid)
        n = len(t.cells)
        mats = np.zeros((n, v, v), dtype=np.int8)
        labels = np.zeros((n, v), dtype=np.int8)
        nv = np.array([c.num_vertices for c in t.cells], dtype=np.int8)
        for r, c in enumerate(t.cells):
            mats[r, : c.num_vertices, : c.num_vertices] = c.matrix
            labels[r, : c.num_vertices] = c.labels
        d = sid.dirname
        arrays |= {f"{d}/hashes": np.array(t.hashes), f"{d}/matrix": mats}
        arrays |= {f"{d}/labels": labels, f"{d}/nv": nv, f"{d}/repeats": t.repeats}
        arrays |= {f"{d}/col/{m}": t.columns[m] for m in _FIELDS}
        arrays |= {f"{d}/std/{m}": t.std[m] for m in _FIELDS}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **arrays)  # type: ignore[arg-type]  # keys are never "allow_pickle"
        tmp.replace(path)
    except OSError as e:  # a read-only cache only costs the next load a re-parse
        logger.warning("could not write the EC-NAS cache %s: %s", path, e)


def _load_tables(path: Path, epochs: int) -> dict[ECNASSpaceId, ECNASTable] | None:
    if not path.is_file():
        return None
    tables = {}
    try:
        with np.load(path, allow_pickle=False) as z:
            for sid in ECNASSpaceId:
                d = sid.dirname
                if f"{d}/hashes" not in z:
                    continue
                mats, labels, nv = z[f"{d}/matrix"], z[f"{d}/labels"], z[f"{d}/nv"]
                cells = tuple(
                    NB101Cell.from_labels(mats[r, :k, :k], labels[r, :k], max_vertices=int(sid))
                    for r, k in enumerate(nv.astype(int))
                )
                hashes = tuple(str(h) for h in z[f"{d}/hashes"])
                if tuple(c.graph_hash for c in cells) != hashes:
                    raise DataError("cached graphs do not match their hashes")
                tables[sid] = ECNASTable(
                    sid,
                    epochs,
                    hashes,
                    cells,
                    {m: z[f"{d}/col/{m}"].astype(np.float64) for m in _FIELDS},
                    z[f"{d}/repeats"].astype(np.int64),
                    {m: z[f"{d}/std/{m}"].astype(np.float64) for m in _FIELDS},
                )
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as e:
        # ArchitectureError and DataError are ValueErrors: a corrupt cache is re-parsed.
        logger.warning("ignoring the unreadable EC-NAS cache %s: %s", path, e)
        return None
    return tables or None


def load_ecnas(
    vertices: int = 5, data_dir: str | Path | None = None, *, epochs: int = 4
) -> ECNASBenchmark:
    """The EC-NAS benchmark of the space with at most ``vertices`` vertices.

    Args:
        vertices: 5 (2,532 cells, default) or 4 (91 cells, 3 repeats each).
        data_dir: reference data directory (default: ``$CENAS_DATA_DIR``, then the cache).
        epochs: training budget; the raw archive holds 4 epochs only.

    Raises:
        ConfigError: ``vertices`` is not 4 or 5.
        DataFileMissingError, ChecksumError: the archive is absent or differs from the catalog.
        DataError: the archive is malformed or holds no results for ``epochs``.
    """
    try:
        sid = ECNASSpaceId(int(vertices))
    except ValueError:
        raise ConfigError(
            f"vertices must be one of {[int(s) for s in ECNASSpaceId]}, got {vertices}"
        ) from None
    path = locate(ECNAS_ARCHIVE, data_dir)
    key = (str(path.resolve()), int(epochs))
    tables = _memo.get(key)
    if tables is None:
        cache = _cache_file(epochs)
        tables = _load_tables(cache, epochs)
        if tables is None:
            tables = read_ecnas_archive(path, epochs=epochs)
            _save_tables(tables, cache)
            logger.info("read %s: %s", path, {s.dirname: len(t.hashes) for s, t in tables.items()})
        _memo[key] = tables
    if sid not in tables:
        raise DataError(f"{path}: no {epochs}-epoch results for the {sid.dirname} space")
    return ECNASBenchmark(tables[sid], {ECNAS_ARCHIVE: CATALOG[ECNAS_ARCHIVE].sha256})
