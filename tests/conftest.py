"""Shared fixtures: the reference data directory (tests that need it skip cleanly without it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _data_dir() -> Path | None:
    env = os.environ.get("CENAS_DATA_DIR")
    candidate = Path(env) if env else _DEFAULT
    return candidate if (candidate / "MANIFEST.sha256").is_file() else None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The reference data directory; skips the test when it is absent."""
    d = _data_dir()
    if d is None:
        pytest.skip("reference data not found: set CENAS_DATA_DIR to the shared/data directory")
    return d


@pytest.fixture(autouse=True)
def _no_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Tests never read or write the user's real cache directory.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
