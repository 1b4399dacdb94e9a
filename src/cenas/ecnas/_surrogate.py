"""EC-NAS's surrogate energy model: an MLP that predicts the training energy of a NAS-Bench-101
cell from its adjacency, operations and parameter count.

Data: ``nas/ecnas/surrogate_7v_data.pt`` (4,310 measured 7-vertex-space cells): adjacency
``[n, 7, 7]``, operation codes ``[n, 7]``, energy (kWh) ``[n]``, parameters ``[n]``. Operation
codes are the surrogate repository's, not NAS-Bench-101's labels: ``0`` padding, ``1`` input,
``2`` conv1x1-bn-relu, ``3`` conv3x3-bn-relu, ``4`` maxpool3x3, ``5`` output; cells with fewer
than 7 vertices put the output at their last vertex and pad after it with zeros.

Features (36, EC-NAS's layout): the 28 entries of ``np.triu_indices(7)`` of the adjacency (the 7
diagonal entries are always 0 and carry no information), the 7 operation codes, and the
parameter count. cenas takes ``log(params)`` instead of EC-NAS's ``params / 1e6`` (energy grows
roughly with the parameter count over two orders of magnitude), then standardises every feature
with the training split's mean and standard deviation (constant features get scale 1), and
standardises the target (kWh) the same way.

Model and training, as EC-NAS: 4 hidden layers ``H, H/2, H/4, H/4`` (``H = 128``) with GELU, a
linear output, L1 loss, Adam (learning rate 5e-3), 200 epochs of mini-batches of 32, a seeded
70/10/20 train/validation/test split. cenas keeps the weights of the epoch with the lowest
validation error (EC-NAS keeps the last epoch; the validation split is otherwise unused).
"""

from __future__ import annotations

import logging
import math
import pickle
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas._seeding import resolve_seed
from cenas.data import locate
from cenas.errors import ConfigError, DataError, DataFileMissingError
from cenas.space import NB101_INPUT, NB101_OUTPUT, NB101Cell, nb101_param_count

if TYPE_CHECKING:
    import torch
    from torch import nn

__all__ = [
    "SURROGATE_DATA",
    "SURROGATE_N_FEATURES",
    "SURROGATE_OP_CODES",
    "EnergySurrogate",
    "LearningCurvePoint",
    "SurrogateConfig",
    "SurrogateData",
    "SurrogateFit",
    "SurrogateSplit",
    "encode_cells",
    "learning_curve",
    "load_surrogate_data",
    "split_indices",
    "surrogate_features",
    "train_surrogate",
]

logger = logging.getLogger(__name__)

SURROGATE_DATA = "nas/ecnas/surrogate_7v_data.pt"
_V = 7
SURROGATE_N_FEATURES = _V * (_V + 1) // 2 + _V + 1
# Operation name -> code of the surrogate data (0 is padding).
SURROGATE_OP_CODES: dict[str, int] = {
    NB101_INPUT: 1,
    "conv1x1-bn-relu": 2,
    "conv3x3-bn-relu": 3,
    "maxpool3x3": 4,
    NB101_OUTPUT: 5,
}
_FORMAT = "cenas-ecnas-surrogate-1"


