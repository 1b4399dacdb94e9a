"""GPU allocation policies: split G GPUs between sampling and evaluation every interval.

A policy decides from an :class:`AllocationContext` (what it may know at time t) and returns an
:class:`Allocation`. Implementations: the CE-NAS heuristic, random, all-evaluation (vanilla
LaMOO), all-sampling (one-shot LaMOO) and a fixed ratio; a learned policy plugs in through the
same :class:`AllocationPolicy` interface.
"""

from cenas.alloc._base import Allocation, AllocationContext, AllocationPolicy, split_gpus
from cenas.alloc._policies import (
    AllEvaluationPolicy,
    AllSamplingPolicy,
    FixedRatioPolicy,
    ForecasterLike,
    HeuristicPolicy,
    RandomPolicy,
)
from cenas.alloc._registry import POLICIES, make_policy

__all__ = [
    "POLICIES",
    "AllEvaluationPolicy",
    "AllSamplingPolicy",
    "Allocation",
    "AllocationContext",
    "AllocationPolicy",
    "FixedRatioPolicy",
    "ForecasterLike",
    "HeuristicPolicy",
    "RandomPolicy",
    "make_policy",
    "split_gpus",
]
