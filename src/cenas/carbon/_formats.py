"""Which carbon-intensity format a file is, from its header, and which of its columns hold the
time and the intensity (with the unit factor, emission kind and zone that the format implies).

Every problem raises :class:`~cenas.errors.TraceError` naming the file and what was expected.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from cenas.carbon._source import EmissionKind, TraceFormat
from cenas.errors import TraceError

__all__ = ["LBS_PER_MWH_TO_G_PER_KWH", "detect_format"]

LBS_PER_MWH_TO_G_PER_KWH = 0.45359237
"""1 lb/MWh = 453.59237 g / 1000 kWh."""

_PORTAL_TIME = "Datetime (UTC)"
_PORTAL_DIRECT = "Carbon Intensity gCO₂eq/kWh (direct)"
_PORTAL_LCA = "Carbon Intensity gCO₂eq/kWh (LCA)"


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
    # The header as the file spells it (a list repr would double its brackets and quotes).
    shown = ",".join(header[:8]) + (",..." if len(header) > 8 else "")
    raise TraceError(
        f"{path}: unrecognised header {shown!r}: not a carbon-intensity file of a known format; "
        f"expected {_KNOWN}"
    )


def _col(header: list[str], name: str) -> str:
    """The header's spelling of ``name`` (case-insensitive)."""
    for c in header:
        if c.lower() == name.lower():
            return c
    raise KeyError(name)


def _csv(header: list[str]) -> str:
    return repr(",".join(header))


def _time_col(path: Path, header: list[str], names: tuple[str, ...], what: str) -> str:
    """The first of ``names`` (case-insensitive) in the header, else an error naming two."""
    lower = [c.lower() for c in header]
    for name in names:
        if name in lower:
            return _col(header, name)
    raise TraceError(
        f"{path}: {what} needs a `{names[0]}` or `{names[1]}` column, header is {_csv(header)}"
    )


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
        time_col = _time_col(
            path,
            header,
            ("datetime", "timestamp", "zone_datetime"),
            "an Electricity Maps API export",
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
                    f"{value_col or 'carbon_intensity_avg_<kind>'!r}, header is {_csv(header)}"
                )
        zone = path.name.split("_")[0] or None
        if zone:
            guessed.append(_from_name("zone", zone, path))
        return _Spec(fmt, "UTC time", value_col, True, 1.0, k, zone, tuple(guessed))
    if fmt is TraceFormat.WATTTIME_MOER:
        lower = [c.lower() for c in header]
        value_col = _col(header, "moer") if "moer" in lower else _col(header, "value")
        time_col = _time_col(
            path, header, ("point_time", "timestamp", "datetime"), "a WattTime MOER file"
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
