"""Training EC-NAS's surrogate energy model: the seeded split, the fit that keeps the epoch with
the lowest validation error, and the learning curve (test error against training-set size)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from cenas._seeding import resolve_seed
from cenas.errors import ConfigError

if TYPE_CHECKING:
    import torch
from cenas.ecnas._surrogate import EnergySurrogate, SurrogateConfig, _mlp
from cenas.ecnas._surrogate_data import SurrogateData

__all__ = [
    "LearningCurvePoint",
    "SurrogateFit",
    "SurrogateSplit",
    "learning_curve",
    "split_indices",
    "train_surrogate",
]


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
