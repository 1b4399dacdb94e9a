"""The simulator's resources and cost parameters, each documented with its unit and default."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from cenas.carbon import Accounting
from cenas.errors import ConfigError

__all__ = ["SimConfig"]


@dataclass(frozen=True)
class SimConfig:
    """Resources and costs of a simulated CE-NAS run.

    Time is simulated; the costs of the work come from the benchmark (training time) and from the
    parameters below. A GPU is always in one of three power states: busy training (an
    architecture, or a supernet), busy estimating (one-shot evaluation, inference-dominated), or
    idle (allocated but without work: an evaluation GPU while R is empty, a sampling GPU while
    sampling is blocked by a full R). Every GPU is charged for the whole search, idle ones too;
    after the search stops (horizon reached or budget spent) nothing is charged.

    Attributes:
        gpus: G, GPUs of the search (8 in the papers).
        horizon_h: simulated hours from the start; None means the length of the chosen trace
            window (41 h for the papers' windows). A horizon past the window's end continues on
            the rest of the trace file (the trace must cover it).
        queue_capacity: Cap(R). Default 32: about two hours of work for 8 evaluation GPUs at
            NAS-Bench-201's median training time (30 min), so the queue bridges the cleanest
            hours, when the heuristic leaves few GPUs sampling.
        initial_samples: random architectures trained first (estimated, for one-shot LaMOO).
        estimate_s: GPU-seconds of one one-shot estimate: extracting a subnet from the supernet,
            recalibrating batch-norm statistics and scoring it on a validation split (a few
            thousand CIFAR-10 images on one GPU; tens of seconds). Default 30.
        supernet_train_s: GPU-seconds to train the supernet of a new region. Default 7200
            (2 GPU-hours, about four median NAS-Bench-201 trainings: a weight-sharing supernet is
            trained for a similar number of epochs as one network at a higher cost per epoch,
            and a region's supernet starts from the previous one's weights). Supernet training
            is data-parallel over the sampling GPUs (linear speed-up).
        train_time_scale: factor on the benchmark's training times (1 = as measured).
        power_train_w: power of a GPU busy training, W. Default 250 (the TDP of the GTX 1080 Ti
            class GPUs NAS-Bench-201's training times were measured on; training saturates it).
        power_sample_w: power of a GPU busy estimating, W. Default 150 (inference-dominated
            work with host-side data loading keeps the GPU well below its TDP).
        power_idle_w: power of an allocated but idle GPU, W. Default 20 (a GTX 1080 Ti, the
            GPU of the training times, drops to its idle P8 state within seconds and draws
            about 10-20 W there; a held CUDA context keeps it near the top of that range).
            Datacenter GPUs idle higher (V100 about 25-40 W, A100 about 50 W).
        pue: power usage effectiveness of the facility. Default 1.57 (the Uptime Institute's
            2021 global average).
        carbon_budget_g: stop the search before its carbon exceeds this many gCO2eq; None for
            no budget.
        idle_evaluation_gpus_sample: an evaluation GPU with nothing to train (R empty) joins the
            sampling pool until there is something to train again, instead of idling
            (work-conserving; default True). Without it, the heuristic's cleanest hours, when it
            gives no GPU to sampling, leave every GPU idle once R has drained. Sampling GPUs
            never train: idling them while R is full is how CE-NAS saves carbon.
        power_off_w: power of a GPU in an allocation's explicit idle share (GPUs the policy
            leaves without work on purpose), W; None (default) for ``power_idle_w``. 0 models
            powering them off (or releasing them to other jobs of the cluster), as opposed to a
            GPU that is allocated to sampling or evaluation but has no work at the moment,
            which stays at ``power_idle_w``. Both are charged to the "idle" carbon category.
        accounting: how carbon is counted, for the run's totals and its budget
            (:class:`cenas.carbon.Accounting`): ``full`` (default) or ``reference``. Both totals
            are always recorded (``carbon_full_g``, ``carbon_reference_g``).
        supernet_finetune_fraction: a new region's supernet is fine-tuned from the previous
            region's (its parent's) at this fraction of ``supernet_train_s``; the run's first
            supernet is trained from scratch at the full cost. Default 1 (every supernet from
            scratch); to be set from a live measurement.
        budget_guard: under a carbon budget, a new training is not started when the carbon
            already emitted plus what the running trainings and the new one still need (at
            training power and the highest intensity of the last 24 h and now, a past-only
            bound) would exceed the budget: the GPU idles instead of starting work that the
            budget stop would throw away. Default True.
    """

    gpus: int = 8
    horizon_h: float | None = None
    queue_capacity: int = 32
    initial_samples: int = 10
    estimate_s: float = 30.0
    supernet_train_s: float = 7200.0
    train_time_scale: float = 1.0
    power_train_w: float = 250.0
    power_sample_w: float = 150.0
    power_idle_w: float = 20.0
    pue: float = 1.57
    carbon_budget_g: float | None = None
    idle_evaluation_gpus_sample: bool = True
    power_off_w: float | None = None
    accounting: Accounting = Accounting.FULL
    supernet_finetune_fraction: float = 1.0
    budget_guard: bool = True

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "accounting", Accounting(self.accounting))
        except ValueError:
            raise ConfigError(
                f"sim.accounting must be one of {', '.join(a.value for a in Accounting)}, but got "
                f"{self.accounting!r}"
            ) from None
        f = self.supernet_finetune_fraction
        if isinstance(f, bool) or not isinstance(f, int | float) or not (0 < f <= 1):
            raise ConfigError(f"sim.supernet_finetune_fraction must be in (0, 1], but got {f!r}")
        off = self.power_off_w
        if off is not None and (
            isinstance(off, bool) or not isinstance(off, int | float) or not (0 <= off < math.inf)
        ):
            raise ConfigError(f"sim.power_off_w must be a finite number >= 0 W, but got {off!r}")
        if not isinstance(self.budget_guard, bool):
            raise ConfigError(
                f"sim.budget_guard must be true or false, but got {self.budget_guard!r}"
            )
        for name in ("gpus", "queue_capacity", "initial_samples"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ConfigError(f"sim.{name} must be an integer >= 1, but got {v!r}")
        positive = ("estimate_s", "supernet_train_s", "train_time_scale")
        nonneg = ("power_train_w", "power_sample_w", "power_idle_w")
        for name in positive + nonneg:
            v = getattr(self, name)
            ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
            if not ok or v < 0 or (name in positive and v == 0):
                rule = "> 0" if name in positive else ">= 0"
                raise ConfigError(f"sim.{name} must be a finite number {rule}, but got {v!r}")
        if not isinstance(self.idle_evaluation_gpus_sample, bool):
            raise ConfigError(
                "sim.idle_evaluation_gpus_sample must be true or false, but got "
                f"{self.idle_evaluation_gpus_sample!r}"
            )
        if not (math.isfinite(self.pue) and self.pue >= 1):
            raise ConfigError(f"sim.pue must be >= 1, but got {self.pue!r}")
        if self.horizon_h is not None and not (
            math.isfinite(self.horizon_h) and self.horizon_h > 0
        ):
            raise ConfigError(f"sim.horizon_h must be > 0 hours, but got {self.horizon_h!r}")
        if self.carbon_budget_g is not None and not (
            math.isfinite(self.carbon_budget_g) and self.carbon_budget_g > 0
        ):
            raise ConfigError(
                f"sim.carbon_budget_g must be > 0 gCO2eq, but got {self.carbon_budget_g!r}"
            )

    @property
    def idle_share_power_w(self) -> float:
        """Power of a GPU in an allocation's explicit idle share, W."""
        return self.power_idle_w if self.power_off_w is None else float(self.power_off_w)

    @classmethod
    def field_names(cls) -> list[str]:
        """The parameter names (the keys of a config's ``[sim]`` table)."""
        return [f.name for f in fields(cls)]
