"""NVIDIA GPU energy through NVML (the ``pynvml`` module of nvidia-ml-py)."""

from __future__ import annotations

import contextlib
import importlib
import os
from dataclasses import dataclass
from enum import StrEnum
from types import ModuleType
from typing import Any

from cenas.energy._meter import Component, ComponentKind, EnergyMeter
from cenas.errors import MeterUnavailableError

__all__ = ["GpuMethod", "NvmlMeter", "parse_cuda_visible_devices"]


class GpuMethod(StrEnum):
    """How a GPU's energy is obtained."""

    ENERGY_COUNTER = "energy-counter"
    """``nvmlDeviceGetTotalEnergyConsumption`` (mJ since driver load; Volta and newer)."""
    POWER_SAMPLING = "power-sampling"
    """``nvmlDeviceGetPowerUsage`` (mW), integrated with the trapezoid rule between readings."""


@dataclass
class _Gpu:
    component: Component
    handle: Any
    method: GpuMethod
    label: str
    start_mj: int = 0
    last_power_w: float = 0.0
    last_t_s: float = 0.0
    total_j: float = 0.0


def parse_cuda_visible_devices(value: str | None) -> list[str] | None:
    """The device tokens of ``CUDA_VISIBLE_DEVICES``, as CUDA reads them.

    Args:
        value: the variable's value, or None when it is unset.

    Returns:
        None when unset (every device is visible), else the tokens in order (indices such as
        ``"1"`` or UUID prefixes such as ``"GPU-8932f937"``), cut at the first invalid token the
        way CUDA stops there (``"0,-1,2"`` -> ``["0"]``); ``[]`` means no device is visible.
    """
    if value is None:
        return None
    tokens: list[str] = []
    for raw in value.split(","):
        tok = raw.strip()
        if not tok:
            break
        if tok.isdigit() or tok.startswith(("GPU-", "MIG-")):
            tokens.append(tok)
        else:
            break
    return tokens


def _nvml_error(nvml: ModuleType) -> type[Exception]:
    err = getattr(nvml, "NVMLError", None)
    if not (isinstance(err, type) and issubclass(err, Exception)):
        raise MeterUnavailableError("the NVML module has no NVMLError class; is it pynvml?")
    return err


