"""Times and steps as the carbon layer takes them: UTC timestamps from any common form, steps
in whole seconds."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from cenas.errors import TraceError

__all__ = ["S_PER_H", "TimeLike", "to_step_s", "to_utc_timestamp"]

TimeLike = datetime | pd.Timestamp | str | float | int
"""A point in time: a datetime/Timestamp (naive means UTC), an ISO string (no offset means UTC),
or UNIX epoch seconds."""

S_PER_H = 3600.0


def _shown(v: object) -> str:
    # A NumPy number reads as the number the user wrote (inf), not as np.float64(inf).
    return repr(v.item()) if isinstance(v, np.generic) else repr(v)


def to_utc_timestamp(t: TimeLike, *, what: str = "time") -> pd.Timestamp:
    """Convert a datetime, ISO string or epoch seconds into a UTC Timestamp (naive means UTC).

    Raises:
        TraceError: when the value is not a time.
    """
    try:
        if isinstance(t, bool):
            raise TypeError
        if isinstance(t, int | float | np.integer | np.floating):
            ts = pd.Timestamp(float(t), unit="s", tz="UTC")
        else:
            ts = pd.Timestamp(t)
    except (ValueError, TypeError, OverflowError):
        raise TraceError(
            f"{what} must be a datetime, ISO string or epoch seconds, got {_shown(t)}"
        ) from None
    if pd.isna(ts):
        raise TraceError(f"{what} must be a time, got {_shown(t)}")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def to_step_s(step: int | float | str | timedelta | pd.Timedelta) -> int:
    """Convert a step (seconds, ``"30min"``, ``"1h"``, a timedelta) into whole positive seconds.

    Raises:
        TraceError: when the step is not a positive whole number of seconds.
    """
    try:
        if isinstance(step, bool):
            raise TypeError
        if isinstance(step, int | float | np.integer | np.floating):
            seconds = float(step)
        else:
            try:
                seconds = pd.Timedelta(step).total_seconds()
            except ValueError:  # a frequency alias without a number, e.g. "h"
                seconds = pd.Timedelta(to_offset(step)).total_seconds()  # type: ignore[arg-type]
    except (ValueError, TypeError):
        raise TraceError(
            f"step must be seconds, a timedelta or e.g. '30min', got {_shown(step)}"
        ) from None
    if not math.isfinite(seconds) or seconds <= 0 or seconds != int(seconds):
        raise TraceError(f"step must be a positive whole number of seconds, got {_shown(step)}")
    return int(seconds)
