"""Conformance cases of the explainability family (merged into tests/test_stats_conformance.py).

Each entry: name -> (call, bad keyword arguments). The calls ignore the shared data of ``_data()``: they
explain a scikit-learn logistic regression fitted once on a small seeded sample (SHAP's linear explainer
on 20 rows, LIME with 200 samples), so that every case runs in well under a second.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

FEATURES = ["income", "util", "enquiries"]
TABLE = {
    "income": {"code": "R01", "statement": "Income insufficient for amount of credit requested"},
    "util": {"code": "R02", "statement": "Proportion of balances to credit limits is too high"},
    "enquiries": {"code": "R03", "statement": "Number of recent inquiries on credit bureau report"},
}
LIME_WEIGHTS = {"util": 0.12, "income": -0.05, "enquiries": 0.01}


@cache
def _fitted() -> tuple[Any, pd.DataFrame]:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(7)
    n = 300
    x = pd.DataFrame(
        {
            "income": rng.normal(40.0, 10.0, n).round(1),
            "util": rng.uniform(0.0, 1.0, n).round(3),
            "enquiries": rng.poisson(1.5, n).astype(np.int64),
        }
    )
    z = -1.0 - 0.05 * (x["income"] - 40.0) + 2.0 * (x["util"] - 0.5) + 0.4 * (x["enquiries"] - 1.5)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(int)
    return LogisticRegression().fit(x, y), x


@cache
def _shap() -> Any:
    from mrmkit.explain import explain_shap

    model, x = _fitted()
    return explain_shap(model, x.iloc[:100], x.iloc[:20], FEATURES, [], seed=1)


def _explain_shap(f: Callable[..., Any], d: dict[str, Any]) -> Any:
    model, x = _fitted()
    return f(model, x.iloc[:100], x.iloc[:20], FEATURES, [], seed=1)


def _model_importance(f: Callable[..., Any], d: dict[str, Any]) -> Any:
    model, x = _fitted()
    return f(model, FEATURES, data=x, explanation=_shap())


def _top_feature_agreement(f: Callable[..., Any], d: dict[str, Any]) -> Any:
    return f(dict(zip(FEATURES, _shap().values[0].tolist(), strict=True)), LIME_WEIGHTS, k=2)


def _explain_lime(f: Callable[..., Any], d: dict[str, Any]) -> Any:
    model, x = _fitted()
    return f(model, x, x.iloc[0], FEATURES, [], seed=3, num_samples=200, num_features=3)


def _lime_stability(f: Callable[..., Any], d: dict[str, Any]) -> Any:
    model, x = _fitted()
    return f(model, x, x.iloc[0], FEATURES, [], seeds=[1, 2, 3], num_samples=200, num_features=3)


def _reason_codes(f: Callable[..., Any], d: dict[str, Any]) -> Any:
    contributions = pd.DataFrame(_shap().values, columns=FEATURES)
    return f(contributions, [f"app-{i}" for i in range(len(contributions))], TABLE, top_k=2)


def _points_below_maximum(f: Callable[..., Any], d: dict[str, Any]) -> Any:
    from mrmkit.explain import linear_points

    model, x = _fitted()
    points, maxima = linear_points(dict(zip(FEATURES, model.coef_[0].tolist(), strict=True)), x.iloc[:20], x)
    return f(points, maxima, list(range(20)), TABLE, top_k=2)


def _counterfactuals(f: Callable[..., Any], d: dict[str, Any]) -> Any:
    model, x = _fitted()
    return f(model, x.iloc[:40], FEATURES, {"util": (0.0, 1.0), "enquiries": (0, 8)}, cutoff=0.35, seed=5)


CASES: dict[str, tuple[Callable[[Callable[..., Any], dict[str, Any]], Any], dict[str, Any] | None]] = {
    "explain_shap": (_explain_shap, {"seed": -1}),
    "global_importance": (lambda f, d: f(explanation=_shap()), {"explanation": 42}),
    "model_importance": (_model_importance, {"importance_type": "cover"}),
    "top_feature_agreement": (_top_feature_agreement, {"k": 0}),
    "explain_lime": (_explain_lime, {"num_samples": 1}),
    "lime_stability": (_lime_stability, {"seeds": [1]}),
    "reason_codes": (_reason_codes, {"top_k": 0}),
    "points_below_maximum": (_points_below_maximum, {"top_k": 0}),
    "counterfactuals": (_counterfactuals, {"cutoff": 1.5}),
}
