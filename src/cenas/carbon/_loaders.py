"""Loading carbon-intensity files: format detection from the header, validation, regular grid.

Every problem raises :class:`~cenas.errors.TraceError` with a message that names the file, the
data row (1-based; the file line is the row + 1 because of the header) and what was expected.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cenas.carbon._trace import (
    EmissionKind,
    Gap,
    IntensityTrace,
    LoadReport,
    TraceFormat,
    TraceSource,
    to_step_s,
)
from cenas.data import find_file
from cenas.errors import TraceError

__all__ = [
    "LBS_PER_MWH_TO_G_PER_KWH",
    "MAX_PLAUSIBLE_G_PER_KWH",
    "MIN_PLAUSIBLE_MAX_G_PER_KWH",
    "GapPolicy",
    "detect_format",
    "load_trace",
    "load_trace_frame",
]

_log = logging.getLogger(__name__)

LBS_PER_MWH_TO_G_PER_KWH = 0.45359237
"""1 lb/MWh = 453.59237 g / 1000 kWh."""

MAX_PLAUSIBLE_G_PER_KWH = 2000.0
"""No grid emits more (lignite is ~1,100-1,200 life-cycle); larger values suggest g/MWh,
lbs/MWh or another unit."""

MIN_PLAUSIBLE_MAX_G_PER_KWH = 2.0
"""A trace whose largest value is below this is almost surely in kg/kWh or t/MWh."""

_PORTAL_TIME = "Datetime (UTC)"
_PORTAL_DIRECT = "Carbon Intensity gCO₂eq/kWh (direct)"
_PORTAL_LCA = "Carbon Intensity gCO₂eq/kWh (LCA)"
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


@dataclass(frozen=True)
class _Spec:
    format: TraceFormat
    time_col: str
    value_col: str
    naive_is_utc: bool
    factor: float
    kind: EmissionKind
    zone: str | None
    guessed: tuple[str, ...] = ()
    """What was read from the file name rather than the file (zone, kind): said in the report."""


def _from_name(what: str, value: str, path: Path) -> str:
    how = " (--kind sets it)" if what == "kind" else ""
    return (
        f"{what} {value!r} is guessed from the file name {path.name!r}, not read from the file{how}"
    )


def _read_header(path: Path) -> list[str]:
    try:
        with path.open("rb") as f:
            head = f.read(64 * 1024)
    except FileNotFoundError:
        raise TraceError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise TraceError(f"{path}: is a directory, expected a CSV file") from None
    if not head.strip():
        raise TraceError(f"{path}: the file is empty; expected a CSV with a header row")
    if b"\x00" in head:
        raise TraceError(f"{path}: not a text CSV file (it contains NUL bytes)")
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        # A cut multi-byte character at the end of the chunk is fine.
        if e.start < len(head) - 4:
            raise TraceError(
                f"{path}: not a UTF-8 text CSV file ({e.reason} at byte {e.start})"
            ) from None
        text = head[: e.start].decode("utf-8-sig")
    first = text.splitlines()[0] if text.splitlines() else ""
    return [c.strip() for c in next(csv.reader(io.StringIO(first)), [])]


_KNOWN = (
    "Electricity Maps portal (`Datetime (UTC)`, `Carbon Intensity gCO₂eq/kWh (direct)`, ...), "
    "Electricity Maps API (`carbon_intensity_avg` with `datetime` or `timestamp`), "
    "DACF/CarbonCast (`UTC time`, `carbon_intensity`), WattTime (`timestamp`/`point_time`, "
    "`MOER`), `Time,Carbon Intensity`, or generic `timestamp,value`"
)


def detect_format(path: str | Path) -> TraceFormat:
    """Detect a carbon-intensity file's format from its header row.

    Raises:
        TraceError: for an empty file, a non-text file, or an unknown header.
    """
    p = Path(path)
    return _detect(p, _read_header(p))


def _detect(path: Path, header: list[str]) -> TraceFormat:
    cols = set(header)
    lower = {c.lower() for c in header}
    if _PORTAL_TIME in cols and (_PORTAL_DIRECT in cols or _PORTAL_LCA in cols):
        return TraceFormat.ELECTRICITYMAPS_PORTAL
    if "carbon_intensity_avg" in lower:
        return TraceFormat.ELECTRICITYMAPS_API
    if "UTC time" in cols and (
        "carbon_intensity" in cols
        or "carbon_intensity_avg_direct" in cols
        or "carbon_intensity_avg_lifecycle" in cols
    ):
        return TraceFormat.DACF
    if "moer" in lower or {"point_time", "value"} <= lower:
        return TraceFormat.WATTTIME_MOER
    if header == ["Time", "Carbon Intensity"]:
        return TraceFormat.TIME_CARBON_INTENSITY
    if {"timestamp", "value"} <= lower:
        return TraceFormat.GENERIC
    shown = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
    raise TraceError(
        f"{path}: unrecognised header [{shown}]: not a carbon-intensity file of a known format; "
        f"expected {_KNOWN}"
    )


def _col(header: list[str], name: str) -> str:
    """The header's spelling of ``name`` (case-insensitive)."""
    for c in header:
        if c.lower() == name.lower():
            return c
    raise KeyError(name)


