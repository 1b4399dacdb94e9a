"""Find the energy meters this machine offers, and say why the others are unavailable."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from cenas.energy._cpu_model import CpuModelMeter
from cenas.energy._cpu_tdp import CpuTable
from cenas.energy._meter import EnergyMeter
from cenas.energy._nvml import NvmlMeter
from cenas.energy._rapl import DEFAULT_POWERCAP_ROOT, RaplMeter
from cenas.energy._utilisation import UtilisationSource
from cenas.errors import MeterUnavailableError

__all__ = ["Discovery", "Unavailable", "discover_meters"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Unavailable:
    """A meter that could not be used, and why.

    Attributes:
        meter: the meter's name (``rapl``, ``nvml``, ``cpu-model``).
        reason: what went wrong, with the fix where there is one.
    """

    meter: str
    reason: str


@dataclass(frozen=True)
class Discovery:
    """The meters found on this machine.

    Attributes:
        meters: the usable meters, to hand to a :class:`~cenas.energy.Tracker`.
        unavailable: the meters that could not be used, with the reasons.
    """

    meters: tuple[EnergyMeter, ...]
    unavailable: tuple[Unavailable, ...]

    @property
    def uses_cpu_model(self) -> bool:
        """True when CPU energy is estimated by the CPU model rather than measured."""
        return any(isinstance(m, CpuModelMeter) for m in self.meters)

    def summary(self) -> str:
        """One line such as ``no RAPL: <reason>; no NVML: <reason>; energy estimated by the CPU
        model``, or the meters used when every counter was readable."""
        parts = [f"no {_TITLE.get(u.meter, u.meter)}: {u.reason}" for u in self.unavailable]
        if self.uses_cpu_model:
            parts.append("CPU energy estimated by the CPU model")
        else:
            parts.append("energy measured by " + ", ".join(m.name for m in self.meters))
        return "; ".join(parts)

    def close(self) -> None:
        """Close every meter."""
        for m in self.meters:
            m.close()


_TITLE = {"rapl": "RAPL", "nvml": "NVML", "cpu-model": "CPU model"}


def discover_meters(
    *,
    powercap_root: str | Path = DEFAULT_POWERCAP_ROOT,
    nvml_module: ModuleType | None = None,
    use_nvml: bool = True,
    tdp_w: float | None = None,
    cpu_table: CpuTable | None = None,
    cpu_model: str | None = None,
    utilisation: UtilisationSource | None = None,
) -> Discovery:
    """Try RAPL and NVML; estimate the CPU with the CPU model when RAPL cannot be read.

    Each failure is recorded once with its reason (and logged at INFO); nothing is replaced
    silently: :meth:`Discovery.summary` says which meters are used and why others are not.

    Args:
        powercap_root: where RAPL zones live (a fake tree in tests).
        nvml_module: the ``pynvml`` module or a fake; imported when None.
        use_nvml: try NVML at all.
        tdp_w: user-given CPU TDP, W, for the CPU model (needed when the model is unknown).
        cpu_table: the CPU model -> TDP table; the shipped one when None.
        cpu_model: the CPU model name; read from ``/proc/cpuinfo`` when None.
        utilisation: the CPU model's utilisation source; system-wide when None.

    Returns:
        The usable meters and the reasons the others are unavailable.

    Raises:
        MeterUnavailableError: the CPU can be neither measured (RAPL) nor estimated (unknown
            model and no ``tdp_w``); the message lists every reason.
    """
    meters: list[EnergyMeter] = []
    missing: list[Unavailable] = []
    try:
        meters.append(RaplMeter(powercap_root))
    except MeterUnavailableError as e:
        missing.append(Unavailable("rapl", str(e)))
    if use_nvml:
        try:
            meters.append(NvmlMeter(nvml_module))
        except MeterUnavailableError as e:
            missing.append(Unavailable("nvml", str(e)))
    if not any(isinstance(m, RaplMeter) for m in meters):
        try:
            meters.append(
                CpuModelMeter(
                    tdp_w, cpu_table=cpu_table, cpu_model=cpu_model, utilisation=utilisation
                )
            )
        except MeterUnavailableError as e:
            for m in meters:
                m.close()
            reasons = "; ".join(f"no {_TITLE[u.meter]}: {u.reason}" for u in missing)
            raise MeterUnavailableError(
                f"cannot measure or estimate CPU energy: {reasons}; no CPU model: {e}"
            ) from e
    for u in missing:
        logger.info("energy meter %s unavailable: %s", u.meter, u.reason)
    return Discovery(tuple(meters), tuple(missing))
