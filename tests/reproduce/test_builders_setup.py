"""What the builders set up before any run: the simulation config and the optimiser table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cenas.carbon import Accounting
from cenas.ecnas import COMPARISON_METHODS, comparison_methods
from cenas.errors import ConfigError
from cenas.reproduce import ReproduceSettings
from cenas.reproduce._sim_runs import FORECAST_METHODS, oracle_name, sim_config

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "nb201_trace1.toml"


@pytest.mark.parametrize("acc", list(Accounting))
def test_sim_config_has_both_windows_the_mode_and_oracle_twins(acc: Accounting) -> None:
    cfg = sim_config(CONFIG, acc, seeds=3)
    assert [w.name for w in cfg.windows] == ["trace1", "trace2"]
    assert cfg.sim.accounting is acc and cfg.seeds == 3
    methods = {m.name: m for m in cfg.methods}
    for name in FORECAST_METHODS:
        assert methods[name].forecaster is not None
        twin = methods[oracle_name(name)]
        assert twin.forecaster is None and twin.policy == methods[name].policy
        assert dict(twin.params) == dict(methods[name].params)
        assert dict(twin.search) == dict(methods[name].search)


def test_comparison_methods_by_name() -> None:
    ref = np.array([0.0, 1.0])
    assert [m.name for m in comparison_methods(ref)] == list(COMPARISON_METHODS)
    assert [m.name for m in comparison_methods(ref, names=["lamoo", "random"])] == [
        "random",
        "lamoo",
    ]
    with pytest.raises(ConfigError, match="unknown EC-NAS comparison method"):
        comparison_methods(ref, names=["nsga3"])


def test_quick_settings_do_less_work_than_full() -> None:
    q, f = ReproduceSettings.for_mode(True), ReproduceSettings.for_mode(False)
    assert q.quick and not f.quick
    assert q.seeds < f.seeds and q.budget_seeds < f.budget_seeds
    assert q.surrogate_epochs < f.surrogate_epochs == 200
    assert f.fig3_runs == 10  # the papers' runs
    with pytest.raises(ConfigError, match="budget fractions"):
        ReproduceSettings(**{**q.__dict__, "budget_fractions": (0.0,)})
