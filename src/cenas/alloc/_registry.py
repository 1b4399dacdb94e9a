"""Policy names for configuration files: the one name -> class table."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator, Mapping
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


class _Policies(Mapping[str, type[AllocationPolicy]]):
    """A read-only name -> class table whose ``"module:Class"`` entries are imported on first
    use: the learned policy lives in :mod:`cenas.rl`, which builds on this package (and on
    torch-free NumPy inference), so naming it here must not import it."""

    def __init__(self, table: Mapping[str, type[AllocationPolicy] | str]) -> None:
        self._table = dict(table)

    def __getitem__(self, name: str) -> type[AllocationPolicy]:
        v = self._table[name]
        if isinstance(v, str):
            module, _, cls = v.partition(":")
            v = self._table[name] = getattr(importlib.import_module(module), cls)
        return v

    def __contains__(self, name: object) -> bool:
        return name in self._table

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


POLICIES: Mapping[str, type[AllocationPolicy]] = _Policies(
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
        "rl": "cenas.rl._policy:RLPolicy",
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
