"""Evaluators: what training and one-shot estimation of an architecture return.

The search core never evaluates anything itself: an executor (the simulator, or a live runner)
runs the tasks the core hands out and reports their results, which come from an evaluator. The
tabular evaluator looks everything up in a benchmark; a live evaluator trains networks.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.bench import Benchmark, Objectives
from cenas.errors import ConfigError

__all__ = ["Evaluator", "TabularEvaluator"]


class Evaluator(ABC):
    """Produces the true objectives (after training) and the one-shot estimates of architectures.

    Attributes:
        objectives: the objectives, whose sign convention (minimisation) the results follow.
    """

    objectives: Objectives

    @abstractmethod
    def evaluate(self, idx: ArrayLike) -> NDArray[np.float64]:
        """True objectives after training, minimisation form, shape ``(n, m)``."""

    @abstractmethod
    def estimate(self, idx: ArrayLike) -> NDArray[np.float64]:
        """One-shot (supernet) estimates, minimisation form, shape ``(n, m)``."""

    def known_without_training(self) -> NDArray[np.float64] | None:
        """Objectives known for every architecture without training or a supernet (a device's
        measured latency in a look-up table), minimisation form, shape ``(space size, m)``, NaN
        in the other columns; None (the default) when there are none or the space is not
        enumerated."""
        return None


class TabularEvaluator(Evaluator):
    """Looks results and training costs up in a tabular benchmark.

    The true objectives are the benchmark's columns (:meth:`Objectives.evaluate`); the estimates
    are each objective's declared estimate column, e.g. ``oneshot_cifar10_acc`` for
    ``cifar10_test_acc``, or the true value for metrics that need no training to know, such as a
    device's measured latency (:meth:`Objectives.estimate`). The training cost of an architecture
    is the benchmark's ``train_time_metric`` (NAS-Bench-201: the 200-epoch CIFAR-10 training time
    on one GPU) times ``train_time_scale``.

    Args:
        benchmark: the tabular benchmark.
        objectives: the objectives (checked against the benchmark).
        train_time_scale: factor applied to the benchmark's training times (e.g. for a faster GPU
            than the one the table was measured on), ``> 0``.
        default_train_time_s: training time used when the benchmark has no training-time
            column or a value is missing; None makes that an error.
        estimate_metrics: overrides of the estimate column per objective metric, e.g.
            ``{"cifar10_test_acc": "fewshot_cifar10_acc"}`` (few-shot supernets), or the metric
            itself for a perfect estimator (an ablation). Default: the benchmark's declared
            estimate (:meth:`Benchmark.estimate_of`).

    Raises:
        ConfigError: when no training time is available and no default is given.
    """

    def __init__(
        self,
        benchmark: Benchmark,
        objectives: Objectives,
        *,
        train_time_scale: float = 1.0,
        default_train_time_s: float | None = None,
        estimate_metrics: Mapping[str, str] | None = None,
    ) -> None:
        objectives.check(benchmark)
        overrides = dict(estimate_metrics or {})
        for m, name in overrides.items():
            if m not in objectives.metrics:
                raise ConfigError(
                    f"estimate override for {m!r}, which is not an objective "
                    f"({', '.join(objectives.metrics)})"
                )
            benchmark.metric(name)
        self._estimate_columns = [
            overrides.get(m, benchmark.estimate_of(m)) for m in objectives.metrics
        ]
        if not (np.isfinite(train_time_scale) and train_time_scale > 0):
            raise ConfigError(f"train_time_scale must be > 0, but got {train_time_scale}")
        self.benchmark = benchmark
        self.objectives = objectives
        self.train_time_scale = float(train_time_scale)
        self.default_train_time_s = default_train_time_s
        metric = benchmark.train_time_metric
        col: NDArray[np.float64]
        if metric is not None and metric in benchmark.metrics:
            col = np.array(benchmark.column(metric), dtype=np.float64) * self.train_time_scale
        elif default_train_time_s is not None:
            col = np.full(benchmark.space.size, float(default_train_time_s))
        else:
            raise ConfigError(
                f"benchmark {benchmark.name!r} has no training-time column; give "
                "default_train_time_s"
            )
        bad = ~(np.isfinite(col) & (col > 0))
        if bad.any():
            if default_train_time_s is None:
                raise ConfigError(
                    f"benchmark {benchmark.name!r}: {int(bad.sum())} architectures have no "
                    f"positive training time in {metric!r} (first: {int(np.argmax(bad))}); give "
                    "default_train_time_s"
                )
            col[bad] = float(default_train_time_s)
        col.setflags(write=False)
        self._train_s = col
        self._true = objectives.evaluate(benchmark, benchmark.space.all_indices())
        self._est = objectives.to_min(
            benchmark.query_many(benchmark.space.all_indices(), self._estimate_columns)
        )
        self._true.setflags(write=False)
        self._est.setflags(write=False)

    def known_without_training(self) -> NDArray[np.float64] | None:
        """The objectives whose declared estimate is the metric itself (look-up metrics such
        as a device's latency; an override of the estimate column does not count), true
        values for every architecture, NaN in the other columns; None when there are none."""
        cols = [
            j
            for j, m in enumerate(self.objectives.metrics)
            if self._estimate_columns[j] == m and self.benchmark.estimate_of(m) == m
        ]
        if not cols:
            return None
        out = np.full(self._true.shape, np.nan)
        out[:, cols] = self._true[:, cols]
        out.setflags(write=False)
        return out

    @property
    def estimate_columns(self) -> list[str]:
        """The benchmark column that stands in for each objective's estimate."""
        return list(self._estimate_columns)

    def evaluate(self, idx: ArrayLike) -> NDArray[np.float64]:
        arr = self.benchmark.space.check_indices(np.asarray(idx).reshape(-1))
        out: NDArray[np.float64] = self._true[arr]
        return out

    def estimate(self, idx: ArrayLike) -> NDArray[np.float64]:
        arr = self.benchmark.space.check_indices(np.asarray(idx).reshape(-1))
        out: NDArray[np.float64] = self._est[arr]
        return out

    def train_time_s(self, idx: ArrayLike) -> NDArray[np.float64]:
        """GPU-seconds to train each architecture to convergence on one GPU, shape ``(n,)``."""
        arr = self.benchmark.space.check_indices(np.asarray(idx).reshape(-1))
        out: NDArray[np.float64] = self._train_s[arr]
        return out

    @property
    def all_true(self) -> NDArray[np.float64]:
        """True objectives of every architecture, shape ``(space.size, m)``, read-only."""
        return self._true
