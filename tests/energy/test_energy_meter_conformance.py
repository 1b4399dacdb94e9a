"""One conformance suite run against every EnergyMeter implementation (on fake hardware)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cenas.energy import CpuModelMeter, EnergyMeter, NvmlMeter, RaplMeter
from cenas.energy.testing import (
    FakeGpu,
    FakeNvmlState,
    FakePowerMeter,
    FakeRapl,
    ScriptedUtilisation,
    make_fake_nvml,
)

# Each factory returns the meter and a function that makes the hardware consume some energy.
Factory = Callable[[Path], tuple[EnergyMeter, Callable[[], None]]]


def _rapl(tmp: Path) -> tuple[EnergyMeter, Callable[[], None]]:
    fake = FakeRapl(tmp / "powercap").standard()
    state = {"uj": 1_000_000}

    def burn() -> None:
        state["uj"] += 2_000_000
        fake.set("intel-rapl:0", state["uj"])

    return RaplMeter(fake.root), burn


def _nvml(counter: bool) -> Factory:
    def make(tmp: Path) -> tuple[EnergyMeter, Callable[[], None]]:
        st = FakeNvmlState(gpus=[FakeGpu(energy_mj=0 if counter else None), FakeGpu()])

        def burn() -> None:
            for g in st.gpus:
                if g.energy_mj is not None:
                    g.energy_mj += 5_000

        return NvmlMeter(make_fake_nvml(st), cuda_visible_devices="0,1"), burn

    return make


def _cpu_model(tmp: Path) -> tuple[EnergyMeter, Callable[[], None]]:
    return CpuModelMeter(tdp_w=50.0, utilisation=ScriptedUtilisation([0.5] * 100)), lambda: None


def _fake(tmp: Path) -> tuple[EnergyMeter, Callable[[], None]]:
    return FakePowerMeter({"a": 1.0, "b": 2.0}), lambda: None


FACTORIES: dict[str, Factory] = {
    "rapl": _rapl,
    "nvml-counter": _nvml(True),
    "nvml-power": _nvml(False),
    "cpu-model": _cpu_model,
    "fake": _fake,
}


@pytest.fixture(params=list(FACTORIES))
def meter_and_burn(
    request: pytest.FixtureRequest, tmp_path: Path
) -> tuple[EnergyMeter, Callable[[], None]]:
    return FACTORIES[request.param](tmp_path)


def test_name_and_components(meter_and_burn: tuple[EnergyMeter, Callable[[], None]]) -> None:
    meter, _ = meter_and_burn
    assert meter.name and meter.name == meter.name.strip()
    names = [c.name for c in meter.components]
    assert names and len(set(names)) == len(names)
    assert isinstance(meter.details, str)


def test_window_readings(meter_and_burn: tuple[EnergyMeter, Callable[[], None]]) -> None:
    meter, burn = meter_and_burn
    names = {c.name for c in meter.components}
    meter.start(0.0)
    first = meter.energy_j(0.0)
    assert set(first) == names
    assert all(v == pytest.approx(0.0, abs=1e-9) for v in first.values())
    previous = first
    total = 0.0
    for t in (1.0, 2.0, 5.0):
        burn()
        now = meter.energy_j(t)
        assert set(now) == names
        assert all(now[k] >= previous[k] >= 0.0 for k in names)  # non-decreasing
        previous = now
        total = sum(now.values())
    assert total > 0.0
    meter.start(10.0)  # a new window starts from zero again
    assert sum(meter.energy_j(10.0).values()) == pytest.approx(0.0, abs=1e-9)
    meter.close()
