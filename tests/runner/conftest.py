from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


def write_trace(path: Path, values: list[float]) -> Path:
    lines = ["timestamp,value"]
    for h, v in enumerate(values):
        lines.append(f"2021-01-{1 + h // 24:02d}T{h % 24:02d}:00:00Z,{v}")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def search_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a tiny search config (synthetic set, unpaced clock) and its trace; returns its path."""

    def make(name: str = "cfg.toml", **run: object) -> Path:
        trace = write_trace(tmp_path / "trace.csv", [300.0, 100.0, 200.0, 50.0, 400.0, 250.0] * 8)
        settings = {
            "seed": 7,
            "workers": 2,
            "hours": 5,
            "seconds_per_hour": 0,
            "waves_per_interval": 2,
            "retries": 1,
            **run,
        }
        body = "\n".join(
            f"{k} = {v!r}" if not isinstance(v, str) else f'{k} = "{v}"'
            for k, v in settings.items()
        )
        text = f"""
[run]
{body}
[search]
initial_samples = 3
queue_capacity = 4
estimate_batch = 4
leaf_size = 4
[carbon]
trace = "{trace}"
start = "2021-01-01T00:00:00Z"
[workload]
dataset = "synthetic"
channels = 4
epochs = 1
supernet_epochs = 1
batch_size = 32
latency_repeats = 1
"""
        p = tmp_path / name
        p.write_text(text)
        return p

    return make
