"""The documented carbon default of ``cenas track``: the world-average grid intensity."""

from __future__ import annotations

import dataclasses

from cenas.carbon import ConstantSignal, IntensityReading

__all__ = ["WORLD_AVERAGE_G_PER_KWH", "WORLD_AVERAGE_LABEL", "WorldAverageSignal"]

WORLD_AVERAGE_G_PER_KWH = 480.0
"""Carbon intensity of world electricity generation in 2023, gCO2eq/kWh: Ember, *Global
Electricity Review 2024*,
https://ember-climate.org/insights/research/global-electricity-review-2024/ ."""

WORLD_AVERAGE_LABEL = (
    "fallback:world-average-2023:480 gCO2eq/kWh (Ember Global Electricity Review 2024)"
)
"""The source label recorded with every reading of :class:`WorldAverageSignal`."""


class WorldAverageSignal(ConstantSignal):
    """The world-average intensity, used when no carbon source is given, and flagged as such.

    Every reading has ``source`` :data:`WORLD_AVERAGE_LABEL` and ``is_fallback=True``, so a
    result computed with it says so (``TrackingResult.carbon_is_fallback``) instead of passing
    for a measurement of the local grid.
    """

    def __init__(self) -> None:
        super().__init__(WORLD_AVERAGE_G_PER_KWH, WORLD_AVERAGE_LABEL)

    def reading(self, t_s: float) -> IntensityReading:
        return dataclasses.replace(super().reading(t_s), is_fallback=True)