@dataclass(frozen=True)
class SurrogateData:
    """Cells with measured training energy, in the surrogate's 7-vertex layout.

    Attributes:
        adjacency: ``(n, 7, 7)`` int8, upper-triangular.
        ops: ``(n, 7)`` int8 operation codes (:data:`SURROGATE_OP_CODES`, 0 = padding).
        energy_kwh: ``(n,)`` float64 measured training energy.
        params: ``(n,)`` int64 trainable parameters.
    """

    adjacency: NDArray[np.int8]
    ops: NDArray[np.int8]
    energy_kwh: NDArray[np.float64]
    params: NDArray[np.int64]

    def __post_init__(self) -> None:
        n = self.ops.shape[0]
        shapes = {
            "adjacency": (self.adjacency.shape, (n, _V, _V)),
            "ops": (self.ops.shape, (n, _V)),
            "energy_kwh": (self.energy_kwh.shape, (n,)),
            "params": (self.params.shape, (n,)),
        }
        for name, (got, want) in shapes.items():
            if got != want:
                raise DataError(f"surrogate data: {name} has shape {got}, expected {want}")

    def __len__(self) -> int:
        return int(self.ops.shape[0])

    def subset(self, idx: ArrayLike) -> SurrogateData:
        """The rows ``idx``."""
        i = np.asarray(idx, dtype=np.int64)
        return SurrogateData(self.adjacency[i], self.ops[i], self.energy_kwh[i], self.params[i])

    def features(self) -> NDArray[np.float64]:
        """Raw (unnormalised) features, shape ``(n, 36)``."""
        return surrogate_features(self.adjacency, self.ops, self.params)


def load_surrogate_data(data_dir: str | Path | None = None) -> SurrogateData:
    """Read ``nas/ecnas/surrogate_7v_data.pt`` after checking its SHA-256.

    The file is a torch archive of four tensors; it is read with ``torch.load(...,
    weights_only=True)`` (torch's restricted unpickler), and only after the checksum matched.

    Raises:
        DataFileMissingError, ChecksumError: absent or different from the catalog.
        DataError: the tensors are not the expected four.
    """
    import torch

    path = locate(SURROGATE_DATA, data_dir)
    try:
        obj = torch.load(path, weights_only=True, map_location="cpu")
    except (RuntimeError, OSError, ValueError, pickle.UnpicklingError) as e:
        raise DataError(f"{path}: not a readable torch archive: {e}") from None
    if not (isinstance(obj, tuple | list) and len(obj) == 4):
        raise DataError(f"{path}: expected 4 tensors (adjacency, ops, energy, params)")
    if not all(isinstance(t, torch.Tensor) for t in obj):
        raise DataError(f"{path}: expected 4 tensors, got {[type(t).__name__ for t in obj]}")
    adj, ops, energy, params = (t.numpy() for t in obj)
    return SurrogateData(
        adj.astype(np.int8),
        ops.astype(np.int8),
        energy.astype(np.float64),
        params.astype(np.int64),
    )


def encode_cells(cells: Sequence[NB101Cell]) -> tuple[NDArray[np.int8], NDArray[np.int8]]:
    """Cells in the surrogate's layout: adjacency ``(n, 7, 7)`` and op codes ``(n, 7)``, with
    smaller cells zero-padded after their output vertex (as the surrogate data is)."""
    n = len(cells)
    adj = np.zeros((n, _V, _V), dtype=np.int8)
    ops = np.zeros((n, _V), dtype=np.int8)
    for r, c in enumerate(cells):
        v = c.num_vertices
        if v > _V:
            raise ConfigError(f"the surrogate handles cells of at most {_V} vertices, got {v}")
        adj[r, :v, :v] = c.matrix
        ops[r, :v] = [SURROGATE_OP_CODES[o] for o in c.ops]
    return adj, ops


def surrogate_features(
    adjacency: ArrayLike, ops: ArrayLike, params: ArrayLike
) -> NDArray[np.float64]:
    """Raw features, shape ``(n, 36)``: ``np.triu_indices(7)`` entries of the adjacency (28),
    the 7 operation codes, and ``log(params)``.

    Args:
        adjacency: ``(n, 7, 7)`` 0/1.
        ops: ``(n, 7)`` codes of :data:`SURROGATE_OP_CODES` (0 = padding).
        params: ``(n,)`` positive parameter counts.
    """
    a = np.asarray(adjacency)
    o = np.asarray(ops)
    p = np.asarray(params, dtype=np.float64)
    n = o.shape[0] if o.ndim == 2 else -1
    if a.shape != (n, _V, _V) or o.shape != (n, _V) or p.shape != (n,):
        raise ConfigError(
            f"surrogate input needs adjacency (n, 7, 7), ops (n, 7), params (n,); got "
            f"{a.shape}, {o.shape}, {p.shape}"
        )
    if n and (p.min() <= 0 or not np.isfinite(p).all()):
        raise ConfigError(f"parameter counts must be positive, got min {p.min()}")
    if n and (o.min() < 0 or o.max() > max(SURROGATE_OP_CODES.values())):
        raise ConfigError(f"operation codes must be in 0..5, got {o.min()}..{o.max()}")
    iu = np.triu_indices(_V)
    return np.concatenate(
        [a[:, iu[0], iu[1]].astype(np.float64), o.astype(np.float64), np.log(p)[:, None]], axis=1
    )


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


