"""Hours and issue times: the units every forecaster shares."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from cenas.carbon import to_utc_timestamp
from cenas.errors import ForecastError, TraceError

__all__ = [
    "H_PER_DAY",
    "S_PER_H",
    "ProgressCallback",
    "TimeLike",
    "epoch_hours",
    "to_issue_time",
    "to_utc",
]

S_PER_H = 3600
H_PER_DAY = 24

TimeLike = pd.Timestamp | str | float | int
"""A time: a Timestamp/datetime (naive means UTC), an ISO string, or UNIX epoch seconds."""

ProgressCallback = Callable[[int, int, str], None]
"""Called as ``progress(done, total, message)`` while a forecaster trains."""


def to_utc(t: TimeLike, what: str = "time") -> pd.Timestamp:
    """A UTC Timestamp from a Timestamp/datetime (naive = UTC), ISO string or epoch seconds."""
    try:
        return to_utc_timestamp(t, what=what)
    except TraceError as e:  # the same rule, reported as a forecasting error
        raise ForecastError(str(e)) from None


def to_issue_time(t: TimeLike) -> pd.Timestamp:
    """The issue time floored to the whole UTC hour (forecasts are hourly)."""
    return to_utc(t, "issue_time").floor("h")


def epoch_hours(t: pd.Timestamp) -> int:
    """Whole hours since 1970-01-01 UTC."""
    return int((t - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(hours=1))
