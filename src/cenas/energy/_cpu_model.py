"""The CPU model: power = TDP share x measured utilisation, when no counter can be read.

The model is Green Algorithms' (Lannelongue, Grealey and Inouye, "Green Algorithms: Quantifying
the Carbon Footprint of Computation", Advanced Science 2021): a CPU draws its TDP per core times
the number of cores used times their utilisation. Here the unit is the hardware thread
(a VM's vCPU is one), so a 2-vCPU slice of a 128-thread package is given 2/128 of its TDP.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import psutil

from cenas.energy._meter import Component, ComponentKind, EnergyMeter
from cenas.errors import ConfigError, DataError, MeterUnavailableError

__all__ = [
    "ChildProcessesCpuUtilisation",
    "CpuModelMeter",
    "CpuRow",
    "CpuTable",
    "ProcessCpuUtilisation",
    "SystemCpuUtilisation",
    "TdpMatch",
    "TdpSource",
    "UtilisationSource",
    "normalise_cpu_model",
    "read_cpu_model_name",
]

_CPU_TABLE_RESOURCE = "cpu_tdp.json"


def normalise_cpu_model(model: str) -> str:
    """Lower-case a CPU model name and drop the decorations vendors add around the model.

    ``"Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"`` -> ``"intel xeon e5-2680 v4"``;
    ``"AMD EPYC 7763 64-Core Processor"`` -> ``"amd epyc 7763"``.
    """
    s = model.lower()
    for mark in ("(r)", "(tm)", "®", "™"):
        s = s.replace(mark, " ")
    s = re.sub(r"@.*$", " ", s)
    s = re.sub(r"\b(cpu|processor|\d+-cores?)\b", " ", s)
    return " ".join(s.split())


def read_cpu_model_name(cpuinfo: str | Path = "/proc/cpuinfo") -> str:
    """The CPU model name: ``model name`` in ``/proc/cpuinfo``, else ``platform.processor()``.

    Returns an empty string when neither names the CPU.
    """
    try:
        text = Path(cpuinfo).read_text(errors="replace")
    except OSError:
        text = ""  # not Linux, or /proc hidden: fall back to what Python knows
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and value.strip():
            return value.strip()
    return platform.processor().strip()


@dataclass(frozen=True)
class CpuRow:
    """One row of the CPU table.

    Attributes:
        model: vendor model name, e.g. ``AMD EPYC 7763``.
        vendor: ``intel`` or ``amd``.
        tdp_w: TDP of one package, W.
        cores: physical cores per package.
        threads: hardware threads per package.
    """

    model: str
    vendor: str
    tdp_w: float
    cores: int
    threads: int

    @property
    def tdp_w_per_thread(self) -> float:
        """TDP per hardware thread, W."""
        return self.tdp_w / self.threads


class TdpSource(StrEnum):
    """Where a CPU model meter's TDP came from."""

    USER = "user"
    """Given by the user (``tdp_w=`` / ``--tdp-w``)."""
    EXACT_MODEL = "exact-model"
    """The CPU's model name matched a table row."""
    FAMILY = "family"
    """Only the family is named (a VM hiding the model): median of the family's rows."""


@dataclass(frozen=True)
class TdpMatch:
    """The result of looking a CPU up in the table.

    Attributes:
        source: how the TDP was found.
        matched: the table model or family name that matched.
        tdp_w_per_thread: TDP per hardware thread, W.
        n_rows: table rows the value rests on (1 for an exact model).
        description: one human line on where the number comes from.
    """

    source: TdpSource
    matched: str
    tdp_w_per_thread: float
    n_rows: int
    description: str


def _field(row: dict[str, Any], key: str, kind: tuple[type, ...], where: str) -> Any:
    value = row.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        names = " or ".join(k.__name__ for k in kind)
        raise DataError(f"{where}: field {key!r} must be {names}, but got {value!r}")
    return value


