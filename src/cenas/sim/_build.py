"""From a configuration to runnable specs: data loading (cached per process) and checksums."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cenas.alloc import make_policy
from cenas.bench import Benchmark, get_benchmark
from cenas.carbon import (
    REFERENCE_POWER_W,
    Accounting,
    IntensityTrace,
    intensity_integral,
    load_trace,
)
from cenas.data import resolve_data_dir, sha256_file
from cenas.errors import BenchmarkError, CenasError, ConfigError, DataFileMissingError
from cenas.moo import LaMOO, QNEHVISampler, RegionSampler, UniformRegionSampler, hypervolume
from cenas.search import TabularEvaluator
from cenas.sim._config import ExperimentConfig
from cenas.sim._engine import RunSpec, simulate
from cenas.sim._params import SimConfig
from cenas.sim._result import RunResult

__all__ = ["RunKey", "all_gpus_carbon_g", "build_spec", "load_inputs", "run_config"]


def all_gpus_carbon_g(sim: SimConfig, trace: IntensityTrace, t0_s: float, t1_s: float) -> float:
    """Carbon of all ``sim.gpus`` GPUs training from ``t0_s`` to ``t1_s``, counted the run's way.

    This is vanilla LaMOO's unbudgeted carbon on that window exactly (it always has an
    architecture to train, so every GPU trains all the time), the unit of budgets given as
    fractions: ``G * power_train_w * PUE * ∫ intensity`` under ``full`` accounting,
    ``G * ∫ intensity`` (1 kW per GPU) under ``reference``.
    """
    integral = float(intensity_integral(trace, t0_s, t1_s))
    if sim.accounting is Accounting.REFERENCE:
        return sim.gpus * REFERENCE_POWER_W / 1000.0 * integral
    return sim.gpus * sim.power_train_w / 1000.0 * sim.pue * integral


@dataclass(frozen=True)
class RunKey:
    """Which run of an experiment: method, window, seed and carbon budget (None: none).

    The budget is given in gCO2eq (``budget_g``) or as a fraction of vanilla LaMOO's unbudgeted
    carbon on the same window (``budget_fraction``, see :func:`all_gpus_carbon_g`), not both.
    """

    method: str
    window: str
    seed: int
    budget_g: float | None = None
    budget_fraction: float | None = None

    @property
    def budgeted(self) -> bool:
        """Whether the run has a carbon budget."""
        return self.budget_g is not None or self.budget_fraction is not None

    @property
    def slug(self) -> str:
        """A directory name for the run."""
        b = "nobudget" if self.budget_g is None else f"budget{self.budget_g:g}g"
        if self.budget_fraction is not None:
            b = f"budget{self.budget_fraction:g}x"
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in self.method)
        return f"{self.window}/{safe}/{b}/seed{self.seed}"


@dataclass(frozen=True)
class Inputs:
    """What runs of one config share: the evaluator, the trace, HV_max and checksums."""

    evaluator: TabularEvaluator
    trace: IntensityTrace
    ref_point_min: np.ndarray
    hv_max: float
    checksums: dict[str, str]


def _data_path(cfg: ExperimentConfig, rel: str, key: str, data_dir: Path | None) -> Path:
    p = Path(rel).expanduser()
    if not p.is_absolute():
        try:
            root = resolve_data_dir(data_dir)
        except CenasError as e:
            raise ConfigError(f"{cfg.label}: {key}: {e}") from None
        p = root / p
    if not p.is_file():
        raise ConfigError(f"{cfg.label}: {key}: file {str(p)!r} does not exist")
    return p.resolve()


@functools.lru_cache(maxsize=8)
def _benchmark(
    name: str,
    data_dir: Path | None,
    hwnas: Path | None,
    hwnas_sha256: str | None,
    unverified: bool,
) -> Benchmark:
    kwargs: dict[str, Any] = {}
    if hwnas is not None:
        kwargs = {
            "hwnas_path": hwnas,
            "hwnas_sha256": hwnas_sha256,
            "allow_unverified_pickle": unverified,
        }
    return get_benchmark(name, data_dir, **kwargs)


@functools.lru_cache(maxsize=8)
def _trace(path: Path, kind: str | None) -> tuple[IntensityTrace, str]:
    return load_trace(path, kind=kind), sha256_file(path)


_INPUTS: dict[tuple[Any, ...], Inputs] = {}


def _inputs_key(cfg: ExperimentConfig, data_dir: Path | None) -> tuple[Any, ...]:
    return (
        cfg.label,
        cfg.benchmark,
        str(cfg.objectives),
        cfg.ref_point,
        tuple(sorted(cfg.estimates.items())),
        cfg.hwnas,
        cfg.hwnas_sha256,
        cfg.allow_unverified_pickle,
        cfg.trace,
        cfg.trace_kind,
        cfg.sim.train_time_scale,
        data_dir,
    )


def _inputs(cfg: ExperimentConfig, data_dir: Path | None) -> Inputs:
    key = _inputs_key(cfg, data_dir)
    if key not in _INPUTS:
        if len(_INPUTS) >= 8:
            _INPUTS.clear()
        _INPUTS[key] = _load_inputs(cfg, data_dir)
    return _INPUTS[key]


def _load_inputs(cfg: ExperimentConfig, data_dir: Path | None) -> Inputs:
    hw = _data_path(cfg, cfg.hwnas, "benchmark.hwnas", data_dir) if cfg.hwnas else None
    try:
        bench = _benchmark(
            cfg.benchmark, data_dir, hw, cfg.hwnas_sha256, cfg.allow_unverified_pickle
        )
    except BenchmarkError as e:
        raise ConfigError(f"{cfg.label}: benchmark.name: {e}") from None
    except DataFileMissingError as e:
        raise ConfigError(f"{cfg.label}: benchmark: {e}") from None
    for o in cfg.objectives.items:
        if o.metric not in bench.metrics:
            hint = (
                " (an HW-NAS-Bench metric: set benchmark.hwnas to the pickle)"
                if o.metric.startswith("hw_")
                else ""
            )
            raise ConfigError(
                f"{cfg.label}: benchmark.objectives: unknown metric {o.metric!r} for benchmark "
                f"{bench.name!r}{hint}; available: {', '.join(bench.metrics)}"
            )
    try:
        ev = TabularEvaluator(
            bench,
            cfg.objectives,
            train_time_scale=cfg.sim.train_time_scale,
            estimate_metrics=dict(cfg.estimates),
        )
    except (BenchmarkError, ConfigError) as e:
        raise ConfigError(f"{cfg.label}: benchmark.estimates: {e}") from None
    trace_path = _data_path(cfg, cfg.trace, "carbon.trace", data_dir)
    trace, trace_sha = _trace(trace_path, cfg.trace_kind)
    ref = cfg.objectives.to_min(list(cfg.ref_point))
    true_all = ev.all_true
    finite = np.isfinite(true_all).all(axis=1)
    hv_max = hypervolume(true_all[finite], ref)
    checksums = dict(getattr(bench, "data_files", {}))
    checksums[str(cfg.trace)] = trace_sha
    return Inputs(ev, trace, ref, hv_max, checksums)


def load_inputs(cfg: ExperimentConfig, data_dir: str | Path | None = None) -> Inputs:
    """Load (once per process) the benchmark, evaluator, trace, HV_max and data checksums.

    Raises:
        ConfigError: naming the file and key for a missing file or an unknown metric.
    """
    return _inputs(cfg, Path(data_dir).resolve() if data_dir is not None else None)


def _sampler(cfg: ExperimentConfig) -> RegionSampler:
    if cfg.sampler == "qnehvi":
        try:
            return QNEHVISampler(**dict(cfg.sampler_params))
        except TypeError as e:
            raise ConfigError(f"{cfg.label}: search.sampler_params: {e}") from None
    if cfg.sampler_params:
        raise ConfigError(f"{cfg.label}: search.sampler_params: the uniform sampler has none")
    return UniformRegionSampler()


def _forecaster(
    cfg: ExperimentConfig, name: str, method: str, window: tuple[Any, Any], data_dir: Any
) -> Any:
    from cenas.forecast import HistoryForecaster, check_no_overlap

    f = _load_forecaster(cfg, name, method)
    where = f"{cfg.label}: methods {method!r} forecaster"
    try:
        # A model trained on the simulated hours would schedule with the answers in hand.
        check_no_overlap(f.training_, *window, f"{where} {name!r}")
        if cfg.forecast_history is None:
            return f
        path = _data_path(cfg, cfg.forecast_history, "carbon.forecast_history", data_dir)
        return HistoryForecaster(f, _history_trace(path))
    except CenasError as e:
        raise ConfigError(str(e) if str(e).startswith(cfg.label) else f"{where}: {e}") from None


@functools.lru_cache(maxsize=4)
def _history_trace(path: Path) -> IntensityTrace:
    return load_trace(path)


def _load_forecaster(cfg: ExperimentConfig, name: str, method: str) -> Any:
    from cenas.errors import ForecastError
    from cenas.forecast import MODELS, Forecaster, make_forecaster

    where = f"{cfg.label}: methods {method!r} forecaster"
    try:
        if name in MODELS:
            f = make_forecaster(name)
            if f.needs_fit:
                raise ConfigError(
                    f"{where}: {name!r} must be fitted first; give the directory of a saved, "
                    "fitted model (cenas forecast) instead"
                )
            return f
        path = Path(name).expanduser()
        if not path.is_absolute() and cfg.path is not None:
            path = cfg.path.parent / path
        if not path.is_dir():
            raise ConfigError(
                f"{where}: {name!r} is neither a model that needs no fitting "
                f"({', '.join(k for k in MODELS if not MODELS[k]().needs_fit)}) nor a saved model "
                "directory"
            )
        return Forecaster.load(path)
    except ForecastError as e:
        raise ConfigError(f"{where}: {e}") from None


def build_spec(cfg: ExperimentConfig, key: RunKey, data_dir: str | Path | None = None) -> RunSpec:
    """The :class:`RunSpec` of one run of a configuration.

    Raises:
        ConfigError: for an unknown method or window, or a trace that does not cover the run.
    """
    inputs = load_inputs(cfg, data_dir)
    method = cfg.method(key.method)
    window = cfg.window(key.window)
    horizon_h = cfg.horizon_h(window, budgeted=key.budgeted)
    budget = key.budget_g if key.budget_g is not None else cfg.sim.carbon_budget_g
    if key.budget_fraction is not None:
        if key.budget_g is not None:
            raise ConfigError("give a carbon budget in gCO2eq or as a fraction, not both")
        start = float(window.start.value) / 1e9
        budget = key.budget_fraction * all_gpus_carbon_g(
            cfg.sim, inputs.trace, start, start + horizon_h * 3600.0
        )
    sim = SimConfig(
        **{
            **{f: getattr(cfg.sim, f) for f in SimConfig.field_names()},
            "horizon_h": horizon_h,
            "carbon_budget_g": budget,
            # a method may set its own Cap(R) (the engine reads it from here)
            "queue_capacity": method.search.get("queue_capacity", cfg.sim.queue_capacity),
        }
    )
    from dataclasses import replace

    tr = inputs.trace
    start_s = float(window.start.value) / 1e9
    if not (tr.start_s <= start_s and start_s + horizon_h * 3600 <= tr.end_s):
        raise ConfigError(
            f"{cfg.label}: carbon.trace {tr.source.label} covers [{tr.start.isoformat()}, "
            f"{tr.end.isoformat()}) but window {window.name!r} needs {horizon_h:g} h from "
            f"{window.start.isoformat()}"
        )
    return RunSpec(
        evaluator=inputs.evaluator,
        trace=tr,
        start_s=start_s,
        policy=make_policy(
            method.policy,
            {
                **dict(method.params),
                **(
                    {
                        "forecaster": _forecaster(
                            cfg,
                            method.forecaster,
                            method.name,
                            (window.start, window.start + pd.Timedelta(hours=horizon_h)),
                            data_dir,
                        )
                    }
                    if method.forecaster
                    else {}
                ),
            },
        ),
        sim=sim,
        search=replace(cfg.search, mode=method.mode, **dict(method.search)),
        ref_point=inputs.ref_point_min,
        lamoo=LaMOO(**dict(cfg.lamoo)),
        sampler=_sampler(cfg),
        method=method.name,
        window=window.name,
        seed=key.seed,
        hv_max=inputs.hv_max,
        meta={
            "config_file": cfg.label,
            "config": dict(cfg.raw),
            "data_checksums": inputs.checksums,
            "trace": str(cfg.trace),
            "budget_g": sim.carbon_budget_g,
            "budget_fraction": key.budget_fraction,
        },
    )


def run_config(cfg: ExperimentConfig, key: RunKey, data_dir: str | Path | None = None) -> RunResult:
    """Build and simulate one run of a configuration."""
    return simulate(build_spec(cfg, key, data_dir))
