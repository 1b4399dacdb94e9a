"""The transformer forecaster's network (a patch encoder with a zero-initialised head) and its
training loop: L1 in log scale, AdamW with a one-cycle schedule, optional weight averaging, early
stopping on the validation MAPE with the best epoch's weights kept."""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from cenas.forecast._time import ProgressCallback

__all__ = [
    "PatchNet",
    "TrainSettings",
    "forward_in_batches",
    "torch_session",
    "train_patch_net",
]

_log = logging.getLogger(__name__)


class PatchNet(nn.Module):
    """Tokens of ``patch_h`` hours, a pre-norm transformer encoder, and a linear head on each
    future token that emits its hours' correction to the baseline (zero at initialisation)."""

    def __init__(
        self,
        n_in: int,
        patch_h: int,
        n_tokens: int,
        n_future: int,
        d_model: int,
        n_heads: int,
        n_layers: int,
        ff: int,
        dropout: float,
    ) -> None:
        super().__init__()
        self.patch_h = patch_h
        self.n_future = n_future

        self.embed = nn.Linear(patch_h * n_in, d_model)
        self.pos = nn.Parameter(torch.zeros(1, n_tokens, d_model))
        nn.init.normal_(self.pos, std=0.02)
        layer = nn.TransformerEncoderLayer(
            d_model, n_heads, ff, dropout, batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, patch_h)
        # Start as the baseline forecast: the head's correction is zero.
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, hours, f = x.shape
        tokens = self.embed(x.reshape(b, hours // self.patch_h, self.patch_h * f)) + self.pos
        h = self.norm(self.encoder(tokens))[:, -self.n_future :]
        out: torch.Tensor = self.head(h).reshape(b, self.n_future * self.patch_h)
        return out


@dataclass(frozen=True)
class TrainSettings:
    """Optimiser and stopping settings (see :class:`TransformerForecaster`)."""

    max_epochs: int
    patience: int
    batch_size: int
    lr: float
    weight_decay: float
    ema_decay: float


def train_patch_net(
    net: PatchNet,
    x_tr: torch.Tensor,
    base_tr: torch.Tensor,
    y_tr: torch.Tensor,
    valid: Callable[[nn.Module], float],
    settings: TrainSettings,
    rng: np.random.Generator,
    progress: ProgressCallback | None,
) -> tuple[nn.Module, list[dict[str, float]], int]:
    """Train ``net`` to predict ``y_tr - base_tr`` and keep the epoch with the best ``valid``.

    Args:
        net: a fresh network (its untrained output is the baseline).
        x_tr, base_tr, y_tr: inputs, baseline and targets (z scale) of the training issues.
        valid: validation MAPE (%) of a network (epoch 0 is the baseline itself).
        settings: optimiser and stopping settings.
        rng: shuffles the batches (seeded by the caller, like torch).
        progress: optional callback.

    Returns:
        ``(best network in eval mode, per-epoch history, best epoch)``.
    """
    st = settings
    opt = torch.optim.AdamW(net.parameters(), lr=st.lr, weight_decay=st.weight_decay)
    steps_per_epoch = math.ceil(x_tr.shape[0] / st.batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=st.lr, total_steps=st.max_epochs * steps_per_epoch, pct_start=0.1
    )
    # Validation and the saved weights use an exponential moving average of the weights
    # when ema_decay > 0 (smoother than any single step's weights on small data).
    ema = copy.deepcopy(net) if st.ema_decay > 0 else net
    ema.requires_grad_(st.ema_decay == 0)
    best_state = copy.deepcopy(ema.state_dict())
    ema.eval()
    best, best_epoch, stale = valid(ema), 0, 0
    history: list[dict[str, float]] = [{"epoch": 0, "valid_mape": best}]
    if progress is not None:
        progress(0, st.max_epochs, f"transformer: baseline, valid {best:.2f} %")
    for epoch in range(1, st.max_epochs + 1):
        net.train()
        order = torch.from_numpy(rng.permutation(x_tr.shape[0]))
        total = 0.0
        for s in range(steps_per_epoch):
            b = order[s * st.batch_size : (s + 1) * st.batch_size]
            pred = base_tr[b] + net(x_tr[b])
            loss = torch.nn.functional.l1_loss(pred, y_tr[b])
            opt.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            if ema is not net:
                with torch.no_grad():
                    for pe, p in zip(ema.parameters(), net.parameters(), strict=True):
                        pe.lerp_(p, 1.0 - st.ema_decay)
            total += float(loss.detach()) * b.numel()
        ema.eval()
        mape = valid(ema)
        history.append({"epoch": epoch, "train_l1": total / x_tr.shape[0], "valid_mape": mape})
        _log.info("transformer epoch %d: valid MAPE %.3f %%", epoch, mape)
        if mape < best - 1e-9:
            best, best_epoch, stale = mape, epoch, 0
            best_state = copy.deepcopy(ema.state_dict())
        else:
            stale += 1
        if progress is not None:
            progress(
                epoch,
                st.max_epochs,
                f"transformer: epoch {epoch}, valid {mape:.2f} % (best {best:.2f} %)",
            )
        if stale >= st.patience:
            break
    ema.load_state_dict(best_state)
    ema.eval()
    if progress is not None:
        progress(st.max_epochs, st.max_epochs, f"transformer: best valid {best:.2f} %")
    return ema, history, best_epoch


def forward_in_batches(
    net: nn.Module, x: torch.Tensor, base: torch.Tensor, batch: int = 256
) -> NDArray[np.float64]:
    """``base + net(x)`` in eval mode without gradients, float64, shape of ``base``."""
    net.eval()
    out = []
    with torch.no_grad():
        for s in range(0, x.shape[0], batch):
            out.append((base[s : s + batch] + net(x[s : s + batch])).numpy())
    return np.concatenate(out).astype(np.float64)


@contextmanager
def torch_session(num_threads: int, seed: int | None = None) -> Iterator[None]:
    """Run torch on ``num_threads`` CPU threads; with a seed also with deterministic algorithms
    and a forked, seeded RNG. The caller's settings and RNG state are restored afterwards."""
    prev_threads = torch.get_num_threads()
    prev_det = torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(num_threads)
    try:
        if seed is None:
            yield
            return
        torch.use_deterministic_algorithms(True)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            yield
    finally:
        torch.set_num_threads(prev_threads)
        torch.use_deterministic_algorithms(prev_det)
