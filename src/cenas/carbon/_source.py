"""Where a trace comes from: its file format, the kind of emissions it counts, its source
record, and what the loader found (gaps, merged rows, notes)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pandas as pd

from cenas.errors import TraceError

__all__ = ["EmissionKind", "Gap", "LoadReport", "TraceFormat", "TraceSource"]


class TraceFormat(StrEnum):
    """The file formats :func:`cenas.carbon.load_trace` recognises from the header."""

    ELECTRICITYMAPS_PORTAL = "electricitymaps-portal"
    """Electricity Maps data-portal export: ``Datetime (UTC)``, ``Carbon Intensity gCO₂eq/kWh
    (direct)`` and ``(LCA)``, ``Zone Id``, ..."""
    ELECTRICITYMAPS_API = "electricitymaps-api"
    """Electricity Maps API-style history: ``timestamp`` (epoch s) and/or ``datetime``,
    ``zone_name``, ``carbon_intensity_avg`` (life-cycle), ..."""
    DACF = "dacf"
    """DACF / CarbonCast: unnamed index, ``UTC time``, ``carbon_intensity`` (direct) and many
    production, weather and day-ahead forecast columns."""
    WATTTIME_MOER = "watttime-moer"
    """WattTime marginal operating emissions rate in lbs/MWh (``MOER`` column, or ``point_time``
    and ``value``); converted to gCO2eq/kWh."""
    TIME_CARBON_INTENSITY = "time-carbon-intensity"
    """Two columns ``Time,Carbon Intensity`` (lets-wait-awhile); UTC, life-cycle factors."""
    GENERIC = "generic"
    """``timestamp,value`` in gCO2eq/kWh; timestamps need a UTC offset or are epoch seconds."""
    SERIES = "series"
    """Built in memory with :meth:`IntensityTrace.from_series`."""


class EmissionKind(StrEnum):
    """Which emissions an intensity counts."""

    DIRECT = "direct"
    """Combustion at the power plant only."""
    LCA = "lca"
    """Life-cycle: also construction, fuel supply, ..."""
    MARGINAL = "marginal"
    """Marginal operating emissions rate (WattTime MOER)."""
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: str | EmissionKind) -> EmissionKind:
        """Parse ``direct``, ``lca`` (or ``lifecycle``), ``marginal``, ``unknown``.

        Raises:
            TraceError: for any other string.
        """
        if isinstance(value, EmissionKind):
            return value
        key = value.strip().lower()
        aliases = {"lifecycle": "lca", "life-cycle": "lca", "moer": "marginal"}
        key = aliases.get(key, key)
        try:
            return cls(key)
        except ValueError:
            raise TraceError(
                f"kind must be one of direct, lca, marginal, unknown, but got {value!r}"
            ) from None


@dataclass(frozen=True)
class TraceSource:
    """Where a trace's numbers come from.

    Attributes:
        path: the file it was loaded from, or None when built in memory.
        format: the detected file format.
        zone: grid zone, e.g. ``US-CAL-CISO`` (None when the file does not say).
        kind: direct, life-cycle or marginal emissions.
        label: short text recorded as the source of every carbon number computed from the trace,
            e.g. ``electricitymaps-portal:US-CAL-CISO:direct:US-CAL-CISO_2021_hourly.csv``.
    """

    path: Path | None
    format: TraceFormat
    zone: str | None
    kind: EmissionKind
    label: str

    @classmethod
    def make(
        cls,
        *,
        path: Path | None,
        format: TraceFormat,
        zone: str | None,
        kind: EmissionKind,
        label: str | None = None,
    ) -> TraceSource:
        """Build a source whose label is derived from the other fields unless given."""
        if label is None:
            name = path.name if path is not None else "memory"
            label = f"{format.value}:{zone or '?'}:{kind.value}:{name}"
        return cls(path=path, format=format, zone=zone, kind=kind, label=label)


@dataclass(frozen=True)
class Gap:
    """Missing steps in a file: ``missing_steps`` steps from ``start`` (inclusive) to ``end``
    (exclusive); ``row`` is the 1-based data row after the gap."""

    start: pd.Timestamp
    end: pd.Timestamp
    missing_steps: int
    row: int


@dataclass(frozen=True)
class LoadReport:
    """What the loader found and did, for the record.

    Attributes:
        format: the detected format.
        raw_rows: data rows in the file.
        native_step_s: the regular step (the most common spacing), in seconds.
        gaps: runs of missing steps (filled according to the gap policy, or an error).
        filled_steps: steps that were filled.
        merged_rows: rows finer than the step that were averaged into one step (time-weighted,
            so the integral over time is unchanged).
        notes: other findings, one line each.
    """

    format: TraceFormat
    raw_rows: int
    native_step_s: int
    gaps: tuple[Gap, ...] = ()
    filled_steps: int = 0
    merged_rows: int = 0
    notes: tuple[str, ...] = ()
