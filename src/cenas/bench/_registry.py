"""Benchmarks by name, for the CLI and configuration files.

The table is filled by the packages that own the benchmarks: NAS-Bench-201 here, the EC-NAS
spaces by :mod:`cenas.ecnas` when it is imported. ``cenas.bench`` therefore imports none of its
users (EC-NAS builds on it), and a new benchmark needs no change here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cenas.bench._base import Benchmark
from cenas.errors import BenchmarkError, ConfigError

__all__ = ["BenchmarkLoader", "benchmark_names", "get_benchmark", "register_benchmark"]

BenchmarkLoader = Callable[..., Benchmark]
"""``loader(data_dir: Path | None, **kwargs) -> Benchmark``."""

_LOADERS: dict[str, BenchmarkLoader] = {}


def register_benchmark(name: str, loader: BenchmarkLoader) -> None:
    """Make ``get_benchmark(name)`` call ``loader(data_dir, **kwargs)``.

    A module that registers again (reloaded) replaces its own loader; a loader from another
    module for a taken name is an error.

    Raises:
        ConfigError: ``name`` is empty or already names another module's loader.
    """
    if not name:
        raise ConfigError("a benchmark name must not be empty")
    known = _LOADERS.get(name)
    if known is not None and getattr(known, "__module__", None) != getattr(
        loader, "__module__", None
    ):
        raise ConfigError(f"benchmark name {name!r} is already registered to {known!r}")
    _LOADERS[name] = loader


def benchmark_names() -> tuple[str, ...]:
    """Names that :func:`get_benchmark` knows now, in registration order."""
    return tuple(_LOADERS)


def get_benchmark(name: str, data_dir: str | Path | None = None, **kwargs: object) -> Benchmark:
    """Load a benchmark by name (``nb201``; with :mod:`cenas.ecnas` imported also ``ecnas`` =
    ``ecnas5`` and ``ecnas4``).

    Keyword arguments go to the loader (for ``nb201``: ``hwnas_path``, ``hwnas_sha256``,
    ``allow_unverified_pickle``).

    Raises:
        BenchmarkError: no benchmark of that name is registered.
    """
    try:
        loader = _LOADERS[name]
    except KeyError:
        raise BenchmarkError(
            f"unknown benchmark {name!r}; available: {', '.join(benchmark_names())}"
        ) from None
    return loader(Path(data_dir) if data_dir is not None else None, **kwargs)


def _nb201(data_dir: Path | None, **kwargs: object) -> Benchmark:
    from cenas.bench._nb201 import load_nb201

    return load_nb201(data_dir, **kwargs)  # type: ignore[arg-type]


register_benchmark("nb201", _nb201)
