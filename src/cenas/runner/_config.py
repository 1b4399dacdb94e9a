"""The configuration of a live search (a TOML file), checked field by field.

Every table maps to a frozen dataclass; an unknown key, a wrong type or a bad value is a
:class:`~cenas.errors.ConfigError` naming the file, the key and what was expected. The resolved
configuration is stored with the run, so ``cenas resume`` needs only the run directory.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cenas.errors import ConfigError
from cenas.search import SearchMode

__all__ = [
    "CarbonConfig",
    "ExecutorConfig",
    "RunConfig",
    "SearchConfig",
    "SearchFileConfig",
    "WorkloadConfig",
    "load_search_config",
    "parse_search_config",
]


@dataclass(frozen=True)
class RunConfig:
    """The run: seed, workers, clock, budget, retries (table ``[run]``).

    Attributes:
        seed: master seed (search core, policy, task seeds).
        workers: worker slots (processes on CPU, GPUs with Ray).
        hours: trace hours to search for; the run has ``hours / interval_h`` intervals.
        interval_h: allocation interval, trace hours.
        seconds_per_hour: wall seconds per trace hour (3600 = real time; less = accelerated
            replay). Each interval lasts at least this long (longer when its work does).
        waves_per_interval: rounds of work per interval; every round gives each worker at most
            one task and ends when all finish (a barrier that keeps decisions deterministic).
        carbon_budget_g: stop starting work that could exceed this, gCO2eq; None for none.
        retries: extra attempts for a task that raises or whose worker dies.
        pue: power usage effectiveness applied to measured energy.
        tdp_w: CPU TDP for the CPU energy model when the CPU is not in cenas's table.
        task_energy_bound_kwh: the most energy a task of a kind not yet seen is assumed to
            need, for the budget check (afterwards: twice the largest measured).
        accounting: ``full`` (default): every worker slot is charged, tasks at their measured
            energy and idle slots at ``idle_power_w``, all x PUE x intensity; ``reference``:
            evaluation (training) tasks only, measured energy x intensity (CE-NAS's code).
        idle_power_w: power of one idle worker slot, W (``full`` accounting).
    """

    seed: int = 0
    workers: int = 2
    hours: float = 24.0
    interval_h: float = 1.0
    seconds_per_hour: float = 10.0
    waves_per_interval: int = 1
    carbon_budget_g: float | None = None
    retries: int = 1
    pue: float = 1.0
    tdp_w: float | None = None
    task_energy_bound_kwh: float = 0.001
    accounting: str = "full"
    idle_power_w: float = 10.0


@dataclass(frozen=True)
class SearchConfig:
    """The search core and the allocation policy (table ``[search]``)."""

    mode: str = "cenas"
    policy: str = "heuristic"
    initial_samples: int = 6
    queue_capacity: int = 8
    estimate_batch: int = 8
    leaf_size: int = 8
    idle_evaluation_workers_sample: bool = True


@dataclass(frozen=True)
class CarbonConfig:
    """Where carbon intensity comes from (table ``[carbon]``).

    Attributes:
        trace: intensity file replayed (a path, or relative to the data directory).
        start: trace time (ISO, UTC) where the replay starts.
        api: ``none``, ``electricitymaps`` or ``uk``: ask a live API, falling back to the trace
            (recorded) when it fails. The Electricity Maps token comes from the environment.
        zone: Electricity Maps zone.
    """

    trace: str = "carbon/electricitymaps/US-CAL-CISO_2021_hourly.csv"
    start: str = "2021-06-01T00:00:00Z"
    api: str = "none"
    zone: str = "US-CAL-CISO"


@dataclass(frozen=True)
class WorkloadConfig:
    """What is trained (table ``[workload]``): NAS-Bench-201 networks by :mod:`cenas.live`.

    Attributes:
        dataset: ``digits`` (bundled), ``fashion-mnist``, ``cifar10`` or ``synthetic`` (tests).
        data_dir: the data set's directory (Fashion-MNIST: default Debian's; CIFAR-10: needed).
        train_size, val_size: keep only this many training / validation images (unset: all).
        channels, cells_per_stage: C and N of the networks and supernets.
        epochs: standalone training budget of an evaluation.
        supernet_epochs: epochs of each region's supernet training (fine-tuning for a child).
        batch_size, lr: SGD mini-batch and initial learning rate (cosine-annealed).
        latency_repeats: timed batch-1 passes of the recorded latency (not an objective).
        device: ``cpu``, ``cuda``, ``cuda:N`` or ``auto``.
    """

    dataset: str = "digits"
    data_dir: str = ""
    train_size: int | None = None
    val_size: int | None = None
    channels: int = 8
    cells_per_stage: int = 1
    epochs: int = 3
    supernet_epochs: int = 2
    batch_size: int = 64
    lr: float = 0.05
    latency_repeats: int = 5
    device: str = "cpu"


@dataclass(frozen=True)
class ExecutorConfig:
    """Where tasks run (table ``[executor]``).

    Attributes:
        kind: ``local`` (worker processes on this machine) or ``ray``.
        ray_address: a Ray cluster to join; empty starts a local Ray instance.
        num_cpus, num_gpus: Ray resources of one task.
    """

    kind: str = "local"
    ray_address: str = ""
    num_cpus: float = 1.0
    num_gpus: float = 0.0


@dataclass(frozen=True)
class SearchFileConfig:
    """A whole search configuration."""

    run: RunConfig = field(default_factory=RunConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    carbon: CarbonConfig = field(default_factory=CarbonConfig)
    workload: WorkloadConfig = field(default_factory=WorkloadConfig)
    executor: ExecutorConfig = field(default_factory=ExecutorConfig)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what the run store keeps)."""
        return dataclasses.asdict(self)


