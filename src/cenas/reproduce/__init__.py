"""``cenas reproduce``: the seed papers' figures and tables regenerated from the offline data, each
of our numbers beside the published one with a one-line reason for any difference, on one HTML
page with the PNG figures beside it.

Sections come from a list of builders (:data:`BUILDERS`), one small module per paper or figure
family: HotCarbon'23 Figures 2-6 and the text's ratios (both accounting modes), NeurIPS'24's
forecasting table and predictor-vs-actual appendix table, EC-NAS's surrogate curve and optimiser
comparison; plus the list of what cannot be reproduced offline and what it would need. The page
never shows an empty cell: a missing published number carries its reason.
"""

from cenas.reproduce._context import HwNasOption, ReproduceContext, ReproduceSettings
from cenas.reproduce._model import (
    ECNAS,
    FIGURE_ONLY,
    HOTCARBON,
    NEURIPS,
    NO_PUBLISHED,
    NOT_FOUND,
    OfflineItem,
    ReproduceError,
    Row,
    Section,
)
from cenas.reproduce._page import JSON_FILE, PAGE_FILE, check_sections, write_page
from cenas.reproduce._run import BUILDERS, ReproduceResult, SectionBuilder, reproduce

__all__ = [
    "BUILDERS",
    "ECNAS",
    "FIGURE_ONLY",
    "HOTCARBON",
    "JSON_FILE",
    "NEURIPS",
    "NOT_FOUND",
    "NO_PUBLISHED",
    "PAGE_FILE",
    "HwNasOption",
    "OfflineItem",
    "ReproduceContext",
    "ReproduceError",
    "ReproduceResult",
    "ReproduceSettings",
    "Row",
    "Section",
    "SectionBuilder",
    "check_sections",
    "reproduce",
    "write_page",
]
