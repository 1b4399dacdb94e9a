"""Time loading the EC-NAS benchmark: cold (parse the tar.gz) and warm (the npz cache).

Each repeat clears the in-memory tables and the SHA-256 memo, so every load verifies the archive.
"Cold" also points the user cache at an empty directory, so the archive is streamed and parsed
and every graph re-hashed; "warm" reads the cache written by the cold load.
Target (issue): the benchmark loads in under 5 s.

Run: CENAS_DATA_DIR=../shared/data .venv/bin/python benchmarks/ecnas_load.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

from rich.console import Console
from rich.table import Table

from cenas.data import _catalog
from cenas.ecnas import _bench, load_ecnas


def timed(vertices: int) -> tuple[float, float]:
    _bench._memo.clear()
    _catalog._verified.clear()
    t0, c0 = time.perf_counter(), time.process_time()
    b = load_ecnas(vertices)
    b.query_many(b.space.all_indices(), list(b.metrics))
    return time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    rows = []
    for vertices in (5, 4):
        cold, warm = [], []
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory() as tmp:
                os.environ["XDG_CACHE_HOME"] = tmp
                cold.append(timed(vertices))
                warm.append(timed(vertices))
        for name, xs in (("cold (tar.gz)", cold), ("warm (npz)", warm)):
            rows.append(
                (
                    f"{vertices}V {name}",
                    statistics.median(x[0] for x in xs),
                    min(x[0] for x in xs),
                    statistics.median(x[1] for x in xs),
                )
            )
    table = Table(title="load_ecnas + verify + query of every architecture and metric")
    for col in ("load", "median wall s", "min wall s", "median CPU s", "target s"):
        table.add_column(col, justify="left" if col == "load" else "right")
    for name, med, lo, cpu in rows:
        table.add_row(name, f"{med:.3f}", f"{lo:.3f}", f"{cpu:.3f}", "5.0")
    Console().print(table)


if __name__ == "__main__":
    main()
