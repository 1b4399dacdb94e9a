"""Benchmarks by name, for the CLI and configuration files (the one name -> loader table)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cenas.bench._base import Benchmark
from cenas.errors import BenchmarkError

__all__ = ["BENCHMARK_NAMES", "get_benchmark"]


def _nb201(data_dir: Path | None, **kwargs: object) -> Benchmark:
    from cenas.bench._nb201 import load_nb201

    return load_nb201(data_dir, **kwargs)  # type: ignore[arg-type]


def _ecnas(vertices: int) -> Callable[..., Benchmark]:
    def load(data_dir: Path | None, **kwargs: object) -> Benchmark:
        from cenas.ecnas import load_ecnas  # type: ignore[attr-defined]

        bench: Benchmark = load_ecnas(vertices=vertices, data_dir=data_dir)
        return bench

    return load


_LOADERS: dict[str, Callable[..., Benchmark]] = {
    "nb201": _nb201,
    "ecnas": _ecnas(5),
    "ecnas4": _ecnas(4),
    "ecnas5": _ecnas(5),
}
BENCHMARK_NAMES: tuple[str, ...] = tuple(_LOADERS)


def get_benchmark(name: str, data_dir: str | Path | None = None, **kwargs: object) -> Benchmark:
    """Load a benchmark by name (``nb201``, ``ecnas`` = ``ecnas5``, ``ecnas4``).

    Keyword arguments go to the loader (for ``nb201``: ``hwnas_path``, ``hwnas_sha256``,
    ``allow_unverified_pickle``).
    """
    try:
        loader = _LOADERS[name]
    except KeyError:
        raise BenchmarkError(
            f"unknown benchmark {name!r}; available: {', '.join(BENCHMARK_NAMES)}"
        ) from None
    return loader(Path(data_dir) if data_dir is not None else None, **kwargs)
