"""The simulations behind HotCarbon'23 Figures 4-6, the text's ratios and the NeurIPS'24
predictor-vs-actual table, run once per reproduction and shared by those sections.

They start from the trace configuration (``configs/nb201_trace1.toml``: methods, GPUs, powers,
search settings) and change only what the papers' setting needs: both windows (trace 1, trace 2),
their 41-hour horizon, the accounting mode, and, for every CE-NAS method that reads a forecast, a
twin that reads the trace's future instead (named ``<method> (oracle)``), so that the predictor
table compares the same method with the predicted and the actual intensity.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from cenas.carbon import Accounting
from cenas.reproduce._context import ReproduceContext
from cenas.sim import (
    ExperimentConfig,
    RunKey,
    RunOutcome,
    load_config,
    parse_config,
    run_experiment,
)

__all__ = [
    "BUDGET_METHODS",
    "FORECAST_METHODS",
    "FREE_METHODS",
    "HYBRID",
    "ONESHOT",
    "PAPER_METHOD",
    "VANILLA",
    "WINDOWS",
    "SimRuns",
    "oracle_name",
    "sim_config",
    "sim_runs",
]

WINDOWS = ("trace1", "trace2")
VANILLA = "vanilla LaMOO"
ONESHOT = "one-shot LaMOO"
PAPER_METHOD = "CE-NAS heuristic"
"""The papers' CE-NAS: the heuristic allocation."""
HYBRID = "CE-NAS hybrid"
"""The project's recommended carbon-aware method."""
FREE_METHODS = (VANILLA, ONESHOT, PAPER_METHOD, HYBRID, "random allocation")
"""Methods of the budget-free runs (Figure 4 and the ratios), where the config has them."""
BUDGET_METHODS = (VANILLA, ONESHOT, PAPER_METHOD, HYBRID)
"""Methods of Figures 5-6."""
FORECAST_METHODS = (PAPER_METHOD, HYBRID, "CE-NAS planner")
"""CE-NAS methods that read a forecast (the predictor table pairs each with its oracle twin)."""


def oracle_name(method: str) -> str:
    """The name of a forecasting method's twin that reads the actual trace."""
    return f"{method} (oracle)"


def sim_config(path: Path, accounting: Accounting, seeds: int) -> ExperimentConfig:
    """The trace configuration at ``path``, set to the papers' two windows and ``accounting``,
    with an oracle twin for each forecasting CE-NAS method."""
    base = load_config(path)
    raw: dict[str, Any] = copy.deepcopy(base.raw)
    raw["carbon"]["windows"] = list(WINDOWS)
    raw["sim"]["horizon_h"] = 41.0
    raw["sim"]["accounting"] = accounting.value
    raw.setdefault("experiment", {})["seeds"] = seeds
    names = {m["name"] for m in raw["methods"]}
    for m in list(raw["methods"]):
        if m["name"] in FORECAST_METHODS and "forecaster" in m:
            twin = oracle_name(m["name"])
            if twin not in names:
                raw["methods"].append(
                    {k: v for k, v in m.items() if k != "forecaster"} | {"name": twin}
                )
                names.add(twin)
    return parse_config(raw, f"{path.name} ({accounting.value} accounting, trace1+trace2)")


@dataclass(frozen=True)
class SimRuns:
    """Every simulated run of one accounting mode.

    Attributes:
        accounting: the mode all runs count carbon in.
        config: the configuration they ran under.
        outcomes: every run (curves included).
        runs: one row per run (:attr:`cenas.sim.ExperimentResult.runs`).
    """

    accounting: Accounting
    config: ExperimentConfig
    outcomes: tuple[RunOutcome, ...]
    runs: pd.DataFrame

    @property
    def methods(self) -> list[str]:
        """Method names of the configuration, in order."""
        return [m.name for m in self.config.methods]

    def hv_max(self, window: str) -> float:
        """HV of the true front (the same for every run of a window)."""
        return float(self.runs.loc[self.runs["window"] == window, "hv_max"].iloc[0])

    def select(self, window: str, method: str, fraction: float | None) -> pd.DataFrame:
        """The runs of one window, method and budget fraction (None: no budget)."""
        r = self.runs
        mask = (r["window"] == window) & (r["method"] == method)
        if fraction is None:
            mask &= r["budget_fraction"].isna()
        else:
            mask &= r["budget_fraction"].astype(float) == fraction
        return r[mask]

    def median(self, window: str, method: str, fraction: float | None, column: str) -> float:
        """Median of ``column`` over the seeds of one cell."""
        return float(self.select(window, method, fraction)[column].median())


def _keys(ctx: ReproduceContext, cfg: ExperimentConfig, predictor: bool) -> list[RunKey]:
    s = ctx.settings
    have = {m.name for m in cfg.methods}
    free = [m for m in FREE_METHODS if m in have]
    budget = [m for m in BUDGET_METHODS if m in have]
    if predictor:
        for m in FORECAST_METHODS:
            if m in have and oracle_name(m) in have:
                budget += [x for x in (m, oracle_name(m)) if x not in budget]
    keys = [RunKey(m, w, seed) for w in WINDOWS for m in free for seed in range(s.seeds)]
    keys += [
        RunKey(m, w, seed, budget_fraction=f)
        for w in WINDOWS
        for f in s.budget_fractions
        for m in budget
        for seed in range(s.budget_seeds)
    ]
    return keys


def sim_runs(ctx: ReproduceContext, accounting: Accounting) -> SimRuns:
    """The runs of one accounting mode (once per reproduction; later calls reuse them).

    Full accounting also runs the predictor table's oracle twins under the budgets.
    """

    def make() -> SimRuns:
        cfg = sim_config(ctx.config, accounting, ctx.settings.seeds)
        keys = _keys(ctx, cfg, predictor=accounting is Accounting.FULL)

        def done(_o: RunOutcome, n: int, total: int) -> None:
            ctx.status(f"simulations ({accounting.value} accounting) {n}/{total}")

        res = run_experiment(
            cfg, data_dir=ctx.data_dir, jobs=ctx.settings.jobs, keys=keys, on_done=done
        )
        return SimRuns(accounting, cfg, res.outcomes, res.runs)

    return ctx.cached(f"sim-{accounting.value}", make)