class CpuTable:
    """CPU model name -> TDP table (JSON), shipped as package data with its sources.

    Args:
        rows: the CPU rows.
        families: family prefixes (e.g. ``AMD EPYC``) usable when only the family is named.
        sources: where the numbers come from, by vendor.
    """

    def __init__(
        self, rows: list[CpuRow], families: list[str], sources: dict[str, str] | None = None
    ) -> None:
        self.rows = list(rows)
        self.families = list(families)
        self.sources = dict(sources or {})
        self._keys = sorted(
            ((normalise_cpu_model(r.model), r) for r in self.rows),
            key=lambda kr: -len(kr[0]),
        )

    @classmethod
    def load(cls, path: str | Path | None = None) -> CpuTable:
        """Load a table from ``path``, or the one shipped with cenas when None.

        Raises:
            DataError: the file is not the expected JSON (the message names file and field).
        """
        if path is None:
            where = f"cenas/energy/{_CPU_TABLE_RESOURCE}"
            text = resources.files("cenas.energy").joinpath(_CPU_TABLE_RESOURCE).read_text()
        else:
            where = str(path)
            text = Path(path).read_text()
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            raise DataError(f"{where}: not valid JSON: {e}") from e
        if not isinstance(doc, dict) or not isinstance(doc.get("cpus"), list):
            raise DataError(f"{where}: must be an object with a list 'cpus'")
        rows: list[CpuRow] = []
        for i, r in enumerate(doc["cpus"]):
            w = f"{where}: cpus[{i}]"
            if not isinstance(r, dict):
                raise DataError(f"{w} must be an object, but got {r!r}")
            row = CpuRow(
                model=_field(r, "model", (str,), w),
                vendor=str(r.get("vendor", "")),
                tdp_w=float(_field(r, "tdp_w", (int, float), w)),
                cores=_field(r, "cores", (int,), w),
                threads=_field(r, "threads", (int,), w),
            )
            if row.tdp_w <= 0 or row.cores <= 0 or row.threads < row.cores:
                raise DataError(
                    f"{w} ({row.model}): need tdp_w > 0 and threads >= cores > 0, but got "
                    f"tdp_w={row.tdp_w}, cores={row.cores}, threads={row.threads}"
                )
            rows.append(row)
        families = doc.get("families", [])
        if not isinstance(families, list) or not all(isinstance(f, str) for f in families):
            raise DataError(f"{where}: 'families' must be a list of strings")
        sources = doc.get("sources", {})
        return cls(rows, families, sources if isinstance(sources, dict) else {})

    def lookup(self, model_name: str) -> TdpMatch | None:
        """Find the TDP per hardware thread for a CPU model name as the OS reports it.

        The longest table model contained in the (normalised) name wins; failing that, a family
        named in it (e.g. ``AMD EPYC`` in a VM that hides the model) gives the median TDP per
        thread of that family's rows. None when neither matches.
        """
        name = normalise_cpu_model(model_name)
        if not name:
            return None
        for key, row in self._keys:
            if re.search(rf"(?<![\w+-]){re.escape(key)}(?![\w+-])", name):
                return TdpMatch(
                    TdpSource.EXACT_MODEL,
                    row.model,
                    row.tdp_w_per_thread,
                    1,
                    f"{row.model}: TDP {row.tdp_w:g} W / {row.threads} threads "
                    f"({self.sources.get(row.vendor, 'cenas CPU table')})",
                )
        for family in sorted(self.families, key=len, reverse=True):
            fam = normalise_cpu_model(family)
            if not re.search(rf"(?<![\w-]){re.escape(fam)}(?![\w-])", name):
                continue
            members = [r for r in self.rows if normalise_cpu_model(r.model).startswith(fam + " ")]
            if not members:
                continue
            per_thread = statistics.median(r.tdp_w_per_thread for r in members)
            return TdpMatch(
                TdpSource.FAMILY,
                family,
                per_thread,
                len(members),
                f"model hidden ({model_name!r}): median TDP per thread of the {len(members)} "
                f"{family} models in the cenas CPU table",
            )
        return None


