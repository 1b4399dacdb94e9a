"""Intel/AMD RAPL energy counters read through the Linux powercap sysfs tree."""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass
from pathlib import Path

from cenas.energy._meter import Component, ComponentKind, EnergyMeter
from cenas.errors import MeterUnavailableError

__all__ = ["DEFAULT_POWERCAP_ROOT", "RaplMeter"]

DEFAULT_POWERCAP_ROOT = Path("/sys/class/powercap")

# Top-level zone links: ``intel-rapl:0`` (a package) and ``intel-rapl:0:2`` (its sub-zones).
# AMD CPUs use the same ``intel-rapl`` driver on most kernels; ``amd-rapl`` is accepted too.
# The ``intel-rapl-mmio`` interface repeats the package counters, so it is left out to avoid
# counting them twice.
_ZONE_RE = re.compile(r"^(?P<prefix>intel-rapl|amd-rapl):(?P<pkg>\d+)(?::(?P<sub>\d+))?$")
_PACKAGE_RE = re.compile(r"^package-(?P<idx>\d+)$")


@dataclass
class _Domain:
    component: Component
    counter: Path
    max_range_uj: int
    last_uj: int = 0
    total_uj: int = 0


def _permission_fix(path: Path, prefix: str) -> str:
    return (
        f"permission denied reading {path} (since Linux 5.10 the RAPL energy counters are "
        f"readable by root only, CVE-2020-8694); fix: `sudo chmod a+r "
        f"/sys/class/powercap/{prefix}:*/energy_uj` (until reboot; a udev rule makes it "
        f"permanent), or run as root; in a container, do it on the host and mount "
        f"/sys/class/powercap read-only"
    )


def _read_int(path: Path, prefix: str) -> int:
    try:
        text = path.read_text()
    except PermissionError as e:
        raise MeterUnavailableError(_permission_fix(path, prefix)) from e
    except OSError as e:
        # Some kernels answer a read of a restricted counter with EACCES/EPERM as OSError.
        if e.errno in (errno.EACCES, errno.EPERM):
            raise MeterUnavailableError(_permission_fix(path, prefix)) from e
        raise MeterUnavailableError(f"cannot read {path}: {e.strerror or e}") from e
    try:
        return int(text.strip())
    except ValueError as e:
        raise MeterUnavailableError(
            f"{path} should hold an integer (microjoules), but holds {text.strip()!r}"
        ) from e


class RaplMeter(EnergyMeter):
    """CPU package and DRAM energy from RAPL (Intel, and AMD Zen through the same driver).

    Reads ``energy_uj`` of every ``package-N`` zone and its ``dram`` sub-zone under ``root``
    (``core``, ``uncore`` and ``psys`` are left out: they overlap the package). The counters wrap
    at ``max_energy_range_uj``; a reading lower than the previous one is taken as one wrap, which
    is exact as long as readings are less than one wrap apart (tens of minutes at full power, so
    the tracker's sampling interval is ample). RAPL measures the whole package, not a process.

    Components: ``package-N`` (:attr:`ComponentKind.CPU`) and ``dram-N``
    (:attr:`ComponentKind.DRAM`).

    Args:
        root: the powercap class directory; a fake tree in tests.
        include_dram: also report the DRAM sub-zones where present.

    Raises:
        MeterUnavailableError: ``root`` does not exist, holds no RAPL package zone, or a counter
            cannot be read; a permission error says how to grant read access.
    """

    def __init__(self, root: str | Path = DEFAULT_POWERCAP_ROOT, *, include_dram: bool = True):
        self._root = Path(root)
        if not self._root.is_dir():
            raise MeterUnavailableError(
                f"{self._root} does not exist (no powercap driver, or /sys/class/powercap is "
                f"not exposed, e.g. in a container or VM)"
            )
        self._domains = self._find_domains(include_dram)
        for d in self._domains:  # read everything once now, so a problem surfaces up front
            d.last_uj = _read_int(d.counter, self._prefix)

    def _find_domains(self, include_dram: bool) -> list[_Domain]:
        zones: list[tuple[int, int, Path, str]] = []  # (package, sub-zone or -1, dir, name)
        for entry in self._root.iterdir():
            m = _ZONE_RE.match(entry.name)
            if m is None or not (entry / "energy_uj").exists():
                continue
            try:
                zone_name = (entry / "name").read_text().strip()
            except OSError as e:
                raise MeterUnavailableError(f"cannot read {entry / 'name'}: {e}") from e
            sub = -1 if m["sub"] is None else int(m["sub"])
            zones.append((int(m["pkg"]), sub, entry, zone_name))
        zones.sort(key=lambda z: (z[0], z[1]))
        # DRAM sub-zones are named after their package's index, which the package zone names.
        package_idx = {
            pkg: pm["idx"]
            for pkg, sub, _, zone_name in zones
            if sub == -1 and (pm := _PACKAGE_RE.match(zone_name)) is not None
        }
        self._prefix = "intel-rapl"
        domains: list[_Domain] = []
        for pkg, sub, entry, zone_name in zones:
            if sub == -1 and pkg in package_idx:
                comp = Component(zone_name, ComponentKind.CPU)
            elif include_dram and zone_name == "dram":
                comp = Component(f"dram-{package_idx.get(pkg, pkg)}", ComponentKind.DRAM)
            else:
                continue  # core, uncore (inside the package) and psys (the whole platform)
            self._prefix = entry.name.split(":", 1)[0]
            max_range = _read_int(entry / "max_energy_range_uj", self._prefix)
            if max_range <= 0:
                raise MeterUnavailableError(
                    f"{entry / 'max_energy_range_uj'} must be positive, but is {max_range}"
                )
            domains.append(_Domain(comp, entry / "energy_uj", max_range))
        if not any(d.component.kind is ComponentKind.CPU for d in domains):
            raise MeterUnavailableError(
                f"no RAPL package zone (intel-rapl:N or amd-rapl:N named package-N) under "
                f"{self._root}"
            )
        return domains

    @property
    def name(self) -> str:
        return "rapl"

    @property
    def components(self) -> tuple[Component, ...]:
        return tuple(d.component for d in self._domains)

    @property
    def details(self) -> str:
        return f"RAPL counters under {self._root}: " + ", ".join(
            d.component.name for d in self._domains
        )

    def start(self, t_s: float) -> None:
        for d in self._domains:
            d.last_uj = _read_int(d.counter, self._prefix)
            d.total_uj = 0

    def energy_j(self, t_s: float) -> dict[str, float]:
        for d in self._domains:
            now = _read_int(d.counter, self._prefix)
            if now >= d.last_uj:
                d.total_uj += now - d.last_uj
            else:  # wrapped once at max_energy_range_uj
                d.total_uj += d.max_range_uj - d.last_uj + now
            d.last_uj = now
        return {d.component.name: d.total_uj / 1e6 for d in self._domains}
