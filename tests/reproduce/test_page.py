"""The page model and writer, on toy sections (no data needed)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from cenas.carbon import Accounting
from cenas.reproduce import (
    FIGURE_ONLY,
    JSON_FILE,
    PAGE_FILE,
    OfflineItem,
    ReproduceContext,
    ReproduceError,
    ReproduceSettings,
    Row,
    Section,
    SectionBuilder,
    check_sections,
    write_page,
)


def _png(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    return path


def _section(out: Path, key: str = "toy", rows: tuple[Row, ...] | None = None) -> Section:
    return Section(
        key=key,
        title="a toy figure",
        paper="Toy'99",
        target="Figure 1",
        rows=rows
        or (Row("speed, m/s", 1.234, 1.2, "rounding"), Row("mass, kg", 3.0, None, FIGURE_ONLY)),
        figures=(_png(out / "figures" / f"{key}.png"),),
        accounting=Accounting.REFERENCE,
        command="toy --run",
    )


def test_page_has_every_section_cell_and_figure(tmp_path: Path) -> None:
    out = tmp_path / "page"
    sections = [_section(out, "a"), _section(out, "b")]
    gap = OfflineItem("a big table", "Toy'99", "a GPU cluster", "not run")
    page = write_page(sections, [gap], out, meta={"mode": "toy"})
    text = page.read_text()
    assert page.name == PAGE_FILE
    for key in ("a", "b"):
        assert f'id="{key}"' in text
        assert f'src="figures/{key}.png"' in text
    assert "1.23" in text and "1.20" in text and FIGURE_ONLY in text
    assert "reference" in text and "toy --run" in text and "a GPU cluster" in text
    doc = json.loads((out / JSON_FILE).read_text())
    assert [s["key"] for s in doc["sections"]] == ["a", "b"]
    assert doc["sections"][0]["rows"][1] == {
        "quantity": "mass, kg",
        "ours": 3.0,
        "published": None,
        "reason": FIGURE_ONLY,
    }
    assert doc["sections"][0]["figures"] == ["figures/a.png"]


@pytest.mark.parametrize("ours", [math.nan, math.inf])
def test_row_refuses_a_missing_number(ours: float) -> None:
    with pytest.raises(ReproduceError, match="our value must be finite"):
        Row("x", ours, 1.0, "")


def test_row_without_published_number_needs_a_reason() -> None:
    with pytest.raises(ReproduceError, match="no published value and no reason"):
        Row("x", 1.0, None, "  ")
    Row("x", 1.0, 2.0, "")  # a published number needs no reason when nothing differs


def test_section_needs_rows_command_and_existing_figures(tmp_path: Path) -> None:
    with pytest.raises(ReproduceError, match="has no rows"):
        Section("k", "t", "p", "Fig", rows=(), command="c")
    with pytest.raises(ReproduceError, match="which command"):
        Section("k", "t", "p", "Fig", rows=(Row("x", 1.0, 1.0, ""),), command="")
    with pytest.raises(ReproduceError, match="does not exist"):
        Section(
            "k",
            "t",
            "p",
            "Fig",
            rows=(Row("x", 1.0, 1.0, ""),),
            figures=(tmp_path / "no.png",),
            command="c",
        )


def test_writer_rechecks_cells_and_figures(tmp_path: Path) -> None:
    out = tmp_path / "page"
    s = _section(out)
    # A row built around the constructor's checks (object.__setattr__) must still be refused.
    bad = Row("y", 1.0, None, FIGURE_ONLY)
    object.__setattr__(bad, "reason", "")
    with pytest.raises(ReproduceError, match="no reason"):
        check_sections([_section(out, "c", rows=(bad,))], out)
    (out / "figures" / "toy.png").unlink()
    with pytest.raises(ReproduceError, match="does not exist"):
        write_page([s], [], out)
    with pytest.raises(ReproduceError, match="at least one section"):
        write_page([], [], out)


def test_writer_refuses_duplicate_keys_and_figures_outside(tmp_path: Path) -> None:
    out = tmp_path / "page"
    with pytest.raises(ReproduceError, match="share the key"):
        write_page([_section(out), _section(out)], [], out)
    elsewhere = _section(tmp_path / "other")
    with pytest.raises(ReproduceError, match="must lie under the output directory"):
        write_page([elsewhere], [], out)


def test_reproduce_runs_builders_in_order_and_refuses_an_empty_required_one(
    tmp_path: Path,
) -> None:
    from cenas.reproduce import reproduce

    config = tmp_path / "c.toml"
    config.write_text("# toy\n")
    ctx = ReproduceContext(ReproduceSettings.for_mode(True), tmp_path / "out", config, tmp_path)
    made = [
        SectionBuilder("one", lambda c: [_section(c.out_dir, "one")]),
        SectionBuilder("optional", lambda c: [], optional=True),
        SectionBuilder("two", lambda c: [_section(c.out_dir, "two")]),
    ]
    res = reproduce(ctx, made)
    assert [s.key for s in res.sections] == ["one", "two"]
    assert res.page.is_file()
    with pytest.raises(ReproduceError, match="'empty' made no section"):
        reproduce(ctx, [SectionBuilder("empty", lambda c: [])])
