"""Tabular benchmarks: the abstraction, objectives (the sign convention) and NAS-Bench-201."""

from cenas.bench._base import Benchmark, Direction, Metric
from cenas.bench._objectives import Objective, Objectives

__all__ = ["Benchmark", "Direction", "Metric", "Objective", "Objectives"]
