"""Fakes for testing code that uses energy meters: a powercap sysfs tree, a pynvml module, a
settable clock and a scripted utilisation source. No hardware, no sleeping.

Used by cenas's own tests, and usable in yours::

    from cenas.energy.testing import FakeRapl, FakeGpu, FakeNvmlState, make_fake_nvml
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from cenas.energy._meter import Component, ComponentKind, EnergyMeter
from cenas.energy._utilisation import UtilisationSource
from cenas.errors import MeterUnavailableError

__all__ = [
    "NVML_ERROR_LIBRARY_NOT_FOUND",
    "NVML_ERROR_NOT_SUPPORTED",
    "FakeClock",
    "FakeGpu",
    "FakeNvmlState",
    "FakePowerMeter",
    "FakeRapl",
    "ScriptedUtilisation",
    "make_fake_nvml",
]


class FakeRapl:
    """A fake ``/sys/class/powercap`` with RAPL zones whose counters tests set."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def zone(
        self, zone: str, name: str, energy_uj: int = 0, max_range_uj: int = 262_143_328_850
    ) -> Path:
        d = self.root / zone
        d.mkdir()
        (d / "name").write_text(name + "\n")
        (d / "energy_uj").write_text(f"{energy_uj}\n")
        (d / "max_energy_range_uj").write_text(f"{max_range_uj}\n")
        return d

    def set(self, zone: str, energy_uj: int) -> None:
        (self.root / zone / "energy_uj").write_text(f"{energy_uj}\n")

    def standard(self) -> FakeRapl:
        """One package with core, uncore, dram sub-zones and a psys zone, like a laptop/server."""
        self.zone("intel-rapl:0", "package-0", 1_000_000)
        self.zone("intel-rapl:0:0", "core", 500_000)
        self.zone("intel-rapl:0:1", "uncore", 100_000)
        self.zone("intel-rapl:0:2", "dram", 200_000)
        self.zone("intel-rapl:1", "psys", 9_000_000)
        self.zone("intel-rapl-mmio:0", "package-0", 1_000_000)
        (self.root / "intel-rapl").mkdir()  # the control-type directory, not a zone
        return self


@dataclass
class FakeGpu:
    """One fake GPU; tests change ``energy_mj`` / ``power_mw`` between readings."""

    name: str = "NVIDIA H100 80GB HBM3"
    uuid: str = "GPU-00000000-0000-0000-0000-000000000000"
    energy_mj: int | None = 0  # None: the energy counter is not supported (pre-Volta)
    power_mw: int | None = 100_000  # None: power cannot be read either


@dataclass
class FakeNvmlState:
    """The fake NVML library's state: its GPUs, an init error to raise, shutdown calls."""

    gpus: list[FakeGpu] = field(default_factory=list)
    init_error: int | None = None  # an NVML error code nvmlInit raises
    initialised: bool = False
    shutdowns: int = 0


NVML_ERROR_NOT_SUPPORTED = 3
NVML_ERROR_LIBRARY_NOT_FOUND = 12


def make_fake_nvml(state: FakeNvmlState) -> ModuleType:
    """A module object with the pynvml functions the meter uses, driven by ``state``."""
    mod = ModuleType("fake_pynvml")

    class NVMLError(Exception):
        def __init__(self, value: int) -> None:
            super().__init__(value)
            self.value = value

        def __str__(self) -> str:
            return {3: "Not Supported", 12: "NVML Shared Library Not Found"}.get(
                self.value, f"error {self.value}"
            )

    def init() -> None:
        if state.init_error is not None:
            raise NVMLError(state.init_error)
        state.initialised = True

    def shutdown() -> None:
        state.shutdowns += 1
        state.initialised = False

    def gpu(handle: int) -> FakeGpu:
        if not state.initialised:
            raise RuntimeError("fake NVML used before nvmlInit()")
        return state.gpus[handle]

    def energy(handle: Any) -> int:
        g = gpu(handle)
        if g.energy_mj is None:
            raise NVMLError(NVML_ERROR_NOT_SUPPORTED)
        return g.energy_mj

    def power(handle: Any) -> int:
        g = gpu(handle)
        if g.power_mw is None:
            raise NVMLError(NVML_ERROR_NOT_SUPPORTED)
        return g.power_mw

    mod.NVMLError = NVMLError  # type: ignore[attr-defined]
    mod.NVML_ERROR_NOT_SUPPORTED = NVML_ERROR_NOT_SUPPORTED  # type: ignore[attr-defined]
    mod.nvmlInit = init  # type: ignore[attr-defined]
    mod.nvmlShutdown = shutdown  # type: ignore[attr-defined]
    mod.nvmlDeviceGetCount = lambda: len(state.gpus)  # type: ignore[attr-defined]
    mod.nvmlDeviceGetHandleByIndex = lambda i: i  # type: ignore[attr-defined]
    mod.nvmlDeviceGetName = lambda h: gpu(h).name.encode()  # type: ignore[attr-defined]
    mod.nvmlDeviceGetUUID = lambda h: gpu(h).uuid  # type: ignore[attr-defined]
    mod.nvmlDeviceGetTotalEnergyConsumption = energy  # type: ignore[attr-defined]
    mod.nvmlDeviceGetPowerUsage = power  # type: ignore[attr-defined]
    return mod


class FakeClock:
    """A settable clock: tests advance it instead of sleeping."""

    def __init__(self, t_s: float = 100.0) -> None:
        self.t_s = t_s

    def __call__(self) -> float:
        return self.t_s

    def advance(self, dt_s: float) -> None:
        self.t_s += dt_s


class ScriptedUtilisation(UtilisationSource):
    """A utilisation source returning scripted fractions, then 0."""

    def __init__(self, values: list[float], n_cpus: int = 2) -> None:
        self.values = list(values)
        self._n = n_cpus
        self.started_at: float | None = None

    @property
    def n_cpus(self) -> int:
        return self._n

    @property
    def label(self) -> str:
        return "scripted utilisation"

    def start(self, t_s: float) -> None:
        self.started_at = t_s

    def utilisation(self, t_s: float) -> float:
        return self.values.pop(0) if self.values else 0.0


class FakePowerMeter(EnergyMeter):
    """A meter whose components draw a settable constant power, integrated on the caller's clock.

    Args:
        power_w: watts per component name; change entries between readings.
        name: the meter name.
        kind: the kind of every component.
    """

    def __init__(
        self,
        power_w: dict[str, float],
        *,
        name: str = "fake",
        kind: ComponentKind = ComponentKind.CPU,
    ) -> None:
        self.power_w = dict(power_w)
        self._name = name
        self._components = tuple(Component(c, kind) for c in power_w)
        self._t_last = 0.0
        self._j = dict.fromkeys(power_w, 0.0)
        self.reads = 0
        self.fail_with: str | None = None
        """When set, :meth:`energy_j` raises MeterUnavailableError with this reason."""

    @property
    def name(self) -> str:
        return self._name

    @property
    def components(self) -> tuple[Component, ...]:
        return self._components

    @property
    def details(self) -> str:
        return f"fake meter at {self.power_w} W"

    def start(self, t_s: float) -> None:
        self._t_last = t_s
        self._j = dict.fromkeys(self.power_w, 0.0)

    def energy_j(self, t_s: float) -> dict[str, float]:
        if self.fail_with is not None:
            raise MeterUnavailableError(self.fail_with)
        self.reads += 1
        dt = max(0.0, t_s - self._t_last)
        for c, p in self.power_w.items():
            self._j[c] += p * dt
        self._t_last = max(t_s, self._t_last)
        return dict(self._j)
