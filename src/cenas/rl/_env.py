"""A gymnasium environment over the steppable simulator: one step per allocation interval.

Each episode is one simulated CE-NAS search (:class:`cenas.sim.Simulation`) on a window drawn by
an :data:`EpisodeSource` (for training: random windows of the training years, random budgets and
seeds, see :func:`training_episodes`). The observation is :class:`ObservationBuilder`'s (a
leak-free forecast, or the labelled ORACLE look-ahead); the action is :class:`ActionMap`'s.

Reward of an interval: ``hv`` x the drop of ``log(HV_max - HV)`` (so an episode's rewards sum to
the improvement of the log HV gap, the quantity the papers plot) minus ``carbon`` (or
``carbon_budgeted`` under a budget) x the interval's carbon over vanilla LaMOO's unbudgeted carbon
on the window, plus ``samples`` x new trainings / 100. The episode ends at the horizon or when the
budget is spent (``terminated``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from cenas.alloc import AllocationContext, ForecasterLike, Outlook
from cenas.errors import ConfigError
from cenas.rl._config import RewardWeights, RLConfig
from cenas.rl._features import OBS_BOUND, OBS_NAMES, ActionKind, ActionMap, ObservationBuilder
from cenas.sim import RunKey, RunSpec, Simulation, all_gpus_carbon_g, build_spec, load_config

__all__ = [
    "AllocationEnv",
    "Episode",
    "EpisodeSource",
    "episode_of",
    "make_forecaster_input",
    "training_episodes",
]


@dataclass(frozen=True)
class Episode:
    """One episode: the run and the carbon that normalises its reward (vanilla LaMOO's
    unbudgeted carbon on the same window, gCO2eq)."""

    spec: RunSpec
    reference_carbon_g: float


EpisodeSource = Callable[[np.random.Generator], Episode]
"""Draws an episode from the environment's random generator."""


def _log_gap(hv: float, hv_max: float) -> float:
    return math.log(max(hv_max - hv, 1e-9 * max(hv_max, 1.0)))


class AllocationEnv(gym.Env[NDArray[np.float32], NDArray[Any]]):
    """The allocation problem as a gymnasium environment (see the module docstring).

    Args:
        episodes: draws the episode of each :meth:`reset`.
        action: how actions map to allocations.
        forecaster: the outlook's forecaster; None: the trace's future (ORACLE).
        reward: the reward weights.
        plan_h: as :class:`ObservationBuilder`.
        work_fraction: as :class:`ObservationBuilder`.
    """

    metadata: dict[str, Any] = {"render_modes": []}  # noqa: RUF012 - gymnasium's API

    def __init__(
        self,
        episodes: EpisodeSource,
        action: ActionMap,
        *,
        forecaster: ForecasterLike | None = None,
        reward: RewardWeights | None = None,
        plan_h: float = 48.0,
        work_fraction: float = 0.3,
    ) -> None:
        self.episodes = episodes
        self.action_map = action
        self.reward_weights = reward or RewardWeights()
        self.features = ObservationBuilder(Outlook(forecaster), plan_h, work_fraction)
        n = len(OBS_NAMES)
        self.observation_space = gym.spaces.Box(-OBS_BOUND, OBS_BOUND, (n,), np.float32)
        self.action_space: gym.spaces.Space[Any]
        if action.kind is ActionKind.DISCRETE:
            self.action_space = gym.spaces.MultiDiscrete(list(action.nvec))
        else:
            self.action_space = gym.spaces.Box(0.0, 1.0, (2,), np.float32)
        self._sim: Simulation | None = None
        self._ctx: AllocationContext | None = None
        self._episode: Episode | None = None

    @property
    def context(self) -> AllocationContext | None:
        """The current decision point (None before :meth:`reset` and after the episode)."""
        return self._ctx

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[NDArray[np.float32], dict[str, Any]]:
        super().reset(seed=seed)
        self._episode = self.episodes(self.np_random)
        self._sim = Simulation(self._episode.spec, who="the RL agent")
        self.features.reset()
        ctx = self._sim.begin()
        if ctx is None:
            raise ConfigError("the episode's run has no decision point (empty horizon)")
        self._ctx = ctx
        return self.features.observe(ctx), {}

    def step(
        self, action: NDArray[Any]
    ) -> tuple[NDArray[np.float32], float, bool, bool, dict[str, Any]]:
        sim, ctx, ep = self._sim, self._ctx, self._episode
        if sim is None or ctx is None or ep is None:
            raise ConfigError("call reset() before step(), and again after the episode ended")
        w = self.reward_weights
        hv0, c0, n0 = sim.hv, sim.carbon_g, sim.n_trained
        nxt = sim.advance(self.action_map.to_allocation(np.asarray(action), ctx.gpus))
        hv_max = sim.hv_max
        carbon_w = w.carbon if ctx.carbon_budget_g is None else w.carbon_budgeted
        reward = (
            w.hv * (_log_gap(hv0, hv_max) - _log_gap(sim.hv, hv_max))
            - carbon_w * (sim.carbon_g - c0) / max(ep.reference_carbon_g, 1e-9)
            + w.samples * (sim.n_trained - n0) / 100.0
        )
        self._ctx = nxt
        info: dict[str, Any] = {"hv": sim.hv, "carbon_g": sim.carbon_g}
        if nxt is None:
            res = sim.result()
            info["result"] = res
            return np.zeros(len(OBS_NAMES), np.float32), float(reward), True, False, info
        return self.features.observe(nxt), float(reward), False, False, info


