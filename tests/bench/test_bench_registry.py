"""The benchmark registry: filled by the packages that own the benchmarks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cenas.bench import benchmark_names, get_benchmark, register_benchmark
from cenas.errors import BenchmarkError, ConfigError


def test_bench_does_not_import_its_users() -> None:
    code = (
        "import sys, cenas.bench; print(sorted(m for m in sys.modules if m.startswith('cenas.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "cenas.ecnas" not in out.stdout and "cenas.moo" not in out.stdout


def test_owners_register_their_names() -> None:
    import cenas.ecnas  # noqa: F401

    assert {"nb201", "ecnas", "ecnas4", "ecnas5"} <= set(benchmark_names())


def test_unknown_name_and_taken_name() -> None:
    with pytest.raises(BenchmarkError, match=r"unknown benchmark 'nope'; available: nb201"):
        get_benchmark("nope")
    with pytest.raises(ConfigError, match="already registered"):
        register_benchmark("nb201", lambda data_dir, **kw: get_benchmark("nb201", data_dir))
    with pytest.raises(ConfigError, match="must not be empty"):
        register_benchmark("", lambda data_dir, **kw: get_benchmark("nb201", data_dir))


def test_ecnas_takes_no_options() -> None:
    import cenas.ecnas  # noqa: F401

    with pytest.raises(ConfigError, match="take no options, but got hwnas_path"):
        get_benchmark("ecnas", None, hwnas_path="x")
