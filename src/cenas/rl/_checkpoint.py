"""A trained allocation policy on disk, without pickle, and its NumPy inference network.

stable-baselines3 saves models as zip files of cloudpickle and ``VecNormalize`` as a pickle:
loading either runs code from the file. A checkpoint here is a directory of three plain files:

- ``checkpoint.json``: what the policy sees and does (observation names, action kind), how it was
  trained (the training config, the data files' SHA-256), and the SHA-256 of the two files below;
- ``policy.npz``: the actor network's weights (``numpy.load(..., allow_pickle=False)``);
- ``normalization.json``: ``VecNormalize``'s observation mean and variance, epsilon and clip.

:class:`Checkpoint.act` rebuilds the actor (``tanh`` MLP, then the action head) in NumPy and
gives the deterministic action stable-baselines3's ``predict(..., deterministic=True)`` gives on
the same normalised observation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cenas._json import json_dumps
from cenas.errors import ChecksumError, ConfigError, DataError, DataFileMissingError
from cenas.rl._features import OBS_NAMES, ActionKind, ActionMap

__all__ = ["CHECKPOINT_FILE", "Checkpoint", "load_checkpoint"]

CHECKPOINT_FILE = "checkpoint.json"
_WEIGHTS = "policy.npz"
_NORM = "normalization.json"
_FORMAT = 1


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True, eq=False)
class Checkpoint:
    """A trained policy: normalisation statistics, actor weights and its metadata.

    Attributes:
        hidden: the actor's hidden layers as ``(weight (out, in), bias (out,))``, each followed
            by ``tanh``.
        head: the action layer ``(weight, bias)``: logits (discrete, the choices' blocks
            concatenated) or the mean action (continuous).
        obs_mean: VecNormalize's running mean, shape ``(len(OBS_NAMES),)``.
        obs_var: its running variance, same shape.
        action: how actions map to allocations.
        meta: everything else recorded (algorithm, input, training config, data checksums,
            ``plan_h``, ``work_fraction``).
        clip_obs: normalised observations are clipped to ``[-clip_obs, clip_obs]``.
        epsilon: added to the variance before the square root.
    """

    hidden: tuple[tuple[NDArray[np.float64], NDArray[np.float64]], ...]
    head: tuple[NDArray[np.float64], NDArray[np.float64]]
    obs_mean: NDArray[np.float64]
    obs_var: NDArray[np.float64]
    action: ActionMap
    meta: Mapping[str, Any] = field(default_factory=dict)
    clip_obs: float = 10.0
    epsilon: float = 1e-8

    def __post_init__(self) -> None:
        n = len(OBS_NAMES)
        if self.obs_mean.shape != (n,) or self.obs_var.shape != (n,):
            raise DataError(
                f"the normalisation statistics must have shape ({n},), but got "
                f"{self.obs_mean.shape} and {self.obs_var.shape}"
            )
        width = n
        for i, (w, b) in enumerate((*self.hidden, self.head)):
            if w.ndim != 2 or w.shape[1] != width or b.shape != (w.shape[0],):
                raise DataError(
                    f"layer {i} of the policy network has weight {w.shape} and bias {b.shape}; "
                    f"expected ({b.shape[0] if b.ndim else '?'}, {width}) and a matching bias"
                )
            width = w.shape[0]
        want = sum(self.action.nvec) if self.action.kind is ActionKind.DISCRETE else 2
        if width != want:
            raise DataError(
                f"the policy network gives {width} outputs but a {self.action.kind.value} "
                f"action needs {want}"
            )

    def normalise(self, obs: NDArray[np.floating[Any]]) -> NDArray[np.float64]:
        """Observations as VecNormalize feeds them to the network, shape ``(..., n_obs)``."""
        z = (np.asarray(obs, dtype=np.float64) - self.obs_mean) / np.sqrt(
            self.obs_var + self.epsilon
        )
        out: NDArray[np.float64] = np.clip(z, -self.clip_obs, self.clip_obs)
        return out

    def act(self, obs: NDArray[np.floating[Any]], *, normalised: bool = False) -> NDArray[Any]:
        """Deterministic actions for raw observations, shape ``(n_obs,)`` or ``(batch, n_obs)``.

        Returns:
            int64 ``(..., 2)`` (discrete choices) or float64 ``(..., 2)`` in [0, 1]
            (continuous).
        """
        x = np.asarray(obs, dtype=np.float64) if normalised else self.normalise(obs)
        for w, b in self.hidden:
            x = np.tanh(x @ w.T + b)
        y = x @ self.head[0].T + self.head[1]
        if self.action.kind is ActionKind.CONTINUOUS:
            cont: NDArray[np.float64] = np.clip(y, 0.0, 1.0)
            return cont
        a, b2 = self.action.nvec
        return np.stack(
            [np.argmax(y[..., :a], axis=-1), np.argmax(y[..., a : a + b2], axis=-1)], axis=-1
        ).astype(np.int64)

    def save(self, directory: str | Path) -> Path:
        """Write the three files into ``directory`` (created); returns it."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, NDArray[np.float64]] = {}
        for i, (w, b) in enumerate(self.hidden):
            arrays[f"hidden_{i}_weight"], arrays[f"hidden_{i}_bias"] = w, b
        arrays["head_weight"], arrays["head_bias"] = self.head
        np.savez(out / _WEIGHTS, **arrays)  # type: ignore[arg-type]
        norm = {
            "mean": self.obs_mean.tolist(),
            "var": self.obs_var.tolist(),
            "clip_obs": self.clip_obs,
            "epsilon": self.epsilon,
        }
        (out / _NORM).write_text(json.dumps(norm) + "\n")
        doc = {
            "format": _FORMAT,
            "observation": list(OBS_NAMES),
            "action": {"kind": self.action.kind.value, "levels": self.action.levels},
            "hidden_layers": len(self.hidden),
            **dict(self.meta),
            "files": {_WEIGHTS: _sha256(out / _WEIGHTS), _NORM: _sha256(out / _NORM)},
        }
        (out / CHECKPOINT_FILE).write_text(json_dumps(doc) + "\n")
        return out


