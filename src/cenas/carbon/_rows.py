"""Reading a carbon-intensity file's rows: times (UTC), values (gCO2eq/kWh), order, plausible
units, and the regular grid (finer rows averaged, gaps filled only when asked).

Every problem raises :class:`~cenas.errors.TraceError` with a message that names the file, the
data row (1-based; the file line is the row + 1 because of the header) and what was expected.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cenas.carbon._source import Gap, TraceFormat
from cenas.errors import TraceError

__all__ = ["MAX_PLAUSIBLE_G_PER_KWH", "MIN_PLAUSIBLE_MAX_G_PER_KWH", "GapPolicy"]

_log = logging.getLogger(__name__)

MAX_PLAUSIBLE_G_PER_KWH = 2000.0
"""No grid emits more (lignite is ~1,100-1,200 life-cycle); larger values suggest g/MWh,
lbs/MWh or another unit."""

MIN_PLAUSIBLE_MAX_G_PER_KWH = 2.0
"""A trace whose largest value is below this is almost surely in kg/kWh or t/MWh."""
# An offset only counts after a time of day, so a bare date such as 2021-01-01 is not "-01".
_TZ_SUFFIX = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_EPOCH_MAX_S = 4_102_444_800.0  # 2100-01-01: larger numbers are milliseconds or not times


class GapPolicy(StrEnum):
    """What to do with missing steps in a file."""

    ERROR = "error"
    """Raise a TraceError naming the first gap (the default: gaps are never filled silently)."""
    FORWARD_FILL = "ffill"
    """Repeat the last value before the gap."""
    INTERPOLATE = "interpolate"
    """Linear in time between the values on both sides of the gap."""


def _row(i: int) -> str:
    return f"row {i + 1} (line {i + 2})"


def _parse_times(
    path: Path, raw: pd.Series, col: str, naive_is_utc: bool, assume_utc: bool
) -> NDArray[np.float64]:
    """Epoch seconds of each row; naive strings are UTC only where the format says so."""
    if pd.api.types.is_numeric_dtype(raw.dtype):
        # Numbers in a time column are UNIX epoch seconds, which are UTC by definition.
        secs = raw.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(secs)
        if bad.any():
            i = int(np.argmax(bad))
            raise TraceError(f"{path}: {_row(i)}: column {col!r} has no time")
        out = (secs < 0) | (secs > _EPOCH_MAX_S)
        if out.any():
            i = int(np.argmax(out))
            raise TraceError(
                f"{path}: {_row(i)}: time {secs[i]:.0f} in column {col!r} is not UNIX epoch "
                f"seconds between 1970 and 2100 (milliseconds?)"
            )
        return secs
    text = raw.astype("string").str.strip().str.replace(r"\s*(?:UTC|GMT)$", "+00:00", regex=True)
    missing = text.isna() | (text == "")
    if missing.any():
        i = int(np.argmax(missing.to_numpy()))
        raise TraceError(f"{path}: {_row(i)}: column {col!r} has no time")
    has_tz = text.str.contains(_TZ_SUFFIX, regex=True).to_numpy(dtype=bool)
    if not has_tz.all():
        i = int(np.argmin(has_tz))
        if has_tz.any():
            j = int(np.argmax(has_tz))
            raise TraceError(
                f"{path}: {_row(i)}: time {text.iloc[i]!r} has no UTC offset but {_row(j)} has "
                f"one ({text.iloc[j]!r}); expected the same time zone form in every row"
            )
        if not (naive_is_utc or assume_utc):
            raise TraceError(
                f"{path}: {_row(i)}: time {text.iloc[i]!r} in column {col!r} has no time zone; "
                f"expected an offset such as '+00:00' or 'Z' (or pass assume_utc=True if the "
                f"file is in UTC)"
            )
    parsed = pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
    nat = parsed.isna().to_numpy()
    if nat.any():
        i = int(np.argmax(nat))
        raise TraceError(
            f"{path}: {_row(i)}: cannot parse time {text.iloc[i]!r} in column {col!r}; "
            f"expected ISO 8601 such as '2021-01-01 00:00:00+00:00'"
        )
    delta = pd.DatetimeIndex(parsed) - pd.Timestamp(0, tz="UTC")
    return np.asarray(delta / pd.Timedelta(seconds=1), dtype=np.float64)


def _parse_values(path: Path, raw: pd.Series, col: str, factor: float) -> NDArray[np.float64]:
    numeric = pd.to_numeric(raw, errors="coerce")
    values = numeric.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.argmax(bad))
        cell = raw.iloc[i]
        if pd.isna(cell) or str(cell).strip().lower() in ("", "nan", "null", "none"):
            what = "is missing (NaN)"
        elif np.isinf(values[i]):
            what = f"is infinite ({cell!r})"
        else:
            what = f"is not a number ({cell!r})"
        raise TraceError(
            f"{path}: {_row(i)}: value in column {col!r} {what}; expected a finite intensity "
            f"(gCO2eq/kWh){f'; {int(bad.sum())} such rows in all' if bad.sum() > 1 else ''}"
        )
    neg = values < 0
    if neg.any():
        i = int(np.argmax(neg))
        raise TraceError(
            f"{path}: {_row(i)}: value {values[i]} in column {col!r} is negative; expected an "
            f"intensity >= 0"
        )
    return values * factor if factor != 1.0 else values


def _check_order(path: Path, secs: NDArray[np.float64], raw: pd.Series) -> None:
    d = np.diff(secs)
    if (d > 0).all():
        return
    i = int(np.argmax(d <= 0))
    if d[i] == 0:
        raise TraceError(
            f"{path}: {_row(i + 1)}: duplicate timestamp {raw.iloc[i + 1]!r} (same as "
            f"{_row(i)}); expected each time once"
        )
    raise TraceError(
        f"{path}: {_row(i + 1)}: timestamp {raw.iloc[i + 1]!r} is before the previous row's "
        f"{raw.iloc[i]!r}; expected rows sorted by time"
    )


def _check_magnitude(path: Path, values: NDArray[np.float64], col: str, fmt: TraceFormat) -> None:
    i = int(np.argmax(values))
    vmax = float(values[i])
    if vmax > MAX_PLAUSIBLE_G_PER_KWH:
        raise TraceError(
            f"{path}: {_row(i)}: intensity {vmax:g} gCO2eq/kWh in column {col!r} is above "
            f"{MAX_PLAUSIBLE_G_PER_KWH:g}, more than any grid emits; the file is probably in "
            f"another unit (g/MWh? lbs/MWh? then use a WattTime MOER file)"
        )
    if vmax < MIN_PLAUSIBLE_MAX_G_PER_KWH:
        raise TraceError(
            f"{path}: all intensities in column {col!r} are below "
            f"{MIN_PLAUSIBLE_MAX_G_PER_KWH:g} gCO2eq/kWh (max {vmax:g}); the file is probably in "
            f"kg/kWh or t/MWh; expected gCO2eq/kWh"
        )


def _mode_step(path: Path, diffs: NDArray[np.float64]) -> int:
    steps, counts = np.unique(diffs, return_counts=True)
    step = float(steps[int(np.argmax(counts))])  # ties: the smallest, np.unique sorts
    if step != round(step):
        raise TraceError(
            f"{path}: the most common spacing {step} s is not a whole number of seconds"
        )
    return round(step)


@dataclass(frozen=True)
class _Grid:
    values: NDArray[np.float64]
    row_of_step: NDArray[np.int64]  # first file row of each step, -1 where filled
    gaps: tuple[Gap, ...]
    filled: int
    merged: int


def _regularise(
    path: Path, secs: NDArray[np.float64], values: NDArray[np.float64], step: int, policy: GapPolicy
) -> _Grid:
    t0 = float(secs[0])
    rel = secs - t0
    step_of_row = np.floor(rel / step).astype(np.int64)
    n = int(step_of_row[-1]) + 1
    first_of_step = np.ones(len(secs), dtype=bool)
    first_of_step[1:] = step_of_row[1:] != step_of_row[:-1]
    offset = rel - step_of_row * step
    off = first_of_step & (np.abs(offset) > 1e-6)
    if off.any():
        i = int(np.argmax(off))
        raise TraceError(
            f"{path}: {_row(i)}: time {pd.Timestamp(secs[i], unit='s', tz='UTC')} is off the "
            f"{step} s grid that starts at {pd.Timestamp(t0, unit='s', tz='UTC')}; expected "
            f"rows every {step} s (or finer rows that start on it)"
        )
    # A row holds until the next row or the end of its step; finer rows are averaged,
    # time-weighted, which keeps the integral over time exact.
    ends = np.minimum(np.append(rel[1:], np.inf), (step_of_row + 1) * float(step))
    dur = ends - rel
    weight = np.bincount(step_of_row, weights=dur, minlength=n)
    total = np.bincount(step_of_row, weights=dur * values, minlength=n)
    have = weight > 0
    out = np.full(n, np.nan)
    out[have] = total[have] / weight[have]
    row_of_step = np.full(n, -1, dtype=np.int64)
    row_of_step[step_of_row[first_of_step]] = np.flatnonzero(first_of_step)
    merged = len(secs) - int(first_of_step.sum())

    gaps: list[Gap] = []
    missing = ~have
    if missing.any():
        idx = np.flatnonzero(missing)
        run_start = idx[np.r_[True, np.diff(idx) > 1]]
        run_end = idx[np.r_[np.diff(idx) > 1, True]] + 1
        for a, b in zip(run_start.tolist(), run_end.tolist(), strict=True):
            gaps.append(
                Gap(
                    start=pd.Timestamp(t0 + a * step, unit="s", tz="UTC"),
                    end=pd.Timestamp(t0 + b * step, unit="s", tz="UTC"),
                    missing_steps=b - a,
                    row=int(row_of_step[b]) + 1,
                )
            )
        if policy is GapPolicy.ERROR:
            g = gaps[0]
            prev = pd.Timestamp(t0 + (int(run_start[0]) - 1) * step, unit="s", tz="UTC")
            raise TraceError(
                f"{path}: {_row(g.row - 1)}: gap of {g.missing_steps} step(s) of {step} s after "
                f"{prev}: expected a row at {g.start}; {len(gaps)} gap(s), "
                f"{int(missing.sum())} missing step(s) in all; fill them with gap_policy=ffill or "
                f"interpolate (CLI: --gap-policy)"
            )
        if policy is GapPolicy.FORWARD_FILL:
            last = np.maximum.accumulate(np.where(have, np.arange(n), 0))
            out = out[last]
        else:
            pos = np.arange(n, dtype=np.float64)
            out[missing] = np.interp(pos[missing], pos[have], out[have])
        _log.info(
            "%s: filled %d missing step(s) in %d gap(s) by %s",
            path,
            int(missing.sum()),
            len(gaps),
            policy.value,
        )
    return _Grid(out, row_of_step, tuple(gaps), int(missing.sum()), merged)
