"""Toy episodes for the RL tests (no data files needed), as fixtures."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from cenas.alloc import AllEvaluationPolicy
from cenas.carbon import Accounting
from cenas.rl import Episode, EpisodeSource, episode_of
from cenas.search import SearchMode
from cenas.sim.testing import ToyBenchmark, toy_run_spec

VALUES = [300.0, 120.0, 250.0, 80.0, 200.0, 90.0, 310.0, 150.0, 60.0, 220.0, 180.0, 100.0]


def _toy_episodes(
    budget_g: float | None = None,
    hours: int = len(VALUES),
    accounting: Accounting = Accounting.FULL,
) -> EpisodeSource:
    """Episodes on a 12-hour toy trace, 2 GPUs, a random search seed per episode."""
    bench = ToyBenchmark(seed=0)

    def draw(rng: np.random.Generator) -> Episode:
        spec = toy_run_spec(
            bench,
            VALUES[:hours],
            AllEvaluationPolicy(),
            SearchMode.CENAS,
            seed=int(rng.integers(1000)),
            carbon_budget_g=budget_g,
            accounting=accounting,
        )
        return episode_of(spec)

    return draw


@pytest.fixture
def toy_values() -> list[float]:
    """The toy trace's hourly values."""
    return list(VALUES)


@pytest.fixture
def toy_episodes() -> Callable[..., EpisodeSource]:
    """``toy_episodes(budget_g=None)``: an episode source over the toy trace."""
    return _toy_episodes
