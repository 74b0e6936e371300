"""The demo's shadow and A/B logs: determinism, schema, coverage, latency, arms and outcomes.

A small demo build (3,000 reference rows, 3 windows of 1,500) checks determinism and the properties the
report relies on; one build at the default size checks the facts stated in ``DEFAULT_FACTS``. Quantities
here are plain pandas and numpy calculations written in the test, not mrmkit statistics.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mrmkit.demo import build_demo
from mrmkit.demo.logs import (
    AB_COLUMNS,
    DEFAULT_FACTS,
    LOG_SETTINGS,
    SHADOW_COLUMNS,
    degraded_week,
    generate_ab_log,
    generate_shadow_log,
    write_logs,
)
from mrmkit.errors import InvalidInput, InvalidParameters

SMALL = {"n_reference": 3000, "n_per_window": 1500, "n_windows": 3}
CUTOFF = 0.08
LIMIT = LOG_SETTINGS["latency_limit_ms"]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("logs")
    build = build_demo(root / "demo", seed=7, **SMALL)
    first = write_logs(root / "a", 7, build.current, CUTOFF)
    second = write_logs(root / "b", 7, build.current, CUTOFF)
    other = write_logs(root / "c", 8, build.current, CUTOFF)
    current = pd.read_parquet(build.current)
    return {
        "build": build,
        "paths": (first, second, other),
        "current": current,
        "shadow": pd.read_parquet(first.shadow),
        "ab": pd.read_parquet(first.ab),
    }


def _weekly_p99(shadow: pd.DataFrame, column: str) -> pd.Series:
    week = shadow["timestamp"].dt.to_period("W-SUN")  # Monday to Sunday
    return shadow.groupby(week)[column].quantile(0.99)


# ------------------------------------------------------------------------------ determinism and files
def test_same_seed_gives_byte_identical_files(small):
    first, second, other = small["paths"]
    assert first.shadow.name == "shadow_log.parquet" and first.ab.name == "ab_log.parquet"
    assert first.shadow.parent.name == "data" and first.shadow.is_absolute()
    assert _sha(first.shadow) == _sha(second.shadow) and _sha(first.ab) == _sha(second.ab)
    assert _sha(first.shadow) != _sha(other.shadow) and _sha(first.ab) != _sha(other.ab)
    assert not list(first.shadow.parent.glob("*.tmp"))


def test_generators_are_deterministic_and_leave_inputs_alone(small):
    current = small["current"]
    before = current.copy(deep=True)
    champ, chall = current["champion_pd"].to_numpy(), current["challenger_pd"].to_numpy()
    a = generate_shadow_log(np.random.default_rng(3), current, champ, chall, CUTOFF)
    b = generate_shadow_log(np.random.default_rng(3), current, champ, chall, CUTOFF)
    pd.testing.assert_frame_equal(a, b)
    ab1 = generate_ab_log(np.random.default_rng(3), current, champ, chall, CUTOFF)
    ab2 = generate_ab_log(np.random.default_rng(3), current, champ, chall, CUTOFF)
    pd.testing.assert_frame_equal(ab1, ab2)
    pd.testing.assert_frame_equal(current, before)


def test_global_random_state_untouched(small):
    state = np.random.get_state()[1].copy()  # noqa: NPY002  (checks the legacy global RNG is not used)
    current = small["current"]
    generate_shadow_log(np.random.default_rng(1), current, current["champion_pd"], current["challenger_pd"], CUTOFF)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


# --------------------------------------------------------------------------------------- schemas
def test_shadow_columns_and_dtypes(small):
    shadow, current = small["shadow"], small["current"]
    assert tuple(shadow.columns) == SHADOW_COLUMNS and len(shadow) == len(current)
    assert shadow["application_id"].dtype == current["application_id"].dtype  # pandas' str dtype
    assert shadow["timestamp"].dtype == np.dtype("datetime64[ns]")
    for column in ("champion_pd", "challenger_pd", "champion_latency_ms", "challenger_latency_ms"):
        assert shadow[column].dtype == np.float64
    for column in ("champion_decision", "challenger_decision"):
        assert pd.api.types.is_string_dtype(shadow[column])
    assert shadow["timestamp"].is_monotonic_increasing
    assert set(shadow["champion_decision"]) == {"approve", "decline"}
    assert set(shadow["challenger_decision"].dropna()) == {"approve", "decline"}


def test_shadow_joins_the_portfolio(small):
    shadow, current = small["shadow"], small["current"]
    joined = shadow.merge(current, on="application_id", suffixes=("", "_portfolio"), validate="1:1")
    assert len(joined) == len(current)
    assert (joined["champion_pd"] == joined["champion_pd_portfolio"]).all()  # unrounded copies
    scored = joined["challenger_pd"].notna()
    assert (joined.loc[scored, "challenger_pd"] == joined.loc[scored, "challenger_pd_portfolio"]).all()
    # the timestamp falls within the application date, at whole seconds
    assert (joined["timestamp"].dt.normalize() == joined["application_date"]).all()
    assert (joined["timestamp"].dt.microsecond == 0).all() and (joined["timestamp"].dt.nanosecond == 0).all()
    # decisions at the cut-off: approve when PD <= cut-off
    assert ((joined["champion_pd"] <= CUTOFF) == (joined["champion_decision"] == "approve")).all()
    approve = joined.loc[scored, "challenger_decision"] == "approve"
    assert ((joined.loc[scored, "challenger_pd"] <= CUTOFF) == approve).all()


def test_ab_columns_and_dtypes(small):
    ab, current = small["ab"], small["current"]
    assert tuple(ab.columns) == AB_COLUMNS and len(ab) == len(current)
    assert (ab["application_id"].to_numpy() == current["application_id"].to_numpy()).all()  # portfolio order
    assert ab["decision_date"].dtype == np.dtype("datetime64[ns]")
    assert (ab["decision_date"] == current["application_date"]).all()
    assert ab["pd_used"].dtype == np.float64 and ab["default_12m"].dtype == pd.Int8Dtype()
    assert set(ab["arm"]) == {"champion", "challenger"} and set(ab["decision"]) == {"approve", "decline"}


# ----------------------------------------------------------------------------------------- shadow
def test_coverage_is_below_100_percent_with_a_dip_on_one_day(small):
    shadow = small["shadow"]
    scored = shadow["challenger_pd"].notna()
    assert 0.96 < scored.mean() < 0.99  # about 2 % lost at random, plus the outage
    assert (shadow["challenger_decision"].isna() == ~scored).all()
    assert (shadow["challenger_latency_ms"].isna() == ~scored).all()
    assert shadow["champion_pd"].notna().all() and shadow["champion_latency_ms"].notna().all()
    day = shadow["timestamp"].dt.normalize()
    by_day = scored.groupby(day).mean()
    low = by_day[by_day < 0.9]
    assert len(low) == 1, by_day.sort_values().head()  # one outage day
    outage = shadow[day == low.index[0]]
    hour = outage["timestamp"].dt.hour
    window = (hour >= LOG_SETTINGS["outage_start_hour"]) & (hour < LOG_SETTINGS["outage_end_hour"])
    assert window.any() and outage.loc[window, "challenger_pd"].isna().all()
    monday, sunday = degraded_week(shadow["timestamp"])
    assert not monday <= low.index[0] <= sunday  # the two findings do not overlap


def test_challenger_p99_latency_breaches_the_limit_in_the_degraded_week_only(small):
    shadow = small["shadow"]
    p99 = _weekly_p99(shadow, "challenger_latency_ms")
    breach = p99[p99 > LIMIT]
    monday, sunday = degraded_week(shadow["timestamp"])
    assert list(breach.index.start_time) == [monday] and breach.index[0].end_time.normalize() == sunday
    assert (_weekly_p99(shadow, "champion_latency_ms") < 100).all()
    champion, challenger = shadow["champion_latency_ms"], shadow["challenger_latency_ms"]
    assert challenger.median() > 1.5 * champion.median()  # slower
    tail = challenger.quantile(0.99) / challenger.median()
    assert tail > champion.quantile(0.99) / champion.median()  # with a heavier tail
    assert (champion > 0).all() and (challenger.dropna() > 0).all()


def test_degraded_week_is_the_week_of_the_middle_day():
    dates = pd.Series(pd.to_datetime(["2025-01-01", "2025-03-31", "2025-06-30"]))
    # middle of 2025-01-01 .. 2025-06-30 (180 days): 2025-01-01 + 90 days = 2025-04-01, a Tuesday
    assert degraded_week(dates) == (pd.Timestamp("2025-03-31"), pd.Timestamp("2025-04-06"))


# ------------------------------------------------------------------------------------------- A/B
def test_arm_split_is_near_ten_ninety_without_sample_ratio_mismatch(small):
    ab = small["ab"]
    n_challenger = int((ab["arm"] == "challenger").sum())
    share = n_challenger / len(ab)
    assert 0.08 < share < 0.12
    assert stats.binomtest(n_challenger, len(ab), 0.10).pvalue > 0.001  # no SRM injected


def test_each_arm_uses_its_own_model(small):
    ab, current = small["ab"], small["current"]
    challenger = (ab["arm"] == "challenger").to_numpy()
    expected = np.where(challenger, current["challenger_pd"], current["champion_pd"])
    assert (ab["pd_used"].to_numpy() == expected).all()
    assert ((ab["pd_used"] <= CUTOFF) == (ab["decision"] == "approve")).all()


def test_outcomes_only_for_approved_loans(small):
    ab, current = small["ab"], small["current"]
    approved = ab["decision"] == "approve"
    assert (ab["default_12m"].notna() == approved).all()
    observed = ab.loc[approved, "default_12m"].astype(int).to_numpy()
    assert (observed == current.loc[approved.to_numpy(), "default_12m"].to_numpy()).all()
    assert 0 < observed.mean() < current["default_12m"].mean()  # approving the low PDs lowers the bad rate


# ---------------------------------------------------------------------------------------- errors
def test_bad_arguments(small, tmp_path):
    current = small["current"]
    champ, chall = current["champion_pd"], current["challenger_pd"]
    rng = np.random.default_rng(0)
    with pytest.raises(InvalidParameters, match="The 'rng' parameter of generate_shadow_log"):
        generate_shadow_log(0, current, champ, chall, CUTOFF)
    with pytest.raises(InvalidParameters, match="The 'cutoff' parameter of generate_ab_log"):
        generate_ab_log(rng, current, champ, chall, 1.5)
    with pytest.raises(InvalidParameters, match="The 'challenger_share' parameter of generate_ab_log"):
        generate_ab_log(rng, current, champ, chall, CUTOFF, challenger_share=0)
    with pytest.raises(InvalidInput, match=r"lacks the column\(s\) \['default_12m'\]"):
        generate_ab_log(rng, current.drop(columns="default_12m"), champ, chall, CUTOFF)
    repeated = current.copy()
    repeated.loc[5, "application_id"] = repeated.loc[4, "application_id"]
    with pytest.raises(InvalidInput, match="0 missing and 1 repeated"):
        generate_shadow_log(rng, repeated, champ, chall, CUTOFF)
    with pytest.raises(InvalidInput, match="one PD per row"):
        generate_shadow_log(rng, current, champ[:10], chall, CUTOFF)
    bad = chall.to_numpy().copy()
    bad[3] = np.nan
    with pytest.raises(InvalidInput, match="challenger_pd of generate_shadow_log must be PDs"):
        generate_shadow_log(rng, current, champ, bad, CUTOFF)
    with pytest.raises(InvalidParameters, match="The 'seed' parameter of write_logs"):
        write_logs(tmp_path, -1, small["build"].current, CUTOFF)
    with pytest.raises(InvalidInput, match="current_path of write_logs is not a file"):
        write_logs(tmp_path, 1, tmp_path / "nope.parquet", CUTOFF)


# --------------------------------------------------------------------------------- default facts
def test_default_demo_facts(tmp_path_factory):
    root = tmp_path_factory.mktemp("logs_full")
    build = build_demo(root / "demo")
    paths = write_logs(root / "demo", build.seed, build.current, CUTOFF)
    shadow, ab = pd.read_parquet(paths.shadow), pd.read_parquet(paths.ab)
    f = DEFAULT_FACTS
    scored = shadow["challenger_pd"].notna()
    assert (len(shadow), int(scored.sum())) == (f["n_applications"], f["shadow_scored"])
    day = shadow["timestamp"].dt.normalize()
    by_day = scored.groupby(day).agg(["size", "sum", "mean"])
    worst = by_day["mean"].idxmin()
    assert worst == pd.Timestamp(f["outage_day"])
    assert (by_day.loc[worst, "size"], by_day.loc[worst, "sum"]) == (
        f["outage_day_applications"],
        f["outage_day_scored"],
    )
    assert by_day["mean"].drop(worst).min() >= 0.95
    monday, sunday = degraded_week(shadow["timestamp"])
    assert (monday, sunday) == tuple(pd.Timestamp(d) for d in f["degraded_week"])
    p99 = _weekly_p99(shadow, "challenger_latency_ms")
    slow = p99.index.start_time == monday
    assert round(float(p99[slow].iloc[0]), 1) == f["challenger_p99_degraded_week_ms"]
    assert round(float(p99[~slow].max()), 1) == f["challenger_p99_max_other_weeks_ms"]
    for column, key in (
        ("champion_latency_ms", "champion_latency_p50_p95_p99_ms"),
        ("challenger_latency_ms", "challenger_latency_p50_p95_p99_ms"),
    ):
        q = np.nanquantile(shadow[column], [0.5, 0.95, 0.99])
        assert tuple(round(float(v), 1) for v in q) == f[key]
    agree = (shadow.loc[scored, "champion_decision"] == shadow.loc[scored, "challenger_decision"]).mean()
    assert agree == pytest.approx(f["decision_agreement"], abs=0.002)  # depends on the trained models
    arms = ab["arm"].value_counts()
    assert {k: int(v) for k, v in arms.items()} == f["arm_sizes"]
    approved = ab[ab["decision"] == "approve"]
    for arm in ("champion", "challenger"):
        rows = approved[approved["arm"] == arm]
        assert len(rows) == pytest.approx(f["approved"][arm], rel=0.01)
        assert int(rows["default_12m"].sum()) == pytest.approx(f["defaults_approved"][arm], rel=0.05)
