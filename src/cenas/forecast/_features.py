"""Shared feature engineering: the log target scale, calendar features and known-ahead covariates.

The learned models work on ``z = (log(y + 1) - mean) / std`` of the intensity ``y`` (gCO2eq/kWh):
errors in log space are relative errors, which is what MAPE scores, and the +1 keeps near-zero
intensities (hydro, nuclear grids) finite.

Known-ahead covariates (DACF / CarbonCast files) are turned into features for the target hours:
standardised weather forecasts, each source's share of the forecast production, the log of the
total, and an *implied intensity*: the production-forecast shares times per-source emission factors
learned by non-negative least squares from the fit data (from the actual production shares when
the file has them, which recovers the factors the intensity was computed with; otherwise from the
forecast shares).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import nnls

from cenas.errors import ForecastError
from cenas.forecast._availability import (
    PRODUCTION_FORECAST,
    WEATHER_FORECAST,
    CovariateRule,
    mask_unknown,
    rule_for,
)
from cenas.forecast._hourly import HourlySeries
from cenas.forecast._time import epoch_hours

__all__ = ["N_CALENDAR", "CovariateEncoder", "LogScaler", "calendar_features", "epoch_hours"]

N_CALENDAR = 6
_DAYS_PER_YEAR = 365.2425
_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday (Monday = 0)


def calendar_features(hours: NDArray[np.int64]) -> NDArray[np.float64]:
    """UTC hour of day, weekday and time of year as sin/cos pairs.

    Args:
        hours: whole hours since the UNIX epoch, any shape ``S``.

    Returns:
        float64 array of shape ``S + (6,)``.
    """
    h = np.asarray(hours, dtype=np.int64)
    days = h // 24
    angles = (
        2 * np.pi * (h % 24) / 24.0,
        2 * np.pi * ((days + _EPOCH_WEEKDAY) % 7) / 7.0,
        2 * np.pi * (days % _DAYS_PER_YEAR) / _DAYS_PER_YEAR,
    )
    parts = [f(a) for a in angles for f in (np.sin, np.cos)]
    return np.stack(parts, axis=-1)


@dataclass(frozen=True)
class LogScaler:
    """``z = (log(y + 1) - mean) / std`` for intensities ``y`` in gCO2eq/kWh."""

    mean: float
    std: float

    @classmethod
    def fit(cls, values_g_per_kwh: NDArray[np.float64]) -> LogScaler:
        """Fit mean and standard deviation of ``log(y + 1)`` (std floored for flat traces)."""
        logs = np.log1p(np.asarray(values_g_per_kwh, dtype=np.float64))
        return cls(mean=float(logs.mean()), std=max(float(logs.std()), 1e-3))

    def transform(self, values_g_per_kwh: NDArray[np.float64]) -> NDArray[np.float64]:
        """Intensity to z, same shape."""
        out: NDArray[np.float64] = (np.log1p(values_g_per_kwh) - self.mean) / self.std
        return out

    def inverse(self, z: NDArray[np.float64]) -> NDArray[np.float64]:
        """z to intensity (gCO2eq/kWh, >= 0), same shape."""
        out: NDArray[np.float64] = np.maximum(np.expm1(z * self.std + self.mean), 0.0)
        return out

    def to_dict(self) -> dict[str, float]:
        """JSON-ready."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LogScaler:
        """Inverse of :meth:`to_dict`."""
        return cls(mean=float(d["mean"]), std=float(d["std"]))


