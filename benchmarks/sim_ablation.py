"""Why CE-NAS lands where it does: variants of CE-NAS against vanilla LaMOO on both traces.

    python benchmarks/sim_ablation.py [--seeds 5] [--hours 41]

Variants (each changes one documented parameter of configs/nb201_trace{1,2}.toml):
  default               the config as shipped
  oracle estimates      the true accuracy as the "one-shot estimate" (a perfect supernet)
  few-shot estimates    the few-shot supernets' column instead of the one-shot supernet's
  estimate filter 4/32  sampling estimates 32 and queues only the best 4 (by dominance number)
  no GPU borrowing      evaluation GPUs idle when R is empty instead of sampling
  idle 50 W             idle GPUs draw 50 W (datacenter GPU) instead of 20 W
  fixed 50/50           half the GPUs sample, always (no carbon awareness)
Prints the median over seeds of the final HV, carbon, architectures trained, and the ratio of
vanilla's carbon to the variant's.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from cenas.search import SearchMode
from cenas.sim import MethodSpec, RunKey, load_config, run_config
from cenas.sim._build import _INPUTS

ROOT = Path(__file__).resolve().parents[1]

CENAS = MethodSpec("CE-NAS", "heuristic", MappingProxyType({"lookahead_h": 24}), SearchMode.CENAS)
VANILLA = MethodSpec("vanilla LaMOO", "all-evaluation", MappingProxyType({}), SearchMode.VANILLA)
FIXED = MethodSpec(
    "fixed 50/50", "fixed-ratio", MappingProxyType({"sampling_fraction": 0.5}), SearchMode.CENAS
)

VARIANTS: list[tuple[str, MethodSpec, dict[str, Any]]] = [
    ("vanilla LaMOO", VANILLA, {}),
    ("CE-NAS default", CENAS, {}),
    ("oracle estimates", CENAS, {"estimates": {"cifar10_test_acc": "cifar10_test_acc"}}),
    ("few-shot estimates", CENAS, {"estimates": {"cifar10_test_acc": "fewshot_cifar10_acc"}}),
    ("estimate filter 4/32", CENAS, {"search": {"estimate_batch": 32, "push_per_task": 4}}),
    ("no GPU borrowing", CENAS, {"sim": {"idle_evaluation_gpus_sample": False}}),
    ("idle 50 W", CENAS, {"sim": {"power_idle_w": 50.0}}),
    ("fixed 50/50", FIXED, {}),
]


def variant(cfg: Any, method: MethodSpec, change: dict[str, Any], hours: float) -> Any:
    sim = dataclasses.replace(cfg.sim, horizon_h=hours, **change.get("sim", {}))
    search = dataclasses.replace(cfg.search, **change.get("search", {}))
    out = dataclasses.replace(cfg, sim=sim, search=search, methods=(method,))
    if "estimates" in change:
        out = dataclasses.replace(out, estimates=MappingProxyType(change["estimates"]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--hours", type=float, default=41.0)
    args = ap.parse_args()
    for trace in ("trace1", "trace2"):
        base = load_config(ROOT / "configs" / f"nb201_{trace}.toml")
        print(f"\n{trace}: median over seeds 0..{args.seeds - 1}, {args.hours:g} h")
        print(f"{'variant':22s} {'HV':>9s} {'kgCO2eq':>8s} {'trained':>8s} {'vanilla/x':>9s}")
        ref_carbon = None
        for label, method, change in VARIANTS:
            cfg = variant(base, method, change, args.hours)
            _INPUTS.clear()  # the estimate column may differ
            rows = []
            for s in range(args.seeds):
                r = run_config(cfg, RunKey(method.name, trace, s))
                rows.append((r.totals["hv"], r.totals["carbon_g"], r.totals["n_trained"]))
            hv, c, n = np.median(np.array(rows), axis=0)
            if ref_carbon is None:
                ref_carbon = c
            print(f"{label:22s} {hv:9.2f} {c / 1000:8.2f} {n:8.0f} {ref_carbon / c:9.2f}")


if __name__ == "__main__":
    main()
