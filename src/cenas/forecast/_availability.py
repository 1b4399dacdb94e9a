"""When each covariate value becomes known, and which hour it describes.

The DACF / CarbonCast files (``carbon/dacf/<R>_direct_emissions.csv``) hold, besides the intensity
and the actual production per source, two groups of forecast columns: weather forecasts
``forecast_avg_<var>_wMean`` and day-ahead production forecasts ``avg_<src>_production_forecast``.
Neither describes the hour of the row it sits on:

- The columns sit 24 h before the hour they forecast. Measured on all three files (2020-2021,
  forecast at row ``r`` against the actual at row ``r + L``): the wind production forecast's
  weighted MAPE is 46.0 / 19.8 / 44.4 % at L = 0 / 24 / 48 h on CISO, 53.4 / 35.3 / 56.4 % on PJM
  and 42.6 / 7.1 / 42.3 % on SE; its correlation with the actual peaks at L = 24-25 h on CISO and
  SE (0.945, 0.984; 22 h on PJM), and the weather wind-speed forecast's correlation with actual
  wind rises from L = 0 to L = 24 h on every file (CISO 0.29 -> 0.44, PJM 0.35 -> 0.58, SE 0.48 ->
  0.87). DACF's published CISO forecast file holds the value these files have at 2021-07-01 00:00
  at 2021-07-02 00:00. Wind is the one source without a strong daily cycle, so it is where the
  shift shows; solar, nuclear and hydro are near-periodic or slow and cannot tell the lags apart.
- A value is known only from the day of the hour it describes: in DACF's code each UTC day's 24 h
  production forecast is made from the previous 24 h of actuals, i.e. at the end of the day
  before. The weather columns are aligned in the same files the same way, so they get the same
  (conservative) rule.

So a value stored at file row ``r`` describes hour ``r + 24 h`` and is known from 00:00 UTC of that
hour's day on. At an issue time ``T`` the known forecasts therefore cover the hours up to the end
of ``T``'s UTC day: leads 0-23 h for a forecast issued at 00:00, fewer later in the day, and never
a later day. Every model gets its covariates through :class:`CovariateRule` and
:func:`mask_unknown`, which hide every value a rule says is not known at the issue time; for
multi-day leads a model may carry the last known day's values forward (a forecast of the
covariate), never read the values themselves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cenas.forecast._time import H_PER_DAY

__all__ = [
    "DACF_RULE",
    "PRODUCTION_FORECAST",
    "WEATHER_FORECAST",
    "CovariateRule",
    "is_known_ahead",
    "known_end_hours",
    "mask_unknown",
    "rule_for",
]

WEATHER_FORECAST = re.compile(r"^forecast_avg_(?P<var>.+)_wMean$")
PRODUCTION_FORECAST = re.compile(r"^avg_(?P<src>.+)_production_forecast$")


@dataclass(frozen=True)
class CovariateRule:
    """Which hour a forecast column's value describes and when it becomes known.

    A forecast run is issued every ``issued_every_h`` hours (at multiples of it since the UNIX
    epoch, UTC) and describes the ``covers_h`` hours from its issue on; the file stores the value
    for hour ``h`` on the row of hour ``h - stored_ahead_h``.

    Attributes:
        stored_ahead_h: how many hours before the described hour the file stores the value.
        issued_every_h: hours between forecast runs.
        covers_h: hours each run describes, from its issue time on.
    """

    stored_ahead_h: int = H_PER_DAY
    issued_every_h: int = H_PER_DAY
    covers_h: int = H_PER_DAY

    def known_end(self, issue_hours: NDArray[np.int64]) -> NDArray[np.int64]:
        """The first described hour NOT known at each issue time (epoch hours, same shape): the
        end of the newest run issued at or before the issue time."""
        h = np.asarray(issue_hours, dtype=np.int64)
        out: NDArray[np.int64] = (h // self.issued_every_h) * self.issued_every_h + self.covers_h
        return out


DACF_RULE = CovariateRule(stored_ahead_h=H_PER_DAY, issued_every_h=H_PER_DAY, covers_h=H_PER_DAY)
"""The rule of DACF's weather and day-ahead production forecasts (see the module docstring)."""


def is_known_ahead(column: str) -> bool:
    """Whether a column is a forecast (known before the hour it describes, under its rule)."""
    return rule_for(column) is not None


def rule_for(column: str) -> CovariateRule | None:
    """The availability rule of a forecast column; None for anything else (actuals, ...)."""
    if WEATHER_FORECAST.match(column) or PRODUCTION_FORECAST.match(column):
        return DACF_RULE
    return None


def known_end_hours(
    rules: Sequence[CovariateRule], issue_hours: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Per column, the first described hour not known at each issue: shape ``S + (n_cols,)``."""
    h = np.asarray(issue_hours, dtype=np.int64)
    if not rules:
        return np.zeros((*h.shape, 0), dtype=np.int64)
    return np.stack([r.known_end(h) for r in rules], axis=-1)


def mask_unknown(
    raw: NDArray[np.float64],
    rules: Sequence[CovariateRule],
    issue_hours: NDArray[np.int64],
    hours: NDArray[np.int64],
) -> NDArray[np.float64]:
    """``raw`` with every value not known at its issue time set to NaN (a copy).

    Args:
        raw: covariates by described hour, shape ``S + (len(rules),)``.
        rules: one rule per column.
        issue_hours: the issue time of each row (epoch hours), broadcastable to ``S``.
        hours: the hour each row describes (epoch hours), broadcastable to ``S``.

    Returns:
        float64 array of ``raw``'s shape.
    """
    shape = raw.shape[:-1]
    issue = np.broadcast_to(np.asarray(issue_hours, dtype=np.int64), shape)
    hour = np.broadcast_to(np.asarray(hours, dtype=np.int64), shape)
    known = hour[..., None] < known_end_hours(rules, issue)
    return np.where(known, raw, np.nan)
