"""Adverse-action reason codes: hand-worked scorecard, ties, zeros, shared codes, table checks."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.explain.reasons import linear_points, points_below_maximum, reason_codes

TABLE = {
    "utilisation": {"code": "R01", "statement": "Proportion of balances to credit limits is too high"},
    "enquiries": {"code": "R02", "statement": "Too many recent credit enquiries"},
    "history": {"code": "R03", "statement": "Length of credit history is too short"},
}

# A hand-built scorecard: points per attribute (bin) of each feature; the maximum is the best attribute.
SCORECARD = {
    "utilisation": {"<30%": 60, "30-60%": 40, "60-90%": 25, ">=90%": 10},  # max 60
    "enquiries": {"0": 45, "1-2": 35, "3+": 15},  # max 45
    "history": {">=10y": 50, "5-10y": 42, "<5y": 20},  # max 50
}
APPLICANTS = pd.DataFrame(
    {
        "utilisation": [">=90%", "30-60%", "<30%", "60-90%"],
        "enquiries": ["1-2", "3+", "0", "3+"],
        "history": ["<5y", "5-10y", ">=10y", "<5y"],
    },
    index=["A1", "A2", "A3", "A4"],
)


def _points() -> tuple[pd.DataFrame, dict[str, float]]:
    pts = pd.DataFrame({f: APPLICANTS[f].map(SCORECARD[f]).astype(float) for f in SCORECARD}, index=APPLICANTS.index)
    return pts, {f: float(max(v.values())) for f, v in SCORECARD.items()}


def test_hand_built_scorecard_points_below_maximum():
    pts, maxima = _points()
    res = points_below_maximum(pts, maxima, APPLICANTS.index, TABLE, top_k=2)
    # Shortfalls by hand (max - points):
    #   A1: util 60-10=50, enq 45-35=10, hist 50-20=30 -> R01 (50), R03 (30)
    #   A2: util 60-40=20, enq 45-15=30, hist 50-42=8  -> R02 (30), R01 (20)
    #   A3: all at maximum (0, 0, 0)                    -> no reason
    #   A4: util 60-25=35, enq 45-15=30, hist 50-20=30 -> R01 (35), then tie 30/30: table order -> R02
    expected = [
        ("A1", 1, "utilisation", "R01", 50.0),
        ("A1", 2, "history", "R03", 30.0),
        ("A2", 1, "enquiries", "R02", 30.0),
        ("A2", 2, "utilisation", "R01", 20.0),
        ("A4", 1, "utilisation", "R01", 35.0),
        ("A4", 2, "enquiries", "R02", 30.0),
    ]
    got = list(res.reasons[["id", "rank", "feature", "code", "contribution"]].itertuples(index=False, name=None))
    assert got == expected
    assert res.reasons.loc[0, "statement"] == TABLE["utilisation"]["statement"]
    assert res.reasons_per_row == {0: 1, 1: 0, 2: 3}
    assert res.n_fewer_than_k == 1 and res.ids_fewer_than_k == ("A3",) and res.n_without_reason == 1
    freq = res.frequency.set_index("code")
    assert freq.loc["R01", "count"] == 3 and freq.loc["R02", "count"] == 2 and freq.loc["R03", "count"] == 1
    assert freq.loc["R01", "share_first"] == pytest.approx(0.5)  # A1 and A4 of four declines
    assert freq.loc["R02", "share_of_declines"] == pytest.approx(0.5)
    assert list(res.frequency["code"]) == ["R01", "R02", "R03"]
    assert res.source == "points_below_maximum"


def test_ties_follow_the_table_order_not_the_column_order():
    contrib = pd.DataFrame({"history": [1.0], "enquiries": [1.0], "utilisation": [1.0]})
    res = reason_codes(contrib, ["x"], TABLE, top_k=3)
    assert list(res.reasons["feature"]) == ["utilisation", "enquiries", "history"]
    reordered = {k: TABLE[k] for k in ("history", "utilisation", "enquiries")}
    res2 = reason_codes(contrib, ["x"], reordered, top_k=3)
    assert list(res2.reasons["feature"]) == ["history", "utilisation", "enquiries"]
    assert res2.table_order == ("history", "utilisation", "enquiries")


def test_zero_and_negative_contributions_are_never_reasons():
    contrib = pd.DataFrame({"utilisation": [0.0, -0.2, 0.3], "enquiries": [0.0, 0.5, 0.05], "history": [0.0, 0.0, 0.2]})
    res = reason_codes(contrib, [1, 2, 3], TABLE, top_k=4)
    assert res.reasons.groupby("id").size().to_dict() == {2: 1, 3: 3}
    assert res.n_without_reason == 1 and res.n_fewer_than_k == 3
    assert (res.reasons["contribution"] > 0).all()
    # A threshold: contributions at or below it are not reasons either.
    res_min = reason_codes(contrib, [1, 2, 3], TABLE, top_k=4, min_contribution=0.2)
    assert list(res_min.reasons["feature"]) == ["enquiries", "utilisation"]
    assert res_min.reasons_per_row == {0: 1, 1: 2, 2: 0, 3: 0, 4: 0}


def test_features_sharing_a_code_count_once_at_their_best_rank():
    table = {
        "dlq_12m": {"code": "D1", "statement": "Delinquency on accounts"},
        "dlq_24m": {"code": "D1", "statement": "Delinquency on accounts"},
        "utilisation": {"code": "U1", "statement": "Balances too high"},
        "enquiries": {"code": "E1", "statement": "Too many enquiries"},
    }
    contrib = pd.DataFrame({"dlq_12m": [0.5], "dlq_24m": [0.9], "utilisation": [0.7], "enquiries": [0.1]})
    res = reason_codes(contrib, ["a"], table, top_k=3)
    assert list(res.reasons["code"]) == ["D1", "U1", "E1"]  # D1 once, ranked by dlq_24m (0.9)
    assert res.reasons.loc[0, "feature"] == "dlq_24m" and res.reasons.loc[0, "contribution"] == 0.9
    assert res.reasons["statement"].is_unique
    assert res.unused_table_features == ("dlq_12m",)


def test_a_code_with_two_statements_is_refused():
    table = {**TABLE, "history": {"code": "R01", "statement": "Something else"}}
    with pytest.raises(InvalidParameters, match="code 'R01' two statements"):
        reason_codes(pd.DataFrame({"utilisation": [1.0]}), [1], table)


def test_unmapped_feature_in_a_top_k_is_an_error_naming_it():
    contrib = pd.DataFrame({"utilisation": [0.2, 0.1], "enquiries": [0.1, 0.1], "income": [0.0, 0.9]})
    table = {k: TABLE[k] for k in ("utilisation", "enquiries")}
    with pytest.raises(InvalidParameters, match=r"reason-code table of reason_codes lacks \['income'\]"):
        reason_codes(contrib, [1, 2], table, top_k=2)
    # Not a reason anywhere (only zero contributions, or outside every top k): no error.
    res = reason_codes(contrib.assign(income=[0.0, 0.05]), [1, 2], table, top_k=2)
    assert "income" not in set(res.reasons["feature"])
    assert res.table_order == ("utilisation", "enquiries", "income")


def test_table_features_must_be_model_features_and_unused_ones_are_reported():
    contrib = pd.DataFrame({"utilisation": [0.2], "enquiries": [0.0], "history": [0.0]})
    with pytest.raises(InvalidParameters, match=r"does not use: \['history'\]"):
        reason_codes(contrib[["utilisation", "enquiries"]], [1], TABLE, used_features=["utilisation", "enquiries"])
    res = reason_codes(contrib, [1], TABLE, used_features=["utilisation", "enquiries", "history", "age_of_file"])
    assert res.unused_table_features == ("enquiries", "history")
    table = {k: TABLE[k] for k in ("utilisation", "enquiries")}
    with pytest.raises(InvalidInput, match=r"features the model does not use: \['history'\]"):
        reason_codes(contrib, [1], table, used_features=["utilisation", "enquiries"])


def test_bad_inputs_and_parameters():
    T1 = {"utilisation": TABLE["utilisation"]}
    contrib = pd.DataFrame({"utilisation": [0.2, np.nan]})
    with pytest.raises(InvalidInput, match="missing or infinite"):
        reason_codes(contrib, [1, 2], T1)
    ok = pd.DataFrame({"utilisation": [0.2, 0.1]})
    with pytest.raises(InvalidParameters, match="'top_k' parameter of reason_codes"):
        reason_codes(ok, [1, 2], T1, top_k=0)
    with pytest.raises(InvalidParameters, match="'min_contribution'"):
        reason_codes(ok, [1, 2], T1, min_contribution=-1)
    with pytest.raises(InvalidInput, match="repeats ids"):
        reason_codes(ok, [1, 1], T1)
    with pytest.raises(InvalidParameters, match="'code' and 'statement'"):
        reason_codes(ok, [1, 2], {"utilisation": {"code": "R01"}})
    pts, maxima = _points()
    with pytest.raises(InvalidInput, match="more than the maximum points"):
        points_below_maximum(pts, {**maxima, "history": 30.0}, pts.index, TABLE)
    with pytest.raises(InvalidParameters, match=r"lacks features \['history'\]"):
        points_below_maximum(pts, {k: maxima[k] for k in ("utilisation", "enquiries")}, pts.index, TABLE)


def _random_case(seed: int, n: int = 60):
    rng = np.random.default_rng(seed)
    feats = [f"f{i}" for i in range(6)]
    # Rounded values make exact ties common; a share of zeros and negatives.
    contrib = pd.DataFrame(np.round(rng.normal(0, 1, (n, 6)), 1), columns=feats)
    table = {f: {"code": f"C{i // 2}", "statement": f"statement {i // 2}"} for i, f in enumerate(feats)}
    return contrib, [f"id{i}" for i in range(n)], table


def test_frequency_shares_add_up_over_declines():
    contrib, ids, table = _random_case(3)
    res = reason_codes(contrib, ids, table, top_k=2)
    assert res.frequency["share_of_reasons"].sum() == pytest.approx(1.0)
    assert res.frequency["share_first"].sum() + res.n_without_reason / res.n_rows == pytest.approx(1.0)
    assert res.frequency["count"].sum() == len(res.reasons)
    assert sum(res.reasons_per_row.values()) == res.n_rows


def test_permuting_rows_changes_only_the_order_and_runs_are_identical():
    contrib, ids, table = _random_case(5)
    res = reason_codes(contrib, ids, table, top_k=3)
    perm = np.random.default_rng(0).permutation(len(ids))
    res_p = reason_codes(contrib.iloc[perm], [ids[i] for i in perm], table, top_k=3)
    key = ["id", "rank"]
    pd.testing.assert_frame_equal(
        res.reasons.sort_values(key).reset_index(drop=True), res_p.reasons.sort_values(key).reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(res.frequency, res_p.frequency)
    assert set(res.ids_fewer_than_k) == set(res_p.ids_fewer_than_k)
    again = reason_codes(contrib, ids, table, top_k=3).to_dict()
    assert again == res.to_dict()
    assert json.loads(json.dumps(again, allow_nan=False)) == again


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 5))
def test_property_reasons_are_distinct_positive_and_decreasing(seed, k):
    contrib, ids, table = _random_case(seed, n=15)
    res = reason_codes(contrib, ids, table, top_k=k)
    for _, g in res.reasons.groupby("id", sort=False):
        assert g["code"].is_unique and len(g) <= k
        assert list(g["rank"]) == list(range(1, len(g) + 1))
        assert (g["contribution"] > 0).all() and g["contribution"].is_monotonic_decreasing
        row = contrib.loc[int(g["id"].iloc[0][2:])]
        # No feature whose code is not cited has a larger contribution than the last reason (when k is full).
        if len(g) == k:
            others = [f for f in contrib.columns if table[f]["code"] not in set(g["code"])]
            assert all(row[f] <= g["contribution"].iloc[-1] for f in others)


def test_linear_points_for_a_logistic_model():
    ref = pd.DataFrame({"utilisation": [0.1, 0.5, 0.9], "history": [1.0, 5.0, 20.0]})
    coef = {"utilisation": 2.0, "history": -0.1}  # utilisation raises the PD, history lowers it
    rows = pd.DataFrame({"utilisation": [0.9, 0.05], "history": [1.0, 25.0]})
    pts, maxima = linear_points(coef, rows, ref)
    assert maxima == pytest.approx({"utilisation": -0.2, "history": 2.0})
    assert pts.to_numpy() == pytest.approx(np.array([[-1.8, 0.1], [-0.2, 2.0]]))  # row 2 capped at the maxima
    table = {
        "utilisation": TABLE["utilisation"],
        "history": TABLE["history"],
    }
    res = points_below_maximum(pts, maxima, ["a", "b"], table, top_k=2)
    assert list(res.reasons["feature"]) == ["history", "utilisation"]  # 1.9 > 1.6 for row a; none for b
    assert res.reasons["contribution"].to_numpy() == pytest.approx([1.9, 1.6])
