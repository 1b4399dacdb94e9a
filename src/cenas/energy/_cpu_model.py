"""The CPU model: power = TDP share x measured utilisation, when no counter can be read.

The model is Green Algorithms' (Lannelongue, Grealey and Inouye, "Green Algorithms: Quantifying
the Carbon Footprint of Computation", Advanced Science 2021): a CPU draws its TDP per core times
the number of cores used times their utilisation. Here the unit is the hardware thread
(a VM's vCPU is one), so a 2-vCPU slice of a 128-thread package is given 2/128 of its TDP.

The TDP table is in ``_cpu_tdp``, the utilisation sources in ``_utilisation``.
"""

from __future__ import annotations

from cenas.energy._cpu_tdp import CpuTable, TdpMatch, TdpSource, read_cpu_model_name
from cenas.energy._meter import Component, ComponentKind, EnergyMeter
from cenas.energy._utilisation import SystemCpuUtilisation, UtilisationSource
from cenas.errors import ConfigError, MeterUnavailableError

__all__ = ["CpuModelMeter"]


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
