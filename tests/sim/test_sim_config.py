"""Configuration files: the repository's examples parse; errors name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from cenas.errors import ConfigError
from cenas.search import SearchMode
from cenas.sim import bundled_config, load_config, parse_config, plan_runs

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = """
[benchmark]
objectives = ["cifar10_test_acc:max", "latency_raspi4_ms:min"]
ref_point = [0, 100]

[carbon]
trace = "carbon/electricitymaps/US-CAL-CISO_2021_hourly.csv"
windows = ["trace1", "2021-03-01T00:00"]

[[methods]]
name = "CE-NAS"
policy = "heuristic"
lookahead_h = 12

[[methods]]
name = "vanilla"
policy = "all-evaluation"
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "exp.toml"
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    "path",
    [
        # search_*.toml are live-search configs (cenas.runner), tested in tests/runner; rl_*.toml
        # are RL training configs (cenas.rl), tested in tests/rl
        *sorted(
            p
            for p in (ROOT / "configs").glob("*.toml")
            if not p.name.startswith(("search_", "rl_"))
        ),
        bundled_config("demo"),
    ],
    ids=lambda p: p.name,
)
def test_shipped_configs_parse(path: Path) -> None:
    cfg = load_config(path)
    assert cfg.methods and cfg.windows
    assert cfg.horizon_h(cfg.windows[0]) > 0


def test_minimal_config_defaults_and_modes(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, MINIMAL))
    assert [m.mode for m in cfg.methods] == [SearchMode.CENAS, SearchMode.VANILLA]
    assert cfg.methods[0].params == {"lookahead_h": 12}
    assert cfg.ref_point == (0.0, 100.0)
    assert cfg.windows[0].hours == 41 and cfg.windows[1].hours is None
    assert cfg.horizon_h(cfg.windows[0]) == 41
    with pytest.raises(ConfigError, match="horizon_h is required"):
        cfg.horizon_h(cfg.windows[1])
    keys = plan_runs(cfg.with_overrides(seeds=2))
    assert len(keys) == 2 * 2 * 2 and keys[0].budget_g is None
    assert cfg.method(None).name == "CE-NAS"
    with pytest.raises(ConfigError, match="no method named"):
        cfg.method("nope")


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (("[carbon]", "[carbon]\ncolour = 1"), "carbon.colour: unknown key"),
        (("[benchmark]", '[sim]\ngpus = "eight"\n[benchmark]'), "sim.gpus must be an integer"),
        (("[benchmark]", "[sim]\npue = 0.5\n[benchmark]"), "pue must be >= 1"),
        (
            ('policy = "heuristic"', 'policy = "greedy"'),
            "methods\\[0\\].policy: unknown allocation",
        ),
        (("lookahead_h = 12", "look_ahead = 12"), "has no parameter 'look_ahead'"),
        (("ref_point = [0, 100]", "ref_point = [0]"), "benchmark.ref_point must have one value"),
        (('"latency_raspi4_ms:min"', '"latency_raspi4_ms:best"'), "benchmark.objectives"),
        (('windows = ["trace1", "2021-03-01T00:00"]', 'windows = ["trace9"]'), "carbon.windows"),
        (("[[methods]]", '[search]\nsampler = "magic"\n[[methods]]'), "search.sampler"),
        (("[[methods]]", "[experiment]\nseeds = 0\n[[methods]]"), "seeds >= 1"),
        (("[[methods]]", '[search.lamoo]\nkernel = "linear"\n[[methods]]'), "search.lamoo.kernel"),
        (("[[methods]]", "mystery = 1\n[[methods]]"), "unknown key"),
        (
            ('policy = "all-evaluation"', 'policy = "all-evaluation"\nforecaster = "persistence"'),
            "uses no forecaster",
        ),
    ],
)
def test_errors_name_file_and_key(tmp_path: Path, edit: tuple[str, str], match: str) -> None:
    text = MINIMAL.replace(edit[0], edit[1], 1)
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=match) as e:
        load_config(path)
    assert str(path) in str(e.value)


def test_missing_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[benchmark\n"))
    with pytest.raises(ConfigError, match="benchmark is required"):
        parse_config({}, "x.toml")


def test_overrides(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, MINIMAL))
    o = cfg.with_overrides(trace="other.csv", seeds=3, jobs=1)
    assert (o.trace, o.seeds, o.jobs) == ("other.csv", 3, 1)
    with pytest.raises(ConfigError):
        cfg.with_overrides(seeds=0)


