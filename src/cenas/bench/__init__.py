"""Tabular benchmarks: the abstraction, objectives (the sign convention) and NAS-Bench-201."""

from cenas.bench._base import Benchmark, Direction, Metric
from cenas.bench._hwnas import HWNAS_FILENAME, HWNAS_METRICS, HWNasTable, load_hwnasbench
from cenas.bench._nb201 import NB201Benchmark, load_nb201
from cenas.bench._objectives import Objective, Objectives
from cenas.bench._registry import BENCHMARK_NAMES, get_benchmark
from cenas.bench._table import TableBenchmark

__all__ = [
    "BENCHMARK_NAMES",
    "HWNAS_FILENAME",
    "HWNAS_METRICS",
    "Benchmark",
    "Direction",
    "HWNasTable",
    "Metric",
    "NB201Benchmark",
    "Objective",
    "Objectives",
    "TableBenchmark",
    "get_benchmark",
    "load_hwnasbench",
    "load_nb201",
]
