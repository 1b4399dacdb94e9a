"""Policy names for configuration files: the one name -> class table."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from cenas.alloc._base import AllocationPolicy
from cenas.alloc._hybrid import HybridPolicy
from cenas.alloc._planner import BudgetPlannerPolicy, CarbonScalerPolicy, ThresholdPolicy
from cenas.alloc._policies import (
    AllEvaluationPolicy,
    AllSamplingPolicy,
    FixedRatioPolicy,
    HeuristicPolicy,
    RandomPolicy,
)
from cenas.errors import ConfigError

__all__ = ["POLICIES", "make_policy"]

POLICIES: Mapping[str, type[AllocationPolicy]] = MappingProxyType(
    {
        "heuristic": HeuristicPolicy,
        "random": RandomPolicy,
        "all-evaluation": AllEvaluationPolicy,
        "all-sampling": AllSamplingPolicy,
        "fixed-ratio": FixedRatioPolicy,
        "threshold": ThresholdPolicy,
        "carbonscaler": CarbonScalerPolicy,
        "planner": BudgetPlannerPolicy,
        "hybrid": HybridPolicy,
    }
)
"""Policy name -> class (read-only)."""


def make_policy(name: str, params: Mapping[str, Any] | None = None) -> AllocationPolicy:
    """Build a policy from its name and keyword parameters.

    Raises:
        ConfigError: for an unknown name or parameter, naming the valid ones.
    """
    try:
        cls = POLICIES[name]
    except KeyError:
        raise ConfigError(
            f"unknown allocation policy {name!r}; available: {', '.join(POLICIES)}"
        ) from None
    kwargs = dict(params or {})
    sig = inspect.signature(cls.__init__)
    allowed = [p for p in sig.parameters if p != "self"]
    unknown = [k for k in kwargs if k not in allowed]
    if unknown:
        raise ConfigError(
            f"policy {name!r} has no parameter {unknown[0]!r}; parameters: "
            f"{', '.join(allowed) or '(none)'}"
        )
    try:
        return cls(**kwargs)
    except TypeError as e:
        raise ConfigError(f"policy {name!r}: {e}") from None
