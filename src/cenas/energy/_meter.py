"""The energy-meter interface: joules per component over a window, and the meter's own name."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["J_PER_KWH", "Component", "ComponentKind", "EnergyMeter"]

J_PER_KWH = 3_600_000.0
"""Joules in one kilowatt-hour (exact)."""


class ComponentKind(StrEnum):
    """What hardware a component's energy belongs to."""

    CPU = "cpu"
    DRAM = "dram"
    GPU = "gpu"


@dataclass(frozen=True)
class Component:
    """One thing a meter measures, e.g. RAPL's ``package-0`` or NVML's ``gpu-1``.

    Attributes:
        name: unique within its meter, e.g. ``package-0``, ``dram-0``, ``gpu-1``, ``cpu``.
        kind: the hardware it belongs to.
    """

    name: str
    kind: ComponentKind


class EnergyMeter(ABC):
    """A source of energy readings for a few components (CPU packages, DRAM, GPUs).

    A meter measures a *window*: :meth:`start` opens it at time ``t_s``, and each later
    :meth:`energy_j` returns the joules per component consumed since then. Times come from the
    caller's clock (seconds, any origin) so that meters which integrate power, and tests, never
    read the wall clock themselves. Counter-based meters (RAPL, NVML's energy counter) ignore the
    times; power-based meters (NVML power sampling, the CPU model) integrate over them, so callers
    should call :meth:`energy_j` regularly (the :class:`~cenas.energy.Tracker` does, from its
    sampling thread), which also keeps counter wrap-around detectable.

    Implementations raise :class:`~cenas.errors.MeterUnavailableError` from the constructor when
    the hardware cannot be read (with the reason and the fix), and from :meth:`energy_j` if it
    stops being readable; they never substitute a made-up number.
    """

    @property
    @abstractmethod
    def name(self) -> str:
        """Short meter name recorded with every reading, e.g. ``rapl``, ``nvml``, ``cpu-model``."""

    @property
    @abstractmethod
    def components(self) -> tuple[Component, ...]:
        """The components this meter reports, in a fixed order."""

    @abstractmethod
    def start(self, t_s: float) -> None:
        """Open a new window at time ``t_s`` (seconds on the caller's clock)."""

    @abstractmethod
    def energy_j(self, t_s: float) -> dict[str, float]:
        """Joules per component name consumed since :meth:`start`, as of time ``t_s``.

        Returns:
            ``{component.name: joules}`` for every component, non-decreasing between calls.

        Raises:
            MeterUnavailableError: the hardware stopped being readable (the reason is given).
        """

    @property
    def details(self) -> str:
        """One human line on how this meter measures (model, TDP, devices); empty by default."""
        return ""

    def close(self) -> None:  # noqa: B027 - an optional hook, most meters hold nothing
        """Release resources (e.g. NVML); a no-op by default."""
