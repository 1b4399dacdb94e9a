"""Plot data (checked by hand) and the renderers (they write PNG files)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from cenas.errors import ConfigError
from cenas.report import (
    StepSeries,
    budget_box_data,
    progress_plot_data,
    render_budget_boxes,
    render_progress,
    render_run_data,
    run_plot_data,
    step_values,
)


def test_step_values_hold_until_the_next_entry() -> None:
    s = StepSeries(np.array([0.0, 1.0, 1.0, 3.0]), np.array([5.0, 6.0, 7.0, 8.0]))
    got = step_values(s, [-1.0, 0.0, 0.5, 1.0, 2.9, 3.0, 10.0], before=-9.0)
    np.testing.assert_array_equal(got, [-9.0, 5.0, 5.0, 7.0, 7.0, 8.0, 8.0])


def test_progress_plot_data_medians_quartiles_and_legend() -> None:
    runs = {
        "A": [
            StepSeries(np.array([0.0, 1.0]), np.array([1.0, 3.0])),
            StepSeries(np.array([0.0, 2.0]), np.array([2.0, 4.0])),
            StepSeries(np.array([0.5]), np.array([5.0])),
        ],
        "B": [StepSeries(np.array([0.0]), np.array([9.0]))],
    }
    data = progress_plot_data(
        runs, {"A": [1000.0, 3000.0, 2000.0]}, hv_max=10.0, grid_h=[0.0, 1.0, 2.0], title="t"
    )
    a, b = data.hv
    assert a.label == "A (2.00 kgCO2eq)" and b.label == "B" and a.runs == 3
    # grid 0: values 1, 2, 0 (third run not started) -> median 1
    np.testing.assert_allclose(a.median, [1.0, 3.0, 4.0])
    np.testing.assert_allclose(a.q1, [0.5, 2.5, 3.5])
    np.testing.assert_allclose(data.log_gap[1].median, [math.log(1.0)] * 3)
    with pytest.raises(ConfigError):
        progress_plot_data({"C": []}, {}, hv_max=1.0)


def test_budget_box_data_groups_and_picks_the_best() -> None:
    recs = [
        ("CE-NAS", 2000.0, 5.0),
        ("CE-NAS", 2000.0, 7.0),
        ("vanilla", 2000.0, 6.5),
        ("vanilla", 1000.0, 3.0),
        ("CE-NAS", 1000.0, 4.0),
    ]
    box = budget_box_data(recs, methods=["vanilla", "CE-NAS"])
    assert box.budgets_g == (1000.0, 2000.0)
    assert box.values[1] == ((6.5,), (5.0, 7.0))
    assert box.medians[1] == (6.5, 6.0)
    assert box.best_method(0) == "CE-NAS" and box.best_method(1) == "vanilla"


def test_renderers_write_png(tmp_path: Path) -> None:
    runs = {"A": [StepSeries(np.array([0.0, 1.0]), np.array([1.0, 3.0]))]}
    prog = progress_plot_data(runs, {"A": [5.0]}, hv_max=4.0, notes=["note"])
    box = budget_box_data([("A", 1.0, 2.0), ("B", 1.0, 3.0), ("A", 2.0, 2.5)])
    series = {
        "hours": [0.0, 1.0],
        "hv": [0.0, 1.0],
        "log_hv_gap": [1.0, 0.5],
        "carbon_g": [0.0, 100.0],
        "relative_carbon": [0.0, 5.0],
        "intensity_g_per_kwh": [100.0, 200.0],
        "sampling_gpus": [2, 1],
        "evaluation_gpus": [0, 1],
        "queue_length": [0, 3],
    }
    run = run_plot_data(series, title="run", hv_source="x")
    assert run.carbon_kg.tolist() == [0.0, 0.1]
    for f in (
        render_progress(prog, tmp_path / "p.png"),
        render_budget_boxes(box, tmp_path / "b.png"),
        render_run_data(run, tmp_path / "r.png"),
    ):
        assert f.read_bytes()[:4] == b"\x89PNG"
