"""The trace-driven simulator: simulated clock, GPU pool, runs and experiments."""

from cenas.sim._build import RunKey, all_gpus_carbon_g, build_spec, load_inputs, run_config
from cenas.sim._bundled import bundled_config
from cenas.sim._config import (
    DEFAULT_MODES,
    SAMPLERS,
    ExperimentConfig,
    MethodSpec,
    WindowSpec,
)
from cenas.sim._config_toml import load_config, parse_config
from cenas.sim._engine import RunSpec, Simulation, simulate
from cenas.sim._events import Event, EventHeap, EventKind, SimClock
from cenas.sim._experiment import (
    ExperimentResult,
    RunOutcome,
    plan_runs,
    run_experiment,
    summarise,
)
from cenas.sim._params import SimConfig
from cenas.sim._result import RunResult, StopReason, TrainingRecord, write_run
from cenas.sim._tracker import HVSource, ProgressTracker

__all__ = [
    "DEFAULT_MODES",
    "SAMPLERS",
    "Event",
    "EventHeap",
    "EventKind",
    "ExperimentConfig",
    "ExperimentResult",
    "HVSource",
    "MethodSpec",
    "ProgressTracker",
    "RunKey",
    "RunOutcome",
    "RunResult",
    "RunSpec",
    "SimClock",
    "SimConfig",
    "Simulation",
    "StopReason",
    "TrainingRecord",
    "WindowSpec",
    "all_gpus_carbon_g",
    "build_spec",
    "bundled_config",
    "load_config",
    "load_inputs",
    "parse_config",
    "plan_runs",
    "run_config",
    "run_experiment",
    "simulate",
    "summarise",
    "write_run",
]
