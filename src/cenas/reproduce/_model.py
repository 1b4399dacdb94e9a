"""What the reproduction page is made of: sections of rows (ours beside the published number and
the reason for any difference), their figures, and the work that cannot be reproduced offline.

A row never carries an empty cell: our number is finite, and a row without a published number
says why (the paper gives the value only as a figure, or the quantity has no published
counterpart). The checks live in the constructors, so a builder that forgets a reason fails where
it builds the row, not when the page is read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from cenas.carbon import Accounting
from cenas.errors import CenasError

__all__ = [
    "ECNAS",
    "FIGURE_ONLY",
    "HOTCARBON",
    "NEURIPS",
    "NOT_FOUND",
    "NO_PUBLISHED",
    "OfflineItem",
    "ReproduceError",
    "Row",
    "Section",
]

FIGURE_ONLY = "not given numerically in the paper (figure only)"
"""The reason of a row whose published value exists only as a plotted figure."""

NO_PUBLISHED = "no published counterpart (our own quantity, shown for context)"
"""The reason of a row the paper has no number for at all."""


NOT_FOUND = (
    "published table not available offline (not in the repository, the data README or the "
    "stored reference pages); no number is invented"
)
"""The reason of a row whose paper gives a table this project could not consult."""


class ReproduceError(CenasError, ValueError):
    """A reproduction section or page that breaks the page's rules (an empty cell, a missing
    figure, a builder that returned nothing)."""


@dataclass(frozen=True)
class Row:
    """One quantity: our number beside the published one.

    Attributes:
        quantity: what is measured, with its unit and condition (e.g. ``"HV, 0.2x budget"``).
        ours: our value (finite).
        published: the paper's value, or None when it gives none.
        reason: a one-line reason for any difference, or why there is no published value;
            required whenever ``published`` is None.
        digits: decimals to print.
    """

    quantity: str
    ours: float
    published: float | None
    reason: str
    digits: int = 2

    def __post_init__(self) -> None:
        if not self.quantity.strip():
            raise ReproduceError("a row needs a quantity name, but got an empty one")
        ours = float(self.ours)
        if not math.isfinite(ours):
            raise ReproduceError(f"row {self.quantity!r}: our value must be finite, got {ours}")
        object.__setattr__(self, "ours", ours)
        if self.published is not None:
            pub = float(self.published)
            if not math.isfinite(pub):
                raise ReproduceError(
                    f"row {self.quantity!r}: the published value must be finite or None, got {pub}"
                )
            object.__setattr__(self, "published", pub)
        if self.published is None and not self.reason.strip():
            raise ReproduceError(
                f"row {self.quantity!r}: no published value and no reason; say why "
                f"(e.g. {FIGURE_ONLY!r})"
            )

    def ours_text(self) -> str:
        """Our value, printed."""
        return f"{self.ours:.{self.digits}f}"

    def published_text(self) -> str:
        """The published value, printed, or ``—`` when there is none."""
        return "—" if self.published is None else f"{self.published:.{self.digits}f}"


@dataclass(frozen=True)
class Section:
    """One figure or table of a paper, reproduced.

    Attributes:
        key: a short identifier (HTML anchor, file-name prefix), e.g. ``hotcarbon-fig2``.
        title: a heading.
        paper: the paper, e.g. ``CE-NAS (HotCarbon'23)``.
        target: the figure or table id in the paper, e.g. ``Figure 2``.
        rows: the quantities (at least one).
        figures: PNG files drawn for the section (paths; they must exist).
        accounting: how its carbon numbers are counted, or None when it has none.
        command: the command (or API call) the numbers came from.
        notes: settings and caveats, one sentence each.
    """

    key: str
    title: str
    paper: str
    target: str
    rows: tuple[Row, ...]
    figures: tuple[Path, ...] = ()
    accounting: Accounting | None = None
    command: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.rows:
            raise ReproduceError(f"section {self.key!r} ({self.target}) has no rows")
        if not self.command.strip():
            raise ReproduceError(f"section {self.key!r}: say which command its numbers came from")
        for p in self.figures:
            if not Path(p).is_file():
                raise ReproduceError(f"section {self.key!r}: figure file {str(p)!r} does not exist")

    @property
    def accounting_text(self) -> str:
        """The accounting mode as printed on the page."""
        return "no carbon numbers" if self.accounting is None else f"{self.accounting.value}"


@dataclass(frozen=True)
class OfflineItem:
    """Something a paper reports that the offline data cannot reproduce.

    Attributes:
        what: the figure, table or experiment.
        paper: the paper.
        needs: what it would take (data file, hardware, time).
        status: what this run did about it (e.g. ran because the file was supplied).
    """

    what: str
    paper: str
    needs: str
    status: str


HOTCARBON = "CE-NAS (HotCarbon'23)"
NEURIPS = "CE-NAS (NeurIPS'24)"
ECNAS = "EC-NAS (SustainML D3.1)"
