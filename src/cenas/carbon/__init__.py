"""Grid carbon intensity: traces (loading, validation, windows), accounting and signals.

Every carbon number records its source: a trace's ``source.label``, or a signal reading's
``source``.
"""

from cenas.carbon._accounting import (
    REFERENCE_POWER_W,
    W_PER_KW,
    Accounting,
    CarbonAccount,
    account,
    carbon_of_energy_g,
    carbon_of_power_g,
    intensity_integral,
    mean_intensity,
    relative_carbon,
)
from cenas.carbon._formats import LBS_PER_MWH_TO_G_PER_KWH, detect_format
from cenas.carbon._live import (
    ELECTRICITYMAPS_TOKEN_ENV,
    ElectricityMapsSignal,
    HttpPolicy,
    UKCarbonIntensitySignal,
)
from cenas.carbon._loaders import load_trace, load_trace_frame
from cenas.carbon._plot import TracePlotData, render_trace_png, trace_plot_data
from cenas.carbon._rows import GapPolicy
from cenas.carbon._signals import (
    CarbonSignal,
    ConstantSignal,
    FallbackSignal,
    IntensityReading,
    TraceSignal,
)
from cenas.carbon._source import EmissionKind, Gap, LoadReport, TraceFormat, TraceSource
from cenas.carbon._time import to_utc_timestamp
from cenas.carbon._trace import IntensityTrace, TraceStats
from cenas.carbon._windows import PAPER_WINDOWS, PaperWindow, paper_window

__all__ = [
    "ELECTRICITYMAPS_TOKEN_ENV",
    "LBS_PER_MWH_TO_G_PER_KWH",
    "PAPER_WINDOWS",
    "REFERENCE_POWER_W",
    "W_PER_KW",
    "Accounting",
    "CarbonAccount",
    "CarbonSignal",
    "ConstantSignal",
    "ElectricityMapsSignal",
    "EmissionKind",
    "FallbackSignal",
    "Gap",
    "GapPolicy",
    "HttpPolicy",
    "IntensityReading",
    "IntensityTrace",
    "LoadReport",
    "PaperWindow",
    "TraceFormat",
    "TracePlotData",
    "TraceSignal",
    "TraceSource",
    "TraceStats",
    "UKCarbonIntensitySignal",
    "account",
    "carbon_of_energy_g",
    "carbon_of_power_g",
    "detect_format",
    "intensity_integral",
    "load_trace",
    "load_trace_frame",
    "mean_intensity",
    "paper_window",
    "relative_carbon",
    "render_trace_png",
    "to_utc_timestamp",
    "trace_plot_data",
]
