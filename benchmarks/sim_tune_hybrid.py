"""Choose the CE-NAS hybrid's settings on windows that are NOT evaluation windows.

    python benchmarks/sim_tune_hybrid.py [--seeds 3] [--jobs 2] [--fractions 0.1,0.2,0.4]
        [--windows all|NAME,...] [--no-budget | --selection]

Tuning windows (picked by date before any run, one per season, each with a week of history):
DACF CISO 2020 (Mar 10, Jun 16, Oct 13) and Electricity Maps CISO 2022 Aug 9; the evaluation
windows of benchmarks/sim_carbon_budget.py (CISO 2021 trace 1/2, CISO 2022 Apr 12, CISO 2023,
PJM, SE) are never read here. Every candidate is the hybrid policy of configs/nb201_trace1.toml
with some parameters changed; the baselines are that config's (full accounting, persistence
forecasts, budgets as fractions of vanilla LaMOO's unbudgeted carbon on the window).

Prints the median HV of every method per (window, budget) cell and, per candidate, in how many
cells it is at least vanilla and every baseline, and its mean HV margin over the best of them.
``--no-budget`` compares work fractions without a budget (HV loss and carbon against vanilla).
``--selection`` measures HV per training of the direct proposals' selection alone: vanilla
LaMOO (every GPU trains, no budget) with ``direct_candidates`` K for short horizons, i.e. the HV
reached after about as many trainings as the budget cells afford.
"""

from __future__ import annotations

import argparse
import copy
import time
from pathlib import Path
from typing import Any

import pandas as pd

from cenas.sim import RunKey, load_config, parse_config, run_experiment

ROOT = Path(__file__).resolve().parents[1]
TUNING: dict[str, tuple[str, str]] = {
    "CISO-2020-03": ("carbon/dacf/CISO_direct_emissions.csv", "2020-03-10T00:00"),
    "CISO-2020-06": ("carbon/dacf/CISO_direct_emissions.csv", "2020-06-16T00:00"),
    "CISO-2020-10": ("carbon/dacf/CISO_direct_emissions.csv", "2020-10-13T00:00"),
    "CISO-2022-08": ("carbon/electricitymaps/US-CAL-CISO_2022_hourly.csv", "2022-08-09T00:00"),
}
HYBRID = "CE-NAS hybrid"
OTHERS = ("vanilla LaMOO", "threshold (LWA)", "CarbonScaler")


def _direct(k: int, sample_until: int = 0, cap: int = 8, **params: Any) -> dict[str, Any]:
    search = {"direct_when_empty": True, "direct_candidates": k, "queue_capacity": cap}
    return {"search": search, "sample_until_trained": sample_until, **params}


