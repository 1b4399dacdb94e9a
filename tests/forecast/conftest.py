"""Synthetic traces for the forecast tests: a daily and weekly pattern with DACF-like columns."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from cenas.carbon import EmissionKind, IntensityTrace, TraceFormat, TraceSource

SOURCES = ("coal", "nat_gas", "solar")
FACTORS = {"coal": 760.0, "nat_gas": 370.0, "solar": 0.0}


def synthetic_trace(
    days: int = 60,
    *,
    start: str = "2021-03-01",
    step_s: int = 3600,
    covariates: bool = True,
    seed: int = 0,
) -> IntensityTrace:
    """Intensity computed from three sources' production (like DACF's direct intensity), with
    weather and day-ahead production forecast columns (the actual production plus noise), stored
    like DACF's: on the row 24 h before the hour they describe."""
    rng = np.random.default_rng(seed)
    n = days * 24 * 3600 // step_s
    t_h = np.arange(n) * step_s / 3600.0
    solar = np.maximum(0.0, np.sin(2 * np.pi * (t_h % 24 - 6) / 24)) * 800
    gas = 500 + 200 * np.sin(2 * np.pi * t_h / (24 * 7)) + rng.normal(0, 30, n).cumsum() * 0.05
    gas = np.maximum(gas, 50.0)
    coal = 200 + 50 * np.cos(2 * np.pi * t_h / 24)
    prod = np.stack([coal, gas, solar], axis=1)
    values = prod @ np.array([FACTORS[s] for s in SOURCES]) / prod.sum(axis=1)
    source = TraceSource.make(
        path=None, format=TraceFormat.SERIES, zone="SYN", kind=EmissionKind.DIRECT
    )
    cov = None
    if covariates:
        cols: dict[str, np.ndarray] = {}
        for j, s in enumerate(SOURCES):
            cols[s] = prod[:, j]
        cols["forecast_avg_temperature_wMean"] = 280 + 10 * np.sin(2 * np.pi * t_h / 24)
        cols["forecast_avg_wind_speed_wMean"] = 4 + rng.normal(0, 0.5, n)
        for j, s in enumerate(SOURCES):
            cols[f"avg_{s}_production_forecast"] = prod[:, j] * (1 + rng.normal(0, 0.05, n))
        ahead = 24 * 3600 // step_s
        for c in cols:
            if c.startswith(("forecast_avg_", "avg_")):
                cols[c] = np.roll(cols[c], -ahead)  # the last day wraps around: noise
        cov = pd.DataFrame(cols)
    return IntensityTrace(
        start=pd.Timestamp(start, tz="UTC"),
        step_s=step_s,
        values_g_per_kwh=values,
        source=source,
        covariates=cov,
    )


@pytest.fixture
def make_trace() -> Callable[..., IntensityTrace]:
    """Factory for :func:`synthetic_trace`."""
    return synthetic_trace
