"""EC-NAS's surrogate energy model: an MLP that predicts the training energy of a NAS-Bench-101
cell from its adjacency, operations and parameter count.

Model and training, as EC-NAS: 4 hidden layers ``H, H/2, H/4, H/4`` (``H = 128``) with GELU, a
linear output, L1 loss, Adam (learning rate 5e-3), 200 epochs of mini-batches of 32, a seeded
70/10/20 train/validation/test split. cenas keeps the weights of the epoch with the lowest
validation error (EC-NAS keeps the last epoch; the validation split is otherwise unused).

The data and features are in ``_surrogate_data``, training and the learning curve in
``_surrogate_train``.
"""

from __future__ import annotations

import math
import pickle
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.errors import ConfigError, DataError, DataFileMissingError
from cenas.space import NB101Cell, nb101_param_count

if TYPE_CHECKING:
    from torch import nn
from cenas.ecnas._surrogate_data import SURROGATE_N_FEATURES, encode_cells, surrogate_features

__all__ = ["EnergySurrogate", "SurrogateConfig"]


_FORMAT = "cenas-ecnas-surrogate-1"


@dataclass(frozen=True)
class SurrogateConfig:
    """Hyperparameters (EC-NAS's defaults).

    Attributes:
        hidden: width ``H`` of the first hidden layer (then ``H/2, H/4, H/4``).
        epochs: passes over the training split.
        lr: Adam learning rate.
        batch_size: mini-batch size.
        fractions: train/validation/test fractions of the data.
    """

    hidden: int = 128
    epochs: int = 200
    lr: float = 5e-3
    batch_size: int = 32
    fractions: tuple[float, float, float] = (0.7, 0.1, 0.2)

    def __post_init__(self) -> None:
        # One message per field, naming it and its value (not the whole dataclass repr).
        for name, ok, rule in (
            ("hidden", self.hidden >= 4, ">= 4"),
            ("epochs", self.epochs >= 1, ">= 1"),
            ("batch_size", self.batch_size >= 1, ">= 1"),
            ("lr", self.lr > 0 and math.isfinite(self.lr), "a finite number > 0"),
        ):
            if not ok:
                raise ConfigError(
                    f"surrogate {name} must be {rule}, but got {getattr(self, name)!s}"
                )
        if len(self.fractions) != 3 or min(self.fractions) <= 0:
            raise ConfigError(f"fractions must be 3 positive numbers, got {self.fractions}")
        if not math.isclose(sum(self.fractions), 1.0, abs_tol=1e-9):
            raise ConfigError(f"fractions must sum to 1, got {self.fractions}")


def _mlp(n_in: int, hidden: int) -> nn.Sequential:
    from torch import nn

    h = [hidden, hidden // 2, hidden // 4, hidden // 4]
    layers: list[nn.Module] = []
    prev = n_in
    for width in h:
        layers += [nn.Linear(prev, width), nn.GELU()]
        prev = width
    layers.append(nn.Linear(prev, 1))
    return nn.Sequential(*layers)


class EnergySurrogate:
    """A trained surrogate with its normalisation; predicts training energy in kWh.

    Args:
        net: the MLP (input 36, output 1).
        x_mean, x_std: feature normalisation, shape ``(36,)``.
        y_mean, y_std: target normalisation (kWh).
        config: the hyperparameters it was trained with.
    """

    def __init__(
        self,
        net: nn.Sequential,
        x_mean: NDArray[np.float64],
        x_std: NDArray[np.float64],
        y_mean: float,
        y_std: float,
        config: SurrogateConfig,
    ) -> None:
        self.net = net.eval()
        self.x_mean = np.asarray(x_mean, dtype=np.float64)
        self.x_std = np.asarray(x_std, dtype=np.float64)
        self.y_mean = float(y_mean)
        self.y_std = float(y_std)
        self.config = config

    def predict_features(self, x: ArrayLike) -> NDArray[np.float64]:
        """Energy (kWh) of raw features ``(n, 36)`` (see :func:`surrogate_features`)."""
        arr = np.asarray(x, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[1] != SURROGATE_N_FEATURES:
            raise ConfigError(
                f"features must have shape (n, {SURROGATE_N_FEATURES}), got {arr.shape}"
            )
        import torch

        z = torch.as_tensor((arr - self.x_mean) / self.x_std, dtype=torch.float32)
        with torch.no_grad():
            out: NDArray[np.float64] = self.net(z).numpy()[:, 0].astype(np.float64)
        return out * self.y_std + self.y_mean

    def predict(
        self, adjacency: ArrayLike, ops: ArrayLike, params: ArrayLike
    ) -> NDArray[np.float64]:
        """Energy (kWh) from the surrogate layout (see :func:`surrogate_features`), ``(n,)``."""
        return self.predict_features(surrogate_features(adjacency, ops, params))

    def predict_cells(
        self, cells: Sequence[NB101Cell], params: ArrayLike | None = None
    ) -> NDArray[np.float64]:
        """Energy (kWh) of cells; parameter counts default to :func:`nb101_param_count`."""
        adj, ops = encode_cells(cells)
        p = (
            np.array([nb101_param_count(c) for c in cells], dtype=np.int64)
            if params is None
            else np.asarray(params)
        )
        return self.predict(adj, ops, p)

    def save(self, path: str | Path) -> Path:
        """Write the weights, normalisation and config (a torch archive of tensors and plain
        values, loadable with ``weights_only=True``)."""
        import torch

        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        cfg = asdict(self.config)
        cfg["fractions"] = list(self.config.fractions)
        torch.save(
            {
                "format": _FORMAT,
                "config": cfg,
                "state_dict": self.net.state_dict(),
                "x_mean": torch.as_tensor(self.x_mean),
                "x_std": torch.as_tensor(self.x_std),
                "y_mean": self.y_mean,
                "y_std": self.y_std,
            },
            p,
        )
        return p

    @classmethod
    def load(cls, path: str | Path) -> EnergySurrogate:
        """Read a model written by :meth:`save` (with torch's restricted unpickler).

        Raises:
            DataFileMissingError: no such file.
            DataError: not a cenas surrogate file.
        """
        import torch

        p = Path(path)
        if not p.is_file():
            raise DataFileMissingError(f"surrogate model file {str(p)!r} does not exist")
        expected = "a model written by 'cenas ecnas surrogate train --out'"
        if not zipfile.is_zipfile(p):
            raise DataError(f"{p}: not a surrogate model file (expected {expected})")
        try:
            obj = torch.load(p, weights_only=True, map_location="cpu")
        except (RuntimeError, OSError, ValueError, EOFError, pickle.UnpicklingError) as e:
            # torch's own message is many lines and suggests weights_only=False, which must
            # never be followed for a file a user points at: say what is wrong in one line.
            raise DataError(
                f"{p}: not a readable surrogate model ({type(e).__name__}); expected {expected}"
            ) from None
        if not isinstance(obj, dict) or obj.get("format") != _FORMAT:
            raise DataError(f"{p}: not a cenas surrogate model (format {_FORMAT!r} expected)")
        try:
            cfg = dict(obj["config"])
            cfg["fractions"] = tuple(cfg["fractions"])
            config = SurrogateConfig(**cfg)
            net = _mlp(SURROGATE_N_FEATURES, config.hidden)
            net.load_state_dict(obj["state_dict"])
            return cls(
                net,
                obj["x_mean"].numpy(),
                obj["x_std"].numpy(),
                float(obj["y_mean"]),
                float(obj["y_std"]),
                config,
            )
        except (KeyError, TypeError, RuntimeError) as e:
            raise DataError(f"{p}: surrogate model is incomplete or inconsistent: {e}") from None