def make_forecaster_input(cfg: RLConfig) -> ForecasterLike | None:
    """The configured forecaster (None for ``input = "oracle"``).

    Raises:
        ConfigError: for a forecaster that needs fitting or an unknown name.
    """
    if cfg.oracle:
        return None
    from cenas.forecast import MODELS, make_forecaster

    if cfg.forecaster not in MODELS:
        raise ConfigError(
            f"{cfg.label}: rl.forecaster: unknown forecaster {cfg.forecaster!r}; available: "
            f"{', '.join(MODELS)}"
        )
    f = make_forecaster(cfg.forecaster)
    if f.needs_fit:
        raise ConfigError(
            f"{cfg.label}: rl.forecaster {cfg.forecaster!r} must be fitted; use one that needs "
            "no fitting (persistence, seasonal-naive)"
        )
    return f


def training_episodes(cfg: RLConfig, data_dir: str | Path | None = None) -> EpisodeSource:
    """Episodes on the configuration's training traces: a trace, a start hour in its range, a
    budget (one of ``budget_fractions``, or none ``unbudgeted_share`` of the time) and a seed,
    all drawn from the environment's generator.

    Raises:
        ConfigError: for a bad experiment config, method, trace file or window.
    """
    base = load_config(cfg.experiment)
    base.method(cfg.method)  # fail now, naming the method, rather than at the first reset
    configs = [
        replace(base, trace=t.file, trace_kind=t.kind or base.trace_kind) for t in cfg.traces
    ]
    for c, t in zip(configs, cfg.traces, strict=True):  # check every file before training
        build_spec(c, _key(cfg, t.first_start, 0, None), data_dir)
        build_spec(c, _key(cfg, t.last_start, 0, None), data_dir)

    def draw(rng: np.random.Generator) -> Episode:
        i = int(rng.integers(len(cfg.traces)))
        tr = cfg.traces[i]
        hours = int((tr.last_start - tr.first_start).total_seconds() // 3600)
        start = tr.first_start + np.timedelta64(int(rng.integers(hours + 1)), "h")
        budget = None
        if cfg.budget_fractions and rng.random() >= cfg.unbudgeted_share:
            budget = float(cfg.budget_fractions[int(rng.integers(len(cfg.budget_fractions)))])
        seed = int(rng.integers(2**31 - 1))
        spec = build_spec(configs[i], _key(cfg, start, seed, budget), data_dir)
        return episode_of(spec)

    return draw


def episode_of(spec: RunSpec) -> Episode:
    """An :class:`Episode` of a run spec, its reward normalised by vanilla's carbon."""
    end = spec.start_s + float(spec.sim.horizon_h or 0.0) * 3600.0
    return Episode(spec, all_gpus_carbon_g(spec.sim, spec.trace, spec.start_s, end))


def _key(cfg: RLConfig, start: Any, seed: int, budget: float | None) -> RunKey:
    return RunKey(cfg.method, start.isoformat(), seed, budget_fraction=budget)