def _nnls_factors(shares: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    ok = np.isfinite(shares).all(axis=1) & np.isfinite(y)
    if ok.sum() < shares.shape[1] + 1:
        return np.zeros(shares.shape[1])
    factors, _ = nnls(shares[ok], y[ok])
    return np.asarray(factors, dtype=np.float64)


def _shares(production: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Shares of each source and the total; rows with no production (missing days are written as
    all zeros in the DACF files) become NaN."""
    prod = np.where(np.isfinite(production), np.maximum(production, 0.0), 0.0)
    total = prod.sum(axis=1)
    missing = ~(total > 0) | ~np.isfinite(production).any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = prod / total[:, None]
    shares[missing] = np.nan
    total = np.where(missing, np.nan, total)
    return shares, total


@dataclass(frozen=True)
class CovariateEncoder:
    """Turns raw known-ahead covariate rows into standardised model features.

    Features, in order: each weather forecast (standardised), each source's share of the
    production forecast, ``log1p`` of the total production forecast (standardised), the implied
    intensity in the target's z scale, and a 0/1 flag for rows whose covariates were missing (their
    other features are 0, i.e. the mean).

    Attributes:
        columns: raw column names the encoder reads, in order.
        weather: names of the weather-forecast columns.
        production: names of the production-forecast columns.
        factors_g_per_kwh: emission factor per production column (NNLS), gCO2eq/kWh.
        weather_mean, weather_std: standardisation of the weather columns.
        total_mean, total_std: standardisation of ``log1p(total production)``.
        factors_from: ``actual`` or ``forecast``: which shares the factors were fitted on.
    """

    columns: tuple[str, ...]
    weather: tuple[str, ...]
    production: tuple[str, ...]
    factors_g_per_kwh: tuple[float, ...]
    weather_mean: tuple[float, ...]
    weather_std: tuple[float, ...]
    total_mean: float
    total_std: float
    factors_from: str

    @property
    def n_features(self) -> int:
        """Number of feature columns :meth:`transform` returns."""
        n = len(self.weather) + 1
        if self.production:
            n += len(self.production) + 2
        return n

    @property
    def implied_index(self) -> int | None:
        """Column of the implied intensity in :meth:`transform`'s output, or None."""
        return self.n_features - 2 if self.production else None

    @classmethod
    def fit(cls, data: HourlySeries) -> CovariateEncoder | None:
        """Fit on the fit data; None when the series has no known-ahead columns."""
        known = data.known_for_hours()
        if known is None:
            return None
        cols = [str(c) for c in known.columns]
        weather = [c for c in cols if WEATHER_FORECAST.match(c)]
        production = [c for c in cols if PRODUCTION_FORECAST.match(c)]
        w = known[weather].to_numpy(dtype=np.float64, na_value=np.nan)
        w = np.where(_weather_missing(w)[:, None], np.nan, w)
        w_mean = np.nan_to_num(np.nanmean(w, axis=0)) if len(weather) else np.zeros(0)
        w_std = np.nan_to_num(np.nanstd(w, axis=0), nan=1.0) if len(weather) else np.zeros(0)
        w_std = np.where(w_std > 1e-9, w_std, 1.0)
        factors = np.zeros(len(production))
        total_mean, total_std, factors_from = 0.0, 1.0, "none"
        if production:
            p = known[production].to_numpy(dtype=np.float64, na_value=np.nan)
            shares, total = _shares(p)
            y = np.asarray(data.values_g_per_kwh)
            if data.actual is not None:
                a_shares, _ = _shares(data.actual.to_numpy(dtype=np.float64, na_value=np.nan))
                factors, factors_from = _nnls_factors(a_shares, y), "actual"
            else:
                factors, factors_from = _nnls_factors(shares, y), "forecast"
            logt = np.log1p(total)
            if np.isfinite(logt).any():
                total_mean = float(np.nanmean(logt))
                total_std = max(float(np.nanstd(logt)), 1e-3)
        return cls(
            columns=tuple(weather + production),
            weather=tuple(weather),
            production=tuple(production),
            factors_g_per_kwh=tuple(float(f) for f in factors),
            weather_mean=tuple(float(v) for v in w_mean),
            weather_std=tuple(float(v) for v in w_std),
            total_mean=total_mean,
            total_std=total_std,
            factors_from=factors_from,
        )

    def select(
        self, rows: NDArray[np.float64] | None, columns: Sequence[str], label: str
    ) -> NDArray[np.float64]:
        """Pick this encoder's columns (by name) out of raw rows; absent columns are NaN.

        Raises:
            ForecastError: when none of the columns the model was fitted with is present.
        """
        present = {c: i for i, c in enumerate(columns)}
        if rows is None or not any(c in present for c in self.columns):
            raise ForecastError(
                f"{label}: the model was fitted with the known-ahead covariates "
                f"{list(self.columns)[:3]}... but the trace has none of them"
            )
        out = np.full((rows.shape[0], len(self.columns)), np.nan)
        for j, c in enumerate(self.columns):
            if c in present:
                out[:, j] = rows[:, present[c]]
        return out

    def transform(self, raw: NDArray[np.float64], scaler: LogScaler) -> NDArray[np.float64]:
        """Features for raw rows in :attr:`columns` order.

        Args:
            raw: shape ``(m, len(columns))``, NaN where missing.
            scaler: the target scale (for the implied intensity).

        Returns:
            float64 array of shape ``(m, n_features)``, finite.
        """
        nw = len(self.weather)
        w = raw[:, :nw]
        w_missing = _weather_missing(w) if nw else np.zeros(raw.shape[0], dtype=bool)
        feats = [(w - np.asarray(self.weather_mean)) / np.asarray(self.weather_std)]
        missing = w_missing | ~np.isfinite(w).all(axis=1)
        if self.production:
            shares, total = _shares(raw[:, nw:])
            implied = shares @ np.asarray(self.factors_g_per_kwh)
            feats.append(shares)
            feats.append(((np.log1p(total) - self.total_mean) / self.total_std)[:, None])
            feats.append(scaler.transform(implied)[:, None])
            missing = missing | ~np.isfinite(total)
        out = np.concatenate(feats, axis=1)
        out[missing] = 0.0
        out = np.nan_to_num(out, nan=0.0, posinf=0.0, neginf=0.0)
        return np.concatenate([out, missing[:, None].astype(np.float64)], axis=1)

    @property
    def rules(self) -> tuple[CovariateRule, ...]:
        """The availability rule of each of :attr:`columns`."""
        out = []
        for c in self.columns:
            r = rule_for(c)
            if r is None:
                raise ForecastError(f"covariate {c!r} has no availability rule")
            out.append(r)
        return tuple(out)

    def features_at(
        self,
        raw: NDArray[np.float64],
        issue_hours: NDArray[np.int64],
        hours: NDArray[np.int64],
        scaler: LogScaler,
    ) -> NDArray[np.float64]:
        """Features of raw rows as known at their issue times: every value that its rule says is
        not known at the issue time is treated as missing, in training exactly as in prediction.

        Args:
            raw: covariates by described hour in :attr:`columns` order, shape ``S + (n_cols,)``.
            issue_hours: issue time of each row (epoch hours), broadcastable to ``S``.
            hours: hour each row describes (epoch hours), broadcastable to ``S``.
            scaler: the target scale.

        Returns:
            float64 array of shape ``S + (n_features,)``.
        """
        masked = mask_unknown(raw, self.rules, issue_hours, hours)
        flat = self.transform(masked.reshape(-1, masked.shape[-1]), scaler)
        return flat.reshape(*masked.shape[:-1], flat.shape[-1])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CovariateEncoder:
        """Inverse of :meth:`to_dict`."""
        return cls(
            columns=tuple(d["columns"]),
            weather=tuple(d["weather"]),
            production=tuple(d["production"]),
            factors_g_per_kwh=tuple(float(v) for v in d["factors_g_per_kwh"]),
            weather_mean=tuple(float(v) for v in d["weather_mean"]),
            weather_std=tuple(float(v) for v in d["weather_std"]),
            total_mean=float(d["total_mean"]),
            total_std=float(d["total_std"]),
            factors_from=str(d["factors_from"]),
        )


def _weather_missing(w: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Rows whose weather forecasts are all zero or NaN: missing days in the DACF files (a
    temperature of 0 K is not weather)."""
    if w.shape[1] == 0:
        return np.zeros(w.shape[0], dtype=bool)
    filled = np.where(np.isfinite(w), w, 0.0)
    return np.asarray((filled == 0.0).all(axis=1))
