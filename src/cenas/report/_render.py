"""Thin matplotlib renderers (Agg backend, PNG) of the plot data in :mod:`cenas.report._data`."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cenas._plotting import pyplot, save_figure
from cenas.record import RunRecord
from cenas.report._data import BudgetBoxData, ProgressPlotData, RunPlotData
from cenas.report._front import FrontPlotData, record_plot_data

__all__ = [
    "render_budget_boxes",
    "render_front",
    "render_progress",
    "render_run",
    "render_run_data",
]


def render_progress(data: ProgressPlotData, path: str | Path) -> Path:
    """Figure 4: HV and log gap over time, median with an interquartile band per method."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, curves, ylabel in (
        (axes[0], data.hv, "hypervolume"),
        (axes[1], data.log_gap, "ln(HV_max - HV) (natural log)"),
    ):
        for c in curves:
            (line,) = ax.plot(c.hours, c.median, label=c.label, lw=1.6)
            ax.fill_between(c.hours, c.q1, c.q3, color=line.get_color(), alpha=0.15, lw=0)
        ax.set_xlabel("search time (hours)")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    axes[0].axhline(data.hv_max, color="k", lw=0.8, ls=":", label="HV_max")
    hv_vals = np.concatenate([c.q1 for c in data.hv] + [[data.hv_max]])
    hv_vals = hv_vals[np.isfinite(hv_vals) & (hv_vals > 0)]
    if hv_vals.size:
        lo = float(np.percentile(hv_vals, 5))
        axes[0].set_ylim(lo - 0.02 * (data.hv_max - lo), data.hv_max + 0.02 * (data.hv_max - lo))
    axes[0].legend(fontsize=8, loc="lower right")
    axes[1].legend(fontsize=8, loc="upper right")
    fig.suptitle(data.title, fontsize=10)
    if data.notes:
        fig.text(0.01, 0.005, "\n".join(data.notes), fontsize=7, va="bottom")
    fig.tight_layout(rect=(0, 0.04 * len(data.notes), 1, 1))
    return save_figure(fig, path, dpi=120)


def render_budget_boxes(data: BudgetBoxData, path: str | Path) -> Path:
    """Figures 5-6: box plots of final HV per method, grouped by carbon budget."""
    plt = pyplot()
    nb, nm = len(data.budgets_g), len(data.methods)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * nb * nm / 2), 4.5))
    width = 0.8 / max(nm, 1)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for j, m in enumerate(data.methods):
        pos = [i + (j - (nm - 1) / 2) * width for i in range(nb)]
        vals = [list(data.values[i][j]) or [np.nan] for i in range(nb)]
        bp = ax.boxplot(
            vals,
            positions=pos,
            widths=width * 0.9,
            patch_artist=True,
            showfliers=True,
            medianprops={"color": "k"},
        )
        for box in bp["boxes"]:
            box.set_facecolor(colors[j % len(colors)])
            box.set_alpha(0.6)
        # a box of one seed is a flat line without visible colour: mark its value too
        for p, v in zip(pos, vals, strict=True):
            if len(v) == 1 and np.isfinite(v[0]):
                ax.plot([p], v, "o", color=colors[j % len(colors)], ms=6)
        ax.plot([], [], color=colors[j % len(colors)], lw=6, alpha=0.6, label=m)
    ax.set_xticks(range(nb))
    ax.set_xticklabels([f"{b / 1000:g} kg" for b in data.budgets_g])
    ax.set_xlabel("carbon budget (kgCO2eq)")
    ax.set_ylabel("hypervolume")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8)
    ax.set_title(data.title, fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path, dpi=120)


def render_run_data(data: RunPlotData, path: str | Path) -> Path:
    """One run: HV and log gap, cumulative carbon, worker split with intensity, queue length."""
    plt = pyplot()
    fig, axes = plt.subplots(2, 2, figsize=(12, 7), sharex=True)
    a = axes[0, 0]
    lines = a.step(data.hours, data.hv, where="post", label="hypervolume")
    if data.hv_max is not None:
        lines.append(a.axhline(data.hv_max, color="k", lw=0.8, ls=":", label="HV_max"))
    a.set_ylabel("hypervolume")
    if np.isfinite(data.log_gap).any():
        b = a.twinx()
        lines += b.step(
            data.hours, data.log_gap, where="post", color="C3", alpha=0.6, label="ln(HV_max - HV)"
        )
        b.set_ylabel("ln(HV_max - HV) (natural log)", color="C3")
    a.legend(lines, [ln.get_label() for ln in lines], fontsize=8, loc="lower right")
    a.set_title(f"search progress ({data.hv_source})", fontsize=9)
    a = axes[0, 1]
    a.plot(data.hours, data.carbon_kg, label="carbon used")
    if data.carbon_budget_kg is not None:
        a.axhline(data.carbon_budget_kg, color="C3", ls="--", lw=1, label="carbon budget")
    a.set_ylabel("cumulative carbon (kgCO2eq)")
    a.legend(fontsize=8, loc="upper left")
    a.set_title("carbon used", fontsize=9)
    a = axes[1, 0]
    lines = a.step(data.hours, data.sampling_gpus, where="post", label="sampling workers")
    lines += a.step(data.hours, data.evaluation_gpus, where="post", label="evaluation workers")
    a.set_ylabel("workers (GPUs)")
    b = a.twinx()
    lines += b.step(
        data.hours, data.intensity, where="post", color="k", alpha=0.4, label="carbon intensity"
    )
    b.set_ylabel("carbon intensity (gCO2eq/kWh)")
    a.legend(lines, [ln.get_label() for ln in lines], fontsize=8, loc="upper left")
    a.set_title("worker split and carbon intensity", fontsize=9)
    a = axes[1, 1]
    a.step(data.hours, data.queue_length, where="post")
    a.set_ylabel("ready queue length |R|")
    a.set_title("ready queue", fontsize=9)
    for a in axes[1]:
        a.set_xlabel("search time (hours)")
    for a in axes.ravel():
        a.grid(alpha=0.3)
    fig.suptitle(data.title, fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path, dpi=110)


def render_front(data: FrontPlotData, path: str | Path) -> Path:
    """The Pareto front of the first two objectives: trained (true) and estimated."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 5))
    if data.estimated.size:
        ax.scatter(*data.estimated.T, s=10, color="C1", alpha=0.35, label="estimated (one-shot)")
        ax.step(*data.estimated_front.T, where="post", color="C1", ls="--", label="estimated front")
    if data.trained.size:
        ax.scatter(*data.trained.T, s=16, color="C0", alpha=0.6, label="trained (true)")
        ax.step(*data.front.T, where="post", color="C0", lw=1.8, label="true front")
    ax.set_xlabel(data.xlabel)
    ax.set_ylabel(data.ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(data.title, fontsize=9)
    fig.tight_layout()
    return save_figure(fig, path, dpi=110)


def render_run(record: RunRecord, out_dir: str | Path) -> Path:
    """Draw ``run.png`` for a run record into ``out_dir``."""
    return render_run_data(record_plot_data(record), Path(out_dir) / "run.png")
