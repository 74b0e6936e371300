"""Tests of the LIME adapter (mrmkit.explain.lime_adapter): seeding, coding of the frame, stability."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.explain import explain_lime, lime_stability, top_feature_agreement

FEATURES = ["income", "utilisation", "enquiries", "region"]
CATEGORICAL = ["region"]


class DtypeCheckingModel:
    """Wraps a model and records the frames LIME's predict_fn hands it."""

    def __init__(self, model):
        self.model = model
        self.seen: list[pd.DataFrame] = []

    def predict_proba(self, frame):
        self.seen.append(frame)
        return self.model.predict_proba(frame)


@pytest.fixture(scope="module")
def setup():
    rng = np.random.default_rng(20261123)
    n = 1500
    frame = pd.DataFrame(
        {
            "income": rng.lognormal(10.5, 0.5, n),
            "utilisation": rng.beta(2, 5, n),
            "enquiries": rng.poisson(1.0, n).astype(np.int64),
            "region": rng.choice(["north", "south", "east", "west"], n),
        }
    )
    frame.loc[rng.random(n) < 0.1, "income"] = np.nan
    z = -2 + 3 * frame["utilisation"] + 0.4 * frame["enquiries"] + (frame["region"] == "west") * 0.8
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    prep = ColumnTransformer(
        [
            ("num", SimpleImputer(strategy="median", add_indicator=True), ["income", "utilisation", "enquiries"]),
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["region"]),
        ]
    )
    model = Pipeline([("prep", prep), ("lr", LogisticRegression(max_iter=1000))]).fit(frame[FEATURES], y)
    return model, frame


def test_same_seed_same_explanation(setup):
    model, frame = setup
    row = frame.iloc[7]
    a = explain_lime(model, frame, row, FEATURES, CATEGORICAL, seed=3, num_samples=1000)
    b = explain_lime(model, frame, row, FEATURES, CATEGORICAL, seed=3, num_samples=1000)
    c = explain_lime(model, frame, row, FEATURES, CATEGORICAL, seed=4, num_samples=1000)
    assert a.weights == b.weights and a.intercept == b.intercept and a.score == b.score
    assert a.weights != c.weights
    assert set(a.weights) <= set(FEATURES) and len(a.weights) == 4
    assert a.output_space == "probability" and a.seed == 3 and a.num_samples == 1000
    assert 0 <= a.model_prediction <= 1
    json.dumps(a.to_dict())


def test_predict_fn_receives_original_dtypes(setup):
    model, frame = setup
    wrapped = DtypeCheckingModel(model)
    explain_lime(wrapped, frame, frame.iloc[[3]], FEATURES, CATEGORICAL, seed=1, num_samples=200)
    sample = wrapped.seen[0]
    assert list(sample.columns) == FEATURES
    assert sample["enquiries"].dtype == np.int64
    assert sample["utilisation"].dtype == np.float64
    assert set(sample["region"].dropna()) <= {"north", "south", "east", "west"}
    assert sample["income"].notna().all()  # LIME samples around the median-imputed data


def test_missing_numeric_is_imputed_and_recorded(setup):
    model, frame = setup
    row = frame[frame["income"].isna()].iloc[[0]]
    e = explain_lime(model, frame, row, FEATURES, CATEGORICAL, seed=1, num_samples=300)
    assert e.imputed_features == ("income",)
    complete = frame[frame["income"].notna()].iloc[[0]]
    assert explain_lime(model, frame, complete, FEATURES, CATEGORICAL, seed=1, num_samples=300).imputed_features == ()


def test_lime_stability(setup):
    model, frame = setup
    s = lime_stability(model, frame, frame.iloc[11], FEATURES, CATEGORICAL, seeds=[1, 2, 3], num_samples=500)
    assert s.seeds == (1, 2, 3) and len(s.explanations) == 3
    assert s.n_pairs <= 3
    for value in (s.spearman_mean, s.spearman_min):
        assert value is None or -1.0 <= value <= 1.0
    assert s.spearman_min <= s.spearman_mean
    assert 0.0 <= s.mean_top_overlap <= 1.0
    json.dumps(s.to_dict())
    with pytest.raises(InvalidParameters, match="at least 2 distinct seeds"):
        lime_stability(model, frame, frame.iloc[11], FEATURES, CATEGORICAL, seeds=[1, 1])


def test_agreement_with_shap_runs(setup):
    model, frame = setup
    e = explain_lime(model, frame, frame.iloc[5], FEATURES, CATEGORICAL, seed=2, num_samples=500)
    r = top_feature_agreement({"income": 0.1, "utilisation": 0.9, "enquiries": 0.3, "region": 0.0}, e.weights, 2)
    assert 0 <= r.overlap_share <= 1


def test_bad_arguments(setup):
    model, frame = setup
    with pytest.raises(InvalidInput, match="exactly one row"):
        explain_lime(model, frame, frame.iloc[:2], FEATURES, CATEGORICAL, seed=1)
    with pytest.raises(InvalidParameters, match="'num_samples'"):
        explain_lime(model, frame, frame.iloc[0], FEATURES, CATEGORICAL, seed=1, num_samples=0)
    with pytest.raises(InvalidInput, match="not numeric"):
        explain_lime(model, frame, frame.iloc[0], FEATURES, [], seed=1)


def test_only_the_adapter_imports_lime():
    import re
    from pathlib import Path

    import mrmkit.explain

    folder = Path(mrmkit.explain.__file__).parent
    pattern = re.compile(r"^\s*(import lime\b|from lime[. ])", re.MULTILINE)
    importers = [p.name for p in sorted(folder.glob("*.py")) if pattern.search(p.read_text())]
    assert importers == ["lime_adapter.py"]
