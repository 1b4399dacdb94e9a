"""Small synthetic benchmarks and traces for tests and examples (no data files needed).

A :class:`ToyBenchmark` has ``n`` architectures with a one-hot encoding of a few categorical
choices, a true accuracy (%, max), a latency (ms, min), a one-shot estimate of the accuracy and a
training time; a :func:`toy_trace` is an hourly intensity trace from a list of values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from cenas.alloc import AllocationContext, AllocationPolicy
from cenas.bench import Direction, Metric, Objectives, TableBenchmark
from cenas.carbon import Accounting, EmissionKind, IntensityTrace, TraceFormat, TraceSource
from cenas.errors import ArchitectureError
from cenas.moo import LaMOO
from cenas.search import SearchMode, SearchSettings, TabularEvaluator
from cenas.sim._build import all_gpus_carbon_g
from cenas.sim._params import SimConfig
from cenas.sim._spec import RunSpec
from cenas.space import SearchSpace

__all__ = [
    "TOY_OBJECTIVES",
    "ToyBenchmark",
    "ToySpace",
    "context_at",
    "toy_budget_spec",
    "toy_run_spec",
    "toy_trace",
]


class ToySpace(SearchSpace):
    """``choices ** positions`` architectures; index = mixed-radix digits, features one-hot."""

    name = "toy"

    def __init__(self, positions: int = 3, choices: int = 4) -> None:
        self.positions, self.choices = int(positions), int(choices)
        self._size: int = self.choices**self.positions

    @property
    def size(self) -> int:
        return self._size

    def _digits(self, idx: ArrayLike) -> NDArray[np.int64]:
        arr = self.check_indices(np.asarray(idx).reshape(-1))
        radix = self.choices ** np.arange(self.positions - 1, -1, -1, dtype=np.int64)
        return (arr[:, None] // radix[None, :]) % self.choices

    def features(self, idx: ArrayLike) -> NDArray[np.float64]:
        d = self._digits(idx)
        out = np.zeros((d.shape[0], self.positions * self.choices), dtype=np.float64)
        rows = np.repeat(np.arange(d.shape[0]), self.positions)
        cols = (np.arange(self.positions) * self.choices)[None, :] + d
        out[rows, cols.ravel()] = 1.0
        return out

    def to_string(self, idx: int) -> str:
        return "-".join(str(int(v)) for v in self._digits([idx])[0])

    def from_string(self, arch: str) -> int:
        try:
            digits = [int(p) for p in arch.split("-")]
        except ValueError:
            raise ArchitectureError(
                f"toy architecture must look like 0-1-2, got {arch!r}"
            ) from None
        if len(digits) != self.positions or not all(0 <= v < self.choices for v in digits):
            raise ArchitectureError(f"toy architecture {arch!r} is out of range")
        out = 0
        for v in digits:
            out = out * self.choices + v
        return out

    def neighbours(self, idx: int) -> NDArray[np.int64]:
        d = self._digits([idx])[0]
        out = []
        for p in range(self.positions):
            for c in range(self.choices):
                if c != d[p]:
                    e = d.copy()
                    e[p] = c
                    out.append(self.from_string("-".join(map(str, e))))
        return np.array(out, dtype=np.int64)


class ToyBenchmark(TableBenchmark):
    """A synthetic tabular benchmark over a :class:`ToySpace`.

    Metrics: ``acc`` (%, max), ``lat_ms`` (min), ``oneshot_acc`` (estimates ``acc``: the true
    accuracy plus seeded noise of ``noise`` points), ``train_time_s`` (the training cost).

    Args:
        space: the space (default ``ToySpace()``, 64 architectures).
        seed: seed of the values.
        noise: standard deviation of the estimate's error, accuracy points.
        train_time_s: a constant training time, or None for seeded times in [1800, 5400) s.
        columns: extra or replacement columns (name -> values); new names get direction
            ``min``. For hand-made cases.
    """

    name = "toy"
    train_time_metric = "train_time_s"
    _space: ToySpace

    def __init__(
        self,
        space: ToySpace | None = None,
        *,
        seed: int = 0,
        noise: float = 2.0,
        train_time_s: float | None = None,
        columns: Mapping[str, Sequence[float]] | None = None,
    ) -> None:
        toy_space = space if space is not None else ToySpace()
        n = toy_space.size
        rng = np.random.default_rng(seed)
        d = toy_space._digits(np.arange(n))
        capacity = d.sum(axis=1).astype(np.float64)
        acc = 70.0 + 20.0 * capacity / max(capacity.max(), 1.0) + rng.normal(0, 1.0, n)
        lat = 1.0 + 2.0 * capacity + rng.uniform(0, 1.0, n)
        est = acc + rng.normal(0, noise, n)
        tt = (
            np.full(n, float(train_time_s))
            if train_time_s is not None
            else rng.uniform(1800.0, 5400.0, n)
        )
        cols: dict[str, NDArray[np.float64]] = {
            "acc": acc,
            "lat_ms": lat,
            "oneshot_acc": est,
            "train_time_s": tt,
        }
        metrics = {
            "acc": Metric("acc", "%", Direction.MAX, "true accuracy"),
            "lat_ms": Metric("lat_ms", "ms", Direction.MIN, "latency"),
            "oneshot_acc": Metric(
                "oneshot_acc", "%", Direction.MAX, "one-shot estimate", estimates="acc"
            ),
            "train_time_s": Metric("train_time_s", "s", Direction.MIN, "training time"),
        }
        for k, values in (columns or {}).items():
            arr = np.asarray(values, dtype=np.float64)
            if arr.shape != (n,):
                raise ArchitectureError(f"column {k!r} must have {n} values, got {arr.shape}")
            cols[k] = arr
            if k not in metrics:
                metrics[k] = Metric(k, "", Direction.MIN, "custom")
        super().__init__(toy_space, cols, metrics, {"toy": f"seed={seed}"})

    @property
    def space(self) -> ToySpace:
        return self._space


def toy_trace(
    values_g_per_kwh: Sequence[float],
    *,
    start: str = "2021-01-01T00:00Z",
    step_s: int = 3600,
    label: str = "toy",
) -> IntensityTrace:
    """An intensity trace with the given step values (gCO2eq/kWh), hourly by default."""
    idx = pd.date_range(
        pd.Timestamp(start), periods=len(values_g_per_kwh), freq=pd.Timedelta(seconds=step_s)
    )
    source = TraceSource.make(
        path=None, format=TraceFormat.SERIES, zone=None, kind=EmissionKind.UNKNOWN, label=label
    )
    return IntensityTrace.from_series(
        pd.Series(np.asarray(values_g_per_kwh, dtype=np.float64), index=idx), source, step=step_s
    )


def context_at(trace: IntensityTrace, step: int, **fields: object) -> AllocationContext:
    """What a policy sees at the start of step ``step`` of ``trace`` (a run over the whole
    trace); ``fields`` set any other :class:`~cenas.alloc.AllocationContext` field (gpus, powers).
    """
    t = trace.start_s + step * trace.step_s
    args: dict[str, object] = {
        "t_s": t,
        "interval_s": float(trace.step_s),
        "elapsed_s": t - trace.start_s,
        "horizon_s": len(trace) * trace.step_s,
        "intensity_g_per_kwh": trace.value_at(t),
        "trace": trace,
        **fields,
    }
    return AllocationContext(**args)  # type: ignore[arg-type]


TOY_OBJECTIVES = Objectives.parse("acc:max,lat_ms:min")
"""The objectives of :class:`ToyBenchmark` runs: accuracy up, latency down."""


def toy_run_spec(
    bench: ToyBenchmark,
    values: Sequence[float],
    policy: AllocationPolicy,
    mode: SearchMode,
    *,
    seed: int = 0,
    leaf_size: int = 10_000,
    **sim: object,
) -> RunSpec:
    """A simulated run over the hourly trace ``values``: 2 GPUs, 100 W training, 50 W
    estimating, 10 W idle, PUE 1, 2 initial samples, Cap(R) 4, unless ``sim`` says otherwise
    (any :class:`~cenas.sim.SimConfig` field); carbon is then easy to count by hand."""
    trace = toy_trace(values)
    params: dict[str, object] = {
        "gpus": 2,
        "horizon_h": float(len(values)),
        "power_train_w": 100.0,
        "power_sample_w": 50.0,
        "power_idle_w": 10.0,
        "pue": 1.0,
        "initial_samples": 2,
        "queue_capacity": 4,
        **sim,
    }
    return RunSpec(
        evaluator=TabularEvaluator(bench, TOY_OBJECTIVES),
        trace=trace,
        start_s=trace.start_s,
        policy=policy,
        sim=SimConfig(**params),  # type: ignore[arg-type]
        search=SearchSettings(mode=mode),
        ref_point=TOY_OBJECTIVES.to_min([0.0, 100.0]),
        lamoo=LaMOO(leaf_size=leaf_size),
        seed=seed,
    )


def toy_budget_spec(
    values: Sequence[float],
    policy: AllocationPolicy,
    search: SearchSettings,
    *,
    fraction: float,
    seed: int,
    accounting: Accounting = Accounting.FULL,
    idle_w: float = 0.0,
) -> tuple[RunSpec, float]:
    """A 3-GPU run on a :class:`ToyBenchmark` (3 positions x 4 choices) over the hourly trace
    ``values`` under a budget of ``fraction`` x the carbon of every GPU for the whole run, at the
    default powers; for the budget property tests. Returns the spec and the budget, gCO2eq."""
    trace = toy_trace(values)
    bench = ToyBenchmark(ToySpace(positions=3, choices=4), seed=seed)
    sim = SimConfig(
        gpus=3,
        horizon_h=float(len(values)),
        initial_samples=3,
        queue_capacity=4,
        power_idle_w=idle_w,
        accounting=accounting,
        supernet_train_s=1800.0,
    )
    budget = fraction * all_gpus_carbon_g(sim, trace, trace.start_s, trace.end_s)
    sim = SimConfig(**{**sim.__dict__, "carbon_budget_g": budget})
    spec = RunSpec(
        evaluator=TabularEvaluator(bench, TOY_OBJECTIVES),
        trace=trace,
        start_s=trace.start_s,
        policy=policy,
        sim=sim,
        search=search,
        ref_point=TOY_OBJECTIVES.to_min([0.0, 100.0]),
        lamoo=LaMOO(leaf_size=6),
        seed=seed,
    )
    return spec, budget
