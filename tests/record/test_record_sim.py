"""The neutral run record: the simulator's converter, the JSON round trip and the HTML report."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from cenas.alloc import make_policy
from cenas.bench import Objectives
from cenas.errors import StoreError
from cenas.moo import LaMOO
from cenas.record import RECORD_FILE, EvaluationRow, RunRecord
from cenas.report import front_plot_data, write_html_report
from cenas.search import SearchMode, SearchSettings, TabularEvaluator
from cenas.sim import RunSpec, SimConfig, simulate, write_run
from cenas.sim.testing import ToyBenchmark, toy_trace

OBJ = Objectives.parse("acc:max,lat_ms:min")


def _sim_run(tmp_path: Path) -> Path:
    trace = toy_trace([100.0, 300.0, 200.0, 50.0] * 3)
    spec = RunSpec(
        evaluator=TabularEvaluator(ToyBenchmark(seed=0, train_time_s=900.0), OBJ),
        trace=trace,
        start_s=trace.start_s,
        policy=make_policy("heuristic"),
        sim=SimConfig(gpus=2, horizon_h=12.0, initial_samples=3, queue_capacity=4),
        search=SearchSettings(mode=SearchMode.CENAS, initial_samples=3, queue_capacity=4),
        ref_point=OBJ.to_min([0.0, 100.0]),
        lamoo=LaMOO(leaf_size=8),
        seed=1,
    )
    return write_run(simulate(spec), tmp_path / "sim", plots=False)


def test_simulated_run_directory_holds_a_record_the_report_reads(tmp_path: Path) -> None:
    out = _sim_run(tmp_path)
    rec = RunRecord.read(out / RECORD_FILE)
    assert rec.kind == "simulated"
    assert rec.objectives == ["acc", "lat_ms"] and rec.maximize == [True, False]
    assert len(rec.evaluations) >= 1 and len(rec.series) >= 12
    # the front of the recorded Pareto set is the whole set
    _, y = rec.trained()
    assert rec.front_mask(y).all()
    page = write_html_report(rec, tmp_path / "rep").read_text()
    assert page.count("data:image/png;base64,") == 2
    assert rec.evaluations[0].arch in page
    # the same command that reports live runs reports the simulated run directory
    from cenas.cli import main

    with pytest.raises(SystemExit) as e:
        main(["report", str(out), "--json"])
    assert e.value.code in (0, None)
    assert (out / "report" / "report.html").is_file()


def test_round_trip_keeps_nan_and_estimates(tmp_path: Path) -> None:
    rec = RunRecord(
        kind="live",
        title="t",
        objectives=["err", "params"],
        maximize=[False, False],
        ref_point=[1.0, 10.0],
        evaluations=[
            EvaluationRow(1, "a", (0.2, 3.0), (0.25, 3.0), 1e-4, 0.02, 200.0, "m", "s", 0.5),
            EvaluationRow(2, "b", (math.nan, math.nan), status="failed: boom"),
            EvaluationRow(3, "c", (0.1, 5.0)),
        ],
        estimates=[(1, (0.25, 3.0)), (4, (0.3, 1.0))],
    )
    back = RunRecord.read(rec.write(tmp_path / "r.json"))
    assert back.evaluations[0] == rec.evaluations[0]
    assert back.evaluations[1].status == "failed: boom"
    assert math.isnan(back.evaluations[1].objectives[0])
    assert back.estimates == rec.estimates
    idx, y = back.trained()
    assert idx.tolist() == [1, 3]
    # hypervolume of two points, minimisation, ref (1, 10): 0.8*7 + 0.1*(10-5) ... by hand
    assert back.hypervolume(y) == pytest.approx(0.8 * 7.0 + (0.9 - 0.8) * 5.0)
    fp = front_plot_data(back)
    assert fp.front.shape == (2, 2) and fp.estimated.shape == (2, 2)
    np.testing.assert_array_equal(fp.front[:, 0], [0.1, 0.2])


def test_bad_record_files(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        RunRecord.read(tmp_path / "none.json")
    (tmp_path / "x.json").write_text('{"kind": 1}')
    with pytest.raises(StoreError, match="not a cenas run record"):
        RunRecord.read(tmp_path / "x.json")
