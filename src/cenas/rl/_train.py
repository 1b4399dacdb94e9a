"""Offline training of an allocation policy with stable-baselines3 (PPO, or A2C for the paper's
actor-critic), saved as a pickle-free :class:`~cenas.rl.Checkpoint`.

The environment's observations are normalised by ``VecNormalize`` (its statistics are frozen at
the end and saved as JSON with the checkpoint); rewards are normalised during training only. The
actor's weights are copied out of the torch network into NumPy; :func:`train` checks on the
last rollout's observations that the checkpoint acts exactly as the SB3 model does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cenas.errors import ConfigError
from cenas.rl._checkpoint import Checkpoint
from cenas.rl._config import RLConfig
from cenas.rl._env import AllocationEnv, EpisodeSource, make_forecaster_input, training_episodes
from cenas.rl._features import ActionKind
from cenas.rl._warmstart import collect_teacher, default_teacher, warm_start

__all__ = ["checkpoint_from_sb3", "train"]

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
_GAMMA = 0.99


def checkpoint_from_sb3(
    model: Any, vecnorm: Any, cfg: RLConfig, meta: dict[str, Any]
) -> Checkpoint:
    """Copy an SB3 actor-critic's actor and a ``VecNormalize``'s observation statistics into a
    :class:`Checkpoint`.

    Raises:
        ConfigError: for a network that is not a tanh MLP actor with a linear action head.
    """
    import torch

    policy = model.policy
    hidden: list[tuple[NDArray[np.float64], NDArray[np.float64]]] = []
    for layer in policy.mlp_extractor.policy_net:
        if isinstance(layer, torch.nn.Linear):
            hidden.append(
                (
                    layer.weight.detach().cpu().numpy().astype(np.float64),
                    layer.bias.detach().cpu().numpy().astype(np.float64),
                )
            )
        elif not isinstance(layer, torch.nn.Tanh):
            raise ConfigError(f"the actor must be Linear/Tanh layers, found {type(layer).__name__}")
    head = policy.action_net
    return Checkpoint(
        tuple(hidden),
        (
            head.weight.detach().cpu().numpy().astype(np.float64),
            head.bias.detach().cpu().numpy().astype(np.float64),
        ),
        np.asarray(vecnorm.obs_rms.mean, dtype=np.float64),
        np.asarray(vecnorm.obs_rms.var, dtype=np.float64),
        cfg.action,
        meta,
        float(vecnorm.clip_obs),
        float(vecnorm.epsilon),
    )


def _meta(cfg: RLConfig, checksums: dict[str, str]) -> dict[str, Any]:
    return {
        "algorithm": cfg.algorithm,
        "input": "oracle" if cfg.oracle else "forecast",
        "forecaster": None if cfg.oracle else cfg.forecaster,
        "timesteps": cfg.timesteps,
        "seed": cfg.seed,
        "plan_h": cfg.plan_h,
        "work_fraction": cfg.work_fraction,
        "reward": asdict(cfg.reward),
        "warm_start_episodes": cfg.warm_start_episodes,
        "training_config": cfg.raw,
        "data_checksums": checksums,
    }


def _checksums(cfg: RLConfig, data_dir: str | Path | None) -> dict[str, str]:
    from dataclasses import replace

    from cenas.sim import load_config, load_inputs

    base = load_config(cfg.experiment)
    out: dict[str, str] = {}
    for t in cfg.traces:
        out.update(load_inputs(replace(base, trace=t.file, trace_kind=t.kind), data_dir).checksums)
    return out


def train(
    cfg: RLConfig,
    out_dir: str | Path,
    *,
    data_dir: str | Path | None = None,
    episodes: EpisodeSource | None = None,
    progress: ProgressFn | None = None,
) -> Checkpoint:
    """Train a policy and save its checkpoint into ``out_dir``.

    Args:
        cfg: the training configuration.
        out_dir: the checkpoint directory (created).
        data_dir: the reference data directory (default ``$CENAS_DATA_DIR``).
        episodes: draws the episodes; default :func:`training_episodes` of ``cfg`` (tests pass
            small synthetic ones).
        progress: called with (steps done, total steps) as training goes.

    Returns:
        The saved checkpoint. The same config, data and seed give the same checkpoint.

    Raises:
        ConfigError: for a bad configuration or data file.
    """
    import torch
    from stable_baselines3 import A2C, PPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.vec_env import DummyVecEnv, VecNormalize

    torch.set_num_threads(1)
    source = episodes if episodes is not None else training_episodes(cfg, data_dir)
    checksums = _checksums(cfg, data_dir) if episodes is None else {}
    forecaster = make_forecaster_input(cfg)

    def make() -> AllocationEnv:
        return AllocationEnv(
            source,
            cfg.action,
            forecaster=forecaster,
            reward=cfg.reward,
            plan_h=cfg.plan_h,
            work_fraction=cfg.work_fraction,
        )

    # rewards are not normalised: the warm start fits the critic to the raw returns
    venv = VecNormalize(DummyVecEnv([make]), norm_obs=True, norm_reward=False, gamma=_GAMMA)
    venv.seed(cfg.seed)
    kwargs: dict[str, Any] = {
        "seed": cfg.seed,
        "verbose": 0,
        "device": "cpu",
        "gamma": _GAMMA,
        "learning_rate": cfg.learning_rate,
        "ent_coef": cfg.ent_coef,
    }
    if cfg.algorithm == "ppo":
        model: Any = PPO("MlpPolicy", venv, n_steps=256, batch_size=64, n_epochs=8, **kwargs)
    else:
        model = A2C("MlpPolicy", venv, n_steps=8, **kwargs)
    if cfg.warm_start_episodes:
        env = make()
        obs, acts, rets = collect_teacher(
            env, default_teacher(env), cfg.warm_start_episodes, cfg.seed + 1_000_000, _GAMMA
        )
        # the observation statistics start from the teacher's episodes (VecNormalize keeps
        # updating them during reinforcement learning)
        rms: Any = venv.obs_rms
        rms.mean = obs.mean(axis=0).astype(np.float64)
        rms.var = obs.var(axis=0).astype(np.float64)
        rms.count = float(obs.shape[0])
        nll = warm_start(
            model,
            np.asarray(venv.normalize_obs(obs), dtype=np.float32),
            acts,
            rets,
            epochs=cfg.warm_start_epochs,
            seed=cfg.seed,
        )
        log.info("warm start on %d teacher steps: action NLL %.3f", obs.shape[0], nll)

    class _Progress(BaseCallback):
        def _on_step(self) -> bool:
            if progress is not None:
                progress(min(self.num_timesteps, cfg.timesteps), cfg.timesteps)
            return True

    model.learn(total_timesteps=cfg.timesteps, callback=_Progress())
    venv.training = False
    ckpt = checkpoint_from_sb3(model, venv, cfg, _meta(cfg, checksums))
    _check_same_actions(model, ckpt)
    ckpt.save(out_dir)
    log.info("saved the %s policy to %s", cfg.algorithm, out_dir)
    return ckpt


def _check_same_actions(model: Any, ckpt: Checkpoint) -> None:
    """The NumPy actor must act as the SB3 model on the (normalised) observations of its last
    rollout."""
    obs = np.asarray(model.rollout_buffer.observations, dtype=np.float32)
    normed = obs.reshape(-1, obs.shape[-1])
    sb3, _ = model.predict(normed, deterministic=True)
    sb3 = np.asarray(sb3).reshape(normed.shape[0], -1)
    mine = ckpt.act(normed, normalised=True)
    if ckpt.action.kind is ActionKind.DISCRETE:
        same = bool(np.array_equal(sb3, mine))
    else:
        same = bool(np.allclose(sb3, mine, atol=1e-4))
    if not same:
        raise ConfigError("the exported policy does not act as the trained model (export bug)")
