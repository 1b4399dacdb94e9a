"""Experiment configuration files (TOML, read with the standard library's ``tomllib``).

Layout (every table optional except ``[benchmark]``, ``[carbon]`` and ``[[methods]]``; unknown
keys are errors)::

    [benchmark]
    name = "nb201"
    objectives = ["cifar10_test_acc:max", "latency_raspi4_ms:min"]
    ref_point = [0.0, 100.0]              # natural units, one per objective
    estimates = { cifar10_test_acc = "oneshot_cifar10_acc" }   # optional override
    hwnas = "nas/nb201/HW-NAS-Bench-v1_0.pickle"               # optional, data-dir relative
    hwnas_sha256 = "..."                  # or allow_unverified_pickle = true

    [carbon]
    trace = "carbon/electricitymaps/US-CAL-CISO_2021_hourly.csv"   # data-dir relative
    windows = ["trace1"]                  # paper windows, or ISO start times
    kind = "direct"                       # optional: which intensity column to read
    forecast_history = "carbon/dacf/CISO_direct_emissions.csv"  # optional: forecasters' history

    [sim]                                 # SimConfig fields
    gpus = 8
    horizon_h = 41
    accounting = "full"                   # or "reference" (training GPU-hours x intensity)
    power_off_w = 0.0                     # the idle share a policy chooses: powered off

    [search]                              # SearchSettings fields, plus the sampler
    sampler = "uniform"                   # or "qnehvi"
    fill_before_fit = false               # queue hygiene (see cenas.search.SearchSettings)
    drop_stale = true
    rank_by = "predicted-hvi"
    [search.lamoo]                        # LaMOO constructor arguments
    leaf_size = 15

    [[methods]]
    name = "CE-NAS"
    policy = "heuristic"                  # a name of cenas.alloc.POLICIES
    lookahead_h = 24                      # policy parameters
    forecaster = "persistence"            # optional (policies that forecast): a model name or
                                          # saved model; absent: the ORACLE look-ahead
    mode = "cenas"                        # optional; by default from the policy
    search = { direct_when_empty = true } # optional: [search] fields for this method only

    [experiment]
    seeds = 10
    first_seed = 0
    carbon_budgets_g = [5000.0, 10000.0]
    carbon_budget_fractions = [0.1, 0.2, 0.4]   # of vanilla LaMOO's unbudgeted carbon
    budget_horizon_h = 168                # runs under a budget may go on longer (optional)
    jobs = 2
"""

from __future__ import annotations

import inspect
import math
import tomllib
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cenas.alloc import POLICIES, make_policy
from cenas.bench import Objectives
from cenas.errors import CenasError, ConfigError
from cenas.moo import SelectStrategy, SvmKernel
from cenas.search import SearchMode, SearchSettings
from cenas.sim._config import (
    DEFAULT_MODES,
    SAMPLERS,
    ExperimentConfig,
    MethodSpec,
    _parse_window,
)
from cenas.sim._params import SimConfig
from cenas.sim._toml_table import _floats, _strings, _Table

__all__ = ["load_config", "parse_config"]

_LAMOO_KEYS = {
    "cp": (float, type(None)),
    "kernel": (str,),
    "degree": (int,),
    "leaf_size": (int,),
    "max_depth": (int,),
    "svm_c": (float,),
}


def _search_kwargs(se: _Table, *, method: bool = False) -> dict[str, Any]:
    """The :class:`SearchSettings` fields a ``[search]`` table (or a method's ``search`` table)
    sets, typed; mode and the initial design come from elsewhere, Cap(R) from ``[sim]`` unless
    a method sets its own."""
    out: dict[str, Any] = {}
    for f in fields(SearchSettings):
        if f.name in ("mode", "initial_samples") or (f.name == "queue_capacity" and not method):
            continue  # per method / from [sim]
        if not se.has(f.name):
            continue
        if f.name == "strategy":
            v = se.get(f.name, (str,))
            try:
                out[f.name] = SelectStrategy(v)
            except ValueError:
                raise ConfigError(
                    f"{se.where(f.name)} must be one of "
                    f"{', '.join(x.value for x in SelectStrategy)}, got {v!r}"
                ) from None
        elif f.name == "refit_growth":
            out[f.name] = se.get(f.name, (float,))
        elif f.name in ("fill_before_fit", "drop_stale", "direct_when_empty"):
            out[f.name] = se.get(f.name, (bool,))
        elif f.name == "rank_by":
            out[f.name] = se.get(f.name, (str,))
        else:
            out[f.name] = se.get(f.name, (int,))
    return out