def test_accounting_hygiene_and_budget_fractions_parse(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "[[methods]]",
        '[sim]\naccounting = "reference"\npower_off_w = 0.0\nsupernet_finetune_fraction = 0.25\n'
        '\n[search]\nfill_before_fit = false\ndrop_stale = true\nrank_by = "predicted-hvi"\n'
        "push_per_task = 2\n\n[experiment]\ncarbon_budget_fractions = [0.1, 0.4]\n\n[[methods]]",
        1,
    )
    cfg = load_config(write(tmp_path, text))
    assert cfg.sim.accounting.value == "reference" and cfg.sim.power_off_w == 0.0
    assert cfg.search.rank_by.value == "predicted-hvi" and cfg.search.drop_stale
    assert cfg.carbon_budget_fractions == (0.1, 0.4)
    keys = plan_runs(cfg)
    assert {k.budget_fraction for k in keys} == {None, 0.1, 0.4}
    assert len(keys) == 3 * len(cfg.windows) * len(cfg.methods) * cfg.seeds
    assert {k.slug.split("/")[2] for k in keys} == {"nobudget", "budget0.1x", "budget0.4x"}


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        ('accounting = "reference"', "sim.accounting must be one of full, reference"),
        ("power_off_w = 0.0", "sim.power_off_w"),
        ("carbon_budget_fractions = [0.1, 0.4]", "carbon_budget_fractions must be > 0"),
    ],
)
def test_new_keys_are_validated(tmp_path: Path, edit: str, match: str) -> None:
    bad = {
        'accounting = "reference"': 'accounting = "partial"',
        "power_off_w = 0.0": "power_off_w = -5.0",
        "carbon_budget_fractions = [0.1, 0.4]": "carbon_budget_fractions = [0.0]",
    }[edit]
    section = "experiment" if "fractions" in edit else "sim"
    text = MINIMAL.replace("[[methods]]", f"[{section}]\n{bad}\n\n[[methods]]", 1)
    with pytest.raises(ConfigError, match=match):
        load_config(write(tmp_path, text))


def test_a_policy_without_a_forecaster_rejects_one(tmp_path: Path) -> None:
    text = MINIMAL.replace('policy = "all-evaluation"', 'policy = "random"\nforecaster = "x"')
    with pytest.raises(ConfigError, match="uses no forecaster; policies that do: heuristic"):
        load_config(write(tmp_path, text))


def test_a_method_sets_its_own_search_settings(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "lookahead_h = 12",
        "lookahead_h = 12\nsearch = { direct_when_empty = true, queue_capacity = 8 }",
    )
    cfg = load_config(write(tmp_path, text))
    ours, vanilla = cfg.method("CE-NAS"), cfg.method("vanilla")
    assert dict(ours.search) == {"direct_when_empty": True, "queue_capacity": 8}
    assert dict(vanilla.search) == {}
    assert cfg.search.direct_when_empty is False  # [search] itself is unchanged
    # [search] cannot set Cap(R) (it is [sim].queue_capacity), a method can
    with pytest.raises(ConfigError, match=r"search\.queue_capacity: unknown key"):
        load_config(write(tmp_path, MINIMAL + "\n[search]\nqueue_capacity = 8\n"))


@pytest.mark.parametrize(
    ("search", "match"),
    [
        ("{ direct_when_empty = 1 }", r"methods\[0\]\.search\.direct_when_empty must be"),
        ("{ ranked = 1 }", r"methods\[0\]\.search\.ranked: unknown key"),
        ('{ rank_by = "psychic" }', r"methods 'CE-NAS': search: rank_by must be one of"),
        ("{ queue_capacity = 0 }", r"methods 'CE-NAS': search: queue_capacity must be"),
        ("{ direct_candidates = 0 }", r"search: direct_candidates must be an integer >= 1"),
        ('{ direct_candidates = "8" }', r"methods\[0\]\.search\.direct_candidates must be"),
        ("3", r"methods\[0\]\.search must be a table"),
    ],
)
def test_a_method_search_table_is_validated(tmp_path: Path, search: str, match: str) -> None:
    text = MINIMAL.replace("lookahead_h = 12", f"lookahead_h = 12\nsearch = {search}")
    with pytest.raises(ConfigError, match=match):
        load_config(write(tmp_path, text))
