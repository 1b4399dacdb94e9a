"""Forecaster names -> where their classes live; imports nothing of the package, so both the
base class (loading a saved model) and the public registry can read it without a cycle."""

from __future__ import annotations

__all__ = ["MODEL_LOCATIONS"]

MODEL_LOCATIONS: dict[str, tuple[str, str]] = {
    "persistence": ("cenas.forecast._baselines", "PersistenceForecaster"),
    "seasonal-naive": ("cenas.forecast._baselines", "SeasonalNaiveForecaster"),
    "gbm": ("cenas.forecast._gbm", "GradientBoostingForecaster"),
    "transformer": ("cenas.forecast._transformer", "TransformerForecaster"),
}
"""Model name -> (module, class); modules are imported on first use (the transformer pulls in
torch, which every ``cenas`` command would otherwise pay for at start-up)."""
