"""Experiment configuration: the validated, typed form of a TOML config file.

:class:`ExperimentConfig` (with its :class:`MethodSpec` and :class:`WindowSpec`) is what
:func:`~cenas.sim.load_config` / :func:`~cenas.sim.parse_config` return; the file layout and
its validation live in :mod:`cenas.sim._config_toml`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from cenas.bench import Objectives
from cenas.carbon import PAPER_WINDOWS
from cenas.errors import ConfigError
from cenas.search import SearchMode, SearchSettings
from cenas.sim._params import SimConfig

__all__ = [
    "DEFAULT_MODES",
    "SAMPLERS",
    "ExperimentConfig",
    "MethodSpec",
    "WindowSpec",
]

DEFAULT_MODES: Mapping[str, SearchMode] = MappingProxyType(
    {
        "all-evaluation": SearchMode.VANILLA,
        "all-sampling": SearchMode.ONESHOT,
        "threshold": SearchMode.VANILLA,
        "carbonscaler": SearchMode.VANILLA,
    }
)
"""The search mode a policy implies when a method does not name one (else ``cenas``)."""

SAMPLERS = ("uniform", "qnehvi")
"""In-region samplers a config can name."""


@dataclass(frozen=True)
class MethodSpec:
    """One method of an experiment: a name, an allocation policy and a search mode.

    Attributes:
        name: the method's name (legends, tables, ``--method``).
        policy: a name of :data:`cenas.alloc.POLICIES`.
        params: the policy's keyword parameters.
        mode: the search mode.
        forecaster: for the heuristic, a :mod:`cenas.forecast` model that needs no fitting
            (``persistence``, ``seasonal-naive``), or the directory of a saved, fitted model;
            None reads the trace's look-ahead (an oracle).
        search: :class:`SearchSettings` fields this method sets over ``[search]`` (a
            ``search`` table in the method's entry).
    """

    name: str
    policy: str
    params: Mapping[str, Any]
    mode: SearchMode
    forecaster: str | None = None
    search: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class WindowSpec:
    """Where in the trace a run starts.

    Attributes:
        name: the paper window's name, or the ISO start as written.
        start: the start (UTC).
        hours: the window's length (41 for the paper windows), None for a bare start time.
    """

    name: str
    start: pd.Timestamp
    hours: float | None


@dataclass(frozen=True, eq=False)
class ExperimentConfig:
    """A parsed, validated configuration file (see the module docstring for the layout)."""

    path: Path | None
    benchmark: str
    objectives: Objectives
    ref_point: tuple[float, ...]
    estimates: Mapping[str, str]
    hwnas: str | None
    hwnas_sha256: str | None
    allow_unverified_pickle: bool
    trace: str
    trace_kind: str | None
    windows: tuple[WindowSpec, ...]
    sim: SimConfig
    search: SearchSettings
    sampler: str
    sampler_params: Mapping[str, Any]
    lamoo: Mapping[str, Any]
    methods: tuple[MethodSpec, ...]
    seeds: int = 10
    first_seed: int = 0
    carbon_budgets_g: tuple[float, ...] = ()
    carbon_budget_fractions: tuple[float, ...] = ()
    budget_horizon_h: float | None = None
    jobs: int = 2
    raw: dict[str, Any] = field(default_factory=dict)
    forecast_history: str | None = None

    @property
    def label(self) -> str:
        """The file name, for messages."""
        return str(self.path) if self.path is not None else "<config>"

    def method(self, name: str | None) -> MethodSpec:
        """A method by name (the first when None)."""
        if name is None:
            return self.methods[0]
        for m in self.methods:
            if m.name == name:
                return m
        raise ConfigError(
            f"{self.label}: no method named {name!r}; methods: "
            f"{', '.join(m.name for m in self.methods)}"
        )

    def window(self, name: str | None) -> WindowSpec:
        """A window by name (the first when None)."""
        if name is None:
            return self.windows[0]
        for w in self.windows:
            if w.name == name:
                return w
        return _parse_window(name, self.label, "--window")

    def horizon_h(self, window: WindowSpec, *, budgeted: bool = False) -> float:
        """The run length: ``experiment.budget_horizon_h`` for runs under a carbon budget when
        set, else ``sim.horizon_h``, else the window's length."""
        if budgeted and self.budget_horizon_h is not None:
            return self.budget_horizon_h
        if self.sim.horizon_h is not None:
            return self.sim.horizon_h
        if window.hours is None:
            raise ConfigError(
                f"{self.label}: sim.horizon_h is required for window {window.name!r}, which "
                "has no length of its own"
            )
        return window.hours

    def with_overrides(
        self,
        *,
        trace: str | None = None,
        seeds: int | None = None,
        jobs: int | None = None,
        first_seed: int | None = None,
    ) -> ExperimentConfig:
        """A copy with command-line overrides applied (and validated)."""

        out = self
        if trace is not None:
            out = replace(out, trace=str(trace))
        if seeds is not None:
            if seeds < 1:
                raise ConfigError(f"--seeds must be >= 1, got {seeds}")
            out = replace(out, seeds=int(seeds))
        if jobs is not None:
            if jobs < 1:
                raise ConfigError(f"--jobs must be >= 1, got {jobs}")
            out = replace(out, jobs=int(jobs))
        if first_seed is not None:
            if first_seed < 0:
                raise ConfigError(f"seed must be >= 0, got {first_seed}")
            out = replace(out, first_seed=int(first_seed))
        return out


def _parse_window(text: str, label: str, where: str) -> WindowSpec:
    if text in PAPER_WINDOWS:
        w = PAPER_WINDOWS[text]
        return WindowSpec(text, w.start, float(w.hours))
    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError):
        ts = None
    if ts is None or pd.isna(ts):
        raise ConfigError(
            f"{label}: {where}: {text!r} is neither a paper window "
            f"({', '.join(PAPER_WINDOWS)}) nor an ISO start time"
        )
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return WindowSpec(text, ts, None)
