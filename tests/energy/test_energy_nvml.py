"""NvmlMeter with a fake pynvml module: energy counter, power sampling, visible devices."""

from __future__ import annotations

import pytest

from cenas.energy import ComponentKind, GpuMethod, NvmlMeter, parse_cuda_visible_devices
from cenas.energy.testing import (
    NVML_ERROR_LIBRARY_NOT_FOUND,
    FakeGpu,
    FakeNvmlState,
    make_fake_nvml,
)
from cenas.errors import MeterUnavailableError


def test_energy_counter_in_millijoules(nvml_state: FakeNvmlState) -> None:
    nvml_state.gpus = [FakeGpu(energy_mj=1_000_000), FakeGpu(energy_mj=50)]
    m = NvmlMeter(make_fake_nvml(nvml_state))
    assert m.name == "nvml"
    assert [(c.name, c.kind) for c in m.components] == [
        ("gpu-0", ComponentKind.GPU),
        ("gpu-1", ComponentKind.GPU),
    ]
    assert m.methods == {"gpu-0": GpuMethod.ENERGY_COUNTER, "gpu-1": GpuMethod.ENERGY_COUNTER}
    m.start(0.0)
    nvml_state.gpus[0].energy_mj = 1_000_000 + 250_000  # +250 J
    nvml_state.gpus[1].energy_mj = 50 + 1_500  # +1.5 J
    assert m.energy_j(10.0) == pytest.approx({"gpu-0": 250.0, "gpu-1": 1.5})
    assert "H100" in m.details and "energy-counter" in m.details


def test_power_sampling_when_no_energy_counter(nvml_state: FakeNvmlState) -> None:
    nvml_state.gpus = [FakeGpu(energy_mj=None, power_mw=100_000)]
    m = NvmlMeter(make_fake_nvml(nvml_state))
    assert m.methods == {"gpu-0": GpuMethod.POWER_SAMPLING}
    m.start(0.0)
    nvml_state.gpus[0].power_mw = 200_000
    # trapezoid: (100 W + 200 W) / 2 * 10 s
    assert m.energy_j(10.0)["gpu-0"] == pytest.approx(1500.0)
    assert m.energy_j(15.0)["gpu-0"] == pytest.approx(1500.0 + 200.0 * 5)


def test_only_cuda_visible_devices_are_measured(
    nvml_state: FakeNvmlState, monkeypatch: pytest.MonkeyPatch
) -> None:
    nvml_state.gpus = [
        FakeGpu(uuid="GPU-aaaa-1"),
        FakeGpu(uuid="GPU-bbbb-2"),
        FakeGpu(uuid="GPU-cccc-3"),
    ]
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,0")
    m = NvmlMeter(make_fake_nvml(nvml_state))
    assert [c.name for c in m.components] == ["gpu-2", "gpu-0"]
    m2 = NvmlMeter(make_fake_nvml(nvml_state), cuda_visible_devices="GPU-bbbb")
    assert [c.name for c in m2.components] == ["gpu-1"]


def test_no_visible_device_is_unavailable(nvml_state: FakeNvmlState) -> None:
    nvml_state.gpus = [FakeGpu()]
    with pytest.raises(MeterUnavailableError, match="no GPU visible"):
        NvmlMeter(make_fake_nvml(nvml_state), cuda_visible_devices="")
    assert nvml_state.shutdowns == 1  # NVML released after the failed construction


def test_bad_visible_devices(nvml_state: FakeNvmlState) -> None:
    nvml_state.gpus = [FakeGpu(uuid="GPU-aaaa"), FakeGpu(uuid="GPU-aabb")]
    with pytest.raises(MeterUnavailableError, match="NVML sees only 2"):
        NvmlMeter(make_fake_nvml(nvml_state), cuda_visible_devices="5")
    with pytest.raises(MeterUnavailableError, match="matches 2 GPU"):
        NvmlMeter(make_fake_nvml(nvml_state), cuda_visible_devices="GPU-aa")
    with pytest.raises(MeterUnavailableError, match="MIG"):
        NvmlMeter(make_fake_nvml(nvml_state), cuda_visible_devices="MIG-1234")


def test_parse_cuda_visible_devices() -> None:
    assert parse_cuda_visible_devices(None) is None
    assert parse_cuda_visible_devices("") == []
    assert parse_cuda_visible_devices("0, 1") == ["0", "1"]
    assert parse_cuda_visible_devices("0,-1,2") == ["0"]  # CUDA stops at the first invalid
    assert parse_cuda_visible_devices("GPU-abc,1") == ["GPU-abc", "1"]


def test_no_driver_is_unavailable_with_reason(nvml_state: FakeNvmlState) -> None:
    nvml_state.init_error = NVML_ERROR_LIBRARY_NOT_FOUND
    with pytest.raises(MeterUnavailableError, match="NVML Shared Library Not Found"):
        NvmlMeter(make_fake_nvml(nvml_state))


def test_no_gpu_at_all(nvml_state: FakeNvmlState) -> None:
    with pytest.raises(MeterUnavailableError, match="no NVIDIA GPU"):
        NvmlMeter(make_fake_nvml(nvml_state))


def test_gpu_without_energy_or_power(nvml_state: FakeNvmlState) -> None:
    nvml_state.gpus = [FakeGpu(energy_mj=None, power_mw=None)]
    with pytest.raises(MeterUnavailableError, match="no energy counter and NVML cannot read"):
        NvmlMeter(make_fake_nvml(nvml_state))


def test_close_shuts_nvml_down_once(nvml_state: FakeNvmlState) -> None:
    nvml_state.gpus = [FakeGpu()]
    m = NvmlMeter(make_fake_nvml(nvml_state))
    m.close()
    m.close()
    assert nvml_state.shutdowns == 1
