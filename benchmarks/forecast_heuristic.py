"""The forecast-driven CE-NAS heuristic on the papers' two windows (US-CAL-CISO 2021, trace 1 and
trace 2), against the same heuristic with the oracle look-ahead it uses by default.

    CENAS_DATA_DIR=../shared/data python benchmarks/forecast_heuristic.py [--seeds 3]

The learned forecaster (gbm) is fitted on the DACF CISO file's 2020 hours only (without covariates:
the Electricity Maps trace has none) and saved with its training period; the simulator checks that
the period ends before each window and takes the history before 2021-01-01 (trace 1 starts at the
file's first hour) from the DACF file (``carbon.forecast_history``). Persistence needs no fitting.

Prints, per window: each forecaster's MAPE over the window's hourly 24 h look-ahead forecasts
(issued every hour, compared with the trace), then the median over seeds of the final HV, carbon
(full accounting, kgCO2eq) and architectures trained for each method.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import dataclasses
import tempfile
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from cenas.carbon import PAPER_WINDOWS, load_trace
from cenas.data import locate
from cenas.forecast import GradientBoostingForecaster, mape_percent
from cenas.search import SearchMode
from cenas.sim import MethodSpec, RunKey, load_config, run_config
from cenas.sim._build import build_spec

ROOT = Path(__file__).resolve().parents[1]
HISTORY = "carbon/dacf/CISO_direct_emissions.csv"
LOOKAHEAD_H = 24


def _method(name: str, forecaster: str | None) -> MethodSpec:
    params = MappingProxyType({"lookahead_h": LOOKAHEAD_H})
    return MethodSpec(name, "heuristic", params, SearchMode.CENAS, forecaster)


def _window_mape(spec: Any, hours: int) -> float:
    """MAPE (%) of the policy's forecaster over the window: a 24 h forecast issued every hour."""
    f, trace = spec.policy.forecaster, spec.trace
    start = pd.Timestamp(spec.start_s, unit="s", tz="UTC")
    values = trace.values_g_per_kwh
    errs = []
    for k in range(hours):
        t = start + pd.Timedelta(hours=k)
        i = int((t - trace.start) // pd.Timedelta(seconds=trace.step_s))
        pred = f.predict(trace, t, LOOKAHEAD_H)
        errs.append(mape_percent(pred, values[i : i + LOOKAHEAD_H]))
    return float(np.mean(errs))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--data-dir", default=None)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        dacf = load_trace(locate(HISTORY, args.data_dir))
        gbm = GradientBoostingForecaster().fit(
            dataclasses.replace(dacf, covariates=None),
            seed=0,
            end="2021-01-01",
            valid_from="2020-10-01",
        )
        model_dir = str(gbm.save(Path(tmp) / "gbm"))
        assert gbm.training_ is not None
        print(f"gbm {gbm.training_.describe()}, {gbm.n_trees_} trees")
        methods = (
            _method("heuristic, oracle look-ahead", None),
            _method("heuristic, persistence forecast", "persistence"),
            _method("heuristic, gbm forecast", model_dir),
        )
        for trace in ("trace1", "trace2"):
            base = load_config(ROOT / "configs" / f"nb201_{trace}.toml")
            cfg = dataclasses.replace(base, methods=methods, forecast_history=HISTORY)
            hours = PAPER_WINDOWS[trace].hours
            print(f"\n{trace} ({PAPER_WINDOWS[trace].start:%Y-%m-%d %H:%M} UTC, {hours} h)")
            for m in methods[1:]:
                spec = build_spec(cfg, RunKey(m.name, trace, 0), args.data_dir)
                print(f"  {m.name:34s} window MAPE {_window_mape(spec, hours):6.2f} %")
            print(f"  {'method':34s} {'HV':>8s} {'kgCO2eq':>8s} {'trained':>8s}   (full, median)")
            for m in methods:
                rows = []
                for s in range(args.seeds):
                    r = run_config(cfg, RunKey(m.name, trace, s), args.data_dir)
                    rows.append((r.totals["hv"], r.totals["carbon_g"], r.totals["n_trained"]))
                hv, c, n = np.median(np.array(rows), axis=0)
                print(f"  {m.name:34s} {hv:8.2f} {c / 1000:8.2f} {n:8.0f}")


if __name__ == "__main__":
    main()
