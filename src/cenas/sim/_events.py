"""Simulated time: a clock that only moves forward and an event heap keyed ``(time, seq)``."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from cenas.errors import ConfigError

__all__ = ["Event", "EventHeap", "EventKind", "SimClock"]


class EventKind(IntEnum):
    """What happens at an event."""

    STEP = 0
    """A trace step starts: the allocation is re-decided."""
    TRAIN_DONE = 1
    """A training task finishes (if its token is still current)."""
    SAMPLE_DONE = 2
    """The sampling pool's current task finishes (if its token is still current)."""
    BUDGET = 3
    """The carbon budget is spent at the current power: stop."""
    END = 4
    """The horizon is reached: stop."""


@dataclass(frozen=True, order=True)
class Event:
    """One scheduled event; ordered by ``(time_s, seq)`` only."""

    time_s: float
    seq: int
    kind: EventKind = field(compare=False)
    token: int = field(compare=False, default=0)
    payload: Any = field(compare=False, default=None)


class EventHeap:
    """A priority queue of events; ties in time break by insertion order (``seq``), so a run is
    deterministic. Cancelled events are left in the heap and skipped by their owner's token."""

    def __init__(self) -> None:
        self._heap: list[Event] = []
        self._seq = 0

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, time_s: float, kind: EventKind, token: int = 0, payload: Any = None) -> Event:
        """Schedule an event."""
        ev = Event(float(time_s), self._seq, kind, token, payload)
        self._seq += 1
        heapq.heappush(self._heap, ev)
        return ev

    def pop(self) -> Event:
        """The earliest event (lowest ``(time_s, seq)``)."""
        return heapq.heappop(self._heap)


class SimClock:
    """Simulated time in UNIX epoch seconds; never reads the wall clock.

    Args:
        start_s: the time the simulation starts.
    """

    def __init__(self, start_s: float) -> None:
        self.start_s = float(start_s)
        self._now = float(start_s)

    @property
    def now_s(self) -> float:
        """Current simulated time, epoch seconds."""
        return self._now

    @property
    def elapsed_s(self) -> float:
        """Seconds since the start."""
        return self._now - self.start_s

    def advance_to(self, t_s: float) -> None:
        """Move to ``t_s``.

        Raises:
            ConfigError: when ``t_s`` is in the past (an event scheduled before now: a bug).
        """
        if t_s < self._now:
            raise ConfigError(f"simulated time cannot go back from {self._now} to {t_s}")
        self._now = float(t_s)
