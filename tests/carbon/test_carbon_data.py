"""The reference carbon files: each loads with the right format; the CISO 2021 numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cenas.carbon import EmissionKind, GapPolicy, TraceFormat, load_trace, paper_window
from cenas.errors import TraceError

pytestmark = pytest.mark.data

CASES = [
    ("electricitymaps/US-CAL-CISO_2021_hourly.csv", TraceFormat.ELECTRICITYMAPS_PORTAL, 3600, 8760),
    ("electricitymaps/US-CAL-CISO_2022_hourly.csv", TraceFormat.ELECTRICITYMAPS_PORTAL, 3600, 8760),
    ("electricitymaps/US-CAL-CISO_2023_hourly.csv", TraceFormat.ELECTRICITYMAPS_PORTAL, 3600, 8760),
    ("dacf/CISO_direct_emissions.csv", TraceFormat.DACF, 3600, 17544),
    ("dacf/PJM_direct_emissions.csv", TraceFormat.DACF, 3600, 17544),
    ("dacf/SE_direct_emissions.csv", TraceFormat.DACF, 3600, 17544),
    # GB: 30-min rows until 2020-10-31, 15-min after; averaged into 30-min steps.
    ("lets_wait_awhile/gb_ci.csv", TraceFormat.TIME_CARBON_INTENSITY, 1800, 18576),
    # DE: 15-min with 2 missing rows on 2020-12-19 (23:15, 23:45), filled only on request.
    ("lets_wait_awhile/ger_ci.csv", TraceFormat.TIME_CARBON_INTENSITY, 900, 37149),
]


@pytest.mark.parametrize(("name", "fmt", "step_s", "rows"), CASES)
def test_every_reference_file_loads(
    data_dir: Path, name: str, fmt: TraceFormat, step_s: int, rows: int
) -> None:
    policy = GapPolicy.INTERPOLATE if name.endswith("ger_ci.csv") else GapPolicy.ERROR
    tr = load_trace(data_dir / "carbon" / name, gap_policy=policy)
    assert tr.source.format is fmt
    assert (tr.step_s, tr.rows) == (step_s, rows)


def test_ciso_2021_direct_stats(data_dir: Path) -> None:
    tr = load_trace(data_dir / "carbon/electricitymaps/US-CAL-CISO_2021_hourly.csv")
    st = tr.stats()
    assert st.rows == 8760
    assert st.mean == pytest.approx(205.6, abs=0.1)
    assert st.min == pytest.approx(58.8, abs=0.1)
    assert st.max == pytest.approx(326.0, abs=0.1)
    assert tr.source.kind is EmissionKind.DIRECT and tr.source.zone == "US-CAL-CISO"
    assert st.start == pd.Timestamp("2021-01-01", tz="UTC")
    assert st.end == pd.Timestamp("2021-12-31 23:00", tz="UTC")
    assert len(paper_window(tr, "trace1")) == len(paper_window(tr, "trace2")) == 41


def test_ger_gap_is_an_error_by_default(data_dir: Path) -> None:
    with pytest.raises(
        TraceError, match=r"ger_ci\.csv: row 35134 .*expected a row at 2020-12-19 23:15"
    ):
        load_trace(data_dir / "carbon/lets_wait_awhile/ger_ci.csv")


def test_dacf_covariates_for_the_forecaster(data_dir: Path) -> None:
    tr = load_trace(data_dir / "carbon/dacf/CISO_direct_emissions.csv")
    assert tr.covariates is not None
    cols = set(tr.covariates.columns)
    assert {"forecast_avg_temperature_wMean", "avg_solar_production_forecast", "coal"} <= cols
    assert not any(c.startswith("Unnamed") for c in cols)
