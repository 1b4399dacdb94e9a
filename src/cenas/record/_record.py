"""The run record: what a finished (or interrupted) run produced, the same for both worlds.

The live runner builds it from its event store, the simulator from its result; the report reads
only this. Objectives are kept in natural units with their directions, so a reader never needs the
benchmark or the search space that produced them.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from cenas._json import json_dumps
from cenas.errors import StoreError
from cenas.moo import hypervolume, non_dominated_mask

__all__ = ["RECORD_FILE", "EvaluationRow", "RunRecord", "SeriesRow"]

RECORD_FILE = "record.json"
"""File name of a record written next to a simulated run's other files."""


@dataclass(frozen=True)
class EvaluationRow:
    """One trained (or failed) architecture.

    Attributes:
        index: the architecture's index in the space.
        arch: its architecture string.
        objectives: true objectives in natural units (NaN when failed or unknown).
        estimate: its one-shot estimate in natural units, when it had one.
        energy_kwh: energy of its training, kWh (NaN when not known).
        carbon_g: carbon of its training, gCO2eq (NaN when not known).
        intensity_g_per_kwh: the intensity it was charged at.
        meter: what measured the energy.
        carbon_source: where the intensity came from.
        hours: when it finished, hours since the start of the run.
        status: ``ok`` or ``failed: <reason>``.
    """

    index: int
    arch: str
    objectives: tuple[float, ...]
    estimate: tuple[float, ...] | None = None
    energy_kwh: float = math.nan
    carbon_g: float = math.nan
    intensity_g_per_kwh: float = math.nan
    meter: str = ""
    carbon_source: str = ""
    hours: float = math.nan
    status: str = "ok"


@dataclass(frozen=True)
class SeriesRow:
    """The run's state at one moment (after an allocation decision or a batch of results).

    Attributes:
        hours: time since the start of the run (trace hours).
        hv: hypervolume of the trained architectures (objective space, minimisation form).
        carbon_g: carbon used so far, gCO2eq.
        intensity_g_per_kwh: the intensity in force.
        sampling, evaluation: the worker split in force.
        queue_length: |R|.
    """

    hours: float
    hv: float
    carbon_g: float
    intensity_g_per_kwh: float
    sampling: int
    evaluation: int
    queue_length: int


@dataclass
class RunRecord:
    """A run, as the report sees it.

    Attributes:
        kind: ``live`` or ``simulated``.
        title: one line naming the run.
        objectives: objective names (``metric``) and ``maximize`` flags, same order.
        ref_point: hypervolume reference point, natural units.
        hv_max: the maximum hypervolume when known (tabular benchmarks), else None.
        accounting: how carbon was counted (named, e.g. ``measured``, ``full``).
        carbon_budget_g: the budget, or None.
        evaluations: every trained architecture (failed ones included).
        estimates: ``(index, estimate in natural units)`` of every estimated architecture.
        series: the run over time.
        provenance: where every number came from (meter, carbon source, data checksums...).
        summary: headline numbers.
    """

    kind: str
    title: str
    objectives: list[str]
    maximize: list[bool]
    ref_point: list[float]
    hv_max: float | None = None
    accounting: str = ""
    carbon_budget_g: float | None = None
    evaluations: list[EvaluationRow] = field(default_factory=list)
    estimates: list[tuple[int, tuple[float, ...]]] = field(default_factory=list)
    series: list[SeriesRow] = field(default_factory=list)
    provenance: dict[str, str] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------- derived numbers
    def _to_min(self, y: NDArray[np.float64]) -> NDArray[np.float64]:
        sign = np.where(np.asarray(self.maximize, dtype=bool), -1.0, 1.0)
        return np.asarray(y * sign, dtype=np.float64)

    def trained(self) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Indices and natural objectives (shape ``(n, m)``) of the successful evaluations."""
        ok = [
            r
            for r in self.evaluations
            if r.status == "ok" and all(map(math.isfinite, r.objectives))
        ]
        idx = np.array([r.index for r in ok], dtype=np.int64)
        y = np.array([r.objectives for r in ok], dtype=np.float64).reshape(
            len(ok), len(self.objectives)
        )
        return idx, y

    def front_mask(self, y_natural: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Non-dominated rows of natural objectives (respecting the directions)."""
        if y_natural.shape[0] == 0:
            return np.zeros(0, dtype=bool)
        return non_dominated_mask(self._to_min(y_natural))

    def hypervolume(self, y_natural: NDArray[np.float64]) -> float:
        """Hypervolume of natural objectives at :attr:`ref_point`."""
        if y_natural.shape[0] == 0:
            return 0.0
        ref = self._to_min(np.asarray(self.ref_point, dtype=np.float64))
        return float(hypervolume(self._to_min(y_natural), ref))

    # ------------------------------------------------------------------------ files
    def to_json(self) -> str:
        """The record as one JSON document."""
        return json_dumps(asdict(self))

    def write(self, path: str | Path) -> Path:
        """Write :meth:`to_json` to ``path``."""
        p = Path(path)
        p.write_text(self.to_json() + "\n")
        return p

    @classmethod
    def read(cls, path: str | Path) -> RunRecord:
        """Read a record written by :meth:`write`.

        Raises:
            StoreError: the file is missing or is not a run record.
        """
        p = Path(path)
        try:
            doc = json.loads(p.read_text())
            evals = [
                EvaluationRow(
                    **{
                        **e,
                        "objectives": tuple(_num(v) for v in e["objectives"]),
                        "estimate": None
                        if e.get("estimate") is None
                        else tuple(_num(v) for v in e["estimate"]),
                        **{
                            k: _num(e[k])
                            for k in ("energy_kwh", "carbon_g", "intensity_g_per_kwh", "hours")
                            if k in e
                        },
                    }
                )
                for e in doc.pop("evaluations")
            ]
            series = [
                SeriesRow(
                    hours=_num(r["hours"]),
                    hv=_num(r["hv"]),
                    carbon_g=_num(r["carbon_g"]),
                    intensity_g_per_kwh=_num(r["intensity_g_per_kwh"]),
                    sampling=int(r["sampling"]),
                    evaluation=int(r["evaluation"]),
                    queue_length=int(r["queue_length"]),
                )
                for r in doc.pop("series")
            ]
            ests = [(int(i), tuple(_num(v) for v in y)) for i, y in doc.pop("estimates")]
            return cls(**doc, evaluations=evals, series=series, estimates=ests)
        except FileNotFoundError as e:
            raise StoreError(f"run record {p} does not exist") from e
        except (ValueError, TypeError, KeyError) as e:
            raise StoreError(f"{p} is not a cenas run record: {e}") from e


def _num(v: Any) -> float:
    # strict JSON writes NaN/inf as null
    return math.nan if v is None else float(v)
