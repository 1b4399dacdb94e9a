"""Multi-objective optimisers on EC-NAS (validation accuracy vs 4-epoch training energy).

Random search, SEMOA (EC-NAS's simple evolutionary multi-objective optimiser), NSGA-II, qNEHVI and
LaMOO, each for ``--trials`` seeded trials of ``--n-evals`` table look-ups (batches of
``--batch-size``), on the 5-vertex EC-NAS space (2,532 cells). Prints, per method, the hypervolume
(reference point: 0 % accuracy, the space's largest energy) and, for the extreme architectures
and the knee point of each trial's front, accuracy, energy, training time and parameters as
mean +- std over trials; writes the attainment plot (PNG) and, optionally, a JSON of every trial.

Run: CENAS_DATA_DIR=../shared/data .venv/bin/python benchmarks/ecnas_compare.py \
        [--trials 10] [--n-evals 100] [--batch-size 10] [--png ecnas_attainment.png]
"""

from __future__ import annotations

import argparse
import json
import logging
import time
import warnings
from collections.abc import Sequence

import numpy as np
import torch
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cenas.bench import Objectives
from cenas.ecnas import (
    attainment_plot_data,
    compare_optimizers,
    comparison_methods,
    load_ecnas,
    point_summaries,
    render_attainment,
)

OBJECTIVES = ["val_acc", "train_energy_kwh"]
REPORT = ["val_acc", "train_energy_kwh", "train_time_s", "params"]


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--n-evals", type=int, default=100)
    ap.add_argument("--batch-size", type=int, default=10)
    ap.add_argument("--pop-size", type=int, default=10, help="SEMOA and NSGA-II population")
    ap.add_argument("--n-init", type=int, default=10, help="random start of qNEHVI and LaMOO")
    ap.add_argument("--vertices", type=int, default=5, choices=(4, 5))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--methods", default="random,semoa,nsga2,qnehvi,lamoo")
    ap.add_argument("--png", default="ecnas_attainment.png", help="attainment plot path")
    ap.add_argument("--json-out", default=None, help="write every trial here")
    args = ap.parse_args(argv)

    torch.set_num_threads(1)  # small GPs: threads only add contention
    warnings.filterwarnings("ignore", module=r"botorch\..*|linear_operator\..*|gpytorch\..*")
    logging.getLogger("botorch").setLevel(logging.ERROR)
    console = Console(width=120)

    t0 = time.perf_counter()
    bench = load_ecnas(args.vertices)
    obj = Objectives.of(bench, OBJECTIVES)
    ref = obj.to_min([0.0, float(bench.column("train_energy_kwh").max())])
    specs = comparison_methods(
        ref, pop_size=args.pop_size, n_init=args.n_init, names=args.methods.split(",")
    )
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("trials", total=len(specs) * args.trials)
        res = compare_optimizers(
            bench,
            specs,
            obj,
            ref_point=ref,
            n_evals=args.n_evals,
            batch_size=args.batch_size,
            trials=args.trials,
            seed=args.seed,
            on_trial=lambda t: bar.update(
                task, advance=1, description=f"{t.method} (last {t.wall_s:.1f} s)"
            ),
        )
    total_s = time.perf_counter() - t0

    console.print(
        f"{bench.name}: {bench.space.size} architectures; objectives {obj}; {args.trials} trials "
        f"x {args.n_evals} evaluations (batches of {args.batch_size}); reference point "
        f"(0 %, {float(ref[1]):.6f} kWh); true-front HV {res.hv_max:.4f} (% x kWh)",
        highlight=False,
    )
    hv = Table(title="hypervolume of the evaluated architectures (mean +- std over trials)")
    for col in ("method", "HV", "HV / HV_true", "optimiser s/trial"):
        hv.add_column(col, justify="left" if col == "method" else "right")
    for m in res.methods:
        v = np.array([t.hypervolume for t in res.of(m)])
        w = np.array([t.wall_s for t in res.of(m)])
        hv.add_row(
            m,
            f"{v.mean():.4f} +- {v.std():.4f}",
            f"{v.mean() / res.hv_max:.4f} +- {v.std() / res.hv_max:.4f}",
            f"{w.mean():.2f}",
        )
    console.print(hv)

    pts = point_summaries(res, bench, REPORT)
    table = Table(title="extremes and knee of each trial's front (mean +- std over trials)")
    for col in ("method", "point", "val acc %", "energy Wh", "train time s", "params M"):
        table.add_column(col, justify="left" if col in ("method", "point") else "right")
    scale = {"val_acc": 1.0, "train_energy_kwh": 1000.0, "train_time_s": 1.0, "params": 1e-6}
    digits = {"val_acc": 2, "train_energy_kwh": 3, "train_time_s": 1, "params": 3}
    for p in pts:
        cells = [
            f"{p.mean[k] * scale[k]:.{digits[k]}f} +- {p.std[k] * scale[k]:.{digits[k]}f}"
            for k in REPORT
        ]
        table.add_row(p.method, p.point, *cells)
    console.print(table)

    png = render_attainment(
        attainment_plot_data(res, bench),
        args.png,
        title=f"{bench.name}, {args.trials} trials x {args.n_evals} evaluations: "
        f"median attainment (solid), best/worst (dotted)",
    )
    console.print(f"attainment plot: {png}; total {total_s:.0f} s", highlight=False)
    if args.json_out:
        doc = {
            "benchmark": bench.name,
            "objectives": str(obj),
            "ref_point_min": ref.tolist(),
            "hv_max": res.hv_max,
            "args": vars(args),
            "trials": [
                {
                    "method": t.method,
                    "seed": t.seed,
                    "hypervolume": t.hypervolume,
                    "wall_s": t.wall_s,
                    "idx": t.idx.tolist(),
                    "points": t.points(),
                }
                for t in res.trials
            ],
            "summaries": [p.__dict__ for p in pts],
        }
        with open(args.json_out, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()
