"""Tabular benchmarks: the abstraction, objectives (the sign convention) and NAS-Bench-201."""

from cenas.bench._base import Benchmark, Direction, Metric
from cenas.bench._hwnas import HWNAS_FILENAME, HWNAS_METRICS, HWNasTable, load_hwnasbench
from cenas.bench._nb201 import NB201Benchmark, load_nb201
from cenas.bench._objectives import Objective, Objectives
from cenas.bench._registry import (
    BenchmarkLoader,
    benchmark_names,
    get_benchmark,
    register_benchmark,
)
from cenas.bench._table import TableBenchmark

__all__ = [
    "BENCHMARK_NAMES",
    "HWNAS_FILENAME",
    "HWNAS_METRICS",
    "Benchmark",
    "BenchmarkLoader",
    "Direction",
    "HWNasTable",
    "Metric",
    "NB201Benchmark",
    "Objective",
    "Objectives",
    "TableBenchmark",
    "benchmark_names",
    "get_benchmark",
    "load_hwnasbench",
    "load_nb201",
    "register_benchmark",
]


def __getattr__(name: str) -> tuple[str, ...]:
    # BENCHMARK_NAMES was a constant; benchmarks now register themselves, so it is computed.
    if name == "BENCHMARK_NAMES":
        return benchmark_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
