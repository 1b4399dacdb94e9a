"""Plot data: small typed objects computed from run results (tested; renderers only draw)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.errors import ConfigError

__all__ = [
    "BudgetBoxData",
    "Curve",
    "ProgressPlotData",
    "RunPlotData",
    "StepSeries",
    "budget_box_data",
    "progress_plot_data",
    "run_plot_data",
    "step_values",
]


@dataclass(frozen=True)
class StepSeries:
    """A right-continuous step function sampled at events: ``values[i]`` holds from ``hours[i]``
    until the next entry. ``hours`` is non-decreasing."""

    hours: NDArray[np.float64]
    values: NDArray[np.float64]


def step_values(
    series: StepSeries, grid_h: ArrayLike, before: float = math.nan
) -> NDArray[np.float64]:
    """Values of a step function on a grid: the last entry at or before each grid time
    (``before`` ahead of the first entry). Shape of ``grid_h``."""
    g = np.asarray(grid_h, dtype=np.float64)
    pos = np.searchsorted(series.hours, g, side="right") - 1
    out = np.where(pos >= 0, series.values[np.clip(pos, 0, None)], before)
    return np.asarray(out, dtype=np.float64)


@dataclass(frozen=True)
class Curve:
    """The median and quartiles of one method's runs on a common time grid.

    Attributes:
        label: legend text (the method and its median carbon).
        hours: grid, shape ``(k,)``.
        median, q1, q3: shape ``(k,)``.
        runs: how many runs were summarised.
    """

    label: str
    hours: NDArray[np.float64]
    median: NDArray[np.float64]
    q1: NDArray[np.float64]
    q3: NDArray[np.float64]
    runs: int


@dataclass(frozen=True)
class ProgressPlotData:
    """Figure 4: search progress over time, one curve per method.

    Attributes:
        title: figure title.
        hv: hypervolume curves.
        log_gap: ``log(HV_max - HV)`` curves.
        hv_max: the maximum hypervolume.
        notes: footnotes (e.g. how a one-shot method's HV is computed).
    """

    title: str
    hv: tuple[Curve, ...]
    log_gap: tuple[Curve, ...]
    hv_max: float
    notes: tuple[str, ...] = ()


def _quartiles(stack: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
    q1, med, q3 = np.nanpercentile(stack, [25, 50, 75], axis=0)
    return med, q1, q3


def progress_plot_data(
    hv_runs: Mapping[str, Sequence[StepSeries]],
    carbon_g: Mapping[str, Sequence[float]],
    hv_max: float,
    *,
    grid_h: ArrayLike | None = None,
    title: str = "",
    notes: Sequence[str] = (),
) -> ProgressPlotData:
    """Median (and quartiles) of hypervolume and log gap over time per method.

    Args:
        hv_runs: method -> one HV step series per run (seed), hours from the start.
        carbon_g: method -> total carbon of each run, gCO2eq (its median goes in the legend).
        hv_max: the maximum hypervolume (same reference point).
        grid_h: common time grid in hours; default: 200 points from 0 to the longest run.
        title: figure title.
        notes: footnotes.

    Raises:
        ConfigError: when a method has no runs.
    """
    if grid_h is None:
        end = max((float(s.hours[-1]) for runs in hv_runs.values() for s in runs), default=1.0)
        grid = np.linspace(0.0, end, 200)
    else:
        grid = np.asarray(grid_h, dtype=np.float64)
    scale = max(abs(hv_max), 1.0)
    hv_curves, gap_curves = [], []
    for method, runs in hv_runs.items():
        if not runs:
            raise ConfigError(f"method {method!r} has no runs to plot")
        stack = np.stack([step_values(s, grid, before=0.0) for s in runs])
        gap = np.log(np.maximum(hv_max - stack, 1e-12 * scale))
        c = np.asarray(carbon_g.get(method, []), dtype=np.float64)
        label = method if c.size == 0 else f"{method} ({np.median(c) / 1000:.2f} kgCO2eq)"
        med, q1, q3 = _quartiles(stack)
        hv_curves.append(Curve(label, grid, med, q1, q3, len(runs)))
        med, q1, q3 = _quartiles(gap)
        gap_curves.append(Curve(label, grid, med, q1, q3, len(runs)))
    return ProgressPlotData(title, tuple(hv_curves), tuple(gap_curves), float(hv_max), tuple(notes))


@dataclass(frozen=True)
class BudgetBoxData:
    """Figures 5-6: final hypervolume of each method under each carbon budget.

    Attributes:
        title: figure title.
        budgets_g: the budgets, gCO2eq, ascending.
        methods: method names in legend order.
        values: ``values[b][m]``: final HVs (one per seed) of method ``m`` under budget ``b``.
        medians: ``medians[b][m]``: their medians (NaN without runs).
    """

    title: str
    budgets_g: tuple[float, ...]
    methods: tuple[str, ...]
    values: tuple[tuple[tuple[float, ...], ...], ...]
    medians: tuple[tuple[float, ...], ...]

    def best_method(self, budget_index: int) -> str:
        """The method with the highest median under one budget."""
        row = np.asarray(self.medians[budget_index], dtype=np.float64)
        return self.methods[int(np.nanargmax(row))]


def budget_box_data(
    records: Sequence[tuple[str, float, float]],
    *,
    methods: Sequence[str] | None = None,
    title: str = "",
) -> BudgetBoxData:
    """Group final hypervolumes by budget and method.

    Args:
        records: ``(method, budget_g, final_hv)`` per run.
        methods: legend order (default: first appearance).
        title: figure title.
    """
    order = list(methods) if methods is not None else list(dict.fromkeys(r[0] for r in records))
    budgets = sorted({float(r[1]) for r in records})
    vals: list[tuple[tuple[float, ...], ...]] = []
    meds: list[tuple[float, ...]] = []
    for b in budgets:
        row = []
        mrow = []
        for m in order:
            v = tuple(float(r[2]) for r in records if r[0] == m and float(r[1]) == b)
            row.append(v)
            mrow.append(float(np.median(v)) if v else math.nan)
        vals.append(tuple(row))
        meds.append(tuple(mrow))
    return BudgetBoxData(title, tuple(budgets), tuple(order), tuple(vals), tuple(meds))


@dataclass(frozen=True)
class RunPlotData:
    """One run over time, at every trace step and task completion.

    Attributes:
        title: figure title.
        hours: time since the start, shape ``(n,)``.
        hv, log_gap: hypervolume and its log gap.
        carbon_kg: cumulative carbon, kgCO2eq.
        relative_carbon: cumulative intensity × busy GPU-hours.
        intensity: carbon intensity, gCO2eq/kWh.
        sampling_gpus, evaluation_gpus: the GPU split.
        queue_length: |R|.
        hv_source: what the hypervolume is computed from.
        hv_max: the maximum hypervolume when known (drawn as a labelled line).
        carbon_budget_kg: the carbon budget when there is one.
    """

    title: str
    hours: NDArray[np.float64]
    hv: NDArray[np.float64]
    log_gap: NDArray[np.float64]
    carbon_kg: NDArray[np.float64]
    relative_carbon: NDArray[np.float64]
    intensity: NDArray[np.float64]
    sampling_gpus: NDArray[np.float64]
    evaluation_gpus: NDArray[np.float64]
    queue_length: NDArray[np.float64]
    hv_source: str
    hv_max: float | None = None
    carbon_budget_kg: float | None = None


def run_plot_data(
    series: Mapping[str, ArrayLike], *, title: str = "", hv_source: str = ""
) -> RunPlotData:
    """Plot data of one run from its time series (a DataFrame or a mapping of columns)."""

    def col(name: str) -> NDArray[np.float64]:
        return np.asarray(series[name], dtype=np.float64)

    return RunPlotData(
        title=title,
        hours=col("hours"),
        hv=col("hv"),
        log_gap=col("log_hv_gap"),
        carbon_kg=col("carbon_g") / 1000.0,
        relative_carbon=col("relative_carbon"),
        intensity=col("intensity_g_per_kwh"),
        sampling_gpus=col("sampling_gpus"),
        evaluation_gpus=col("evaluation_gpus"),
        queue_length=col("queue_length"),
        hv_source=hv_source,
    )
