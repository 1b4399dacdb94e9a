"""Plot data of a run record: the Pareto front (true and estimated) and the run over time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cenas.moo import log_hv_gap
from cenas.record import RunRecord
from cenas.report._data import RunPlotData

__all__ = ["FrontPlotData", "front_plot_data", "record_plot_data"]


@dataclass(frozen=True)
class FrontPlotData:
    """The first two objectives of a run's architectures, natural units.

    Attributes:
        title: figure title.
        xlabel, ylabel: objective names with their directions.
        trained: true objectives of every trained architecture, shape ``(n, 2)``.
        front: the rows of ``trained`` on the Pareto front, sorted by x, shape ``(k, 2)``.
        estimated: one-shot estimates of estimated architectures, shape ``(e, 2)``.
        estimated_front: the estimates' own front, sorted by x.
    """

    title: str
    xlabel: str
    ylabel: str
    trained: NDArray[np.float64]
    front: NDArray[np.float64]
    estimated: NDArray[np.float64]
    estimated_front: NDArray[np.float64]


def _front(rec: RunRecord, y: NDArray[np.float64]) -> NDArray[np.float64]:
    if y.shape[0] == 0:
        return y
    f = y[rec.front_mask(y)]
    return f[np.argsort(f[:, 0], kind="stable")]


def front_plot_data(rec: RunRecord) -> FrontPlotData:
    """The front plot of a record (its first two objectives)."""
    _, y = rec.trained()
    m = len(rec.objectives)
    est = np.array([e for _, e in rec.estimates], dtype=np.float64).reshape(-1, m)
    est = est[np.isfinite(est).all(axis=1)]
    lab = [
        f"{n} ({'max' if mx else 'min'})"
        for n, mx in zip(rec.objectives, rec.maximize, strict=True)
    ]
    return FrontPlotData(
        title=rec.title,
        xlabel=lab[0],
        ylabel=lab[1] if m > 1 else "",
        trained=y[:, :2],
        front=_front(rec, y)[:, :2],
        estimated=est[:, :2],
        estimated_front=_front(rec, est)[:, :2],
    )


def record_plot_data(rec: RunRecord) -> RunPlotData:
    """The run-over-time plot of a record (HV, carbon, intensity with the worker split, |R|)."""

    def col(name: str) -> NDArray[np.float64]:
        return np.array([getattr(s, name) for s in rec.series], dtype=np.float64)

    hv = col("hv")
    gap = (
        np.asarray(log_hv_gap(hv, rec.hv_max), dtype=np.float64)
        if rec.hv_max is not None
        else np.full(hv.shape, np.nan)
    )
    return RunPlotData(
        title=rec.title,
        hours=col("hours"),
        hv=hv,
        log_gap=gap,
        carbon_kg=col("carbon_g") / 1000.0,
        relative_carbon=np.full(hv.shape, np.nan),
        intensity=col("intensity_g_per_kwh"),
        sampling_gpus=col("sampling"),
        evaluation_gpus=col("evaluation"),
        queue_length=col("queue_length"),
        hv_source=str(rec.provenance.get("hypervolume", "HV of the trained architectures")),
        hv_max=rec.hv_max,
        carbon_budget_kg=None if rec.carbon_budget_g is None else rec.carbon_budget_g / 1000.0,
    )
