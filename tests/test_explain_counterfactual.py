"""Counterfactuals: closed-form check on a logistic model, ranges, whole numbers, determinism, demo."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from mrmkit.errors import InvalidParameters
from mrmkit.explain.counterfactual import counterfactuals

FEATURES = ["utilisation", "income", "enquiries", "region"]
B0, BETA = -2.0, {"utilisation": 3.0, "income": -0.5, "enquiries": 0.4}
CUT = 0.1


class Logit:
    """PD = 1 / (1 + exp(-(B0 + sum beta_f x_f))); monotone in every feature; counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        self.calls += 1
        assert list(frame.columns) == FEATURES
        z = B0 + sum(b * frame[f].to_numpy(dtype=float) for f, b in BETA.items())
        p = 1 / (1 + np.exp(-z))
        return np.column_stack([1 - p, p])


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


ROWS = pd.DataFrame(
    {
        "utilisation": [0.9, 0.1, 0.3, 0.95, 0.7, 1.0],
        "income": [1.5, 2.0, 0.5, 0.0, 1.1, 0.0],
        "enquiries": [0, 0, 2, 3, 1, 9],
        "region": ["n", "s", "e", "w", "n", "s"],
    },
    index=["a", "b", "c", "d", "e", "f"],
)
# Logit reductions needed to reach the cut-off: a 2.15 (utilisation alone: best), c 1.65 and e 2.15
# (income alone: utilisation cannot reach), d 4.25 (both needed), f 6.8 (more than both can give, 6).
ACT = {"utilisation": (0.0, 1.5), "income": (0.0, 6.0)}
SCALE = {"utilisation": 0.5, "income": 1.0}


def _z(row: pd.Series) -> float:
    return B0 + sum(b * float(row[f]) for f, b in BETA.items())


def test_single_move_matches_the_closed_form():
    res = counterfactuals(Logit(), ROWS, FEATURES, ACT, CUT, seed=1, scale=SCALE)
    rows = res.rows.set_index("id")
    assert rows.loc["b", "status"] == "approved"  # PD 0.08 <= 0.1: not explained
    assert res.n_approved == 1 and res.n_declined == 5
    checked = 0
    for rid in ("a", "c", "e"):
        row = ROWS.loc[rid]
        need = _z(row) - _logit(CUT)  # logit reduction needed
        # Closed-form single moves: x_f* = x_f - need / beta_f, kept in range.
        options = {}
        for f in ACT:
            target = float(row[f]) - need / BETA[f]
            if ACT[f][0] <= target <= ACT[f][1]:
                options[f] = (target, abs(target - float(row[f])) / SCALE[f])
        f_best = min(options, key=lambda f: options[f][1])
        assert rows.loc[rid, "status"] == "found" and rows.loc[rid, "method"] == "single"
        change = res.changes[res.changes["id"] == rid]
        assert list(change["feature"]) == [f_best]
        assert change["to"].iloc[0] == pytest.approx(options[f_best][0], abs=1e-6)
        assert rows.loc[rid, "distance"] == pytest.approx(options[f_best][1], abs=1e-6)
        assert rows.loc[rid, "new_pd"] <= CUT and rows.loc[rid, "new_pd"] == pytest.approx(CUT, abs=1e-6)
        assert rows.loc[rid, "evaluations"] <= res.max_evaluations
        checked += 1
    assert checked == 3


def test_two_features_needed_uses_a_combination_close_to_the_optimum():
    # Row 'd': utilisation to 0 lowers the logit by 2.85, income to 6 by 3; each alone is not enough.
    res = counterfactuals(Logit(), ROWS, FEATURES, ACT, CUT, seed=1, scale=SCALE)
    row = res.rows.set_index("id").loc["d"]
    need = _z(ROWS.loc["d"]) - _logit(CUT)
    assert 3.0 * 0.95 < need < 3.0 * 0.95 + 0.5 * 6.0 and need > 0.5 * 6.0
    # L1 optimum of the linear logit: utilisation (6 logit per unit of scale) fully, then income (0.5).
    optimum = 0.95 / 0.5 + (need - 3.0 * 0.95) / 0.5 / 1.0
    assert row["status"] == "found" and row["method"] == "combination" and row["new_pd"] <= CUT
    assert row["distance"] == pytest.approx(optimum, rel=1e-4)


def test_no_counterfactual_within_the_ranges_is_reported_with_the_reason():
    res = counterfactuals(Logit(), ROWS, FEATURES, ACT, CUT, seed=1, scale=SCALE)
    row = res.rows.set_index("id").loc["f"]
    assert row["status"] == "not_found" and np.isnan(row["distance"]) and np.isnan(row["new_pd"])
    assert "favourable bound gives PD" in row["reason"]
    assert res.changes[res.changes["id"] == "f"].empty
    assert res.n_found == 4 and res.share_found == pytest.approx(0.8)
    one = counterfactuals(Logit(), ROWS, FEATURES, {"income": (0.0, 0.5)}, CUT, seed=1)
    assert "one movable feature" in one.rows.set_index("id").loc["d", "reason"]


def test_same_seed_same_result_and_json_round_trip():
    first = counterfactuals(Logit(), ROWS, FEATURES, ACT, CUT, seed=7, scale=SCALE).to_dict()
    second = counterfactuals(Logit(), ROWS, FEATURES, ACT, CUT, seed=7, scale=SCALE).to_dict()
    assert first == second
    assert json.loads(json.dumps(first, allow_nan=False)) == first


