"""Plot of a trace: the data as a small typed object (tested), and a thin PNG renderer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cenas._plotting import pyplot, save_figure
from cenas.carbon._trace import IntensityTrace
from cenas.errors import ConfigError

__all__ = ["TracePlotData", "render_trace_png", "trace_plot_data"]


@dataclass(frozen=True)
class TracePlotData:
    """What a trace plot shows.

    Attributes:
        times: step start times, UTC, shape ``(n,)``.
        values_g_per_kwh: intensity per step, shape ``(n,)``; drawn as steps (piecewise
            constant, held until the next time).
        step_s: the step, seconds.
        mean_g_per_kwh: the mean, drawn as a horizontal line.
        title: the plot title.
        ylabel: the y axis label (with the unit and the kind).
        source: the source label, printed under the plot.
    """

    times: pd.DatetimeIndex
    values_g_per_kwh: NDArray[np.float64]
    step_s: int
    mean_g_per_kwh: float
    title: str
    ylabel: str
    source: str


def trace_plot_data(trace: IntensityTrace, title: str | None = None) -> TracePlotData:
    """Collect what :func:`render_trace_png` draws for ``trace``."""
    src = trace.source
    st = trace.stats()
    default = (
        f"{src.zone or 'carbon intensity'} {st.start:%Y-%m-%d %H:%M} to {st.end:%Y-%m-%d %H:%M} UTC"
    )
    return TracePlotData(
        times=trace.times,
        values_g_per_kwh=trace.values_g_per_kwh,
        step_s=trace.step_s,
        mean_g_per_kwh=st.mean,
        title=title or default,
        ylabel=f"carbon intensity, gCO2eq/kWh ({src.kind.value})",
        source=src.label,
    )


def render_trace_png(data: TracePlotData, path: str | Path, *, dpi: int = 120) -> Path:
    """Draw the plot into a PNG file (matplotlib, Agg backend) and return its path.

    Raises:
        ConfigError: when the file name does not end in ``.png`` or its folder is missing.
    """
    out = Path(path)
    if out.suffix.lower() != ".png":
        raise ConfigError(f"plot output must be a .png file, got {out}")
    if not out.parent.exists():
        raise ConfigError(f"plot output folder {out.parent} does not exist")
    fig, ax = pyplot().subplots(figsize=(10, 4), layout="constrained")
    try:
        # Piecewise constant: each value holds for its step, so close the last step too.
        x = np.append(
            data.times.to_numpy(),
            (data.times[-1] + pd.Timedelta(seconds=data.step_s)).to_datetime64(),
        )
        y = np.append(data.values_g_per_kwh, data.values_g_per_kwh[-1])
        ax.step(x, y, where="post", linewidth=0.8, color="tab:green", label="intensity")
        ax.axhline(
            data.mean_g_per_kwh,
            color="tab:gray",
            linestyle="--",
            linewidth=0.8,
            label=f"mean {data.mean_g_per_kwh:.1f}",
        )
        ax.set_title(data.title)
        ax.set_ylabel(data.ylabel)
        ax.set_xlabel("time (UTC)")
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper right", fontsize="small")
        ax.grid(alpha=0.3)
        fig.text(0.01, 0.005, f"source: {data.source}", fontsize=7, color="dimgray")
    except BaseException:
        pyplot().close(fig)
        raise
    return save_figure(fig, out, dpi=dpi)
