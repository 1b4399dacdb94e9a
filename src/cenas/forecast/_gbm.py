"""Gradient-boosted trees on lags, calendar and known-ahead covariates (direct strategy).

Each training row is a pair (issue time ``t``, lead ``k`` in ``0 .. 95`` h), the lead is a
feature, and all features of a row are built from the intensity strictly before ``t`` (the last 48
hours, the same hour on the 7 previous observed days, the same hour a week earlier, recent means),
the calendar of the target hour, and the forecast covariates of the target hour as known at the
issue time (under their availability rule, :mod:`._availability`: missing beyond it, in training
exactly as in prediction, so the trees learn to use them only where they exist). The target is the
log-scale residual from a baseline: the intensity implied by the day-ahead production forecast
where it is known, else persistence (same hour of the last observed day).

Two choices make the trees train across the change of level between the training year and the
next (picked on the validation half-year Jan-Jun 2021 of the DACF files, never the test period):
intensity-valued features are relative to the mean of the last 24 hours (``relative``), and the
first day of leads, where the day-ahead covariates are known, gets its own trees with their own
early stopping (``lead_split_h``); the later leads use a model of all leads. With absolute
features and one model, early stopping kept 3-11 trees; now the first-day model keeps tens to a
hundred or more.

The time of year is a feature only when the training data covers a whole year. Early stopping
picks the number of trees with the best MAPE on the validation issues (00:00 UTC, one per day,
like the backtest). The fitted trees are exported to plain arrays (:mod:`._trees`) and predicted
with a small NumPy traversal, so a saved model is loaded without pickle.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.ensemble import HistGradientBoostingRegressor

from cenas._seeding import resolve_seed
from cenas.errors import ForecastError
from cenas.forecast._base import Forecaster
from cenas.forecast._features import (
    CovariateEncoder,
    LogScaler,
    epoch_hours,
)
from cenas.forecast._gbm_design import Known, design, min_history
from cenas.forecast._hourly import HourlySeries, IssueView
from cenas.forecast._time import H_PER_DAY, ProgressCallback
from cenas.forecast._trees import Trees, export_trees, predict_trees

__all__ = ["GradientBoostingForecaster"]

_log = logging.getLogger(__name__)

TRAIN_HORIZON_H = 96
TREES_FILE = "trees.npz"
MIN_YEAR_FEATURES_H = 365 * H_PER_DAY


def _buckets(split_h: int) -> list[tuple[int, int]]:
    """Lead ranges ``[lo, hi)`` (hours) with their own trees."""
    big = np.iinfo(np.int64).max
    return [(0, split_h), (split_h, big)] if split_h > 0 else [(0, big)]


class GradientBoostingForecaster(Forecaster):
    """Histogram gradient-boosted trees, one model for all leads (direct strategy).

    Args:
        max_iter: most boosting iterations (early stopping on the validation split picks fewer).
        learning_rate: shrinkage.
        max_leaf_nodes: leaves per tree.
        min_samples_leaf: smallest leaf.
        l2_regularization: L2 penalty on leaf values.
        issue_stride_h: hours between training issue times (all 96 leads for each).
        relative: intensity-valued features relative to the last 24 hours' mean level.
        lead_split_h: leads below it and the rest get separate trees, each with its own early
            stopping (the first day, where the day-ahead covariates are known, needs fewer and
            different corrections than the days after); 0 fits one model for all leads.
    """

    name = "gbm"

    def __init__(
        self,
        max_iter: int = 200,
        learning_rate: float = 0.1,
        max_leaf_nodes: int = 31,
        min_samples_leaf: int = 50,
        l2_regularization: float = 1.0,
        issue_stride_h: int = 6,
        relative: bool = True,
        lead_split_h: int = 24,
    ) -> None:
        super().__init__()
        if max_iter < 1 or issue_stride_h < 1:
            raise ForecastError(
                f"gbm: max_iter and issue_stride_h must be >= 1, got {max_iter}, {issue_stride_h}"
            )
        self.max_iter = int(max_iter)
        self.learning_rate = float(learning_rate)
        self.max_leaf_nodes = int(max_leaf_nodes)
        self.min_samples_leaf = int(min_samples_leaf)
        self.l2_regularization = float(l2_regularization)
        self.issue_stride_h = int(issue_stride_h)
        self.relative = bool(relative)
        if not 0 <= lead_split_h < TRAIN_HORIZON_H:
            raise ForecastError(
                f"gbm: lead_split_h must be in [0, {TRAIN_HORIZON_H}), got {lead_split_h}"
            )
        self.lead_split_h = int(lead_split_h)
        self._scaler: LogScaler | None = None
        self._encoder: CovariateEncoder | None = None
        self._trees: list[Trees] | None = None
        self.n_trees_: tuple[int, ...] = ()
        # Validation MAPE (%) after each boosting iteration, per lead range (not saved).
        self.valid_curve_: tuple[tuple[float, ...], ...] = ()
        self._year_features = True

    @property
    def min_history_h(self) -> int:
        return min_history(self._encoder is not None)

    def _config(self) -> dict[str, Any]:
        return {
            "max_iter": self.max_iter,
            "learning_rate": self.learning_rate,
            "max_leaf_nodes": self.max_leaf_nodes,
            "min_samples_leaf": self.min_samples_leaf,
            "l2_regularization": self.l2_regularization,
            "issue_stride_h": self.issue_stride_h,
            "relative": self.relative,
            "lead_split_h": self.lead_split_h,
        }

    def _known(
        self, rows: NDArray[np.float64] | None, columns: Sequence[str], label: str
    ) -> Known | None:
        encoder, scaler = self._encoder, self._scaler
        if encoder is None or scaler is None:
            return None

        def encode(
            raw: NDArray[np.float64], issue_h: NDArray[np.int64], hours: NDArray[np.int64]
        ) -> NDArray[np.float64]:
            return encoder.features_at(raw, issue_h, hours, scaler)

        raw = encoder.select(rows, columns, label)
        return Known(raw, encode, encoder.implied_index, encoder.rules)

    def _fit(
        self,
        data: HourlySeries,
        valid_from: int | None,
        seed: int | None,
        progress: ProgressCallback | None,
    ) -> None:
        n = len(data)
        need = min_history(data.known is not None)
        vf = valid_from if valid_from is not None else n - (n - need) // 3
        train_issues = np.arange(need, vf - TRAIN_HORIZON_H + 1, self.issue_stride_h)
        # Validation issues at 00:00 UTC, like the backtest; their targets stay in the fit data.
        hour0 = epoch_hours(data.start)
        first_valid = max(vf, need)
        first_valid += (-(hour0 + first_valid)) % H_PER_DAY
        valid_issues = np.arange(first_valid, n - TRAIN_HORIZON_H + 1, H_PER_DAY)
        if train_issues.size < 2 or valid_issues.size < 1:
            raise ForecastError(
                f"gbm: {data.label} is too short to fit: {n} h with validation from hour {vf}; "
                f"needs {need} h of lags + {TRAIN_HORIZON_H} h of targets for training and at "
                f"least one validation day with {TRAIN_HORIZON_H} h of targets"
            )
        steps = 3
        if progress is not None:
            progress(0, steps, "gbm: features")
        self._scaler = LogScaler.fit(data.values_g_per_kwh[:vf])
        self._encoder = CovariateEncoder.fit(data.head(vf))
        z = self._scaler.transform(np.asarray(data.values_g_per_kwh))
        columns = [] if data.known is None else [str(c) for c in data.known.columns]
        known = self._known(data.known_np, columns, data.label)
        leads = np.arange(TRAIN_HORIZON_H)
        # Time of year only when the training data covers a whole year: with less, the trees
        # split on the months they saw and have nothing to say about the others.
        self._year_features = vf >= MIN_YEAR_FEATURES_H
        yf = self._year_features
        x_tr, j_tr, b_tr = design(z, known, hour0, train_issues, leads, yf, self.relative)
        y_tr = z[j_tr] - b_tr
        x_va, j_va, b_va = design(z, known, hour0, valid_issues, leads, yf, self.relative)
        if progress is not None:
            progress(1, steps, f"gbm: boosting ({x_tr.shape[0]} rows x {x_tr.shape[1]} features)")
        actual = np.asarray(data.values_g_per_kwh)[j_va]
        lead_tr, lead_va = (
            j_tr - np.repeat(train_issues, leads.size),
            j_va - np.repeat(valid_issues, leads.size),
        )
        trees, n_trees, mapes, curves = [], [], [], []
        base_seed = resolve_seed(seed)
        for b, (lo, hi) in enumerate(_buckets(self.lead_split_h)):
            tr, va = (lead_tr >= lo) & (lead_tr < hi), (lead_va >= lo) & (lead_va < hi)
            if b > 0:
                # The later leads keep the model of all leads, stopped on all of them: on its
                # own range the early-stopping curve is too flat and noisy to pick from.
                tr, va = np.ones_like(tr), np.ones_like(va)
            model = HistGradientBoostingRegressor(
                max_iter=self.max_iter,
                learning_rate=self.learning_rate,
                max_leaf_nodes=self.max_leaf_nodes,
                min_samples_leaf=self.min_samples_leaf,
                l2_regularization=self.l2_regularization,
                early_stopping=False,
                random_state=base_seed,
            )
            xb = x_tr[tr]
            # A feature missing on every row (e.g. the carried covariate forecast on the first
            # day) breaks sklearn's binning; constant, it is never split on.
            xb[:, np.isnan(xb).all(axis=0)] = 0.0
            model.fit(xb, y_tr[tr])
            if progress is not None:
                progress(2, steps, f"gbm: early stopping on validation, leads {lo}-{hi}")
            act, base = actual[va], b_va[va]
            ok = act > 0
            best, best_mape, curve = 1, np.inf, []
            for it, resid in enumerate(model.staged_predict(x_va[va]), start=1):
                pred = self._scaler.inverse(base + resid)
                mape = float(np.mean(np.abs(pred[ok] - act[ok]) / act[ok]))
                curve.append(100 * mape)
                if mape < best_mape - 1e-12:
                    best, best_mape = it, mape
            trees.append(export_trees(model, best))
            n_trees.append(best)
            curves.append(tuple(curve))
            mapes.append(f"{100 * best_mape:.2f}")
        self.n_trees_ = tuple(n_trees)
        self.valid_curve_ = tuple(curves)
        self._trees = trees
        msg = f"gbm: {'/'.join(map(str, n_trees))} trees, validation MAPE {'/'.join(mapes)} %"
        _log.info(msg)
        if progress is not None:
            progress(3, steps, msg)

    def _predict(self, views: Sequence[IssueView]) -> NDArray[np.float64]:
        if self._scaler is None or self._trees is None:
            raise ForecastError("gbm: call fit() (or load a saved model) before predict")
        rows, bases = [], []
        for v in views:
            i = v.n_history
            z = np.concatenate([self._scaler.transform(v.history_g_per_kwh), np.zeros(v.horizon_h)])
            known = self._known(v.known, v.known_columns, v.label)
            hour0, issue = epoch_hours(v.history_start), np.array([i])
            x, _, b = design(
                z, known, hour0, issue, np.arange(v.horizon_h), self._year_features, self.relative
            )
            rows.append(x)
            bases.append(b)
        x = np.concatenate(rows)
        lead = np.tile(np.arange(views[0].horizon_h), len(views))
        resid = np.zeros(x.shape[0])
        for trees, (lo, hi) in zip(self._trees, _buckets(self.lead_split_h), strict=True):
            sel = (lead >= lo) & (lead < hi)
            resid[sel] = predict_trees(trees, x[sel])
        z_pred = np.concatenate(bases) + resid
        return self._scaler.inverse(z_pred).reshape(len(views), -1)

    def _save_state(self, directory: Path) -> dict[str, Any]:
        if self._scaler is None or self._trees is None:
            raise ForecastError("gbm: nothing to save, the model is not fitted")
        arrays = {f"b{b}_{k}": v for b, t in enumerate(self._trees) for k, v in t.items()}
        np.savez(directory / TREES_FILE, **arrays)  # type: ignore[arg-type]
        return {
            "scaler": self._scaler.to_dict(),
            "encoder": None if self._encoder is None else self._encoder.to_dict(),
            "n_trees": list(self.n_trees_),
            "year_features": self._year_features,
            "trees_file": TREES_FILE,
        }

    def _load_state(self, directory: Path, state: dict[str, Any]) -> None:
        path = directory / str(state.get("trees_file", TREES_FILE))
        try:
            n_trees = [int(n) for n in state["n_trees"]]
            if len(n_trees) != len(_buckets(self.lead_split_h)):
                raise ValueError(f"{len(n_trees)} tree sets for lead_split_h {self.lead_split_h}")
            with np.load(path, allow_pickle=False) as f:
                self._trees = [
                    {
                        k.split("_", 1)[1]: np.asarray(f[k])
                        for k in f.files
                        if k.startswith(f"b{b}_")
                    }
                    for b in range(len(n_trees))
                ]
            self._scaler = LogScaler.from_dict(state["scaler"])
            enc = state.get("encoder")
            self._encoder = None if enc is None else CovariateEncoder.from_dict(enc)
            self.n_trees_ = tuple(n_trees)
            self._year_features = bool(state["year_features"])
        except (OSError, KeyError, ValueError, TypeError) as e:
            raise ForecastError(f"{path}: cannot load the gbm trees ({e})") from None
