"""Reports: plot data as small typed objects (tested) and thin matplotlib renderers (PNG)."""

from cenas.report._data import (
    BudgetBoxData,
    Curve,
    ProgressPlotData,
    RunPlotData,
    StepSeries,
    budget_box_data,
    progress_plot_data,
    run_plot_data,
    step_values,
)
from cenas.report._render import (
    render_budget_boxes,
    render_progress,
    render_run,
    render_run_data,
)

__all__ = [
    "BudgetBoxData",
    "Curve",
    "ProgressPlotData",
    "RunPlotData",
    "StepSeries",
    "budget_box_data",
    "progress_plot_data",
    "render_budget_boxes",
    "render_progress",
    "render_run",
    "render_run_data",
    "run_plot_data",
    "step_values",
]
