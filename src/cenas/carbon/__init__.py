"""Grid carbon intensity: traces (loading, validation, windows), accounting and signals.

Every carbon number records its source: a trace's ``source.label``, or a signal reading's
``source``.
"""

from cenas.carbon._loaders import (
    LBS_PER_MWH_TO_G_PER_KWH,
    GapPolicy,
    detect_format,
    load_trace,
    load_trace_frame,
)
from cenas.carbon._trace import (
    EmissionKind,
    Gap,
    IntensityTrace,
    LoadReport,
    TraceFormat,
    TraceSource,
    TraceStats,
)
from cenas.carbon._windows import PAPER_WINDOWS, PaperWindow, paper_window

__all__ = [
    "LBS_PER_MWH_TO_G_PER_KWH",
    "PAPER_WINDOWS",
    "EmissionKind",
    "Gap",
    "GapPolicy",
    "IntensityTrace",
    "LoadReport",
    "PaperWindow",
    "TraceFormat",
    "TraceSource",
    "TraceStats",
    "detect_format",
    "load_trace",
    "load_trace_frame",
    "paper_window",
]
