"""The VaR demo series: determinism, schema, an out-of-sample VaR, and the backtest result it is built for.

For the default seed 20261123 the last 250 days have 7 exceptions of the 99% VaR (Basel yellow zone,
2.5 expected), all within the last 100 days, and 18 exceptions of the 95% VaR (12.5 expected) with three
consecutive-day pairs. The exception counts here are plain comparisons written in the test; the zone
comes from the Basel rule (P(X <= 7) = 0.9960 for Binomial(250, 0.01), Basel Committee 1996 Table 2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mrmkit.demo.var import COLUMNS, DEFAULT_SEED, VAR_SETTINGS, generate_var_series, write_var_series
from mrmkit.errors import InvalidParameters
from mrmkit.stats import basel_traffic_light, christoffersen_independence, var_exceptions


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    return generate_var_series(np.random.default_rng(DEFAULT_SEED))


def test_columns_and_types(series):
    assert tuple(series.columns) == COLUMNS and len(series) == 500
    assert pd.api.types.is_datetime64_any_dtype(series["date"])
    for column in ("pnl", "var_95", "var_99"):
        assert series[column].dtype == np.float64 and np.isfinite(series[column]).all()
    assert (series["var_95"] > 0).all() and (series["var_99"] > series["var_95"]).all()


def test_dates_are_consecutive_business_days(series):
    expected = pd.bdate_range("2024-01-02", periods=500)
    np.testing.assert_array_equal(series["date"].to_numpy(), expected.to_numpy())
    assert (series["date"].dt.day_of_week < 5).all()
    later = generate_var_series(np.random.default_rng(1), n_days=250, start="2025-03-01")  # a Saturday
    assert later["date"].iloc[0] == pd.Timestamp("2025-03-03") and len(later) == 250


def test_deterministic_for_the_generator(series):
    pd.testing.assert_frame_equal(generate_var_series(np.random.default_rng(DEFAULT_SEED)), series)
    assert not generate_var_series(np.random.default_rng(DEFAULT_SEED + 1))["pnl"].equals(series["pnl"])


def test_global_random_state_untouched():
    state = np.random.get_state()[1].copy()  # noqa: NPY002  (checks the legacy global RNG is not used)
    generate_var_series(np.random.default_rng(3), n_days=250)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


def test_var_is_out_of_sample_historical_simulation(series):
    # the first 250 returned days form the window of day 250: its VaR uses them and nothing later
    pnl = series["pnl"].to_numpy()
    window = int(VAR_SETTINGS["window"])
    for t in (250, 321, 499):
        past = pnl[t - window : t]
        assert series["var_99"].iloc[t] == round(-np.quantile(past, 0.01), 2)
        assert series["var_95"].iloc[t] == round(-np.quantile(past, 0.05), 2)


def test_default_seed_lands_in_the_yellow_zone(series):
    last = series.tail(250)
    x99 = int((last["pnl"] < -last["var_99"]).sum())
    x95 = int((last["pnl"] < -last["var_95"]).sum())
    assert (x99, x95) == (7, 18)
    hits99 = var_exceptions(last["pnl"], last["var_99"]).hits
    assert int(hits99.sum()) == x99
    light = basel_traffic_light(x99)
    assert (light.zone, light.plus_factor) == ("yellow", 0.65)
    assert np.flatnonzero(hits99).min() >= 150  # all in the last 100 days: they cluster after the stress
    assert christoffersen_independence(var_exceptions(last["pnl"], last["var_95"])).n11 == 3


def test_write_is_byte_identical(tmp_path):
    a = write_var_series(tmp_path / "a.parquet", seed=DEFAULT_SEED)
    b = write_var_series(tmp_path / "b.parquet", seed=DEFAULT_SEED)
    assert a.read_bytes() == b.read_bytes()
    assert not (tmp_path / "a.parquet.tmp").exists()
    back = pd.read_parquet(a)
    pd.testing.assert_frame_equal(back, generate_var_series(np.random.default_rng(DEFAULT_SEED)), check_dtype=False)
    c = write_var_series(tmp_path / "c.parquet", seed=7, n_days=300)
    assert c.read_bytes() != a.read_bytes() and len(pd.read_parquet(c)) == 300


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_days": 249}, "'n_days' parameter of generate_var_series must be an integer of at least 250"),
        ({"n_days": 300.0}, "'n_days' parameter"),
        ({"start": "not a date"}, "'start' parameter of generate_var_series must be a date"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(InvalidParameters, match=match):
        generate_var_series(np.random.default_rng(0), **kwargs)


def test_rng_must_be_a_generator():
    with pytest.raises(InvalidParameters, match="'rng' parameter of generate_var_series must be a numpy"):
        generate_var_series(42)
    with pytest.raises(InvalidParameters, match="'seed' parameter of write_var_series"):
        write_var_series("unused.parquet", seed=-1)
