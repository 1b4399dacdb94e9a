"""Gradient-boosted trees on lags, calendar and known-ahead covariates (direct strategy).

One scikit-learn ``HistGradientBoostingRegressor`` serves every lead: each training row is a pair
(issue time ``t``, lead ``k`` in ``0 .. 95`` h), the lead is a feature, and all features of a row
are built from the intensity strictly before ``t`` (the last 48 hours, the same hour on the 7
previous observed days, the same hour a week earlier, recent means), the calendar of the target
hour, and the forecast covariates of the target hour as known at the issue time (under their
availability rule, :mod:`._availability`: missing beyond it, in training exactly as in prediction,
so the trees learn to use them only where they exist). The target is the log-scale residual from
persistence (same hour of the last observed day), so the trees learn corrections to it.

The time of year is a feature only when the training data covers a whole year. Early stopping
picks the number of trees with the best MAPE on the validation issues (00:00 UTC,
one per day, like the backtest). The fitted trees are exported to plain arrays and predicted with
a small NumPy traversal, so a saved model is loaded without pickle.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray
from sklearn.ensemble import HistGradientBoostingRegressor

from cenas._seeding import resolve_seed
from cenas.errors import ForecastError
from cenas.forecast._availability import CovariateRule
from cenas.forecast._base import Forecaster
from cenas.forecast._features import (
    CovariateEncoder,
    LogScaler,
    calendar_features,
    epoch_hours,
)
from cenas.forecast._hourly import HourlySeries, IssueView
from cenas.forecast._time import H_PER_DAY, ProgressCallback

__all__ = ["GradientBoostingForecaster"]

_log = logging.getLogger(__name__)

TRAIN_HORIZON_H = 96
N_LAGS_H = 48
N_SAME_HOUR_DAYS = 7
WEEK_H = 7 * H_PER_DAY
TREES_FILE = "trees.npz"
MIN_YEAR_FEATURES_H = 365 * H_PER_DAY

_Trees = dict[str, NDArray[Any]]
"""Exported trees: flat node arrays of every tree, ``offsets`` into them, and the baseline."""


_Encode = Callable[[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]], NDArray[np.float64]]
"""``encode(raw_rows, issue_hours, hours)``: covariate features as known at each issue."""


class _Known(NamedTuple):
    raw: NDArray[np.float64]
    """Raw covariates by described hour index, in the encoder's column order."""
    encode: _Encode
    implied: int | None
    """Column of the implied intensity among the features, or None."""
    rules: tuple[CovariateRule, ...]


