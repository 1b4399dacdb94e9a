"""The quick reproduction on the real data: one run (module fixture), then the page is checked:
every section present, every number cell filled, every figure file there."""

from __future__ import annotations

import dataclasses
import json
import math
import pickle
from pathlib import Path

import numpy as np
import pytest

from cenas.bench import load_nb201
from cenas.cli import main
from cenas.reproduce import (
    JSON_FILE,
    HwNasOption,
    ReproduceContext,
    ReproduceSettings,
)
from cenas.reproduce._offline import hwnas_section

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "configs" / "nb201_trace1.toml"

EXPECTED = {
    "hotcarbon-fig2": None,
    "hotcarbon-fig3": None,
    "hotcarbon-fig4": "full",
    "hotcarbon-figure5-full": "full",
    "hotcarbon-figure6-full": "full",
    "hotcarbon-figure5-reference": "reference",
    "hotcarbon-figure6-reference": "reference",
    "hotcarbon-ratios-reference": "reference",
    "hotcarbon-ratios-full": "full",
    "neurips-forecast-mape": None,
    "neurips-predictor-vs-actual": "full",
    "neurips-rl-actions": "full",
    "ecnas-fig1-surrogate": None,
    "ecnas-table1-fig4": None,
}


@pytest.fixture(scope="module")
def page(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("repro")
    code = 0
    try:
        main(
            [
                "reproduce",
                "--quick",
                "--out",
                str(out),
                "--config",
                str(CONFIG),
                "--data-dir",
                str(data_dir),
            ]
        )
    except SystemExit as e:
        code = int(e.code or 0)
    assert code == 0
    return out


pytestmark = [pytest.mark.data, pytest.mark.slow]


def test_every_section_is_on_the_page(page: Path) -> None:
    doc = json.loads((page / JSON_FILE).read_text())
    keys = [s["key"] for s in doc["sections"]]
    assert sorted(keys) == sorted(EXPECTED)
    html = (page / "index.html").read_text()
    for s in doc["sections"]:
        assert f'id="{s["key"]}"' in html
        want = EXPECTED[s["key"]]
        assert s["accounting"] == (want or "no carbon numbers")
        assert s["command"].strip()
    assert "quick:" in doc["meta"]["mode"] and doc["meta"]["time"].split()[0].isdigit()
    assert any("HW-NAS-Bench" in g["what"] or "Edge-GPU" in g["what"] for g in doc["offline"])
    assert "not supplied" in doc["offline"][0]["status"]


def test_every_number_cell_is_filled(page: Path) -> None:
    doc = json.loads((page / JSON_FILE).read_text())
    n = 0
    for s in doc["sections"]:
        assert s["rows"], s["key"]
        for r in s["rows"]:
            n += 1
            assert isinstance(r["ours"], float) and math.isfinite(r["ours"]), (s["key"], r)
            if r["published"] is None:
                assert r["reason"].strip(), (s["key"], r)
            else:
                assert math.isfinite(r["published"])
    assert n > 100


def test_every_figure_exists(page: Path) -> None:
    doc = json.loads((page / JSON_FILE).read_text())
    for s in doc["sections"]:
        tables_only = s["key"].startswith(("hotcarbon-ratios", "neurips-"))
        assert tables_only or s["figures"], f"{s['key']} has no figure"
    figs = [f for s in doc["sections"] for f in s["figures"]]
    for f in figs:
        p = page / f
        assert p.is_file() and p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f
    html = (page / "index.html").read_text()
    assert all(f'src="{f}"' in html for f in figs)


def test_published_numbers_are_the_papers(page: Path) -> None:
    doc = json.loads((page / JSON_FILE).read_text())
    by_key = {s["key"]: s for s in doc["sections"]}
    mape = {r["quantity"]: r["published"] for r in by_key["neurips-forecast-mape"]["rows"]}
    assert mape["CISO, day 1: MAPE %"] == 9.70
    assert mape["DE, day 3: MAPE %"] == 18.19
    assert mape["PJM, day 2: MAPE %"] == 3.39
    ratios = [r["published"] for r in by_key["hotcarbon-ratios-reference"]["rows"]]
    assert {2.22, 3.48, 0.034, 1.17, 1.48} <= set(ratios)
    taus = [r for r in by_key["ecnas-fig1-surrogate"]["rows"] if r["published"] is not None]
    assert [r["published"] for r in taus] == [0.9030]


def _write_hwnas(path: Path, archs: list[str], energy: list[float]) -> None:
    block = {"edgegpu_energy": energy, "config": [{"arch_str": a} for a in archs]}
    path.write_bytes(pickle.dumps({"nasbench201": {"cifar10": block}}))


def test_figure3_runs_on_a_supplied_hwnas_pickle(data_dir: Path, tmp_path: Path) -> None:
    nb = load_nb201(data_dir)
    archs = nb.space.to_strings(nb.space.all_indices())
    energy = list(np.linspace(5.0, 45.0, len(archs)))
    p = tmp_path / "HW-NAS-Bench-v1_0.pickle"
    _write_hwnas(p, archs, energy)
    settings = dataclasses.replace(ReproduceSettings.for_mode(True), fig3_runs=2)
    ctx = ReproduceContext(
        settings, tmp_path / "out", CONFIG, data_dir, HwNasOption(p, allow_unverified=True)
    )
    (section,) = hwnas_section(ctx)
    rows = {r.quantity: r for r in section.rows}
    energy_row = rows["mean hw_edgegpu_energy_mj (mJ), selected region"]
    assert energy_row.published == 16.59 and 5.0 <= energy_row.ours <= 45.0
    assert section.figures[0].is_file()
    assert hwnas_section(dataclasses.replace(ctx, hwnas=None)) == []
