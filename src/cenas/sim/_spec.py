"""What one simulated run needs: the objects (not names) a configuration resolves to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cenas.alloc import AllocationPolicy
from cenas.carbon import IntensityTrace
from cenas.moo import LaMOO, RegionSampler
from cenas.search import SearchSettings, TabularEvaluator
from cenas.sim._params import SimConfig

__all__ = ["RunSpec"]


@dataclass
class RunSpec:
    """Everything one simulated run needs (objects, not names; see :mod:`cenas.sim` configs).

    Attributes:
        evaluator: the tabular evaluator (true objectives, estimates, training times).
        trace: the carbon-intensity trace (the whole file; the run starts at ``start_s``).
        start_s: start of the run, epoch seconds (the window's start).
        policy: the allocation policy.
        sim: resources and costs.
        search: search-core settings; ``search.mode`` picks the method's kind of work.
        ref_point: hypervolume reference point, minimisation form, shape ``(m,)``.
        lamoo: the LaMOO partitioner.
        sampler: the in-region sampler.
        method: the method's name (for results and legends).
        window: the window's name (for results).
        seed: the run's seed; the search core gets it, the policy a child of it.
        hv_max: HV of the benchmark's whole true front at ``ref_point`` (computed when None).
        horizon_s: length of the run; None for ``sim.horizon_h``.
        meta: free-form metadata copied into the result (config, checksums, ...).
    """

    evaluator: TabularEvaluator
    trace: IntensityTrace
    start_s: float
    policy: AllocationPolicy
    sim: SimConfig
    search: SearchSettings
    ref_point: NDArray[np.float64]
    lamoo: LaMOO = field(default_factory=LaMOO)
    sampler: RegionSampler | None = None
    method: str = "method"
    window: str = ""
    seed: int = 0
    hv_max: float | None = None
    horizon_s: float | None = None
    meta: dict[str, Any] = field(default_factory=dict)
