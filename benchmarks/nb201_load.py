"""Time loading the joined NAS-Bench-201 table and a vectorised query of the whole space.

Run: CENAS_DATA_DIR=../shared/data .venv/bin/python benchmarks/nb201_load.py
Target (issue 2): load under 2 s; a query of all 15,625 architectures is one call.
"""

from __future__ import annotations

import statistics
import time

from rich.console import Console
from rich.table import Table

from cenas.bench import load_nb201
from cenas.bench._nb201 import _load_cached
from cenas.data import _catalog


def main(repeats: int = 5) -> None:
    loads, queries = [], []
    for _ in range(repeats):
        _load_cached.cache_clear()
        _catalog._verified.clear()  # include SHA-256 verification every time
        t0 = time.perf_counter()
        b = load_nb201()
        loads.append(time.perf_counter() - t0)
        metrics = list(b.metrics)
        t0 = time.perf_counter()
        out = b.query_many(b.space.all_indices(), metrics)
        queries.append(time.perf_counter() - t0)
    table = Table(title=f"NAS-Bench-201 ({out.shape[0]:,} architectures x {out.shape[1]} metrics)")
    table.add_column("operation")
    table.add_column("median s", justify="right")
    table.add_column("min s", justify="right")
    table.add_column("target s", justify="right")
    table.add_row(
        "load + verify + join (cold)", f"{statistics.median(loads):.3f}", f"{min(loads):.3f}", "2.0"
    )
    table.add_row(
        "query_many(all, all metrics)",
        f"{statistics.median(queries):.4f}",
        f"{min(queries):.4f}",
        "-",
    )
    Console().print(table)


if __name__ == "__main__":
    main()
