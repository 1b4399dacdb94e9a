"""Leak-free backtest of every forecaster on CISO, PJM, SE (DACF, 2020-2021), Germany and Great
Britain (lets-wait-awhile 2020), printing the MAPE per horizon day beside CarbonCast's published
mean MAPE (CarbonCast has no GB number).

Run (in the background, it trains the learned models on 2 CPU threads):
    CENAS_DATA_DIR=../shared/data nohup .venv/bin/python benchmarks/forecast_backtest.py \
        > /tmp/forecast_backtest.log 2>&1 &

Split: CarbonCast's (train 2020, validate Jan-Jun 2021, test Jul-Dec 2021) for the DACF files; the
Germany and GB files (2019-12-20 to 2021-01-09/10, 15/30 min, gaps interpolated) are split
50/25/25 % of their days. One issue time per test day at 00:00 UTC, 96 h ahead.

Leak-free: every forecast sees the intensity before its issue time and only the DACF covariate
values known then (moved to the hour they describe, known up to the end of the issue day; see
cenas.forecast._availability), so CarbonCast's day-ahead covariates help day 1 only.
Targets (issue 11): day 1 at or below CarbonCast on CISO, PJM and SE; below persistence on every
day on every region. Which model to use: gbm, below persistence on every day on every region
here; the validation curve printed under its rows shows how many trees training keeps (with
relative-level features and first-day trees, tens on most regions; before, 3-11). The transformer
still keeps epoch 0-1 leak-free (its gains come from its baseline) and misses persistence on DE
days 3-4, so prefer gbm. Learned models train on 2 CPU threads (the transformer takes minutes per
region; leave it out with --models to keep the run short).
"""

from __future__ import annotations

import os

# OpenMP threads that spin while waiting make 2-thread training many times slower on a busy
# machine; passive waiting must be set before torch loads its OpenMP runtime.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import json
import math
import time
from pathlib import Path

from cenas.carbon import IntensityTrace, load_trace
from cenas.data import locate
from cenas.forecast import (
    CARBONCAST_DAY1_TO_4_MAPE,
    MODELS,
    backtest,
    model_class,
)

REGIONS: dict[str, tuple[str, dict[str, str]]] = {
    "CISO": ("carbon/dacf/CISO_direct_emissions.csv", {}),
    "PJM": ("carbon/dacf/PJM_direct_emissions.csv", {}),
    "SE": ("carbon/dacf/SE_direct_emissions.csv", {}),
    "DE": ("carbon/lets_wait_awhile/ger_ci.csv", {"gap_policy": "interpolate"}),
    "GB": ("carbon/lets_wait_awhile/gb_ci.csv", {"gap_policy": "interpolate"}),
}


def _load(region: str, data_dir: str | None) -> IntensityTrace:
    name, kwargs = REGIONS[region]
    return load_trace(locate(name, data_dir), **kwargs)  # type: ignore[arg-type]


def _fmt(x: float) -> str:
    return "-" if not math.isfinite(x) else f"{x:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=None, help="reference data (default $CENAS_DATA_DIR)")
    ap.add_argument("--regions", nargs="+", default=list(REGIONS), choices=list(REGIONS))
    ap.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json-out", type=Path, default=None, help="also write the rows as JSON")
    args = ap.parse_args()

    rows: list[dict[str, object]] = []
    for region in args.regions:
        trace = _load(region, args.data_dir)
        for name in args.models:
            t0 = time.perf_counter()
            model = model_class(name)()
            res = backtest(model, trace, seed=args.seed)
            split = res.split
            # How far training went: trees kept by early stopping, or the best epoch.
            trained = "".join(
                f", {label} {getattr(model, attr)}"
                for attr, label in (("n_trees_", "trees"), ("best_epoch_", "best epoch"))
                if hasattr(model, attr)
            )
            print(
                f"{region:5s} {name:15s} "
                + " ".join(_fmt(m) for m in res.mape_by_day)
                + f" | {_fmt(res.mape_overall)}  fit {res.fit_wall_s:.0f} s, "
                f"total {time.perf_counter() - t0:.0f} s; test {split.test_start:%Y-%m-%d}.."
                f"{split.test_end:%Y-%m-%d}, {len(res.issue_times)} issues{trained}",
                flush=True,
            )
            # The validation curve: does training improve the model over iterations?
            for b, curve in enumerate(getattr(model, "valid_curve_", ())):
                marks = [n for n in (1, 5, 10, 25, 50, 100, 200, 400) if n <= len(curve)]
                print(
                    f"      validation MAPE % by trees, model {b}: "
                    + ", ".join(f"{n}: {curve[n - 1]:.2f}" for n in marks),
                    flush=True,
                )
            rows.append({"region": region, **res.row(), "fit_wall_s": res.fit_wall_s})

    print()
    print(f"MAPE (%) per horizon day, rolling origin, seed {args.seed}")
    print("| region | model | day 1 | day 2 | day 3 | day 4 | overall | fit s | < persistence |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for region in args.regions:
        here = [r for r in rows if r["region"] == region]
        pers = next((r["mape"] for r in here if r["model"] == "persistence"), None)
        for r in here:
            m = r["mape"]
            assert isinstance(m, dict)
            days = " | ".join(_fmt(m[f"day{d}"]) for d in range(1, 5))
            below = "-"
            if isinstance(pers, dict) and r["model"] != "persistence":
                below = "every day" if all(m[k] < pers[k] for k in pers) else "NO"
            print(
                f"| {region} | {r['model']} | {days} | {_fmt(m['overall'])} | "
                f"{r['fit_wall_s']:.0f} | {below} |"
            )
        cc = CARBONCAST_DAY1_TO_4_MAPE.get(region)
        if cc is None:
            continue
        print(
            f"| {region} | CarbonCast (published) | "
            + " | ".join(f"{v:.2f}" for v in cc)
            + f" | {sum(cc) / 4:.2f} | - |"
        )
    if args.json_out is not None:
        args.json_out.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
