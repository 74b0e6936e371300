"""Global importance (mean |SHAP|), the model's own importance and the SHAP-LIME top-feature agreement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.explain.shapley._common import _LINEAR, _check_columns, _check_features, log_odds, split_pipeline
from mrmkit.explain.shapley.mapping import _aggregate, map_transformed_columns
from mrmkit.explain.shapley.results import GlobalImportance, ModelImportance, ShapExplanation
from mrmkit.stats._base import Result, check_int, register


# ------------------------------------------------------------------------------------------ importance
@register("global_importance")
def global_importance(explanation: ShapExplanation) -> GlobalImportance:
    """Mean |SHAP| per feature over the explained rows, ranked largest first (ties by feature order).

    Purpose
    -------
    Ranks the features by how much they move the model's log-odds on average over the explained rows:
    the validator's global view of what drives the model, to set against the model's own importance.

    Method
    ------
    ``mean_abs_shap`` is the mean absolute SHAP value of each feature over the explanation's rows;
    features are ranked largest first (a stable sort, so ties keep the feature order) and ``share`` is
    each feature's mean |SHAP| divided by their sum (all zeros when every value is zero). No model call.

    Signs of high risk
    ------------------
    One feature holding most of the share (concentration on a single driver); a ranking that
    contradicts business expectations or the model's own importance (:func:`model_importance`); a top
    feature without an economic rationale.

    Strengths
    ---------
    One unit (log-odds) for every feature, consistent with the local explanations and the reason
    codes built from them.

    Limitations
    -----------
    As representative as the explained rows; the mean of absolute values hides the sign and the shape
    of a feature's effect; correlated features share credit; it measures reliance on a feature, not
    its predictive value.

    References
    ----------
    Lundberg, S. M. & Lee, S.-I. (2017). A unified approach to interpreting model predictions. NeurIPS.
    Lundberg, S. M. et al. (2020). From local explanations to global understanding with explainable AI
    for trees. Nature Machine Intelligence 2, 56-67.
    """
    if not isinstance(explanation, ShapExplanation):
        raise InvalidParameters(
            "The 'explanation' parameter of global_importance must be a ShapExplanation (the result of "
            f"explain_shap); got {type(explanation).__name__}."
        )
    mean_abs = np.abs(np.asarray(explanation.values)).mean(axis=0)
    order = np.argsort(-mean_abs, kind="stable")
    total = float(mean_abs.sum())
    share = mean_abs / total if total > 0 else np.zeros_like(mean_abs)
    return GlobalImportance(
        features=tuple(explanation.features[i] for i in order),
        mean_abs_shap=tuple(float(mean_abs[i]) for i in order),
        share=tuple(float(share[i]) for i in order),
        n_rows=explanation.n_rows,
        explainer=explanation.explainer,
        output_space=explanation.output_space,
    )


@register("model_importance")
def model_importance(
    model: Any,
    features: Sequence[str],
    *,
    data: pd.DataFrame | None = None,
    explanation: ShapExplanation | None = None,
    importance_type: str = "gain",
    target: Any = None,
    seed: int = 0,
    n_repeats: int = 5,
) -> ModelImportance:
    """The model's own feature importance, aggregated to original features, against the SHAP ranking.

    LightGBM: ``booster.feature_importance(importance_type)`` (``"gain"`` or ``"split"``) per
    transformed column; other tree ensembles: ``feature_importances_`` (impurity); logistic
    regression: ``|coef_j| * std(z_j)`` with ``z`` the transformed ``data`` (required). Columns are
    summed into their original feature with ``map_transformed_columns``. Any other model (one with no
    importance of its own, e.g. ``HistGradientBoostingClassifier``, a pipeline ending in an SVM, a
    user's class) gets permutation importance on ``data`` (required), computed by scikit-learn's
    ``permutation_importance`` with ``n_repeats`` seeded shuffles of each feature: with ``target`` (0/1
    per row of ``data``) the mean fall in AUC (``permutation_auc``; Breiman 2001, Fisher, Rudin &
    Dominici 2019), without one the mean absolute change of the model's log-odds
    (``permutation_log_odds``: how much the predictions rely on the feature). With ``explanation``,
    ``spearman_vs_shap`` is Spearman's correlation between this importance and mean |SHAP| over the
    features (None if either is constant).

    Purpose
    -------
    Gives the model's own view of which features matter, on the original features, and its rank
    agreement with the mean |SHAP| ranking, so that a disagreement between the two is visible.

    Method
    ------
    As above, by model type; the method used is recorded in ``method``. Transformed columns are summed
    into their original feature; the Spearman correlation is taken over the features.

    Signs of high risk
    ------------------
    A low or negative ``spearman_vs_shap``; a feature important to the model without an economic
    rationale; a permutation importance near zero for a feature the model is meant to rely on.

    Strengths
    ---------
    Uses what the model itself records (trees, linear models) at no cost; the permutation fallback
    works for any model with ``predict_proba`` and is seeded.

    Limitations
    -----------
    The methods measure different things and are not comparable with each other: split counts and
    impurity favour features with many distinct values, ``|coef| x std`` ignores correlations and
    depends on the preprocessing, and permutation breaks correlated features apart and scores rows the
    data never show.

    References
    ----------
    Breiman, L. (2001). Random forests. Machine Learning 45, 5-32.
    Fisher, A., Rudin, C. & Dominici, F. (2019). All models are wrong, but many are useful: learning a
    variable's importance by studying an entire class of prediction models simultaneously. Journal of
    Machine Learning Research 20(177), 1-81.
    Strobl, C., Boulesteix, A.-L., Zeileis, A. & Hothorn, T. (2007). Bias in random forest variable
    importance measures: illustrations, sources and a solution. BMC Bioinformatics 8, 25.
    """
    func = "model_importance"
    features, _ = _check_features(features, [], func)
    if importance_type not in ("gain", "split"):
        raise InvalidParameters(
            f"The 'importance_type' parameter of {func} must be 'gain' or 'split'; got {importance_type!r}."
        )
    prep, estimator = split_pipeline(model)
    mapping = map_transformed_columns(prep, features)
    name = type(estimator).__name__
    n_data = 0
    if hasattr(estimator, "booster_"):
        column_values = np.asarray(estimator.booster_.feature_importance(importance_type=importance_type), float)
        method = f"lightgbm_{importance_type}"
    elif name in _LINEAR:
        if data is None:
            raise InvalidParameters(f"The 'data' parameter of {func} is required for {name} (std of each column).")
        x = _check_columns(data, features, "data frame")
        z = np.asarray(x if prep is None else prep.transform(x), dtype=np.float64)
        coef = np.ravel(np.asarray(estimator.coef_, dtype=np.float64)[-1])
        column_values = np.abs(coef) * z.std(axis=0, ddof=1)
        method = "abs_coef_x_std"
        n_data = len(x)
    elif hasattr(estimator, "feature_importances_"):
        column_values = np.asarray(estimator.feature_importances_, dtype=np.float64)
        method = "sklearn_impurity"
    else:
        if data is None:
            raise InvalidParameters(f"The 'data' parameter of {func} is required for {name} (permutation importance).")
        x = _check_columns(data, features, "data frame")
        totals, method = _permutation_importance(
            model, x, features, target, check_int(seed, "seed", func, 0), check_int(n_repeats, "n_repeats", func, 1)
        )
        column_values, mapping, n_data = totals, [(f, f) for f in features], len(x)
    if len(column_values) != len(mapping):
        raise InvalidInput(f"The estimator reports {len(column_values)} importances for {len(mapping)} columns.")
    totals = _aggregate(column_values[None, :], [f for _, f in mapping], features)[0]
    spearman = None
    if explanation is not None:
        if list(explanation.features) != features:
            raise InvalidParameters(
                f"The 'explanation' parameter of {func} explains the features {list(explanation.features)}, not "
                f"{features}."
            )
        shap_abs = np.abs(np.asarray(explanation.values)).mean(axis=0)
        if np.ptp(totals) > 0 and np.ptp(shap_abs) > 0:
            spearman = float(stats.spearmanr(totals, shap_abs).statistic)
    order = np.argsort(-totals, kind="stable")
    return ModelImportance(
        features=tuple(features[i] for i in order),
        importance=tuple(float(totals[i]) for i in order),
        method=method,
        spearman_vs_shap=spearman,
        n_data_rows=n_data,
    )


def _permutation_importance(
    model: Any, x: pd.DataFrame, features: list[str], target: Any, seed: int, n_repeats: int
) -> tuple[np.ndarray, str]:
    """Permutation importance of each original feature (scikit-learn's implementation, one job, seeded)."""
    from sklearn.inspection import permutation_importance
    from sklearn.metrics import roc_auc_score

    def log_odds_of(frame: pd.DataFrame) -> np.ndarray:
        return log_odds(np.asarray(model.predict_proba(frame), dtype=np.float64)[:, -1])

    if target is not None:
        y = np.asarray(target, dtype=float)
        if y.shape != (len(x),) or np.unique(y).size != 2:
            raise InvalidInput("Permutation importance needs a 0/1 target with both classes for every row of the data.")

        def scorer(estimator: Any, frame: pd.DataFrame, labels: np.ndarray) -> float:
            return float(roc_auc_score(labels, np.asarray(estimator.predict_proba(frame), dtype=np.float64)[:, -1]))

        method, labels = "permutation_auc", y
    else:
        base = log_odds_of(x)

        def scorer(estimator: Any, frame: pd.DataFrame, labels: Any) -> float:
            # 0 on the data as they are; minus the mean |change| of the log-odds once a column is shuffled
            return -float(np.mean(np.abs(log_odds_of(frame) - base)))

        method, labels = "permutation_log_odds", np.zeros(len(x))
    result = permutation_importance(
        _Predictor(model), x, labels, scoring=scorer, n_repeats=n_repeats, random_state=seed, n_jobs=1
    )
    return np.asarray(result.importances_mean, dtype=np.float64), method


class _Predictor:
    """The smallest estimator scikit-learn's permutation_importance accepts around any ``predict_proba``."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def fit(self, *args: Any) -> _Predictor:  # never called: the model is fitted
        return self

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        return self.model.predict_proba(frame)


def _as_mapping(values: Any, name: str) -> dict[str, float]:
    if isinstance(values, pd.Series):
        return {str(k): float(v) for k, v in values.items()}
    if isinstance(values, Mapping):
        return {str(k): float(v) for k, v in values.items()}
    raise InvalidParameters(
        f"The {name!r} parameter of top_feature_agreement must be a mapping or a pandas Series of feature -> value."
    )


@dataclass(frozen=True, slots=True)
class TopFeatureAgreement(Result):
    """Agreement of two attributions of one row on their top ``k`` features (by absolute value).

    ``overlap_share`` = |top_k(a) & top_k(b)| / k (k capped at the shorter list). ``spearman`` is Spearman's correlation of the
    absolute values of ``a`` and ``b`` over the union of the two top-k sets (a feature absent from
    one attribution counts as 0 there); None when either side is constant on the union.
    """

    k: int
    top_a: tuple[str, ...]
    top_b: tuple[str, ...]
    overlap_share: float
    spearman: float | None


def _top_k(values: dict[str, float], k: int) -> list[str]:
    names = list(values)
    magnitude = np.abs(np.array([values[n] for n in names], dtype=np.float64))
    order = np.argsort(-magnitude, kind="stable")
    return [names[i] for i in order[:k]]


@register("top_feature_agreement")
def top_feature_agreement(shap_values_row: Any, lime_weights: Any, k: int) -> TopFeatureAgreement:
    """Overlap share and rank correlation of the top-``k`` features of a SHAP row and LIME weights.

    ``shap_values_row`` and ``lime_weights`` are mappings (or Series) feature -> value; signs are
    ignored for the ranking (a reason is a reason whichever way it pushes).

    Purpose
    -------
    Checks whether two explanations of the same row (SHAP and LIME) name the same principal features:
    reasons that depend on the explainer chosen are weak evidence.

    Method
    ------
    Each side's top ``k`` features by absolute value (a stable sort: ties keep the order given);
    ``overlap_share`` is the size of their intersection over the shorter top list; ``spearman`` is
    Spearman's correlation of the absolute values over the union of the two top lists (a feature absent
    from one side counts as 0), None when either side is constant there. No model call.

    Signs of high risk
    ------------------
    An overlap share well below 1; disagreement on the first feature; a negative rank correlation.

    Strengths
    ---------
    Simple, sign-free and comparable across rows and models.

    Limitations
    -----------
    SHAP (log-odds, per feature) and LIME (probability, per discretised indicator, only the features
    LIME selected) measure different things, so perfect agreement is not expected; with a small ``k``
    the share moves in coarse steps; one row at a time.

    References
    ----------
    Lundberg, S. M. & Lee, S.-I. (2017). A unified approach to interpreting model predictions. NeurIPS.
    Ribeiro, M. T., Singh, S. & Guestrin, C. (2016). "Why should I trust you?": Explaining the
    predictions of any classifier. KDD.
    Krishna, S. et al. (2022). The disagreement problem in explainable machine learning: a
    practitioner's perspective. arXiv:2202.01602.
    """
    k = check_int(k, "k", "top_feature_agreement", 1)
    a = _as_mapping(shap_values_row, "shap_values_row")
    b = _as_mapping(lime_weights, "lime_weights")
    top_a, top_b = _top_k(a, k), _top_k(b, k)
    union = list(dict.fromkeys([*top_a, *top_b]))
    va = np.abs([a.get(f, 0.0) for f in union])
    vb = np.abs([b.get(f, 0.0) for f in union])
    spearman = None
    if len(union) > 1 and np.ptp(va) > 0 and np.ptp(vb) > 0:
        spearman = float(stats.spearmanr(va, vb).statistic)
    return TopFeatureAgreement(
        k=k,
        top_a=tuple(top_a),
        top_b=tuple(top_b),
        overlap_share=len(set(top_a) & set(top_b)) / max(1, min(len(top_a), len(top_b))),
        spearman=spearman,
    )
