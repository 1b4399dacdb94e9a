"""Checkpoints: pickle-free, SHA-256 checked, and acting exactly as the trained SB3 model."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from cenas.errors import ChecksumError, DataError, DataFileMissingError
from cenas.rl import (
    ActionKind,
    ActionMap,
    AllocationEnv,
    EpisodeSource,
    RLConfig,
    RLPolicy,
    checkpoint_from_sb3,
    load_checkpoint,
    load_pretrained,
    train,
)
from cenas.search import SearchMode
from cenas.sim import simulate
from cenas.sim.testing import ToyBenchmark, toy_run_spec


def _sb3(kind: ActionKind, episodes: EpisodeSource) -> tuple[object, object, AllocationEnv]:
    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.vec_env import DummyVecEnv, VecNormalize

    torch.set_num_threads(1)
    env = AllocationEnv(episodes, ActionMap(kind))
    venv = VecNormalize(DummyVecEnv([lambda: env]), norm_reward=False)
    venv.seed(0)
    model = PPO("MlpPolicy", venv, n_steps=32, batch_size=16, n_epochs=2, seed=0, device="cpu")
    model.learn(64)
    venv.training = False
    return model, venv, env


@pytest.mark.parametrize("kind", list(ActionKind))
def test_saved_checkpoint_reloads_and_acts_as_the_sb3_model(
    kind: ActionKind, tmp_path: Path, toy_episodes: Callable[..., EpisodeSource]
) -> None:
    model, venv, env = _sb3(kind, toy_episodes())
    cfg = RLConfig(experiment=tmp_path, traces=(), action=ActionMap(kind))
    ckpt = checkpoint_from_sb3(model, venv, cfg, {"algorithm": "ppo"})
    ckpt.save(tmp_path / "ck")
    loaded = load_checkpoint(tmp_path / "ck")
    # raw observations of real episodes, plus random ones far outside them (clipping)
    obs = [env.reset(seed=s)[0] for s in range(5)]
    for _ in range(8):
        o, _, done, _, _ = env.step(env.action_space.sample())
        if not done:
            obs.append(o)
    rng = np.random.default_rng(0)
    raw = np.concatenate([np.stack(obs), rng.normal(0, 20, (64, len(obs[0])))]).astype(np.float32)
    want, _ = model.predict(venv.normalize_obs(raw), deterministic=True)  # type: ignore[attr-defined]
    got = loaded.act(raw)
    if kind is ActionKind.DISCRETE:
        assert np.array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, atol=1e-5)
    assert loaded.meta["algorithm"] == "ppo"
    assert not any(p.suffix in (".pkl", ".zip") for p in (tmp_path / "ck").iterdir())


def test_tampered_or_missing_files_are_refused(
    tmp_path: Path, toy_episodes: Callable[..., EpisodeSource]
) -> None:
    model, venv, _ = _sb3(ActionKind.DISCRETE, toy_episodes())
    cfg = RLConfig(experiment=tmp_path, traces=())
    ck = checkpoint_from_sb3(model, venv, cfg, {}).save(tmp_path / "ck")
    norm = ck / "normalization.json"
    doc = json.loads(norm.read_text())
    doc["mean"][0] += 1.0
    norm.write_text(json.dumps(doc))
    with pytest.raises(ChecksumError, match=r"normalization\.json"):
        load_checkpoint(ck)
    with pytest.raises(DataFileMissingError, match="cenas rl train"):
        load_checkpoint(tmp_path / "nothing")
    # a pickled array in place of the weights: listed checksum updated, still refused
    bad = tmp_path / "bad"
    ck2 = checkpoint_from_sb3(model, venv, cfg, {}).save(bad)
    np.save(bad / "x.npy", np.array([object()], dtype=object), allow_pickle=True)
    import zipfile

    with zipfile.ZipFile(bad / "policy.npz", "w") as z:
        z.write(bad / "x.npy", "hidden_0_weight.npy")
    meta = json.loads((ck2 / "checkpoint.json").read_text())
    import hashlib

    meta["files"]["policy.npz"] = hashlib.sha256((bad / "policy.npz").read_bytes()).hexdigest()
    (ck2 / "checkpoint.json").write_text(json.dumps(meta))
    with pytest.raises(DataError, match="malformed"):
        load_checkpoint(bad)


def test_shipped_policies_verify_and_decide(toy_values: list[float]) -> None:
    for name in ("discrete", "continuous"):
        ck = load_pretrained(name)
        assert ck.action.kind is ActionKind(name)
        assert ck.meta["input"] == "forecast"
        assert ck.meta["data_checksums"]  # the training data is recorded
    bench = ToyBenchmark(seed=0)
    spec = toy_run_spec(bench, toy_values, RLPolicy(), SearchMode.CENAS, seed=1)
    a, b = simulate(spec), simulate(spec)
    assert a.totals == b.totals  # no learning while deciding: runs repeat exactly
    assert "pretrained discrete" in a.policy and "oracle" in a.policy


@pytest.mark.slow
def test_train_with_warm_start_end_to_end(
    tmp_path: Path, toy_episodes: Callable[..., EpisodeSource], toy_values: list[float]
) -> None:
    cfg = RLConfig(
        experiment=tmp_path,
        traces=(),
        timesteps=256,
        warm_start_episodes=2,
        warm_start_epochs=2,
    )
    seen: list[int] = []
    ck = train(cfg, tmp_path / "ck", episodes=toy_episodes(), progress=lambda d, n: seen.append(d))
    assert seen and seen[-1] == 256
    again = load_checkpoint(tmp_path / "ck")
    assert np.array_equal(again.head[0], ck.head[0])
    assert again.meta["warm_start_episodes"] == 2
    # the same config and seed give the same policy
    ck2 = train(cfg, tmp_path / "ck2", episodes=toy_episodes())
    assert np.array_equal(ck2.head[0], ck.head[0])
    bench = ToyBenchmark(seed=0)
    pol = RLPolicy(checkpoint=tmp_path / "ck")
    res = simulate(toy_run_spec(bench, toy_values, pol, SearchMode.CENAS, seed=1))
    assert res.totals["hours"] == len(toy_values)


@pytest.mark.slow
def test_a2c_continuous_trains_and_reloads(
    tmp_path: Path, toy_episodes: Callable[..., EpisodeSource]
) -> None:
    cfg = RLConfig(
        experiment=tmp_path,
        traces=(),
        algorithm="a2c",
        action=ActionMap(ActionKind.CONTINUOUS),
        timesteps=64,
    )
    ck = train(cfg, tmp_path / "a2c", episodes=toy_episodes())
    again = load_checkpoint(tmp_path / "a2c")
    assert again.meta["algorithm"] == "a2c" and again.action.kind is ActionKind.CONTINUOUS
    x = np.zeros((3, again.obs_mean.size))
    np.testing.assert_array_equal(again.act(x), ck.act(x))
