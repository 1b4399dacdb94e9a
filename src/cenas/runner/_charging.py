"""How the live runner turns measured work and idle worker slots into carbon.

``full`` (the default, :attr:`~cenas.carbon.Accounting.FULL`) charges every worker slot: a
task's measured energy times PUE times the intensity while it ran, and, per interval, the slot
time no task used (``workers`` x the interval's wall time, less the tasks' wall time) at the
configured idle power times PUE times the interval's intensity. ``reference``
(:attr:`~cenas.carbon.Accounting.REFERENCE`, the public CE-NAS code) charges evaluation
(training) tasks only, at their wall-clock GPU-hours times the implied 1 kW times the intensity,
without PUE; supernets, estimates and idle slots are free.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from cenas.carbon import REFERENCE_POWER_W, W_PER_KW, Accounting

__all__ = ["ACCOUNTING", "Charging"]

ACCOUNTING = {
    Accounting.FULL: "full: every worker slot charged; each task's measured energy x PUE x the "
    "carbon intensity while it ran, idle slot time x idle power x PUE x the interval's intensity",
    Accounting.REFERENCE: "reference: evaluation (training) tasks only, wall-clock GPU-hours x "
    "1 kW x the carbon intensity while they ran (the public CE-NAS code); supernets, estimates "
    "and idle slots free",
}
"""What each accounting mode charges (stored with the run, shown in the report)."""

_S_PER_H = 3600.0


@dataclass(frozen=True)
class Charging:
    """The carbon rules of one run.

    Attributes:
        mode: the accounting mode.
        workers: worker slots.
        pue: power usage effectiveness.
        idle_power_w: power of one idle slot, W.
    """

    mode: Accounting
    workers: int
    pue: float
    idle_power_w: float

    def task_g(self, kind: str, energy_kwh: float, seconds: float, intensity: float) -> float:
        """Carbon of one finished task of ``kind`` (``evaluate``, ``supernet``, ``estimate``)
        that measured ``energy_kwh`` over ``seconds`` of wall time at ``intensity``, gCO2eq."""
        if self.mode is Accounting.FULL:
            return energy_kwh * self.pue * intensity
        if kind == "evaluate":
            return max(seconds, 0.0) / _S_PER_H * REFERENCE_POWER_W / W_PER_KW * intensity
        return 0.0

    @property
    def idle_kw(self) -> float:
        """Facility power of one idle slot (0 outside ``full`` accounting), kW."""
        if self.mode is not Accounting.FULL:
            return 0.0
        return self.idle_power_w / W_PER_KW * self.pue

    def idle_event(
        self, interval: int, wall_s: float, busy_s: float, intensity: float
    ) -> dict[str, Any]:
        """The idle charge of an interval that lasted ``wall_s`` with ``busy_s`` of task time."""
        slot_s = self.workers * max(wall_s, 0.0)
        idle_s = max(slot_s - busy_s, 0.0)
        return {
            "interval": interval,
            "slot_s": slot_s,
            "busy_s": busy_s,
            "idle_s": idle_s,
            "idle_power_w": self.idle_power_w,
            "intensity": intensity,
            "carbon_g": idle_s / _S_PER_H * self.idle_kw * intensity,
            "accounting": self.mode.value,
        }

    def idle_reserve_g(
        self, so_far_s: float, paced_s: float, waves: int, intensity: float
    ) -> float:
        """What the budget check reserves for an interval's idle charge: every slot idle for the
        longer of its paced length and the time spent so far plus two more waves of the same
        length (an unpaced interval has no fixed length, so this is an estimate there)."""
        if self.idle_kw == 0.0:
            return 0.0
        wave = so_far_s / max(1, waves)
        span_s = max(paced_s if math.isfinite(paced_s) else 0.0, so_far_s + 2.0 * wave)
        return self.workers * span_s / _S_PER_H * self.idle_kw * intensity
