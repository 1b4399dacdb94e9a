"""Fitted scikit-learn gradient-boosted trees as plain arrays, predicted with NumPy (so a saved
model loads without pickle)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.ensemble import HistGradientBoostingRegressor

from cenas.errors import ForecastError

__all__ = ["Trees", "export_trees", "predict_trees"]

Trees = dict[str, NDArray[Any]]
"""Exported trees: flat node arrays of every tree, ``offsets`` into them, and the baseline."""


def export_trees(model: HistGradientBoostingRegressor, n_iter: int) -> Trees:
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


def predict_trees(trees: Trees, x: NDArray[np.float64]) -> NDArray[np.float64]:
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
