"""NeurIPS'24 appendix: the learned allocation policy with discrete vs continuous actions.

Both shipped policies (:mod:`cenas.rl`, PPO trained offline on CISO 2020 and 2022 only) run on
held-out windows under the reproduction's budgets and without one, with the search settings and
leak-free persistence forecast of the trace configuration's CE-NAS hybrid, so that only the
action space differs between the two rows of a pair. The paper's own table is not available
offline, so every published cell says so.
"""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd

from cenas.carbon import Accounting
from cenas.errors import ConfigError
from cenas.reproduce._context import ReproduceContext
from cenas.reproduce._model import NEURIPS, NOT_FOUND, Row, Section
from cenas.reproduce._sim_runs import HYBRID
from cenas.sim import ExperimentConfig, load_config, parse_config

__all__ = ["ACTIONS", "rl_action_section", "rl_config"]

ACTIONS = {"discrete": "CE-NAS RL (discrete)", "continuous": "CE-NAS RL (continuous)"}
"""Shipped pretrained policy -> its method name on the page."""


def rl_config(ctx: ReproduceContext) -> ExperimentConfig:
    """The trace configuration with one method per shipped policy, each with the hybrid's
    search settings and forecaster, full accounting.

    Raises:
        ConfigError: when the configuration has no CE-NAS hybrid to take the settings from.
    """
    raw: dict[str, Any] = copy.deepcopy(load_config(ctx.config).raw)
    hybrid = next((m for m in raw["methods"] if m["name"] == HYBRID), None)
    if hybrid is None:
        raise ConfigError(
            f"{ctx.config}: the RL table takes its search settings from a method named "
            f"{HYBRID!r}, but the configuration has none"
        )
    raw["sim"]["accounting"] = Accounting.FULL.value
    raw["methods"] = [
        {
            "name": name,
            "policy": "rl",
            "pretrained": kind,
            "forecaster": hybrid.get("forecaster", "persistence"),
            "search": copy.deepcopy(hybrid.get("search", {})),
        }
        for kind, name in ACTIONS.items()
    ]
    return parse_config(raw, f"{ctx.config.name} (shipped RL policies, full accounting)")


def _runs(ctx: ReproduceContext) -> pd.DataFrame:
    from cenas.rl import HELD_OUT_WINDOWS, evaluate_policies

    s = ctx.settings
    # Quick: the papers' two windows; full: every held-out window of the RL benchmark.
    windows = HELD_OUT_WINDOWS[:2] if s.quick else HELD_OUT_WINDOWS
    ctx.status(f"RL policies on {len(windows)} held-out window(s)")
    return evaluate_policies(
        rl_config(ctx),
        windows=windows,
        budget_fractions=(*s.budget_fractions, None),
        seeds=tuple(range(s.seed, s.seed + s.budget_seeds)),
        data_dir=ctx.data_dir,
        jobs=s.jobs,
    )


def rl_action_section(ctx: ReproduceContext) -> list[Section]:
    """Median HV and carbon of the discrete and the continuous policy, per budget."""
    from cenas.rl import summarise_policies

    runs = ctx.cached("rl-actions", lambda: _runs(ctx))
    table = summarise_policies(runs)
    rows: list[Row] = []
    for budget in table["budget"].drop_duplicates():
        label = "no budget" if budget == "none" else f"{budget}x budget"
        for name in ACTIONS.values():
            r = table[(table["budget"] == budget) & (table["method"] == name)].iloc[0]
            rows.append(Row(f"{label}, {name}: median HV", r["median_hv"], None, NOT_FOUND, 1))
            rows.append(
                Row(
                    f"{label}, {name}: median carbon, kgCO2eq",
                    r["median_carbon_g"] / 1000.0,
                    None,
                    NOT_FOUND,
                    2,
                )
            )
    s = ctx.settings
    windows = ", ".join(runs["heldout"].drop_duplicates())
    return [
        Section(
            key="neurips-rl-actions",
            title="The learned allocation policy: discrete vs continuous actions",
            paper=NEURIPS,
            target="appendix table",
            rows=tuple(rows),
            accounting=Accounting.FULL,
            command=(
                f"cenas reproduce{' --quick' if s.quick else ''} (cenas.rl.evaluate_policies "
                f"with both shipped policies on {windows}, {s.budget_seeds} seed(s) per budget; "
                "the full benchmark: python benchmarks/rl_policies.py --seeds 10)"
            ),
            notes=(
                "Both policies are PPO, trained offline on CISO 2020 and 2022 after imitating "
                "the hybrid planner (configs/rl_default.toml, rl_continuous.toml); the paper "
                "learns online during one search and reads the actual intensity.",
                f"Medians over {windows}.",
            ),
        )
    ]
