"""Sample efficiency of the multi-objective optimisers on NAS-Bench-201.

Hypervolume after 50, 100, 200 and 300 true evaluations for LaMOO+uniform, LaMOO+qNEHVI, random
search, NSGA-II and qNEHVI, on CIFAR-10 test accuracy vs Pixel 3 latency and vs Raspberry Pi 4
latency, over 10 seeds: median and interquartile range, a PNG plot of log(HV_max - HV) (median,
IQR band), and the wall time per ask of each optimiser. Every optimiser asks batches of ``--batch``
(10) and starts from 10 uniform random architectures. The reference point is the benchmark's worst
value of each objective, so HV_max is the hypervolume of the whole table.

To stay within about half an hour on two CPU cores, qNEHVI (alone and inside LaMOO) scores a
random pool of 1,000 candidates, screened to 64, with 32 QMC samples, and refits the GP
hyperparameters every 5th ask (50 L-BFGS-B iterations, warm-started). Runs go to ``--workers``
processes.

    CENAS_DATA_DIR=../shared/data python benchmarks/moo_sample_efficiency.py --out /tmp/moo_se.png
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from cenas._seeding import child_seeds
from cenas.bench import Benchmark, Objectives, load_nb201
from cenas.moo import (
    NSGA2,
    LaMOO,
    LaMOOOptimizer,
    Optimizer,
    QNEHVIOptimizer,
    QNEHVISampler,
    RandomSearch,
    UniformRegionSampler,
    benchmark_reference_point,
    hypervolume,
)
from cenas.space import SearchSpace

PROBLEMS = {
    "acc-pixel3": "cifar10_test_acc:max,latency_pixel3_ms:min",
    "acc-raspi4": "cifar10_test_acc:max,latency_raspi4_ms:min",
}
N_INIT = 10


def _qsampler() -> QNEHVISampler:
    return QNEHVISampler(
        pool_size=1000, refit_every=5, mc_samples=32, screen_size=64, fit_maxiter=50
    )


def _make(method: str, space: SearchSpace, ref: NDArray[np.float64], seed: int) -> Optimizer:
    if method == "random":
        return RandomSearch(space, seed=seed)
    if method == "nsga2":
        return NSGA2(space, pop_size=20, seed=seed)
    if method == "qnehvi":
        return QNEHVIOptimizer(space, ref_point=ref, n_init=N_INIT, sampler=_qsampler(), seed=seed)
    if method == "lamoo+uniform":
        return LaMOOOptimizer(
            space, UniformRegionSampler(), LaMOO(), ref_point=ref, n_init=N_INIT, seed=seed
        )
    if method == "lamoo+qnehvi":
        return LaMOOOptimizer(space, _qsampler(), LaMOO(), ref_point=ref, n_init=N_INIT, seed=seed)
    raise ValueError(method)


METHODS = ["lamoo+qnehvi", "qnehvi", "lamoo+uniform", "nsga2", "random"]

_BENCH: Benchmark | None = None


def _bench() -> Benchmark:
    global _BENCH
    if _BENCH is None:
        _BENCH = load_nb201()
    return _BENCH


@dataclass
class RunResult:
    problem: str
    method: str
    seed: int
    hv: list[float]  # after each evaluation
    ask_s: list[float] = field(default_factory=list)  # wall time of each model-based ask


def run_one(problem: str, method: str, seed: int, n_evals: int, batch: int) -> RunResult:
    import torch

    torch.set_num_threads(1)
    bench = _bench()
    obj = Objectives.parse(PROBLEMS[problem])
    ref = benchmark_reference_point(bench, obj)
    opt = _make(method, bench.space, ref, seed)
    ys: list[NDArray[np.float64]] = []
    res = RunResult(problem, method, seed, [])
    while sum(len(y) for y in ys) < n_evals:
        k = min(batch, n_evals - sum(len(y) for y in ys))
        t0 = time.perf_counter()
        idx = opt.ask(k)
        dt = time.perf_counter() - t0
        if opt.n_observed >= N_INIT:
            res.ask_s.append(dt)
        y = obj.evaluate(bench, idx)
        opt.tell(idx, y)
        ys.append(y)
    all_y = np.concatenate(ys)
    # HV after each evaluation (exact, via moocore; cheap at these sizes).
    res.hv = [hypervolume(all_y[: i + 1], ref) for i in range(len(all_y))]
    return res


def _run_star(args: tuple[str, str, int, int, int]) -> RunResult:
    return run_one(*args)


@dataclass(frozen=True)
class CurvePlotData:
    """Median and IQR hypervolume curves per problem and method (what the PNG shows)."""

    evals: NDArray[np.int64]
    hv_max: dict[str, float]
    median: dict[tuple[str, str], NDArray[np.float64]]
    q25: dict[tuple[str, str], NDArray[np.float64]]
    q75: dict[tuple[str, str], NDArray[np.float64]]


def curve_plot_data(results: Sequence[RunResult], hv_max: dict[str, float]) -> CurvePlotData:
    groups: dict[tuple[str, str], list[list[float]]] = {}
    for r in results:
        groups.setdefault((r.problem, r.method), []).append(r.hv)
    med, lo, hi = {}, {}, {}
    n = min(len(h) for g in groups.values() for h in g)
    for key, curves in groups.items():
        arr = np.array([c[:n] for c in curves])
        med[key] = np.median(arr, axis=0)
        lo[key] = np.percentile(arr, 25, axis=0)
        hi[key] = np.percentile(arr, 75, axis=0)
    return CurvePlotData(np.arange(1, n + 1), hv_max, med, lo, hi)


def render_png(data: CurvePlotData, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    problems = sorted({p for p, _ in data.median})
    fig, axes = plt.subplots(1, len(problems), figsize=(6 * len(problems), 4.5), squeeze=False)
    for ax, prob in zip(axes[0], problems, strict=True):
        for method in METHODS:
            key = (prob, method)
            if key not in data.median:
                continue
            gap_med = np.log(np.maximum(data.hv_max[prob] - data.median[key], 1e-9))
            gap_lo = np.log(np.maximum(data.hv_max[prob] - data.q75[key], 1e-9))
            gap_hi = np.log(np.maximum(data.hv_max[prob] - data.q25[key], 1e-9))
            (line,) = ax.plot(data.evals, gap_med, label=method)
            ax.fill_between(data.evals, gap_lo, gap_hi, alpha=0.2, color=line.get_color())
        ax.set_title(f"NAS-Bench-201 {prob} (median, IQR)")
        ax.set_xlabel("true evaluations")
        ax.set_ylabel("log(HV_max - HV)")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _fmt(v: Sequence[float]) -> str:
    q25, med, q75 = np.percentile(v, [25, 50, 75])
    return f"{med:9.2f} [{q25:8.2f},{q75:8.2f}]"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--budgets", default="50,100,200,300")
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--problems", default=",".join(PROBLEMS))
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--seed", type=int, default=0, help="master seed")
    ap.add_argument("--out", type=Path, default=Path("moo_sample_efficiency.png"))
    ap.add_argument("--json", type=Path, default=None, help="also write raw curves here")
    args = ap.parse_args()
    budgets = [int(b) for b in args.budgets.split(",")]
    methods = args.methods.split(",")
    problems = args.problems.split(",")
    seeds = child_seeds(args.seed, args.seeds)
    n_evals = max(budgets)
    # Slow methods first so the workers finish together.
    tasks = [(p, m, s, n_evals, args.batch) for m in methods for p in problems for s in seeds]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as ex:
        results = list(ex.map(_run_star, tasks))
    wall = time.perf_counter() - t0
    bench = _bench()
    hv_max = {}
    for p in problems:
        obj = Objectives.parse(PROBLEMS[p])
        ref = benchmark_reference_point(bench, obj)
        hv_max[p] = hypervolume(obj.evaluate(bench, bench.space.all_indices()), ref)

    print(f"hypervolume after N true evaluations: median [IQR] over {args.seeds} seeds")
    for p in problems:
        print(f"\n{p}  ({PROBLEMS[p]}, HV_max {hv_max[p]:.2f})")
        print(f"{'method':15s}" + "".join(f"{'N=' + str(b):>30s}" for b in budgets))
        for m in methods:
            rows = [r for r in results if r.problem == p and r.method == m]
            cells = [_fmt([r.hv[b - 1] for r in rows]) for b in budgets]
            print(f"{m:15s}" + "".join(f"{c:>30s}" for c in cells))
    print(
        f"\nwall time per ask (batch of {args.batch}, after the {N_INIT} initial samples), seconds"
    )
    print(f"{'method':15s} {'median':>9s} {'mean':>9s} {'max':>9s} {'asks':>6s}")
    for m in methods:
        t = [x for r in results if r.method == m for x in r.ask_s]
        print(f"{m:15s} {np.median(t):9.4f} {np.mean(t):9.4f} {np.max(t):9.4f} {len(t):6d}")
    data = curve_plot_data(results, hv_max)
    render_png(data, args.out)
    print(f"\nplot: {args.out}; total wall {wall:.0f} s on {args.workers} workers")
    if args.json is not None:
        args.json.write_text(
            json.dumps([r.__dict__ for r in results], indent=None), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
