"""The CE-NAS search loop: observed set P, ready queue R, LaMOO regions, tasks and evaluators.

The core (:class:`CENASSearch`) is pure and deterministic given a seed; executors (the
trace-driven simulator in :mod:`cenas.sim`, a live runner) ask it for work and report results.
"""

from cenas.search._core import CENASSearch, RegionInfo, SearchSettings
from cenas.search._evaluator import Evaluator, TabularEvaluator
from cenas.search._observed import ObservedSet
from cenas.search._predictor import ArchitecturePredictor, EstimateCorrector, RankBy
from cenas.search._queue import QueueEntry, ReadyQueue
from cenas.search._tasks import (
    EstimationTask,
    EvaluationSource,
    EvaluationTask,
    SamplingTask,
    SearchMode,
    SupernetTask,
)

__all__ = [
    "ArchitecturePredictor",
    "CENASSearch",
    "EstimateCorrector",
    "EstimationTask",
    "EvaluationSource",
    "EvaluationTask",
    "Evaluator",
    "ObservedSet",
    "QueueEntry",
    "RankBy",
    "ReadyQueue",
    "RegionInfo",
    "SamplingTask",
    "SearchMode",
    "SearchSettings",
    "SupernetTask",
    "TabularEvaluator",
]
