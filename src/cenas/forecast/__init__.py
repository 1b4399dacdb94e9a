"""Carbon-intensity forecasting: a leak-free Forecaster interface, naive and gradient-boosted
baselines, a small time-series transformer, and a rolling-origin backtest with CarbonCast's split.

Forecasts are hourly, in gCO2eq/kWh, for the hours ``issue_time, issue_time + 1 h, ...``, and use
only the intensity strictly before the issue time plus the covariate values known at it: DACF's
weather and day-ahead production forecasts are moved to the hour they describe and are known only
up to the end of the issue time's UTC day (:mod:`cenas.forecast._availability` has the evidence).
A fitted model records its training period and data checksum (:class:`TrainingRecord`);
:class:`HistoryForecaster` forecasts a run's trace with history taken from another file.
"""

from typing import Any

from cenas.forecast._availability import DACF_RULE, CovariateRule, is_known_ahead, rule_for
from cenas.forecast._backtest import (
    CARBONCAST_DAY1_TO_4_MAPE,
    BacktestResult,
    CarbonCastSplit,
    SplitBounds,
    backtest,
    mape_percent,
)
from cenas.forecast._base import Forecaster
from cenas.forecast._baselines import PersistenceForecaster, SeasonalNaiveForecaster
from cenas.forecast._features import CovariateEncoder, LogScaler
from cenas.forecast._gbm import GradientBoostingForecaster
from cenas.forecast._history import HistoryForecaster
from cenas.forecast._hourly import HourlySeries, IssueView, to_hourly
from cenas.forecast._provenance import TrainingRecord, check_no_overlap
from cenas.forecast._registry import MODELS, make_forecaster, model_class
from cenas.forecast._time import ProgressCallback, to_issue_time


def __getattr__(name: str) -> Any:
    # The transformer (and torch with it) loads on first use, not with the package.
    if name in ("Baseline", "TransformerForecaster"):
        from cenas.forecast import _transformer

        return getattr(_transformer, name)
    raise AttributeError(f"module 'cenas.forecast' has no attribute {name!r}")


__all__ = [
    "CARBONCAST_DAY1_TO_4_MAPE",
    "DACF_RULE",
    "MODELS",
    "BacktestResult",
    "Baseline",
    "CarbonCastSplit",
    "CovariateEncoder",
    "CovariateRule",
    "Forecaster",
    "GradientBoostingForecaster",
    "HistoryForecaster",
    "HourlySeries",
    "IssueView",
    "LogScaler",
    "PersistenceForecaster",
    "ProgressCallback",
    "SeasonalNaiveForecaster",
    "SplitBounds",
    "TrainingRecord",
    "TransformerForecaster",
    "backtest",
    "check_no_overlap",
    "is_known_ahead",
    "make_forecaster",
    "mape_percent",
    "model_class",
    "rule_for",
    "to_hourly",
    "to_issue_time",
]
