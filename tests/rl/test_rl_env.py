"""The RL environment: gymnasium's checker, rewards that add up, leak-free observations."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from cenas.alloc import Allocation, Outlook
from cenas.carbon import Accounting
from cenas.errors import ConfigError
from cenas.forecast import PersistenceForecaster
from cenas.rl import (
    OBS_NAMES,
    ActionKind,
    ActionMap,
    AllocationEnv,
    EpisodeSource,
    ObservationBuilder,
)
from cenas.sim.testing import context_at, toy_trace


@pytest.mark.parametrize("kind", list(ActionKind))
def test_env_passes_gymnasium_checker(
    kind: ActionKind, toy_episodes: Callable[..., EpisodeSource]
) -> None:
    env = AllocationEnv(toy_episodes(), ActionMap(kind))
    check_env(env, skip_render_check=True)


@pytest.mark.parametrize("accounting", list(Accounting))
def test_episode_rewards_sum_to_the_log_gap_improvement_minus_carbon(
    toy_episodes: Callable[..., EpisodeSource], toy_values: list[float], accounting: Accounting
) -> None:
    env = AllocationEnv(toy_episodes(accounting=accounting), ActionMap(ActionKind.DISCRETE))
    obs, _ = env.reset(seed=3)
    assert obs.shape == (len(OBS_NAMES),)
    ep = env._episode
    assert ep is not None
    total, steps, done = 0.0, 0, False
    info: dict[str, object] = {}
    while not done:
        obs, r, done, trunc, info = env.step(np.array([10, 0]))
        assert not trunc
        total += r
        steps += 1
    res = info["result"]
    assert res.totals["accounting"] == accounting.value  # type: ignore[attr-defined]
    hv_max = res.hv_max  # type: ignore[attr-defined]
    hv = res.totals["hv"]  # type: ignore[attr-defined]
    carbon = res.totals["carbon_g"]  # type: ignore[attr-defined]
    w = env.reward_weights
    want = w.hv * (math.log(hv_max) - math.log(hv_max - hv)) - w.carbon * carbon / (
        ep.reference_carbon_g
    )
    assert total == pytest.approx(want, rel=1e-9)
    assert steps == len(toy_values)
    # vanilla LaMOO's carbon (every GPU training all the time) bounds any run's
    assert 0.0 < carbon <= ep.reference_carbon_g


def test_same_seed_same_episode_and_step_after_end_raises(
    toy_episodes: Callable[..., EpisodeSource],
) -> None:
    def run(seed: int) -> list[float]:
        env = AllocationEnv(toy_episodes(), ActionMap(ActionKind.CONTINUOUS))
        env.reset(seed=seed)
        out, done = [], False
        while not done:
            _, r, done, _, _ = env.step(np.array([0.5, 0.5], dtype=np.float32))
            out.append(r)
        with pytest.raises(ConfigError, match="reset"):
            env.step(np.array([0.5, 0.5], dtype=np.float32))
        return out

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_budget_ends_the_episode_early(
    toy_episodes: Callable[..., EpisodeSource], toy_values: list[float]
) -> None:
    env = AllocationEnv(toy_episodes(budget_g=5.0), ActionMap(ActionKind.DISCRETE))
    env.reset(seed=0)
    steps, done = 0, False
    while not done:
        _, _, done, _, info = env.step(np.array([10, 2]))
        steps += 1
    assert steps < len(toy_values)
    assert info["result"].totals["carbon_g"] <= 5.0  # type: ignore[attr-defined]


def test_observation_is_leak_free_with_a_forecaster(toy_values: list[float]) -> None:
    """Changing every value after the decision time changes nothing the policy sees; the
    ORACLE outlook does see it."""
    long = toy_values * 4
    trace = toy_trace(long)
    other = toy_trace(long[:30] + [v * 3.0 + 7.0 for v in long[30:]])
    for forecaster, same in ((PersistenceForecaster(), True), (None, False)):
        obs = []
        for tr in (trace, other):
            b = ObservationBuilder(Outlook(forecaster))
            b.reset()
            obs.append(b.observe(context_at(tr, 29, gpus=8, carbon_budget_g=1e4)))
        assert np.array_equal(obs[0], obs[1]) is same


@pytest.mark.parametrize(
    ("action", "gpus", "want"),
    [
        ((0, 0), 8, Allocation(0, 0, 8)),
        ((0, 2), 8, Allocation(8, 0, 0)),
        ((1, 0), 8, Allocation(0, 1, 7)),  # at least one GPU evaluates from level 1 on
        ((1, 1), 2, Allocation(1, 1, 0)),
        ((5, 1), 8, Allocation(1, 4, 3)),
        ((10, 2), 8, Allocation(0, 8, 0)),
        ((7, 2), 3, Allocation(1, 2, 0)),
    ],
)
def test_discrete_actions_map_to_allocations(
    action: tuple[int, int], gpus: int, want: Allocation
) -> None:
    assert ActionMap(ActionKind.DISCRETE).to_allocation(np.array(action), gpus) == want


def test_continuous_and_bad_actions() -> None:
    m = ActionMap(ActionKind.CONTINUOUS)
    assert m.to_allocation(np.array([0.5, 0.25]), 8) == Allocation(1, 4, 3)
    assert m.to_allocation(np.array([1.7, -1.0]), 8) == Allocation(0, 8, 0)
    with pytest.raises(ConfigError, match="two finite"):
        m.to_allocation(np.array([np.nan, 0.0]), 8)
    with pytest.raises(ConfigError, match=r"level in 0\.\.10"):
        ActionMap(ActionKind.DISCRETE).to_allocation(np.array([11, 0]), 8)
    with pytest.raises(ConfigError, match="levels"):
        ActionMap(ActionKind.DISCRETE, 0)