# Rounds of 3 seeds each (cells at least vanilla and every baseline, mean HV margin over the best
# of them). Round 1 (CISO 2020 Mar, Oct): cap-8 6/6 +1.97; Cap(R) 32 (the [sim] default) 4/6
# -1.68; min 50 planned trainings 3/6 -6.90; min 200 4/6 -1.68; 400 sampled trainings 4/6 -1.68.
# Round 2 (CISO 2020 Jun, 2022 Aug): cap-4 6/6 +0.53, cap-8 4/6 -1.12, cap-16 4/6 -0.56, cap-8
# min 50 3/6 -2.70, cap-8 until 400 4/6 -2.51. Round 3 (as round 1): cap-4 4/6 -1.58. Rule set
# before round 3: most cells over the four windows, then the higher mean margin: cap-8 (10/12,
# +0.43) over cap-4 (10/12, -0.53); never-sample (CarbonScaler exactly) is 12/12, +0.00.
# Carbon-free selection of the direct proposals (direct_candidates K, no sampling), same rule.
# Round 4 (CISO 2020 Mar, Oct): K8 6/6 +13.15, K16 6/6 +10.28, K32 6/6 +9.24, cap-8 sampling
# with K16 6/6 +13.82, cap-8 6/6 +1.97. Round 5 (CISO 2020 Jun, 2022 Aug): K4 6/6 +16.80, K8 6/6
# +17.42, K16 6/6 +13.06, cap-8 with K8 6/6 +16.40, cap-8 with K16 5/6 +12.27. Chosen: K8
# without sampling (12/12, +15.29; a supernet does not pay for its carbon once the direct
# proposals are selected). Without a budget (--no-budget --work-fractions ..., all four
# windows), HV loss against vanilla and vanilla's carbon over the hybrid's: 0.2 0.25-0.33 %
# 6.2-11.3x, 0.25 0.21-0.24 % 4.8-8.8x, 0.28 0.26 % 4.2-7.5x, 0.3 0.08-0.13 % 3.9-6.8x, 0.32
# 0.11-0.18 % 3.6-6.3x, 0.35 0.08-0.14 % 3.3-5.5x, 0.38 0.04-0.10 % 2.9-4.8x, 0.4 0.05-0.06 %
# 2.8-4.4x, 0.45 0.04-0.05 % 2.4-3.6x (3 seeds: noisy). 0.25 was shipped first (most carbon
# saved with margin, then least loss, on its first three candidates); widening the range to the
# issue's joint target (<= 0.1 % loss at >= 3.5x) gives 0.3, the only share meeting both on 3 of
# the 4 windows (0.35 and 0.45: 1 of 4). That second choice was made after the evaluation
# windows' 0.25 results had been printed (losses 0.18-0.31 %), on these tuning windows only.
CANDIDATES: dict[str, dict[str, Any]] = {
    "never-sample": _direct(1),
    "cap-8": _direct(1, sample_until=200),
    "K4": _direct(4),
    "K8": _direct(8),
    "K16": _direct(16),
    "cap-8-K8": _direct(8, sample_until=200),
}


# Without a budget the hybrid's demand is a fixed share of the run's GPU-hours (work_fraction):
# what trades carbon (issue 12: >= 3.5x less than vanilla) against HV (<= 0.1 % below vanilla).
def _unbudgeted(fractions: tuple[float, ...]) -> dict[str, dict[str, Any]]:
    return {f"K8 work {w:g}": _direct(8, work_fraction=w) for w in fractions}


UNBUDGETED = _unbudgeted((0.25, 0.3, 0.35))


def config(
    base: dict[str, Any], window: str, candidates: dict[str, dict[str, Any]] | None = None
) -> Any:
    raw = copy.deepcopy(base)
    trace, start = TUNING[window]
    raw["carbon"]["trace"] = trace
    raw["carbon"]["windows"] = [start]
    raw["carbon"].pop("kind", None)
    raw["sim"]["horizon_h"] = 41.0
    raw["sim"]["accounting"] = "full"
    hybrid = next(m for m in raw["methods"] if m["name"] == HYBRID)
    keep = [m for m in raw["methods"] if m["name"] in OTHERS]
    for cand, params in (CANDIDATES if candidates is None else candidates).items():
        keep.append({**copy.deepcopy(hybrid), **params, "name": f"{HYBRID} [{cand}]"})
    raw["methods"] = keep
    return parse_config(raw, f"{window} (tuning)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--fractions", default="0.1,0.2,0.4")
    ap.add_argument("--windows", default="all")
    ap.add_argument(
        "--no-budget", action="store_true", help="tune the work fraction without a budget instead"
    )
    ap.add_argument("--work-fractions", default=None, help="with --no-budget, e.g. 0.35,0.45")
    ap.add_argument(
        "--selection", action="store_true", help="HV per training of K candidates, vanilla LaMOO"
    )
    args = ap.parse_args()
    if args.no_budget:
        cands = UNBUDGETED
        if args.work_fractions:
            cands = _unbudgeted(tuple(float(x) for x in args.work_fractions.split(",")))
        unbudgeted(args.seeds, args.jobs, args.windows, cands)
        return
    if args.selection:
        selection(args.seeds, args.jobs, args.windows)
        return
    fracs = [float(x) for x in args.fractions.split(",")]
    base = load_config(ROOT / "configs" / "nb201_trace1.toml").raw
    names = list(TUNING) if args.windows == "all" else args.windows.split(",")
    cells: list[pd.Series] = []
    for name in names:
        t0 = time.perf_counter()
        cfg = config(base, name)
        w = cfg.windows[0].name
        keys = [
            RunKey(m.name, w, s, budget_fraction=f)
            for f in fracs
            for m in cfg.methods
            for s in range(args.seeds)
        ]
        runs = run_experiment(cfg, jobs=args.jobs, keys=keys).runs
        med = runs.groupby(["budget_fraction", "method"])["hv"].median()
        for f in fracs:
            cell = med.loc[f].rename(f"{name} {f:g}")
            cells.append(cell)
        print(f"({name}: {len(runs)} runs in {time.perf_counter() - t0:.0f} s)", flush=True)
    table = pd.concat(cells, axis=1).T
    short = {c: c.replace(f"{HYBRID} ", "") for c in table.columns}
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        print(table.rename(columns=short).round(1).to_string())
    best_other = table[list(OTHERS)].max(axis=1)
    print(f"\n{'candidate':22s} {'cells >= all others':>20s} {'mean margin':>12s}")
    for cand in CANDIDATES:
        col = table[f"{HYBRID} [{cand}]"]
        wins = int((col >= best_other).sum())
        print(f"{cand:22s} {wins:14d} of {len(col):3d} {float((col - best_other).mean()):12.2f}")