@dataclass(frozen=True)
class SurrogateSplit:
    """Row indices of the train, validation and test splits."""

    train: NDArray[np.int64]
    valid: NDArray[np.int64]
    test: NDArray[np.int64]


def split_indices(
    n: int, seed: int, fractions: tuple[float, float, float] = (0.7, 0.1, 0.2)
) -> SurrogateSplit:
    """A seeded random split of ``n`` rows: ``floor(f_train n)``, ``floor(f_valid n)``, rest."""
    perm = np.random.default_rng(seed).permutation(n).astype(np.int64)
    n_train = int(fractions[0] * n)
    n_valid = int(fractions[1] * n)
    if n_train < 1 or n_valid < 1 or n - n_train - n_valid < 2:
        raise ConfigError(f"{n} rows are too few for a {fractions} split")
    return SurrogateSplit(
        perm[:n_train], perm[n_train : n_train + n_valid], perm[n_train + n_valid :]
    )


@dataclass(frozen=True)
class SurrogateFit:
    """A trained surrogate and its scores on the test split.

    Attributes:
        model: the trained surrogate.
        seed: the seed of split, initialisation and shuffling.
        n_train, n_valid, n_test: split sizes (``n_train`` after ``train_fraction``).
        kendall_tau: Kendall's tau between predicted and measured energy on the test split.
        mae_kwh: mean absolute error on the test split.
        mape_pct: mean absolute percentage error on the test split.
        best_epoch: epoch (0-based) whose weights were kept (lowest validation MAE).
        train_loss: per-epoch mean training L1 loss (standardised units).
        valid_mae_kwh: per-epoch validation MAE.
    """

    model: EnergySurrogate
    seed: int
    n_train: int
    n_valid: int
    n_test: int
    kendall_tau: float
    mae_kwh: float
    mape_pct: float
    best_epoch: int
    train_loss: list[float] = field(repr=False)
    valid_mae_kwh: list[float] = field(repr=False)


