"""The allocation interface: what a policy may know at time t, and what it decides."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cenas.carbon import Accounting, IntensityTrace
from cenas.errors import ConfigError

__all__ = ["Allocation", "AllocationContext", "AllocationPolicy", "split_gpus"]


@dataclass(frozen=True)
class Allocation:
    """A split of the GPUs between sampling, evaluation and idling for the next interval.

    Attributes:
        sampling_gpus: GPUs given to sampling (supernet training, one-shot estimates).
        evaluation_gpus: GPUs given to evaluation (training architectures to convergence).
        idle_gpus: GPUs left idle (or powered off: the simulator charges them at its idle power,
            0 W for powered off). Idling is a legitimate carbon-aware decision; default 0.
    """

    sampling_gpus: int
    evaluation_gpus: int
    idle_gpus: int = 0

    @property
    def gpus(self) -> int:
        """Total."""
        return self.sampling_gpus + self.evaluation_gpus + self.idle_gpus

    def check(self, gpus: int, policy: str = "policy") -> Allocation:
        """Return self if it is non-negative integers summing to ``gpus``, else raise.

        Raises:
            ConfigError: naming the policy and the values.
        """
        s, e, i = self.sampling_gpus, self.evaluation_gpus, self.idle_gpus
        if not (
            all(isinstance(v, int | np.integer) and v >= 0 for v in (s, e, i)) and s + e + i == gpus
        ):
            raise ConfigError(
                f"{policy} must split {gpus} GPUs into non-negative integers (sampling + "
                f"evaluation + idle), but returned sampling={s!r}, evaluation={e!r}, idle={i!r}"
            )
        return self


def split_gpus(sampling_fraction: float, gpus: int) -> Allocation:
    """Round a sampling fraction to whole GPUs.

    ``sampling = floor(fraction * gpus + 0.5)`` (round half up), clipped to ``[0, gpus]``; the
    rest evaluate. The fraction is clipped to ``[0, 1]`` first; NaN raises.

    Raises:
        ConfigError: for a NaN fraction or a negative GPU count.
    """
    if gpus < 0:
        raise ConfigError(f"gpus must be >= 0, but got {gpus}")
    if math.isnan(sampling_fraction):
        raise ConfigError("sampling fraction must be a number, but got NaN")
    lam = min(max(float(sampling_fraction), 0.0), 1.0)
    s = min(max(math.floor(lam * gpus + 0.5), 0), gpus)
    return Allocation(int(s), int(gpus - s))


@dataclass(frozen=True)
class AllocationContext:
    """What an allocation policy may know when it decides, at the start of a trace step.

    Attributes:
        t_s: now, UNIX epoch seconds (the start of the interval being decided).
        interval_s: length of the allocation interval (the trace step), seconds.
        elapsed_s: time since the search started.
        horizon_s: planned length of the search (from its start).
        gpus: G, the GPUs to split.
        intensity_g_per_kwh: the current carbon intensity (of the step starting now).
        trace: the intensity trace. Its past (before ``t_s``) and current step are known; reading
            later steps is an oracle look-ahead, which :meth:`lookahead` makes explicit (a
            forecaster is given the trace and ``t_s`` and must use only the data before).
        carbon_g: carbon emitted so far, gCO2eq.
        carbon_budget_g: the budget, or None.
        hv: hypervolume of the search so far (the same quantity the run reports; for one-shot
            runs it uses benchmark look-ups of true objectives, which a live search would not
            know).
        n_trained: architectures trained so far.
        n_estimated: architectures estimated so far.
        queue_length: |R|.
        queue_capacity: Cap(R).
        power_train_w: power of a GPU busy training, W (what the run charges).
        power_sample_w: power of a GPU busy estimating, W.
        power_idle_w: power of a GPU in the allocation's idle share, W (0: powered off).
        pue: the facility's power usage effectiveness.
        accounting: how the run counts carbon (``full`` or ``reference``).
        mean_train_s: mean GPU-seconds of one architecture's training (the benchmark's), for
            planning; 0 when unknown.
        trained_gpu_s: GPU-seconds of evaluation work done so far (finished or not).
    """

    t_s: float
    interval_s: float
    elapsed_s: float
    horizon_s: float
    gpus: int
    intensity_g_per_kwh: float
    trace: IntensityTrace
    carbon_g: float = 0.0
    carbon_budget_g: float | None = None
    hv: float = 0.0
    n_trained: int = 0
    n_estimated: int = 0
    queue_length: int = 0
    queue_capacity: int = 1
    power_train_w: float = 250.0
    power_sample_w: float = 150.0
    power_idle_w: float = 20.0
    pue: float = 1.0
    accounting: Accounting = Accounting.FULL
    mean_train_s: float = 0.0
    trained_gpu_s: float = 0.0

    @property
    def remaining_budget_g(self) -> float | None:
        """Budget left, gCO2eq, or None without a budget."""
        if self.carbon_budget_g is None:
            return None
        return max(self.carbon_budget_g - self.carbon_g, 0.0)

    def charge_factors(self) -> tuple[float, float, float]:
        """Carbon of one GPU over one allocation interval per unit of intensity, counted the
        run's way, as ``(training, sampling, idle)`` in gCO2eq per gCO2eq/kWh: multiply by the
        interval's intensity. ``reference`` accounting charges training only (1 kW, PUE 1)."""
        h = self.interval_s / 3600.0
        if self.accounting is Accounting.REFERENCE:
            return (h, 0.0, 0.0)
        k = self.pue * h / 1000.0
        return (self.power_train_w * k, self.power_sample_w * k, self.power_idle_w * k)

    def lookahead(self, hours: float) -> NDArray[np.float64]:
        """ORACLE: the trace's own values of the steps in ``[t_s, t_s + hours)``, shape
        ``(k,)``, ``k >= 1`` (the current step first; cut at the end of the trace)."""
        tr = self.trace
        first = min(int((self.t_s - tr.start_s) // tr.step_s), len(tr) - 1)
        n = max(1, math.ceil(hours * 3600.0 / tr.step_s))
        out: NDArray[np.float64] = tr.values_g_per_kwh[first : first + n]
        return out


class AllocationPolicy(ABC):
    """Decides, at every allocation interval, how many GPUs sample and how many evaluate.

    Subclasses implement :meth:`decide`; :meth:`reset` (re-seed at the start of a run) and
    :meth:`observe` (feedback after the interval, for learned policies) default to no-ops.
    """

    name: str = "policy"

    @abstractmethod
    def decide(self, ctx: AllocationContext) -> Allocation:
        """The split for the interval starting at ``ctx.t_s`` (integers summing to
        ``ctx.gpus``)."""

    def reset(self, seed: int | None) -> None:  # noqa: B027 - optional hook
        """Called once at the start of every run with the run's policy seed."""

    def observe(self, ctx: AllocationContext, allocation: Allocation) -> None:  # noqa: B027
        """Called at the end of each interval with the context at that time and the allocation
        that was in force (learned policies compute their reward here)."""

    def describe(self) -> str:
        """One line for logs and legends, naming any oracle knowledge."""
        return self.name
