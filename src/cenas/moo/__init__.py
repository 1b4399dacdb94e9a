"""Multi-objective core: Pareto utilities, hypervolume, LaMOO, samplers and plain optimisers.

Sign convention: every objective array is in MINIMISATION form, shape ``(n, m)`` (see
:class:`cenas.bench.Objectives`, which converts from natural units); reference points too.
Conversion happens only at library boundaries (BoTorch maximises, so its adapter negates).
"""

from cenas.moo._hypervolume import (
    LOG_GAP_REL_FLOOR,
    as_reference_point,
    default_reference_point,
    hv_contributions,
    hypervolume,
    log_hv_gap,
)
from cenas.moo._pareto import (
    as_objective_array,
    dominance_number,
    front_extremes,
    knee_point,
    non_dominated_mask,
    non_dominated_sort,
)

__all__ = [
    "LOG_GAP_REL_FLOOR",
    "as_objective_array",
    "as_reference_point",
    "default_reference_point",
    "dominance_number",
    "front_extremes",
    "hv_contributions",
    "hypervolume",
    "knee_point",
    "log_hv_gap",
    "non_dominated_mask",
    "non_dominated_sort",
]
