"""CPU time of one simulated run per method (41 h, 8 GPUs by default) and wall time of one
10-seed window of the budget experiment; also checks that a speed-up left results bit-identical.

    python benchmarks/sim_speed.py [--config configs/nb201_trace1.toml] [--hours 41] [--seed 0]
        [--repeat 3] [--window-seeds 10 --jobs 2]
    python benchmarks/sim_speed.py --record before.json          # fingerprints of a fixed run set
    python benchmarks/sim_speed.py --check-identical before.json # same fingerprints now?

Per method: wall and CPU seconds of `simulate` (data loading excluded; the minimum over
--repeat; CPU time is the fairer number on a shared machine), events in the time series,
architectures trained and estimated, LaMOO fits, final HV and carbon. With --baseline CSV (a
file an earlier `--save-times` wrote, e.g. from main at the same load) a ratio column is added.

--window-seeds N times one window of benchmarks/sim_carbon_budget.py's experiment (every method
of the config except random allocation and one-shot, N seeds, unbudgeted and at 0.1/0.2/0.4 of
vanilla's carbon) with `run_experiment(..., jobs=--jobs)`, no output files.

--record / --check-identical run every method of the config, seeds 0-2, unbudgeted and at budget
fraction 0.2 (the horizon given by --hours), and write or compare per run: final HV, carbon,
number trained, the sequence of trained architectures and a SHA-256 of the whole time series.
Any difference is printed and the exit status is 1.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import hashlib
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

import threadpoolctl

from cenas.sim import RunKey, build_spec, load_config, run_experiment, simulate
from cenas.sim._config import ExperimentConfig

ROOT = Path(__file__).resolve().parents[1]
CHECK_SEEDS = (0, 1, 2)
CHECK_FRACTIONS: tuple[float | None, ...] = (None, 0.2)
WINDOW_FRACTIONS = (0.1, 0.2, 0.4)
WINDOW_SKIP = ("random allocation", "one-shot LaMOO")


def fingerprint(cfg: ExperimentConfig, key: RunKey) -> dict[str, Any]:
    """What must not change when only speed changes."""
    r = simulate(build_spec(cfg, key))
    series = r.series.to_csv(index=False, float_format="%.17g").encode()
    return {
        "hv": float(r.totals["hv"]),
        "carbon_g": float(r.totals["carbon_g"]),
        "n_trained": int(r.totals["n_trained"]),
        "trained": [int(t.index) for t in r.training_records],
        "series_sha256": hashlib.sha256(series).hexdigest(),
    }


def check_runs(cfg: ExperimentConfig) -> dict[str, dict[str, Any]]:
    out = {}
    for frac in CHECK_FRACTIONS:
        for m in cfg.methods:
            for s in CHECK_SEEDS:
                key = RunKey(m.name, cfg.windows[0].name, s, budget_fraction=frac)
                out[key.slug] = fingerprint(cfg, key)
    return out


def compare(before: dict[str, dict[str, Any]], now: dict[str, dict[str, Any]]) -> int:
    bad = 0
    for slug in sorted(set(before) | set(now)):
        a, b = before.get(slug), now.get(slug)
        if a != b:
            bad += 1
            fields = "run missing" if a is None or b is None else [k for k in a if a[k] != b[k]]
            print(f"DIFFERENT {slug}: {fields}")
    print(f"{len(now)} runs compared, {bad} different")
    return 1 if bad else 0


def _cpu_s() -> float:
    """CPU seconds of this process and its finished child processes (the pool's workers)."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def time_window(cfg: ExperimentConfig, seeds: int, jobs: int) -> None:
    w = cfg.windows[0].name
    names = [m.name for m in cfg.methods if m.name not in WINDOW_SKIP]
    keys = [RunKey(m, w, s) for m in names for s in range(seeds)]
    keys += [
        RunKey(m, w, s, budget_fraction=f)
        for f in WINDOW_FRACTIONS
        for m in names
        for s in range(seeds)
    ]
    t0, c0 = time.perf_counter(), _cpu_s()
    run_experiment(cfg, jobs=jobs, keys=keys)
    wall, cpu = time.perf_counter() - t0, _cpu_s() - c0
    # On a shared machine the wall time depends on the others' load; CPU / jobs is what the
    # window would take on `jobs` free cores.
    print(
        f"window {w}: {len(keys)} runs ({len(names)} methods x {seeds} seeds x 4 budgets), "
        f"--jobs {jobs}: wall {wall:.1f} s, CPU {cpu:.1f} s (driver and workers; "
        f"{cpu / jobs:.1f} s on {jobs} free cores), load average {os.getloadavg()[0]:.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--config", default=str(ROOT / "configs" / "nb201_trace1.toml"))
    ap.add_argument("--hours", type=float, default=41.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1, help="runs per method (the minimum is shown)")
    ap.add_argument("--baseline", help="CSV of an earlier --save-times: adds a ratio column")
    ap.add_argument("--save-times", help="write method,cpu_s to this CSV")
    ap.add_argument("--window-seeds", type=int, default=0, help="time one window of N seeds")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument(
        "--threads",
        type=int,
        default=1,
        help="BLAS/OpenMP threads (0: the libraries' default); the experiment's workers use 1",
    )
    ap.add_argument("--record", help="write the fingerprints of the check runs to this JSON")
    ap.add_argument("--check-identical", help="compare the check runs with this JSON")
    args = ap.parse_args()
    if args.threads:
        threadpoolctl.threadpool_limits(args.threads)
    cfg = load_config(args.config)
    cfg = dataclasses.replace(cfg, sim=dataclasses.replace(cfg.sim, horizon_h=args.hours))
    if args.record or args.check_identical:
        now = check_runs(cfg)
        if args.record:
            Path(args.record).write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
            print(f"{len(now)} fingerprints written to {args.record}")
        if args.check_identical:
            before = json.loads(Path(args.check_identical).read_text())
            sys.exit(compare(before, now))
        return
    if args.window_seeds:
        time_window(cfg, args.window_seeds, args.jobs)
        return
    base: dict[str, float] = {}
    if args.baseline:
        with open(args.baseline, newline="") as fh:
            base = {row["method"]: float(row["cpu_s"]) for row in csv.DictReader(fh)}
    print(
        f"config {args.config}, {args.hours:g} h, {cfg.sim.gpus} GPUs, sampler {cfg.sampler}, "
        f"seed {args.seed}, best of {args.repeat}, threads {args.threads or 'default'}, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    head = (
        f"{'method':24s} {'wall_s':>8s} {'cpu_s':>6s} {'rows':>6s} {'trained':>8s} "
        f"{'estimated':>9s} {'fits':>5s} {'hv':>10s} {'kgCO2eq':>8s}"
    )
    print(head + (f" {'base_cpu_s':>10s} {'speed-up':>8s}" if base else ""))
    times: dict[str, float] = {}
    for m in cfg.methods:
        best = cpu = float("inf")
        for _ in range(args.repeat):
            spec = build_spec(cfg, RunKey(m.name, cfg.windows[0].name, args.seed))
            t0, c0 = time.perf_counter(), time.process_time()
            r = simulate(spec)
            best = min(best, time.perf_counter() - t0)
            cpu = min(cpu, time.process_time() - c0)
        times[m.name] = cpu
        t = r.totals
        row = (
            f"{m.name:24s} {best:8.2f} {cpu:6.2f} {len(r.series):6d} {t['n_trained']:8d} "
            f"{t['n_estimated']:9d} {t['n_lamoo_fits']:5d} {t['hv']:10.3f} "
            f"{t['carbon_g'] / 1000:8.2f}"
        )
        if m.name in base:
            row += f" {base[m.name]:10.2f} {base[m.name] / cpu:7.1f}x"
        print(row)
    if args.save_times:
        with open(args.save_times, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["method", "cpu_s"])
            w.writerows(times.items())


if __name__ == "__main__":
    main()
