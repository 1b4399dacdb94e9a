"""The units of work the search core hands out, and the search modes that decide which exist."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "EstimationTask",
    "EvaluationSource",
    "EvaluationTask",
    "SamplingTask",
    "SearchMode",
    "SupernetTask",
]


class SearchMode(StrEnum):
    """Which kind of work the search does, i.e. which of the papers' methods it is.

    ``CENAS``: sampling tasks estimate architectures in Omega_best and fill the ready queue R;
    evaluation tasks train the queued architecture with the lowest dominance number. An
    evaluation GPU with an empty R idles.

    ``VANILLA``: vanilla LaMOO. No sampling, no estimates, no queue: an evaluation task trains an
    architecture proposed directly in Omega_best.

    ``ONESHOT``: one-shot LaMOO. No training: every architecture (the initial ones too) is only
    estimated, and P holds the estimates (flagged as such).
    """

    CENAS = "cenas"
    VANILLA = "vanilla"
    ONESHOT = "oneshot"


class EvaluationSource(StrEnum):
    """Where an architecture given to an evaluation task came from."""

    INITIAL = "initial"
    """One of the initial random architectures (all trained)."""
    QUEUE = "queue"
    """Popped from the ready queue R (lowest dominance number of the queued estimates)."""
    DIRECT = "direct"
    """Proposed in Omega_best without an estimate (vanilla LaMOO)."""


@dataclass(frozen=True)
class EvaluationTask:
    """Train one architecture to convergence and report its true objectives.

    Attributes:
        index: the architecture.
        source: where it came from.
        y_estimate: its one-shot estimate (minimisation form, shape ``(m,)``) when it came from
            the queue, else None.
    """

    index: int
    source: EvaluationSource
    y_estimate: NDArray[np.float64] | None = None


@dataclass(frozen=True)
class SupernetTask:
    """Train the weight-sharing supernet of a region (needed before estimating inside it).

    Attributes:
        region_id: the region's number in this search (0 is the whole space).
    """

    region_id: int


@dataclass(frozen=True)
class EstimationTask:
    """Estimate architectures with the region's supernet (one-shot evaluation).

    Attributes:
        indices: the architectures, int64, shape ``(k,)``, ``k >= 1``, distinct.
        region_id: the region whose supernet estimates them.
        queue_places: places of R reserved for the task's best estimates (0 outside ``CENAS``
            mode); that many enter R when it is reported.
    """

    indices: NDArray[np.int64]
    region_id: int
    queue_places: int = 0


SamplingTask = SupernetTask | EstimationTask
"""The work a sampling GPU pool can be given."""
