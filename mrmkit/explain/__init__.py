"""Explanations of PD models: SHAP in log-odds on the original features, LIME (adapter), exact Shapley.

* :func:`explain_shap`, :func:`global_importance`, :func:`model_importance`,
  :func:`map_transformed_columns`, :func:`top_feature_agreement` (``mrmkit.explain.shapley``);
* :func:`explain_lime`, :func:`lime_stability` (``mrmkit.explain.lime_adapter``, the only module that
  imports ``lime``, and only when an explanation is computed: ``import mrmkit.explain`` does not import it);
* :func:`exact_shapley` (``mrmkit.explain.exact``), the reference for tests;
* :func:`reason_codes`, :func:`points_below_maximum`, :func:`linear_points` (``mrmkit.explain.reasons``):
  adverse-action reason codes;
* :func:`counterfactuals` (``mrmkit.explain.counterfactual``): the smallest change that reverses a decline.

Importing this package registers the explanation functions in :data:`mrmkit.stats.REGISTRY` (after the
statistics; ``mrmkit.stats`` itself does not import them). Not registered, as they return no result:
:func:`exact_shapley` (a dict of a game's values, the tests' reference), :func:`linear_points` (points and
maxima for :func:`points_below_maximum`) and the helpers :func:`map_transformed_columns`,
:func:`split_pipeline` and :func:`log_odds`.
"""

from __future__ import annotations

from mrmkit.explain.counterfactual import CounterfactualResult, counterfactuals
from mrmkit.explain.exact import exact_shapley
from mrmkit.explain.lime_adapter import LimeExplanation, LimeStability, explain_lime, lime_stability
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
