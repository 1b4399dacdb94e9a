"""The feature rows of the gradient-boosted model: one per (issue time, lead), built only from
what is known at the issue time (see :mod:`._gbm`)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from cenas.forecast._availability import CovariateRule
from cenas.forecast._features import calendar_features
from cenas.forecast._time import H_PER_DAY

__all__ = ["Known", "design", "min_history"]

N_LAGS_H = 48
N_SAME_HOUR_DAYS = 7
WEEK_H = 7 * H_PER_DAY

_Encode = Callable[[NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]], NDArray[np.float64]]
"""``encode(raw_rows, issue_hours, hours)``: covariate features as known at each issue."""


class Known(NamedTuple):
    raw: NDArray[np.float64]
    """Raw covariates by described hour index, in the encoder's column order."""
    encode: _Encode
    implied: int | None
    """Column of the implied intensity among the features, or None."""
    rules: tuple[CovariateRule, ...]


def design(
    z: NDArray[np.float64],
    known: Known | None,
    hour0: int,
    issues: NDArray[np.int64],
    leads: NDArray[np.int64],
    year_features: bool = True,
    relative: bool = False,
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
        relative: express every intensity-valued feature (lags, same-hour values, means, the
            implied intensity and its carried forecast) relative to the mean of the 24 hours
            before the issue, so the trees learn shapes and corrections rather than levels.

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
    # Recent level and variability, from cumulative sums (strictly before the issue).
    csum = np.concatenate([[0.0], np.cumsum(z)])
    csq = np.concatenate([[0.0], np.cumsum(z * z)])
    level = (csum[i] - csum[i - H_PER_DAY]) / H_PER_DAY
    # Relative features carry over a change of level between years (the DACF files' 2020 ->
    # 2021 shift), where trees split on absolute levels have nothing to say.
    ref = level[:, None] if relative else np.zeros((i.size, 1))
    cols: list[NDArray[np.float64]] = [
        k[:, None].astype(np.float64),
        ((hour0 + i) % H_PER_DAY)[:, None].astype(np.float64),
        calendar,
        z[lag_idx] - ref,
        z[same_idx] - ref,
        z[week][:, None] - ref,
    ]
    for w in (H_PER_DAY, WEEK_H):
        mean = (csum[i] - csum[i - w]) / w
        cols.append(mean[:, None] - (0.0 if w == H_PER_DAY else ref))
    var = (csq[i] - csq[i - H_PER_DAY]) / H_PER_DAY - level**2
    cols.append(np.sqrt(np.maximum(var, 0.0))[:, None])
    base_z = z[base]
    if known is not None:
        feats = known.encode(known.raw[j], hour0 + i, hour0 + j)
        implied = known.implied
        extras: list[NDArray[np.float64]] = []
        if implied is not None:
            # Where the day-ahead production forecast is known, the intensity it implies is a
            # better starting point than yesterday's value (the last feature flags missing rows).
            base_z = np.where(feats[:, -1] == 0.0, feats[:, implied], base_z)
            extras = _implied_extras(z, known, implied, hour0, issues, i, j, feats)
            if relative:
                # The implied intensity both ways: its level is what day 1 needs.
                extras.append(feats[:, implied : implied + 1] - ref)
                extras[-2] = extras[-2] - ref
        cols.append(feats)
        cols.extend(extras)
    return np.concatenate(cols, axis=1), j, base_z


def _implied_extras(
    z: NDArray[np.float64],
    known: Known,
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


def min_history(known: bool) -> int:
    # The same hour on 7 observed days before the last one, and a week back, at lead 0.
    return max(N_LAGS_H, WEEK_H, H_PER_DAY * N_SAME_HOUR_DAYS)
