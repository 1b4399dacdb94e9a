"""Evaluation of allocation policies, learned or not, on held-out windows: the benchmark table
of issue 16 (``benchmarks/rl_policies.py``), reusable by ``cenas reproduce``.

Held-out means windows of years no policy was trained or tuned on: CISO 2021 (the papers' trace 1
and trace 2), CISO 2023 and other regions' 2021 (PJM and SE from the DACF files; the policies need
only the intensity). Every method of an experiment config is run on every window, budget and seed
with :func:`cenas.sim.run_experiment`; methods with a forecaster see the forecast, methods without
one the trace itself (an ORACLE, the paper's "actual trace" input).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cenas.errors import ConfigError
from cenas.sim import (
    ExperimentConfig,
    RunKey,
    all_gpus_carbon_g,
    load_config,
    load_inputs,
    run_experiment,
)

__all__ = ["HELD_OUT_WINDOWS", "HeldOutWindow", "evaluate_policies", "summarise_policies"]


@dataclass(frozen=True)
class HeldOutWindow:
    """A window of a trace file no policy was trained on.

    Attributes:
        name: the name in tables.
        trace: the trace file (relative to the data directory).
        start: a paper window (``trace1``, ``trace2``) or an ISO start time.
    """

    name: str
    trace: str
    start: str


_EM = "carbon/electricitymaps/US-CAL-CISO_{}_hourly.csv"
# The same windows as benchmarks/sim_carbon_budget.py (picked there by date before any run).
HELD_OUT_WINDOWS: tuple[HeldOutWindow, ...] = (
    HeldOutWindow("CISO 2021 trace1", _EM.format(2021), "trace1"),
    HeldOutWindow("CISO 2021 trace2", _EM.format(2021), "trace2"),
    HeldOutWindow("CISO 2023", _EM.format(2023), "2023-10-10T00:00"),
    HeldOutWindow("PJM 2021", "carbon/dacf/PJM_direct_emissions.csv", "2021-03-09T00:00"),
    HeldOutWindow("SE 2021", "carbon/dacf/SE_direct_emissions.csv", "2021-10-12T00:00"),
)
"""The benchmark's held-out windows (41 h each, the experiment's horizon)."""


def evaluate_policies(
    experiment: ExperimentConfig | str | Path,
    *,
    windows: Sequence[HeldOutWindow] = HELD_OUT_WINDOWS,
    budget_fractions: Sequence[float | None] = (0.1, 0.2, 0.4, None),
    seeds: Sequence[int] = tuple(range(10)),
    methods: Sequence[str] | None = None,
    data_dir: str | Path | None = None,
    jobs: int = 1,
    on_done: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Run methods of an experiment config on held-out windows, budgets and seeds.

    Args:
        experiment: the config (or its file) whose methods, benchmark and sim settings are used.
        windows: where to run (the config's own trace is replaced by each window's, read with
            the config's ``carbon.kind``).
        budget_fractions: budgets as fractions of vanilla LaMOO's unbudgeted carbon on the
            window; None: no budget.
        seeds: the seeds.
        methods: method names of the config (default: all).
        data_dir: the reference data directory.
        jobs: worker processes.
        on_done: called with (runs done, runs in total).

    Returns:
        One row per run: ``heldout`` (the window's name), ``method``, ``budget_fraction``,
        ``seed``, ``input`` (``forecast`` or ``oracle``), ``reference_carbon_g`` (vanilla
        LaMOO's unbudgeted carbon on the window, the unit of the budgets), and the run's
        summary (``hv``, ``log_hv_gap``, ``carbon_g``, ``accounting``, ``n_trained``, ...).

    Raises:
        ConfigError: for an unknown method, a missing trace file or a window it does not cover.
    """
    cfg = experiment if isinstance(experiment, ExperimentConfig) else load_config(experiment)
    names = [m.name for m in cfg.methods] if methods is None else list(methods)
    inputs = {n: "forecast" if cfg.method(n).forecaster else "oracle" for n in names}
    total = len(windows) * len(names) * len(budget_fractions) * len(seeds)
    frames: list[pd.DataFrame] = []
    done = 0
    for w in windows:
        wcfg = cfg.with_overrides(trace=w.trace)
        keys = [
            RunKey(n, w.start, s, budget_fraction=b)
            for n in names
            for b in budget_fractions
            for s in seeds
        ]

        def tick(_o: object, _i: int, _n: int, base: int = done) -> None:
            if on_done is not None:
                on_done(base + _i, total)

        try:
            res = run_experiment(wcfg, data_dir=data_dir, jobs=jobs, keys=keys, on_done=tick)
        except ConfigError as e:
            raise ConfigError(f"held-out window {w.name!r}: {e}") from None
        done += len(keys)
        inputs_w = load_inputs(wcfg, data_dir)
        start = wcfg.window(w.start).start.value / 1e9
        horizon = wcfg.horizon_h(wcfg.window(w.start)) * 3600.0
        ref = all_gpus_carbon_g(wcfg.sim, inputs_w.trace, start, start + horizon)
        runs = res.runs.assign(
            heldout=w.name,
            reference_carbon_g=ref,
            seed=[k.seed for k in keys],
            input=[inputs[k.method] for k in keys],
        )
        frames.append(runs)
    return pd.concat(frames, ignore_index=True)


def summarise_policies(runs: pd.DataFrame, *, by_window: bool = False) -> pd.DataFrame:
    """Medians of :func:`evaluate_policies`' runs per budget and method (and window).

    HV is comparable across windows (one benchmark and reference point); carbon is also given
    relative to vanilla LaMOO's unbudgeted carbon on each run's window (``carbon_rel``: budgets
    are fractions of it), so windows of different intensity pool.

    Returns:
        Columns ``[heldout,] budget, method, input, runs, median_hv, median_log_hv_gap,
        median_carbon_g, median_carbon_rel, median_n_trained`` in the order of the runs.
    """
    frame = runs.assign(
        budget=runs["budget_fraction"].map(lambda b: "none" if pd.isna(b) else f"{b:g}"),
        carbon_rel=runs["carbon_g"] / runs["reference_carbon_g"],
    )
    keys = (["heldout"] if by_window else []) + ["budget", "method", "input"]
    out = (
        frame.groupby(keys, sort=False)
        .agg(
            runs=("hv", "size"),
            median_hv=("hv", "median"),
            median_log_hv_gap=("log_hv_gap", "median"),
            median_carbon_g=("carbon_g", "median"),
            median_carbon_rel=("carbon_rel", "median"),
            median_n_trained=("n_trained", "median"),
        )
        .reset_index()
    )
    return out
