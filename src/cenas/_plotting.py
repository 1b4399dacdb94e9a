"""The two matplotlib chores every renderer shares: a headless pyplot, and save-then-close."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["pyplot", "save_figure"]


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend, imported on first use (plots are optional work,
    and a display-less server must never try to open a window)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, path: str | Path, dpi: int = 120) -> Path:
    """Write ``fig`` as PNG to ``path`` and release it (figures otherwise pile up in memory)."""
    out = Path(path)
    try:
        fig.savefig(out, dpi=dpi)
    finally:
        pyplot().close(fig)
    return out
