"""Warm start of a policy by imitation of a planner before reinforcement learning.

A policy learning from scratch needs far more simulated searches than a 30-minute training on
two cores affords to find what the cleanest-hours planner already does. So training may begin by
behaviour cloning: the teacher (:class:`~cenas.alloc.HybridPolicy`, on the same leak-free
outlook) drives some episodes, its allocations are turned into the agent's actions, the
observation statistics are taken from those episodes, and the actor is fitted to the teacher's
actions (maximum likelihood) and the critic to the discounted returns. Reinforcement learning then
starts from the teacher's behaviour and is free to move away from it where the reward says so.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cenas.alloc import Allocation, AllocationPolicy, HybridPolicy
from cenas.rl._env import AllocationEnv
from cenas.rl._features import ActionKind, ActionMap

__all__ = ["action_of", "collect_teacher", "warm_start"]


def action_of(alloc: Allocation, action: ActionMap) -> NDArray[Any]:
    """The agent's action closest to an allocation (the inverse of
    :meth:`ActionMap.to_allocation` where one exists)."""
    g = max(alloc.gpus, 1)
    e, s = alloc.evaluation_gpus, alloc.sampling_gpus
    if action.kind is ActionKind.CONTINUOUS:
        return np.array([e / g, s / (g - e) if g > e else 0.0], dtype=np.float32)
    level = 0 if e == 0 else max(1, min(action.levels, math.floor(e / g * action.levels + 0.5)))
    rest = 0 if s == 0 else (1 if s == 1 and g - e > 1 else 2)
    return np.array([level, rest], dtype=np.int64)


def collect_teacher(
    env: AllocationEnv, teacher: AllocationPolicy, episodes: int, seed: int, gamma: float
) -> tuple[NDArray[np.float32], NDArray[Any], NDArray[np.float64]]:
    """Run ``episodes`` episodes with the teacher deciding.

    Returns:
        Raw observations ``(n, n_obs)``, the teacher's actions ``(n, 2)`` and the discounted
        returns from each step ``(n,)``.
    """
    obs_l: list[NDArray[np.float32]] = []
    act_l: list[NDArray[Any]] = []
    ret_l: list[float] = []
    for i in range(episodes):
        obs, _ = env.reset(seed=seed + i)
        teacher.reset(seed + i)
        rewards: list[float] = []
        done = False
        while not done:
            ctx = env.context
            if ctx is None:  # cannot happen: reset() and step() return at a decision point
                break
            a = action_of(teacher.decide(ctx), env.action_map)
            obs_l.append(obs)
            act_l.append(a)
            obs, r, done, _, _ = env.step(a)
            rewards.append(r)
        g = 0.0
        back: list[float] = []
        for r in reversed(rewards):
            g = r + gamma * g
            back.append(g)
        ret_l.extend(reversed(back))
    return np.stack(obs_l), np.stack(act_l), np.asarray(ret_l)


def default_teacher(env: AllocationEnv) -> AllocationPolicy:
    """The hybrid planner on the environment's outlook (forecast or ORACLE)."""
    return HybridPolicy(forecaster=env.features.outlook.forecaster)


def warm_start(
    model: Any,
    obs_normed: NDArray[np.float32],
    actions: NDArray[Any],
    returns: NDArray[np.float64],
    *,
    epochs: int,
    seed: int,
) -> float:
    """Fit an SB3 actor-critic's actor to ``actions`` and critic to ``returns`` (normalised
    observations). Returns the final mean negative log-likelihood of the actions."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    policy = model.policy
    opt = torch.optim.Adam(policy.parameters(), lr=1e-3)
    x = torch.as_tensor(obs_normed, dtype=torch.float32)
    a = torch.as_tensor(actions)
    r = torch.as_tensor(returns, dtype=torch.float32)
    r = (r - r.mean()) / (r.std() + 1e-8)
    n = x.shape[0]
    nll = math.nan
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for i in range(0, n, 64):
            idx = perm[i : i + 64]
            values, logp, _ = policy.evaluate_actions(x[idx], a[idx])
            loss = -logp.mean() + 0.5 * ((values.flatten() - r[idx]) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(-logp.detach().sum())
        nll = total / n
    return nll
