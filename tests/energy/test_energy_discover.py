"""discover_meters: which meters are used, and why the others are not."""

from __future__ import annotations

import pathlib
from pathlib import Path

import pytest

from cenas.energy import CpuModelMeter, NvmlMeter, RaplMeter, discover_meters
from cenas.energy.testing import (
    NVML_ERROR_LIBRARY_NOT_FOUND,
    FakeGpu,
    FakeNvmlState,
    FakeRapl,
    ScriptedUtilisation,
    make_fake_nvml,
)
from cenas.errors import MeterUnavailableError


def test_rapl_and_nvml_present(fake_rapl: FakeRapl, nvml_state: FakeNvmlState) -> None:
    fake_rapl.standard()
    nvml_state.gpus = [FakeGpu()]
    d = discover_meters(powercap_root=fake_rapl.root, nvml_module=make_fake_nvml(nvml_state))
    assert [type(m) for m in d.meters] == [RaplMeter, NvmlMeter]
    assert d.unavailable == ()
    assert not d.uses_cpu_model
    assert d.summary() == "energy measured by rapl, nvml"
    d.close()
    assert nvml_state.shutdowns == 1


def test_nothing_readable_falls_back_to_the_cpu_model_and_says_so(
    tmp_path: Path, nvml_state: FakeNvmlState
) -> None:
    nvml_state.init_error = NVML_ERROR_LIBRARY_NOT_FOUND
    d = discover_meters(
        powercap_root=tmp_path / "no-powercap",
        nvml_module=make_fake_nvml(nvml_state),
        cpu_model="AMD EPYC",
        utilisation=ScriptedUtilisation([]),
    )
    assert [type(m) for m in d.meters] == [CpuModelMeter]
    assert [u.meter for u in d.unavailable] == ["rapl", "nvml"]
    s = d.summary()
    assert s.startswith("no RAPL: ")
    assert "no NVML: NVML cannot be initialised: NVML Shared Library Not Found" in s
    assert s.endswith("CPU energy estimated by the CPU model")


def test_gpu_plus_cpu_model_when_rapl_is_missing(tmp_path: Path, nvml_state: FakeNvmlState) -> None:
    nvml_state.gpus = [FakeGpu()]
    d = discover_meters(
        powercap_root=tmp_path / "none",
        nvml_module=make_fake_nvml(nvml_state),
        tdp_w=65.0,
        cpu_model="mystery",
        utilisation=ScriptedUtilisation([]),
    )
    assert [m.name for m in d.meters] == ["nvml", "cpu-model"]


def test_rapl_permission_error_is_recorded_with_the_fix(
    fake_rapl: FakeRapl, monkeypatch: pytest.MonkeyPatch
) -> None:
    zone = fake_rapl.zone("intel-rapl:0", "package-0", 0)
    real = pathlib.Path.read_text

    def read_text(self: Path, *args: object, **kwargs: object) -> str:
        if self == zone / "energy_uj":
            raise PermissionError(13, "Permission denied")
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pathlib.Path, "read_text", read_text)
    d = discover_meters(
        powercap_root=fake_rapl.root,
        use_nvml=False,
        cpu_model="AMD EPYC 7763",
        utilisation=ScriptedUtilisation([]),
    )
    assert [m.name for m in d.meters] == ["cpu-model"]
    (u,) = d.unavailable
    assert u.meter == "rapl" and "sudo chmod a+r" in u.reason


def test_unknown_cpu_without_tdp_is_an_error_listing_every_reason(tmp_path: Path) -> None:
    with pytest.raises(MeterUnavailableError) as info:
        discover_meters(
            powercap_root=tmp_path / "none",
            use_nvml=False,
            cpu_model="QEMU Virtual CPU",
            utilisation=ScriptedUtilisation([]),
        )
    msg = str(info.value)
    assert "no RAPL:" in msg and "--tdp-w" in msg