def _read_json(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DataError(f"{path}: not a readable JSON file ({e})") from None
    if not isinstance(doc, dict):
        raise DataError(f"{path}: expected a JSON object, got {type(doc).__name__}")
    return doc


def _field(doc: Mapping[str, Any], key: str, where: Path) -> Any:
    if key not in doc:
        raise DataError(f"{where}: field {key!r} is missing")
    return doc[key]


def load_checkpoint(directory: str | Path, *, expected_sha256: str | None = None) -> Checkpoint:
    """Load a checkpoint directory after checking its files' SHA-256.

    Args:
        directory: the directory :meth:`Checkpoint.save` wrote.
        expected_sha256: the SHA-256 ``checkpoint.json`` must have (the shipped policy pins it,
            so that the SHA-256 it lists for the other files can be trusted).

    Raises:
        DataFileMissingError: for a missing directory or file.
        ChecksumError: when a file's SHA-256 differs from the recorded one.
        DataError: for a malformed file (naming it and the field).
    """
    root = Path(directory)
    meta_path = root / CHECKPOINT_FILE
    if not meta_path.is_file():
        raise DataFileMissingError(
            f"{root}: not an RL checkpoint directory (no {CHECKPOINT_FILE}); train one with "
            "`cenas rl train CONFIG --out DIR`"
        )
    if expected_sha256 is not None and _sha256(meta_path) != expected_sha256:
        raise ChecksumError(
            f"{meta_path}: SHA-256 {_sha256(meta_path)} differs from the expected {expected_sha256}"
        )
    doc = _read_json(meta_path)
    if doc.get("format") != _FORMAT:
        raise DataError(f"{meta_path}: format must be {_FORMAT}, but got {doc.get('format')!r}")
    files = _field(doc, "files", meta_path)
    for name in (_WEIGHTS, _NORM):
        p = root / name
        if not p.is_file():
            raise DataFileMissingError(f"{root}: checkpoint file {name} is missing")
        want = files.get(name) if isinstance(files, dict) else None
        if want != _sha256(p):
            raise ChecksumError(
                f"{p}: SHA-256 {_sha256(p)} differs from {want!r} recorded in {CHECKPOINT_FILE}"
            )
    if list(_field(doc, "observation", meta_path)) != list(OBS_NAMES):
        raise DataError(
            f"{meta_path}: the checkpoint's observation differs from this version's "
            f"({len(OBS_NAMES)} features); retrain it"
        )
    act = _field(doc, "action", meta_path)
    try:
        action = ActionMap(ActionKind(act["kind"]), int(act["levels"]))
    except (KeyError, TypeError, ValueError, ConfigError) as e:
        raise DataError(f"{meta_path}: field 'action' is malformed ({e})") from None
    norm = _read_json(root / _NORM)
    try:
        with np.load(root / _WEIGHTS, allow_pickle=False) as z:
            n = int(_field(doc, "hidden_layers", meta_path))
            hidden = tuple(
                (
                    np.asarray(z[f"hidden_{i}_weight"], np.float64),
                    np.asarray(z[f"hidden_{i}_bias"], np.float64),
                )
                for i in range(n)
            )
            head = (
                np.asarray(z["head_weight"], np.float64),
                np.asarray(z["head_bias"], np.float64),
            )
        mean = np.asarray(_field(norm, "mean", root / _NORM), dtype=np.float64)
        var = np.asarray(_field(norm, "var", root / _NORM), dtype=np.float64)
        clip = float(norm.get("clip_obs", 10.0))
        eps = float(norm.get("epsilon", 1e-8))
    except (KeyError, ValueError, TypeError) as e:
        raise DataError(f"{root}: malformed checkpoint weights or statistics ({e})") from None
    skip = {"format", "observation", "action", "hidden_layers", "files"}
    meta = {k: v for k, v in doc.items() if k not in skip}
    return Checkpoint(hidden, head, mean, var, action, meta, clip, eps)
