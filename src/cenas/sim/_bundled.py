"""Configurations shipped inside the package (``cenas demo`` uses ``demo``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from cenas.errors import ConfigError

__all__ = ["bundled_config"]


def bundled_config(name: str = "demo") -> Path:
    """Path of a configuration shipped in ``cenas/sim/configs/<name>.toml``.

    Raises:
        ConfigError: for an unknown name, listing the available ones.
    """
    root = resources.files("cenas.sim") / "configs"
    path = Path(str(root / f"{name}.toml"))
    if not path.is_file():
        names = sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".toml"))
        raise ConfigError(f"no bundled config {name!r}; available: {', '.join(names)}")
    return path
