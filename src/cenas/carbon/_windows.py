"""The CE-NAS papers' two evaluation windows on US-CAL-CISO 2021, as named presets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd

from cenas.carbon._trace import IntensityTrace
from cenas.errors import TraceError

__all__ = ["PAPER_WINDOWS", "PaperWindow", "paper_window"]


@dataclass(frozen=True)
class PaperWindow:
    """A named window of hourly steps, both ends inclusive as the papers state them.

    The papers write trace 1 as "00:00 Jan 1 to 16:00 Jan 2" and trace 2 as "17:00 Jan 2 to 09:00
    Jan 4": trace 2 starts the hour after trace 1's last hour, so the end hour is a step of the
    window. Each window therefore holds 41 hourly steps and, half-open, covers
    ``[start, last + 1 h)``; the two windows are contiguous.

    Attributes:
        name: ``trace1`` or ``trace2``.
        zone: the zone the papers used.
        start: first hour (UTC).
        last: last hour (UTC), included.
    """

    name: str
    zone: str
    start: pd.Timestamp
    last: pd.Timestamp

    @property
    def end(self) -> pd.Timestamp:
        """Exclusive end: one hour after ``last``."""
        return self.last + pd.Timedelta(hours=1)

    @property
    def hours(self) -> int:
        """Number of hourly steps (41 for both presets)."""
        return int((self.end - self.start) / pd.Timedelta(hours=1))


def _utc(s: str) -> pd.Timestamp:
    return pd.Timestamp(s, tz="UTC")


PAPER_WINDOWS: Mapping[str, PaperWindow] = MappingProxyType(
    {
        "trace1": PaperWindow(
            "trace1", "US-CAL-CISO", _utc("2021-01-01 00:00"), _utc("2021-01-02 16:00")
        ),
        "trace2": PaperWindow(
            "trace2", "US-CAL-CISO", _utc("2021-01-02 17:00"), _utc("2021-01-04 09:00")
        ),
    }
)
"""The papers' windows by name (read-only)."""


def paper_window(trace: IntensityTrace, name: str) -> IntensityTrace:
    """Cut a paper window (``trace1`` or ``trace2``) out of a US-CAL-CISO 2021 trace.

    Returns:
        ``trace.window(w.start, w.end)``: 41 hourly steps for an hourly trace.

    Raises:
        TraceError: for an unknown name or a trace that does not cover the whole window.
    """
    try:
        w = PAPER_WINDOWS[name]
    except KeyError:
        raise TraceError(
            f"unknown paper window {name!r}; expected one of {sorted(PAPER_WINDOWS)}"
        ) from None
    if trace.start > w.start or trace.end < w.end:
        raise TraceError(
            f"{trace.source.label}: paper window {name} [{w.start.isoformat()}, "
            f"{w.end.isoformat()}) is not inside the trace [{trace.start.isoformat()}, "
            f"{trace.end.isoformat()}); use a US-CAL-CISO 2021 trace"
        )
    return trace.window(w.start, w.end)
