"""Tests of mrmkit.explain.shapley and mrmkit.explain.exact.

Reference values are worked by hand in the comments (games) or computed with ``exact_shapley`` from the
definition of the value function that each SHAP explainer claims to compute.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from hypothesis import given, settings
from hypothesis import strategies as st
from lightgbm import LGBMClassifier
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.explain import (
    exact_shapley,
    explain_shap,
    global_importance,
    map_transformed_columns,
    model_importance,
    top_feature_agreement,
)

warnings.filterwarnings("ignore", category=UserWarning)


# ------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from mrmkit.demo import CATEGORICAL_FEATURES, FEATURES, build_demo

    b = build_demo(tmp_path_factory.mktemp("demo"), n_reference=4000, n_per_window=1500, n_windows=3)
    models = {
        "champion": sio.load(b.champion, trusted=list(b.champion_trusted_types)),
        "challenger": sio.load(b.challenger, trusted=list(b.challenger_trusted_types)),
    }
    frame = pd.read_parquet(b.reference)
    return models, frame, list(FEATURES), list(CATEGORICAL_FEATURES)


class LogOddsModel(ClassifierMixin, BaseEstimator):
    """A classifier whose log-odds are a given function of the feature frame (model-agnostic path)."""

    def __init__(self, function=None):
        self.function = function

    def fit(self, x, y=None):
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, x):
        z = np.asarray(self.function(pd.DataFrame(x)), dtype=float)
        p = 1.0 / (1.0 + np.exp(-z))
        return np.column_stack([1 - p, p])


def _frame(rng, n):
    return pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.normal(2.0, 3.0, size=n),
            "x3": rng.uniform(-1, 1, size=n),
            "c": rng.choice(["a", "b", "c"], size=n),
        }
    )


def _target(rng, frame):
    z = 0.8 * frame["x1"] - 0.3 * frame["x2"] + (frame["c"] == "b") * 1.0
    return (rng.random(len(frame)) < 1 / (1 + np.exp(-z))).astype(int)


# ------------------------------------------------------------------------------------------ demo models
@pytest.mark.parametrize("name, explainer", [("champion", "LinearExplainer"), ("challenger", "TreeExplainer")])
def test_additivity_on_demo_models(demo, name, explainer):
    models, frame, features, categorical = demo
    model = models[name]
    rows = frame.iloc[1000:1200]
    e = explain_shap(model, frame.iloc[:300], rows, features, categorical, seed=5)
    assert e.explainer == explainer and e.output_space == "log-odds"
    assert e.values.shape == (200, len(features))
    assert e.additivity_max_abs_error < 1e-6
    p = model.predict_proba(rows[features])[:, 1]
    np.testing.assert_allclose(e.output, np.log(p / (1 - p)), rtol=0, atol=1e-9)
    np.testing.assert_allclose(e.base_value + e.values.sum(axis=1), e.output, rtol=0, atol=1e-6)
    # Every transformed column was given to a feature; indicator and one-hot columns included.
    assert set(e.column_features) <= set(features)
    d = e.to_dict()
    json.dumps(d)
    assert "values" not in d and set(d["mean_abs_shap"]) == set(features)
    assert d["explainer"] == explainer and d["additivity_max_abs_error"] < 1e-6


def test_demo_mapping_rule(demo):
    models, _, features, _ = demo
    mapping = dict(map_transformed_columns(models["champion"][:-1], features))
    assert mapping["num__missingindicator_bureau_score"] == "bureau_score"
    assert mapping["num__bureau_score"] == "bureau_score"
    assert mapping["cat__employment_type_self_employed"] == "employment_type"
    assert mapping["cat__housing_owner_mortgage"] == "housing"
    assert len(mapping) == 51
    challenger = dict(map_transformed_columns(models["challenger"][:-1], features))
    assert challenger == {f: f for f in features}


def test_determinism_for_a_seed(demo):
    models, frame, features, categorical = demo
    for model in models.values():
        a = explain_shap(model, frame.iloc[:200], frame.iloc[2000:2050], features, categorical, seed=11)
        b = explain_shap(model, frame.iloc[:200], frame.iloc[2000:2050], features, categorical, seed=11)
        assert np.array_equal(a.values, b.values) and a.base_value == b.base_value
        assert a.to_dict() == b.to_dict()


def test_global_and_model_importance(demo):
    models, frame, features, categorical = demo
    for name, method in (("champion", "abs_coef_x_std"), ("challenger", "lightgbm_gain")):
        e = explain_shap(models[name], frame.iloc[:300], frame.iloc[300:700], features, categorical, seed=1)
        g = global_importance(e)
        assert list(g.mean_abs_shap) == sorted(g.mean_abs_shap, reverse=True)
        assert math.isclose(sum(g.share), 1.0)
        assert dict(zip(g.features, g.mean_abs_shap, strict=True)) == pytest.approx(e.mean_abs())
        m = model_importance(models[name], features, data=frame.iloc[:2000], explanation=e)
        assert m.method == method and -1 <= m.spearman_vs_shap <= 1
        assert list(m.importance) == sorted(m.importance, reverse=True)
        json.dumps(m.to_dict()), json.dumps(g.to_dict())
    with pytest.raises(InvalidParameters, match="'data'"):
        model_importance(models["champion"], features)


# ------------------------------------------------------------------------------------------ exactness
def test_linear_exactness_without_preprocessing():
    rng = np.random.default_rng(3)
    frame = _frame(rng, 400)[["x1", "x2", "x3"]]
    y = _target(rng, _frame(rng, 400).assign(x1=frame["x1"], x2=frame["x2"]))
    model = LogisticRegression().fit(frame, y)
    background, rows = frame.iloc[:100], frame.iloc[100:150]
    e = explain_shap(model, background, rows, ["x1", "x2", "x3"], [], seed=0)
    assert e.explainer == "LinearExplainer" and e.background_size == 100
    expected = model.coef_[0] * (rows.to_numpy() - background.to_numpy().mean(axis=0))
    np.testing.assert_allclose(e.values, expected, rtol=0, atol=1e-10)
    assert e.base_value == pytest.approx(model.intercept_[0] + model.coef_[0] @ background.mean().to_numpy(), abs=1e-10)


def test_one_hot_and_indicator_columns_are_summed():
    import shap

    rng = np.random.default_rng(4)
    frame = _frame(rng, 500)
    frame.loc[rng.random(500) < 0.2, "x1"] = np.nan
    y = _target(rng, frame.fillna(0.0))
    prep = ColumnTransformer(
        [
            ("num", Pipeline([("imp", SimpleImputer(add_indicator=True)), ("sc", StandardScaler())]), ["x1", "x2"]),
            ("cat", OneHotEncoder(sparse_output=False), ["c"]),
        ]
    )
    features = ["x1", "x2", "c"]
    model = Pipeline([("prep", prep), ("lr", LogisticRegression())]).fit(frame[features], y)
    background, rows = frame.iloc[:200], frame.iloc[200:260]
    e = explain_shap(model, background, rows, features, ["c"], seed=0)
    assert e.column_features == ("x1", "x2", "x1", "c", "c", "c")
    assert e.transformed_columns[2] == "num__missingindicator_x1"
    z_bg, z_rows = prep.transform(background), prep.transform(rows)
    raw = shap.LinearExplainer(model[-1], shap.maskers.Independent(z_bg, max_samples=200)).shap_values(z_rows)
    np.testing.assert_allclose(e.values[:, 2], raw[:, 3:6].sum(axis=1), rtol=0, atol=1e-12)
    np.testing.assert_allclose(e.values[:, 0], raw[:, 0] + raw[:, 2], rtol=0, atol=1e-12)
    np.testing.assert_allclose(e.values[:, 1], raw[:, 1], rtol=0, atol=1e-12)
    assert e.additivity_max_abs_error < 1e-9


def test_unmappable_columns_fail_clearly():
    rng = np.random.default_rng(5)
    frame = _frame(rng, 200)
    y = _target(rng, frame)
    pca = Pipeline([("pca", PCA(n_components=2)), ("lr", LogisticRegression())]).fit(frame[["x1", "x2", "x3"]], y)
    with pytest.raises(InvalidInput, match="cannot be mapped to exactly one original feature"):
        explain_shap(pca, frame, frame.iloc[:5], ["x1", "x2", "x3"], [], seed=0)
    ambiguous = frame.assign(a=frame["c"], a_b=np.where(frame["x1"] > 0, "x", "y"))
    prep = ColumnTransformer([("cat", OneHotEncoder(sparse_output=False), ["a", "a_b"])])
    model = Pipeline([("prep", prep), ("lr", LogisticRegression())]).fit(ambiguous[["a", "a_b"]], y)
    with pytest.raises(InvalidInput, match="candidates"):
        explain_shap(model, ambiguous, ambiguous.iloc[:5], ["a", "a_b"], ["a", "a_b"], seed=0)
    with pytest.raises(InvalidInput, match="order"):
        map_transformed_columns(prep, ["a_b", "a"])


@pytest.mark.slow  # the first masker-based shap call compiles numba code (5 to 10 s)
def test_interaction_model_by_hand():
    # f(x) = x1 * x2 in log-odds; background {(0, 0), (2, 2)}; explain x = (1, 3).
    # v({}) = (0 + 4) / 2 = 2; v({1}) = (1*0 + 1*2) / 2 = 1; v({2}) = (0*3 + 2*3) / 2 = 3; v({1,2}) = 3.
    # phi1 = ((1 - 2) + (3 - 3)) / 2 = -0.5; phi2 = ((3 - 2) + (3 - 1)) / 2 = 1.5; sum 1 = f(x) - v({}).
    background = pd.DataFrame({"x1": [0.0, 2.0], "x2": [0.0, 2.0]})
    row = pd.DataFrame({"x1": [1.0], "x2": [3.0]})
    model = LogOddsModel(lambda f: f["x1"] * f["x2"]).fit(background)

    def v(coalition):
        mixed = background.copy()
        for name in coalition:
            mixed[name] = row[name].iloc[0]
        return float((mixed["x1"] * mixed["x2"]).mean())

    exact = exact_shapley(v, ["x1", "x2"])
    assert exact == pytest.approx({"x1": -0.5, "x2": 1.5}, abs=1e-15)
    e = explain_shap(model, background, row, ["x1", "x2"], [], seed=3, max_evals=20)
    assert e.explainer == "PermutationExplainer" and e.background_size == 2 and e.max_evals == 20
    np.testing.assert_allclose(e.values[0], [-0.5, 1.5], rtol=0, atol=1e-9)
    assert e.base_value == pytest.approx(2.0, abs=1e-9)


def test_linear_explainer_equals_exact_shapley_of_interventional_game():
    rng = np.random.default_rng(6)
    frame = _frame(rng, 300)[["x1", "x2", "x3"]]
    y = (rng.random(300) < 1 / (1 + np.exp(-(frame["x1"] - 0.5 * frame["x3"])))).astype(int)
    model = LogisticRegression().fit(frame, y)
    background, rows = frame.iloc[:5], frame.iloc[10:14]
    e = explain_shap(model, background, rows, list(frame.columns), [], seed=0)
    for i in range(len(rows)):
        x = rows.iloc[i]

        def v(coalition, x=x):
            mixed = background.copy()
            for name in coalition:
                mixed[name] = x[name]
            return float(model.decision_function(mixed).mean())

        exact = exact_shapley(v, list(frame.columns))
        np.testing.assert_allclose(e.values[i], [exact[f] for f in frame.columns], rtol=0, atol=1e-10)


def _lightgbm_path_dependent_value(model, x, coalition, features):
    """v(S) of path-dependent TreeSHAP: follow x on features in S, average children by count otherwise."""

    def walk(node):
        if "leaf_value" in node:
            return node["leaf_value"]
        name = features[node["split_feature"]]
        if name in coalition:
            left = x[name] <= node["threshold"]
            return walk(node["left_child"] if left else node["right_child"])
        lc, rc = node["left_child"], node["right_child"]
        count = lambda n: n.get("internal_count", n.get("leaf_count"))  # noqa: E731
        return (count(lc) * walk(lc) + count(rc) * walk(rc)) / (count(lc) + count(rc))

    return sum(walk(t["tree_structure"]) for t in model.booster_.dump_model()["tree_info"])


def test_tree_explainer_equals_exact_shapley_of_path_dependent_game():
    rng = np.random.default_rng(7)
    frame = _frame(rng, 600)[["x1", "x2", "x3"]]
    y = (rng.random(600) < 1 / (1 + np.exp(-(frame["x1"] * frame["x3"] + 0.2 * frame["x2"])))).astype(int)
    model = LGBMClassifier(n_estimators=6, num_leaves=5, min_child_samples=20, n_jobs=1, verbose=-1).fit(frame, y)
    features = list(frame.columns)
    rows = frame.iloc[:4]
    e = explain_shap(model, frame.iloc[:50], rows, features, [], seed=0)
    assert e.explainer == "TreeExplainer" and e.feature_perturbation == "tree_path_dependent"
    assert e.base_value == pytest.approx(_lightgbm_path_dependent_value(model, None, set(), features), abs=1e-9)
    for i in range(len(rows)):
        x = rows.iloc[i]
        exact = exact_shapley(lambda s, x=x: _lightgbm_path_dependent_value(model, x, s, features), features)
        np.testing.assert_allclose(e.values[i], [exact[f] for f in features], rtol=0, atol=1e-9)


@pytest.mark.slow
def test_agnostic_explainer_is_seeded_and_recorded():
    rng = np.random.default_rng(8)
    frame = _frame(rng, 300)
    model = LogOddsModel(lambda f: f["x1"] * f["x2"] - f["x3"] + (f["c"] == "b")).fit(frame)
    features = ["x1", "x2", "x3", "c"]
    args = (model, frame.iloc[:150], frame.iloc[150:160], features, ["c"])
    a = explain_shap(*args, seed=1, max_background=20, max_evals=9)
    b = explain_shap(*args, seed=1, max_background=20, max_evals=9)
    c = explain_shap(*args, seed=2, max_background=20, max_evals=9)
    assert np.array_equal(a.values, b.values) and a.background_size == 20
    assert not np.array_equal(a.values, c.values)
    assert a.additivity_max_abs_error < 1e-9 and c.additivity_max_abs_error < 1e-9


def test_bad_arguments():
    frame = _frame(np.random.default_rng(9), 50)
    model = LogOddsModel(lambda f: f["x1"]).fit(frame)
    with pytest.raises(InvalidInput, match=r"lacks the feature columns \['nope'\]"):
        explain_shap(model, frame, frame, ["x1", "nope"], [], seed=0)
    with pytest.raises(InvalidParameters, match="subset of 'features'"):
        explain_shap(model, frame, frame, ["x1"], ["c"], seed=0)
    with pytest.raises(InvalidParameters, match="'seed'"):
        explain_shap(model, frame, frame, ["x1"], [], seed=-1)


# ------------------------------------------------------------------------------------------ agreement
def test_top_feature_agreement_by_hand():
    shap_row = {"x": 3.0, "y": -2.0, "z": 1.0, "w": 0.1}
    lime = {"x": 0.1, "z": -0.5, "y": 0.2}
    r = top_feature_agreement(shap_row, lime, 2)
    # top_a = (x, y), top_b = (z, y): overlap {y} -> 1/2; union (x, y, z): |a| = 3, 2, 1; |b| = .1, .2, .5
    assert r.top_a == ("x", "y") and r.top_b == ("z", "y") and r.overlap_share == 0.5
    assert r.spearman == pytest.approx(-1.0)
    assert top_feature_agreement(pd.Series(shap_row), shap_row, 3).spearman == pytest.approx(1.0)


# ------------------------------------------------------------------------------------------ exact games
def test_talmud_bankruptcy_game():
    # Aumann & Maschler (1985): estate 200, claims 100, 200, 300; v(S) = max(0, E - claims outside S).
    # v(1) = v(2) = v(3) = v(12) = v(13) = 0, v(23) = 100, v(123) = 200. Over the 6 orders, player 1
    # adds 100 only when it comes last (2 orders): 200 / 6. Player 2 adds 200 (orders 132, 312) and
    # 100 (order 321): 500 / 6; player 3 likewise 500 / 6. (The Talmud's own division, the nucleolus,
    # is 50, 75, 75: a different solution concept.)
    claims = {1: 100.0, 2: 200.0, 3: 300.0}

    def v(s):
        return max(0.0, 200.0 - sum(c for p, c in claims.items() if p not in s))

    phi = exact_shapley(v, [1, 2, 3])
    assert phi == pytest.approx({1: 100 / 3, 2: 250 / 3, 3: 250 / 3}, abs=1e-12)


def test_glove_game():
    # Player L owns a left glove, R1 and R2 right gloves; a pair is worth 1. L is pivotal in 4 of the 6
    # orders (whenever not first): 2/3; each right-glove owner is pivotal only in the order (L, Ri, .): 1/6.
    def v(s):
        return 1.0 if "L" in s and ({"R1", "R2"} & s) else 0.0

    assert exact_shapley(v, ["L", "R1", "R2"]) == pytest.approx({"L": 2 / 3, "R1": 1 / 6, "R2": 1 / 6}, abs=1e-15)


def test_exact_shapley_rejects_bad_players():
    with pytest.raises(InvalidParameters):
        exact_shapley(lambda s: 0.0, [])
    with pytest.raises(InvalidParameters):
        exact_shapley(lambda s: 0.0, [1, 1])


_games = st.integers(1, 5).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.floats(-100, 100), min_size=2**n, max_size=2**n))
)


def _table_game(n, table):
    return lambda s: table[sum(1 << p for p in s)]


@settings(max_examples=60, deadline=None)
@given(_games)
def test_efficiency(game):
    n, table = game
    phi = exact_shapley(_table_game(n, table), list(range(n)))
    assert sum(phi.values()) == pytest.approx(table[2**n - 1] - table[0], abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(_games.filter(lambda g: g[0] >= 2))
def test_symmetry(game):
    # Make players 0 and 1 interchangeable: v(S) depends on S only through |S & {0, 1}| and S - {0, 1}.
    n, table = game

    def v(s):
        both = len(s & {0, 1})
        canonical = {0: set(), 1: {0}, 2: {0, 1}}[both] | (s - {0, 1})
        return table[sum(1 << p for p in canonical)]

    phi = exact_shapley(v, list(range(n)))
    assert phi[0] == pytest.approx(phi[1], abs=1e-9)
