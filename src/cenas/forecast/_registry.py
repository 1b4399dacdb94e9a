"""The one table of forecaster names (CLI, saved models) -> classes."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from cenas.errors import ForecastError
from cenas.forecast._base import Forecaster, import_model
from cenas.forecast._names import MODEL_LOCATIONS

__all__ = ["MODELS", "make_forecaster", "model_class"]


class _LazyModels(Mapping[str, type[Forecaster]]):
    """Name -> class, importing a model's module only when it is asked for."""

    def __getitem__(self, name: str) -> type[Forecaster]:
        if name not in MODEL_LOCATIONS:
            raise KeyError(name)
        return import_model(name)

    def __iter__(self) -> Iterator[str]:
        return iter(MODEL_LOCATIONS)

    def __len__(self) -> int:
        return len(MODEL_LOCATIONS)


MODELS: Mapping[str, type[Forecaster]] = _LazyModels()
"""Model name -> class; the names the CLI accepts and saved models record."""


def model_class(name: str) -> type[Forecaster]:
    """The class registered under ``name``.

    Raises:
        ForecastError: for an unknown name (the message lists the known ones).
    """
    key = name.strip().lower()
    if key not in MODEL_LOCATIONS:
        raise ForecastError(
            f"unknown forecast model {name!r}; expected one of {', '.join(MODEL_LOCATIONS)}"
        )
    return import_model(key)


def make_forecaster(name: str) -> Forecaster:
    """A new, unfitted forecaster of the named model with its default settings."""
    return model_class(name)()
