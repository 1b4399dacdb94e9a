"""Objectives and the one sign convention of cenas.

Internally every objective is MINIMISED: a metric whose direction is ``max`` (accuracy) is
negated on the way in. This is the only place that knows about signs; library boundaries convert
from here (moocore and pymoo minimise as we do; BoTorch maximises, so its adapter negates).
Reference points and reported values are given in natural units and converted here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.bench._base import Benchmark, Direction
from cenas.errors import ConfigError

__all__ = ["Objective", "Objectives"]


@dataclass(frozen=True)
class Objective:
    """One metric and the direction in which it is optimised."""

    metric: str
    direction: Direction

    def __str__(self) -> str:
        return f"{self.metric}:{self.direction.value}"


@dataclass(frozen=True)
class Objectives:
    """An ordered set of objectives with conversion to and from minimisation form."""

    items: tuple[Objective, ...]

    def __post_init__(self) -> None:
        if not 1 <= len(self.items) <= 3:
            raise ConfigError(f"between 1 and 3 objectives are supported, got {len(self.items)}")
        names = [o.metric for o in self.items]
        if len(set(names)) != len(names):
            raise ConfigError(f"objectives must be distinct, got {names}")

    @classmethod
    def parse(cls, spec: str | Sequence[str]) -> Objectives:
        """Parse ``"cifar10_test_acc:max,latency_pixel3_ms:min"`` (or a list of such items)."""
        parts = spec.split(",") if isinstance(spec, str) else list(spec)
        items = []
        for part in parts:
            name, sep, direction = part.strip().rpartition(":")
            if not sep or not name or direction not in ("min", "max"):
                raise ConfigError(f"objective {part.strip()!r} must look like NAME:max or NAME:min")
            items.append(Objective(name, Direction(direction)))
        return cls(tuple(items))

    @classmethod
    def of(cls, benchmark: Benchmark, metrics: Sequence[str]) -> Objectives:
        """Objectives for ``metrics`` in the benchmark's own directions."""
        return cls(tuple(Objective(m, benchmark.metric(m).direction) for m in metrics))

    def __len__(self) -> int:
        return len(self.items)

    def __str__(self) -> str:
        return ",".join(str(o) for o in self.items)

    @property
    def metrics(self) -> list[str]:
        """Metric names in order."""
        return [o.metric for o in self.items]

    @property
    def signs(self) -> NDArray[np.float64]:
        """+1 for minimised, -1 for maximised objectives: ``natural * signs`` is minimised."""
        return np.array([1.0 if o.direction is Direction.MIN else -1.0 for o in self.items])

    def to_min(self, natural: ArrayLike) -> NDArray[np.float64]:
        """Natural units -> minimisation form (shape kept; the last axis is the objective)."""
        return np.asarray(natural, dtype=np.float64) * self.signs

    def to_natural(self, minimised: ArrayLike) -> NDArray[np.float64]:
        """Minimisation form -> natural units."""
        return np.asarray(minimised, dtype=np.float64) * self.signs

    def check(self, benchmark: Benchmark) -> None:
        """Raise if a metric is unknown to ``benchmark``."""
        for o in self.items:
            benchmark.metric(o.metric)

    def evaluate(self, benchmark: Benchmark, idx: ArrayLike) -> NDArray[np.float64]:
        """True objective values of ``idx`` in minimisation form, shape ``(n, len(self))``."""
        return self.to_min(benchmark.query_many(idx, self.metrics))

    def estimate(self, benchmark: Benchmark, idx: ArrayLike) -> NDArray[np.float64]:
        """Cheap (one-shot) estimates of ``idx`` in minimisation form: each objective's declared
        estimate column, or the true value for look-up metrics."""
        cols = [benchmark.estimate_of(m) for m in self.metrics]
        return self.to_min(benchmark.query_many(idx, cols))
