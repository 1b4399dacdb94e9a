"""The list of section builders and the function that runs them into one page.

A builder is a named function ``ReproduceContext -> list[Section]``; the page shows the sections
in the order of :data:`BUILDERS`. To add a table, write a builder and append a
:class:`SectionBuilder` to the list passed to
:func:`reproduce` (or to :data:`BUILDERS`). A builder may return no section only when it is
optional by nature (the HW-NAS-Bench one runs only with the user's file).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cenas import __version__
from cenas.data import resolve_data_dir, sha256_file
from cenas.reproduce._context import ReproduceContext
from cenas.reproduce._ecnas import comparison_section, surrogate_section
from cenas.reproduce._hotcarbon_data import fig2_section, fig3_section
from cenas.reproduce._hotcarbon_sim import budget_sections, fig4_section, ratio_sections
from cenas.reproduce._model import ReproduceError, Section
from cenas.reproduce._neurips import forecast_section, predictor_section
from cenas.reproduce._offline import hwnas_section, offline_items
from cenas.reproduce._page import write_page
from cenas.reproduce._rl import rl_action_section

__all__ = ["BUILDERS", "ReproduceResult", "SectionBuilder", "reproduce"]


@dataclass(frozen=True)
class SectionBuilder:
    """A named builder of page sections.

    Attributes:
        name: shown in the progress bar and in errors.
        build: makes the sections from the context.
        optional: whether building no section is allowed.
    """

    name: str
    build: Callable[[ReproduceContext], list[Section]]
    optional: bool = False


BUILDERS: list[SectionBuilder] = [
    SectionBuilder("HotCarbon'23 Figure 2", fig2_section),
    SectionBuilder("HotCarbon'23 Figure 3", fig3_section),
    SectionBuilder("HotCarbon'23 Figure 3 (HW-NAS-Bench)", hwnas_section, optional=True),
    SectionBuilder("HotCarbon'23 Figure 4", fig4_section),
    SectionBuilder("HotCarbon'23 Figures 5-6", budget_sections),
    SectionBuilder("HotCarbon'23 ratios", ratio_sections),
    SectionBuilder("NeurIPS'24 forecasting MAPE", forecast_section),
    SectionBuilder("NeurIPS'24 predictor vs actual trace", predictor_section),
    SectionBuilder("NeurIPS'24 RL discrete vs continuous", rl_action_section),
    SectionBuilder("EC-NAS Figure 1", surrogate_section),
    SectionBuilder("EC-NAS Table 1 / Figure 4", comparison_section),
]
"""The page's sections, in order."""


@dataclass(frozen=True)
class ReproduceResult:
    """What :func:`reproduce` wrote.

    Attributes:
        page: the HTML page.
        sections: every section, in page order.
        wall_s: seconds the whole reproduction took (reported on the page, never used in it).
        builder_s: seconds each builder took, by builder name (the same caveat).
    """

    page: Path
    sections: tuple[Section, ...]
    wall_s: float
    builder_s: dict[str, float]


def reproduce(
    ctx: ReproduceContext,
    builders: Sequence[SectionBuilder] | None = None,
    *,
    on_builder: Callable[[SectionBuilder], None] | None = None,
) -> ReproduceResult:
    """Run every builder and write the page into ``ctx.out_dir``.

    Args:
        ctx: settings, output directory, data directory, HW-NAS-Bench file.
        builders: default :data:`BUILDERS`.
        on_builder: called after each builder (progress bars).

    Returns:
        The :class:`ReproduceResult`.

    Raises:
        ReproduceError: a required builder made no section, or a section breaks the page's rules.
        CenasError: missing or malformed data files, bad configuration (from the builders).
    """
    t0 = time.perf_counter()
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    sections: list[Section] = []
    took: dict[str, float] = {}
    for b in BUILDERS if builders is None else builders:
        t_b = time.perf_counter()
        made = b.build(ctx)
        took[b.name] = time.perf_counter() - t_b
        if not made and not b.optional:
            raise ReproduceError(f"builder {b.name!r} made no section")
        sections += made
        if on_builder is not None:
            on_builder(b)
    wall_s = time.perf_counter() - t0
    s = ctx.settings
    meta = {
        "mode": s.describe(),
        "time": f"{wall_s:.0f} s with {s.jobs} simulation worker(s) "
        "(wall clock of this machine; not part of any result)",
        "time per builder": ", ".join(f"{k} {v:.0f} s" for k, v in took.items()),
        "data directory": str(resolve_data_dir(ctx.data_dir)),
        "simulation config": f"{ctx.config} (SHA-256 {sha256_file(ctx.config)[:16]}...)",
        "cenas version": __version__,
    }
    page = write_page(sections, offline_items(ctx), ctx.out_dir, meta=meta)
    return ReproduceResult(page, tuple(sections), wall_s, took)