class UtilisationSource(ABC):
    """Measured CPU utilisation, as a fraction of the CPUs it covers, over successive intervals."""

    @property
    @abstractmethod
    def n_cpus(self) -> int:
        """Logical CPUs (hardware threads) the utilisation is a fraction of."""

    @abstractmethod
    def start(self, t_s: float) -> None:
        """Begin the first interval at time ``t_s``."""

    @abstractmethod
    def utilisation(self, t_s: float) -> float:
        """Mean utilisation in [0, 1] since the previous call (or :meth:`start`)."""

    @property
    def label(self) -> str:
        """Short description for reports."""
        return type(self).__name__


class SystemCpuUtilisation(UtilisationSource):
    """Utilisation of all the machine's logical CPUs (every process), from ``/proc/stat``.

    This matches what a hardware counter such as RAPL sees: the whole package, whoever uses it.
    Steal time (another VM running on our vCPU) is not counted as ours.
    """

    def __init__(self) -> None:
        self._last = self._times()

    @property
    def n_cpus(self) -> int:
        return psutil.cpu_count(logical=True) or 1

    @property
    def label(self) -> str:
        return f"system-wide utilisation of {self.n_cpus} logical CPU(s)"

    @staticmethod
    def _times() -> tuple[float, float]:
        t = psutil.cpu_times()
        total = sum(t) - getattr(t, "guest", 0.0) - getattr(t, "guest_nice", 0.0)
        idle = t.idle + getattr(t, "iowait", 0.0) + getattr(t, "steal", 0.0)
        return total, total - idle

    def start(self, t_s: float) -> None:
        self._last = self._times()

    def utilisation(self, t_s: float) -> float:
        total, busy = self._times()
        d_total, d_busy = total - self._last[0], busy - self._last[1]
        self._last = (total, busy)
        if d_total <= 0:
            return 0.0
        return min(1.0, max(0.0, d_busy / d_total))


class _CpuTimeUtilisation(UtilisationSource):
    """Utilisation from a cumulative CPU-time counter: ``d(cpu time) / (d(t) x n_cpus)``.

    A high-water mark keeps the counter monotonic where it can dip for an instant (a child's
    time moving to its parent when reaped); for a plain process counter it changes nothing.
    """

    def __init__(self) -> None:
        self._high_s = self._cpu_s()
        self._last_cpu_s = self._high_s
        self._last_t_s = 0.0

    @abstractmethod
    def _cpu_s(self) -> float:
        """Cumulative CPU seconds of what this source covers."""

    @property
    def n_cpus(self) -> int:
        return psutil.cpu_count(logical=True) or 1

    def start(self, t_s: float) -> None:
        self._high_s = max(self._high_s, self._cpu_s())
        self._last_cpu_s, self._last_t_s = self._high_s, t_s

    def utilisation(self, t_s: float) -> float:
        self._high_s = max(self._high_s, self._cpu_s())
        d_cpu, d_t = self._high_s - self._last_cpu_s, t_s - self._last_t_s
        self._last_cpu_s, self._last_t_s = self._high_s, t_s
        if d_t <= 0:
            return 0.0
        return min(1.0, max(0.0, d_cpu / (d_t * self.n_cpus)))


class ProcessCpuUtilisation(_CpuTimeUtilisation):
    """Utilisation by one process (and its waited-for children), from its CPU times.

    Args:
        pid: the process; the current one when None.
        include_children: count the CPU time of children the process has waited for.
    """

    def __init__(self, pid: int | None = None, *, include_children: bool = True) -> None:
        self._proc = psutil.Process(pid)
        self._children = include_children
        super().__init__()

    @property
    def label(self) -> str:
        return f"utilisation of process {self._proc.pid} over {self.n_cpus} logical CPU(s)"

    def _cpu_s(self) -> float:
        t = self._proc.cpu_times()
        cpu = t.user + t.system
        if self._children:
            cpu += t.children_user + t.children_system
        return float(cpu)