_KIND_WORDS = {
    EmissionKind.DIRECT: "direct (combustion)",
    EmissionKind.LCA: "life-cycle (lca)",
    EmissionKind.MARGINAL: "marginal (MOER)",
}


def _check_kind(
    path: Path,
    fmt: TraceFormat,
    have: EmissionKind,
    want: EmissionKind | None,
    how: str = "",
) -> EmissionKind:
    if want is None or want is have or have is EmissionKind.UNKNOWN:
        return want or have
    raise TraceError(
        f"{path}: this {fmt.value} file holds only {_KIND_WORDS.get(have, have.value)} "
        f"intensity{how}, so kind {want.value!r} cannot be read from it; use kind "
        f"{have.value!r} (CLI: --kind {have.value}) or a file that holds {want.value} intensity"
    )


def _spec(path: Path, fmt: TraceFormat, header: list[str], kind: EmissionKind | None) -> _Spec:
    if fmt is TraceFormat.ELECTRICITYMAPS_PORTAL:
        k = kind or EmissionKind.DIRECT
        column = {EmissionKind.DIRECT: _PORTAL_DIRECT, EmissionKind.LCA: _PORTAL_LCA}.get(k)
        if column is None or column not in header:
            raise TraceError(
                f"{path}: kind={k.value!r} needs the column {column or _PORTAL_DIRECT!r}, "
                f"which this Electricity Maps export does not have (kinds: direct, lca)"
            )
        return _Spec(fmt, _PORTAL_TIME, column, True, 1.0, k, None)
    if fmt is TraceFormat.ELECTRICITYMAPS_API:
        lower = [c.lower() for c in header]
        time_col = next(
            (_col(header, c) for c in ("datetime", "timestamp", "zone_datetime") if c in lower),
            None,
        )
        if time_col is None:
            raise TraceError(
                f"{path}: an Electricity Maps API export needs a `datetime` or `timestamp` "
                f"column, header is {header}"
            )
        # Electricity Maps' default emission factors are life-cycle; exports do not say, so the
        # caller may declare otherwise.
        k = kind or EmissionKind.LCA
        return _Spec(fmt, time_col, _col(header, "carbon_intensity_avg"), False, 1.0, k, None)
    if fmt is TraceFormat.DACF:
        guessed: list[str] = []
        if "carbon_intensity" in header:
            name = path.name.lower()
            have = (
                EmissionKind.LCA
                if "lifecycle" in name
                else EmissionKind.DIRECT
                if "direct" in name
                else EmissionKind.UNKNOWN
            )
            k = _check_kind(path, fmt, have, kind, " (judged from its file name)")
            if kind is None and have is not EmissionKind.UNKNOWN:
                guessed.append(_from_name("kind", have.value, path))
            value_col = "carbon_intensity"
        else:
            k = kind or EmissionKind.DIRECT
            value_col = {
                EmissionKind.DIRECT: "carbon_intensity_avg_direct",
                EmissionKind.LCA: "carbon_intensity_avg_lifecycle",
            }.get(k, "")
            if value_col not in header:
                raise TraceError(
                    f"{path}: kind={k.value!r} needs a column "
                    f"{value_col or 'carbon_intensity_avg_<kind>'!r}, header is {header}"
                )
        zone = path.name.split("_")[0] or None
        if zone:
            guessed.append(_from_name("zone", zone, path))
        return _Spec(fmt, "UTC time", value_col, True, 1.0, k, zone, tuple(guessed))
    if fmt is TraceFormat.WATTTIME_MOER:
        lower = [c.lower() for c in header]
        value_col = _col(header, "moer") if "moer" in lower else _col(header, "value")
        time_col = next(
            (_col(header, c) for c in ("point_time", "timestamp", "datetime") if c in lower),
            None,
        )
        if time_col is None:
            raise TraceError(
                f"{path}: a WattTime MOER file needs a `point_time` or `timestamp` column, "
                f"header is {header}"
            )
        k = _check_kind(path, fmt, EmissionKind.MARGINAL, kind)
        return _Spec(fmt, time_col, value_col, False, LBS_PER_MWH_TO_G_PER_KWH, k, None)
    if fmt is TraceFormat.TIME_CARBON_INTENSITY:
        # lets-wait-awhile: UTC (no DST duplicates or holes), ENTSO-E production with IPCC
        # life-cycle factors.
        k = _check_kind(path, fmt, EmissionKind.LCA, kind)
        stem = path.stem.lower().removesuffix("_ci")
        zone = {"ger": "DE", "de": "DE", "gb": "GB", "uk": "GB"}.get(stem, stem.upper() or None)
        said = (_from_name("zone", zone, path),) if zone else ()
        return _Spec(fmt, "Time", "Carbon Intensity", True, 1.0, k, zone, said)
    k = kind or EmissionKind.UNKNOWN
    return _Spec(fmt, _col(header, "timestamp"), _col(header, "value"), False, 1.0, k, None)


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


