"""The ready-to-train queue R: estimated architectures waiting for an evaluation GPU."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.errors import ConfigError, ObjectiveError

__all__ = ["QueueEntry", "ReadyQueue"]


@dataclass(frozen=True)
class QueueEntry:
    """One queued architecture.

    Attributes:
        index: the architecture.
        y_estimate: its one-shot estimate, minimisation form, shape ``(m,)``.
        seq: push order (0 for the first push ever), the deterministic tie-breaker.
    """

    index: int
    y_estimate: NDArray[np.float64]
    seq: int


class ReadyQueue:
    """R: at most ``capacity`` estimated architectures, popped best first.

    :meth:`pop` returns the entry with the lowest dominance number counted against the other
    queued estimates (how many queued estimates dominate it); among equals, the oldest push
    (lowest ``seq``) wins, so the order is deterministic and, for a queue of mutually
    non-dominated estimates, first in first out.

    Args:
        capacity: Cap(R), ``>= 1``.
        n_objectives: ``m``.
    """

    def __init__(self, capacity: int, n_objectives: int) -> None:
        if capacity < 1:
            raise ConfigError(f"queue capacity Cap(R) must be >= 1, but got {capacity}")
        self.capacity = int(capacity)
        self._m = int(n_objectives)
        self._entries: list[QueueEntry] = []
        self._seq = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def full(self) -> bool:
        """Whether ``len(R) == capacity``."""
        return len(self._entries) >= self.capacity

    @property
    def free(self) -> int:
        """Free places."""
        return self.capacity - len(self._entries)

    @property
    def indices(self) -> NDArray[np.int64]:
        """Queued architectures in push order, int64."""
        return np.array([e.index for e in self._entries], dtype=np.int64)

    def __contains__(self, index: object) -> bool:
        return any(e.index == index for e in self._entries)

    def push(self, index: int, y_estimate: ArrayLike) -> QueueEntry:
        """Queue one estimated architecture.

        Raises:
            IndexError: when the queue is full (sampling must block instead; a caller bug).
            ObjectiveError: when the estimate has the wrong shape.
        """
        if self.full:
            raise IndexError(
                f"the ready queue is full (Cap(R) = {self.capacity}); sampling must block"
            )
        y = np.array(y_estimate, dtype=np.float64).reshape(-1)
        if y.shape != (self._m,):
            raise ObjectiveError(f"an estimate must have shape ({self._m},), got {y.shape}")
        y.flags.writeable = False
        entry = QueueEntry(int(index), y, self._seq)
        self._seq += 1
        self._entries.append(entry)
        return entry

    def remove(self, indices: ArrayLike) -> int:
        """Drop the queued entries of these architectures (absent ones are ignored); returns how
        many left R. The remaining entries keep their order and push numbers."""
        drop = {int(i) for i in np.asarray(indices, dtype=np.int64).reshape(-1).tolist()}
        before = len(self._entries)
        self._entries = [e for e in self._entries if e.index not in drop]
        return before - len(self._entries)

    def peek_order(self) -> list[QueueEntry]:
        """All entries in the order :meth:`pop` would return them if nothing were pushed."""
        out: list[QueueEntry] = []
        rest = list(self._entries)
        while rest:
            k = _best(rest)
            out.append(rest.pop(k))
        return out

    def pop(self) -> QueueEntry:
        """Remove and return the best entry (see the class docstring).

        Raises:
            IndexError: when the queue is empty.
        """
        if not self._entries:
            raise IndexError("pop from an empty ready queue")
        return self._entries.pop(_best(self._entries))


def _best(entries: list[QueueEntry]) -> int:
    """Position of the entry with the lowest dominance number, oldest first among equals.

    NaN estimates count as dominated by everything (they are never preferred)."""
    y = np.stack([e.y_estimate for e in entries])
    bad = ~np.isfinite(y).all(axis=1)
    if bad.all():
        return 0
    dn = np.full(len(entries), np.iinfo(np.int64).max, dtype=np.int64)
    good = np.flatnonzero(~bad)
    g = y[good]
    # R is small (Cap(R) entries): all pairs beat the general sort-based dominance_number here
    dominates = (g[:, None, :] <= g[None, :, :]).all(axis=2) & (g[:, None, :] < g[None, :, :]).any(
        axis=2
    )
    dn[good] = dominates.sum(axis=0)
    # entries are kept in push order, so the first minimum is the oldest one
    return int(np.argmin(dn))
