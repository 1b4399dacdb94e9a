"""Multi-objective core: Pareto utilities, hypervolume, LaMOO, samplers and plain optimisers.

Sign convention: every objective array is in MINIMISATION form, shape ``(n, m)`` (see
:class:`cenas.bench.Objectives`, which converts from natural units); reference points too.
Conversion happens only at library boundaries (BoTorch maximises, so its adapter negates).
"""

from cenas.moo._candidates import ENUMERATE_LIMIT, region_pool, space_features
from cenas.moo._evolution import NSGA2, CategoricalSpace, PopulationOptimizer
from cenas.moo._experiment import (
    EffectivenessResult,
    EffectivenessRun,
    SampleSetSummary,
    benchmark_reference_point,
    lamoo_effectiveness,
)
from cenas.moo._hypervolume import (
    LOG_GAP_REL_FLOOR,
    as_reference_point,
    default_reference_point,
    hv_contributions,
    hypervolume,
    log_hv_gap,
)
from cenas.moo._lamoo import (
    LaMOO,
    LaMOONode,
    LaMOOTree,
    NodeSummary,
    Region,
    RegionStep,
    SelectStrategy,
    SvmKernel,
)
from cenas.moo._optimizers import (
    History,
    LaMOOOptimizer,
    Optimizer,
    QNEHVIOptimizer,
    RandomSearch,
    run_optimizer,
)
from cenas.moo._pareto import (
    as_objective_array,
    dominance_number,
    front_extremes,
    knee_point,
    non_dominated_mask,
    non_dominated_sort,
)
from cenas.moo._qnehvi import QNEHVISettings
from cenas.moo._samplers import QNEHVISampler, RegionSampler, UniformRegionSampler

__all__ = [
    "ENUMERATE_LIMIT",
    "LOG_GAP_REL_FLOOR",
    "NSGA2",
    "CategoricalSpace",
    "EffectivenessResult",
    "EffectivenessRun",
    "History",
    "LaMOO",
    "LaMOONode",
    "LaMOOOptimizer",
    "LaMOOTree",
    "NodeSummary",
    "Optimizer",
    "PopulationOptimizer",
    "QNEHVIOptimizer",
    "QNEHVISampler",
    "QNEHVISettings",
    "RandomSearch",
    "Region",
    "RegionSampler",
    "RegionStep",
    "SampleSetSummary",
    "SelectStrategy",
    "SvmKernel",
    "UniformRegionSampler",
    "as_objective_array",
    "as_reference_point",
    "benchmark_reference_point",
    "default_reference_point",
    "dominance_number",
    "front_extremes",
    "hv_contributions",
    "hypervolume",
    "knee_point",
    "lamoo_effectiveness",
    "log_hv_gap",
    "non_dominated_mask",
    "non_dominated_sort",
    "region_pool",
    "run_optimizer",
    "space_features",
]
