from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import kendalltau

from cenas.bench import Direction, NB201Benchmark, Objectives, load_hwnasbench, load_nb201
from cenas.errors import BenchmarkError, ConfigError, DataError, UnsafePickleError


@pytest.fixture(scope="module")
def nb201(data_dir: Path) -> NB201Benchmark:
    return load_nb201(data_dir)


def test_index_zero(nb201: NB201Benchmark) -> None:
    q = nb201.query(0)
    assert q["cifar10_test_acc"] == pytest.approx(85.863, abs=1e-3)
    assert q["latency_pixel3_ms"] == pytest.approx(3.60585, abs=1e-5)
    s = nb201.space.to_string(0)
    assert s.startswith("|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|")
    assert nb201.query(s) == q


def test_supernet_kendall_tau(nb201: NB201Benchmark) -> None:
    true = nb201.column("cifar10_test_acc")
    one = kendalltau(nb201.column("oneshot_cifar10_acc"), true).statistic
    few = kendalltau(nb201.column("fewshot_cifar10_acc"), true).statistic
    assert one == pytest.approx(0.484, abs=0.005)
    assert few == pytest.approx(0.550, abs=0.005)


def test_vectorised_query_of_whole_space(nb201: NB201Benchmark) -> None:
    metrics = ["cifar10_test_acc", "latency_raspi4_ms", "cifar10_train_time_s"]
    out = nb201.query_many(nb201.space.all_indices(), metrics)
    assert out.shape == (15_625, 3)
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out[:, 0], nb201.column("cifar10_test_acc"))


def test_metadata(nb201: NB201Benchmark) -> None:
    assert nb201.metric("cifar10_test_acc").direction is Direction.MAX
    assert nb201.metric("latency_pixel3_ms").unit == "ms"
    assert nb201.estimate_of("cifar10_test_acc") == "oneshot_cifar10_acc"
    assert nb201.estimate_of("latency_pixel3_ms") == "latency_pixel3_ms"
    assert {"pixel3", "raspi4", "fpga"} <= set(nb201.devices)
    assert nb201.train_time_metric in nb201.metrics
    with pytest.raises(BenchmarkError, match=r"unknown metric 'nope'.*available"):
        nb201.query(0, ["nope"])
    valid = nb201.column("cifar10_valid_acc")
    assert valid.min() > 0 and valid.max() < 100
    assert "nas/nb201/nats_bench_tss_accuracy.csv" in nb201.data_files


def test_objectives_sign_convention(nb201: NB201Benchmark) -> None:
    obj = Objectives.parse("cifar10_test_acc:max,latency_pixel3_ms:min")
    y = obj.evaluate(nb201, [0])
    assert y[0, 0] == pytest.approx(-85.8633, abs=1e-3)
    assert y[0, 1] == pytest.approx(3.60585)
    np.testing.assert_allclose(obj.to_natural(y), nb201.query_many([0], obj.metrics))
    est = obj.estimate(nb201, [0])
    assert est[0, 0] == -nb201.query(0)["oneshot_cifar10_acc"]
    with pytest.raises(ConfigError, match="NAME:max or NAME:min"):
        Objectives.parse("cifar10_test_acc:up")


def _write_hwnas(path: Path, archs: list[str], energy: list[float]) -> None:
    n = len(archs)
    block = {
        "edgegpu_energy": energy,
        "edgegpu_latency": [e / 2 for e in energy],
        "config": [{"arch_str": a} for a in archs],
    }
    path.write_bytes(pickle.dumps({"nasbench201": {"cifar10": block}}))
    assert n == len(energy)


def test_hwnas_loader_on_own_pickle(tmp_path: Path) -> None:
    p = tmp_path / "hw.pickle"
    _write_hwnas(p, ["a", "b", "c"], [10.0, 20.0, 30.0])
    with pytest.raises(UnsafePickleError, match="allow_unverified"):
        load_hwnasbench(p)
    hw = load_hwnasbench(p, allow_unverified=True)
    np.testing.assert_array_equal(hw.columns["hw_edgegpu_energy_mj"], [10.0, 20.0, 30.0])
    assert hw.metrics["hw_edgegpu_energy_mj"].unit == "mJ"
    assert list(hw.arch_strings) == ["a", "b", "c"]
    bad = tmp_path / "bad.pickle"
    bad.write_bytes(pickle.dumps({"other": 1}))
    with pytest.raises(DataError, match="HW-NAS-Bench schema"):
        load_hwnasbench(bad, allow_unverified=True)


def test_hwnas_joins_nb201(tmp_path: Path, data_dir: Path, nb201: NB201Benchmark) -> None:
    archs = nb201.space.to_strings(nb201.space.all_indices())
    energy = list(np.linspace(5.0, 50.0, len(archs)))
    p = tmp_path / "hw.pickle"
    _write_hwnas(p, archs, energy)
    b = load_nb201(data_dir, hwnas_path=p, allow_unverified_pickle=True)
    assert b.query(3)["hw_edgegpu_energy_mj"] == pytest.approx(energy[3])
    assert str(p.resolve()) in b.data_files
    _write_hwnas(p, archs[::-1], energy)
    with pytest.raises(DataError, match="order differs"):
        load_nb201(data_dir, hwnas_path=p, hwnas_sha256=None, allow_unverified_pickle=True)
