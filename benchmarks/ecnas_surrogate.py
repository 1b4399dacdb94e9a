"""EC-NAS's surrogate energy model: Kendall tau on the test split, training time, learning curve.

Trains the 4-layer GELU MLP (L1 loss, Adam 5e-3, 200 epochs, batches of 32) on the 4,310 measured
7-vertex cells with a seeded 70/10/20 split, for several seeds and torch thread counts, and the
test error against the size of the training split (10 / 25 / 50 / 100 %).
Targets: Kendall tau >= 0.90 (EC-NAS reports 0.9030); training < 2 min on 2 CPU cores.

Run: CENAS_DATA_DIR=../shared/data .venv/bin/python benchmarks/ecnas_surrogate.py \
        [--seeds 0,1,2] [--threads 1,2] [--no-curve]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from rich.console import Console
from rich.table import Table

from cenas.ecnas import learning_curve, load_surrogate_data, train_surrogate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--no-curve", action="store_true")
    args = ap.parse_args()
    console = Console()
    data = load_surrogate_data()
    table = Table(title=f"surrogate on {len(data)} cells (200 epochs)")
    for col in ("threads", "seed", "Kendall tau", "MAE Wh", "MAPE %", "train s", "CPU s"):
        table.add_column(col, justify="right")
    taus: list[float] = []
    for th in (int(t) for t in args.threads.split(",")):
        torch.set_num_threads(th)
        for seed in (int(s) for s in args.seeds.split(",")):
            t0, c0 = time.perf_counter(), time.process_time()
            fit = train_surrogate(data, seed=seed)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            taus.append(fit.kendall_tau)
            row = (
                str(th),
                str(seed),
                f"{fit.kendall_tau:.4f}",
                f"{fit.mae_kwh * 1000:.3f}",
                f"{fit.mape_pct:.2f}",
                f"{wall:.1f}",
                f"{cpu:.1f}",
            )
            table.add_row(*row)
            console.print("  ".join(row), highlight=False)  # progress during a long run
    console.print(table)
    console.print(
        f"Kendall tau: median {statistics.median(taus):.4f}, min {min(taus):.4f} "
        f"(target >= 0.90; EC-NAS 0.9030)",
        highlight=False,
    )
    if not args.no_curve:
        torch.set_num_threads(1)
        curve = Table(title="test error against training-set size (seed 0, same test split)")
        for col in ("fraction", "n_train", "MAE Wh", "MAPE %", "Kendall tau"):
            curve.add_column(col, justify="right")
        for p in learning_curve(data, (0.1, 0.25, 0.5, 1.0), seed=0):
            curve.add_row(
                f"{p.fraction:.2f}",
                str(p.n_train),
                f"{p.mae_kwh * 1000:.3f}",
                f"{p.mape_pct:.2f}",
                f"{p.kendall_tau:.4f}",
            )
        console.print(curve)


if __name__ == "__main__":
    main()
