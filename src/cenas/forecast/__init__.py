"""Carbon-intensity forecasting: a leak-free Forecaster interface, naive and gradient-boosted
baselines, a small time-series transformer, and a rolling-origin backtest with CarbonCast's split.

Forecasts are hourly, in gCO2eq/kWh, for the hours ``issue_time, issue_time + 1 h, ...``, and use
only the intensity strictly before the issue time plus covariates known in advance (DACF weather
and day-ahead production forecasts).
"""

from typing import Any

from cenas.forecast._backtest import (
    CARBONCAST_DAY1_TO_4_MAPE,
    BacktestResult,
    CarbonCastSplit,
    SplitBounds,
    backtest,
    mape_percent,
)
from cenas.forecast._base import (
    Forecaster,
    HourlySeries,
    IssueView,
    ProgressCallback,
    to_hourly,
    to_issue_time,
)
from cenas.forecast._baselines import PersistenceForecaster, SeasonalNaiveForecaster
from cenas.forecast._features import CovariateEncoder, LogScaler
from cenas.forecast._gbm import GradientBoostingForecaster
from cenas.forecast._registry import MODELS, make_forecaster, model_class


def __getattr__(name: str) -> Any:
    # The transformer (and torch with it) loads on first use, not with the package.
    if name in ("Baseline", "TransformerForecaster"):
        from cenas.forecast import _transformer

        return getattr(_transformer, name)
    raise AttributeError(f"module 'cenas.forecast' has no attribute {name!r}")


__all__ = [
    "CARBONCAST_DAY1_TO_4_MAPE",
    "MODELS",
    "BacktestResult",
    "Baseline",
    "CarbonCastSplit",
    "CovariateEncoder",
    "Forecaster",
    "GradientBoostingForecaster",
    "HourlySeries",
    "IssueView",
    "LogScaler",
    "PersistenceForecaster",
    "ProgressCallback",
    "SeasonalNaiveForecaster",
    "SplitBounds",
    "TransformerForecaster",
    "backtest",
    "make_forecaster",
    "mape_percent",
    "model_class",
    "to_hourly",
    "to_issue_time",
]
