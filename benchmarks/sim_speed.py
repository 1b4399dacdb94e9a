"""Wall time of one simulated run: 80 h, 8 GPUs, the uniform in-region sampler (target: < 15 s
on one core for CE-NAS), for every method of a config.

    python benchmarks/sim_speed.py [--config configs/nb201_trace1.toml] [--hours 80] [--seed 0]

Prints one row per method: wall and CPU seconds of `simulate` (data loading excluded; the CPU
time is the fairer number on a shared machine), events in the
time series, architectures trained and estimated, LaMOO fits. The run starts at the window's
start and, past the window's 41 h, continues along the trace file.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time
from pathlib import Path

from cenas.sim import RunKey, build_spec, load_config, simulate

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(ROOT / "configs" / "nb201_trace1.toml"))
    ap.add_argument("--hours", type=float, default=80.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1, help="runs per method (the minimum is shown)")
    args = ap.parse_args()
    cfg = load_config(args.config)
    cfg = dataclasses.replace(cfg, sim=dataclasses.replace(cfg.sim, horizon_h=args.hours))
    print(
        f"config {args.config}, {args.hours:g} h, {cfg.sim.gpus} GPUs, sampler {cfg.sampler}, "
        f"seed {args.seed}, load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"{'method':24s} {'wall_s':>8s} {'cpu_s':>6s} {'rows':>6s} {'trained':>8s} "
        f"{'estimated':>9s} {'fits':>5s} {'hv':>10s} {'kgCO2eq':>8s}"
    )
    for m in cfg.methods:
        best = cpu = float("inf")
        for _ in range(args.repeat):
            spec = build_spec(cfg, RunKey(m.name, cfg.windows[0].name, args.seed))
            t0, c0 = time.perf_counter(), time.process_time()
            r = simulate(spec)
            best = min(best, time.perf_counter() - t0)
            cpu = min(cpu, time.process_time() - c0)
        t = r.totals
        print(
            f"{m.name:24s} {best:8.2f} {cpu:6.2f} {len(r.series):6d} {t['n_trained']:8d} "
            f"{t['n_estimated']:9d} {t['n_lamoo_fits']:5d} {t['hv']:10.3f} "
            f"{t['carbon_g'] / 1000:8.2f}"
        )


if __name__ == "__main__":
    main()
