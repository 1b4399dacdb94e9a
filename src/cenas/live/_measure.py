"""Devices and measurement around real work: which device, which energy tracker, and inference
latency.

The training code never discovers meters itself: it asks a :data:`TrackerFactory` for a
:class:`~cenas.energy.Tracker` (the runner injects one with its carbon signal; tests inject fake
meters). :func:`default_tracker` is the factory used otherwise: RAPL or the CPU model for the
CPU, NVML for a CUDA device, and the world-average intensity (a labelled fallback).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch
from torch import nn

from cenas.energy import (
    ProcessCpuUtilisation,
    Tracker,
    WorldAverageSignal,
    discover_meters,
)
from cenas.errors import ConfigError

__all__ = ["TrackerFactory", "default_tracker", "measure_latency_ms", "resolve_device"]

TrackerFactory = Callable[[torch.device], Tracker]
"""Builds the energy tracker for work on a device (called once per tracked task)."""


def resolve_device(spec: str | torch.device = "auto") -> torch.device:
    """The torch device for ``spec``: ``auto`` (CUDA when present, else CPU), ``cpu``, ``cuda``,
    ``cuda:N``.

    Raises:
        ConfigError: an unknown device, or a CUDA device where none exists.
    """
    if isinstance(spec, torch.device):
        spec = str(spec)
    if spec == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(spec)
    except RuntimeError:
        raise ConfigError(f"unknown device {spec!r}; expected auto, cpu, cuda or cuda:N") from None
    if dev.type == "cpu":
        return dev
    if dev.type != "cuda":
        raise ConfigError(f"unsupported device {spec!r}; expected auto, cpu, cuda or cuda:N")
    if not torch.cuda.is_available():
        raise ConfigError(
            f"device {spec!r} requested, but CUDA is not available here (torch "
            f"{torch.__version__}, built with CUDA {torch.version.cuda}); use --device cpu or auto"
        )
    if dev.index is not None and dev.index >= torch.cuda.device_count():
        raise ConfigError(
            f"device {spec!r} requested, but only {torch.cuda.device_count()} CUDA device(s) exist"
        )
    return dev


def default_tracker(device: torch.device) -> Tracker:
    """A tracker with the meters this machine offers for ``device``.

    CPU energy: RAPL when readable, else the CPU model over this process's utilisation (other
    users' load is not charged to the task). GPU energy: NVML when the device is CUDA. Carbon:
    the world-average intensity, recorded as a fallback; runners inject their own signal.

    Raises:
        MeterUnavailableError: the CPU can be neither measured nor estimated.
    """
    discovery = discover_meters(use_nvml=device.type == "cuda", utilisation=ProcessCpuUtilisation())
    return Tracker(discovery.meters, WorldAverageSignal(), notes=[discovery.summary()])


def measure_latency_ms(
    model: nn.Module,
    example: torch.Tensor,
    *,
    repeats: int = 30,
    warmup: int = 5,
) -> float:
    """Median wall time of a batch-1 forward pass, ms, warm-up passes excluded.

    Args:
        model: the network (put in eval mode; its mode is restored afterwards).
        example: one input, shape ``(1, c, h, w)``, on the model's device.
        repeats: timed passes, >= 1.
        warmup: untimed passes first (allocator, caches, cuDNN autotuning).
    """
    if repeats < 1 or warmup < 0:
        raise ConfigError(f"need repeats >= 1 and warmup >= 0, but got {repeats}, {warmup}")
    cuda = example.device.type == "cuda"
    was_training = model.training
    model.eval()
    times: list[float] = []
    with torch.no_grad():
        for i in range(warmup + repeats):
            if cuda:
                torch.cuda.synchronize(example.device)
            t0 = time.perf_counter()
            model(example)
            if cuda:
                torch.cuda.synchronize(example.device)
            if i >= warmup:
                times.append(time.perf_counter() - t0)
    model.train(was_training)
    return 1000.0 * statistics.median(times)
