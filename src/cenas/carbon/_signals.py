"""Carbon signals: the intensity a running search sees, each reading labelled with its source."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from cenas.carbon._accounting import mean_intensity
from cenas.carbon._trace import IntensityTrace
from cenas.errors import CarbonSignalError, TraceError

__all__ = [
    "CarbonSignal",
    "ConstantSignal",
    "FallbackSignal",
    "IntensityReading",
    "TraceSignal",
]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IntensityReading:
    """One carbon-intensity value and where it came from.

    Attributes:
        time_s: the time asked for (the signal's clock, UNIX epoch seconds for real time).
        value_g_per_kwh: carbon intensity, gCO2eq/kWh.
        source: label of the signal that produced the value (a trace's ``source.label``,
            ``electricitymaps:DE:lca``, ...).
        is_fallback: True when a :class:`FallbackSignal` served this from its fallback.
        data_time_s: the time the value describes (a trace step start, an API's datapoint
            time), UNIX epoch seconds; None when unknown.
    """

    time_s: float
    value_g_per_kwh: float
    source: str
    is_fallback: bool = False
    data_time_s: float | None = None


class CarbonSignal(ABC):
    """A source of carbon intensity over time (trace replay, live API, constant, fallback)."""

    @abstractmethod
    def reading(self, t_s: float) -> IntensityReading:
        """The intensity at time ``t_s`` on this signal's clock.

        Raises:
            CarbonSignalError: when a live source cannot give a value.
            TraceError: when a replayed trace does not cover ``t_s``.
        """

    @property
    @abstractmethod
    def label(self) -> str:
        """Short text naming the source, recorded with every reading."""


class ConstantSignal(CarbonSignal):
    """The same intensity at every time (tests, a fixed-grid assumption, a last-resort fallback).

    Args:
        value_g_per_kwh: the intensity, gCO2eq/kWh (finite, >= 0).
        label: source label (default ``constant:<value>``).
    """

    def __init__(self, value_g_per_kwh: float, label: str | None = None) -> None:
        v = float(value_g_per_kwh)
        if not (v >= 0 and v != float("inf")):
            raise TraceError(f"a constant intensity must be finite and >= 0, got {value_g_per_kwh}")
        self.value_g_per_kwh = v
        self._label = label or f"constant:{v:g}"

    @property
    def label(self) -> str:
        return self._label

    def reading(self, t_s: float) -> IntensityReading:
        return IntensityReading(float(t_s), self.value_g_per_kwh, self._label)

    def __repr__(self) -> str:
        return f"ConstantSignal({self.value_g_per_kwh:g}, label={self._label!r})"


class TraceSignal(CarbonSignal):
    """Replays a trace, at real speed or accelerated.

    Signal time ``t_s`` maps to trace time ``replay_start_s + (t_s - origin_s) * speedup``.
    By default (no ``clock``, no ``origin_s``) the mapping is the identity: the simulator's
    time *is* trace time, and ``reading(t)`` is ``trace.value_at(t)``. With a ``clock`` (e.g.
    ``time.time``) and no ``origin_s``, replay starts at the clock's time at construction, so
    ``TraceSignal(trace, speedup=3600, clock=time.time).now()`` walks an hour of trace per
    second of wall time.

    Args:
        trace: the intensity to replay.
        speedup: trace seconds per signal second (> 0).
        clock: callable returning the signal time (for :meth:`now`), e.g. ``time.time`` or a
            simulated clock's ``now``.
        origin_s: the signal time at which replay is at ``replay_start_s``.
        replay_start_s: trace time where replay starts (default: the trace start).
        wrap: loop over the trace instead of raising past its end.
    """

    def __init__(
        self,
        trace: IntensityTrace,
        speedup: float = 1.0,
        clock: Callable[[], float] | None = None,
        *,
        origin_s: float | None = None,
        replay_start_s: float | None = None,
        wrap: bool = False,
    ) -> None:
        if not (speedup > 0 and speedup != float("inf")):
            raise TraceError(f"speedup must be finite and > 0, got {speedup}")
        self.trace = trace
        self.speedup = float(speedup)
        self.clock = clock
        self.replay_start_s = trace.start_s if replay_start_s is None else float(replay_start_s)
        if not (trace.start_s <= self.replay_start_s < trace.end_s):
            raise TraceError(
                f"replay_start_s={self.replay_start_s} is outside the trace "
                f"[{trace.start_s}, {trace.end_s})"
            )
        if origin_s is None:
            origin_s = clock() if clock is not None else self.replay_start_s
        self.origin_s = float(origin_s)
        self.wrap = wrap

    @property
    def label(self) -> str:
        return self.trace.source.label

    def trace_time_s(self, t_s: float) -> float:
        """The trace time (UNIX epoch seconds) that signal time ``t_s`` replays."""
        tt = self.replay_start_s + (float(t_s) - self.origin_s) * self.speedup
        if self.wrap:
            span = self.trace.end_s - self.trace.start_s
            tt = self.trace.start_s + (tt - self.trace.start_s) % span
        return tt

    def reading(self, t_s: float) -> IntensityReading:
        tt = self.trace_time_s(t_s)
        value = self.trace.value_at(tt)  # raises TraceError outside the trace
        step = self.trace.start_s + (tt - self.trace.start_s) // self.trace.step_s * (
            self.trace.step_s
        )
        return IntensityReading(float(t_s), value, self.label, data_time_s=step)

    def now(self) -> IntensityReading:
        """The reading at the clock's current time.

        Raises:
            TraceError: when the signal has no clock.
        """
        if self.clock is None:
            raise TraceError("TraceSignal.now() needs a clock; pass clock=...")
        return self.reading(self.clock())

    def mean_intensity(self, t0_s: float, t1_s: float) -> float:
        """Exact mean intensity (gCO2eq/kWh) over the signal interval ``[t0_s, t1_s]``.

        Use this (times energy and PUE) for the carbon of energy spent uniformly over the
        interval; it maps both ends to trace time, so it is right for accelerated replay.

        Raises:
            TraceError: outside the trace, or for a wrapping interval that crosses the end.
        """
        a, b = self.trace_time_s(t0_s), self.trace_time_s(t1_s)
        if b < a:
            raise TraceError(
                f"interval [{t0_s}, {t1_s}] crosses the end of the wrapped trace; split it"
            )
        return float(mean_intensity(self.trace, a, b))

    def __repr__(self) -> str:
        return (
            f"TraceSignal({self.label!r}, speedup={self.speedup:g}, origin_s={self.origin_s}, "
            f"replay_start_s={self.replay_start_s}, wrap={self.wrap})"
        )


class FallbackSignal(CarbonSignal):
    """Reads ``primary``; when it fails, reads ``fallback`` and marks the reading as such.

    The reading's ``source`` is always the label of the signal that produced the value, and
    ``is_fallback`` says whether the primary failed. ``counts`` tallies readings per source and
    ``last_error`` keeps the primary's last failure.

    Args:
        primary: the preferred signal (e.g. a live API).
        fallback: the signal used when the primary fails (e.g. a trace replay or a constant).
        catch: the exception types of the primary that trigger the fallback (narrow by default:
            live-source failures only).
    """

    def __init__(
        self,
        primary: CarbonSignal,
        fallback: CarbonSignal,
        *,
        catch: tuple[type[Exception], ...] = (CarbonSignalError,),
    ) -> None:
        self.primary = primary
        self.fallback = fallback
        self.catch = catch
        self.counts: Counter[str] = Counter()
        self.last_error: str | None = None
        self._failing = False

    @property
    def label(self) -> str:
        return f"{self.primary.label} | fallback {self.fallback.label}"

    @property
    def fallback_count(self) -> int:
        """Readings served by the fallback so far."""
        return sum(n for src, n in self.counts.items() if src.startswith("fallback:"))

    def reading(self, t_s: float) -> IntensityReading:
        try:
            r = self.primary.reading(t_s)
        except self.catch as e:
            # Warn once per outage; a live primary keeps failing fast during its back-off.
            level = logging.DEBUG if self._failing else logging.WARNING
            self._failing = True
            self.last_error = str(e)
            _log.log(
                level,
                "carbon signal %s failed (%s); using %s",
                self.primary.label,
                e,
                self.fallback.label,
            )
            fb = self.fallback.reading(t_s)
            self.counts[f"fallback:{fb.source}"] += 1
            return IntensityReading(fb.time_s, fb.value_g_per_kwh, fb.source, True, fb.data_time_s)
        if self._failing:
            _log.warning("carbon signal %s answers again", self.primary.label)
            self._failing = False
        self.counts[r.source] += 1
        return r

    def __repr__(self) -> str:
        return f"FallbackSignal(primary={self.primary!r}, fallback={self.fallback!r})"
