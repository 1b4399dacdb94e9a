"""The LaMOO effectiveness experiment (Figure 3) on the toy benchmark."""

from __future__ import annotations

import numpy as np
import pytest

from cenas.bench import Objectives
from cenas.errors import ConfigError
from cenas.moo import LaMOO, benchmark_reference_point, hypervolume, lamoo_effectiveness

OBJ = Objectives.parse("acc:max,lat_ms:min")


def test_reference_point_is_the_worst_of_the_table(toy_bench) -> None:  # type: ignore[no-untyped-def]
    ref = benchmark_reference_point(toy_bench, OBJ)
    y = OBJ.evaluate(toy_bench, toy_bench.space.all_indices())
    np.testing.assert_allclose(ref, y.max(axis=0))
    assert hypervolume(y, ref) > 0


def test_effectiveness_structure_and_determinism(toy_bench) -> None:  # type: ignore[no-untyped-def]
    kw = {"runs": 3, "samples": 40, "draws": 10, "lamoo": LaMOO(leaf_size=8), "seed": 5}
    res = lamoo_effectiveness(toy_bench, OBJ, **kw)  # type: ignore[arg-type]
    again = lamoo_effectiveness(toy_bench, OBJ, **kw)  # type: ignore[arg-type]
    assert res == again
    assert res.runs == 3 and len(res.per_run) == 3
    assert set(res.region.means) == {"acc", "lat_ms"}
    assert res.units == ["%", "ms"]
    assert res.ref_point[0] == pytest.approx(toy_bench.column("acc").min())
    mean_acc = np.mean([r.region.means["acc"] for r in res.per_run])
    assert res.region.means["acc"] == pytest.approx(mean_acc)
    for r in res.per_run:
        assert 0 < r.region_size <= toy_bench.space.size
        assert r.whole.hypervolume >= 0 and r.region.hypervolume >= 0
        assert set(r.region_path) <= {"g", "b"}
    other = lamoo_effectiveness(toy_bench, OBJ, **{**kw, "seed": 6})  # type: ignore[arg-type]
    assert other.per_run[0].whole != res.per_run[0].whole


def test_effectiveness_rejects_impossible_settings(toy_bench) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="exceed the space"):
        lamoo_effectiveness(toy_bench, OBJ, samples=250, draws=10)
    with pytest.raises(ConfigError, match="runs >= 1"):
        lamoo_effectiveness(toy_bench, OBJ, runs=0)
