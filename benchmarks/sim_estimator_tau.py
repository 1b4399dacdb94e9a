"""How well the search ranks estimated architectures: Kendall tau of each estimator against the
true CIFAR-10 accuracy on NAS-Bench-201, over the whole space and inside its top 10 %.

    python benchmarks/sim_estimator_tau.py [--pairs 50,100,200] [--repeats 5]

Estimators: the one-shot supernet's estimate, the few-shot supernets' estimate, and the
EstimateCorrector (ridge on architecture features plus the one-shot estimate) fitted on ``n``
trained architectures drawn at random (the pairs a search collects for free as R is trained),
evaluated on all the others; median over ``--repeats`` draws. The top 10 % is by true accuracy.
Also the ArchitecturePredictor (ridge on architecture features alone, no supernet: what the
shipped hybrid selects its direct proposals by) fitted on the same draws.
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.stats import kendalltau

from cenas.bench import get_benchmark
from cenas.moo import space_features
from cenas.search import ArchitecturePredictor, EstimateCorrector


def tau(a: np.ndarray, b: np.ndarray) -> float:
    return float(kendalltau(a, b)[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", default="50,100,200,400")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    bench = get_benchmark("nb201")
    n = bench.space.size
    idx = np.arange(n, dtype=np.int64)
    true = np.asarray(bench.column("cifar10_test_acc"), dtype=np.float64)
    one = np.asarray(bench.column("oneshot_cifar10_acc"), dtype=np.float64)
    few = np.asarray(bench.column("fewshot_cifar10_acc"), dtype=np.float64)
    ok = np.isfinite(true) & np.isfinite(one) & np.isfinite(few)
    top = ok & (true >= np.quantile(true[ok], 0.9))
    feats = space_features(bench.space)
    if feats is None:
        raise SystemExit("the space is not enumerable")
    print(f"NAS-Bench-201, {int(ok.sum())} architectures; top 10 %: {int(top.sum())}")
    print(f"{'estimator':34s} {'tau all':>8s} {'tau top 10 %':>12s}")
    print(
        f"{'one-shot supernet':34s} {tau(true[ok], one[ok]):8.3f} {tau(true[top], one[top]):12.3f}"
    )
    print(
        f"{'few-shot supernets':34s} {tau(true[ok], few[ok]):8.3f} {tau(true[top], few[top]):12.3f}"
    )
    rng = np.random.default_rng(0)
    for m in (int(x) for x in args.pairs.split(",")):
        rows = []
        for _ in range(args.repeats):
            c = EstimateCorrector(feats, 1)
            c.remember(idx[ok], -one[ok, None])  # minimisation form
            trained = rng.choice(idx[ok], m, replace=False)
            for i in trained:
                c.add(int(i), [-true[i]])
            rest = np.setdiff1d(idx[ok], trained)
            pred = -c.predict(rest, -one[rest, None])[:, 0]
            free = ArchitecturePredictor(feats, 1).predict(rest, trained, -true[trained, None])
            if free is None:
                raise SystemExit(f"--pairs {m}: too few trained architectures to predict")
            t = top[rest]
            rows.append(
                (
                    tau(true[rest], pred),
                    tau(true[rest][t], pred[t]),
                    tau(true[rest], -free[:, 0]),
                    tau(true[rest][t], -free[t, 0]),
                )
            )
        a, b, fa, fb = np.median(np.array(rows), axis=0)
        print(f"{f'corrector on one-shot, {m} pairs':34s} {a:8.3f} {b:12.3f}")
        print(f"{f'features only, no supernet, {m}':34s} {fa:8.3f} {fb:12.3f}")


if __name__ == "__main__":
    main()
