"""Speed of the Pareto kernels on all 15,625 NAS-Bench-201 architectures.

Targets: dominance numbers and hypervolume of the whole space in under 0.1 s with 2 objectives,
under 2 s with 3. Prints the best of ``--repeats`` wall times per kernel.

    CENAS_DATA_DIR=../shared/data python benchmarks/moo_pareto_speed.py
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from cenas.bench import Objectives, load_nb201
from cenas.moo import (
    benchmark_reference_point,
    dominance_number,
    hv_contributions,
    hypervolume,
    non_dominated_mask,
    non_dominated_sort,
)

PROBLEMS = {
    "2 obj: acc vs pixel3": "cifar10_test_acc:max,latency_pixel3_ms:min",
    "3 obj: acc vs pixel3 vs raspi4": (
        "cifar10_test_acc:max,latency_pixel3_ms:min,latency_raspi4_ms:min"
    ),
}


def best_of(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _kernels(y: np.ndarray, ref: np.ndarray) -> list[tuple[str, Callable[[], object], str]]:
    dn = dominance_number(y)
    fronts = int(non_dominated_sort(y).max()) + 1
    return [
        ("dominance_number", lambda: dominance_number(y), f"{int((dn == 0).sum())} with 0"),
        ("hypervolume", lambda: hypervolume(y, ref), f"{hypervolume(y, ref):.4f}"),
        ("dominance + hypervolume", lambda: (dominance_number(y), hypervolume(y, ref)), ""),
        ("non_dominated_mask", lambda: non_dominated_mask(y), ""),
        ("non_dominated_sort", lambda: non_dominated_sort(y), f"{fronts} fronts"),
        ("hv_contributions", lambda: hv_contributions(y, ref), ""),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    bench = load_nb201()
    print(f"{'problem':34s} {'kernel':22s} {'seconds':>9s}  result")
    for label, spec in PROBLEMS.items():
        obj = Objectives.parse(spec)
        y = obj.evaluate(bench, bench.space.all_indices())
        ref = benchmark_reference_point(bench, obj)
        rows = _kernels(y, ref)
        for name, fn, result in rows:
            print(f"{label:34s} {name:22s} {best_of(fn, args.repeats):9.4f}  {result}")
    # Reference: the brute-force count the dominance number is tested against, on a subset.
    sub = np.asarray(y[:3000])
    t0 = time.perf_counter()
    le = (sub[None, :, :] <= sub[:, None, :]).all(-1)
    lt = (sub[None, :, :] < sub[:, None, :]).any(-1)
    (le & lt).sum(axis=1)
    print(f"{'(brute force O(n^2), 3,000 points)':57s} {time.perf_counter() - t0:9.4f}")


if __name__ == "__main__":
    main()
