"""Tests of mrmkit.stress: hand-checkable numbers on a known linear-logistic model, errors, invariants, demo.

The expected values are computed by hand (or with numpy directly) in each test, never with mrmkit.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.stress import apply_shocks, run_scenarios, sensitivity, shock_frame
from mrmkit.stress._common import reference_position, reference_quantile

FEATURES = ["income", "util", "enquiries", "region"]
COEF = {"income": -0.00004, "util": 2.0, "enquiries": 0.3}
REGION = {"north": 0.0, "south": 0.5, "east": -0.2}
INTERCEPT = -2.0


class LinearLogit:
    """PD = 1 / (1 + exp(-(INTERCEPT + sum(COEF[f] x f) + REGION[region]))); missing numbers count 0."""

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        z = INTERCEPT + frame["region"].map(REGION).to_numpy(dtype=float)
        for f, b in COEF.items():
            z = z + b * np.nan_to_num(frame[f].to_numpy(dtype=float))
        p = 1.0 / (1.0 + np.exp(-z))
        return np.column_stack([1.0 - p, p])


def expit_pd(frame: pd.DataFrame) -> np.ndarray:
    return LinearLogit().predict_proba(frame)[:, 1]


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "income": [20000.0, 35000.0, 50000.0, np.nan, 80000.0, 28000.0, 42000.0, 61000.0],
            "util": [0.9, 0.5, 0.2, 0.7, 0.1, 0.95, 0.4, 0.3],
            "enquiries": np.array([3, 1, 0, 2, 0, 5, 1, 2], dtype=np.int64),
            "region": ["north", "south", "east", "north", "south", "east", "north", "south"],
            "product": ["card", "loan", "card", "loan", "card", "loan", "card", "loan"],
        }
    )


def scenarios(name: str, *shocks: dict, segment: dict | None = None) -> list[dict]:
    out: dict = {"name": name, "shocks": list(shocks)}
    if segment is not None:
        out["segment"] = segment
    return [out]


# ------------------------------------------------------------------------- hand-checkable numbers
def test_add_shock_changes_mean_pd_exactly(frame: pd.DataFrame) -> None:
    res = run_scenarios(LinearLogit(), frame, FEATURES, scenarios("util up", {"feature": "util", "add": 0.1}), 0.2)
    base = expit_pd(frame)
    shocked = frame.assign(util=frame["util"] + 0.1)
    expected = expit_pd(shocked).mean() - base.mean()
    row = res.row("util up")
    assert row.mean_pd_change == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert row.mean_pd_change_relative == pytest.approx(expected / base.mean(), rel=1e-12)
    assert row.rows_in_scope == 8 and row.rows_changed == 8
    assert res.rows[0].name == "baseline" and res.rows[0].mean_pd_change == 0.0


def test_quantile_shock_values_are_numpy_quantiles_of_the_reference() -> None:
    reference = pd.DataFrame({"x": np.arange(101, dtype=float) + 0.5})  # r_i = i + 0.5, so F(x) = (x - 0.5) / 100
    frame = pd.DataFrame({"x": [10.5, 55.75, 99.5, -3.0, np.nan]})
    out = apply_shocks(frame, [{"feature": "x", "quantile": 0.1}], reference=reference)
    positions = np.array([0.10, 0.5525, 0.99, 0.0]) + 0.1  # -3 lies below the reference: position 0
    expected = np.quantile(reference["x"].to_numpy(), np.minimum(positions, 1.0))
    np.testing.assert_allclose(out["x"].to_numpy()[:4], expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(expected, [20.5, 65.75, 100.5, 10.5])  # by hand
    assert np.isnan(out["x"].iloc[4])  # missing stays missing
    down = shock_frame(frame, [{"feature": "x", "quantile": -0.2}], reference=reference)
    np.testing.assert_allclose(down.frame["x"].to_numpy()[:4], [0.5, 35.75, 79.5, 0.5], atol=1e-12)
    assert down.shocks[0].rows_outside_reference == 1 and down.shocks[0].rows_missing == 1


def test_quantile_position_uses_mid_ranks_for_ties_and_interpolates_between_values() -> None:
    r = np.array([0.0, 0.0, 0.0, 1.0, 2.0])  # zeros at positions 0..2: mid-rank 1, F = 1/4
    np.testing.assert_allclose(
        reference_position(r, np.array([0.0, 1.0, 1.5, 2.0, 7.0, -1.0])), [0.25, 0.75, 0.875, 1.0, 1.0, 0.0]
    )
    r2 = np.array([1.0, 2.0, 4.0, 8.0, 16.0])  # x = 3: position 1 + (3 - 2) / (4 - 2) = 1.5, F = 0.375
    frame = pd.DataFrame({"x": [3.0]})
    out = apply_shocks(frame, [{"feature": "x", "quantile": 0.25}], reference=pd.DataFrame({"x": r2}))
    assert out["x"].iloc[0] == np.quantile(r2, 0.625) == 6.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=40), st.lists(st.floats(0, 1), min_size=1, max_size=20))
def test_reference_quantile_is_numpy_quantile_bit_for_bit(values: list[float], p: list[float]) -> None:
    r = np.sort(np.asarray(values))
    assert np.array_equal(reference_quantile(r, np.asarray(p)), np.quantile(r, np.asarray(p)))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-100, 100), min_size=2, max_size=30), st.floats(-1, 1))
def test_quantile_shock_preserves_order(values: list[float], q: float) -> None:
    frame = pd.DataFrame({"x": np.sort(np.asarray(values) + 0.25)})
    out = apply_shocks(frame, [{"feature": "x", "quantile": q}], integer_features=[])
    assert np.all(np.diff(out["x"].to_numpy()) >= 0)


def test_approval_rate_grades_and_expected_loss_by_hand(frame: pd.DataFrame) -> None:
    base = expit_pd(frame)
    cutoff = float(np.sort(base)[4])  # five PDs at or below the cut-off
    ead = np.array([1000.0, 2000, 3000, 4000, 5000, 6000, 7000, 8000])
    res = run_scenarios(
        LinearLogit(),
        frame,
        FEATURES,
        scenarios("enq", {"feature": "enquiries", "add": 2}),
        cutoff,
        grade_bounds=[0.1, 0.2, 1.0],
        exposure=ead,
        lgd=0.45,
    )
    b, s = res.rows
    assert b.approval_rate == 5 / 8
    shocked_pd = expit_pd(frame.assign(enquiries=frame["enquiries"] + 2))
    assert s.approval_rate == np.count_nonzero(shocked_pd <= cutoff) / 8
    assert b.expected_loss == pytest.approx(float(np.sum(base * 0.45 * ead)), rel=1e-14)
    assert s.expected_loss == pytest.approx(float(np.sum(shocked_pd * 0.45 * ead)), rel=1e-14)
    grades = [
        np.count_nonzero(base <= 0.1),
        np.count_nonzero((base > 0.1) & (base <= 0.2)),
        np.count_nonzero(base > 0.2),
    ]
    assert b.grade_shares == tuple(g / 8 for g in grades)
    assert res.grade_labels == ("[0, 0.1]", "(0.1, 0.2]", "(0.2, 1]")
    assert sum(b.histogram_counts) == 8 and b.pd_quantiles == tuple(np.quantile(base, [0.05, 0.25, 0.5, 0.75, 0.95]))
    table = res.to_frame()
    assert list(table["scenario"]) == ["baseline", "enq"] and "grade_share (0.1, 0.2]" in table.columns
    no_el = run_scenarios(LinearLogit(), frame, FEATURES, scenarios("enq", {"feature": "enquiries", "add": 2}), cutoff)
    assert no_el.rows[1].expected_loss is None and "not computed" in no_el.expected_loss_note


def test_sensitivity_of_a_linear_logit_has_the_coefficient_signs(frame: pd.DataFrame) -> None:
    res = sensitivity(
        LinearLogit(), frame, FEATURES, ["region"], 0.2, expected_direction={"income": +1, "util": +1, "enquiries": +1}
    )
    for row in res.rows:
        sign = np.sign(COEF[row.feature])
        assert np.sign(row.change_up) == sign and np.sign(row.change_down) == -sign
    verdicts = {(r.feature, r.step): (r.monotonicity, r.share_against) for r in res.rows}
    # income is declared +1 but its coefficient is negative: every row with a value moves against it
    assert verdicts[("income", "sd")] == ("violated", 7 / 8)
    assert verdicts[("util", "sd")] == ("consistent", 0.0)
    assert [(s.feature, s.reason) for s in res.skipped][0] == ("region", "categorical feature: not perturbed")
    # exact values of one row by hand: util +/- one sample SD
    sd = float(np.std(frame["util"], ddof=1))
    row = next(r for r in res.rows if r.feature == "util" and r.step == "sd")
    base = expit_pd(frame)
    up = expit_pd(frame.assign(util=frame["util"] + sd))
    assert row.shift == pytest.approx(sd) and row.change_up == pytest.approx(up.mean() - base.mean(), rel=1e-12)
    assert row.flip_share_up == np.count_nonzero((up <= 0.2) != (base <= 0.2)) / 8
    table = res.to_frame("sd")
    assert list(table["max_abs_change"]) == sorted(table["max_abs_change"], reverse=True)


def test_relative_step_leaves_zeros_and_missing_values_alone(frame: pd.DataFrame) -> None:
    res = sensitivity(LinearLogit(), frame, FEATURES, ["region"], 0.2, steps=[("relative", 0.1)])
    rows = {r.feature: r for r in res.rows}
    assert rows["enquiries"].rows_perturbed == 6  # two zeros
    assert rows["income"].rows_perturbed == 7  # one missing


# ---------------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("shock", "fragments"),
    [
        (
            {"feature": "salary", "multiply": 0.9},
            ["'stress 1'", "'salary'", "unknown feature", "income, util, enquiries, region"],
        ),
        (
            {"feature": "income", "multiply": 0.9, "add": 1.0},
            ["'stress 1'", "'income'", "exactly one operation", "2 (multiply, add)"],
        ),
        ({"feature": "income"}, ["'income'", "exactly one operation", "got none"]),
        (
            {"feature": "region", "multiply": 2.0},
            ["'stress 1'", "'region'", "'multiply' does not apply to a categorical"],
        ),
        (
            {"feature": "region", "set": "west"},
            ["'region'", "'west'", "never seen in the reference", "east, north, south"],
        ),
        ({"feature": "enquiries", "set": 1.5}, ["'enquiries'", "integer-valued"]),
        ({"feature": "util", "quantile": 1.5}, ["'util'", "between -1 and 1"]),
    ],
)
def test_bad_shocks_are_rejected_naming_scenario_and_feature(frame, shock, fragments) -> None:
    with pytest.raises(InvalidParameters) as err:
        run_scenarios(LinearLogit(), frame, FEATURES, scenarios("stress 1", shock), 0.2)
    for fragment in fragments:
        assert fragment in str(err.value)


def test_domain_violation_is_an_error_unless_clipped(frame: pd.DataFrame) -> None:
    shock = {"feature": "util", "add": 0.2}
    with pytest.raises(
        InvalidParameters, match=r"'up'.*'util'.*2 row\(s\) fall outside the feature's domain \[0.0, 1.0\].*clip=True"
    ):
        shock_frame(frame, [shock], domains={"util": (0, 1)}, scenario="up")
    out = shock_frame(frame, [shock], domains={"util": (0, 1)}, clip=True, scenario="up")
    assert out.shocks[0].rows_clipped == 2 and out.frame["util"].max() == 1.0
    res = run_scenarios(
        LinearLogit(), frame, FEATURES, scenarios("up", shock), 0.2, domains={"util": (0, 1)}, clip=True
    )
    assert res.rows[1].shocks[0].rows_clipped == 2 and res.clip
    with pytest.raises(InvalidParameters, match="'domains' entry"):
        shock_frame(frame, [shock], domains={"util": (1, 0)})


def test_scenario_names_must_be_unique_and_baseline_is_reserved(frame: pd.DataFrame) -> None:
    s = {"name": "a", "shocks": [{"feature": "util", "add": 0.1}]}
    with pytest.raises(InvalidParameters, match="Scenario name 'a' appears more than once"):
        run_scenarios(LinearLogit(), frame, FEATURES, [s, dict(s)], 0.2)
    with pytest.raises(InvalidParameters, match="reserved"):
        run_scenarios(LinearLogit(), frame, FEATURES, [dict(s, name="baseline")], 0.2)
    with pytest.raises(InvalidParameters, match="'cutoff'"):
        run_scenarios(LinearLogit(), frame, FEATURES, [s], 1.5)
    with pytest.raises(
        InvalidParameters, match=r"segment of scenario 'a'.*\['nowhere'\] do not occur in column 'product'"
    ):
        run_scenarios(
            LinearLogit(), frame, FEATURES, [dict(s, segment={"column": "product", "values": ["nowhere"]})], 0.2
        )
    with pytest.raises(InvalidParameters, match="give both or neither"):
        run_scenarios(LinearLogit(), frame, FEATURES, [s], 0.2, exposure=np.ones(8))
    with pytest.raises(InvalidParameters, match="expected_direction"):
        sensitivity(LinearLogit(), frame, FEATURES, ["region"], 0.2, expected_direction={"region": 1})
    with pytest.raises(InvalidInput, match="lacks the column"):
        run_scenarios(LinearLogit(), frame, [*FEATURES, "age"], [s], 0.2)


# ------------------------------------------------------------------------------------ invariants
def test_inputs_are_not_modified(frame: pd.DataFrame) -> None:
    reference = frame.copy()
    before, ref_before = frame.copy(deep=True), reference.copy(deep=True)
    shocks = [
        {"feature": "income", "multiply": 0.8},
        {"feature": "util", "quantile": 0.1},
        {"feature": "region", "set": "east"},
    ]
    out = apply_shocks(frame, shocks, reference=reference)
    run_scenarios(LinearLogit(), frame, FEATURES, scenarios("s", *shocks), 0.2, reference=reference)
    sensitivity(LinearLogit(), frame, FEATURES, ["region"], 0.2)
    pd.testing.assert_frame_equal(frame, before)
    pd.testing.assert_frame_equal(reference, ref_before)
    assert out is not frame and not out.equals(frame)


def test_segment_shocks_touch_only_the_segment_and_missing_stays_missing(frame: pd.DataFrame) -> None:
    seg = {"column": "product", "values": ["card"]}
    out = shock_frame(frame, [{"feature": "income", "set": 1.0}, {"feature": "region", "set": "east"}], segment=seg)
    card = (frame["product"] == "card").to_numpy()
    pd.testing.assert_frame_equal(out.frame[~card], frame[~card])
    assert (out.frame.loc[card, "income"] == 1.0).all() and (out.frame.loc[card, "region"] == "east").all()
    assert out.rows_in_scope == 4 and out.segment == ("product", ("card",))
    assert np.isnan(apply_shocks(frame, [{"feature": "income", "set": 1.0}])["income"].iloc[3])


def test_integer_features_stay_whole_numbers_and_rounding_is_recorded(frame: pd.DataFrame) -> None:
    out = shock_frame(frame, [{"feature": "enquiries", "multiply": 1.5}])  # 3, 1, 0, 2, 0, 5, 1, 2 -> x 1.5
    assert out.frame["enquiries"].dtype == np.int64
    assert out.frame["enquiries"].tolist() == [5, 2, 0, 3, 0, 8, 2, 3]  # 4.5 -> 5, 1.5 -> 2, 7.5 -> 8: halves away
    assert out.shocks[0].integer and out.shocks[0].rows_rounded == 4
    assert not shock_frame(frame, [{"feature": "util", "multiply": 1.5}]).shocks[0].integer


def test_baseline_equals_model_scores_and_scenarios_equal_full_rescoring(frame: pd.DataFrame) -> None:
    shocks = [{"feature": "income", "multiply": 0.8}]
    seg = {"column": "product", "values": ["loan"]}
    res = run_scenarios(LinearLogit(), frame, FEATURES, scenarios("fall", *shocks, segment=seg), 0.2)
    base = expit_pd(frame)
    assert res.rows[0].mean_pd == float(np.mean(base))
    assert res.rows[0].pd_quantiles == tuple(float(v) for v in np.quantile(base, [0.05, 0.25, 0.5, 0.75, 0.95]))
    full = expit_pd(apply_shocks(frame, shocks, segment=seg))
    assert res.rows[1].mean_pd == float(np.mean(full))
    assert res.rows[1].rows_changed == 3  # four loans, one with missing income


def test_results_are_deterministic_and_json_safe(frame: pd.DataFrame) -> None:
    s = scenarios("q", {"feature": "util", "quantile": -0.25}, {"feature": "region", "set": "south"})
    a = run_scenarios(LinearLogit(), frame, FEATURES, s, 0.2, exposure=1000.0, lgd=0.4)
    b = run_scenarios(LinearLogit(), frame, FEATURES, s, 0.2, exposure=1000.0, lgd=0.4)
    assert a.to_dict() == b.to_dict()
    json.loads(json.dumps(a.to_dict(), allow_nan=False))
    sa = sensitivity(LinearLogit(), frame, FEATURES, ["region"], 0.2)
    assert sa.to_dict() == sensitivity(LinearLogit(), frame, FEATURES, ["region"], 0.2).to_dict()
    json.loads(json.dumps(sa.to_dict(), allow_nan=False))
    assert "frame" not in shock_frame(frame, s[0]["shocks"]).to_dict()


# ---------------------------------------------------------------------------------- demo models
def test_income_fall_raises_the_champions_mean_pd(tmp_path) -> None:
    """A realistic 20 % income fall: income x 0.8 and, as both have income in the denominator, the
    debt-to-income and loan-to-income ratios x 1.25. (Income alone is a weaker test: the champion is a
    logistic regression on raw income, correlated with other features, and in small demo builds its income
    coefficient can even take the wrong sign; that is what ``sensitivity`` is there to show.)"""
    import skops.io as sio

    from mrmkit.demo import build_demo

    build = build_demo(tmp_path, n_reference=20000, n_per_window=1000, n_windows=1)
    champion = sio.load(build.champion, trusted=list(build.champion_trusted_types))
    current = pd.read_parquet(build.current)
    reference = pd.read_parquet(build.reference)
    shocks = [
        {"feature": "annual_income", "multiply": 0.8},
        {"feature": "debt_to_income", "multiply": 1.25},
        {"feature": "loan_to_income", "multiply": 1.25},
    ]
    res = run_scenarios(
        champion,
        current,
        list(build.features),
        [{"name": "income fall 20%", "shocks": shocks}],
        cutoff=0.08,
        reference=reference,
        categorical=list(build.categorical),
        grade_bounds=build.grade_upper_bounds,
        grade_labels=build.grades,
        domains={"debt_to_income": (0, None), "loan_to_income": (0, None)},
    )
    base, fall = res.rows
    assert base.mean_pd == pytest.approx(float(current["champion_pd"].mean()), rel=1e-12)
    assert fall.mean_pd_change > 0 and fall.mean_pd_change_relative > 0.05
    assert fall.approval_rate <= base.approval_rate
    assert fall.rows_changed == int(current[["annual_income", "debt_to_income"]].notna().any(axis=1).sum())
    assert math.isclose(sum(fall.grade_shares), 1.0)
