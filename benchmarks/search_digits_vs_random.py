"""CE-NAS live search on digits against random search given the same measured energy.

    CENAS_DATA_DIR=../shared/data python benchmarks/search_digits_vs_random.py \\
        [--config configs/search_digits.toml] [--seeds 0 1] [--hours 8] [--workers 2]

For each seed: the CE-NAS search of the config (its clock unpaced, so only the work counts) on
local worker processes; then random search trains uniformly drawn architectures (same workload,
same workers, seeded by the same seed) in batches of one per worker while its measured energy stays
within the CE-NAS run's total measured energy (supernet training and estimates included). Prints
one row per seed and method: architectures trained, measured energy, hypervolume of the trained
front (held-out accuracy max, params min; reference point of the workload), CE-NAS's carbon
(in the config's accounting mode, named in the output) and its sources. The workload is the
runner's one: cenas.live's NAS-Bench-201 networks and region supernets.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import tempfile
from pathlib import Path

import numpy as np

from cenas.carbon import Accounting
from cenas.moo import hypervolume
from cenas.runner import (
    ACCOUNTING,
    LiveRunner,
    LocalExecutor,
    Outcome,
    TaskKind,
    TaskSpec,
    build_workload,
    live_record,
    load_search_config,
)
from cenas.store import RunStore

ROOT = Path(__file__).resolve().parents[1]


def _random_search(cfg, workload, seed: int, energy_kwh: float, workdir: str):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    order = rng.permutation(workload.space.size)
    ys: list[list[float]] = []
    used = 0.0
    pos = 0
    with LocalExecutor(workload, cfg.run.workers, workdir, retries=1) as ex:
        while True:
            batch = [
                TaskSpec(
                    f"r{pos + j}", TaskKind.EVALUATE, (int(order[pos + j]),), 0, seed + pos + j
                )
                for j in range(cfg.run.workers)
            ]
            pos += len(batch)
            got: dict[TaskSpec, Outcome] = {}
            ex.run(batch, got.__setitem__)
            done = [o.result for o in got.values() if o.result is not None]
            spent = sum(r.energy_kwh for r in done)
            if used + spent > energy_kwh:
                break
            used += spent
            ys += [r.y[0] for r in done]
    y = np.array(ys, dtype=np.float64).reshape(-1, len(workload.objectives))
    hv = float(hypervolume(y, np.asarray(workload.ref_point))) if len(y) else 0.0
    return len(y), used, hv


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(ROOT / "configs" / "search_digits.toml"))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--hours", type=float, default=8.0)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    base = load_search_config(args.config)
    rows = []
    root = Path(tempfile.mkdtemp(prefix="cenas-search-bench-"))
    try:
        for seed in args.seeds:
            cfg = dataclasses.replace(
                base,
                run=dataclasses.replace(
                    base.run,
                    seed=seed,
                    hours=args.hours,
                    workers=args.workers,
                    seconds_per_hour=0.0,
                ),
            )
            run_dir = root / f"cenas-{seed}"
            runner = LiveRunner.start(cfg, run_dir)
            end = runner.run()
            runner.close()
            with RunStore.open(run_dir, readonly=True) as st:
                tasks = [e.payload for e in st.events("task") if e.payload["status"] == "ok"]
            energy = sum(t["energy_kwh"] for t in tasks)
            rec = live_record(run_dir)
            _, y = rec.trained()
            rows.append(
                (
                    seed,
                    "CE-NAS",
                    len(y),
                    energy,
                    float(end["hv"]),
                    float(end["carbon_g"]),
                    rec.provenance["carbon intensity"].split(";")[0],
                )
            )
            n, used, hv = _random_search(cfg, build_workload(cfg), seed, energy, str(root / "rs"))
            rows.append((seed, "random search", n, used, hv, float("nan"), "-"))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    head = f"{'seed':>4} {'method':<14} {'trained':>7} {'energy kWh':>11} {'HV':>12}"
    print(f"{head} {'carbon g':>9}  carbon source")
    for seed, m, n, e, hv, c, src in rows:
        print(f"{seed:>4} {m:<14} {n:>7} {e:>11.3e} {hv:>12.6g} {c:>9.3g}  {src}")
    for m in ("CE-NAS", "random search"):
        hvs = [r[4] for r in rows if r[1] == m]
        print(f"median HV {m}: {np.median(hvs):.6g}")
    print(f"carbon accounting: {ACCOUNTING[Accounting(base.run.accounting)]}")
    print("energy: cenas.live's tracker around each task, in each worker")


if __name__ == "__main__":
    main()
