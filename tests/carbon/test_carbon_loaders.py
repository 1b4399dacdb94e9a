"""Loaders: format detection, unit conversion, and one test per kind of bad file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cenas.carbon import (
    LBS_PER_MWH_TO_G_PER_KWH,
    EmissionKind,
    GapPolicy,
    TraceFormat,
    detect_format,
    load_trace,
    load_trace_frame,
)
from cenas.errors import TraceError

PORTAL_HEADER = (
    "Datetime (UTC),Country,Zone Name,Zone Id,Carbon Intensity gCO₂eq/kWh (direct),"
    "Carbon Intensity gCO₂eq/kWh (LCA),Low Carbon Percentage,Renewable Percentage,Data Source,"
    "Data Estimated,Data Estimation Method"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _portal(tmp_path: Path, rows: list[tuple[str, float, float]], name: str = "em.csv") -> Path:
    lines = [PORTAL_HEADER] + [
        f"{t},USA,California,US-CAL-CISO,{d},{lca},44.7,33.7,caiso.com,false," for t, d, lca in rows
    ]
    return _write(tmp_path, name, "\n".join(lines) + "\n")


def _hours(n: int, start: str = "2021-01-01") -> list[str]:
    return [str(t) for t in pd.date_range(start, periods=n, freq="h")]


def test_portal_direct_default_and_lca(tmp_path: Path) -> None:
    p = _portal(tmp_path, [(t, 100 + i, 200 + i) for i, t in enumerate(_hours(5))])
    tr = load_trace(p)
    assert tr.source.format is TraceFormat.ELECTRICITYMAPS_PORTAL
    assert tr.source.kind is EmissionKind.DIRECT
    assert tr.source.zone == "US-CAL-CISO"
    assert tr.step_s == 3600
    np.testing.assert_array_equal(tr.values_g_per_kwh, [100, 101, 102, 103, 104])
    assert str(tr.times.tz) == "UTC"
    lca = load_trace(p, kind="lca")
    assert lca.source.kind is EmissionKind.LCA
    np.testing.assert_array_equal(lca.values_g_per_kwh, [200, 201, 202, 203, 204])
    assert "lca" in lca.source.label and "em.csv" in lca.source.label
    assert "Renewable Percentage" in tr.covariates.columns  # type: ignore[union-attr]
    assert "Carbon Intensity gCO₂eq/kWh (LCA)" in tr.covariates.columns  # type: ignore[union-attr]


def test_portal_marginal_kind_rejected(tmp_path: Path) -> None:
    p = _portal(tmp_path, [(t, 100, 200) for t in _hours(3)])
    with pytest.raises(TraceError, match="kind='marginal'"):
        load_trace(p, kind="marginal")
    with pytest.raises(TraceError, match="kind must be one of"):
        load_trace(p, kind="bogus")


def test_em_api_epoch_and_iso(tmp_path: Path) -> None:
    epoch = 1609459200
    text = "timestamp,zone_name,carbon_intensity_avg,carbon_intensity_production_avg\n" + "".join(
        f"{epoch + 3600 * i},DE,{300 + i},{290 + i}\n" for i in range(4)
    )
    tr = load_trace(_write(tmp_path, "DE_2021.csv", text))
    assert tr.source.format is TraceFormat.ELECTRICITYMAPS_API
    assert tr.source.kind is EmissionKind.LCA
    assert tr.source.zone == "DE"
    assert tr.start == pd.Timestamp("2021-01-01", tz="UTC")
    np.testing.assert_array_equal(tr.values_g_per_kwh, [300, 301, 302, 303])
    text2 = "datetime,carbon_intensity_avg\n" + "".join(
        f"2021-01-01T0{i}:00:00.000Z,{300 + i}\n" for i in range(3)
    )
    tr2 = load_trace(_write(tmp_path, "api2.csv", text2), kind="direct")
    assert tr2.source.kind is EmissionKind.DIRECT
    assert tr2.start == pd.Timestamp("2021-01-01", tz="UTC")


def test_dacf_index_column_and_covariates(tmp_path: Path) -> None:
    text = ",UTC time,carbon_intensity,coal,forecast_avg_wind_speed_wMean\n" + "".join(
        f"{i},{t},{200 + i},{10 * i},{0.5 * i}\n" for i, t in enumerate(_hours(4))
    )
    p = _write(tmp_path, "CISO_direct_emissions.csv", text)
    tr = load_trace(p)
    assert tr.source.format is TraceFormat.DACF
    assert tr.source.zone == "CISO"
    assert tr.source.kind is EmissionKind.DIRECT
    assert tr.covariates is not None
    assert list(tr.covariates.columns) == ["coal", "forecast_avg_wind_speed_wMean"]
    frame = load_trace_frame(p)
    assert frame.columns[0] == "carbon_intensity_g_per_kwh"
    assert frame["coal"].tolist() == [0, 10, 20, 30]
    with pytest.raises(TraceError, match=r"holds only direct .* --kind direct"):
        load_trace(p, kind="lca")


def test_zone_and_kind_from_the_file_name_are_said(tmp_path: Path) -> None:
    text = "UTC time,carbon_intensity\n" + "".join(
        f"{t},{200 + i}\n" for i, t in enumerate(_hours(3))
    )
    p = _write(tmp_path, "PJM_direct_emissions.csv", text)
    notes = load_trace(p).report.notes  # type: ignore[union-attr]
    assert any(n.startswith("zone 'PJM' is guessed from the file name") for n in notes)
    assert any(n.startswith("kind 'direct' is guessed from the file name") for n in notes)
    # What the caller states is not a guess.
    said = load_trace(p, zone="US-PJM", kind="direct").report.notes  # type: ignore[union-attr]
    assert not any("guessed" in n for n in said)
    lwa = _write(tmp_path, "gb_ci.csv", "Time,Carbon Intensity\n" + "".join(
        f"{t},{200 + i}\n" for i, t in enumerate(_hours(3))
    ))  # fmt: skip
    tr = load_trace(lwa)
    assert tr.source.zone == "GB"
    assert any(n.startswith("zone 'GB' is guessed") for n in tr.report.notes)  # type: ignore[union-attr]
    with pytest.raises(TraceError, match=r"holds only life-cycle .* use kind 'lca'"):
        load_trace(lwa, kind="direct")


def test_carboncast_lifecycle_columns(tmp_path: Path) -> None:
    text = "UTC time,carbon_intensity_avg_lifecycle,carbon_intensity_avg_direct\n" + "".join(
        f"{t},{300 + i},{200 + i}\n" for i, t in enumerate(_hours(3))
    )
    p = _write(tmp_path, "cc.csv", text)
    assert load_trace(p).values_g_per_kwh[0] == 200
    assert load_trace(p, kind="lca").values_g_per_kwh[0] == 300


def test_watttime_moer_converted(tmp_path: Path) -> None:
    text = "timestamp,MOER,version,frequency\n" + "".join(
        f"2021-01-01T00:{5 * i:02d}:00+00:00,{1000 + i},3.0,300\n" for i in range(4)
    )
    tr = load_trace(_write(tmp_path, "CAISO_NORTH.csv", text))
    assert tr.source.format is TraceFormat.WATTTIME_MOER
    assert tr.source.kind is EmissionKind.MARGINAL
    assert tr.step_s == 300
    np.testing.assert_allclose(
        tr.values_g_per_kwh, (1000 + np.arange(4)) * LBS_PER_MWH_TO_G_PER_KWH
    )
    assert LBS_PER_MWH_TO_G_PER_KWH == 0.45359237
    text2 = "point_time,value,ba\n" + "".join(
        f"2021-01-01T0{i}:00:00Z,{900 + i},CAISO_NORTH\n" for i in range(3)
    )
    tr2 = load_trace(_write(tmp_path, "wt2.csv", text2))
    assert tr2.source.zone == "CAISO_NORTH"
    assert tr2.values_g_per_kwh[0] == pytest.approx(900 * 0.45359237)


def test_time_carbon_intensity_and_mixed_resolution(tmp_path: Path) -> None:
    # 30-min rows, then 15-min rows: the 15-min pairs are averaged into 30-min steps.
    times = [
        *pd.date_range("2020-10-30 22:00", periods=4, freq="30min"),
        *pd.date_range("2020-10-31 00:00", periods=4, freq="15min"),
    ]
    vals = [100, 200, 300, 400, 300, 500, 100, 300]
    text = "Time,Carbon Intensity\n" + "".join(
        f"{t},{v}\n" for t, v in zip(times, vals, strict=True)
    )
    tr = load_trace(_write(tmp_path, "gb_ci.csv", text))
    assert tr.source.format is TraceFormat.TIME_CARBON_INTENSITY
    assert tr.source.zone == "GB"
    assert tr.source.kind is EmissionKind.LCA
    assert tr.step_s == 1800
    np.testing.assert_allclose(tr.values_g_per_kwh, [100, 200, 300, 400, 400, 200])
    assert tr.report is not None and tr.report.merged_rows == 2


def test_generic_requires_time_zone(tmp_path: Path) -> None:
    naive = _write(
        tmp_path, "g.csv", "timestamp,value\n2021-01-01 00:00,100\n2021-01-01 01:00,110\n"
    )
    with pytest.raises(TraceError, match=r"g\.csv: row 1 \(line 2\).*has no time zone"):
        load_trace(naive)
    assert load_trace(naive, assume_utc=True).rows == 2
    aware = _write(
        tmp_path,
        "g2.csv",
        "timestamp,value\n2021-01-01T01:00+01:00,100\n2021-01-01T02:00+01:00,110\n",
    )
    tr = load_trace(aware, kind="lca")
    assert tr.source.format is TraceFormat.GENERIC
    assert tr.start == pd.Timestamp("2021-01-01 00:00", tz="UTC")
    assert tr.source.kind is EmissionKind.LCA


def test_dst_offsets_are_converted_to_utc(tmp_path: Path) -> None:
    # Local Berlin time across the October 2020 DST change: 02:00 occurs twice, with +02 and +01.
    local = pd.date_range("2020-10-25 00:00", periods=5, freq="h", tz="UTC").tz_convert(
        "Europe/Berlin"
    )
    text = "timestamp,value\n" + "".join(
        f"{t.isoformat()},{100 + i}\n" for i, t in enumerate(local)
    )
    tr = load_trace(_write(tmp_path, "dst.csv", text))
    assert tr.rows == 5 and tr.step_s == 3600
    assert tr.start == pd.Timestamp("2020-10-25 00:00", tz="UTC")


def test_mixed_time_zone_forms(tmp_path: Path) -> None:
    p = _write(tmp_path, "m.csv", "timestamp,value\n2021-01-01T00:00Z,1\n2021-01-01 01:00,2\n")
    with pytest.raises(TraceError, match=r"row 2 \(line 3\).*has no UTC offset but row 1"):
        load_trace(p)


def test_step_option_resamples(tmp_path: Path) -> None:
    p = _portal(tmp_path, [(t, 100 + 10 * i, 1) for i, t in enumerate(_hours(4))])
    tr = load_trace(p, step="2h")
    assert tr.step_s == 7200
    np.testing.assert_allclose(tr.values_g_per_kwh, [105, 125])


# ------------------------------------------------------------------------- bad files, messages
def test_empty_file(tmp_path: Path) -> None:
    p = _write(tmp_path, "empty.csv", "")
    with pytest.raises(TraceError, match=r"empty\.csv: the file is empty"):
        load_trace(p)


def test_header_only(tmp_path: Path) -> None:
    p = _write(tmp_path, "h.csv", "timestamp,value\n")
    with pytest.raises(TraceError, match=r"h\.csv: the file has a header but no data rows"):
        load_trace(p)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(TraceError, match="no such file"):
        load_trace(tmp_path / "nope.csv")


def test_other_format(tmp_path: Path) -> None:
    p = _write(tmp_path, "acc.csv", "arch,accuracy\n|a|,93.1\n")
    with pytest.raises(TraceError, match=r"acc\.csv: unrecognised header 'arch,accuracy'"):
        load_trace(p)
    with pytest.raises(TraceError, match="unrecognised header"):
        detect_format(p)


def test_binary_file(tmp_path: Path) -> None:
    p = tmp_path / "x.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(TraceError, match=r"x\.png: not a text CSV"):
        load_trace(p)


def test_unsorted(tmp_path: Path) -> None:
    h = _hours(3)
    p = _portal(tmp_path, [(h[0], 1, 1), (h[2], 2, 2), (h[1], 3, 3)])
    with pytest.raises(
        TraceError,
        match=r"em\.csv: row 3 \(line 4\): timestamp .* is before .*expected rows sorted",
    ):
        load_trace(p)


def test_duplicate(tmp_path: Path) -> None:
    h = _hours(3)
    p = _portal(tmp_path, [(h[0], 1, 1), (h[1], 2, 2), (h[1], 3, 3), (h[2], 4, 4)])
    with pytest.raises(TraceError, match=r"row 3 \(line 4\): duplicate timestamp '2021-01-01 01"):
        load_trace(p)


def test_gap_reported_and_filled_only_by_policy(tmp_path: Path) -> None:
    h = _hours(6)
    p = _portal(tmp_path, [(h[0], 100, 1), (h[1], 110, 1), (h[4], 140, 1), (h[5], 150, 1)])
    with pytest.raises(
        TraceError,
        match=r"row 3 \(line 4\): gap of 2 step\(s\) of 3600 s .* expected a row at "
        r"2021-01-01 02:00:00\+00:00; 1 gap\(s\), 2 missing",
    ):
        load_trace(p)
    ff = load_trace(p, gap_policy=GapPolicy.FORWARD_FILL)
    np.testing.assert_allclose(ff.values_g_per_kwh, [100, 110, 110, 110, 140, 150])
    li = load_trace(p, gap_policy="interpolate")
    np.testing.assert_allclose(li.values_g_per_kwh, [100, 110, 120, 130, 140, 150])
    assert li.report is not None and li.report.filled_steps == 2
    assert li.report.gaps[0].start == pd.Timestamp("2021-01-01 02:00", tz="UTC")
    assert li.covariates is not None and li.covariates["Country"].isna().tolist() == [
        False,
        False,
        True,
        True,
        False,
        False,
    ]
    with pytest.raises(TraceError, match="gap_policy must be one of"):
        load_trace(p, gap_policy="zero")


def test_nan_value(tmp_path: Path) -> None:
    p = _write(
        tmp_path, "n.csv", "Time,Carbon Intensity\n2021-01-01 00:00,100\n2021-01-01 01:00,\n"
    )
    with pytest.raises(TraceError, match=r"n\.csv: row 2 \(line 3\): value .* is missing \(NaN\)"):
        load_trace(p)


def test_non_numeric_value(tmp_path: Path) -> None:
    p = _write(
        tmp_path, "n.csv", "Time,Carbon Intensity\n2021-01-01 00:00,abc\n2021-01-01 01:00,1\n"
    )
    with pytest.raises(TraceError, match=r"row 1 \(line 2\): .* is not a number \('abc'\)"):
        load_trace(p)


def test_negative_value(tmp_path: Path) -> None:
    p = _portal(tmp_path, [(t, v, 1) for t, v in zip(_hours(3), [100, -5, 100], strict=True)])
    with pytest.raises(TraceError, match=r"row 2 \(line 3\): value -5.0 .* is negative"):
        load_trace(p)


def test_wrong_unit_too_large(tmp_path: Path) -> None:
    p = _portal(tmp_path, [(t, v, 1) for t, v in zip(_hours(3), [1e5, 2e5, 3e5], strict=True)])
    with pytest.raises(TraceError, match=r"row 3 \(line 4\): intensity 300000 .* another unit"):
        load_trace(p)
    assert load_trace(p, check_units=False).rows == 3


def test_wrong_unit_too_small(tmp_path: Path) -> None:
    p = _portal(tmp_path, [(t, v, 1) for t, v in zip(_hours(3), [0.2, 0.3, 0.25], strict=True)])
    with pytest.raises(TraceError, match=r"below 2 gCO2eq/kWh \(max 0.3\).*kg/kWh"):
        load_trace(p)


def test_unparseable_time(tmp_path: Path) -> None:
    p = _write(tmp_path, "t.csv", "Time,Carbon Intensity\n2021-01-01 00:00,1\nyesterday,2\n")
    with pytest.raises(TraceError, match=r"row 2 \(line 3\): cannot parse time 'yesterday'"):
        load_trace(p)


def test_off_grid_row(tmp_path: Path) -> None:
    text = "timestamp,value\n" + "".join(
        f"2021-01-01T{t}Z,100\n" for t in ["00:00", "01:00", "02:00", "03:10", "04:00"]
    )
    with pytest.raises(TraceError, match=r"row 4 \(line 5\): time .* is off the 3600 s grid"):
        load_trace(_write(tmp_path, "o.csv", text))


def test_single_row_needs_step(tmp_path: Path) -> None:
    p = _write(tmp_path, "one.csv", "timestamp,value\n2021-01-01T00:00Z,100\n")
    with pytest.raises(TraceError, match="only one data row"):
        load_trace(p)
    assert load_trace(p, step=3600).end_s - load_trace(p, step=3600).start_s == 3600


def test_time_zone_suffix_forms(tmp_path: Path) -> None:
    text = "timestamp,value\n2021-01-01 00:00:00 UTC,100\n2021-01-01 01:00:00 UTC,110\n"
    assert load_trace(_write(tmp_path, "u.csv", text)).start == pd.Timestamp("2021-01-01", tz="UTC")
    dates = "timestamp,value\n2021-01-01,100\n2021-01-02,110\n"  # "-01" is not an offset
    with pytest.raises(TraceError, match="has no time zone"):
        load_trace(_write(tmp_path, "d.csv", dates))
    assert load_trace(_write(tmp_path, "d.csv", dates), assume_utc=True).step_s == 86400


def test_epoch_milliseconds_rejected(tmp_path: Path) -> None:
    text = "timestamp,value\n1609459200000,100\n1609462800000,110\n"
    with pytest.raises(TraceError, match=r"row 1 \(line 2\): .* not UNIX epoch seconds"):
        load_trace(_write(tmp_path, "ms.csv", text))


def test_numpy_numbers_in_messages_read_as_numbers() -> None:
    from cenas.carbon import to_utc_timestamp
    from cenas.carbon._time import to_step_s

    with pytest.raises(TraceError, match=r"got inf$") as e:
        to_utc_timestamp(np.float64(np.inf), what="--start")
    assert "np.float64" not in str(e.value)
    with pytest.raises(TraceError, match=r"got -1\.0$"):
        to_step_s(np.float64(-1))


def test_missing_time_column_is_named(tmp_path: Path) -> None:
    p = _write(tmp_path, "moer.csv", "MOER,region\n100,CAISO\n")
    with pytest.raises(
        TraceError, match=r"needs a `point_time` or `timestamp` column, header is 'MOER,region'"
    ):
        load_trace(p)
    p = _write(tmp_path, "api.csv", "carbon_intensity_avg,zone_name\n100,DE\n")
    with pytest.raises(TraceError, match=r"needs a `datetime` or `timestamp` column"):
        load_trace(p)
