"""The training configuration of a learned policy (``configs/rl_*.toml``).

Layout (every key but ``experiment`` and ``traces`` has a default)::

    [rl]
    experiment = "nb201_trace1.toml"   # benchmark, sim and search settings (relative to this file)
    method = "CE-NAS hybrid"           # whose search settings (Cap(R), direct proposals) to use
    algorithm = "ppo"                  # or "a2c" (the paper's actor-critic)
    action = "discrete"                # or "continuous"
    levels = 10                        # evaluation-share levels of the discrete action
    input = "forecast"                 # or "oracle" (the trace's future, the upper bound)
    forecaster = "persistence"         # a forecaster that needs no fitting
    timesteps = 20000                  # environment steps (one per allocation interval)
    seed = 0
    budget_fractions = [0.1, 0.2, 0.4] # drawn per episode, fractions of vanilla's carbon ...
    unbudgeted_share = 0.25            # ... or, this often, no budget
    holdout_years = [2021, 2023]       # training windows must not touch these years
    plan_h = 48.0
    work_fraction = 0.3
    learning_rate = 3e-4
    ent_coef = 0.01
    warm_start_episodes = 0            # imitate the hybrid planner first (see _warmstart.py)
    warm_start_epochs = 30

    [rl.reward]                        # per interval:
    hv = 1.0                           #   x drop of log(HV_max - HV)
    carbon = 2.0                       #   x carbon / vanilla's carbon on the window (no budget)
    carbon_budgeted = 0.5              #   the same under a budget
    samples = 0.0                      #   x new trainings / 100

    [[rl.traces]]                      # training windows start in [first_start, last_start]
    file = "carbon/dacf/CISO_direct_emissions.csv"
    kind = "direct"
    first_start = "2020-01-02T00:00"
    last_start = "2020-12-29T00:00"
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cenas.errors import ConfigError
from cenas.rl._features import ActionKind, ActionMap

__all__ = ["RLConfig", "RewardWeights", "TrainingTrace", "load_rl_config", "parse_rl_config"]


@dataclass(frozen=True)
class RewardWeights:
    """Weights of the per-interval reward (see the module docstring)."""

    hv: float = 1.0
    carbon: float = 2.0
    carbon_budgeted: float = 0.5
    samples: float = 0.0


@dataclass(frozen=True)
class TrainingTrace:
    """A trace file and the range its episodes' windows start in (UTC)."""

    file: str
    first_start: pd.Timestamp
    last_start: pd.Timestamp
    kind: str | None = None


@dataclass(frozen=True)
class RLConfig:
    """A parsed training configuration (see the module docstring for the keys)."""

    experiment: Path
    traces: tuple[TrainingTrace, ...]
    method: str = "CE-NAS hybrid"
    algorithm: str = "ppo"
    action: ActionMap = field(default_factory=lambda: ActionMap(ActionKind.DISCRETE))
    oracle: bool = False
    forecaster: str = "persistence"
    timesteps: int = 20000
    seed: int = 0
    budget_fractions: tuple[float, ...] = (0.1, 0.2, 0.4)
    unbudgeted_share: float = 0.25
    holdout_years: tuple[int, ...] = (2021, 2023)
    plan_h: float = 48.0
    work_fraction: float = 0.3
    learning_rate: float = 3e-4
    ent_coef: float = 0.01
    warm_start_episodes: int = 0
    warm_start_epochs: int = 30
    reward: RewardWeights = field(default_factory=RewardWeights)
    raw: dict[str, Any] = field(default_factory=dict)
    label: str = "<rl config>"


_ALGORITHMS = ("ppo", "a2c")


def _get(t: dict[str, Any], key: str, types: tuple[type, ...], default: Any, where: str) -> Any:
    if key not in t:
        if default is ...:
            raise ConfigError(f"{where}.{key} is required")
        return default
    v = t[key]
    if float in types and isinstance(v, int) and not isinstance(v, bool):
        v = float(v)
    if not isinstance(v, types) or (isinstance(v, bool) and bool not in types):
        names = " or ".join(x.__name__ for x in types)
        raise ConfigError(f"{where}.{key} must be {names}, got {v!r}")
    return v


