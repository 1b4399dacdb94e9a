"""SEMOA against the Optimizer contract, and the optimiser comparison on a toy benchmark."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cenas.bench import Benchmark, Objectives
from cenas.ecnas import (
    SEMOA,
    MethodSpec,
    attainment_plot_data,
    compare_optimizers,
    point_summaries,
    render_attainment,
)
from cenas.errors import ConfigError
from cenas.moo import NSGA2, RandomSearch, non_dominated_mask, run_optimizer


def test_semoa_asks_new_architectures_and_keeps_the_best(toy_benchmark: Benchmark) -> None:
    b = toy_benchmark
    obj = Objectives.of(b, ["acc", "energy_kwh"])
    opt = SEMOA(b.space, pop_size=8, seed=3)
    hist = run_optimizer(opt, b, obj, n_evals=50, batch_size=5)
    assert hist.idx.size == 50 and np.unique(hist.idx).size == 50
    pop = opt.population
    assert pop.size == 8 and set(pop.tolist()) <= set(hist.idx.tolist())
    # The best-ranked survivor is on the front of everything seen.
    y_all = obj.evaluate(b, hist.idx)
    front = set(hist.idx[non_dominated_mask(y_all)].tolist())
    assert int(pop[0]) in front
    again = run_optimizer(SEMOA(b.space, pop_size=8, seed=3), b, obj, n_evals=50, batch_size=5)
    assert (again.idx == hist.idx).all()
    other = run_optimizer(SEMOA(b.space, pop_size=8, seed=4), b, obj, n_evals=50, batch_size=5)
    assert not (other.idx == hist.idx).all()


def test_semoa_validates_its_settings(toy_benchmark: Benchmark) -> None:
    with pytest.raises(ConfigError, match="pop_size"):
        SEMOA(toy_benchmark.space, pop_size=1)
    with pytest.raises(ConfigError, match="eta_p"):
        SEMOA(toy_benchmark.space, eta_p=2.5)


def test_comparison_summaries_and_attainment(toy_benchmark: Benchmark, tmp_path: Path) -> None:
    b = toy_benchmark
    obj = Objectives.of(b, ["acc", "energy_kwh"])
    ref = obj.to_min([0.0, float(b.column("energy_kwh").max())])
    methods = [
        MethodSpec("random", lambda s, seed: RandomSearch(s, seed=seed)),
        MethodSpec("semoa", lambda s, seed: SEMOA(s, pop_size=6, seed=seed)),
        MethodSpec("nsga2", lambda s, seed: NSGA2(s, pop_size=6, seed=seed)),
    ]
    res = compare_optimizers(b, methods, obj, ref_point=ref, n_evals=30, batch_size=6, trials=3)
    assert res.methods == ["random", "semoa", "nsga2"] and len(res.trials) == 9
    assert all(0 < t.hypervolume <= res.hv_max + 1e-12 for t in res.trials)
    # Common random numbers: trial k of every method has the same seed.
    assert [t.seed for t in res.of("random")] == [t.seed for t in res.of("semoa")]
    again = compare_optimizers(
        b, methods[:1], obj, ref_point=ref, n_evals=30, batch_size=6, trials=3
    )
    assert [t.hypervolume for t in again.trials] == [t.hypervolume for t in res.of("random")]

    pts = point_summaries(res, b, ["acc", "energy_kwh", "time_s"])
    assert [(p.method, p.point) for p in pts[:3]] == [
        ("random", "best acc"),
        ("random", "best energy_kwh"),
        ("random", "knee"),
    ]
    best_acc, best_energy, knee = pts[:3]
    assert best_acc.mean["acc"] >= knee.mean["acc"] >= best_energy.mean["acc"]
    assert best_energy.mean["energy_kwh"] <= knee.mean["energy_kwh"] <= best_acc.mean["energy_kwh"]
    assert len(best_acc.archs) == 3 and all(v >= 0 for v in best_acc.std.values())

    data = attainment_plot_data(res, b, levels=(10, 50, 100))
    assert data.x_label == "energy_kwh (kWh)" and data.y_label == "acc (%)"
    for surf in data.surfaces.values():
        for pts_lv in surf.values():
            assert pts_lv.shape[1] == 2 and (np.diff(pts_lv[:, 0]) >= 0).all()
            assert (np.diff(pts_lv[:, 1]) >= 0).all()  # more energy buys more accuracy
    # No attainment surface goes beyond the true front.
    tf = data.true_front
    assert (np.diff(tf[:, 0]) >= 0).all()
    for surf in data.surfaces.values():
        for e, a in np.concatenate(list(surf.values())):
            assert ((tf[:, 0] <= e) & (tf[:, 1] >= a)).any()
    png = render_attainment(data, tmp_path / "att.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ConfigError, match="distinct"):
        compare_optimizers(b, [methods[0], methods[0]], obj, ref_point=ref)
