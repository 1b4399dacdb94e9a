"""Reports: plot data as small typed objects (tested), thin matplotlib renderers (PNG), and the
HTML page of a run. The report reads only the neutral :class:`cenas.record.RunRecord`; it imports
neither the simulator nor the live runner."""

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
from cenas.report._front import FrontPlotData, front_plot_data, record_plot_data
from cenas.report._html import PAGE_STYLE, write_html_report
from cenas.report._render import (
    render_budget_boxes,
    render_front,
    render_progress,
    render_run,
    render_run_data,
)

__all__ = [
    "PAGE_STYLE",
    "BudgetBoxData",
    "Curve",
    "FrontPlotData",
    "ProgressPlotData",
    "RunPlotData",
    "StepSeries",
    "budget_box_data",
    "front_plot_data",
    "progress_plot_data",
    "record_plot_data",
    "render_budget_boxes",
    "render_front",
    "render_progress",
    "render_run",
    "render_run_data",
    "run_plot_data",
    "step_values",
    "write_html_report",
]