class ChildProcessesCpuUtilisation(_CpuTimeUtilisation):
    """Utilisation by this process's child processes and their descendants (a tracked command).

    CPU time = the children this process has waited for (``os.times()``) plus every live
    descendant's own time and that of the children it has waited for. A descendant's time moves
    from the second term to the first when it is reaped, so the sum stays continuous; a
    high-water mark hides the instant between a child's exit and its reaping.
    """

    def __init__(self) -> None:
        self._proc = psutil.Process()
        super().__init__()

    @property
    def label(self) -> str:
        return f"utilisation by the tracked command's processes over {self.n_cpus} logical CPU(s)"

    def _cpu_s(self) -> float:
        t = os.times()
        total = t.children_user + t.children_system
        for child in self._proc.children(recursive=True):
            try:
                c = child.cpu_times()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue  # exited (and reaped) since listed: its time is in its parent's now
            total += c.user + c.system + c.children_user + c.children_system
        return float(total)


class CpuModelMeter(EnergyMeter):
    """CPU energy estimated as ``TDP per thread x threads measured x utilisation x time``.

    Used when no counter can be read. The TDP is ``tdp_w`` when given (the power of the measured
    CPUs at full load), else looked up by the CPU's model name in ``cpu_table``; an unknown
    model without ``tdp_w`` is an error, never a made-up constant. Each :meth:`energy_j` call
    adds ``power x (t - t_prev)`` with the utilisation measured over that interval, so the
    estimate is only as fine as the caller's sampling.

    Components: ``cpu`` (:attr:`ComponentKind.CPU`).

    Args:
        tdp_w: TDP of the CPUs the utilisation covers, W; overrides the table.
        cpu_table: the model -> TDP table; the one shipped with cenas when None.
        cpu_model: the CPU model name; read from ``/proc/cpuinfo`` when None.
        utilisation: where utilisation comes from; system-wide when None.

    Raises:
        MeterUnavailableError: the model is not in the table and no ``tdp_w`` was given.
        ConfigError: ``tdp_w`` is not positive.
    """

    def __init__(
        self,
        tdp_w: float | None = None,
        *,
        cpu_table: CpuTable | None = None,
        cpu_model: str | None = None,
        utilisation: UtilisationSource | None = None,
    ) -> None:
        self._util = utilisation if utilisation is not None else SystemCpuUtilisation()
        self.cpu_model = cpu_model if cpu_model is not None else read_cpu_model_name()
        if tdp_w is not None:
            if not tdp_w > 0:
                raise ConfigError(f"tdp_w must be positive watts, but got {tdp_w}")
            self.max_power_w = float(tdp_w)
            self.tdp = TdpMatch(
                TdpSource.USER,
                self.cpu_model or "unknown CPU",
                self.max_power_w / self._util.n_cpus,
                0,
                f"user-given TDP {tdp_w:g} W for {self._util.n_cpus} logical CPU(s)",
            )
        else:
            table = cpu_table if cpu_table is not None else CpuTable.load()
            match = table.lookup(self.cpu_model)
            if match is None:
                raise MeterUnavailableError(
                    f"CPU model {self.cpu_model!r} is not in the CPU table and no TDP was "
                    f"given; pass tdp_w= (CLI: --tdp-w WATTS) with the TDP of the CPUs this "
                    f"machine lets you use"
                )
            self.tdp = match
            self.max_power_w = match.tdp_w_per_thread * self._util.n_cpus
        self._t_last_s = 0.0
        self._total_j = 0.0

    @property
    def name(self) -> str:
        return "cpu-model"

    @property
    def components(self) -> tuple[Component, ...]:
        return (Component("cpu", ComponentKind.CPU),)

    @property
    def details(self) -> str:
        return (
            f"CPU model: {self.max_power_w:.3g} W at full load ({self.tdp.description}; "
            f"{self.tdp.tdp_w_per_thread:.3g} W/thread x {self._util.n_cpus} thread(s)) "
            f"x {self._util.label}"
        )

    def start(self, t_s: float) -> None:
        self._util.start(t_s)
        self._t_last_s = t_s
        self._total_j = 0.0

    def energy_j(self, t_s: float) -> dict[str, float]:
        dt_s = t_s - self._t_last_s
        u = self._util.utilisation(t_s)
        if dt_s > 0:
            self._total_j += self.max_power_w * u * dt_s
            self._t_last_s = t_s
        return {"cpu": self._total_j}
