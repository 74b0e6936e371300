"""SHAP explanations of a binary PD model in log-odds, aggregated back to the original features.

Purpose
-------
Say how much each original feature moved one applicant's score away from a baseline, in log-odds, so
that adverse-action reasons and the validator's global importance rest on numbers that add up to the
model's own output.

Method
------
``explain_shap`` splits a scikit-learn ``Pipeline`` into its preprocessing (every step but the last)
and its final estimator, and chooses the explainer from the estimator's type. The choice is recorded
in the result (``explainer``, ``feature_perturbation``, ``output_space``, ``background_size``):

* gradient-boosted trees whose raw output is the log-odds (LightGBM, scikit-learn's
  ``HistGradientBoostingClassifier`` and ``GradientBoostingClassifier``, XGBoost):
  ``shap.TreeExplainer(model_output="raw", feature_perturbation="tree_path_dependent")`` on the
  transformed rows. Path-dependent TreeSHAP uses the training cover stored in the trees, not the
  background sample (``background_size`` is 0 and ``base_value`` is the cover-weighted mean raw
  score). It is chosen because shap's interventional TreeSHAP does not support LightGBM's native
  categorical splits (its own additivity check fails on the demo challenger);
* logistic regression: ``shap.LinearExplainer`` (interventional) on the transformed background, so
  that the value of transformed column j is ``coef_j * (z_j - mean_background(z_j))``;
* anything else with ``predict_proba`` (random forests, whose raw output is a probability; pipelines
  with any final step; XGBoost or CatBoost wrapped in a pipeline; a user's own class): model-agnostic,
  on the whole model's log-odds ``log(p / (1 - p))`` in the original feature space, with an
  independent masker over at most ``max_background`` background rows drawn with
  ``numpy.random.default_rng(seed)``; categoricals are coded as integers for the masker and decoded
  back before the model sees them. With at most ``EXACT_MAX_FEATURES`` (8) features
  ``shap.ExactExplainer`` enumerates every coalition (2^M evaluations per row and background row:
  the exact interventional Shapley values); above it ``shap.PermutationExplainer`` with ``max_evals``
  evaluations per row (efficiency holds exactly; the values are an estimate). The cost is recorded as
  ``model_evaluations``, the number of rows given to ``predict_proba``.

``output`` is computed independently of the explainer from ``predict_proba`` of the whole model, and
``additivity_max_abs_error = max |base_value + sum(values) - output|``; an explanation whose error is
above ``additivity_tolerance`` is refused (``InvalidInput``), since a wrong number is worse than none.

Mapping transformed columns to original features (``map_transformed_columns``): the preprocessing is
walked structurally. A ``ColumnTransformer`` sends each block's output slice (``output_indices_``)
to the block's own input columns; a ``Pipeline`` composes the mappings of its steps; within one
transformer, (1) if it has a single input column, every output column belongs to that input; (2) if
its output names equal its input names, the mapping is positional (scalers, imputers without
indicator, ordinal encoders, passthrough); (3) otherwise an output name ``o`` belongs to the input
``c`` with ``o == c``, ``o == "missingindicator_" + c`` or ``o.startswith(c + "_")`` (scikit-learn's
naming of imputer indicators and one-hot columns), and exactly one input must match. An output that
matches no input or several inputs (e.g. a PCA component, a polynomial term, or inputs ``a`` and
``a_b`` in one one-hot block) raises ``InvalidInput`` naming the column and the candidates: the
contribution of such a column cannot be given to one feature. A feature's value is the sum of the
values of its columns (one-hot columns and missing indicators included).

Signs of high risk
------------------
A large additivity error; a model-agnostic explanation with few permutations; a global ranking that
disagrees with the model's own importance (low Spearman in ``model_importance``).

Strengths
---------
Exact and fast for the two model families of the toolkit; values add up to the model's log-odds.

Limitations
-----------
Shapley values attribute, they do not explain causes; with correlated features the interventional
values move credit between correlated features, the path-dependent ones follow the training data.
Values are in log-odds, not probability.

References
----------
Shapley, L. S. (1953). A value for n-person games. Lundberg, S. M. & Lee, S.-I. (2017). A unified
approach to interpreting model predictions. NeurIPS. Lundberg et al. (2020). From local explanations to
global understanding with explainable AI for trees. Nature Machine Intelligence 2, 56-67.
CFPB Regulation B, 12 CFR 1002.9 (adverse action notices).

The package has one module per job, and this module re-exports all their names:
:mod:`~mrmkit.explain.shapley.results` (result classes), :mod:`~mrmkit.explain.shapley.mapping`
(transformed columns to original features), :mod:`~mrmkit.explain.shapley.explainers` (``explain_shap``),
:mod:`~mrmkit.explain.shapley.importance` (global and model importance, top-feature agreement) and the
shared checks, estimator families and frame codec in ``_common``.
"""

from mrmkit.explain.shapley._common import log_odds, split_pipeline
from mrmkit.explain.shapley.explainers import explain_shap
from mrmkit.explain.shapley.importance import (
    TopFeatureAgreement,
    global_importance,
    model_importance,
    top_feature_agreement,
)
from mrmkit.explain.shapley.mapping import map_transformed_columns
from mrmkit.explain.shapley.results import GlobalImportance, ModelImportance, ShapExplanation

# The former module's other names, still importable from here ("x as x" marks a re-export).
from mrmkit.explain.shapley._common import (  # isort: skip
    _LINEAR as _LINEAR,
    _TREE_LOG_ODDS as _TREE_LOG_ODDS,
    EXACT_MAX_FEATURES as EXACT_MAX_FEATURES,
    _check_columns as _check_columns,
    _check_features as _check_features,
    _FrameCodec as _FrameCodec,
)
from mrmkit.explain.shapley.explainers import (  # isort: skip
    _estimator_kind as _estimator_kind,
    _explain_agnostic as _explain_agnostic,
    _explain_transformed as _explain_transformed,
    _positive_class_values as _positive_class_values,
)
from mrmkit.explain.shapley.importance import (  # isort: skip
    _as_mapping as _as_mapping,
    _permutation_importance as _permutation_importance,
    _Predictor as _Predictor,
    _top_k as _top_k,
)
from mrmkit.explain.shapley.mapping import (  # isort: skip
    _aggregate as _aggregate,
    _map_one as _map_one,
    _resolve_columns as _resolve_columns,
)
from mrmkit.explain.shapley.results import _frozen_array as _frozen_array  # isort: skip

__all__ = [
    "ShapExplanation",
    "GlobalImportance",
    "ModelImportance",
    "explain_shap",
    "global_importance",
    "model_importance",
    "map_transformed_columns",
    "split_pipeline",
    "log_odds",
    "TopFeatureAgreement",
    "top_feature_agreement",
]
