"""End to end on NAS-Bench-201 and US-CAL-CISO 2021 (reference data), short horizons."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cenas.cli import main
from cenas.errors import ConfigError
from cenas.sim import RunKey, load_config, run_config, run_experiment

pytestmark = pytest.mark.data

CONFIG = """
[benchmark]
objectives = ["cifar10_test_acc:max", "{metric}"]
ref_point = [0, 100]

[carbon]
trace = "{trace}"
windows = ["trace1"]

[sim]
horizon_h = {hours}

[[methods]]
name = "CE-NAS"
policy = "heuristic"

[[methods]]
name = "vanilla LaMOO"
policy = "all-evaluation"

[experiment]
seeds = 1
carbon_budgets_g = [1500.0]
jobs = 1
"""
TRACE = "carbon/electricitymaps/US-CAL-CISO_2021_hourly.csv"


def config(
    tmp_path: Path,
    *,
    hours: float = 4,
    metric: str = "latency_raspi4_ms:min",
    trace: str = TRACE,
) -> Path:
    p = tmp_path / "short.toml"
    p.write_text(CONFIG.format(hours=hours, metric=metric, trace=trace))
    return p


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as e:
        main(list(args))
    out, err = capsys.readouterr()
    return int(e.value.code or 0), out, err


def test_simulate_cli_writes_a_reproducible_run_directory(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    cfg = config(tmp_path)
    runs = []
    for k in range(2):
        out = tmp_path / f"run{k}"
        code, stdout, _ = cli(
            capsys,
            "simulate",
            str(cfg),
            "--data-dir",
            str(data_dir),
            "--out",
            str(out),
            "--seed",
            "3",
            "--json",
        )
        assert code == 0
        runs.append((json.loads(stdout), out))
    (a, out_a), (b, out_b) = runs
    assert a["method"] == "CE-NAS" and a["seed"] == 3 and a["stop_reason"] == "horizon"
    assert a["hours"] == pytest.approx(4.0)
    assert {k: v for k, v in a.items() if k != "run_dir"} == {
        k: v for k, v in b.items() if k != "run_dir"
    }
    for name in (
        "summary.json",
        "series.csv",
        "allocations.csv",
        "trainings.csv",
        "pareto.csv",
        "run.png",
    ):
        assert (out_a / name).is_file()
    assert (out_a / "series.csv").read_bytes() == (out_b / "series.csv").read_bytes()
    doc = json.loads((out_a / "summary.json").read_text())
    checks = doc["config"]["data_checksums"]
    assert TRACE in checks and "nas/nb201/nats_bench_tss_accuracy.csv" in checks
    assert doc["config"]["sim"]["gpus"] == 8
    series = pd.read_csv(out_a / "series.csv")
    assert {
        "hv",
        "log_hv_gap",
        "carbon_g",
        "relative_carbon",
        "sampling_gpus",
        "evaluation_gpus",
        "queue_length",
        "n_trained",
        "n_estimated",
    } <= set(series.columns)


def test_experiment_in_process(data_dir: Path, tmp_path: Path) -> None:
    cfg = load_config(config(tmp_path, hours=3))
    res = run_experiment(cfg, out_dir=tmp_path / "exp", data_dir=data_dir, jobs=1)
    table = res.table
    assert len(res.outcomes) == 4  # 2 methods x (no budget + 1 budget)
    assert set(table["method"]) == {"CE-NAS", "vanilla LaMOO"}
    budgeted = res.runs[res.runs["budget_g"].notna()]
    assert (budgeted["carbon_g"] <= 1500.0).all()
    for f in (
        "runs.csv",
        "table.csv",
        "table.json",
        "fig4_progress_trace1.png",
        "fig56_budgets_trace1.png",
    ):
        assert (tmp_path / "exp" / f).is_file()
    again = run_config(cfg, RunKey("CE-NAS", "trace1", 0), data_dir)
    first = res.outcomes[0]
    assert first.key == RunKey("CE-NAS", "trace1", 0)
    assert first.summary["hv"] == again.totals["hv"]
    assert first.summary["carbon_g"] == again.totals["carbon_g"]


def test_an_interrupted_experiment_reuses_finished_runs(data_dir: Path, tmp_path: Path) -> None:
    cfg = load_config(config(tmp_path, hours=3))
    out = tmp_path / "exp"
    first = run_experiment(cfg, out_dir=out, data_dir=data_dir, jobs=1)
    summaries = sorted((out / "runs").rglob("summary.json"))
    assert len(summaries) == 4 and all((p.parent / "fingerprint.txt").is_file() for p in summaries)
    # "interrupt": one run lost its fingerprint (it had not finished), the others are reused
    (summaries[0].parent / "fingerprint.txt").unlink()
    stamps = {p: p.stat().st_mtime_ns for p in summaries}
    again = run_experiment(cfg, out_dir=out, data_dir=data_dir, jobs=1)
    rewritten = [p for p in summaries if p.stat().st_mtime_ns != stamps[p]]
    assert rewritten == [summaries[0]]
    assert [o.summary["hv"] for o in again.outcomes] == [o.summary["hv"] for o in first.outcomes]
    # another configuration (here the horizon) does not reuse anything
    cfg4 = load_config(config(tmp_path, hours=4))
    run_experiment(cfg4, out_dir=out, data_dir=data_dir, jobs=1)
    assert all(p.stat().st_mtime_ns != stamps[p] for p in summaries[1:])


def test_config_errors_from_the_cli_are_one_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    d = ["--data-dir", str(data_dir)]
    bad_metric = config(tmp_path, metric="latency_moon_ms:min")
    code, _, err = cli(capsys, "simulate", str(bad_metric), *d)
    assert code == 1 and "benchmark.objectives" in err and "latency_moon_ms" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    missing = config(tmp_path, trace="carbon/nope.csv")
    out = tmp_path / "never"
    code, _, err = cli(capsys, "experiment", str(missing), *d, "--seeds", "1", "--out", str(out))
    assert code == 1 and "carbon.trace" in err and "does not exist" in err
    assert not out.exists()
    long = config(tmp_path, hours=24 * 400)
    with pytest.raises(ConfigError, match="needs"):
        run_config(load_config(long), RunKey("CE-NAS", "trace1", 0), data_dir)


def test_edgegpu_config_without_the_pickle_names_the_file(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    root = Path(__file__).resolve().parents[2]
    if (data_dir / "nas/nb201/HW-NAS-Bench-v1_0.pickle").is_file():
        pytest.skip("the HW-NAS-Bench pickle is present")
    code, _, err = cli(
        capsys,
        "simulate",
        str(root / "configs/nb201_edgegpu_energy.toml"),
        "--data-dir",
        str(data_dir),
    )
    assert code == 1 and "benchmark.hwnas" in err and "HW-NAS-Bench-v1_0.pickle" in err


@pytest.mark.slow
def test_demo(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = cli(capsys, "demo", "--data-dir", str(data_dir), "--json")
    doc = json.loads(out)
    assert code == 0
    assert doc["accounting"] == "full"  # the demo says how its carbon was counted
    runs = {r["method"]: r for r in doc["runs"]}
    assert set(runs) == {"CE-NAS", "vanilla LaMOO", "one-shot LaMOO", "random allocation"}
    assert runs["CE-NAS"]["carbon_g"] < runs["vanilla LaMOO"]["carbon_g"]
    assert runs["one-shot LaMOO"]["n_trained"] == 0


def test_heuristic_with_a_forecaster(data_dir: Path, tmp_path: Path) -> None:
    text = CONFIG.format(hours=3, metric="latency_raspi4_ms:min", trace=TRACE)
    text = text.replace('windows = ["trace1"]', 'windows = ["trace2"]')
    text = text.replace('policy = "heuristic"', 'policy = "heuristic"\nforecaster = "persistence"')
    p = tmp_path / "fc.toml"
    p.write_text(text)
    r = run_config(load_config(p), RunKey("CE-NAS", "trace2", 0), data_dir)
    assert "forecast by PersistenceForecaster" in r.policy
    p.write_text(text.replace('"persistence"', '"crystal-ball"'))
    with pytest.raises(ConfigError, match="forecaster"):
        run_config(load_config(p), RunKey("CE-NAS", "trace2", 0), data_dir)


def test_simulate_with_a_budget_fraction(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    from cenas.sim import all_gpus_carbon_g, build_spec

    cfg = config(tmp_path, hours=3)
    d = ["--data-dir", str(data_dir), "--out", str(tmp_path / "run"), "--json"]
    code, out, _ = cli(
        capsys, "simulate", str(cfg), "--method", "vanilla LaMOO", "--budget-fraction", "0.5", *d
    )
    assert code == 0
    doc = json.loads(out)
    spec = build_spec(load_config(cfg), RunKey("vanilla LaMOO", "trace1", 0), data_dir)
    full = all_gpus_carbon_g(spec.sim, spec.trace, spec.start_s, spec.start_s + 3 * 3600.0)
    assert doc["budget_g"] == pytest.approx(0.5 * full)
    assert doc["carbon_g"] <= doc["budget_g"] and doc["accounting"] == "full"
    code, _, err = cli(capsys, "simulate", str(cfg), "--budget", "-5", *d)
    assert code != 0 and "--budget must be > 0" in err


def test_the_shipped_hybrid_gets_its_own_search_settings(data_dir: Path) -> None:
    from cenas.sim import build_spec

    cfg = load_config(Path(__file__).resolve().parents[2] / "configs" / "nb201_trace1.toml")
    hybrid = build_spec(cfg, RunKey("CE-NAS hybrid", "trace1", 0), data_dir)
    planner = build_spec(cfg, RunKey("CE-NAS planner", "trace1", 0), data_dir)
    assert hybrid.search.direct_when_empty and not planner.search.direct_when_empty
    assert hybrid.search.direct_candidates == 8 and planner.search.direct_candidates == 1
    vanilla = build_spec(cfg, RunKey("vanilla LaMOO", "trace1", 0), data_dir)
    assert vanilla.search.direct_candidates == 1  # the papers' vanilla LaMOO: uniform proposals
    assert hybrid.sim.queue_capacity == hybrid.search.queue_capacity == 8
    assert planner.sim.queue_capacity == 32
    assert hybrid.policy.name == "hybrid"
    r = run_config(cfg, RunKey("CE-NAS hybrid", "trace1", 0, budget_fraction=0.2), data_dir)
    assert r.totals["carbon_g"] <= r.totals["budget_g"]
    assert r.totals["queue_length"] <= 8