def test_whole_number_features_stay_whole_and_cross():
    # Rows whose exact enquiry target is 2.5 and 2.7: whole-number search gives 2 (rounded away from the
    # current value, the direction that keeps the PD below the cut-off), and 3 would not cross.
    rows = pd.DataFrame(
        {"utilisation": [0.1, 0.1], "income": [2.994, 3.154], "enquiries": [8, 6], "region": ["n", "s"]}
    )
    act = {"enquiries": (0, 10), "income": (0.0, 6.0)}
    res = counterfactuals(Logit(), rows, FEATURES, act, CUT, seed=3, scale={"enquiries": 1.0, "income": 0.001})
    assert res.integer_features == ("enquiries",)
    assert list(res.rows["method"]) == ["single", "single"]
    assert list(res.changes["feature"]) == ["enquiries", "enquiries"]
    assert list(res.changes["to"]) == [2, 2] and all(isinstance(v, int) for v in res.changes["to"])
    assert all(isinstance(v, int) for v in res.changes["from"])
    for k in range(2):
        above = rows.iloc[k].copy()
        above["enquiries"] = 3
        assert 1 / (1 + math.exp(-_z(above))) > CUT
    assert (res.rows["new_pd"] <= CUT).all()
    # Whole-number bounds are rounded inwards.
    res2 = counterfactuals(Logit(), rows, FEATURES, {"enquiries": (0.5, 9.5)}, CUT, seed=3)
    assert res2.actionable["enquiries"] == [1.0, 9.0]


def test_missing_values_are_not_changed_and_values_outside_the_range_move_into_it():
    rows = ROWS.copy()
    rows.loc["a", "utilisation"] = np.nan
    rows.loc["e", "income"] = -1.0  # below the allowed range (0, 6)
    res = counterfactuals(Logit(), rows, FEATURES, ACT, 0.5, seed=1)
    out = res.rows.set_index("id")
    assert out.loc["a", "missing_features"] == ("utilisation",)
    assert "utilisation" not in set(res.changes.loc[res.changes["id"] == "a", "feature"])
    assert res.changes[["from", "to"]].notna().all().all()
    for _, ch in res.changes.iterrows():
        assert ACT[ch["feature"]][0] <= ch["to"] <= ACT[ch["feature"]][1]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"actionable": {"salary": (0, 1)}}, r"unknown features \['salary'\]"),
        ({"actionable": {"region": (0, 1)}}, r"categorical features \['region'\].*not supported"),
        ({"actionable": {"income": (2.0, 1.0)}}, "low <= high"),
        ({"cutoff": 1.0}, "'cutoff' parameter of counterfactuals"),
        ({"cutoff": 0.0}, "'cutoff' parameter of counterfactuals"),
        ({"actionable": {"income": (0, 3)}, "categorical": ["income"]}, "categorical"),
        ({"max_evaluations": 10}, "'max_evaluations' parameter of counterfactuals must be an integer of at least"),
        ({"step_grid": (0.5, 0.2)}, "'step_grid'"),
        ({"scale": {"income": 0.0}}, "'scale' parameter"),
    ],
)
def test_errors(kwargs, match):
    args = {"actionable": ACT, "cutoff": CUT, **kwargs}
    with pytest.raises(InvalidParameters, match=match):
        counterfactuals(Logit(), ROWS, FEATURES, seed=0, **args)


def test_demo_champion_finds_counterfactuals_for_most_declines(tmp_path):
    import skops.io as sio

    from mrmkit.demo import build_demo

    b = build_demo(tmp_path, n_reference=4000, n_per_window=1500, n_windows=3)
    model = sio.load(b.champion, trusted=list(b.champion_trusted_types))
    ref = pd.read_parquet(b.reference)
    cutoff = 0.08  # the demo's credit decision: approve when PD <= 8 percent
    pd_ref = model.predict_proba(ref[list(b.features)])[:, 1]
    declined = ref[pd_ref > cutoff].head(20)
    act = {
        "revolving_utilisation": (0.0, 1.0),
        "num_enquiries_6m": (0, 20),
        "debt_to_income": (0.0, 1.0),
        "overdraft_days_3m": (0, 90),
        "savings_balance": (0.0, float(ref["savings_balance"].quantile(0.95))),
    }
    res = counterfactuals(
        model, declined, list(b.features), act, cutoff, seed=11, reference=ref, ids=declined["application_id"]
    )
    assert res.n_declined == 20 and res.scale_sample == "reference"
    assert set(res.integer_features) == {"num_enquiries_6m", "overdraft_days_3m"}
    found = res.rows[res.rows["status"] == "found"]
    assert (found["new_pd"] <= cutoff).all()
    assert res.share_found >= 0.6, res.share_found  # 0.8 (16 of 20) with these settings
    # Every change is inside its range and every reported PD is the model's own.
    for _, ch in res.changes.iterrows():
        low, high = res.actionable[ch["feature"]]
        assert low <= ch["to"] <= high
    rid = found["id"].iloc[0]
    row = declined[declined["application_id"] == rid].copy()
    for _, ch in res.changes[res.changes["id"] == rid].iterrows():
        row[ch["feature"]] = ch["to"]
    assert model.predict_proba(row[list(b.features)])[0, 1] == pytest.approx(found["new_pd"].iloc[0], abs=1e-12)
