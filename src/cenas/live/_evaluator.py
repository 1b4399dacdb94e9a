"""The live evaluator: standalone training for true objectives, region supernets for estimates.

It implements :class:`cenas.search.Evaluator` by architecture index, like the tabular evaluator,
so the search loop cannot tell them apart. Around that interface it exposes per-task methods
that return what each task cost (:meth:`LiveEvaluator.train_one`,
:meth:`LiveEvaluator.train_supernet`, :meth:`LiveEvaluator.estimate_in`), for a runner that
charges carbon per task.

Objectives (natural units; minimisation form on the way out, via
:class:`~cenas.bench.Objectives`): ``accuracy`` (%, max) on the validation split,
``latency_ms`` (min; measured batch-1 inference latency, which needs no training, so its
estimate is the measured value) and ``params`` (min).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.bench import Direction, Objectives
from cenas.errors import ConfigError
from cenas.live._datasets import DataSplits
from cenas.live._measure import TrackerFactory, resolve_device
from cenas.live._network import NetworkConfig
from cenas.live._region import Region
from cenas.live._supernet import EstimateResult, RegionSupernet, SupernetResult
from cenas.live._train import TrainConfig, TrainResult, train_network
from cenas.search import Evaluator
from cenas.space import NB201Space

__all__ = ["LIVE_METRICS", "LiveEvaluator"]

LIVE_METRICS: Mapping[str, Direction] = {
    "accuracy": Direction.MAX,
    "latency_ms": Direction.MIN,
    "params": Direction.MIN,
}
"""The objectives a live evaluator can report, with their natural directions."""


def _task_seed(seed: int, kind: int, number: int) -> int:
    # Each architecture's (kind 0) or region's (kind 1) own seed, independent of the order in
    # which they are asked for.
    return int(np.random.SeedSequence([seed, kind, number]).generate_state(1)[0] % (2**31 - 1))


class LiveEvaluator(Evaluator):
    """Trains networks and supernets for real, and measures them.

    Args:
        data: the splits.
        objectives: e.g. ``"accuracy:max,latency_ms:min"`` (metrics from :data:`LIVE_METRICS`).
        space: the index order of architectures (e.g. NAS-Bench-201's official one); the
            canonical order when None.
        network: C and N of networks and supernets; :meth:`NetworkConfig.small` when None.
        train: the standalone training recipe.
        supernet_train: the recipe of a region's supernet trained from scratch.
        finetune: the recipe of a child region's supernet fine-tuned from its parent.
        device: see :func:`~cenas.live.resolve_device`.
        seed: master seed (each architecture's training seed derives from it and its index).
        tracker_factory: the energy tracker of each task; the default when None.

    Raises:
        ConfigError: an unknown metric or a direction that contradicts it.
    """

    def __init__(
        self,
        data: DataSplits,
        *,
        objectives: Objectives | str = "accuracy:max,latency_ms:min",
        space: NB201Space | None = None,
        network: NetworkConfig | None = None,
        train: TrainConfig | None = None,
        supernet_train: TrainConfig | None = None,
        finetune: TrainConfig | None = None,
        device: str = "auto",
        seed: int = 0,
        tracker_factory: TrackerFactory | None = None,
    ) -> None:
        objs = Objectives.parse(objectives) if isinstance(objectives, str) else objectives
        for o in objs.items:
            if o.metric not in LIVE_METRICS:
                raise ConfigError(
                    f"unknown live objective {o.metric!r}; expected one of "
                    f"{', '.join(LIVE_METRICS)}"
                )
            if o.direction is not LIVE_METRICS[o.metric]:
                raise ConfigError(
                    f"objective {o.metric} must be {LIVE_METRICS[o.metric].value}imised, "
                    f"not {o.direction.value}imised"
                )
        self.objectives = objs
        self.data = data
        self.space = space or NB201Space()
        self.network = network or NetworkConfig.small()
        self.train_config = train or TrainConfig()
        self.supernet_config = supernet_train or TrainConfig()
        self.finetune_config = finetune or TrainConfig(
            epochs=max(1, self.supernet_config.epochs // 4)
        )
        self.device = resolve_device(device)
        self.seed = seed
        self.tracker_factory = tracker_factory
        self.trained: dict[int, TrainResult] = {}
        """Standalone results so far, by architecture index (each trained once)."""
        self.supernets: dict[int, RegionSupernet] = {}
        """Region supernets by region id."""
        self.active_region: int | None = None
        """The region whose supernet :meth:`estimate` uses (the last one trained)."""

    # -- standalone training ------------------------------------------------------------------
    def train_one(self, index: int) -> TrainResult:
        """Train architecture ``index`` (once; later calls return the same result)."""
        i = self.space.index_of(int(index))
        if i not in self.trained:
            ops = [int(k) for k in self.space.op_vectors([i])[0]]
            self.trained[i] = train_network(
                ops,
                self.data,
                network=self.network,
                config=self.train_config,
                device=self.device,
                seed=_task_seed(self.seed, 0, i),
                tracker_factory=self.tracker_factory,
            )
        return self.trained[i]

    def _natural(self, r: TrainResult) -> list[float]:
        values = {"accuracy": r.accuracy, "latency_ms": r.latency_ms, "params": float(r.params)}
        return [values[m] for m in self.objectives.metrics]

    def evaluate(self, idx: ArrayLike) -> NDArray[np.float64]:
        """True objectives after standalone training, minimisation form, shape ``(n, m)``."""
        arr = self.space.check_indices(np.asarray(idx).reshape(-1))
        rows = [self._natural(self.train_one(int(i))) for i in arr]
        return self.objectives.to_min(
            np.array(rows, dtype=np.float64).reshape(-1, len(self.objectives))
        )

    # -- region supernets ---------------------------------------------------------------------
    def train_supernet(
        self, region_id: int, region: Region | None = None, *, parent_id: int | None = None
    ) -> SupernetResult:
        """Train the supernet of a region and make it the active one.

        Args:
            region_id: the region's number (0: the whole space).
            region: its architectures; the whole space when None.
            parent_id: a region whose supernet this one is fine-tuned from (with the
                ``finetune`` recipe); trained from scratch (``supernet_train``) when None.

        Raises:
            ConfigError: a negative ``region_id``, or ``parent_id`` has no supernet yet.
        """
        if region_id < 0:
            raise ConfigError(f"region_id must be >= 0, but got {region_id}")
        reg = region if region is not None else Region.whole(self.space)
        if not reg.name:
            reg = Region(self.space, reg.members, f"region-{region_id}")
        if parent_id is not None:
            if parent_id not in self.supernets:
                raise ConfigError(
                    f"region {region_id}: parent region {parent_id} has no supernet; trained: "
                    f"{sorted(self.supernets) or 'none'}"
                )
            sn, result = self.supernets[parent_id].finetune(
                reg, self.finetune_config, seed=_task_seed(self.seed, 1, region_id)
            )
        else:
            sn = RegionSupernet(
                reg,
                self.data,
                network=self.network,
                device=self.device,
                seed=_task_seed(self.seed, 1, region_id),
                tracker_factory=self.tracker_factory,
            )
            result = sn.train(self.supernet_config)
        self.supernets[region_id] = sn
        self.active_region = region_id
        return result

    def estimate_in(self, idx: ArrayLike, region_id: int) -> EstimateResult:
        """One-shot estimates by the supernet of ``region_id`` (latency measured when it is an
        objective), with their cost.

        Raises:
            ConfigError: the region has no supernet.
        """
        if region_id not in self.supernets:
            raise ConfigError(
                f"region {region_id} has no supernet; train_supernet({region_id}, ...) first"
            )
        need_latency = any(m in ("latency_ms", "params") for m in self.objectives.metrics)
        return self.supernets[region_id].estimate(
            idx, latency=self.train_config if need_latency else None
        )

    def estimate(self, idx: ArrayLike) -> NDArray[np.float64]:
        """One-shot estimates by the active region's supernet, minimisation form, ``(n, m)``.

        The whole-space supernet (region 0) is trained first if no supernet exists yet.
        """
        region = self.active_region
        if region is None:
            self.train_supernet(0)
            region = 0
        est = self.estimate_in(idx, region)
        cols = {"accuracy": est.accuracy, "latency_ms": est.latency_ms, "params": est.params}
        natural = np.column_stack(
            [np.asarray(cols[m], dtype=np.float64) for m in self.objectives.metrics]
        )
        return self.objectives.to_min(natural)