def unbudgeted(
    seeds: int, jobs: int, windows: str, cands: dict[str, dict[str, Any]] = UNBUDGETED
) -> None:
    """Per window and candidate: HV loss against vanilla LaMOO (%) and vanilla's carbon over the
    candidate's (medians over seeds, no budget)."""
    base = load_config(ROOT / "configs" / "nb201_trace1.toml").raw
    names = list(TUNING) if windows == "all" else windows.split(",")
    rows = []
    for name in names:
        cfg = config(base, name, cands)
        w = cfg.windows[0].name
        keys = [
            RunKey(m.name, w, s)
            for m in cfg.methods
            if m.name in (*(f"{HYBRID} [{c}]" for c in cands), "vanilla LaMOO")
            for s in range(seeds)
        ]
        runs = run_experiment(cfg, jobs=jobs, keys=keys).runs
        med = runs.groupby("method")[["hv", "carbon_g", "n_trained"]].median()
        v = med.loc["vanilla LaMOO"]
        for cand in cands:
            r = med.loc[f"{HYBRID} [{cand}]"]
            rows.append(
                {
                    "window": name,
                    "candidate": cand,
                    "HV loss %": 100.0 * (v["hv"] - r["hv"]) / v["hv"],
                    "vanilla/x carbon": v["carbon_g"] / r["carbon_g"],
                    "trained": r["n_trained"],
                }
            )
    print(pd.DataFrame(rows).round(3).to_string(index=False))


def selection(seeds: int, jobs: int, windows: str, ks: tuple[int, ...] = (1, 4, 8, 16)) -> None:
    """Median HV and trainings of vanilla LaMOO with ``direct_candidates`` K (K = 1: the papers'
    uniform proposals) after 4, 8 and 16 hours on every GPU, per tuning window."""
    base = load_config(ROOT / "configs" / "nb201_trace1.toml").raw
    names = list(TUNING) if windows == "all" else windows.split(",")
    rows = []
    for name in names:
        for hours in (4.0, 8.0, 16.0):
            raw = copy.deepcopy(base)
            trace, start = TUNING[name]
            raw["carbon"] = {"trace": trace, "windows": [start]}
            raw["sim"]["horizon_h"] = hours
            raw["methods"] = [
                {"name": f"K{k}", "policy": "all-evaluation", "search": {"direct_candidates": k}}
                for k in ks
            ]
            cfg = parse_config(raw, f"{name} (selection)")
            w = cfg.windows[0].name
            keys = [RunKey(f"K{k}", w, s) for k in ks for s in range(seeds)]
            med = run_experiment(cfg, jobs=jobs, keys=keys).runs.groupby("method")
            hv, n = med["hv"].median(), med["n_trained"].median()
            rows.append(
                {"window": name, "hours": hours}
                | {f"K{k} HV": hv[f"K{k}"] for k in ks}
                | {f"K{k} trained": n[f"K{k}"] for k in ks}
            )
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        print(pd.DataFrame(rows).round(1).to_string(index=False))


if __name__ == "__main__":
    main()
