"""Pieces of a live run that are not the loop: the progress state, the workload and executor a
configuration names, and the package versions a run records."""

from __future__ import annotations

import importlib.metadata
import platform
from dataclasses import dataclass
from pathlib import Path

from cenas.runner._config import SearchFileConfig
from cenas.runner._executors import Executor, LocalExecutor, RayExecutor
from cenas.runner._workload import Workload

__all__ = ["RunState", "build_executor", "build_workload", "package_versions"]

_PACKAGES = ("cenas", "numpy", "torch", "scikit-learn", "ray")


@dataclass(frozen=True)
class RunState:
    """What the progress display shows after each wave."""

    interval: int
    intervals: int
    hours: float
    intensity_g_per_kwh: float
    source: str
    sampling: int
    evaluation: int
    queue_length: int
    hv: float
    carbon_g: float
    carbon_budget_g: float | None
    n_trained: int
    n_failed: int


def build_workload(cfg: SearchFileConfig) -> Workload:
    """The workload a configuration names: NAS-Bench-201 networks trained by :mod:`cenas.live`.

    Raises:
        ConfigError, DataFileMissingError, ChecksumError, DataError: the data set cannot be
            loaded or a setting is out of range.
    """
    from cenas.runner._live import LiveWorkload

    workload = LiveWorkload(cfg.workload)
    if cfg.executor.kind == "local":
        # local workers see this machine's devices: a missing GPU fails here, before the run
        # exists; Ray workers may sit on other machines, where the task itself checks
        from cenas.live import resolve_device

        resolve_device(cfg.workload.device)
    return workload


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for p in _PACKAGES:
        try:
            out[p] = importlib.metadata.version(p)
        except importlib.metadata.PackageNotFoundError:
            out[p] = "not installed"
    return out


def build_executor(cfg: SearchFileConfig, workload: Workload, run_dir: Path) -> Executor:
    """The executor a configuration names (supernet weights go to ``run_dir/supernets``)."""
    c, e = cfg.run, cfg.executor
    workdir = str(run_dir / "supernets")
    if e.kind == "ray":
        return RayExecutor(
            workload,
            c.workers,
            workdir,
            retries=c.retries,
            address=e.ray_address,
            num_cpus=e.num_cpus,
            num_gpus=e.num_gpus,
            tdp_w=c.tdp_w,
        )
    return LocalExecutor(workload, c.workers, workdir, retries=c.retries, tdp_w=c.tdp_w)