def train_surrogate(
    data: SurrogateData,
    *,
    seed: int | None = 0,
    config: SurrogateConfig | None = None,
    train_fraction: float = 1.0,
    split: SurrogateSplit | None = None,
    on_epoch: Callable[[int, float, float], None] | None = None,
) -> SurrogateFit:
    """Train the surrogate and score it on the test split.

    Args:
        data: measured cells.
        seed: seeds the split (unless ``split`` is given), initialisation and shuffling; the same
            seed gives identical results.
        config: hyperparameters (EC-NAS's by default).
        train_fraction: use only the first ``ceil(train_fraction * n_train)`` rows of the
            training split (for learning curves); validation and test splits are unchanged.
        split: a fixed split (default: :func:`split_indices` with ``seed``).
        on_epoch: called after each epoch with ``(epoch, train_loss, valid_mae_kwh)``.

    Returns:
        The fitted model and its test scores.
    """
    import torch
    from scipy.stats import kendalltau
    from torch import nn

    cfg = config or SurrogateConfig()
    s = resolve_seed(seed)
    if not 0 < train_fraction <= 1:
        raise ConfigError(f"train_fraction must be in (0, 1], got {train_fraction}")
    sp = split or split_indices(len(data), s, cfg.fractions)
    tr = sp.train[: max(2, math.ceil(train_fraction * len(sp.train)))]
    x = data.features()
    y = data.energy_kwh
    x_mean = x[tr].mean(axis=0)
    x_std = x[tr].std(axis=0)
    x_std[x_std == 0] = 1.0
    y_mean, y_std = float(y[tr].mean()), float(y[tr].std()) or 1.0

    def tensor(a: NDArray[np.float64]) -> torch.Tensor:
        return torch.as_tensor(a, dtype=torch.float32)

    x_tr = tensor((x[tr] - x_mean) / x_std)
    y_tr = tensor((y[tr] - y_mean) / y_std)[:, None]
    x_va = tensor((x[sp.valid] - x_mean) / x_std)
    torch.manual_seed(s)
    net = _mlp(x.shape[1], cfg.hidden)
    # The fused CPU kernel is the same Adam update, ~2x faster than the per-tensor loop here.
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr, fused=True)
    loss_fn = nn.L1Loss()
    gen = torch.Generator().manual_seed(s)
    best = (math.inf, -1, {k: v.clone() for k, v in net.state_dict().items()})
    train_loss: list[float] = []
    valid_mae: list[float] = []
    for epoch in range(cfg.epochs):
        net.train()
        perm = torch.randperm(len(tr), generator=gen)
        total = 0.0
        for i in range(0, len(tr), cfg.batch_size):
            b = perm[i : i + cfg.batch_size]
            opt.zero_grad()
            loss = loss_fn(net(x_tr[b]), y_tr[b])
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
        net.eval()
        with torch.no_grad():
            pred_va = net(x_va).numpy()[:, 0].astype(np.float64) * y_std + y_mean
        mae_va = float(np.abs(pred_va - y[sp.valid]).mean())
        train_loss.append(total / len(tr))
        valid_mae.append(mae_va)
        if mae_va < best[0]:
            best = (mae_va, epoch, {k: v.clone() for k, v in net.state_dict().items()})
        if on_epoch is not None:
            on_epoch(epoch, train_loss[-1], mae_va)
    net.load_state_dict(best[2])
    model = EnergySurrogate(net, x_mean, x_std, y_mean, y_std, cfg)
    pred = model.predict_features(x[sp.test])
    truth = y[sp.test]
    tau = float(kendalltau(pred, truth).statistic)
    return SurrogateFit(
        model=model,
        seed=s,
        n_train=len(tr),
        n_valid=len(sp.valid),
        n_test=len(sp.test),
        kendall_tau=tau,
        mae_kwh=float(np.abs(pred - truth).mean()),
        mape_pct=float(100.0 * np.mean(np.abs(pred - truth) / truth)),
        best_epoch=best[1],
        train_loss=train_loss,
        valid_mae_kwh=valid_mae,
    )


@dataclass(frozen=True)
class LearningCurvePoint:
    """Test error of a surrogate trained on part of the training split."""

    fraction: float
    n_train: int
    mae_kwh: float
    mape_pct: float
    kendall_tau: float


def learning_curve(
    data: SurrogateData,
    fractions: Sequence[float] = (0.1, 0.25, 0.5, 1.0),
    *,
    seed: int | None = 0,
    config: SurrogateConfig | None = None,
    on_fit: Callable[[LearningCurvePoint], None] | None = None,
) -> list[LearningCurvePoint]:
    """Test error against training-set size on one fixed split (the same test rows for all)."""
    cfg = config or SurrogateConfig()
    s = resolve_seed(seed)
    sp = split_indices(len(data), s, cfg.fractions)
    out = []
    for f in fractions:
        fit = train_surrogate(data, seed=s, config=cfg, train_fraction=f, split=sp)
        pt = LearningCurvePoint(float(f), fit.n_train, fit.mae_kwh, fit.mape_pct, fit.kendall_tau)
        out.append(pt)
        if on_fit is not None:
            on_fit(pt)
    return out
