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
    x = torch.randn(256, 128, generator=g)
    y = torch.randint(0, 10, (256,), generator=g)
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Linear(128, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)
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
    return float(loss.detach())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--steps", type=int, default=150)
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

    train(20, seed=0)  # warm-up: allocator, kernels
    wall: dict[str, list[float]] = {"plain": [], "tracked": []}
    cpu: dict[str, list[float]] = {"plain": [], "tracked": []}
    print(
        f"{'repeat':>6} {'plain_s':>8} {'tracked_s':>9} {'wall_ratio':>10} "
        f"{'plain_cpu_s':>11} {'tracked_cpu_s':>13} {'cpu_ratio':>9} {'samples':>7} "
        f"{'energy_J':>8}"
    )
    for r in range(args.repeats):
        # alternate the order so a drift in machine speed does not favour one arm
        arms = ("plain", "tracked") if r % 2 == 0 else ("tracked", "plain")
        n_samples, energy_j = 0, 0.0
        for arm in arms:
            w0, c0 = time.perf_counter(), time.process_time()
            if arm == "plain":
                train(args.steps, seed=r)
            else:
                with tracker:
                    train(args.steps, seed=r)
            wall[arm].append(time.perf_counter() - w0)
            cpu[arm].append(time.process_time() - c0)
            if arm == "tracked":
                assert tracker.result is not None
                n_samples = tracker.result.n_samples
                energy_j = tracker.result.energy_kwh * 3.6e6
        wp, wt, cp, ct = (
            wall["plain"][-1],
            wall["tracked"][-1],
            cpu["plain"][-1],
            cpu["tracked"][-1],
        )
        print(
            f"{r:>6} {wp:>8.3f} {wt:>9.3f} {wt / wp:>10.4f} {cp:>11.3f} {ct:>13.3f} "
            f"{ct / cp:>9.4f} {n_samples:>7} {energy_j:>8.2f}"
        )

    def overhead(d: dict[str, list[float]]) -> str:
        mp, mt = statistics.median(d["plain"]), statistics.median(d["tracked"])
        ratios = [t / p for p, t in zip(d["plain"], d["tracked"], strict=True)]
        return (
            f"median plain {mp:.3f} s, median tracked {mt:.3f} s, overhead of medians "
            f"{100 * (mt / mp - 1):+.2f} %, median of per-repeat ratios "
            f"{statistics.median(ratios):.4f}"
        )

    print(f"wall time: {overhead(wall)}")
    print(f"CPU time:  {overhead(cpu)}")

    # The tracker's own cost: one sample (all meters read + carbon) in the calling thread.
    n = 2000
    probe = Tracker(discovery.meters, signal, interval_s=None)
    probe.start()
    c0 = time.process_time()
    for _ in range(n):
        probe.snapshot()
    per_sample_s = (time.process_time() - c0) / n
    probe.stop()
    print(
        f"one tracker sample costs {1e6 * per_sample_s:.1f} us of CPU; at a {args.interval} s "
        f"interval that bounds the overhead by {100 * per_sample_s / args.interval:.4f} % "
        f"(target < 1 %)"
    )
    discovery.close()


if __name__ == "__main__":
    main()
