"""What a tracker reports: energy by component, carbon, the record of each epoch, and the
prediction of a whole run from its first epochs."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from cenas.energy._meter import ComponentKind

__all__ = ["ComponentEnergy", "EpochRecord", "Prediction", "TrackingResult"]


@dataclass(frozen=True)
class ComponentEnergy:
    """Energy of one component over the tracked window.

    Attributes:
        meter: name of the meter that produced it (``rapl``, ``nvml``, ``cpu-model``).
        component: the component's name within that meter (``package-0``, ``gpu-1``, ``cpu``).
        kind: CPU, DRAM or GPU.
        energy_kwh: IT energy (before PUE), kWh.
    """

    meter: str
    component: str
    kind: ComponentKind
    energy_kwh: float


@dataclass(frozen=True)
class EpochRecord:
    """One epoch (see :meth:`Tracker.epoch_start`).

    Attributes:
        index: 0-based epoch number.
        duration_s: wall time, s.
        energy_kwh: IT energy, kWh.
        carbon_g: carbon including PUE, gCO2eq.
    """

    index: int
    duration_s: float
    energy_kwh: float
    carbon_g: float


@dataclass(frozen=True)
class Prediction:
    """Predicted totals for a run of ``n_epochs`` from the epochs seen so far.

    Attributes:
        n_epochs: the run length predicted for.
        from_epochs: how many completed epochs the prediction rests on.
        duration_s: predicted total wall time, s.
        energy_kwh: predicted total IT energy, kWh.
        carbon_g: predicted total carbon (PUE included), gCO2eq, at the intensity seen so far.
    """

    n_epochs: int
    from_epochs: int
    duration_s: float
    energy_kwh: float
    carbon_g: float


@dataclass(frozen=True)
class TrackingResult:
    """What a tracked window cost.

    Attributes:
        duration_s: length of the window, s.
        energy_kwh: IT energy (sum of components, before PUE), kWh.
        components: energy per component, each with the meter that produced it.
        pue: the power usage effectiveness applied to get facility energy and carbon.
        carbon_g: carbon of ``energy_kwh x pue``, gCO2eq.
        carbon_sources: the labels of the intensity sources used, in first-use order.
        carbon_is_fallback: True when any intensity used was a fallback value.
        meters: names of the meters used.
        meter_details: one line per meter on how it measures.
        start_time_s: window start on the signal clock (UNIX time, s).
        end_time_s: window end on the signal clock (UNIX time, s).
        n_samples: readings taken (start and end included).
        epochs: completed epochs, if the epoch API was used.
        notes: warnings and remarks (meters that stopped being readable, estimates used, ...).
    """

    duration_s: float
    energy_kwh: float
    components: tuple[ComponentEnergy, ...]
    pue: float
    carbon_g: float
    carbon_sources: tuple[str, ...]
    carbon_is_fallback: bool
    meters: tuple[str, ...]
    meter_details: dict[str, str]
    start_time_s: float
    end_time_s: float
    n_samples: int
    epochs: tuple[EpochRecord, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def facility_energy_kwh(self) -> float:
        """``energy_kwh x pue``, kWh."""
        return self.energy_kwh * self.pue

    @property
    def energy_kwh_by_kind(self) -> dict[ComponentKind, float]:
        """IT energy per kind of hardware (CPU, DRAM, GPU), kWh; kinds not measured are absent."""
        out: dict[ComponentKind, float] = {}
        for c in self.components:
            out[c.kind] = out.get(c.kind, 0.0) + c.energy_kwh
        return out

    @property
    def energy_kwh_by_component(self) -> dict[str, float]:
        """IT energy keyed ``meter/component``, kWh."""
        return {f"{c.meter}/{c.component}": c.energy_kwh for c in self.components}

    @property
    def mean_intensity_g_per_kwh(self) -> float:
        """Energy-weighted mean carbon intensity, gCO2eq/kWh (NaN when no energy was used)."""
        facility = self.facility_energy_kwh
        return self.carbon_g / facility if facility > 0 else math.nan

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, with the derived values added."""
        return {
            "duration_s": self.duration_s,
            "energy_kwh": self.energy_kwh,
            "facility_energy_kwh": self.facility_energy_kwh,
            "energy_kwh_by_kind": {k.value: v for k, v in self.energy_kwh_by_kind.items()},
            "components": [
                {
                    "meter": c.meter,
                    "component": c.component,
                    "kind": c.kind.value,
                    "energy_kwh": c.energy_kwh,
                }
                for c in self.components
            ],
            "pue": self.pue,
            "carbon_g": self.carbon_g,
            "mean_intensity_g_per_kwh": self.mean_intensity_g_per_kwh,
            "carbon_sources": list(self.carbon_sources),
            "carbon_is_fallback": self.carbon_is_fallback,
            "meters": list(self.meters),
            "meter_details": dict(self.meter_details),
            "start_time_s": self.start_time_s,
            "end_time_s": self.end_time_s,
            "n_samples": self.n_samples,
            "epochs": [
                {
                    "index": e.index,
                    "duration_s": e.duration_s,
                    "energy_kwh": e.energy_kwh,
                    "carbon_g": e.carbon_g,
                }
                for e in self.epochs
            ],
            "notes": list(self.notes),
        }
