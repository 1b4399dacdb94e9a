"""IntensityTrace: construction, windows, resampling, statistics, piecewise-constant values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cenas.carbon import (
    PAPER_WINDOWS,
    IntensityTrace,
    TraceFormat,
    intensity_integral,
    paper_window,
)
from cenas.errors import TraceError


def _trace(values: list[float], start: str = "2021-01-01", step: str = "h") -> IntensityTrace:
    idx = pd.date_range(start, periods=len(values), freq=step)
    return IntensityTrace.from_series(pd.Series(values, index=idx, dtype=float), step=step)


def test_from_series_basics() -> None:
    tr = _trace([100, 200, 300])
    assert tr.step_s == 3600
    assert tr.rows == len(tr) == 3
    assert tr.values_g_per_kwh.dtype == np.float64
    assert not tr.values_g_per_kwh.flags.writeable
    assert isinstance(tr.times, pd.DatetimeIndex) and str(tr.times.tz) == "UTC"
    assert tr.start_s == pd.Timestamp("2021-01-01", tz="UTC").timestamp()
    assert tr.end_s == tr.start_s + 3 * 3600
    assert tr.source.format is TraceFormat.SERIES
    s = tr.to_series()
    assert s.name == "carbon_intensity_g_per_kwh" and s.tolist() == [100, 200, 300]
    assert "rows=3" in repr(tr)


def test_from_series_rejects_irregular_and_bad_values() -> None:
    idx = pd.DatetimeIndex(["2021-01-01 00:00", "2021-01-01 01:00", "2021-01-01 03:00"])
    with pytest.raises(TraceError, match="must be regular with step 3600 s, but row 2"):
        IntensityTrace.from_series(pd.Series([1.0, 2.0, 3.0], index=idx))
    with pytest.raises(TraceError, match=r"finite and >= 0 .* step 1"):
        _trace([1.0, float("nan")])
    with pytest.raises(TraceError, match="DatetimeIndex"):
        IntensityTrace.from_series(pd.Series([1.0, 2.0]))


def test_value_at_is_piecewise_constant() -> None:
    tr = _trace([100, 200, 300])
    t0 = tr.start_s
    assert tr.value_at(t0) == 100
    assert tr.value_at(t0 + 3599.999) == 100
    assert tr.value_at(t0 + 3600) == 200
    assert tr.value_at(tr.end_s - 1e-3) == 300
    np.testing.assert_array_equal(tr.values_at([t0, t0 + 7200.5]), [100, 300])
    with pytest.raises(TraceError, match="outside the trace"):
        tr.value_at(tr.end_s)
    with pytest.raises(TraceError, match="outside the trace"):
        tr.value_at(t0 - 1)


def test_window_end_exclusive_and_strings() -> None:
    tr = _trace(list(range(10, 34)))
    w = tr.window("2021-01-01 02:00", "2021-01-01 05:00")
    assert w.values_g_per_kwh.tolist() == [12, 13, 14]
    assert w.start == pd.Timestamp("2021-01-01 02:00", tz="UTC")
    w2 = tr.window(pd.Timestamp("2021-01-01 03:00+01:00"), None)  # 02:00 UTC
    assert w2.values_g_per_kwh[0] == 12 and w2.end == tr.end
    with pytest.raises(TraceError, match="end must be after start"):
        tr.window("2021-01-01 05:00", "2021-01-01 05:00")
    with pytest.raises(TraceError, match="holds no step"):
        tr.window("2022-01-01", "2022-01-02")
    with pytest.raises(TraceError, match="must be a datetime"):
        tr.window("not a time", None)


def test_resample_exact() -> None:
    tr = _trace([100, 200, 300, 500])
    up = tr.resample("30min")
    assert up.step_s == 1800
    np.testing.assert_allclose(up.values_g_per_kwh, [100, 100, 200, 200, 300, 300, 500, 500])
    down = tr.resample(7200)
    np.testing.assert_allclose(down.values_g_per_kwh, [150, 400])
    odd = tr.resample("90min")  # 2 steps of 1.5 h: (100 + 100) / 1.5 ... exact integrals
    np.testing.assert_allclose(
        odd.values_g_per_kwh, [(100 + 0.5 * 200) / 1.5, (0.5 * 200 + 300) / 1.5]
    )
    assert tr.resample("1h") is tr
    with pytest.raises(TraceError, match="longer than the trace"):
        tr.resample("1D")
    with pytest.raises(TraceError, match="positive whole number"):
        tr.resample(0)


def test_stats() -> None:
    tr = _trace([100, 200, 300])
    st = tr.stats()
    assert (st.rows, st.mean, st.min, st.max) == (3, 200.0, 100.0, 300.0)
    assert st.cv == pytest.approx(np.std([100, 200, 300]) / 200)
    assert st.start == pd.Timestamp("2021-01-01", tz="UTC")
    assert st.end == pd.Timestamp("2021-01-01 02:00", tz="UTC")


def test_paper_windows_are_41_contiguous_hours() -> None:
    tr = _trace([float(i % 50 + 1) for i in range(24 * 5)])
    w1, w2 = paper_window(tr, "trace1"), paper_window(tr, "trace2")
    assert len(w1) == len(w2) == 41
    assert PAPER_WINDOWS["trace1"].hours == PAPER_WINDOWS["trace2"].hours == 41
    assert w1.end == w2.start == pd.Timestamp("2021-01-02 17:00", tz="UTC")
    assert w2.times[-1] == pd.Timestamp("2021-01-04 09:00", tz="UTC")
    with pytest.raises(TraceError, match="unknown paper window"):
        paper_window(tr, "trace3")
    with pytest.raises(TraceError, match="not inside the trace"):
        paper_window(_trace([1.0] * 10), "trace2")


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.floats(0, 1500, allow_nan=False), min_size=1, max_size=40),
    factor=st.sampled_from([2, 3, 4]),
)
def test_resample_preserves_the_integral(values: list[float], factor: int) -> None:
    tr = _trace(values)
    fine = tr.resample(3600 // factor)
    assert intensity_integral(fine, tr.start_s, tr.end_s) == pytest.approx(
        intensity_integral(tr, tr.start_s, tr.end_s), rel=1e-9, abs=1e-9
    )
    if len(values) >= factor:
        coarse = tr.resample(3600 * factor)
        assert intensity_integral(coarse, coarse.start_s, coarse.end_s) == pytest.approx(
            intensity_integral(tr, coarse.start_s, coarse.end_s), rel=1e-9, abs=1e-6
        )
