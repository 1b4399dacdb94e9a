"""Comparing multi-objective optimisers on a tabular benchmark (EC-NAS: accuracy vs energy).

:func:`compare_optimizers` runs every method for several seeded trials through the ask/tell loop
(:func:`cenas.moo.run_optimizer`) and keeps what each trial found; :func:`point_summaries`
reduces the trials to the extreme architectures and the knee point of each trial's front
(mean and standard deviation over trials); :func:`attainment_plot_data` computes empirical
attainment surfaces, and :func:`render_attainment` draws them (PNG).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas._plotting import pyplot, save_figure
from cenas._seeding import child_seeds
from cenas.bench import Benchmark, Objectives
from cenas.errors import ConfigError
from cenas.moo import (
    Optimizer,
    front_extremes,
    hypervolume,
    knee_point,
    non_dominated_mask,
    run_optimizer,
)
from cenas.space import SearchSpace

__all__ = [
    "AttainmentPlotData",
    "ComparisonResult",
    "MethodSpec",
    "PointSummary",
    "TrialResult",
    "attainment_plot_data",
    "compare_optimizers",
    "point_summaries",
    "render_attainment",
]


@dataclass(frozen=True)
class MethodSpec:
    """A named optimiser factory: ``make(space, seed)`` returns a fresh optimiser."""

    name: str
    make: Callable[[SearchSpace, int], Optimizer]


@dataclass(frozen=True)
class TrialResult:
    """One trial of one method.

    Attributes:
        method: the method's name.
        seed: the trial's seed.
        idx: evaluated architectures in order, int64, shape ``(k,)``.
        y_min: their objectives, minimisation form, shape ``(k, m)``.
        hypervolume: hypervolume of everything evaluated, against the comparison's reference.
        wall_s: wall-clock seconds the trial took (optimiser overhead; look-ups are free).
    """

    method: str
    seed: int
    idx: NDArray[np.int64]
    y_min: NDArray[np.float64]
    hypervolume: float
    wall_s: float

    @property
    def front(self) -> NDArray[np.int64]:
        """Rows of :attr:`y_min` on the non-dominated front."""
        return np.flatnonzero(non_dominated_mask(self.y_min)).astype(np.int64)

    def points(self) -> dict[str, int]:
        """Architecture indices of the extremes (``best <objective>``) and the ``knee``."""
        ext = front_extremes(self.y_min)
        return {
            **{f"best {k}": int(self.idx[r]) for k, r in enumerate(ext)},
            "knee": int(self.idx[knee_point(self.y_min)]),
        }


@dataclass(frozen=True)
class ComparisonResult:
    """All trials of all methods on one benchmark.

    Attributes:
        benchmark: the benchmark's name.
        objectives: the objectives (as ``metric:direction``).
        ref_point: the hypervolume reference point, minimisation form.
        hv_max: hypervolume of the benchmark's true front against the same reference.
        n_evals: evaluations per trial.
        batch_size: architectures per ask.
        trials: every trial, grouped by method in the order given.
    """

    benchmark: str
    objectives: Objectives
    ref_point: NDArray[np.float64]
    hv_max: float
    n_evals: int
    batch_size: int
    trials: list[TrialResult]

    @property
    def methods(self) -> list[str]:
        """Method names in order."""
        return list(dict.fromkeys(t.method for t in self.trials))

    def of(self, method: str) -> list[TrialResult]:
        """Trials of one method."""
        return [t for t in self.trials if t.method == method]


def compare_optimizers(
    benchmark: Benchmark,
    methods: Sequence[MethodSpec],
    objectives: Objectives,
    *,
    ref_point: ArrayLike,
    n_evals: int = 100,
    batch_size: int = 10,
    trials: int = 10,
    seed: int = 0,
    on_trial: Callable[[TrialResult], None] | None = None,
) -> ComparisonResult:
    """Run every method ``trials`` times on ``benchmark``.

    Trial ``t`` of every method gets the same seed (the ``t``-th child of ``seed``), so methods
    are compared on common random numbers.

    Args:
        benchmark: the tabular benchmark.
        methods: the optimisers.
        objectives: what to optimise.
        ref_point: hypervolume reference point, minimisation form, shape ``(m,)``.
        n_evals: evaluations per trial.
        batch_size: architectures per ask.
        trials: trials per method.
        seed: master seed.
        on_trial: called after each trial.
    """
    if trials < 1 or not methods:
        raise ConfigError(f"need at least one method and one trial, got {len(methods)}, {trials}")
    names = [m.name for m in methods]
    if len(set(names)) != len(names):
        raise ConfigError(f"method names must be distinct, got {names}")
    objectives.check(benchmark)
    ref = np.asarray(ref_point, dtype=np.float64)
    if ref.shape != (len(objectives),):
        raise ConfigError(f"ref_point must have {len(objectives)} values, got shape {ref.shape}")
    hv_max = hypervolume(objectives.evaluate(benchmark, benchmark.space.all_indices()), ref)
    seeds = child_seeds(seed, trials)
    out: list[TrialResult] = []
    for spec in methods:
        for s in seeds:
            t0 = time.perf_counter()
            opt = spec.make(benchmark.space, s)
            hist = run_optimizer(opt, benchmark, objectives, n_evals, batch_size)
            trial = TrialResult(
                spec.name,
                s,
                hist.idx,
                hist.y_min,
                hypervolume(hist.y_min, ref),
                time.perf_counter() - t0,
            )
            out.append(trial)
            if on_trial is not None:
                on_trial(trial)
    return ComparisonResult(benchmark.name, objectives, ref, hv_max, n_evals, batch_size, out)


@dataclass(frozen=True)
class PointSummary:
    """One characteristic point of a method's fronts, over trials.

    Attributes:
        method: the method.
        point: ``best <metric>`` for an extreme, or ``knee``.
        mean: metric -> mean over trials.
        std: metric -> standard deviation over trials (ddof 0).
        archs: the architecture index found in each trial.
    """

    method: str
    point: str
    mean: dict[str, float]
    std: dict[str, float]
    archs: list[int]


def point_summaries(
    result: ComparisonResult, benchmark: Benchmark, metrics: Sequence[str]
) -> list[PointSummary]:
    """Extremes and knee of every trial's front, as mean +- std of ``metrics`` per method."""
    obj = result.objectives.metrics
    out = []
    for method in result.methods:
        per_trial = [t.points() for t in result.of(method)]
        for key in per_trial[0]:
            archs = [p[key] for p in per_trial]
            vals = benchmark.query_many(np.array(archs, dtype=np.int64), list(metrics))
            label = key if key == "knee" else f"best {obj[int(key.split()[1])]}"
            out.append(
                PointSummary(
                    method,
                    label,
                    {m: float(v) for m, v in zip(metrics, vals.mean(axis=0), strict=True)},
                    {m: float(v) for m, v in zip(metrics, vals.std(axis=0), strict=True)},
                    archs,
                )
            )
    return out


