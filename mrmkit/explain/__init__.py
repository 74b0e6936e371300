"""Explanations of PD models: SHAP in log-odds on the original features, LIME (adapter), exact Shapley.

* :func:`explain_shap`, :func:`global_importance`, :func:`model_importance`,
  :func:`map_transformed_columns`, :func:`top_feature_agreement` (``mrmkit.explain.shapley``);
* :func:`explain_lime`, :func:`lime_stability` (``mrmkit.explain.lime_adapter``, the only module that
  imports ``lime``; imported lazily here so that ``import mrmkit.explain`` does not import lime);
* :func:`exact_shapley` (``mrmkit.explain.exact``), the reference for tests;
* :func:`reason_codes`, :func:`points_below_maximum`, :func:`linear_points` (``mrmkit.explain.reasons``):
  adverse-action reason codes;
* :func:`counterfactuals` (``mrmkit.explain.counterfactual``): the smallest change that reverses a decline.
"""

from __future__ import annotations

from typing import Any

from mrmkit.explain.counterfactual import CounterfactualResult, counterfactuals
from mrmkit.explain.exact import exact_shapley
from mrmkit.explain.reasons import ReasonCodes, linear_points, points_below_maximum, reason_codes
from mrmkit.explain.shapley import (
    GlobalImportance,
    ModelImportance,
    ShapExplanation,
    TopFeatureAgreement,
    explain_shap,
    global_importance,
    log_odds,
    map_transformed_columns,
    model_importance,
    split_pipeline,
    top_feature_agreement,
)

__all__ = [
    "ShapExplanation",
    "GlobalImportance",
    "ModelImportance",
    "TopFeatureAgreement",
    "LimeExplanation",
    "LimeStability",
    "explain_shap",
    "global_importance",
    "model_importance",
    "map_transformed_columns",
    "split_pipeline",
    "log_odds",
    "top_feature_agreement",
    "explain_lime",
    "lime_stability",
    "exact_shapley",
    "reason_codes",
    "points_below_maximum",
    "linear_points",
    "ReasonCodes",
    "counterfactuals",
    "CounterfactualResult",
]

_LIME_NAMES = {"LimeExplanation", "LimeStability", "explain_lime", "lime_stability"}


def __getattr__(name: str) -> Any:
    if name in _LIME_NAMES:
        from mrmkit.explain import lime_adapter

        return getattr(lime_adapter, name)
    raise AttributeError(f"module 'mrmkit.explain' has no attribute {name!r}")
