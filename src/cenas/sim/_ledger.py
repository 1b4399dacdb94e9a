"""The run's carbon ledger (both accounting modes, by GPU state) and its time series."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cenas.carbon import REFERENCE_POWER_W, Accounting, IntensityTrace, intensity_integral
from cenas.sim._params import SimConfig

__all__ = ["CATEGORIES", "CarbonLedger", "Series"]

CATEGORIES = ("training", "supernet", "estimation", "idle")
"""Carbon categories, in the order of the power vector charged per interval."""

_W_PER_KW = 1000.0
_S_PER_H = 3600.0


def _integral_gh(trace: IntensityTrace, t0: float, t1: float) -> float:
    """``∫ intensity dt`` over ``[t0, t1]`` in (gCO2eq/kWh)·h, bit for bit what the array path of
    :func:`cenas.carbon.carbon_of_power_g` and :func:`cenas.carbon.relative_carbon` use (the
    same float operations in the same order; checked in the tests), in plain Python: the ledger
    charges once per event and the three array calls it replaced were a fifth of a run's time.
    """
    start, step = trace.start_s, trace.step_s
    if not (start <= t0 <= t1 <= trace.end_s):
        return float(intensity_integral(trace, np.float64(t0), np.float64(t1)))  # raises
    n = len(trace)
    v = trace.values_g_per_kwh
    i0 = math.floor((t0 - start) / step)
    if i0 == math.floor((t1 - start) / step) and i0 < n:
        return max(float(v[i0]) * ((t1 - t0) / _S_PER_H), 0.0)
    cum = trace.cumulative_gh
    r0, r1 = t0 - start, t1 - start
    j0, j1 = min(int(r0 // step), n - 1), min(int(r1 // step), n - 1)
    f0 = float(cum[j0]) + float(v[j0]) * ((r0 - j0 * step) / _S_PER_H)
    f1 = float(cum[j1]) + float(v[j1]) * ((r1 - j1 * step) / _S_PER_H)
    return max(f1 - f0, 0.0)


class CarbonLedger:
    """Carbon, relative carbon and energy of a run, charged interval by interval.

    Both accounting modes are kept: ``full`` (every GPU state at its power × PUE, split by
    :data:`CATEGORIES`) and ``reference`` (training GPU-hours × intensity, 1 kW per GPU, no PUE);
    :attr:`carbon` is the one ``sim.accounting`` names (the run's total and what its budget counts).
    """

    def __init__(self, trace: IntensityTrace, sim: SimConfig, start_s: float) -> None:
        self.trace = trace
        self.sim = sim
        self.accounting = sim.accounting
        self.last_t = float(start_s)
        self.carbon = 0.0
        self.carbon_full = 0.0
        self.carbon_reference = 0.0
        self.carbon_by = dict.fromkeys(CATEGORIES, 0.0)
        self.relative = 0.0
        self.energy_kwh = 0.0
        self.busy_gpu_h = 0.0
        self.trained_gpu_s = 0.0

    def charge(self, t: float, power_w: NDArray[np.float64], busy: int, training: int) -> None:
        """Charge ``[last_t, t]`` at a constant power per category (W, shape ``(4,)``) with
        ``busy`` GPUs working, ``training`` of them training architectures."""
        t0 = self.last_t
        gh = _integral_gh(self.trace, t0, t)
        c = (power_w / _W_PER_KW) * self.sim.pue * gh
        for k, name in enumerate(CATEGORIES):
            self.carbon_by[name] += float(c[k])
        self.carbon_full += float(c.sum())
        if training:
            rel = float(training) * gh
            self.carbon_reference += rel * REFERENCE_POWER_W / 1000.0
            self.trained_gpu_s += training * (t - t0)
        full = self.accounting is Accounting.FULL
        self.carbon = self.carbon_full if full else self.carbon_reference
        if busy:
            self.relative += float(busy) * gh
        dt_h = (t - t0) / 3600.0
        self.energy_kwh += float(power_w.sum()) / 1000.0 * self.sim.pue * dt_h
        self.busy_gpu_h += busy * dt_h
        self.last_t = t

    def budget_power(self, power_w: NDArray[np.float64], training: int) -> tuple[float, float]:
        """The power (W) and PUE the run's accounting charges now (for budget stops)."""
        if self.accounting is Accounting.FULL:
            return float(power_w.sum()), self.sim.pue
        return training * REFERENCE_POWER_W, 1.0

    def totals(self) -> dict[str, Any]:
        """The ledger's final numbers for the run's totals."""
        return {
            "accounting": self.accounting.value,
            "carbon_g": self.carbon,
            "carbon_full_g": self.carbon_full,
            "carbon_reference_g": self.carbon_reference,
            **{f"carbon_{k}_g": v for k, v in self.carbon_by.items()},
            "relative_carbon": self.relative,
            "energy_kwh": self.energy_kwh,
            "busy_gpu_hours": self.busy_gpu_h,
        }


class Series:
    """Columnar time series, appended row by row."""

    COLUMNS = (
        "t_s",
        "hours",
        "event",
        "hv",
        "hv_all_estimated",
        "carbon_g",
        "relative_carbon",
        "energy_kwh",
        "intensity_g_per_kwh",
        "sampling_gpus",
        "evaluation_gpus",
        "busy_training",
        "busy_sampling",
        "queue_length",
        "n_trained",
        "n_estimated",
    )

    def __init__(self) -> None:
        self.cols: dict[str, list[Any]] = {c: [] for c in self.COLUMNS}

    def append(self, **row: Any) -> None:
        for c in self.COLUMNS:
            self.cols[c].append(row[c])