def _as_text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class NvmlMeter(EnergyMeter):
    """Energy of the NVIDIA GPUs this process may use, read through NVML.

    For each visible GPU, uses the total-energy counter where the GPU has one (Volta and newer),
    otherwise samples power and integrates it between :meth:`energy_j` calls (trapezoid rule;
    the tracker's sampling interval sets the resolution). Only devices named in
    ``CUDA_VISIBLE_DEVICES`` are measured (all when it is unset). Indices there are matched to
    NVML's indices, which follow PCI bus order: set ``CUDA_DEVICE_ORDER=PCI_BUS_ID`` on machines
    with mixed GPUs so that both agree; UUIDs (``GPU-...``) match exactly. MIG instances are
    refused: NVML reports energy for the whole GPU, which a MIG slice cannot claim.

    Components: ``gpu-N`` (:attr:`ComponentKind.GPU`), N being the NVML index.

    Args:
        nvml_module: the ``pynvml`` module, or a fake with the same functions in tests; imported
            when None.
        cuda_visible_devices: the ``CUDA_VISIBLE_DEVICES`` value to honour; read from the
            environment when None.

    Raises:
        MeterUnavailableError: pynvml is missing, NVML cannot be initialised (no driver), no GPU
            is visible, or a visible GPU supports neither energy nor power readings.
    """

    def __init__(
        self, nvml_module: ModuleType | None = None, *, cuda_visible_devices: str | None = None
    ) -> None:
        if nvml_module is None:
            try:
                nvml_module = importlib.import_module("pynvml")
            except ImportError as e:
                raise MeterUnavailableError(
                    "the pynvml module is not installed (pip install nvidia-ml-py)"
                ) from e
        self._nvml = nvml_module
        self._err = _nvml_error(nvml_module)
        try:
            nvml_module.nvmlInit()
        except self._err as e:
            raise MeterUnavailableError(f"NVML cannot be initialised: {e}") from e
        self._initialised = True
        try:
            visible = (
                cuda_visible_devices
                if cuda_visible_devices is not None
                else os.environ.get("CUDA_VISIBLE_DEVICES")
            )
            self._gpus = self._open_devices(parse_cuda_visible_devices(visible), visible)
        except MeterUnavailableError:
            self.close()
            raise

    def _call(self, fn: str, *args: Any) -> Any:
        try:
            return getattr(self._nvml, fn)(*args)
        except self._err as e:
            raise MeterUnavailableError(f"NVML {fn} failed: {e}") from e

    def _open_devices(self, tokens: list[str] | None, raw: str | None) -> list[_Gpu]:
        count = int(self._call("nvmlDeviceGetCount"))
        if count == 0:
            raise MeterUnavailableError("NVML reports no NVIDIA GPU")
        handles = [self._call("nvmlDeviceGetHandleByIndex", i) for i in range(count)]
        if tokens is None:
            indices = list(range(count))
        else:
            if not tokens:
                raise MeterUnavailableError(
                    f"CUDA_VISIBLE_DEVICES={raw!r} makes no GPU visible to this process"
                )
            indices = [self._resolve(tok, handles, raw) for tok in tokens]
        gpus: list[_Gpu] = []
        for i in indices:
            handle = handles[i]
            label = f"gpu-{i} ({_as_text(self._call('nvmlDeviceGetName', handle))})"
            gpus.append(
                _Gpu(
                    Component(f"gpu-{i}", ComponentKind.GPU),
                    handle,
                    self._probe(handle, label),
                    label,
                )
            )
        return gpus

    def _resolve(self, tok: str, handles: list[Any], raw: str | None) -> int:
        if tok.startswith("MIG-"):
            raise MeterUnavailableError(
                f"CUDA_VISIBLE_DEVICES={raw!r} names a MIG instance ({tok}); NVML measures the "
                f"energy of the whole GPU, which a MIG slice cannot claim"
            )
        if tok.isdigit():
            i = int(tok)
            if i >= len(handles):
                raise MeterUnavailableError(
                    f"CUDA_VISIBLE_DEVICES={raw!r} names device {i}, but NVML sees only "
                    f"{len(handles)} GPU(s)"
                )
            return i
        matches = [
            i
            for i, h in enumerate(handles)
            if _as_text(self._call("nvmlDeviceGetUUID", h)).startswith(tok)
        ]
        if len(matches) != 1:
            raise MeterUnavailableError(
                f"CUDA_VISIBLE_DEVICES={raw!r}: UUID prefix {tok!r} matches {len(matches)} "
                f"GPU(s), must match exactly one"
            )
        return matches[0]

    def _probe(self, handle: Any, label: str) -> GpuMethod:
        not_supported = getattr(self._nvml, "NVML_ERROR_NOT_SUPPORTED", 3)
        try:
            self._nvml.nvmlDeviceGetTotalEnergyConsumption(handle)
            return GpuMethod.ENERGY_COUNTER
        except self._err as e:
            if getattr(e, "value", None) != not_supported:
                raise MeterUnavailableError(
                    f"NVML cannot read the energy counter of {label}: {e}"
                ) from e
        try:
            self._nvml.nvmlDeviceGetPowerUsage(handle)
        except self._err as e:
            raise MeterUnavailableError(
                f"{label} has no energy counter and NVML cannot read its power: {e}"
            ) from e
        return GpuMethod.POWER_SAMPLING

    @property
    def name(self) -> str:
        return "nvml"

    @property
    def components(self) -> tuple[Component, ...]:
        return tuple(g.component for g in self._gpus)

    @property
    def methods(self) -> dict[str, GpuMethod]:
        """How each component's energy is obtained, by component name."""
        return {g.component.name: g.method for g in self._gpus}

    @property
    def details(self) -> str:
        return "NVML: " + ", ".join(f"{g.label} by {g.method.value}" for g in self._gpus)

    def _power_w(self, g: _Gpu) -> float:
        return float(self._call("nvmlDeviceGetPowerUsage", g.handle)) / 1000.0

    def start(self, t_s: float) -> None:
        for g in self._gpus:
            g.total_j = 0.0
            if g.method is GpuMethod.ENERGY_COUNTER:
                g.start_mj = int(self._call("nvmlDeviceGetTotalEnergyConsumption", g.handle))
            else:
                g.last_power_w = self._power_w(g)
                g.last_t_s = t_s

    def energy_j(self, t_s: float) -> dict[str, float]:
        out: dict[str, float] = {}
        for g in self._gpus:
            if g.method is GpuMethod.ENERGY_COUNTER:
                now_mj = int(self._call("nvmlDeviceGetTotalEnergyConsumption", g.handle))
                g.total_j = max(g.total_j, (now_mj - g.start_mj) / 1000.0)
            else:
                p_w = self._power_w(g)
                dt_s = max(0.0, t_s - g.last_t_s)
                g.total_j += 0.5 * (g.last_power_w + p_w) * dt_s
                g.last_power_w, g.last_t_s = p_w, t_s
            out[g.component.name] = g.total_j
        return out

    def close(self) -> None:
        if getattr(self, "_initialised", False):
            self._initialised = False
            # a failing shutdown leaves nothing for us to release
            with contextlib.suppress(self._err):
                self._nvml.nvmlShutdown()
