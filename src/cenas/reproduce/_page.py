"""The reproduction page: one HTML file with the PNG figures beside it (``figures/``), and the same
content as JSON (``reproduce.json``) for scripts and tests.

The writer re-checks what the page promises a reader (every section present once, every number
cell filled, every figure file there and inside the output directory), because a section could
have been assembled by hand rather than through the checked constructors.
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from cenas._json import json_dumps
from cenas.report import PAGE_STYLE
from cenas.reproduce._model import OfflineItem, ReproduceError, Row, Section

__all__ = ["JSON_FILE", "PAGE_FILE", "check_sections", "write_page"]

PAGE_FILE = "index.html"
JSON_FILE = "reproduce.json"

_EXTRA_STYLE = """
td.reason{font-size:12px;color:#444}code{font-size:12px}.meta{color:#555;font-size:13px}
section{margin-bottom:2.5em}
"""


def _cell_text(row: Row) -> tuple[str, str]:
    ours, pub = row.ours_text(), row.published_text()
    if not ours.strip() or not pub.strip():
        raise ReproduceError(f"row {row.quantity!r}: a number cell is empty")
    return ours, pub


def check_sections(sections: Sequence[Section], out_dir: Path) -> None:
    """Raise :class:`ReproduceError` unless every section can be written as promised.

    Rules: at least one section; keys unique; every row's number cells filled and a reason
    wherever no published number stands; every figure an existing file under ``out_dir``.
    """
    if not sections:
        raise ReproduceError("the page needs at least one section, but got none")
    seen: set[str] = set()
    root = out_dir.resolve()
    for s in sections:
        if s.key in seen:
            raise ReproduceError(f"two sections share the key {s.key!r}")
        seen.add(s.key)
        if not s.rows:
            raise ReproduceError(f"section {s.key!r} has no rows")
        for r in s.rows:
            _cell_text(r)
            if r.published is None and not r.reason.strip():
                raise ReproduceError(f"section {s.key!r}, row {r.quantity!r}: no reason given")
        for f in s.figures:
            p = Path(f).resolve()
            if not p.is_file():
                raise ReproduceError(f"section {s.key!r}: figure {str(f)!r} does not exist")
            if root not in p.parents:
                raise ReproduceError(
                    f"section {s.key!r}: figure {str(f)!r} must lie under the output directory "
                    f"{str(out_dir)!r}, so the page can link to it"
                )


def _section_html(s: Section, out_dir: Path) -> str:
    e = html.escape
    rows = []
    for r in s.rows:
        ours, pub = _cell_text(r)
        rows.append(
            f"<tr><td>{e(r.quantity)}</td><td class='n'>{e(ours)}</td>"
            f"<td class='n'>{e(pub)}</td><td class='reason'>{e(r.reason)}</td></tr>"
        )
    figs = "".join(
        f'<p><img alt="{e(Path(f).stem)}" '
        f'src="{e(os.path.relpath(Path(f).resolve(), out_dir.resolve()))}"></p>'
        for f in s.figures
    )
    notes = "".join(f"<li>{e(n)}</li>" for n in s.notes)
    return (
        f'<section id="{e(s.key)}"><h2>{e(s.paper)}: {e(s.target)} — {e(s.title)}</h2>'
        f'<p class="meta">carbon accounting: <b>{e(s.accounting_text)}</b>; '
        f"command: <code>{e(s.command)}</code></p>"
        "<table><tr><th>quantity</th><th>ours</th><th>published</th>"
        "<th>reason for any difference</th></tr>"
        f"{''.join(rows)}</table>{figs}"
        f"{f'<ul>{notes}</ul>' if notes else ''}</section>"
    )


def write_page(
    sections: Sequence[Section],
    offline: Sequence[OfflineItem],
    out_dir: str | Path,
    *,
    title: str = "cenas: the papers' figures and tables, reproduced",
    meta: Mapping[str, str] | None = None,
) -> Path:
    """Write ``index.html`` and ``reproduce.json`` into ``out_dir``.

    Args:
        sections: the reproduced figures and tables, in page order.
        offline: what cannot be reproduced offline, with what it would need.
        out_dir: the output directory (figures must already lie under it).
        title: the page title.
        meta: how the page was made (mode, seeds, time, data directory), shown at the top.

    Returns:
        The path of ``index.html``.

    Raises:
        ReproduceError: see :func:`check_sections`.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    check_sections(sections, out)
    e = html.escape
    info = dict(meta or {})
    dl = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in info.items())
    toc = "".join(
        f'<li><a href="#{e(s.key)}">{e(s.paper)}: {e(s.target)} — {e(s.title)}</a></li>'
        for s in sections
    )
    gaps = "".join(
        f"<tr><td>{e(g.what)}</td><td>{e(g.paper)}</td><td>{e(g.needs)}</td>"
        f"<td>{e(g.status)}</td></tr>"
        for g in offline
    )
    body = "".join(_section_html(s, out) for s in sections)
    page = f"""<!doctype html><html><head><meta charset="utf-8">
<title>{e(title)}</title><style>{PAGE_STYLE}{_EXTRA_STYLE}</style></head><body>
<h1>{e(title)}</h1>
<p>Each of our numbers stands beside the published one with a one-line reason for any
difference. Every section names its carbon accounting (<b>full</b>: every GPU state at its power
x PUE x intensity; <b>reference</b>: training GPU-hours x intensity only, as the public CE-NAS
code counts) and the command its numbers came from.</p>
<dl>{dl}</dl><h2>Contents</h2><ol>{toc}<li><a href="#offline">What cannot be reproduced
offline</a></li></ol>
{body}
<section id="offline"><h2>What cannot be reproduced offline</h2>
<table><tr><th>what</th><th>paper</th><th>what it would need</th><th>this run</th></tr>{gaps}
</table></section>
</body></html>
"""
    path = out / PAGE_FILE
    path.write_text(page, encoding="utf-8")
    doc = {
        "title": title,
        "meta": info,
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "paper": s.paper,
                "target": s.target,
                "accounting": s.accounting_text,
                "command": s.command,
                "notes": list(s.notes),
                "figures": [os.path.relpath(Path(f).resolve(), out.resolve()) for f in s.figures],
                "rows": [
                    {
                        "quantity": r.quantity,
                        "ours": r.ours,
                        "published": r.published,
                        "reason": r.reason,
                    }
                    for r in s.rows
                ],
            }
            for s in sections
        ],
        "offline": [g.__dict__ for g in offline],
    }
    (out / JSON_FILE).write_text(json_dumps(doc) + "\n", encoding="utf-8")
    return path
