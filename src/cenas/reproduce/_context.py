"""How much work a reproduction does (quick or full) and what its section builders share.

Builders receive a :class:`ReproduceContext`: the settings, where figures go, the data directory,
the HW-NAS-Bench pickle if the user supplied one, a status callback for the progress bar, and a
per-run cache so that sections drawn from the same simulations (Figures 4-6 and the ratios) run
them once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from cenas.errors import ConfigError

__all__ = ["HwNasOption", "ReproduceContext", "ReproduceSettings"]

T = TypeVar("T")


@dataclass(frozen=True)
class ReproduceSettings:
    """The amount of work behind each section.

    Attributes:
        quick: the CI-sized run (a few seeds, short training); printed on the page.
        seeds: seeds per method of the budget-free simulations (Figure 4, the ratios).
        budget_seeds: seeds per method and budget (Figures 5-6, the predictor table).
        budget_fractions: carbon budgets as fractions of vanilla LaMOO's unbudgeted carbon.
        fig3_runs: runs of the LaMOO region-vs-whole-space experiment (the papers use 10).
        forecast_regions: regions of the MAPE table.
        forecast_issue_stride_h: hours between the gradient-boosting model's training issue
            times (6 is the model's default; larger trains on fewer rows, faster).
        forecast_max_trees: most boosting iterations of the forecaster.
        surrogate_epochs: epochs of the EC-NAS surrogate (EC-NAS: 200).
        surrogate_fractions: training-set fractions of the surrogate's learning curve.
        ecnas_trials: seeded trials per optimiser in the EC-NAS comparison.
        ecnas_evals: table look-ups per trial.
        ecnas_methods: the optimisers compared (names of :func:`cenas.ecnas.comparison_methods`).
        jobs: worker processes for the simulations.
        seed: master seed of every randomised part.
    """

    quick: bool
    seeds: int
    budget_seeds: int
    budget_fractions: tuple[float, ...]
    fig3_runs: int
    forecast_regions: tuple[str, ...]
    forecast_issue_stride_h: int
    forecast_max_trees: int
    surrogate_epochs: int
    surrogate_fractions: tuple[float, ...]
    ecnas_trials: int
    ecnas_evals: int
    ecnas_methods: tuple[str, ...]
    jobs: int = 2
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("seeds", "budget_seeds", "fig3_runs", "surrogate_epochs", "ecnas_trials"):
            if getattr(self, name) < 1:
                raise ConfigError(f"reproduce {name} must be >= 1, got {getattr(self, name)}")
        if self.jobs < 1:
            raise ConfigError(f"reproduce jobs must be >= 1, got {self.jobs}")
        if not self.budget_fractions or any(not 0 < f <= 1 for f in self.budget_fractions):
            raise ConfigError(
                f"budget fractions must be in (0, 1], got {list(self.budget_fractions)}"
            )

    @classmethod
    def for_mode(cls, quick: bool, *, jobs: int = 2, seed: int = 0) -> ReproduceSettings:
        """The quick (CI, under 5 minutes on 2 cores) or the full (papers' seeds) settings."""
        full = cls(
            quick=False,
            seeds=10,
            budget_seeds=10,
            budget_fractions=(0.1, 0.2, 0.4),
            fig3_runs=10,
            forecast_regions=("CISO", "DE", "PJM"),
            forecast_issue_stride_h=6,
            forecast_max_trees=200,
            surrogate_epochs=200,
            surrogate_fractions=(0.1, 0.25, 0.5, 1.0),
            ecnas_trials=10,
            ecnas_evals=100,
            ecnas_methods=("random", "semoa", "nsga2", "qnehvi", "lamoo"),
            jobs=jobs,
            seed=seed,
        )
        if not quick:
            return full
        # Fewer seeds, a forecaster on fewer training rows and trees, a shorter surrogate
        # training and no qNEHVI (its GP fits dominate the comparison's time).
        return replace(
            full,
            quick=True,
            seeds=2,
            budget_seeds=1,
            forecast_issue_stride_h=48,
            forecast_max_trees=60,
            surrogate_epochs=25,
            ecnas_trials=3,
            ecnas_evals=60,
            ecnas_methods=("random", "semoa", "nsga2", "lamoo"),
        )

    def describe(self) -> str:
        """One line for the page."""
        mode = "quick" if self.quick else "full"
        return (
            f"{mode}: {self.seeds} seeds per method without a budget, {self.budget_seeds} per "
            f"budget ({', '.join(f'{f:g}x' for f in self.budget_fractions)} vanilla's carbon); "
            f"Figure 3 {self.fig3_runs} runs; forecaster {self.forecast_max_trees} trees, issue "
            f"stride {self.forecast_issue_stride_h} h; surrogate {self.surrogate_epochs} epochs; "
            f"EC-NAS {self.ecnas_trials} trials x {self.ecnas_evals} evaluations; master seed "
            f"{self.seed}"
        )


@dataclass(frozen=True)
class HwNasOption:
    """The user's HW-NAS-Bench pickle: its path and how it may be read (checksum or opt-in)."""

    path: Path
    sha256: str | None = None
    allow_unverified: bool = False


@dataclass
class ReproduceContext:
    """What every section builder gets.

    Attributes:
        settings: the amount of work.
        out_dir: the page's directory; figures go to ``out_dir / "figures"``.
        config: the simulation configuration the HotCarbon sections start from
            (``configs/nb201_trace1.toml``).
        data_dir: the reference data directory (None: ``$CENAS_DATA_DIR``, then the cache).
        hwnas: the HW-NAS-Bench pickle, when the user supplied one.
        status: called with a short description while a builder works (progress bars).
    """

    settings: ReproduceSettings
    out_dir: Path
    config: Path
    data_dir: Path | None = None
    hwnas: HwNasOption | None = None
    status: Callable[[str], None] = field(default=lambda _msg: None)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def figures_dir(self) -> Path:
        """Where builders write PNG files (created on first use)."""
        d = self.out_dir / "figures"
        d.mkdir(parents=True, exist_ok=True)
        return d

    def figure(self, name: str) -> Path:
        """The path of figure ``name`` (a file name ending in ``.png``)."""
        if not name.endswith(".png") or "/" in name:
            raise ConfigError(f"figure names are plain .png file names, got {name!r}")
        return self.figures_dir / name

    def cached(self, key: str, make: Callable[[], T]) -> T:
        """``make()`` once per reproduction; later calls with ``key`` return the same value."""
        if key not in self._cache:
            self._cache[key] = make()
        value: T = self._cache[key]
        return value
