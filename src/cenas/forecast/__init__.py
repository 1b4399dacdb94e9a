"""Carbon-intensity forecasting: a leak-free Forecaster interface, naive and gradient-boosted
baselines, a small time-series transformer, and a rolling-origin backtest with CarbonCast's split.

Forecasts are hourly, in gCO2eq/kWh, for the hours ``issue_time, issue_time + 1 h, ...``, and use
only the intensity strictly before the issue time plus covariates known in advance (DACF weather
and day-ahead production forecasts).
"""

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
from cenas.forecast._transformer import Baseline, TransformerForecaster

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
