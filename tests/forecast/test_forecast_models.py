"""Learned models: seeded reproducibility, save/load round trips, covariate features."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from cenas.carbon import IntensityTrace, load_trace
from cenas.errors import ForecastError
from cenas.forecast import (
    CovariateEncoder,
    Forecaster,
    GradientBoostingForecaster,
    PersistenceForecaster,
    TransformerForecaster,
    to_hourly,
)
from cenas.forecast._trees import predict_trees


def _tiny_transformer() -> TransformerForecaster:
    return TransformerForecaster(
        context_days=2, d_model=8, n_heads=2, n_layers=1, ff=16, max_epochs=3, issue_stride_h=6
    )


ISSUE = pd.Timestamp("2021-04-15", tz="UTC")


@pytest.mark.slow
def test_transformer_seeded_reproducibility(make_trace: Callable[..., IntensityTrace]) -> None:
    trace = make_trace(days=45)
    fit_part = trace.window(None, ISSUE)
    a = _tiny_transformer().fit(fit_part, seed=7)
    b = _tiny_transformer().fit(fit_part, seed=7)
    c = _tiny_transformer().fit(fit_part, seed=8)
    pa, pb, pc = (m.predict(trace, ISSUE, 96) for m in (a, b, c))
    np.testing.assert_array_equal(pa, pb)
    assert a.history_ == b.history_
    assert not np.array_equal(pa, pc)
    # Training leaves the caller's torch RNG and thread settings alone.
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    threads = torch.get_num_threads()
    _tiny_transformer().fit(fit_part, seed=7)
    assert torch.get_num_threads() == threads
    assert torch.equal(torch.rand(3), expected)  # fit forks the RNG state


@pytest.mark.parametrize(
    "factory",
    [
        _tiny_transformer,
        lambda: GradientBoostingForecaster(max_iter=20, issue_stride_h=12),
        PersistenceForecaster,
    ],
)
def test_save_load_round_trip(
    factory: Callable[[], Forecaster],
    make_trace: Callable[..., IntensityTrace],
    tmp_path: Path,
) -> None:
    trace = make_trace(days=45)
    model = factory().fit(trace.window(None, ISSUE), seed=1)
    model.save(tmp_path / "m")
    loaded = Forecaster.load(tmp_path / "m")
    assert type(loaded) is type(model) and repr(loaded) == repr(model)
    np.testing.assert_array_equal(
        model.predict(trace, ISSUE, 120), loaded.predict(trace, ISSUE, 120)
    )
    same = type(model).load(tmp_path / "m")
    assert type(same) is type(model)


def test_load_errors(tmp_path: Path, make_trace: Callable[..., IntensityTrace]) -> None:
    with pytest.raises(ForecastError, match="not a saved forecaster"):
        Forecaster.load(tmp_path)
    PersistenceForecaster().save(tmp_path / "p")
    with pytest.raises(ForecastError, match="holds a 'persistence' model"):
        TransformerForecaster.load(tmp_path / "p")
    with pytest.raises(ForecastError, match="not fitted"):
        _tiny_transformer().save(tmp_path / "t")
    # A model saved before training periods were recorded is refused, with what to do.
    cfg = tmp_path / "p" / "forecaster.json"
    cfg.write_text(cfg.read_text().replace('"format_version": 2', '"format_version": 1'))
    with pytest.raises(ForecastError, match=r"format_version 1 .*fit the model again"):
        Forecaster.load(tmp_path / "p")


def test_gbm_exported_trees_match_sklearn(make_trace: Callable[..., IntensityTrace]) -> None:
    from sklearn.ensemble import HistGradientBoostingRegressor

    from cenas.forecast._trees import export_trees

    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 4))
    x[rng.random((500, 4)) < 0.1] = np.nan
    y = np.nan_to_num(x[:, 0]) * 2 + np.nan_to_num(x[:, 1]) ** 2
    model = HistGradientBoostingRegressor(max_iter=30, early_stopping=False).fit(x, y)
    trees = export_trees(model, 30)
    np.testing.assert_allclose(predict_trees(trees, x), model.predict(x), rtol=1e-12)


def test_model_without_its_covariates_is_an_error(
    make_trace: Callable[..., IntensityTrace],
) -> None:
    model = GradientBoostingForecaster(max_iter=5, issue_stride_h=24)
    model.fit(make_trace(days=45).window(None, ISSUE), seed=0)
    with pytest.raises(ForecastError, match="known-ahead covariates"):
        model.predict(make_trace(days=45, covariates=False), ISSUE, 24)


def test_encoder_learns_emission_factors(make_trace: Callable[..., IntensityTrace]) -> None:
    enc = CovariateEncoder.fit(to_hourly(make_trace(days=30)))
    assert enc is not None and enc.factors_from == "actual"
    factors = dict(zip(enc.production, enc.factors_g_per_kwh, strict=True))
    assert factors["avg_coal_production_forecast"] == pytest.approx(760, abs=1)
    assert factors["avg_nat_gas_production_forecast"] == pytest.approx(370, abs=1)


@pytest.mark.data
def test_dacf_covariates(data_dir: Path) -> None:
    trace = load_trace(data_dir / "carbon/dacf/PJM_direct_emissions.csv")
    data = to_hourly(trace)
    assert data.known is not None and data.actual is not None
    assert all(c.startswith(("forecast_avg_", "avg_")) for c in data.known.columns)
    enc = CovariateEncoder.fit(data)
    assert enc is not None and enc.n_features == 5 + 8 + 3
    factors = dict(zip(enc.production, enc.factors_g_per_kwh, strict=True))
    assert factors["avg_coal_production_forecast"] == pytest.approx(760, abs=2)
    assert factors["avg_nat_gas_production_forecast"] == pytest.approx(370, abs=2)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"baseline": "median"}, "baseline must be one of"),
        ({"patch_h": 5}, "patch_h must divide 24"),
        ({"d_model": 10, "n_heads": 4}, "divisible by n_heads"),
        ({"ema_decay": 1.0}, "ema_decay"),
    ],
)
def test_transformer_config_errors(kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(ForecastError, match=needle):
        TransformerForecaster(**kwargs)  # type: ignore[arg-type]


def test_gbm_ignores_time_of_year_without_a_year_of_data(
    make_trace: Callable[..., IntensityTrace], tmp_path: Path
) -> None:
    # Fitted on 45 days, the trees must not read the time of year (also after a save/load): the
    # same history 26 weeks later (same weekdays and hours) gives the same forecast.
    trace = make_trace(days=45, covariates=False)
    later = dataclasses.replace(trace, start=trace.start + pd.Timedelta(weeks=26))
    model = GradientBoostingForecaster(max_iter=30, issue_stride_h=12).fit(
        trace.window(None, ISSUE), seed=0
    )
    loaded = Forecaster.load(model.save(tmp_path / "g"))
    for m in (model, loaded):
        np.testing.assert_array_equal(
            m.predict(trace, ISSUE, 48),
            m.predict(later, ISSUE + pd.Timedelta(weeks=26), 48),
        )


def test_gbm_first_day_has_its_own_trees(
    make_trace: Callable[..., IntensityTrace], tmp_path: Path
) -> None:
    trace = make_trace(days=45)
    fit_part = trace.window(None, ISSUE)
    split = GradientBoostingForecaster(max_iter=10, issue_stride_h=12).fit(fit_part, seed=0)
    one = GradientBoostingForecaster(max_iter=10, issue_stride_h=12, lead_split_h=0)
    one.fit(fit_part, seed=0)
    assert len(split.n_trees_) == 2 and len(one.n_trees_) == 1
    assert [len(c) for c in split.valid_curve_] == [10, 10]
    # The later leads use the model of all leads, so only the first day differs.
    ps, po = split.predict(trace, ISSUE, 96), one.predict(trace, ISSUE, 96)
    np.testing.assert_allclose(ps[24:], po[24:], rtol=1e-12)
    assert not np.allclose(ps[:24], po[:24])
    loaded = Forecaster.load(split.save(tmp_path / "m"))
    np.testing.assert_array_equal(loaded.predict(trace, ISSUE, 96), ps)
    with pytest.raises(ForecastError, match="lead_split_h"):
        GradientBoostingForecaster(lead_split_h=96)
