"""The learned allocation policy (discrete and continuous) against the non-learned ones, under
carbon budgets, on held-out windows (issue 16's benchmark; full accounting).

    python benchmarks/rl_policies.py [--seeds 10] [--jobs 2] [--windows all] [--out DIR]
        [--methods all] [--checkpoint NAME=DIR ...]

Methods are those of configs/nb201_trace1_rl.toml: the shipped RL policies (trained on CISO 2020
and 2022 only: configs/rl_default.toml, configs/rl_continuous.toml), the CE-NAS hybrid (the
best non-learned method of the scheduling issue), the planner, heuristic, threshold,
CarbonScaler, vanilla, one-shot and random allocation. Carbon-aware methods read a leak-free
persistence forecast; the "(actual trace)" rows read the trace's future instead (the paper's
appendix comparison of inputs). Windows: CISO 2021 trace 1 and 2, CISO 2023, PJM 2021, SE 2021
(cenas.rl.HELD_OUT_WINDOWS, the windows of benchmarks/sim_carbon_budget.py). Budgets: 0.1, 0.2,
0.4 of vanilla LaMOO's unbudgeted carbon on the window, and none.

Prints, per budget: each method's median HV, log(HV_max - HV) and carbon over all windows and
seeds (carbon also as a fraction of vanilla's unbudgeted carbon on the window), and whether the
learned policy's median HV is at least the best non-learned method's (and with no more carbon);
then the same per window for the discrete RL policy and the hybrid. ``--checkpoint NAME=DIR``
adds a method running another trained checkpoint (e.g. A2C: configs/rl_a2c.toml) beside them.
"""

from __future__ import annotations

import argparse
import time
import tomllib
from pathlib import Path

import pandas as pd

from cenas.rl import HELD_OUT_WINDOWS, evaluate_policies, summarise_policies
from cenas.sim import ExperimentConfig, parse_config

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "nb201_trace1_rl.toml"
LEARNED = ("CE-NAS RL", "CE-NAS RL continuous", "CE-NAS RL (actual trace)")
ORACLES = ("CE-NAS RL (actual trace)", "CE-NAS hybrid (actual trace)")


def _print_budget(table: pd.DataFrame, budget: str, extra: tuple[str, ...] = ()) -> None:
    t = table[table["budget"] == budget].sort_values("median_hv", ascending=False)
    print(f"\n== budget {budget} (fraction of vanilla's unbudgeted carbon) ==")
    print(
        f"{'method':30s} {'input':8s} {'runs':>4s} {'median HV':>10s} {'log gap':>8s} "
        f"{'carbon g':>9s} {'carbon rel':>10s} {'trained':>7s}"
    )
    for r in t.itertuples(index=False):
        print(
            f"{r.method:30s} {r.input:8s} {r.runs:4d} {r.median_hv:10.2f} "
            f"{r.median_log_hv_gap:8.3f} {r.median_carbon_g:9.0f} {r.median_carbon_rel:10.3f} "
            f"{r.median_n_trained:7.0f}"
        )
    learned = (*LEARNED, *extra)
    fair = t[~t["method"].isin(learned) & ~t["method"].isin(ORACLES)]
    if fair.empty:
        return
    best = fair.iloc[0]
    for name in (*LEARNED[:2], *extra):
        row = t[t["method"] == name]
        if row.empty:
            continue
        hv, carbon = float(row["median_hv"].iloc[0]), float(row["median_carbon_g"].iloc[0])
        hv_ok = hv >= best.median_hv
        c_ok = carbon <= best.median_carbon_g
        print(
            f"  {name}: median HV {hv:.2f} vs best non-learned {best.method} "
            f"{best.median_hv:.2f} -> {'>=' if hv_ok else '<'}; carbon {carbon:.0f} "
            f"vs {best.median_carbon_g:.0f} -> {'<=' if c_ok else '>'}"
        )


def _config(extra: list[str]) -> ExperimentConfig:
    """The benchmark's config, with a method per ``NAME=DIR`` checkpoint."""
    data = tomllib.loads(CONFIG.read_text())
    # The same search core as the shipped policies, so that only the allocation differs.
    search = next(m for m in data["methods"] if m["name"] == "CE-NAS RL").get("search", {})
    for item in extra:
        name, _, path = item.partition("=")
        data["methods"].append(
            {
                "name": name,
                "policy": "rl",
                "checkpoint": str(Path(path).resolve()),
                "forecaster": "persistence",
                "search": dict(search),
            }
        )
    return parse_config(data, str(CONFIG))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument(
        "--windows", default="all", help="all, or comma-separated names of HELD_OUT_WINDOWS"
    )
    ap.add_argument("--methods", default="all", help="all, or comma-separated method names")
    ap.add_argument("--out", type=Path, default=None, help="write runs.csv and table.csv here")
    ap.add_argument(
        "--checkpoint", action="append", default=[], help="NAME=DIR: also run this checkpoint"
    )
    a = ap.parse_args()
    windows = HELD_OUT_WINDOWS
    if a.windows != "all":
        names = set(a.windows.split(","))
        windows = tuple(w for w in HELD_OUT_WINDOWS if w.name in names)
    methods = None if a.methods == "all" else a.methods.split(",")
    t0 = time.perf_counter()
    runs = evaluate_policies(
        _config(a.checkpoint),
        windows=windows,
        seeds=tuple(range(a.seeds)),
        methods=methods,
        jobs=a.jobs,
    )
    elapsed = time.perf_counter() - t0
    table = summarise_policies(runs)
    if a.out is not None:
        a.out.mkdir(parents=True, exist_ok=True)
        runs.to_csv(a.out / "runs.csv", index=False)
        table.to_csv(a.out / "table.csv", index=False)
    print(
        f"held-out windows: {', '.join(w.name for w in windows)}; seeds 0..{a.seeds - 1}; "
        f"accounting {runs['accounting'].iloc[0]}; {len(runs)} runs in {elapsed:.0f} s"
    )
    for budget in table["budget"].unique():
        _print_budget(table, budget, tuple(c.partition("=")[0] for c in a.checkpoint))
    per = summarise_policies(runs, by_window=True)
    pick = per[per["method"].isin(("CE-NAS RL", "CE-NAS hybrid"))]
    print("\n== per window: discrete RL vs hybrid (median HV / carbon rel) ==")
    wide = pick.pivot_table(
        index=["heldout", "budget"], columns="method", values=["median_hv", "median_carbon_rel"]
    )
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print(wide.round(3).to_string())


if __name__ == "__main__":
    main()
