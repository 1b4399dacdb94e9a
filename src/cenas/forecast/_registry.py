"""The one table of forecaster names (CLI, saved models) -> classes."""

from __future__ import annotations

from cenas.errors import ForecastError
from cenas.forecast._base import Forecaster
from cenas.forecast._baselines import PersistenceForecaster, SeasonalNaiveForecaster
from cenas.forecast._gbm import GradientBoostingForecaster
from cenas.forecast._transformer import TransformerForecaster

__all__ = ["MODELS", "make_forecaster", "model_class"]

MODELS: dict[str, type[Forecaster]] = {
    cls.name: cls
    for cls in (
        PersistenceForecaster,
        SeasonalNaiveForecaster,
        GradientBoostingForecaster,
        TransformerForecaster,
    )
}
"""Model name -> class; the names the CLI accepts and saved models record."""


def model_class(name: str) -> type[Forecaster]:
    """The class registered under ``name``.

    Raises:
        ForecastError: for an unknown name (the message lists the known ones).
    """
    try:
        return MODELS[name.strip().lower()]
    except KeyError:
        raise ForecastError(
            f"unknown forecast model {name!r}; expected one of {', '.join(MODELS)}"
        ) from None


def make_forecaster(name: str) -> Forecaster:
    """A new, unfitted forecaster of the named model with its default settings."""
    return model_class(name)()
