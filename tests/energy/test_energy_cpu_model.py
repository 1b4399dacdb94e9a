"""The CPU model meter: TDP table lookup, user TDP, utilisation sources."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cenas.energy import (
    ChildProcessesCpuUtilisation,
    ComponentKind,
    CpuModelMeter,
    CpuTable,
    ProcessCpuUtilisation,
    SystemCpuUtilisation,
    TdpSource,
    normalise_cpu_model,
    read_cpu_model_name,
)
from cenas.energy.testing import ScriptedUtilisation
from cenas.errors import ConfigError, DataError, MeterUnavailableError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz", "intel xeon e5-2680 v4"),
        ("AMD EPYC 7763 64-Core Processor", "amd epyc 7763"),
        ("13th Gen Intel(R) Core(TM) i9-13900K", "13th gen intel core i9-13900k"),
        ("AMD EPYC", "amd epyc"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise_cpu_model(raw) == expected


def test_shipped_table_is_valid_and_has_sources() -> None:
    t = CpuTable.load()
    assert len(t.rows) >= 50
    assert {"intel", "amd"} <= set(t.sources)
    assert len({r.model for r in t.rows}) == len(t.rows)


@pytest.mark.parametrize(
    ("name", "model", "per_thread_w"),
    [
        ("AMD EPYC 7763 64-Core Processor", "AMD EPYC 7763", 280 / 128),
        ("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", "Intel Xeon Gold 6248", 150 / 40),
        ("AMD Ryzen 7 5800X3D 8-Core Processor", "AMD Ryzen 7 5800X3D", 105 / 16),
        ("Intel(R) Xeon(R) Platinum 8480+", "Intel Xeon Platinum 8480+", 350 / 112),
    ],
)
def test_exact_lookup(name: str, model: str, per_thread_w: float) -> None:
    m = CpuTable.load().lookup(name)
    assert m is not None and m.source is TdpSource.EXACT_MODEL
    assert m.matched == model
    assert m.tdp_w_per_thread == pytest.approx(per_thread_w)


def test_family_lookup_when_the_model_is_hidden() -> None:
    t = CpuTable.load()
    m = t.lookup("AMD EPYC")  # what this project's CI VM reports
    assert m is not None and m.source is TdpSource.FAMILY and m.matched == "AMD EPYC"
    epyc = [r.tdp_w_per_thread for r in t.rows if r.model.startswith("AMD EPYC ")]
    assert m.n_rows == len(epyc)
    assert min(epyc) <= m.tdp_w_per_thread <= max(epyc)
    assert "model hidden" in m.description
    assert t.lookup("QEMU Virtual CPU version 2.5+") is None
    assert t.lookup("") is None


def test_estimate_is_tdp_share_times_utilisation() -> None:
    util = ScriptedUtilisation([0.5, 1.0], n_cpus=2)
    m = CpuModelMeter(cpu_model="AMD EPYC 7763 64-Core Processor", utilisation=util)
    assert m.name == "cpu-model"
    assert [(c.name, c.kind) for c in m.components] == [("cpu", ComponentKind.CPU)]
    assert m.max_power_w == pytest.approx(280 / 128 * 2)
    m.start(10.0)
    assert util.started_at == 10.0
    assert m.energy_j(20.0)["cpu"] == pytest.approx(m.max_power_w * 0.5 * 10)
    assert m.energy_j(24.0)["cpu"] == pytest.approx(m.max_power_w * (0.5 * 10 + 1.0 * 4))
    assert "AMD EPYC 7763" in m.details


def test_user_tdp_overrides_table() -> None:
    util = ScriptedUtilisation([0.25])
    m = CpuModelMeter(tdp_w=100.0, cpu_model="something unknown", utilisation=util)
    assert m.tdp.source is TdpSource.USER
    m.start(0.0)
    assert m.energy_j(8.0)["cpu"] == pytest.approx(100.0 * 0.25 * 8)


def test_unknown_model_without_tdp_is_an_error_not_a_constant() -> None:
    with pytest.raises(MeterUnavailableError, match=r"not in the CPU table.*--tdp-w"):
        CpuModelMeter(cpu_model="QEMU Virtual CPU", utilisation=ScriptedUtilisation([]))


@pytest.mark.parametrize("tdp", [0.0, -5.0, float("nan")])
def test_bad_tdp(tdp: float) -> None:
    with pytest.raises(ConfigError, match="tdp_w must be positive"):
        CpuModelMeter(tdp_w=tdp, utilisation=ScriptedUtilisation([]))


def test_custom_table(tmp_path: Path) -> None:
    p = tmp_path / "t.json"
    p.write_text(
        json.dumps(
            {
                "cpus": [
                    {"model": "Acme X1", "vendor": "acme", "tdp_w": 40, "cores": 4, "threads": 8}
                ]
            }
        )
    )
    m = CpuModelMeter(
        cpu_table=CpuTable.load(p),
        cpu_model="Acme(R) X1 CPU @ 3GHz",
        utilisation=ScriptedUtilisation([1.0], n_cpus=4),
    )
    assert m.max_power_w == pytest.approx(20.0)


@pytest.mark.parametrize(
    ("doc", "msg"),
    [
        ("[]", "must be an object with a list 'cpus'"),
        ('{"cpus": [{"model": "A", "tdp_w": "x", "cores": 1, "threads": 1}]}', "tdp_w"),
        ('{"cpus": [{"model": "A", "tdp_w": 10, "cores": 4, "threads": 2}]}', "threads >= cores"),
        ("{", "not valid JSON"),
    ],
)
def test_bad_table(tmp_path: Path, doc: str, msg: str) -> None:
    p = tmp_path / "bad.json"
    p.write_text(doc)
    with pytest.raises(DataError, match=msg) as info:
        CpuTable.load(p)
    assert str(p) in str(info.value)


def test_read_cpu_model_name(tmp_path: Path) -> None:
    p = tmp_path / "cpuinfo"
    p.write_text("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7763\n")
    assert read_cpu_model_name(p) == "AMD EPYC 7763"


def test_system_utilisation_is_a_fraction() -> None:
    u = SystemCpuUtilisation()
    u.start(0.0)
    sum(i * i for i in range(200_000))
    assert 0.0 <= u.utilisation(1.0) <= 1.0
    assert u.n_cpus >= 1


def test_process_utilisation_counts_our_cpu_time() -> None:
    u = ProcessCpuUtilisation(os.getpid())
    u.start(0.0)
    cpu0 = os.times()
    sum(i * i for i in range(300_000))
    cpu1 = os.times()
    used = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
    # a fake 1-second interval: utilisation = CPU seconds / (1 s x n CPUs)
    got = u.utilisation(1.0)
    assert got == pytest.approx(min(1.0, used / u.n_cpus), abs=0.05)


def test_child_processes_utilisation_sees_the_command() -> None:
    u = ChildProcessesCpuUtilisation()
    u.start(0.0)
    code = (
        "import os; sum(i * i for i in range(2_000_000)); t = os.times(); print(t.user + t.system)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    child_cpu_s = float(out.stdout)
    # a fake 100-second interval: the reaped child's CPU time over 100 s x n CPUs
    got = u.utilisation(100.0)
    assert got * 100.0 * u.n_cpus >= child_cpu_s * 0.9
