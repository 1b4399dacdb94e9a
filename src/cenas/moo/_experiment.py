"""The LaMOO effectiveness experiment (Figure 3 of the CE-NAS papers).

In each run: observe ``samples`` random architectures (true objectives), fit LaMOO, select a
region, then draw ``draws`` unobserved architectures uniformly from the region and ``draws`` from
the whole space; compare the mean of each objective and the hypervolume of the two sets. The
papers report, on HW-NAS-Bench (CIFAR-10 accuracy vs edge-GPU energy), 72.12 % vs 68.28 % and
16.59 vs 22.84 mJ (region vs whole space).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cenas._seeding import child_seeds, make_rng, resolve_seed
from cenas.bench import Benchmark, Objectives
from cenas.errors import ConfigError
from cenas.moo._candidates import space_features
from cenas.moo._hypervolume import hypervolume
from cenas.moo._lamoo import LaMOO, SelectStrategy
from cenas.moo._optimizers import RandomSearch
from cenas.moo._samplers import UniformRegionSampler

__all__ = [
    "EffectivenessResult",
    "EffectivenessRun",
    "SampleSetSummary",
    "benchmark_reference_point",
    "lamoo_effectiveness",
]


def benchmark_reference_point(benchmark: Benchmark, objectives: Objectives) -> NDArray[np.float64]:
    """The worst value of each objective over the whole table, minimisation form (architectures
    at the worst value add no hypervolume, all others do). NaN entries are ignored."""
    objectives.check(benchmark)
    y = objectives.evaluate(benchmark, benchmark.space.all_indices())
    return np.asarray(np.nanmax(y, axis=0), dtype=np.float64)


@dataclass(frozen=True)
class SampleSetSummary:
    """Mean of each objective (natural units, by metric name) and hypervolume of a sample set."""

    means: dict[str, float]
    hypervolume: float


@dataclass(frozen=True)
class EffectivenessRun:
    """One run: the selected region and the two sample sets.

    Attributes:
        run: run number from 0.
        seed: the run's seed.
        region_path: the region's SVM decisions, ``g``/``b`` from the root.
        region_size: architectures of the whole space inside the region.
        region_observed: observed samples in the selected leaf.
        region: summary of the architectures drawn from the region.
        whole: summary of the architectures drawn from the whole space.
    """

    run: int
    seed: int
    region_path: str
    region_size: int
    region_observed: int
    region: SampleSetSummary
    whole: SampleSetSummary


@dataclass(frozen=True)
class EffectivenessResult:
    """The experiment's table: means over runs (and their standard deviations) per set.

    Attributes:
        benchmark: benchmark name.
        objectives: the objectives, e.g. ``cifar10_test_acc:max,latency_pixel3_ms:min``.
        units: unit of each objective, in order.
        ref_point: hypervolume reference point in natural units.
        runs, samples, draws, seed: the settings.
        lamoo: the LaMOO settings used.
        region, whole: mean over runs of each set's objective means and hypervolume.
        region_std, whole_std: standard deviations over runs (ddof 1; 0 for one run).
        per_run: every run.
    """

    benchmark: str
    objectives: str
    units: list[str]
    ref_point: list[float]
    runs: int
    samples: int
    draws: int
    seed: int
    lamoo: str
    region: SampleSetSummary
    whole: SampleSetSummary
    region_std: SampleSetSummary
    whole_std: SampleSetSummary
    per_run: list[EffectivenessRun]


def _summary(
    y_min: NDArray[np.float64], objectives: Objectives, ref: NDArray[np.float64]
) -> SampleSetSummary:
    nat = objectives.to_natural(y_min)
    ok = np.all(np.isfinite(y_min), axis=1)
    means = {m: float(np.nanmean(nat[:, j])) for j, m in enumerate(objectives.metrics)}
    return SampleSetSummary(means, hypervolume(y_min[ok], ref))


def _aggregate(items: list[SampleSetSummary], std: bool) -> SampleSetSummary:
    """Mean over runs, or the standard deviation (ddof 1; 0 for a single run)."""

    def stat(v: list[float]) -> float:
        if not std:
            return float(np.mean(v))
        return float(np.std(v, ddof=1)) if len(v) > 1 else 0.0

    keys = list(items[0].means)
    return SampleSetSummary(
        {k: stat([s.means[k] for s in items]) for k in keys},
        stat([s.hypervolume for s in items]),
    )


def lamoo_effectiveness(
    benchmark: Benchmark,
    objectives: Objectives,
    *,
    runs: int = 10,
    samples: int = 100,
    draws: int = 50,
    lamoo: LaMOO | None = None,
    strategy: SelectStrategy = SelectStrategy.LEAF,
    seed: int | None = None,
    on_run: Callable[[int], None] | None = None,
) -> EffectivenessResult:
    """Run the Figure-3 experiment.

    Args:
        benchmark: the tabular benchmark.
        objectives: two or three of its metrics.
        runs: independent runs.
        samples: random architectures observed before fitting LaMOO.
        draws: architectures drawn from the region and from the whole space.
        lamoo: partitioning settings (defaults when None); its hypervolumes use the benchmark's
            worst point as reference (:func:`benchmark_reference_point`), as do the reported ones.
        strategy: region selection.
        seed: master seed (each run gets a child seed).
        on_run: called with the run number after each run (progress bars).

    Returns:
        The :class:`EffectivenessResult`. When a region holds fewer unobserved architectures than
        ``draws``, the rest of its set is drawn from the whole space (see ``region_size``).
    """
    if runs < 1 or draws < 1 or samples < 2:
        raise ConfigError(
            f"need runs >= 1, draws >= 1 and samples >= 2, got {runs}, {draws}, {samples}"
        )
    space = benchmark.space
    if samples + draws > space.size:
        raise ConfigError(f"samples + draws ({samples + draws}) exceed the space ({space.size})")
    objectives.check(benchmark)
    master = resolve_seed(seed)
    lam = lamoo if lamoo is not None else LaMOO()
    ref = benchmark_reference_point(benchmark, objectives)
    feats_all = space_features(space)
    results: list[EffectivenessRun] = []
    for r, s in enumerate(child_seeds(master, runs)):
        rng = make_rng(s)
        observed = RandomSearch(space, seed=s).ask(samples)
        y = objectives.evaluate(benchmark, observed)
        ok = np.all(np.isfinite(y), axis=1)
        x = feats_all[observed] if feats_all is not None else space.features(observed)
        tree = lam.fit(x[ok], y[ok], hv_ref=ref, rng=rng)
        region = tree.select(strategy)
        in_region = region.contains(feats_all) if feats_all is not None else None
        size = int(in_region.sum()) if in_region is not None else -1
        picked = UniformRegionSampler().propose(space, region, observed, y, draws, rng)
        excluded = np.zeros(space.size, dtype=bool)
        excluded[observed] = True
        free = np.flatnonzero(~excluded)
        whole = rng.choice(free, size=draws, replace=False).astype(np.int64)
        results.append(
            EffectivenessRun(
                run=r,
                seed=s,
                region_path=region.path,
                region_size=size,
                region_observed=region.n_train,
                region=_summary(objectives.evaluate(benchmark, picked), objectives, ref),
                whole=_summary(objectives.evaluate(benchmark, whole), objectives, ref),
            )
        )
        if on_run is not None:
            on_run(r)
    units = [benchmark.metric(m).unit for m in objectives.metrics]
    return EffectivenessResult(
        benchmark=benchmark.name,
        objectives=str(objectives),
        units=units,
        ref_point=[float(v) for v in objectives.to_natural(ref)],
        runs=runs,
        samples=samples,
        draws=draws,
        seed=master,
        lamoo=repr(lam),
        region=_aggregate([x.region for x in results], std=False),
        whole=_aggregate([x.whole for x in results], std=False),
        region_std=_aggregate([x.region for x in results], std=True),
        whole_std=_aggregate([x.whole for x in results], std=True),
        per_run=results,
    )
