"""The BoTorch boundary: a GP and qNEHVI over a discrete candidate pool.

BoTorch maximises; cenas minimises. This module is the only place that negates objectives and
the reference point for BoTorch. The acquisition is qNEHVI, maximised by enumeration over the
pool with a sequential greedy batch: pick the best candidate, add it as pending, re-evaluate,
repeat.

Speed (measured on 2 shared CPU cores, 300 observations, one-hot NB201 features): BoTorch scores
each candidate through a joint posterior of the candidate and the whole baseline, batched over
candidates, which costs about 1 s per 500 candidates with a 200-point baseline; a 2,000-candidate
pool and a batch of 10 would take minutes per ask. Two documented shortcuts keep an ask to
seconds without changing what is maximised in the common case:

- the pool is first screened to the ``screen_size`` candidates whose optimistic prediction
  (posterior mean + 2 standard deviations, per objective) improves the observed front's
  hypervolume most (one cheap, non-batched posterior); qNEHVI is maximised over those;
- the qNEHVI baseline is the observed points of the first ``baseline_ranks`` non-dominated ranks
  (BoTorch then prunes those with no chance of being on a sampled front); points deeper behind
  the front have a negligible chance of being on it when observations are nearly noiseless, as
  in tabular benchmarks.

qLogNEHVI would rank candidates of vanishing improvement more finely, but BoTorch JIT-compiles a
C++ kernel into the user's cache on its first use; ties among zero-improvement candidates are
broken by the pool's random order instead.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from cenas.moo._hypervolume import hypervolume
from cenas.moo._pareto import non_dominated_mask, non_dominated_sort

if TYPE_CHECKING:
    import torch
    from botorch.models.model import Model

__all__ = ["GPState", "QNEHVISettings", "qnehvi_select"]

log = logging.getLogger(__name__)

_CHUNK = 512
_UCB_BETA = 2.0


@dataclass(frozen=True)
class QNEHVISettings:
    """Knobs of :func:`qnehvi_select` (see the module docstring for the shortcuts).

    Attributes:
        mc_samples: quasi-Monte-Carlo samples of the acquisition.
        screen_size: candidates kept by the optimistic screen (None scores the whole pool).
        baseline_ranks: non-dominated ranks of observations used as the qNEHVI baseline (None
            for all observations).
        fit_maxiter: most L-BFGS-B iterations of a GP fit.
        torch_threads: PyTorch intra-op threads while selecting (restored afterwards); the
            tensors are small, and one thread avoids OpenMP stalls on a busy machine. None leaves
            the setting alone.
    """

    mc_samples: int = 64
    screen_size: int | None = 128
    baseline_ranks: int | None = 2
    fit_maxiter: int = 100
    torch_threads: int | None = 1


@dataclass
class GPState:
    """Fitted GP hyperparameters kept between asks (reused, or the start of the next fit)."""

    hyper: dict[str, torch.Tensor]
    n_features: int
    n_objectives: int


def _hyper_of(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    # The outcome transform's statistics belong to the data, not to the hyperparameters.
    return {
        k: v.detach().clone()
        for k, v in model.state_dict().items()
        if not k.startswith("outcome_transform")
    }


def qnehvi_select(
    train_x: NDArray[np.float64],
    train_y_min: NDArray[np.float64],
    pool_x: NDArray[np.float64],
    q: int,
    ref_min: NDArray[np.float64],
    *,
    seed: int,
    settings: QNEHVISettings | None = None,
    state: GPState | None = None,
    refit: bool = True,
) -> tuple[NDArray[np.int64], GPState]:
    """Choose ``q`` pool rows by sequential greedy qNEHVI.

    Args:
        train_x: observed features, shape ``(n, d)``.
        train_y_min: observed objectives, shape ``(n, m)``, minimisation form, finite.
        pool_x: candidate features, shape ``(p, d)``, ``p >= 1``.
        q: batch size (at most ``p``).
        ref_min: reference point, shape ``(m,)``, minimisation form.
        seed: seed of the quasi-Monte-Carlo sampler and of any GP-fit restart.
        settings: see :class:`QNEHVISettings`.
        state: hyperparameters of an earlier fit: reused as they are when ``refit`` is False,
            the starting point of the fit otherwise.
        refit: fit the GP hyperparameters by maximum marginal likelihood.

    Returns:
        The chosen pool row positions (distinct, int64, shape ``(q,)``) and the GP state.
    """
    import torch  # lazily: importing cenas.moo must not pay for torch

    cfg = settings if settings is not None else QNEHVISettings()
    q = min(q, pool_x.shape[0])
    threads = torch.get_num_threads()
    if cfg.torch_threads is not None:
        torch.set_num_threads(cfg.torch_threads)
    try:
        with torch.random.fork_rng(), warnings.catch_warnings():
            # Jitter added to a near-singular kernel matrix is routine with one-hot inputs.
            warnings.filterwarnings("ignore", message="A not p.d., added jitter")
            torch.manual_seed(seed)
            return _select(train_x, train_y_min, pool_x, q, ref_min, seed, cfg, state, refit)
    finally:
        torch.set_num_threads(threads)


def _fit(
    x: torch.Tensor, y: torch.Tensor, cfg: QNEHVISettings, state: GPState | None, refit: bool
) -> tuple[Model, GPState]:
    from botorch.exceptions.warnings import OptimizationWarning
    from botorch.fit import fit_gpytorch_mll
    from botorch.models import SingleTaskGP
    from gpytorch.mlls import ExactMarginalLogLikelihood

    model = SingleTaskGP(x, y)
    warm = state is not None and (state.n_features, state.n_objectives) == (x.shape[1], y.shape[1])
    if warm and state is not None:
        model.load_state_dict(state.hyper, strict=False)
    if refit or not warm:
        mll = ExactMarginalLogLikelihood(model.likelihood, model)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OptimizationWarning)
            fit_gpytorch_mll(mll, optimizer_kwargs={"options": {"maxiter": cfg.fit_maxiter}})
    model.eval()
    return model, GPState(_hyper_of(model), int(x.shape[1]), int(y.shape[1]))


def _screen(
    model: Model,
    pool: torch.Tensor,
    front_min: NDArray[np.float64],
    ref_min: NDArray[np.float64],
    keep: int,
) -> NDArray[np.int64]:
    """Pool rows whose optimistic prediction improves the front's hypervolume most, best first
    (ties keep the pool's order)."""
    import torch  # lazily: importing cenas.moo must not pay for torch

    with torch.no_grad():
        post = model.posterior(pool)
        mean = post.mean.numpy()  # type: ignore[attr-defined]
        std = post.variance.clamp_min(0).sqrt().numpy()  # type: ignore[attr-defined]
    optimistic_min = -(mean + _UCB_BETA * std)
    base = hypervolume(front_min, ref_min)
    gain = np.array(
        [hypervolume(np.vstack([front_min, u[None, :]]), ref_min) - base for u in optimistic_min]
    )
    return np.argsort(-gain, kind="stable")[:keep].astype(np.int64)


def _select(
    train_x: NDArray[np.float64],
    train_y_min: NDArray[np.float64],
    pool_x: NDArray[np.float64],
    q: int,
    ref_min: NDArray[np.float64],
    seed: int,
    cfg: QNEHVISettings,
    state: GPState | None,
    refit: bool,
) -> tuple[NDArray[np.int64], GPState]:
    import torch  # lazily: importing cenas.moo must not pay for torch
    from botorch.acquisition.multi_objective.monte_carlo import (
        qNoisyExpectedHypervolumeImprovement,
    )
    from botorch.exceptions.warnings import NumericsWarning
    from botorch.sampling.normal import SobolQMCNormalSampler

    dtype = torch.float64
    x = torch.as_tensor(train_x, dtype=dtype)
    y = torch.as_tensor(-train_y_min, dtype=dtype)  # BoTorch maximises
    model, new_state = _fit(x, y, cfg, state, refit)
    pool = torch.as_tensor(pool_x, dtype=dtype)
    rows = np.arange(pool.shape[0], dtype=np.int64)
    if cfg.screen_size is not None and pool.shape[0] > max(cfg.screen_size, q):
        front = train_y_min[non_dominated_mask(train_y_min)]
        rows = _screen(model, pool, front, ref_min, max(cfg.screen_size, q))
    cand = pool[torch.as_tensor(rows)]
    if cfg.baseline_ranks is not None:
        keep = non_dominated_sort(train_y_min) < cfg.baseline_ranks
        baseline = x[torch.as_tensor(keep)]
    else:
        baseline = x
    with warnings.catch_warnings():
        # BoTorch recommends qLogNEHVI; see the module docstring for why qNEHVI is used.
        warnings.filterwarnings("ignore", category=NumericsWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module="linear_operator")
        acq = qNoisyExpectedHypervolumeImprovement(
            model=model,
            ref_point=torch.as_tensor(-ref_min, dtype=dtype),
            X_baseline=baseline,
            prune_baseline=True,
            sampler=SobolQMCNormalSampler(sample_shape=torch.Size([cfg.mc_samples]), seed=seed),
        )
        chosen: list[int] = []
        with torch.no_grad():
            for _ in range(q):
                vals = torch.cat(
                    [acq(cand[i : i + _CHUNK].unsqueeze(1)) for i in range(0, len(cand), _CHUNK)]
                ).numpy()
                vals = np.where(np.isfinite(vals), vals, -np.inf)
                vals[chosen] = -np.inf
                best = int(np.argmax(vals))
                if best in chosen:  # every value -inf: take the first unchosen row
                    best = next(i for i in range(len(cand)) if i not in chosen)
                chosen.append(best)
                if len(chosen) < q:
                    acq.set_X_pending(cand[chosen])
    return rows[np.asarray(chosen, dtype=np.int64)], new_state