def _unknown(t: dict[str, Any], known: set[str], where: str) -> None:
    extra = sorted(set(t) - known)
    if extra:
        raise ConfigError(
            f"{where}.{extra[0]}: unknown key; known keys: {', '.join(sorted(known))}"
        )


def _timestamp(v: str, where: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(v)
    except (ValueError, TypeError):
        ts = None
    if ts is None or pd.isna(ts):
        raise ConfigError(f"{where} must be an ISO time such as 2020-01-02T00:00, got {v!r}")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def parse_rl_config(data: dict[str, Any], label: str, base: Path | None = None) -> RLConfig:
    """Validate a parsed TOML document (see the module docstring).

    Args:
        data: the parsed TOML.
        label: the file name, for messages.
        base: the directory relative paths are taken from.

    Raises:
        ConfigError: naming the file and key for a wrong type, value or unknown key, and for a
            training window in a held-out year.
    """
    w = f"{label}: rl"
    rl = data.get("rl")
    if not isinstance(rl, dict):
        raise ConfigError(f"{label}: an [rl] table is required")
    _unknown(data, {"rl"}, label)
    exp = Path(_get(rl, "experiment", (str,), ..., w))
    if not exp.is_absolute() and base is not None:
        exp = base / exp
    algo = _get(rl, "algorithm", (str,), "ppo", w)
    if algo not in _ALGORITHMS:
        raise ConfigError(f"{w}.algorithm must be one of {', '.join(_ALGORITHMS)}, got {algo!r}")
    kind_s = _get(rl, "action", (str,), "discrete", w)
    try:
        action = ActionMap(ActionKind(kind_s), _get(rl, "levels", (int,), 10, w))
    except ValueError as e:
        if isinstance(e, ConfigError):
            raise ConfigError(f"{w}.levels: {e}") from None
        raise ConfigError(f"{w}.action must be discrete or continuous, got {kind_s!r}") from None
    inp = _get(rl, "input", (str,), "forecast", w)
    if inp not in ("forecast", "oracle"):
        raise ConfigError(f"{w}.input must be forecast or oracle, got {inp!r}")
    timesteps = _get(rl, "timesteps", (int,), 20000, w)
    seed = _get(rl, "seed", (int,), 0, w)
    if timesteps < 1 or seed < 0:
        raise ConfigError(f"{w}: timesteps must be >= 1 and seed >= 0, got {timesteps}, {seed}")
    fracs = _get(rl, "budget_fractions", (list,), [0.1, 0.2, 0.4], w)
    if not all(
        isinstance(f, int | float) and not isinstance(f, bool) and 0 < f <= 1 for f in fracs
    ):
        raise ConfigError(f"{w}.budget_fractions must be numbers in (0, 1], got {fracs!r}")
    share = _get(rl, "unbudgeted_share", (float,), 0.25, w)
    if not 0.0 <= share <= 1.0 or (share < 1.0 and not fracs):
        raise ConfigError(
            f"{w}.unbudgeted_share must be in [0, 1] (1 when budget_fractions is empty), got "
            f"{share!r}"
        )
    years = _get(rl, "holdout_years", (list,), [2021, 2023], w)
    if not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        raise ConfigError(f"{w}.holdout_years must be an array of years, got {years!r}")
    plan_h = _get(rl, "plan_h", (float,), 48.0, w)
    wf = _get(rl, "work_fraction", (float,), 0.3, w)
    if not (math.isfinite(plan_h) and plan_h >= 1.0 and 0.0 < wf <= 1.0):
        raise ConfigError(
            f"{w}: plan_h must be >= 1 and work_fraction in (0, 1], got {plan_h}, {wf}"
        )
    lr = _get(rl, "learning_rate", (float,), 3e-4, w)
    ent = _get(rl, "ent_coef", (float,), 0.01, w)
    ws_n = _get(rl, "warm_start_episodes", (int,), 0, w)
    ws_e = _get(rl, "warm_start_epochs", (int,), 30, w)
    if not (0 < lr < 1 and 0 <= ent < 1 and ws_n >= 0 and ws_e >= 1):
        raise ConfigError(
            f"{w}: learning_rate must be in (0, 1), ent_coef in [0, 1), warm_start_episodes "
            f">= 0 and warm_start_epochs >= 1; got {lr}, {ent}, {ws_n}, {ws_e}"
        )
    rw = _get(rl, "reward", (dict,), {}, w)
    _unknown(rw, set(RewardWeights.__dataclass_fields__), f"{w}.reward")
    kw = {k: _get(rw, k, (float,), getattr(RewardWeights(), k), f"{w}.reward") for k in rw}
    raw_traces = _get(rl, "traces", (list,), ..., w)
    if not raw_traces:
        raise ConfigError(f"{w}.traces must list at least one training trace")
    traces = []
    for i, t in enumerate(raw_traces):
        tw = f"{w}.traces[{i}]"
        if not isinstance(t, dict):
            raise ConfigError(f"{tw} must be a table")
        _unknown(t, {"file", "kind", "first_start", "last_start"}, tw)
        first = _timestamp(_get(t, "first_start", (str,), ..., tw), f"{tw}.first_start")
        last = _timestamp(_get(t, "last_start", (str,), ..., tw), f"{tw}.last_start")
        if last < first:
            raise ConfigError(f"{tw}: last_start {last} is before first_start {first}")
        # the window reaches up to two days past its start: none of it may be in a held-out year
        touched = set(range(first.year, (last + pd.Timedelta(hours=72)).year + 1))
        bad = sorted(touched & set(years))
        if bad:
            raise ConfigError(
                f"{tw}: training windows from {first} to {last} (+ the horizon) reach into "
                f"held-out year {bad[0]} (rl.holdout_years): evaluation data must not be trained on"
            )
        tr = TrainingTrace(
            _get(t, "file", (str,), ..., tw), first, last, _get(t, "kind", (str,), None, tw)
        )
        traces.append(tr)
    known = {
        "experiment", "method", "algorithm", "action", "levels", "input", "forecaster",
        "timesteps", "seed", "budget_fractions", "unbudgeted_share", "holdout_years", "plan_h",
        "work_fraction", "reward", "traces", "learning_rate", "ent_coef", "warm_start_episodes",
        "warm_start_epochs",
    }  # fmt: skip
    _unknown(rl, known, w)
    return RLConfig(
        experiment=exp,
        traces=tuple(traces),
        method=_get(rl, "method", (str,), "CE-NAS hybrid", w),
        algorithm=algo,
        action=action,
        oracle=inp == "oracle",
        forecaster=_get(rl, "forecaster", (str,), "persistence", w),
        timesteps=timesteps,
        seed=seed,
        budget_fractions=tuple(float(f) for f in fracs),
        unbudgeted_share=share,
        holdout_years=tuple(years),
        plan_h=plan_h,
        work_fraction=wf,
        learning_rate=lr,
        ent_coef=ent,
        warm_start_episodes=ws_n,
        warm_start_epochs=ws_e,
        reward=RewardWeights(**kw),
        raw=data,
        label=label,
    )


def load_rl_config(path: str | Path) -> RLConfig:
    """Read and validate a training configuration file.

    Raises:
        ConfigError: for a missing or unreadable file, invalid TOML or invalid contents.
    """
    p = Path(path)
    try:
        data = tomllib.loads(p.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"configuration file {str(p)!r} does not exist") from None
    except OSError as e:
        raise ConfigError(f"cannot read configuration file {str(p)!r}: {e.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{p}: not valid TOML: {e}") from None
    return parse_rl_config(data, str(p), p.resolve().parent)
