"""CPU utilisation sources for the CPU model: the whole system's, one process tree's, or the
children this process has started (what ``cenas track`` runs)."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod

import psutil

__all__ = [
    "ChildProcessesCpuUtilisation",
    "ProcessCpuUtilisation",
    "SystemCpuUtilisation",
    "UtilisationSource",
]


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
