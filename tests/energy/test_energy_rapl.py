"""RaplMeter on fake powercap trees: domains, wrap-around, permission errors."""

from __future__ import annotations

import pathlib
from pathlib import Path

import pytest

from cenas.energy import ComponentKind, RaplMeter
from cenas.energy.testing import FakeRapl
from cenas.errors import MeterUnavailableError


def test_reads_package_and_dram_but_not_overlapping_zones(fake_rapl: FakeRapl) -> None:
    fake_rapl.standard()
    m = RaplMeter(fake_rapl.root)
    assert m.name == "rapl"
    assert [(c.name, c.kind) for c in m.components] == [
        ("package-0", ComponentKind.CPU),
        ("dram-0", ComponentKind.DRAM),
    ]
    m.start(0.0)
    fake_rapl.set("intel-rapl:0", 1_000_000 + 5_000_000)  # +5 J
    fake_rapl.set("intel-rapl:0:2", 200_000 + 1_500_000)  # +1.5 J
    fake_rapl.set("intel-rapl:1", 99_000_000)  # psys moves, but is not counted
    assert m.energy_j(1.0) == pytest.approx({"package-0": 5.0, "dram-0": 1.5})
    fake_rapl.set("intel-rapl:0", 1_000_000 + 7_000_000)
    assert m.energy_j(2.0)["package-0"] == pytest.approx(7.0)


def test_two_packages_and_no_dram(fake_rapl: FakeRapl) -> None:
    fake_rapl.zone("intel-rapl:1", "package-1", 10)
    fake_rapl.zone("intel-rapl:0", "package-0", 10)
    fake_rapl.zone("intel-rapl:0:2", "dram", 10)
    m = RaplMeter(fake_rapl.root, include_dram=False)
    assert [c.name for c in m.components] == ["package-0", "package-1"]


def test_amd_prefix_is_accepted(fake_rapl: FakeRapl) -> None:
    fake_rapl.zone("amd-rapl:0", "package-0", 0)
    m = RaplMeter(fake_rapl.root)
    m.start(0.0)
    fake_rapl.set("amd-rapl:0", 2_000_000)
    assert m.energy_j(1.0) == {"package-0": 2.0}


def test_counter_wrap_around(fake_rapl: FakeRapl) -> None:
    max_uj = 10_000_000  # wraps at 10 J
    fake_rapl.zone("intel-rapl:0", "package-0", 8_000_000, max_range_uj=max_uj)
    m = RaplMeter(fake_rapl.root)
    m.start(0.0)
    fake_rapl.set("intel-rapl:0", 9_500_000)  # +1.5 J
    assert m.energy_j(1.0)["package-0"] == pytest.approx(1.5)
    fake_rapl.set("intel-rapl:0", 1_000_000)  # wrapped: +0.5 J to the top, +1 J after
    assert m.energy_j(2.0)["package-0"] == pytest.approx(3.0)
    fake_rapl.set("intel-rapl:0", 4_000_000)  # +3 J
    assert m.energy_j(3.0)["package-0"] == pytest.approx(6.0)


def test_start_opens_a_new_window(fake_rapl: FakeRapl) -> None:
    fake_rapl.zone("intel-rapl:0", "package-0", 0)
    m = RaplMeter(fake_rapl.root)
    m.start(0.0)
    fake_rapl.set("intel-rapl:0", 3_000_000)
    assert m.energy_j(1.0)["package-0"] == pytest.approx(3.0)
    m.start(2.0)
    fake_rapl.set("intel-rapl:0", 4_000_000)
    assert m.energy_j(3.0)["package-0"] == pytest.approx(1.0)


def test_missing_root_says_why(tmp_path: Path) -> None:
    with pytest.raises(MeterUnavailableError, match="does not exist"):
        RaplMeter(tmp_path / "nope")


def test_root_without_package_zone(fake_rapl: FakeRapl) -> None:
    fake_rapl.zone("intel-rapl:1", "psys", 0)
    with pytest.raises(MeterUnavailableError, match="no RAPL package zone"):
        RaplMeter(fake_rapl.root)


def _deny(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    # Tests may run as root, where chmod 000 does not stop reads: make the read fail instead.
    real = pathlib.Path.read_text

    def read_text(self: Path, *args: object, **kwargs: object) -> str:
        if self == denied:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pathlib.Path, "read_text", read_text)


def test_permission_error_is_reported_with_the_fix(
    fake_rapl: FakeRapl, monkeypatch: pytest.MonkeyPatch
) -> None:
    zone = fake_rapl.zone("intel-rapl:0", "package-0", 0)
    _deny(monkeypatch, zone / "energy_uj")
    with pytest.raises(MeterUnavailableError) as info:
        RaplMeter(fake_rapl.root)
    msg = str(info.value)
    assert "permission denied" in msg
    assert str(zone / "energy_uj") in msg
    assert "sudo chmod a+r /sys/class/powercap/intel-rapl:*/energy_uj" in msg


def test_counter_becoming_unreadable_raises(
    fake_rapl: FakeRapl, monkeypatch: pytest.MonkeyPatch
) -> None:
    zone = fake_rapl.zone("intel-rapl:0", "package-0", 0)
    m = RaplMeter(fake_rapl.root)
    m.start(0.0)
    _deny(monkeypatch, zone / "energy_uj")
    with pytest.raises(MeterUnavailableError, match="permission denied"):
        m.energy_j(1.0)


def test_garbage_counter(fake_rapl: FakeRapl) -> None:
    zone = fake_rapl.zone("intel-rapl:0", "package-0", 0)
    (zone / "energy_uj").write_text("n/a\n")
    with pytest.raises(MeterUnavailableError, match="should hold an integer"):
        RaplMeter(fake_rapl.root)
