"""``explain_shap``: the choice of explainer and the tree, linear and model-agnostic explainers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InvalidInput, MrmkitError
from mrmkit.explain.shapley._common import (
    _LINEAR,
    _TREE_LOG_ODDS,
    EXACT_MAX_FEATURES,
    _check_columns,
    _check_features,
    _FrameCodec,
    log_odds,
    split_pipeline,
)
from mrmkit.explain.shapley.mapping import _aggregate, map_transformed_columns
from mrmkit.explain.shapley.results import ShapExplanation, _frozen_array
from mrmkit.stats._base import check_int, register


# ------------------------------------------------------------------------------------------ SHAP
def _estimator_kind(estimator: Any) -> str:
    name = type(estimator).__name__
    if name in _TREE_LOG_ODDS:
        return "tree"
    if name in _LINEAR:
        return "linear"
    return "agnostic"


def _positive_class_values(values: Any, expected: Any) -> tuple[np.ndarray, float]:
    """SHAP values and base value of the positive class, whatever shape shap returned."""
    if isinstance(values, list):
        values, expected = values[-1], np.ravel(expected)[-1]
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 3:
        values = values[:, :, -1]
    return values, float(np.ravel(expected)[-1])


@register("explain_shap")
def explain_shap(
    model: Any,
    background: pd.DataFrame,
    rows: pd.DataFrame,
    features: Sequence[str],
    categorical: Sequence[str],
    seed: int,
    *,
    max_background: int = 100,
    max_evals: int | None = None,
    additivity_tolerance: float = 1e-6,
) -> ShapExplanation:
    """SHAP values in log-odds of ``rows`` for a binary classifier, on the original features.

    Parameters
    ----------
    model : fitted classifier with ``predict_proba`` (a scikit-learn Pipeline or a bare estimator)
        taking ``frame[features]``.
    background : pandas.DataFrame
        Reference rows (e.g. the development sample) for the linear and model-agnostic explainers.
    rows : pandas.DataFrame
        Rows to explain.
    features, categorical : sequences of str
        The model's feature columns in the model's order, and those among them that are categorical.
    seed : int
        Seed of the background subsample and the permutations (model-agnostic explainer only; the tree
        and linear explainers are deterministic, the seed is recorded all the same).
    max_background : int
        Largest background used by the model-agnostic explainer (drawn without replacement).
    max_evals : int, optional
        Model evaluations per row of the permutation explainer; default ``10 * (2 * n_features + 1)``.
    additivity_tolerance : float
        Largest accepted ``|base + sum(values) - log-odds|``; above it ``InvalidInput`` is raised.

    Returns
    -------
    ShapExplanation

    Purpose
    -------
    Attributes each row's log-odds to the model's original features, additively (``base_value`` plus
    the row's values equals the model's log-odds), as the basis of adverse-action reasons and of the
    validator's view of what drives the model.

    Method
    ------
    The explainer follows the estimator (package docstring of :mod:`mrmkit.explain.shapley`):
    path-dependent ``TreeExplainer`` on the raw log-odds of gradient-boosted trees, interventional
    ``LinearExplainer`` on the transformed background for logistic regression, otherwise
    ``ExactExplainer`` (at most ``EXACT_MAX_FEATURES`` features) or a seeded ``PermutationExplainer`` on
    the whole model's log-odds with an independent masker over at most ``max_background`` background
    rows. Values of transformed columns are summed into their original feature
    (:func:`map_transformed_columns`). The log-odds are recomputed from ``predict_proba``, and an
    explanation whose additivity error exceeds ``additivity_tolerance`` is refused.

    Signs of high risk
    ------------------
    An additivity error close to the tolerance; a permutation explanation with few evaluations (a
    noisy estimate); large contributions from a feature the business cannot explain; a feature whose
    value comes mostly from its missing-value indicator.

    Strengths
    ---------
    Values add up to the model's own log-odds (checked on every call); exact for the linear and tree
    models of the toolkit; the explainer, background size and seed are recorded, and the result is the
    same for the same seed.

    Limitations
    -----------
    An attribution, not a cause; with correlated features interventional values credit feature
    combinations the data never show, path-dependent values follow the training data; values are in
    log-odds, not probability; the permutation explainer is an estimate whose cost grows with the
    number of features and background rows.

    References
    ----------
    Shapley, L. S. (1953). A value for n-person games. Contributions to the Theory of Games II, 307-317.
    Lundberg, S. M. & Lee, S.-I. (2017). A unified approach to interpreting model predictions. NeurIPS.
    Lundberg, S. M. et al. (2020). From local explanations to global understanding with explainable AI
    for trees. Nature Machine Intelligence 2, 56-67.
    """
    func = "explain_shap"
    features, categorical = _check_features(features, categorical, func)
    seed = check_int(seed, "seed", func, 0)
    max_background = check_int(max_background, "max_background", func, 1)
    x_rows = _check_columns(rows, features, "frame of rows to explain")
    x_bg = _check_columns(background, features, "background frame")
    if len(x_rows) == 0:
        raise InvalidInput("The frame of rows to explain is empty.")
    if len(x_bg) == 0:
        raise InvalidInput("The background frame is empty.")
    try:
        p = np.asarray(model.predict_proba(x_rows), dtype=np.float64)[:, -1]
        output = log_odds(p)
        if not np.all(np.isfinite(output)):
            raise InvalidInput("The model gives a probability of exactly 0 or 1, whose log-odds are infinite.")
        prep, estimator = split_pipeline(model)
        kind = _estimator_kind(estimator)
        if kind == "agnostic":
            result = _explain_agnostic(model, x_bg, x_rows, features, categorical, seed, max_background, max_evals)
        else:
            result = _explain_transformed(prep, estimator, kind, x_bg, x_rows, features)
    except MrmkitError:
        raise
    except Exception as exc:
        raise InvalidInput(f"{type(exc).__name__} while computing SHAP values: {exc}") from exc
    values, base_value, settings = result
    error = float(np.max(np.abs(base_value + values.sum(axis=1) - output)))
    if not error <= additivity_tolerance:
        raise InvalidInput(
            f"The SHAP values of {settings['explainer']} do not add up to the model's log-odds: the largest "
            f"|base + sum - log-odds| is {error:.3g}, above the tolerance {additivity_tolerance:g}."
        )
    return ShapExplanation(
        values=_frozen_array(values),
        base_value=float(base_value),
        output=_frozen_array(output),
        features=tuple(features),
        estimator=type(estimator).__name__,
        output_space="log-odds",
        seed=seed,
        additivity_max_abs_error=error,
        **settings,
    )


def _explain_transformed(
    prep: Any, estimator: Any, kind: str, x_bg: pd.DataFrame, x_rows: pd.DataFrame, features: list[str]
) -> tuple[np.ndarray, float, dict[str, Any]]:
    import shap

    mapping = map_transformed_columns(prep, features)
    z_rows = x_rows if prep is None else prep.transform(x_rows)
    width = np.shape(z_rows)[1]
    if width != len(mapping):
        raise InvalidInput(f"The preprocessing gives {width} columns but names {len(mapping)}.")
    if kind == "tree":
        explainer = shap.TreeExplainer(estimator, feature_perturbation="tree_path_dependent", model_output="raw")
        values, base = _positive_class_values(explainer.shap_values(z_rows), explainer.expected_value)
        settings = {"explainer": "TreeExplainer", "feature_perturbation": "tree_path_dependent", "background_size": 0}
    else:
        z_bg = x_bg if prep is None else prep.transform(x_bg)
        z_bg = np.asarray(z_bg, dtype=np.float64)
        explainer = shap.LinearExplainer(estimator, shap.maskers.Independent(z_bg, max_samples=len(z_bg)))
        values, base = _positive_class_values(
            explainer.shap_values(np.asarray(z_rows, dtype=np.float64)), explainer.expected_value
        )
        settings = {
            "explainer": "LinearExplainer",
            "feature_perturbation": "interventional",
            "background_size": len(z_bg),
        }
    values = _aggregate(values, [f for _, f in mapping], features)
    settings.update(
        transformed_columns=tuple(c for c, _ in mapping), column_features=tuple(f for _, f in mapping), max_evals=None
    )
    return values, base, settings


def _explain_agnostic(
    model: Any,
    x_bg: pd.DataFrame,
    x_rows: pd.DataFrame,
    features: list[str],
    categorical: list[str],
    seed: int,
    max_background: int,
    max_evals: int | None,
) -> tuple[np.ndarray, float, dict[str, Any]]:
    import shap

    rng = np.random.default_rng(seed)
    if len(x_bg) > max_background:
        x_bg = x_bg.iloc[np.sort(rng.choice(len(x_bg), size=max_background, replace=False))]
    codec = _FrameCodec([x_bg, x_rows], features, categorical)
    bg = codec.encode(x_bg)

    def f(array: np.ndarray) -> np.ndarray:
        return log_odds(np.asarray(model.predict_proba(codec.decode(array)), dtype=np.float64)[:, -1])

    masker = shap.maskers.Independent(bg, max_samples=len(bg))
    permutation_seed = int(rng.integers(2**31 - 1))  # drawn in either case, so the background draw is the same
    calls = [0]

    def counted(array: np.ndarray) -> np.ndarray:
        calls[0] += int(np.shape(array)[0])
        return f(array)

    if len(features) <= EXACT_MAX_FEATURES and max_evals is None:
        explainer = shap.ExactExplainer(counted, masker)
        explanation = explainer(codec.encode(x_rows), silent=True)
        name, evals = "ExactExplainer", 2 ** len(features)
    else:
        evals = (
            10 * (2 * len(features) + 1) if max_evals is None else check_int(max_evals, "max_evals", "explain_shap", 3)
        )
        explainer = shap.PermutationExplainer(counted, masker, seed=permutation_seed)
        explanation = explainer(codec.encode(x_rows), max_evals=evals, silent=True)
        name = "PermutationExplainer"
    values = np.asarray(explanation.values, dtype=np.float64)
    base = float(np.ravel(explanation.base_values)[0])
    settings = {
        "explainer": name,
        "feature_perturbation": "interventional",
        "background_size": len(bg),
        "transformed_columns": (),
        "column_features": (),
        "max_evals": evals,
        "model_evaluations": calls[0],
    }
    return values, base, settings