@dataclass(frozen=True)
class AttainmentPlotData:
    """Empirical attainment surfaces in natural units (two objectives).

    Attributes:
        x_label, y_label: axis labels (metric and unit); x is the second objective, y the first.
        levels: attainment levels in percent, e.g. ``(10, 50, 100)``: a point on the ``p`` %
            surface is attained (weakly dominated) in at least ``p`` % of the trials.
        surfaces: method -> level -> points ``(k, 2)`` as ``(x, y)``, sorted by x.
        true_front: the benchmark's true front ``(k, 2)`` as ``(x, y)``, sorted by x.
    """

    x_label: str
    y_label: str
    levels: tuple[float, ...]
    surfaces: dict[str, dict[float, NDArray[np.float64]]]
    true_front: NDArray[np.float64]


def attainment_plot_data(
    result: ComparisonResult, benchmark: Benchmark, levels: Sequence[float] = (10, 50, 100)
) -> AttainmentPlotData:
    """Attainment surfaces of every method (via ``moocore.eaf``) and the true front."""
    import moocore

    obj = result.objectives
    if len(obj) != 2:
        raise ConfigError(f"attainment plots need 2 objectives, got {len(obj)}")

    def natural_xy(y_min: NDArray[np.float64]) -> NDArray[np.float64]:
        nat = obj.to_natural(y_min)[:, ::-1]
        return np.asarray(nat[np.argsort(nat[:, 0], kind="stable")], dtype=np.float64)

    surfaces: dict[str, dict[float, NDArray[np.float64]]] = {}
    for method in result.methods:
        trials = result.of(method)
        pts = np.concatenate([t.y_min for t in trials])
        sets = np.concatenate([np.full(t.y_min.shape[0], k + 1) for k, t in enumerate(trials)])
        eaf = np.asarray(moocore.eaf(pts, sets, percentiles=list(levels)), dtype=np.float64)
        surfaces[method] = {
            float(lv): natural_xy(eaf[np.isclose(eaf[:, -1], lv), :-1]) for lv in levels
        }
    all_y = obj.evaluate(benchmark, benchmark.space.all_indices())
    true = natural_xy(all_y[non_dominated_mask(all_y)])
    labels = [f"{m} ({benchmark.metric(m).unit})" for m in obj.metrics]
    return AttainmentPlotData(labels[1], labels[0], tuple(float(v) for v in levels), surfaces, true)


def render_attainment(data: AttainmentPlotData, path: str | Path, *, title: str = "") -> Path:
    """Draw the median (50 %) attainment surface of each method as a solid step line, the
    best/worst levels as a shaded band, and the true front as dots; write a PNG."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 5.0))
    colors = plt.get_cmap("tab10").colors
    lo, hi = min(data.levels), max(data.levels)
    for k, (method, surf) in enumerate(data.surfaces.items()):
        c = colors[k % len(colors)]
        for lv, pts in surf.items():
            if pts.size == 0:
                continue
            if lv in (lo, hi) and lo != hi:
                ax.step(pts[:, 0], pts[:, 1], where="post", color=c, lw=0.8, ls=":", alpha=0.7)
            else:
                # Decreasing widths keep methods with coinciding surfaces visible.
                lw = max(1.0, 3.2 - 0.5 * k)
                ax.step(pts[:, 0], pts[:, 1], where="post", color=c, lw=lw, label=method)
    tf = data.true_front
    ax.plot(tf[:, 0], tf[:, 1], "k.", ms=5, label="true front")
    ax.set_xlabel(data.x_label)
    ax.set_ylabel(data.y_label)
    ax.set_title(
        title or f"attainment surfaces: {50:g} % solid, {lo:g} % / {hi:g} % dotted", fontsize=10
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return save_figure(fig, path)
