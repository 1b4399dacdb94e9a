"""GPU allocation policies: split G GPUs between sampling and evaluation every interval.

A policy decides from an :class:`AllocationContext` (what it may know at time t) and returns an
:class:`Allocation` (sampling, evaluation and idle GPUs). Implementations: the CE-NAS heuristic,
random, all-evaluation (vanilla LaMOO), all-sampling (one-shot LaMOO), a fixed ratio, the
budget planner, the CE-NAS hybrid (the recommended carbon-aware method), and the baselines a user
would pick instead (threshold suspend-resume, CarbonScaler); a learned policy plugs in through
the same :class:`AllocationPolicy` interface.
"""

from cenas.alloc._base import Allocation, AllocationContext, AllocationPolicy, split_gpus
from cenas.alloc._hybrid import HybridPolicy
from cenas.alloc._planner import (
    BudgetPlannerPolicy,
    CarbonScalerPolicy,
    ThresholdPolicy,
    plan_cleanest,
)
from cenas.alloc._policies import (
    AllEvaluationPolicy,
    AllSamplingPolicy,
    FixedRatioPolicy,
    HeuristicPolicy,
    RandomPolicy,
)
from cenas.alloc._registry import POLICIES, make_policy
from cenas.alloc._window import ForecasterLike, Outlook, expected_intensity

__all__ = [
    "POLICIES",
    "AllEvaluationPolicy",
    "AllSamplingPolicy",
    "Allocation",
    "AllocationContext",
    "AllocationPolicy",
    "BudgetPlannerPolicy",
    "CarbonScalerPolicy",
    "FixedRatioPolicy",
    "ForecasterLike",
    "HeuristicPolicy",
    "HybridPolicy",
    "Outlook",
    "RandomPolicy",
    "ThresholdPolicy",
    "expected_intensity",
    "make_policy",
    "plan_cleanest",
    "split_gpus",
]
