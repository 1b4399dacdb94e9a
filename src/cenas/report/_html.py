"""One self-contained HTML page per run: embedded PNG plots, the table, where numbers come from."""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path

from cenas.record import RunRecord
from cenas.report._front import front_plot_data, record_plot_data
from cenas.report._render import render_front, render_run_data

__all__ = ["PAGE_STYLE", "write_html_report"]

PAGE_STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:2px 6px}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.front{background:#eef6ff}img{max-width:100%}dt{font-weight:600}
"""
"""The CSS every cenas HTML page shares (run reports, the reproduction page)."""


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return "—" if not math.isfinite(v) else f"{v:.6g}"
    return html.escape(str(v))


def _img(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'


def write_html_report(record: RunRecord, out_dir: str | Path) -> Path:
    """Write ``report.html`` (with ``front.png`` and ``run.png`` next to it) into ``out_dir``.

    The page embeds its images, so the HTML file alone is the whole report.

    Returns:
        The path of ``report.html``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    front_png = render_front(front_plot_data(record), out / "front.png")
    run_png = render_run_data(record_plot_data(record), out / "run.png")
    _, y = record.trained()
    hv = record.hypervolume(y)
    on_front = set()
    if y.shape[0]:
        idx, _ = record.trained()
        on_front = {int(i) for i in idx[record.front_mask(y)]}
    carbon = sum(r.carbon_g for r in record.evaluations if math.isfinite(r.carbon_g))
    energy = sum(r.energy_kwh for r in record.evaluations if math.isfinite(r.energy_kwh))
    head = [
        "#",
        "architecture",
        *record.objectives,
        "estimate",
        "energy (kWh)",
        "carbon (gCO2eq)",
        "intensity (gCO2eq/kWh)",
        "meter",
        "carbon source",
        "hours",
        "status",
    ]
    rows = []
    for n, r in enumerate(record.evaluations, 1):
        est = "—" if r.estimate is None else ", ".join(_fmt(v) for v in r.estimate)
        cells = [str(n), f"<code>{html.escape(r.arch)}</code>"]
        cells += [f'<td class="n">{_fmt(v)}</td>' for v in r.objectives]
        cells += [
            est,
            f'<td class="n">{_fmt(r.energy_kwh)}</td>',
            f'<td class="n">{_fmt(r.carbon_g)}</td>',
            f'<td class="n">{_fmt(r.intensity_g_per_kwh)}</td>',
            _fmt(r.meter),
            _fmt(r.carbon_source),
            f'<td class="n">{_fmt(r.hours)}</td>',
            _fmt(r.status),
        ]
        tds = "".join(c if c.startswith("<td") else f"<td>{c}</td>" for c in cells)
        cls = ' class="front"' if r.status == "ok" and r.index in on_front else ""
        rows.append(f"<tr{cls}>{tds}</tr>")
    budget = "none" if record.carbon_budget_g is None else f"{record.carbon_budget_g:.6g} gCO2eq"
    summary = {
        "kind": record.kind,
        "hypervolume of the trained front": f"{hv:.6g} (reference point {record.ref_point})",
        "architectures trained / failed": f"{len(y)} / "
        f"{sum(1 for r in record.evaluations if r.status != 'ok')}",
        "architectures estimated": str(len(record.estimates)),
        "energy of the listed trainings": f"{energy:.6g} kWh",
        "carbon of the listed trainings": f"{carbon:.6g} gCO2eq",
        "carbon accounting": record.accounting,
        "carbon budget": budget,
        **{k: _fmt(v) for k, v in record.summary.items() if not isinstance(v, dict | list)},
    }
    dl = "".join(
        f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in summary.items()
    )
    prov = "".join(
        f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in record.provenance.items()
    )
    page = f"""<!doctype html><html><head><meta charset="utf-8">
<title>{html.escape(record.title)}</title><style>{PAGE_STYLE}</style></head><body>
<h1>{html.escape(record.title)}</h1>
<h2>Summary</h2><dl>{dl}</dl>
<h2>Pareto front</h2>{_img(front_png)}
<h2>Hypervolume, carbon, intensity and the worker split over time</h2>{_img(run_png)}
<h2>Evaluated architectures</h2>
<p>Rows on the true Pareto front are shaded. Objectives are in natural units.</p>
<table><tr>{"".join(f"<th>{html.escape(h)}</th>" for h in head)}</tr>{"".join(rows)}</table>
<h2>Where the numbers come from</h2><dl>{prov}</dl>
</body></html>
"""
    path = out / "report.html"
    path.write_text(page)
    return path
