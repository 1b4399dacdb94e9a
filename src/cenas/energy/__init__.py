"""Energy meters (RAPL, NVML, a CPU model) and a tracker of energy and carbon for real work.

Meters share one small interface (:class:`EnergyMeter`: joules per component over a window, and
the meter's name). :func:`discover_meters` finds the ones this machine offers and records why
the others are not usable; the :class:`Tracker` takes meters and a carbon signal by injection
and returns a :class:`TrackingResult` that names the meter behind every number and the source
of every intensity.
"""

from cenas.energy._cpu_model import CpuModelMeter
from cenas.energy._cpu_tdp import (
    CpuRow,
    CpuTable,
    TdpMatch,
    TdpSource,
    normalise_cpu_model,
    read_cpu_model_name,
)
from cenas.energy._default_signal import (
    WORLD_AVERAGE_G_PER_KWH,
    WORLD_AVERAGE_LABEL,
    WorldAverageSignal,
)
from cenas.energy._discover import Discovery, Unavailable, discover_meters
from cenas.energy._log import (
    LOG_COLUMNS,
    append_tracking_log,
    check_tracking_log,
    default_log_path,
)
from cenas.energy._meter import J_PER_KWH, Component, ComponentKind, EnergyMeter
from cenas.energy._nvml import GpuMethod, NvmlMeter, parse_cuda_visible_devices
from cenas.energy._rapl import DEFAULT_POWERCAP_ROOT, RaplMeter
from cenas.energy._result import ComponentEnergy, EpochRecord, Prediction, TrackingResult
from cenas.energy._tracker import Clock, Tracker
from cenas.energy._utilisation import (
    ChildProcessesCpuUtilisation,
    ProcessCpuUtilisation,
    SystemCpuUtilisation,
    UtilisationSource,
)

__all__ = [
    "DEFAULT_POWERCAP_ROOT",
    "J_PER_KWH",
    "LOG_COLUMNS",
    "WORLD_AVERAGE_G_PER_KWH",
    "WORLD_AVERAGE_LABEL",
    "ChildProcessesCpuUtilisation",
    "Clock",
    "Component",
    "ComponentEnergy",
    "ComponentKind",
    "CpuModelMeter",
    "CpuRow",
    "CpuTable",
    "Discovery",
    "EnergyMeter",
    "EpochRecord",
    "GpuMethod",
    "NvmlMeter",
    "Prediction",
    "ProcessCpuUtilisation",
    "RaplMeter",
    "SystemCpuUtilisation",
    "TdpMatch",
    "TdpSource",
    "Tracker",
    "TrackingResult",
    "Unavailable",
    "UtilisationSource",
    "WorldAverageSignal",
    "append_tracking_log",
    "check_tracking_log",
    "default_log_path",
    "discover_meters",
    "normalise_cpu_model",
    "parse_cuda_visible_devices",
    "read_cpu_model_name",
]
