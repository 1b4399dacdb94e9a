"""Learned GPU allocation: a reinforcement-learning policy trained offline on other years.

The environment (:class:`AllocationEnv`) steps the simulator one allocation interval at a time
(:class:`cenas.sim.Simulation`); its observation reads the future only through a leak-free
forecast issued at the decision time (or, labelled as such, the trace's own future: the ORACLE
input of the paper's appendix comparison). Training (stable-baselines3 PPO or A2C) is offline on
windows of training years only; the result is a pickle-free checkpoint (NumPy weights and JSON
statistics, SHA-256 checked before loading) that :class:`RLPolicy` runs as ``policy = "rl"`` in
``cenas simulate``, ``cenas experiment`` and the live runner, without torch. The policy never
learns while it decides, so its runs are deterministic.

Training and the environment need stable-baselines3 and gymnasium; :class:`RLPolicy` needs NumPy
only. :func:`train` imports torch when called.
"""

from cenas.rl._checkpoint import CHECKPOINT_FILE, Checkpoint, load_checkpoint
from cenas.rl._config import (
    RewardWeights,
    RLConfig,
    TrainingTrace,
    load_rl_config,
    parse_rl_config,
)
from cenas.rl._env import (
    AllocationEnv,
    Episode,
    EpisodeSource,
    episode_of,
    make_forecaster_input,
    training_episodes,
)
from cenas.rl._evaluate import (
    HELD_OUT_WINDOWS,
    HeldOutWindow,
    evaluate_policies,
    summarise_policies,
)
from cenas.rl._features import OBS_BOUND, OBS_NAMES, ActionKind, ActionMap, ObservationBuilder
from cenas.rl._policy import PRETRAINED_DIR, PRETRAINED_SHA256, RLPolicy, load_pretrained
from cenas.rl._train import checkpoint_from_sb3, train

__all__ = [
    "CHECKPOINT_FILE",
    "HELD_OUT_WINDOWS",
    "OBS_BOUND",
    "OBS_NAMES",
    "PRETRAINED_DIR",
    "PRETRAINED_SHA256",
    "ActionKind",
    "ActionMap",
    "AllocationEnv",
    "Checkpoint",
    "Episode",
    "EpisodeSource",
    "HeldOutWindow",
    "ObservationBuilder",
    "RLConfig",
    "RLPolicy",
    "RewardWeights",
    "TrainingTrace",
    "checkpoint_from_sb3",
    "episode_of",
    "evaluate_policies",
    "load_checkpoint",
    "load_pretrained",
    "load_rl_config",
    "make_forecaster_input",
    "parse_rl_config",
    "summarise_policies",
    "train",
    "training_episodes",
]