def parse_config(data: Mapping[str, Any], label: str = "<config>") -> ExperimentConfig:
    """Validate a parsed TOML document.

    Raises:
        ConfigError: naming the file and key, for unknown keys, wrong types, unknown policies,
            samplers, modes or windows, and inconsistent values.
    """
    root = _Table(label, "", dict(data))
    # ---------------------------------------------------------------- benchmark
    b = _Table(label, "benchmark", root.get("benchmark", (dict,)))
    bench_name = b.get("name", (str,), "nb201")
    obj_items = _strings(b, "objectives")
    try:
        objectives = Objectives.parse(list(obj_items))
    except ConfigError as e:
        raise ConfigError(f"{b.where('objectives')}: {e}") from None
    ref = _floats(b, "ref_point")
    if len(ref) != len(objectives):
        raise ConfigError(
            f"{b.where('ref_point')} must have one value per objective ({len(objectives)}), "
            f"got {len(ref)}"
        )
    est = b.get("estimates", (dict,), {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in est.items()):
        raise ConfigError(f"{b.where('estimates')} must map metric names to metric names")
    hwnas = b.get("hwnas", (str,), None)
    hwnas_sha = b.get("hwnas_sha256", (str,), None)
    unverified = b.get("allow_unverified_pickle", (bool,), False)
    b.finish()
    # ---------------------------------------------------------------- carbon
    c = _Table(label, "carbon", root.get("carbon", (dict,)))
    trace = c.get("trace", (str,))
    windows = tuple(_parse_window(w, label, "carbon.windows") for w in _strings(c, "windows"))
    kind = c.get("kind", (str,), None)
    forecast_history = c.get("forecast_history", (str,), None)
    c.finish()
    # ---------------------------------------------------------------- sim
    s = _Table(label, "sim", root.get("sim", (dict,), {}))
    sim_kwargs: dict[str, Any] = {}
    for f in fields(SimConfig):
        if not s.has(f.name):
            s.used.add(f.name)
            continue
        if f.name in ("gpus", "queue_capacity", "initial_samples"):
            sim_kwargs[f.name] = s.get(f.name, (int,))
        elif f.name in ("idle_evaluation_gpus_sample", "budget_guard"):
            sim_kwargs[f.name] = s.get(f.name, (bool,))
        elif f.name == "accounting":
            sim_kwargs[f.name] = s.get(f.name, (str,))
        elif f.name == "power_off_w":
            sim_kwargs[f.name] = s.get(f.name, (float,), None)
        else:
            sim_kwargs[f.name] = s.get(f.name, (float,))
    s.finish()
    try:
        sim = SimConfig(**sim_kwargs)
    except ConfigError as e:
        raise ConfigError(f"{label}: {e}") from None
    # ---------------------------------------------------------------- search
    se = _Table(label, "search", root.get("search", (dict,), {}))
    search_kwargs = _search_kwargs(se)
    sampler = se.get("sampler", (str,), "uniform")
    if sampler not in SAMPLERS:
        raise ConfigError(
            f"{se.where('sampler')} must be one of {', '.join(SAMPLERS)}, got {sampler!r}"
        )
    sampler_params = se.get("sampler_params", (dict,), {})
    lamoo_t = _Table(label, "search.lamoo", se.get("lamoo", (dict,), {}))
    lamoo: dict[str, Any] = {}
    for k, types in _LAMOO_KEYS.items():
        if lamoo_t.has(k):
            lamoo[k] = lamoo_t.get(k, types)
    if "kernel" in lamoo:
        try:
            lamoo["kernel"] = SvmKernel(lamoo["kernel"])
        except ValueError:
            raise ConfigError(
                f"{lamoo_t.where('kernel')} must be one of "
                f"{', '.join(x.value for x in SvmKernel)}, got {lamoo['kernel']!r}"
            ) from None
    lamoo_t.finish()
    se.finish()
    try:
        search = SearchSettings(
            queue_capacity=sim.queue_capacity,
            initial_samples=sim.initial_samples,
            **search_kwargs,
        )
    except ConfigError as e:
        raise ConfigError(f"{label}: search: {e}") from None
    # ---------------------------------------------------------------- methods
    raw_methods = root.get("methods", (list,))
    if not raw_methods:
        raise ConfigError(f"{label}: methods must list at least one method")
    methods: list[MethodSpec] = []
    for pos, md in enumerate(raw_methods):
        mt = _Table(label, f"methods[{pos}]", md)
        name = mt.get("name", (str,))
        policy = mt.get("policy", (str,))
        if policy not in POLICIES:
            raise ConfigError(
                f"{mt.where('policy')}: unknown allocation policy {policy!r}; available: "
                f"{', '.join(POLICIES)}"
            )
        mode_s = mt.get("mode", (str,), None)
        try:
            mode = SearchMode(mode_s) if mode_s else DEFAULT_MODES.get(policy, SearchMode.CENAS)
        except ValueError:
            raise ConfigError(
                f"{mt.where('mode')} must be one of {', '.join(m.value for m in SearchMode)}, "
                f"got {mode_s!r}"
            ) from None
        forecaster = mt.get("forecaster", (str,), None)
        if (
            forecaster is not None
            and "forecaster" not in inspect.signature(POLICIES[policy]).parameters
        ):
            raise ConfigError(
                f"{mt.where('forecaster')}: policy {policy!r} uses no forecaster; policies that "
                "do: "
                + ", ".join(
                    k
                    for k, c in POLICIES.items()
                    if "forecaster" in inspect.signature(c).parameters
                )
            )
        msearch: dict[str, Any] = {}
        if mt.has("search"):
            st = _Table(label, f"methods[{pos}].search", mt.get("search", (dict,)))
            msearch = _search_kwargs(st, method=True)
            st.finish()
            try:
                replace(search, **msearch)
            except ConfigError as e:
                raise ConfigError(f"{label}: methods {name!r}: search: {e}") from None
        reserved = ("name", "policy", "mode", "forecaster", "search")
        params = {key: v for key, v in md.items() if key not in reserved}
        mt.used.update(params)
        mt.finish()
        try:
            make_policy(policy, params)
        except ConfigError as e:
            raise ConfigError(f"{label}: methods {name!r}: {e}") from None
        if any(m.name == name for m in methods):
            raise ConfigError(f"{mt.where('name')}: method name {name!r} is used twice")
        methods.append(
            MethodSpec(
                name,
                policy,
                MappingProxyType(dict(params)),
                mode,
                forecaster,
                MappingProxyType(msearch),
            )
        )
    # ---------------------------------------------------------------- experiment
    ex = _Table(label, "experiment", root.get("experiment", (dict,), {}))
    seeds = ex.get("seeds", (int,), 10)
    first_seed = ex.get("first_seed", (int,), 0)
    budgets = _floats(ex, "carbon_budgets_g", ())
    fractions = _floats(ex, "carbon_budget_fractions", ())
    if any(not x > 0 for x in fractions):
        raise ConfigError(
            f"{ex.where('carbon_budget_fractions')} must be > 0 (fractions of vanilla LaMOO's "
            f"unbudgeted carbon), got {fractions}"
        )
    budget_horizon = ex.get("budget_horizon_h", (float,), None)
    if budget_horizon is not None and not (math.isfinite(budget_horizon) and budget_horizon > 0):
        raise ConfigError(f"{ex.where('budget_horizon_h')} must be > 0 hours, got {budget_horizon}")
    jobs = ex.get("jobs", (int,), 2)
    ex.finish()
    if seeds < 1 or first_seed < 0 or jobs < 1:
        raise ConfigError(
            f"{label}: experiment.needs seeds >= 1, first_seed >= 0 and jobs >= 1, got "
            f"{seeds}, {first_seed}, {jobs}"
        )
    if any(x <= 0 for x in budgets):
        raise ConfigError(f"{label}: experiment.carbon_budgets_g must be > 0, got {budgets}")
    root.finish()
    return ExperimentConfig(
        path=None if label == "<config>" else Path(label),
        benchmark=bench_name,
        objectives=objectives,
        ref_point=ref,
        estimates=MappingProxyType(dict(est)),
        hwnas=hwnas,
        hwnas_sha256=hwnas_sha,
        allow_unverified_pickle=unverified,
        trace=trace,
        trace_kind=kind,
        windows=windows,
        sim=sim,
        search=search,
        sampler=sampler,
        sampler_params=MappingProxyType(dict(sampler_params)),
        lamoo=MappingProxyType(lamoo),
        methods=tuple(methods),
        seeds=seeds,
        first_seed=first_seed,
        carbon_budgets_g=budgets,
        carbon_budget_fractions=fractions,
        budget_horizon_h=budget_horizon,
        jobs=jobs,
        raw=dict(data),
        forecast_history=forecast_history,
    )


def load_config(path: str | Path) -> ExperimentConfig:
    """Read and validate a TOML configuration file.

    Raises:
        ConfigError: for a missing or unreadable file, invalid TOML, or invalid contents (the
            message names the file and the key).
    """
    p = Path(path)
    try:
        text = p.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"configuration file {str(p)!r} does not exist") from None
    except OSError as e:
        raise ConfigError(f"cannot read configuration file {str(p)!r}: {e.strerror}") from None
    try:
        data = tomllib.loads(text.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{p}: not valid TOML: {e}") from None
    try:
        return parse_config(data, str(p))
    except ConfigError:
        raise
    except CenasError as e:  # another validation error from a constructor: name the file
        raise ConfigError(f"{p}: {e}") from None
