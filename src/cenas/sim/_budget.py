"""When a constant power draw will have emitted a given amount of carbon (for budget stops)."""

from __future__ import annotations

import math

import numpy as np

from cenas.carbon import REFERENCE_POWER_W, Accounting, IntensityTrace, carbon_of_power_g
from cenas.sim._params import SimConfig

__all__ = ["can_finish", "time_to_emit"]

# the budget guard's past-only bound on the intensity a new training will meet
_GUARD_PAST_H = 24

_S_PER_H = 3600.0


def time_to_emit(
    trace: IntensityTrace, t0_s: float, carbon_g: float, power_w: float, pue: float
) -> float:
    """The latest time ``t1 >= t0_s`` at which drawing ``power_w`` from ``t0_s`` has emitted at
    most ``carbon_g`` (by :func:`cenas.carbon.carbon_of_power_g`, the accounting that charges it).

    Inverts the trace's cumulative intensity (piecewise linear in time) and then steps back by
    floating-point units until the accounting itself agrees, so stopping at the returned time never
    exceeds ``carbon_g``.

    Returns:
        Epoch seconds; ``inf`` when the power is zero or the trace ends first; ``t0_s`` when
        ``carbon_g <= 0``.
    """
    if power_w <= 0:
        return math.inf
    if carbon_g <= 0:
        return float(t0_s)
    target = carbon_g / (power_w / 1000.0 * pue)  # (gCO2eq/kWh)·h
    cum = trace.cumulative_gh
    f = float(trace.integral_gh_at(np.array([t0_s]))[0]) + target
    if f >= float(cum[-1]):
        return math.inf
    i = int(np.searchsorted(cum, f, side="right")) - 1
    i = min(max(i, 0), len(trace) - 1)
    v = float(trace.values_g_per_kwh[i])
    t1 = trace.start_s + i * trace.step_s + ((f - float(cum[i])) / v * _S_PER_H if v > 0 else 0.0)
    t1 = max(t1, float(t0_s))
    for _ in range(200):
        if float(carbon_of_power_g(trace, t0_s, t1, power_w, pue)) <= carbon_g or t1 <= t0_s:
            return t1
        t1 = max(float(np.nextafter(t1, -np.inf)), float(t0_s))
    lo, hi = float(t0_s), t1  # pragma: no cover - rounding far beyond expectations: bisect
    for _ in range(100):  # pragma: no cover
        mid = 0.5 * (lo + hi)
        if float(carbon_of_power_g(trace, t0_s, mid, power_w, pue)) <= carbon_g:
            lo = mid
        else:
            hi = mid
    return lo  # pragma: no cover


def can_finish(
    trace: IntensityTrace,
    sim: SimConfig,
    t_s: float,
    carbon_g: float,
    budget_g: float,
    need_gpu_s: float,
) -> bool:
    """Whether ``need_gpu_s`` GPU-seconds of training from ``t_s`` fit in what is left of the
    budget, charged at training power and the highest intensity of the last 24 h and now (a
    bound from the past only: the simulator may not read the future), the run's accounting."""
    i_now = min(int((t_s - trace.start_s) // trace.step_s), len(trace) - 1)
    lo = max(0, i_now - int(_GUARD_PAST_H * 3600 // trace.step_s))
    bound = float(trace.values_g_per_kwh[lo : i_now + 1].max())
    if sim.accounting is Accounting.FULL:
        per_s = sim.power_train_w / 1000.0 * sim.pue * bound / 3600.0
    else:
        per_s = REFERENCE_POWER_W / 1000.0 * bound / 3600.0
    return carbon_g + need_gpu_s * per_s <= budget_g
