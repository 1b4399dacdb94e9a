"""The one table of forecaster names (CLI, saved models) -> classes."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from cenas.errors import ForecastError
from cenas.forecast._base import Forecaster

__all__ = ["MODELS", "make_forecaster", "model_class"]


class _LazyModels(Mapping[str, type[Forecaster]]):
    """Name -> class, importing a model's module only when it is asked for: the transformer
    pulls in torch, which every ``cenas`` command would otherwise pay for at start-up."""

    def __init__(self, entries: dict[str, tuple[str, str]]) -> None:
        self._entries = entries

    def __getitem__(self, name: str) -> type[Forecaster]:
        module, attr = self._entries[name]
        cls: type[Forecaster] = getattr(importlib.import_module(module), attr)
        return cls

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


MODELS: Mapping[str, type[Forecaster]] = _LazyModels(
    {
        "persistence": ("cenas.forecast._baselines", "PersistenceForecaster"),
        "seasonal-naive": ("cenas.forecast._baselines", "SeasonalNaiveForecaster"),
        "gbm": ("cenas.forecast._gbm", "GradientBoostingForecaster"),
        "transformer": ("cenas.forecast._transformer", "TransformerForecaster"),
    }
)
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
