"""The CPU TDP table: CPU model names (as ``/proc/cpuinfo`` spells them), normalised, mapped to
their thermal design power, with how each match was made."""

from __future__ import annotations

import json
import platform
import re
import statistics
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from cenas.errors import DataError

__all__ = [
    "CpuRow",
    "CpuTable",
    "TdpMatch",
    "TdpSource",
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
