"""One-shot quality of the live supernet: Kendall tau of its estimates against standalone training.

On one CPU thread: trains the whole-space supernet (uniform single-path sampling), estimates
``--archs`` random architectures with it, trains each standalone, and prints Kendall tau (target
>= 0.4; NAS-Bench-201's one-shot supernet on CIFAR-10: 0.48). Then:

- training noise: retrains ``--noise-archs`` of them with ``--noise-seeds`` other seeds and
  prints the per-architecture spread next to the spread across architectures, and the tau
  between two seeds of standalone training (the ceiling any estimator can reach on this data);
- a LaMOO region: fits LaMOO on the standalone results (accuracy max, parameters min), takes
  the selected leaf, fine-tunes the whole-space supernet to it, trains ``--region-archs`` new
  members standalone and prints tau inside the region for the fine-tuned supernet beside the
  whole-space one, with the cost of fine-tuning beside that of training from scratch.

Energy is IT energy (kWh) from the default tracker (RAPL, else the CPU model of this process);
no carbon is computed here.

    .venv/bin/python benchmarks/live_supernet_tau.py [--dataset digits] [--archs 30]
        [--sampling fair] [--supernet-epochs 6] [--train-epochs 5] [--noise-archs 8]
        [--region-archs 12] [--cache standalone.json] [--json run.json]

``--sampling fair`` (the default) trains the supernet with strict-fairness groups (FairNAS: each
step trains every operation of every edge once; an epoch then costs about five uniform epochs,
so the default is 6 fair epochs against 30 for ``--sampling uniform``: equal compute). At equal
compute it ranked better on both Fashion-MNIST subsets measured (1,000 and 5,000 images).
``--supernet-train-size`` trains the supernet on more images than the standalone networks
(same validation images).

``--cache`` keeps standalone results between runs (keyed by data, sizes, network, recipe, seed
and architecture), so supernet settings can be compared without retraining every network.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from rich.console import Console
from rich.table import Table
from scipy.stats import kendalltau

from cenas.live import (
    SAMPLINGS,
    DataSplits,
    NetworkConfig,
    Region,
    RegionSupernet,
    TrainConfig,
    few_shot_split,
    load_dataset,
    train_network,
)
from cenas.moo import LaMOO
from cenas.space import NB201Space


def tau(a: np.ndarray, b: np.ndarray) -> float:
    return float(kendalltau(a, b).statistic)


_CACHE: dict[str, list[float]] = {}


def standalone(
    space: NB201Space,
    idx: np.ndarray,
    data: DataSplits,
    net: NetworkConfig,
    cfg: TrainConfig,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, float]:
    acc, params, seconds = [], [], 0.0
    for i in idx:
        key = f"{data.name}/{len(data.train)}/{len(data.val)}/{data.seed}/{net}/{cfg}/{seed}/{i}"
        if key in _CACHE:  # a standalone result from an earlier run (--cache)
            acc.append(_CACHE[key][0])
            params.append(_CACHE[key][1])
            continue
        r = train_network(
            [int(k) for k in space.op_vectors([i])[0]],
            data,
            network=net,
            config=cfg,
            device="cpu",
            seed=seed,
        )
        acc.append(r.accuracy)
        params.append(r.params)
        seconds += r.seconds
        _CACHE[key] = [r.accuracy, float(r.params), r.seconds]
    return np.array(acc), np.array(params, dtype=np.float64), seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="digits")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--train-size", type=int, default=None)
    ap.add_argument("--val-size", type=int, default=None)
    ap.add_argument("--channels", type=int, default=NetworkConfig.small().channels)
    ap.add_argument("--cells", type=int, default=NetworkConfig.small().cells_per_stage)
    ap.add_argument("--archs", type=int, default=30)
    ap.add_argument(
        "--supernet-epochs", type=int, default=None, help="30 uniform, 6 fair (equal compute)"
    )
    ap.add_argument("--supernet-batch", type=int, default=32)
    ap.add_argument("--train-epochs", type=int, default=5)
    ap.add_argument("--noise-archs", type=int, default=8)
    ap.add_argument("--noise-seeds", type=int, default=2)
    ap.add_argument("--region-archs", type=int, default=12)
    ap.add_argument("--finetune-epochs", type=int, default=8)
    ap.add_argument(
        "--few-shot-edge", type=int, default=None, help="also split by this edge (Few-Shot NAS)"
    )
    ap.add_argument("--supernet-lr", type=float, default=TrainConfig().learning_rate)
    ap.add_argument(
        "--supernet-train-size",
        type=int,
        default=None,
        help="train the supernet on this many images (standalone keeps --train-size; same val)",
    )
    ap.add_argument("--sampling", choices=SAMPLINGS, default="fair", help="supernet paths")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--supernet-seed", type=int, default=None, help="supernet init and paths (else --seed)"
    )
    ap.add_argument(
        "--cache", type=Path, default=None, help="JSON of standalone results to reuse and extend"
    )
    ap.add_argument("--json", type=Path, default=None, help="write every estimate and result")
    args = ap.parse_args()
    if args.supernet_epochs is None:  # the same forward passes either way (groups of 5 paths)
        args.supernet_epochs = 6 if args.sampling == "fair" else 30
    if args.cache is not None and args.cache.is_file():
        _CACHE.update(json.loads(args.cache.read_text()))
    torch.set_num_threads(1)
    t_start = time.perf_counter()
    console = Console()
    data = load_dataset(
        args.dataset,
        data_dir=args.data_dir,
        seed=args.seed,
        train_size=args.train_size,
        val_size=args.val_size,
    )
    sn_data = data
    if args.supernet_train_size is not None:
        sn_data = load_dataset(
            args.dataset,
            data_dir=args.data_dir,
            seed=args.seed,
            train_size=args.supernet_train_size,
            val_size=args.val_size,
        )
    space = NB201Space()
    rng = np.random.default_rng(args.seed)
    idx = space.sample(args.archs, rng)
    train_cfg = TrainConfig(epochs=args.train_epochs)
    sn_cfg = TrainConfig(
        epochs=args.supernet_epochs,
        batch_size=args.supernet_batch,
        learning_rate=args.supernet_lr,
    )

    net = NetworkConfig(args.channels, args.cells)
    whole = RegionSupernet(
        Region.whole(space), sn_data, network=net, device="cpu",
        seed=args.seed if args.supernet_seed is None else args.supernet_seed,
        sampling=args.sampling,
    )  # fmt: skip
    sn_cost = whole.train(sn_cfg)
    est = whole.estimate(idx).accuracy
    acc, params, sa_seconds = standalone(space, idx, data, net, train_cfg, args.seed)
    few_rows = []
    if args.few_shot_edge is not None:
        fs = few_shot_split(
            whole,
            args.few_shot_edge,
            TrainConfig(
                epochs=args.finetune_epochs,
                batch_size=args.supernet_batch,
                learning_rate=args.supernet_lr,
            ),
        )
        fs_cost = sum(r.seconds for r in fs.results.values())
        few_rows = [
            (f"few-shot split on edge {args.few_shot_edge}: {len(fs.parts)} supernets",
             f"{args.finetune_epochs} epochs each, {fs_cost:.1f} s in all"),
            ("Kendall tau, all architectures, few-shot", f"{tau(fs.estimate(idx), acc):.3f}"),
        ]  # fmt: skip
    chance = 100.0 / data.num_classes
    working = acc > 2 * chance  # degenerate cells (no path to the output) sit at chance

    # Training noise: the same architectures with other seeds.
    k = min(args.noise_archs, args.archs)
    reruns = np.stack(
        [acc[:k]]
        + [standalone(space, idx[:k], data, net, train_cfg, args.seed + 1 + s)[0]
           for s in range(args.noise_seeds)]
    )  # fmt: skip
    within = float(reruns.std(axis=0, ddof=1).mean())
    seed_tau = tau(reruns[0], reruns[1])

    # A LaMOO region (accuracy max, parameters min) and its fine-tuned supernet.
    y = np.column_stack([-acc, params])
    leaf = (
        LaMOO(leaf_size=max(5, args.archs // 3), max_depth=2, seed=args.seed)
        .fit(space.features(idx), y)
        .select()
    )
    region = Region.where(space, lambda i: leaf.contains(space.features(i)), f"lamoo-{leaf.path}")
    fresh = np.setdiff1d(region.members, idx)
    r_idx = rng.choice(fresh, size=min(args.region_archs, fresh.size), replace=False)
    tuned, ft_cost = whole.finetune(
        region,
        TrainConfig(
            epochs=args.finetune_epochs,
            batch_size=args.supernet_batch,
            learning_rate=args.supernet_lr,
        ),
    )
    r_acc, _, _ = standalone(space, r_idx, data, net, train_cfg, args.seed)
    r_whole = whole.estimate(r_idx, allow_outside=True).accuracy
    r_tuned = tuned.estimate(r_idx).accuracy

    t = Table(title=f"live supernet one-shot quality on {data.name} (1 CPU thread)")
    t.add_column("measure")
    t.add_column("value", justify="right")
    rows = [
        (f"architectures (random, seed {args.seed})", f"{args.archs}"),
        ("network", f"C={net.channels}, N={net.cells_per_stage}"),
        ("supernet", f"{args.supernet_epochs} epochs, batch {args.supernet_batch}, "
                     f"lr {args.supernet_lr:g}: "
                     f"{sn_cost.seconds:.1f} s, {sn_cost.energy_kwh:.3g} kWh"),
        ("training images", f"{len(data.train)} (val {len(data.val)}), "
                            f"supernet {len(sn_data.train)}, {args.sampling} sampling"),
        ("standalone", f"{args.train_epochs} epochs each: {sa_seconds:.1f} s in all"),
        ("standalone accuracy (val) min / median / max",
         f"{acc.min():.1f} / {np.median(acc):.1f} / {acc.max():.1f} %"),
        ("Kendall tau, all architectures", f"{tau(est, acc):.3f}"),
        (f"Kendall tau, the {int(working.sum())} above 2x chance",
         f"{tau(est[working], acc[working]):.3f}"),
        *few_rows,
        (f"noise: mean std over {args.noise_seeds + 1} seeds ({k} archs)", f"{within:.2f} pp"),
        ("noise: std across architectures (above 2x chance)", f"{acc[working].std(ddof=1):.2f} pp"),
        (f"noise: tau seed A vs seed B ({k} archs)", f"{seed_tau:.3f}"),
        (f"noise: tau supernet vs seed A (same {k} archs)", f"{tau(est[:k], acc[:k]):.3f}"),
        (f"LaMOO region {region.name}", f"{region.size} architectures"),
        ("fine-tune to the region", f"{args.finetune_epochs} epochs: {ft_cost.seconds:.1f} s, "
                                    f"{ft_cost.energy_kwh:.3g} kWh"),
        (f"tau in region ({r_idx.size} new), whole-space supernet", f"{tau(r_whole, r_acc):.3f}"),
        (f"tau in region ({r_idx.size} new), fine-tuned supernet", f"{tau(r_tuned, r_acc):.3f}"),
        ("benchmark wall time", f"{time.perf_counter() - t_start:.0f} s"),
    ]  # fmt: skip
    for a, b in rows:
        t.add_row(a, b)
    console.print(t)
    if args.cache is not None:
        args.cache.write_text(json.dumps(_CACHE))
    if args.json is not None:
        doc = {
            "args": vars(args) | {"cache": str(args.cache), "json": str(args.json)},
            "archs": space.to_strings(idx),
            "estimate": est.tolist(),
            "standalone": acc.tolist(),
            "reruns": reruns.tolist(),
            "region": {"archs": space.to_strings(r_idx), "standalone": r_acc.tolist(),
                       "whole": r_whole.tolist(), "fine_tuned": r_tuned.tolist()},
        }  # fmt: skip
        args.json.write_text(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