_CHOICES = {
    ("search", "mode"): tuple(m.value for m in SearchMode),
    ("carbon", "api"): ("none", "electricitymaps", "uk"),
    ("executor", "kind"): ("local", "ray"),
    ("workload", "dataset"): ("digits", "fashion-mnist", "cifar10", "synthetic"),
    ("run", "accounting"): ("full", "reference"),
}


def _table(cls: type, section: str, data: Any, label: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{label}: [{section}] must be a table, got {data!r}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    for key in data:
        if key not in names:
            raise ConfigError(
                f"{label}: {section}.{key} is not a known key; known keys: {', '.join(names)}"
            )
    kwargs: dict[str, Any] = {}
    for key, v in data.items():
        where = f"{label}: {section}.{key}"
        hint = hints[key]
        optional = type(None) in typing.get_args(hint)
        base = next((a for a in typing.get_args(hint) if a is not type(None)), hint)
        if isinstance(v, bool) and base is not bool:
            raise ConfigError(f"{where} must be {base.__name__}, got {v!r}")
        if base is float and isinstance(v, int):
            v = float(v)
        if not isinstance(v, base) and not (optional and v is None):
            raise ConfigError(f"{where} must be {base.__name__}, got {v!r}")
        if isinstance(v, float) and not math.isfinite(v):
            raise ConfigError(f"{where} must be a finite number, got {v!r}")
        choices = _CHOICES.get((section, key))
        if choices is not None and v not in choices:
            raise ConfigError(f"{where} must be one of {', '.join(choices)}, got {v!r}")
        kwargs[key] = v
    return cls(**kwargs)


def parse_search_config(data: dict[str, Any], label: str = "<config>") -> SearchFileConfig:
    """Check a parsed TOML document and build the configuration.

    Raises:
        ConfigError: naming ``label``, the key and what was expected.
    """
    tables = {f.name: f for f in dataclasses.fields(SearchFileConfig)}
    for key in data:
        if key not in tables:
            raise ConfigError(
                f"{label}: [{key}] is not a known table; known tables: {', '.join(tables)}"
            )
    hints = typing.get_type_hints(SearchFileConfig)
    parts = {k: _table(hints[k], k, data.get(k, {}), label) for k in tables}
    cfg = SearchFileConfig(**parts)
    _check(cfg, label)
    return cfg


def _check(cfg: SearchFileConfig, label: str) -> None:
    r = cfg.run
    rules = [
        (r.workers >= 1, "run.workers must be >= 1", r.workers),
        (r.hours > 0, "run.hours must be > 0", r.hours),
        (r.interval_h > 0, "run.interval_h must be > 0", r.interval_h),
        (r.seconds_per_hour >= 0, "run.seconds_per_hour must be >= 0", r.seconds_per_hour),
        (r.waves_per_interval >= 1, "run.waves_per_interval must be >= 1", r.waves_per_interval),
        (r.retries >= 0, "run.retries must be >= 0", r.retries),
        (r.pue >= 1, "run.pue must be >= 1", r.pue),
        (
            r.carbon_budget_g is None or r.carbon_budget_g > 0,
            "run.carbon_budget_g must be > 0",
            r.carbon_budget_g,
        ),
        (r.tdp_w is None or r.tdp_w > 0, "run.tdp_w must be > 0", r.tdp_w),
        (
            r.task_energy_bound_kwh > 0,
            "run.task_energy_bound_kwh must be > 0",
            r.task_energy_bound_kwh,
        ),
        (r.idle_power_w >= 0, "run.idle_power_w must be >= 0", r.idle_power_w),
        (cfg.workload.epochs >= 1, "workload.epochs must be >= 1", cfg.workload.epochs),
        (
            cfg.workload.supernet_epochs >= 1,
            "workload.supernet_epochs must be >= 1",
            cfg.workload.supernet_epochs,
        ),
        (cfg.workload.lr > 0, "workload.lr must be > 0", cfg.workload.lr),
        (cfg.executor.num_cpus > 0, "executor.num_cpus must be > 0", cfg.executor.num_cpus),
        (cfg.executor.num_gpus >= 0, "executor.num_gpus must be >= 0", cfg.executor.num_gpus),
        (cfg.search.leaf_size >= 2, "search.leaf_size must be >= 2", cfg.search.leaf_size),
    ]
    for ok, rule, value in rules:
        if not ok:
            raise ConfigError(f"{label}: {rule}, but got {value!r}")


def load_search_config(path: str | Path) -> SearchFileConfig:
    """Read and check a search configuration file.

    Raises:
        ConfigError: the file is missing, not TOML, or not a valid configuration.
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"search config {p} does not exist or is not a file")
    try:
        data = tomllib.loads(p.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{p} is not valid TOML: {e}") from e
    return parse_search_config(data, str(p))
