"""Overhead of energy tracking on a CPU-bound PyTorch training loop (target: < 1 %).

A small MLP is trained for a fixed number of steps on 2 threads, alternately without and with a
:class:`cenas.energy.Tracker` (the meters :func:`cenas.energy.discover_meters` finds, sampling
every ``--interval`` seconds in its background thread), repeated in one process so that both
arms see the same machine state. Prints one row per repeat and the overhead of the medians.

    python benchmarks/energy_tracking_overhead.py [--repeats 7] [--steps 600] [--interval 1.0]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from cenas.carbon import ConstantSignal
from cenas.energy import Tracker, discover_meters


def make_task(seed: int) -> tuple[nn.Module, torch.optim.Optimizer, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(512, 256, generator=g)
    y = torch.randint(0, 10, (512,), generator=g)
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)
    )
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return model, opt, x, y


def train(steps: int, seed: int) -> float:
    model, opt, x, y = make_task(seed)
    loss_fn = nn.CrossEntropyLoss()
    loss = torch.zeros(())
    for _ in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return float(loss)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--interval", type=float, default=1.0, help="tracker sampling interval, s")
    args = ap.parse_args()

    torch.set_num_threads(2)
    discovery = discover_meters()
    signal = ConstantSignal(480.0, "benchmark constant")
    tracker = Tracker(discovery.meters, signal, interval_s=args.interval)
    print(f"meters: {', '.join(m.name for m in discovery.meters)} ({discovery.summary()})")
    print(
        f"torch {torch.__version__}, threads {torch.get_num_threads()}, steps {args.steps}, "
        f"tracker interval {args.interval} s"
    )

    train(50, seed=0)  # warm-up: allocator, kernels
    plain: list[float] = []
    tracked: list[float] = []
    samples: list[int] = []
    print(
        f"{'repeat':>6} {'plain_s':>9} {'tracked_s':>9} {'ratio':>8} {'samples':>7} {'energy_J':>9}"
    )
    for r in range(args.repeats):
        # alternate the order so a drift in machine speed does not favour one arm
        arms = ("plain", "tracked") if r % 2 == 0 else ("tracked", "plain")
        row: dict[str, float] = {}
        energy_j = 0.0
        for arm in arms:
            t0 = time.perf_counter()
            if arm == "plain":
                train(args.steps, seed=r)
            else:
                with tracker:
                    train(args.steps, seed=r)
            row[arm] = time.perf_counter() - t0
            if arm == "tracked":
                assert tracker.result is not None
                samples.append(tracker.result.n_samples)
                energy_j = tracker.result.energy_kwh * 3.6e6
        plain.append(row["plain"])
        tracked.append(row["tracked"])
        print(
            f"{r:>6} {row['plain']:>9.3f} {row['tracked']:>9.3f} "
            f"{row['tracked'] / row['plain']:>8.4f} {samples[-1]:>7} {energy_j:>9.2f}"
        )
    med_p, med_t = statistics.median(plain), statistics.median(tracked)
    ratios = [t / p for p, t in zip(plain, tracked, strict=True)]
    print(
        f"median plain {med_p:.3f} s, median tracked {med_t:.3f} s, "
        f"overhead of medians {100 * (med_t / med_p - 1):+.2f} %, "
        f"median per-repeat ratio {statistics.median(ratios):.4f} "
        f"(target < 1 %)"
    )
    discovery.close()


if __name__ == "__main__":
    main()