def load_trace(
    path: str | Path,
    *,
    kind: str | EmissionKind | None = None,
    gap_policy: GapPolicy | str = GapPolicy.ERROR,
    step: int | str | None = None,
    zone: str | None = None,
    assume_utc: bool = False,
    check_units: bool = True,
) -> IntensityTrace:
    """Load a carbon-intensity file into a validated, regular :class:`IntensityTrace`.

    The format is detected from the header (see :class:`TraceFormat`). Values are converted to
    gCO2eq/kWh (WattTime's lbs/MWh times 0.45359237). Rows finer than the most common spacing are
    averaged into it (time-weighted, the integral is unchanged); missing steps are an error
    unless ``gap_policy`` fills them. The extra columns of the file are kept in
    ``trace.covariates``, and what was found in ``trace.report``.

    Args:
        path: the CSV file; a relative path that does not exist is looked up in the reference
            data directory (``$CENAS_DATA_DIR``), e.g. ``carbon/dacf/CISO_direct_emissions.csv``.
        kind: ``direct`` or ``lca`` picks the column of an Electricity Maps portal export
            (default direct); for single-column formats it must match what the format holds,
            or declares it where the file does not say (Electricity Maps API: lca by default;
            generic: unknown).
        gap_policy: :class:`GapPolicy` (or its value) for missing steps.
        step: re-grid to this step after loading (seconds or e.g. ``"1h"``), exact in integral.
        zone: override the zone read from the file or its name.
        assume_utc: treat timestamps without an offset as UTC in formats that do not declare
            UTC themselves (generic, Electricity Maps API, WattTime).
        check_units: reject magnitudes that suggest the wrong unit (max above 2,000 or below 2
            gCO2eq/kWh).

    Returns:
        The trace; ``trace.source.label`` names file, format, zone and kind.

    Raises:
        TraceError: for every problem with the file, naming the file, the row and the rule.
    """
    p = find_file(path)
    want = None if kind is None else EmissionKind.parse(kind)
    try:
        policy = GapPolicy(gap_policy)
    except ValueError:
        raise TraceError(
            f"gap_policy must be one of {[g.value for g in GapPolicy]}, got {gap_policy!r}"
        ) from None
    header = _read_header(p)
    fmt = _detect(p, header)
    spec = _spec(p, fmt, header, want)
    try:
        frame = pd.read_csv(p, encoding="utf-8-sig", skipinitialspace=True, low_memory=False)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as e:
        raise TraceError(f"{p}: cannot parse as CSV: {e}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if len(frame) == 0:
        raise TraceError(f"{p}: the file has a header but no data rows")
    secs = _parse_times(p, frame[spec.time_col], spec.time_col, spec.naive_is_utc, assume_utc)
    values = _parse_values(p, frame[spec.value_col], spec.value_col, spec.factor)
    _check_order(p, secs, frame[spec.time_col])
    if check_units:
        _check_magnitude(p, values, spec.value_col, fmt)
    notes: list[str] = []
    if len(secs) == 1:
        if step is None:
            raise TraceError(f"{p}: only one data row; pass step= to give its duration")
        native = to_step_s(step)
        grid = _Grid(values, np.zeros(1, dtype=np.int64), (), 0, 0)
    else:
        diffs = np.diff(secs)
        native = _mode_step(p, diffs)
        if (diffs == native).all():
            grid = _Grid(values, np.arange(len(secs), dtype=np.int64), (), 0, 0)
        else:
            grid = _regularise(p, secs, values, native, policy)
            if grid.merged:
                notes.append(
                    f"{grid.merged} row(s) finer than the {native} s step were averaged into it"
                )
    # A zone given by the caller replaces the guess, which then goes unsaid.
    notes.extend(n for n in spec.guessed if zone is None or not n.startswith("zone "))
    zone_name = zone or spec.zone or _zone_from_frame(frame)
    source = TraceSource.make(path=p, format=fmt, zone=zone_name, kind=spec.kind)
    skip = {spec.time_col, spec.value_col}
    cov_cols = [
        c
        for c in frame.columns
        if c not in skip and not (spec.format is TraceFormat.DACF and c.startswith("Unnamed"))
    ]
    covariates = None
    if cov_cols:
        covariates = frame[cov_cols].reindex(grid.row_of_step).reset_index(drop=True)
    report = LoadReport(
        format=fmt,
        raw_rows=len(frame),
        native_step_s=native,
        gaps=grid.gaps,
        filled_steps=grid.filled,
        merged_rows=grid.merged,
        notes=tuple(notes),
    )
    trace = IntensityTrace(
        start=pd.Timestamp(secs[0], unit="s", tz="UTC"),
        step_s=native,
        values_g_per_kwh=grid.values,
        source=source,
        covariates=covariates,
        report=report,
    )
    if step is not None:
        trace = trace.resample(step)
    return trace


def _zone_from_frame(frame: pd.DataFrame) -> str | None:
    for col in ("Zone Id", "zone_name", "zone_id", "zone", "ba", "region_code"):
        if col in frame.columns and len(frame) and pd.notna(frame[col].iloc[0]):
            return str(frame[col].iloc[0])
    return None


def load_trace_frame(path: str | Path, **kwargs: object) -> pd.DataFrame:
    """Load a file like :func:`load_trace` and return the intensity with all other columns.

    Returns:
        A DataFrame indexed by UTC step times with ``carbon_intensity_g_per_kwh`` first, then the
        file's other columns (e.g. DACF weather and day-ahead production forecasts).
    """
    return load_trace(path, **kwargs).to_frame()  # type: ignore[arg-type]
