"""Fixtures for the energy tests (the fakes themselves are in energy_fakes.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cenas.energy.testing import FakeNvmlState, FakeRapl


@pytest.fixture
def fake_rapl(tmp_path: Path) -> FakeRapl:
    return FakeRapl(tmp_path / "powercap")


@pytest.fixture
def nvml_state(monkeypatch: pytest.MonkeyPatch) -> FakeNvmlState:
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    return FakeNvmlState()
