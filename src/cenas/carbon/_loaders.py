"""Loading carbon-intensity files: format detection from the header (``_formats``), row
validation and the regular grid (``_rows``), assembled into an :class:`IntensityTrace`.

Every problem raises :class:`~cenas.errors.TraceError` with a message that names the file, the
data row (1-based; the file line is the row + 1 because of the header) and what was expected.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cenas.carbon._formats import _detect, _read_header, _spec
from cenas.carbon._rows import (
    GapPolicy,
    _check_magnitude,
    _check_order,
    _Grid,
    _mode_step,
    _parse_times,
    _parse_values,
    _regularise,
)
from cenas.carbon._source import EmissionKind, LoadReport, TraceFormat, TraceSource
from cenas.carbon._time import to_step_s
from cenas.carbon._trace import IntensityTrace
from cenas.data import find_file
from cenas.errors import TraceError

__all__ = ["load_trace", "load_trace_frame"]


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
