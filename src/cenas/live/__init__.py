"""Live search, part 1: real NAS-Bench-201 networks and supernets, data, measured training.

This is the PyTorch half of the live path. Like the search core, nothing here reads a carbon
signal or decides what to run: it trains and measures what it is given, inside an energy-tracker
window that the caller can inject (:data:`TrackerFactory`), and returns typed results with the
energy and time each task cost so that a runner can charge carbon for it.

Public API (stable; the runner builds on it):

- Networks: :class:`NB201Network` (any architecture of the space; ``none`` edges are not built),
  :class:`NetworkConfig` (C, N; :meth:`~NetworkConfig.cifar` = 16, 5; :meth:`~NetworkConfig.small`
  = 8, 1 for CPU and 8x8 / 28x28 inputs), :func:`parse_ops`, :func:`count_parameters`.
- Data: :func:`load_dataset` (``digits``, ``fashion-mnist``, ``cifar10``, ``synthetic``) ->
  :class:`DataSplits` (train / val / test :class:`ImageSet` fixed by a seed),
  :func:`synthetic_dataset`, :func:`read_fashion_mnist_dir`, :func:`read_cifar10_dir`,
  :func:`read_idx`.
- Training: :func:`train_network` (:class:`TrainConfig`) -> :class:`TrainResult` (accuracy %,
  params, latency_ms, seconds, energy_kwh by component and meter, the full
  :class:`~cenas.energy.TrackingResult`); :func:`resolve_device` (``auto``: CUDA when present),
  :func:`default_tracker`, :func:`measure_latency_ms`.
- Regions and supernets: :class:`Region` (a LaMOO leaf: :meth:`Region.where` a vectorised
  membership predicate, or explicit indices; :meth:`Region.whole`), :class:`Supernet`,
  :class:`RegionSupernet` (``train`` by single-path sampling inside the region, uniform by
  default or with strict fairness, ``sampling="fair"``, see :data:`SAMPLINGS`; ``finetune`` a
  child region from these weights, ``estimate`` one-shot accuracy), results
  :class:`SupernetResult` (cost, sampled paths) and :class:`EstimateResult`; Few-Shot NAS via
  :func:`few_shot_split` -> :class:`FewShotSupernets`.
- Search-core plug: :class:`LiveEvaluator` implements :class:`cenas.search.Evaluator`
  (``evaluate`` = standalone training, ``estimate`` = the active region's supernet) and adds the
  per-task calls a runner charges carbon for: ``train_one`` (EvaluationTask) ->
  :class:`TrainResult`, ``train_supernet(region_id, region, parent_id=)`` (SupernetTask) ->
  :class:`SupernetResult`, ``estimate_in(idx, region_id)`` (EstimationTask) ->
  :class:`EstimateResult`. Objectives: :data:`LIVE_METRICS` (``accuracy`` %, ``latency_ms``,
  ``params``).
"""

from cenas.live._datasets import (
    DEBIAN_FASHION_MNIST_DIR,
    DatasetName,
    DataSplits,
    ImageSet,
    load_dataset,
    make_splits,
    synthetic_dataset,
)
from cenas.live._evaluator import LIVE_METRICS, LiveEvaluator
from cenas.live._fair import SAMPLINGS
from cenas.live._formats import (
    CIFAR10_FILES,
    CIFAR10_PUBLISHED_MD5,
    FASHION_MNIST_FILES,
    FASHION_MNIST_SHA256,
    read_cifar10_dir,
    read_fashion_mnist_dir,
    read_idx,
)
from cenas.live._measure import (
    TrackerFactory,
    default_tracker,
    measure_latency_ms,
    resolve_device,
)
from cenas.live._network import NB201Network, NetworkConfig, count_parameters, parse_ops
from cenas.live._ops import OPERATION_NAMES
from cenas.live._region import Region
from cenas.live._supernet import (
    EstimateResult,
    FewShotSupernets,
    RegionSupernet,
    Supernet,
    SupernetResult,
    few_shot_split,
)
from cenas.live._train import TrainConfig, TrainResult, arch_ops, train_network

__all__ = [
    "CIFAR10_FILES",
    "CIFAR10_PUBLISHED_MD5",
    "DEBIAN_FASHION_MNIST_DIR",
    "FASHION_MNIST_FILES",
    "FASHION_MNIST_SHA256",
    "LIVE_METRICS",
    "OPERATION_NAMES",
    "SAMPLINGS",
    "DataSplits",
    "DatasetName",
    "EstimateResult",
    "FewShotSupernets",
    "ImageSet",
    "LiveEvaluator",
    "NB201Network",
    "NetworkConfig",
    "Region",
    "RegionSupernet",
    "Supernet",
    "SupernetResult",
    "TrackerFactory",
    "TrainConfig",
    "TrainResult",
    "arch_ops",
    "count_parameters",
    "default_tracker",
    "few_shot_split",
    "load_dataset",
    "make_splits",
    "measure_latency_ms",
    "parse_ops",
    "read_cifar10_dir",
    "read_fashion_mnist_dir",
    "read_idx",
    "resolve_device",
    "synthetic_dataset",
    "train_network",
]
