"""Run-store speed: appending 10,000 events (target < 1 s) and resuming a 500-evaluation run
(target: the replay that brings the search core back to the crash point, < 2 s).

    python benchmarks/store_speed.py [--events 10000] [--evaluations 500]

The resumed run is a tabular search (ToyBenchmark, 1,024 architectures, run in the driver) with at
least the requested number of evaluations; its end event is dropped so that ``cenas resume``
replays every recorded task into the search core and finds nothing left to run. Prints a table.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from cenas.runner import InlineExecutor, LiveRunner, parse_search_config
from cenas.runner.testing import toy_workload
from cenas.store import STORE_FILE, RunStore


def _append(n: int, root: Path) -> float:
    with RunStore.create(root / "append") as st:
        payload = {"kind": "evaluate", "y": [[0.1, 2.0]], "energy_kwh": 1e-4, "meter": "rapl"}
        t0 = time.perf_counter()
        for i in range(n):
            st.append("task", {**payload, "key": f"k{i}"})
        return time.perf_counter() - t0


def _resume(n_eval: int, root: Path) -> tuple[int, float, float]:
    trace = root / "trace.csv"
    trace.write_text(
        "timestamp,value\n"
        + "".join(
            f"2021-01-{1 + h // 24:02d}T{h % 24:02d}:00:00Z,{100 + (h * 37) % 300}\n"
            for h in range(24 * 20)
        )
    )
    workers = 8
    waves = 4
    hours = max(2, -(-n_eval // (workers * waves // 2)))  # about half the slots evaluate
    cfg = parse_search_config(
        {
            "run": {
                "workers": workers,
                "hours": hours,
                "seconds_per_hour": 0.0,
                "waves_per_interval": waves,
            },
            "search": {
                "policy": "fixed-ratio",
                "initial_samples": 10,
                "queue_capacity": 32,
                "estimate_batch": 8,
            },
            "carbon": {"trace": str(trace), "start": "2021-01-01T00:00:00Z"},
        }
    )
    wl = toy_workload(positions=5, choices=4)
    run_dir = root / "run"
    r = LiveRunner.start(cfg, run_dir, workload=wl, executor=InlineExecutor(wl, str(root)))
    r.run()
    r.close()
    conn = sqlite3.connect(run_dir / STORE_FILE)
    n = conn.execute(
        "SELECT COUNT(*) FROM events WHERE kind='task' AND payload LIKE '%\"evaluate\"%'"
    ).fetchone()[0]
    with conn:
        conn.execute("DELETE FROM events WHERE kind = 'end'")
    conn.close()
    t0 = time.perf_counter()
    r = LiveRunner.resume(run_dir, workload=wl, executor=InlineExecutor(wl, str(root)))
    t_open = time.perf_counter() - t0
    r.run()
    r.close()
    return int(n), t_open, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--evaluations", type=int, default=500)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="cenas-store-bench-"))
    try:
        t_append = _append(args.events, root)
        n_eval, t_open, t_resume = _resume(args.evaluations, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"{'measurement':<52} {'value':>10} {'target':>8}")
    print(f"{f'append {args.events} events (one commit each), s':<52} {t_append:>10.3f} {'< 1':>8}")
    print(f"{'  per event, microseconds':<52} {1e6 * t_append / args.events:>10.1f}")
    print(f"{f'resume a run of {n_eval} evaluations: open, s':<52} {t_open:>10.3f}")
    print(f"{'  open + replay into the search core, s':<52} {t_resume:>10.3f} {'< 2':>8}")


if __name__ == "__main__":
    main()
