"""The EC-NAS benchmark from the raw archive (needs the reference data) and a synthetic one."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pytest

from cenas.bench import Benchmark, Direction, Objectives, get_benchmark
from cenas.ecnas import ECNASBenchmark, ECNASSpaceId, load_ecnas, read_ecnas_archive
from cenas.errors import BenchmarkError, ConfigError, DataError
from cenas.space import NB101_OPS, NB101Cell, nb101_param_count

_ROOT = "ecnas/vendors/ec_nasbench/nasbench/data"


def _result(val: float, energy: float, params: int = 1000, model_hash: str | None = None) -> dict:
    last = {
        "epochs": 4.0,
        "training_time": 60.0 * energy / 0.01,
        "train_accuracy": val,
        "validation_accuracy": val,
        "test_accuracy": val - 0.01,
        "energy (kWh)": energy,
        "co2eq (g)": 100 * energy,
    }
    out = {
        "trainable_params": params,
        "total_time": 100.0,
        "total_energy (kWh)": energy * 1.2,
        "total_co2eq (g)": 120 * energy,
        "avg_power_usages:": {},
        "evaluation_results": [{**last, "epochs": 0.0}, last],
    }
    if model_hash is not None:
        out["model_hash"] = model_hash
    return out


def _add(tf: tarfile.TarFile, name: str, obj: object) -> None:
    raw = json.dumps(obj).encode()
    info = tarfile.TarInfo(f"{_ROOT}/{name}")
    info.size = len(raw)
    tf.addfile(info, io.BytesIO(raw))


def _archive(tmp_path: Path, *, bad_hash: bool = False, missing_field: bool = False) -> Path:
    chain = NB101Cell(np.eye(3, k=1), ["input", "conv3x3-bn-relu", "output"])
    short = NB101Cell([[0, 1], [0, 0]], ["input", "output"])
    graphs = {c.graph_hash: [c.matrix.tolist(), list(c.labels)] for c in (chain, short)}
    if bad_hash:
        graphs[short.graph_hash] = graphs[chain.graph_hash]
    path = tmp_path / "ecnas.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        _add(tf, "graphs/generated_graphs_4V9E.json", graphs)
        base = "train_model_results/energy/4V9E/4_epochs"
        for rep, (v, e) in enumerate([(0.5, 0.010), (0.7, 0.014)], start=1):
            h = chain.graph_hash
            _add(tf, f"{base}/{h[:2]}/{h}/repeat_{rep}/results.json", _result(v, e))
        h = short.graph_hash
        res = _result(0.3, 0.005, model_hash=h)
        if missing_field:
            del res["evaluation_results"][-1]["energy (kWh)"]
        _add(tf, f"{base}/{h[:2]}/{h}/repeat_1/results.json", res)
        _add(tf, f"{base}/_recovery/0", 3)
    return path


def test_synthetic_archive_is_averaged_over_repeats(tmp_path: Path) -> None:
    tables = read_ecnas_archive(_archive(tmp_path))
    t = tables[ECNASSpaceId.V4]
    assert t.repeats.tolist() in ([2, 1], [1, 2])
    b = ECNASBenchmark(t)
    chain = b.space.from_string("010,001,000|input,conv3x3-bn-relu,output")
    row = b.query(chain)
    assert row["val_acc"] == pytest.approx(60.0)
    assert row["test_acc"] == pytest.approx(59.0)
    assert row["train_energy_kwh"] == pytest.approx(0.012)
    assert row["total_energy_kwh"] == pytest.approx(0.0144)
    assert b.std("val_acc")[chain] == pytest.approx(10.0)
    assert b.repeats[chain] == 2


def test_archive_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="hashes to"):
        read_ecnas_archive(_archive(tmp_path, bad_hash=True))
    (tmp_path / "b").mkdir()
    with pytest.raises(DataError, match=r"field 'energy \(kWh\)' \(last checkpoint\)"):
        read_ecnas_archive(_archive(tmp_path / "b", missing_field=True))
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tarball")
    with pytest.raises(DataError, match="not a readable"):
        read_ecnas_archive(junk)
    with pytest.raises(DataError, match=r"no results\.json for a 12-epoch budget"):
        read_ecnas_archive(_archive(tmp_path), epochs=12)


def test_vertices_must_be_4_or_5() -> None:
    with pytest.raises(ConfigError, match="vertices must be one of"):
        load_ecnas(vertices=7)


@pytest.mark.data
def test_load_5v(data_dir: Path) -> None:
    b = load_ecnas(5, data_dir)
    assert isinstance(b, Benchmark)
    assert b.space.size == 2532 and b.vertices == 5 and b.epochs == 4
    assert b.space.feature_dim == 19
    assert (b.repeats == 1).all()
    assert list(b.space.hashes) == sorted(b.space.hashes)
    for m, meta in b.metrics.items():
        col = b.column(m)
        assert col.shape == (2532,) and np.isfinite(col).all() and (col >= 0).all(), m
        assert (meta.direction is Direction.MAX) == m.endswith("_acc")
    assert b.column("val_acc").min() > 0 and b.column("val_acc").max() <= 100
    # Pinned: the first results.json in the archive.
    i = b.space.from_string("b1750a490368d6cea709a91d0b12ac29")
    assert b.query(i, ["train_energy_kwh", "params", "train_time_s"]) == pytest.approx(
        {"train_energy_kwh": 0.013282, "params": 999828.0, "train_time_s": 65.4320068359375}
    )
    assert b.train_time_metric == "train_time_s"
    with pytest.raises(BenchmarkError, match="unknown metric"):
        b.column("energy")


@pytest.mark.data
def test_hashes_and_param_counts_reproduce_the_measurements(data_dir: Path) -> None:
    b = load_ecnas(5, data_dir)
    # Loading re-hashes every graph against its key; the parameter count is recomputed here.
    params = np.array([nb101_param_count(c) for c in b.space.cells], dtype=np.float64)
    np.testing.assert_array_equal(params, b.column("params"))
    counts = np.bincount([c.num_vertices for c in b.space.cells])
    assert counts[2:].tolist() == [1, 6, 84, 2441]


@pytest.mark.data
def test_load_4v_has_three_repeats_and_is_a_subset_of_5v(data_dir: Path) -> None:
    b4 = load_ecnas(4, data_dir)
    b5 = load_ecnas(5, data_dir)
    assert b4.space.size == 91 and (b4.repeats == 3).all()
    assert b4.space.feature_dim == 12
    assert set(b4.space.hashes) <= set(b5.space.hashes)
    assert (b4.std("val_acc") > 0).all()
    assert (b4.std("params") == 0).all()


@pytest.mark.data
def test_registry_and_objectives(data_dir: Path) -> None:
    b = get_benchmark("ecnas", data_dir)
    assert isinstance(b, ECNASBenchmark) and b.space.size == 2532
    obj = Objectives.of(b, ["val_acc", "train_energy_kwh"])
    y = obj.evaluate(b, np.array([0, 1]))
    assert (y[:, 0] < 0).all() and (y[:, 1] > 0).all()


@pytest.mark.data
def test_neighbours_stay_in_the_measured_set(data_dir: Path) -> None:
    b = load_ecnas(5, data_dir)
    space = b.space
    rng = np.random.default_rng(0)
    for i in rng.choice(space.size, 25, replace=False):
        nb = space.neighbours(int(i))
        assert nb.size > 0 and int(i) not in nb.tolist()
        assert nb.min() >= 0 and nb.max() < space.size
        cell = space.cell(int(i))
        # every operation change is measured in this space, so each one is a neighbour
        for k in range(1, cell.num_vertices - 1):
            for op in NB101_OPS:
                if op != cell.ops[k]:
                    ops = list(cell.ops)
                    ops[k] = op
                    assert space.index_of_cell(NB101Cell(cell.matrix, ops)) in nb
