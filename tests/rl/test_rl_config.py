"""Training configs: every key checked, held-out years refused; the shipped configs parse."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cenas.errors import ConfigError
from cenas.rl import ActionKind, load_rl_config, parse_rl_config

ROOT = Path(__file__).resolve().parents[2]


def _doc(**rl: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "experiment": "nb201_trace1.toml",
        "traces": [
            {"file": "x.csv", "first_start": "2020-01-02T00:00", "last_start": "2020-06-01T00:00"}
        ],
    }
    base.update(rl)
    return {"rl": base}


def test_defaults_and_shipped_config() -> None:
    cfg = parse_rl_config(_doc(), "t.toml", ROOT / "configs")
    assert cfg.algorithm == "ppo" and cfg.action.kind is ActionKind.DISCRETE
    assert cfg.experiment == ROOT / "configs" / "nb201_trace1.toml"
    shipped_configs = (
        ("rl_default", "discrete"),
        ("rl_continuous", "continuous"),
        ("rl_a2c", "discrete"),
    )
    for name, kind in shipped_configs:
        shipped = load_rl_config(ROOT / "configs" / f"{name}.toml")
        assert shipped.experiment.is_file()
        assert shipped.action.kind is ActionKind(kind)
        assert shipped.warm_start_episodes > 0
        years = {y for t in shipped.traces for y in (t.first_start.year, t.last_start.year)}
        assert years == {2020, 2022}


@pytest.mark.parametrize(
    ("doc", "match"),
    [
        ({"rl": {}}, r"rl\.experiment is required"),
        ({"x": 1, **_doc()}, "unknown key"),
        (_doc(algorithm="dqn"), "algorithm must be one of ppo, a2c"),
        (_doc(action="box"), "action must be discrete or continuous"),
        (_doc(levels=0), "levels"),
        (_doc(timesteps="many"), "timesteps must be int"),
        (_doc(budget_fractions=[0.1, 2.0]), r"budget_fractions must be numbers in \(0, 1\]"),
        (_doc(reward={"speed": 1.0}), r"rl\.reward\.speed: unknown key"),
        (_doc(input="future"), "input must be forecast or oracle"),
        (_doc(traces=[]), "at least one training trace"),
        (
            _doc(traces=[{"file": "x", "first_start": "2020-02-01", "last_start": "2020-01-01"}]),
            "is before first_start",
        ),
        (
            _doc(traces=[{"file": "x", "first_start": "2020-06-01", "last_start": "2020-12-30"}]),
            "held-out year 2021",
        ),
        (
            _doc(traces=[{"file": "x", "first_start": "soon", "last_start": "2020-12-30"}]),
            "must be an ISO time",
        ),
    ],
)
def test_bad_configs_name_the_key(doc: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        parse_rl_config(doc, "t.toml")


def test_missing_file() -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_rl_config("/nonexistent/rl.toml")


def test_alloc_names_rl_without_importing_it_or_torch() -> None:
    code = (
        "import sys, cenas.alloc as a; assert 'rl' in a.POLICIES; "
        "assert 'cenas.rl' not in sys.modules and 'torch' not in sys.modules; "
        "p = a.make_policy('rl'); assert 'torch' not in sys.modules; print(p.name)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "rl"