def _design(
    z: NDArray[np.float64],
    known: _Known | None,
    hour0: int,
    issues: NDArray[np.int64],
    leads: NDArray[np.int64],
    year_features: bool = True,
) -> tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """Feature rows for every (issue, lead) pair.

    Args:
        z: scaled intensity by hour index; only indices ``< issue`` are read for each issue.
        known: raw covariates by described hour index (read at the target hour), the encoder
            that masks what is not known at each issue time and makes features, and the column of
            the implied intensity among them (or None); or None.
        hour0: epoch hour of index 0.
        issues: issue indices, shape ``(m,)``.
        leads: leads in hours, shape ``(L,)``.
        year_features: include the time of year (else those two columns are 0).

    Returns:
        ``(X, target_index, base_z)`` with X of shape ``(m * L, n_features)``; the row order is
        issue-major; ``base_z`` is what the trees correct (z scale): the implied intensity where
        known, else the same hour of the last observed day.
    """
    i = np.repeat(issues, leads.size)
    k = np.tile(leads, issues.size)
    j = i + k
    days_back = k // H_PER_DAY + 1  # the last observed day's same hour
    base = j - H_PER_DAY * days_back
    week = j - WEEK_H * (k // WEEK_H + 1)
    lag_idx = i[:, None] - np.arange(1, N_LAGS_H + 1)[None, :]
    same_idx = base[:, None] - H_PER_DAY * np.arange(N_SAME_HOUR_DAYS)[None, :]
    calendar = calendar_features(hour0 + j)
    if not year_features:
        calendar[:, 4:] = 0.0
    cols: list[NDArray[np.float64]] = [
        k[:, None].astype(np.float64),
        ((hour0 + i) % H_PER_DAY)[:, None].astype(np.float64),
        calendar,
        z[lag_idx],
        z[same_idx],
        z[week][:, None],
    ]
    # Recent level and variability, from cumulative sums (strictly before the issue).
    csum = np.concatenate([[0.0], np.cumsum(z)])
    csq = np.concatenate([[0.0], np.cumsum(z * z)])
    for w in (H_PER_DAY, WEEK_H):
        mean = (csum[i] - csum[i - w]) / w
        cols.append(mean[:, None])
    var = (csq[i] - csq[i - H_PER_DAY]) / H_PER_DAY - ((csum[i] - csum[i - H_PER_DAY]) / 24) ** 2
    cols.append(np.sqrt(np.maximum(var, 0.0))[:, None])
    base_z = z[base]
    if known is not None:
        feats = known.encode(known.raw[j], hour0 + i, hour0 + j)
        cols.append(feats)
        implied = known.implied
        if implied is not None:
            # Where the day-ahead production forecast is known, the intensity it implies is a
            # better starting point than yesterday's value (the last feature flags missing rows).
            base_z = np.where(feats[:, -1] == 0.0, feats[:, implied], base_z)
            cols.extend(_implied_extras(z, known, implied, hour0, issues, i, j, feats))
    return np.concatenate(cols, axis=1), j, base_z


def _implied_extras(
    z: NDArray[np.float64],
    known: _Known,
    implied: int,
    hour0: int,
    issues: NDArray[np.int64],
    i: NDArray[np.int64],
    j: NDArray[np.int64],
    feats: NDArray[np.float64],
) -> list[NDArray[np.float64]]:
    """Two uses of the implied intensity that only read what is known at the issue time.

    - Its recent error: the intensity minus the implied intensity over the 24 hours before the
      issue (their forecasts were published before them), as a mean and the last hour's value;
      a day-ahead forecast's bias persists for hours.
    - A forecast of it for hours beyond the known forecasts: the implied intensity of the same
      hour on the latest day whose forecast is known (persistence of the covariate forecast).
    """
    raw, encode = known.raw, known.encode
    past = issues[:, None] - np.arange(1, H_PER_DAY + 1)[None, :]
    hist = encode(raw[past], hour0 + past, hour0 + past)
    err = np.where(hist[..., -1] == 0.0, z[past] - hist[..., implied], np.nan)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN days: NaN, which trees handle
        mean_err = np.nanmean(err, axis=1)
    per_issue = np.repeat(np.arange(issues.size), j.size // max(issues.size, 1))
    unknown = feats[:, -1] != 0.0
    # The same hour of day on the latest day whose forecasts are all known at the issue time.
    ends = np.full(j.shape, np.iinfo(np.int64).max)
    for r in known.rules:
        ends = np.minimum(ends, r.known_end(hour0 + i) - hour0)
    back = np.maximum(0, -(-(j - ends + 1) // H_PER_DAY))
    j_eff = np.clip(j - H_PER_DAY * back, 0, raw.shape[0] - 1)
    prev = encode(raw[j_eff], hour0 + i, hour0 + j_eff)
    carried = np.where(unknown & (prev[:, -1] == 0.0), prev[:, implied], np.nan)
    return [mean_err[per_issue][:, None], err[per_issue, 0][:, None], carried[:, None]]


def _min_history(known: bool) -> int:
    # The same hour on 7 observed days before the last one, and a week back, at lead 0.
    return max(N_LAGS_H, WEEK_H, H_PER_DAY * N_SAME_HOUR_DAYS)


def _export_trees(model: HistGradientBoostingRegressor, n_iter: int) -> _Trees:
    """The first ``n_iter`` trees as plain arrays (sklearn's node records, concatenated)."""
    trees: list[Any] = [preds[0].nodes for preds in model._predictors[:n_iter]]
    if any(p[0].nodes["is_categorical"].any() for p in model._predictors[:n_iter]):
        raise ForecastError("categorical splits are not supported in the exported trees")
    offsets = np.cumsum([0] + [t.size for t in trees]).astype(np.int64)
    nodes: Any = np.concatenate(trees)
    return {
        "feature": np.asarray(nodes["feature_idx"], dtype=np.int64),
        "threshold": np.asarray(nodes["num_threshold"], dtype=np.float64),
        "missing_left": np.asarray(nodes["missing_go_to_left"], dtype=np.bool_),
        "left": np.asarray(nodes["left"], dtype=np.int64),
        "right": np.asarray(nodes["right"], dtype=np.int64),
        "is_leaf": np.asarray(nodes["is_leaf"], dtype=np.bool_),
        "value": np.asarray(nodes["value"], dtype=np.float64),
        "offsets": offsets,
        "baseline": np.asarray(model._baseline_prediction, dtype=np.float64).reshape(1),
    }


def _predict_trees(trees: _Trees, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Sum of the exported trees' leaf values plus the baseline, shape ``(rows,)``."""
    out = np.full(x.shape[0], float(trees["baseline"][0]))
    rows = np.arange(x.shape[0])
    offsets = trees["offsets"]
    feature, threshold = trees["feature"], trees["threshold"]
    left, right, is_leaf = trees["left"], trees["right"], trees["is_leaf"]
    missing_left, value = trees["missing_left"], trees["value"]
    for t in range(offsets.size - 1):
        off = int(offsets[t])
        node = np.full(x.shape[0], off, dtype=np.int64)
        active = ~is_leaf[node]
        while active.any():
            n = node[active]
            xv = x[rows[active], feature[n]]
            go_left = np.where(np.isnan(xv), missing_left[n], xv <= threshold[n])
            node[active] = off + np.where(go_left, left[n], right[n])
            active = ~is_leaf[node]
        out += value[node]
    return out


class GradientBoostingForecaster(Forecaster):
    """Histogram gradient-boosted trees, one model for all leads (direct strategy).

    Args:
        max_iter: most boosting iterations (early stopping on the validation split picks fewer).
        learning_rate: shrinkage.
        max_leaf_nodes: leaves per tree.
        min_samples_leaf: smallest leaf.
        l2_regularization: L2 penalty on leaf values.
        issue_stride_h: hours between training issue times (all 96 leads for each).
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
        self._scaler: LogScaler | None = None
        self._encoder: CovariateEncoder | None = None
        self._trees: _Trees | None = None
        self.n_trees_: int = 0
        self._year_features = True

    @property
    def min_history_h(self) -> int:
        return _min_history(self._encoder is not None)

    def _config(self) -> dict[str, Any]:
        return {
            "max_iter": self.max_iter,
            "learning_rate": self.learning_rate,
            "max_leaf_nodes": self.max_leaf_nodes,
            "min_samples_leaf": self.min_samples_leaf,
            "l2_regularization": self.l2_regularization,
            "issue_stride_h": self.issue_stride_h,
        }

    def _known(
        self, rows: NDArray[np.float64] | None, columns: Sequence[str], label: str
    ) -> _Known | None:
        encoder, scaler = self._encoder, self._scaler
        if encoder is None or scaler is None:
            return None

        def encode(
            raw: NDArray[np.float64], issue_h: NDArray[np.int64], hours: NDArray[np.int64]
        ) -> NDArray[np.float64]:
            return encoder.features_at(raw, issue_h, hours, scaler)

        raw = encoder.select(rows, columns, label)
        return _Known(raw, encode, encoder.implied_index, encoder.rules)

    def _fit(
        self,
        data: HourlySeries,
        valid_from: int | None,
        seed: int | None,
        progress: ProgressCallback | None,
    ) -> None:
        n = len(data)
        need = _min_history(data.known is not None)
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
        x_tr, j_tr, b_tr = _design(z, known, hour0, train_issues, leads, yf)
        y_tr = z[j_tr] - b_tr
        x_va, j_va, b_va = _design(z, known, hour0, valid_issues, leads, yf)
        if progress is not None:
            progress(1, steps, f"gbm: boosting ({x_tr.shape[0]} rows x {x_tr.shape[1]} features)")
        model = HistGradientBoostingRegressor(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            early_stopping=False,
            random_state=resolve_seed(seed),
        )
        model.fit(x_tr, y_tr)
        if progress is not None:
            progress(2, steps, "gbm: early stopping on validation")
        actual = np.asarray(data.values_g_per_kwh)[j_va]
        ok = actual > 0
        best, best_mape = 1, np.inf
        for it, resid in enumerate(model.staged_predict(x_va), start=1):
            pred = self._scaler.inverse(b_va + resid)
            mape = float(np.mean(np.abs(pred[ok] - actual[ok]) / actual[ok]))
            if mape < best_mape - 1e-12:
                best, best_mape = it, mape
        self.n_trees_ = best
        self._trees = _export_trees(model, best)
        _log.info("gbm: %d trees, validation MAPE %.2f %%", best, 100 * best_mape)
        if progress is not None:
            progress(3, steps, f"gbm: {best} trees, validation MAPE {100 * best_mape:.2f} %")

    def _predict(self, views: Sequence[IssueView]) -> NDArray[np.float64]:
        if self._scaler is None or self._trees is None:
            raise ForecastError("gbm: call fit() (or load a saved model) before predict")
        rows, bases = [], []
        for v in views:
            i = v.n_history
            z = np.concatenate([self._scaler.transform(v.history_g_per_kwh), np.zeros(v.horizon_h)])
            known = self._known(v.known, v.known_columns, v.label)
            hour0, issue = epoch_hours(v.history_start), np.array([i])
            x, _, b = _design(z, known, hour0, issue, np.arange(v.horizon_h), self._year_features)
            rows.append(x)
            bases.append(b)
        resid = _predict_trees(self._trees, np.concatenate(rows))
        z_pred = np.concatenate(bases) + resid
        return self._scaler.inverse(z_pred).reshape(len(views), -1)

    def _save_state(self, directory: Path) -> dict[str, Any]:
        if self._scaler is None or self._trees is None:
            raise ForecastError("gbm: nothing to save, the model is not fitted")
        np.savez(directory / TREES_FILE, **self._trees)  # type: ignore[arg-type]
        return {
            "scaler": self._scaler.to_dict(),
            "encoder": None if self._encoder is None else self._encoder.to_dict(),
            "n_trees": self.n_trees_,
            "year_features": self._year_features,
            "trees_file": TREES_FILE,
        }

    def _load_state(self, directory: Path, state: dict[str, Any]) -> None:
        path = directory / str(state.get("trees_file", TREES_FILE))
        try:
            with np.load(path, allow_pickle=False) as f:
                self._trees = {k: np.asarray(f[k]) for k in f.files}
            self._scaler = LogScaler.from_dict(state["scaler"])
            enc = state.get("encoder")
            self._encoder = None if enc is None else CovariateEncoder.from_dict(enc)
            self.n_trees_ = int(state["n_trees"])
            self._year_features = bool(state["year_features"])
        except (OSError, KeyError, ValueError, TypeError) as e:
            raise ForecastError(f"{path}: cannot load the gbm trees ({e})") from None
