"""LIME behind one small adapter: the only mrmkit module that imports ``lime`` (unmaintained since 2020).

Purpose
-------
A second, model-agnostic local explanation of one applicant, in probability space, to compare with
SHAP (``top_feature_agreement``) and to measure how stable a local surrogate is across seeds.

Method
------
``LimeTabularExplainer`` in classification mode on the original features. Inside the adapter:

* categoricals are label-encoded (codes index the sorted categories seen in ``training`` and the row;
  passed to LIME as ``categorical_features`` and ``categorical_names``), and LIME samples them from
  their training frequencies;
* numeric missing values are replaced with the training median (computed on ``training`` ignoring
  missing values), because LIME's quartile discretiser and sampler cannot handle them. This applies to
  the explained row too: LIME then explains the model at the imputed point, and
  ``imputed_features`` lists the row's features that were imputed;
* ``predict_fn`` decodes LIME's samples back to a DataFrame with the original dtypes (categories as
  strings, integer columns as integers) and returns ``model.predict_proba``.

LIME is seeded through the explainer's ``random_state``, which is reset to
``numpy.random.RandomState(seed)`` before each call, so the same seed gives the same explanation.
``weights`` are the surrogate's coefficients for the positive class (label 1), keyed by feature;
only the ``num_features`` features LIME selects appear.

Limitations
-----------
A LIME weight belongs to a discretised indicator (e.g. "bureau_score <= 610"), not to the raw feature;
values are in probability, not log-odds; the explanation depends on the seed, the kernel width and
the number of samples (see ``lime_stability``).

References
----------
Ribeiro, M. T., Singh, S. & Guestrin, C. (2016). "Why should I trust you?": Explaining the
predictions of any classifier. KDD. Alvarez-Melis, D. & Jaakkola, T. S. (2018). On the robustness of
interpretability methods. ICML Workshop on Human Interpretability.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mrmkit.errors import InvalidInput, InvalidParameters, MrmkitError
from mrmkit.explain.shapley import _check_columns, _check_features, _FrameCodec
from mrmkit.stats._base import Result, check_int, register

__all__ = ["LimeExplanation", "LimeStability", "explain_lime", "lime_stability"]


@dataclass(frozen=True, slots=True)
class LimeExplanation(Result):
    """One LIME explanation of one row (positive class, probability space)."""

    weights: dict[str, float]
    intercept: float
    local_prediction: float
    model_prediction: float
    score: float
    seed: int
    num_samples: int
    num_features: int
    imputed_features: tuple[str, ...]
    output_space: str = "probability"


@dataclass(frozen=True, slots=True)
class LimeStability(Result):
    """LIME over several seeds: Spearman correlation of |weights| between every pair of seeds.

    For a pair, the correlation is taken over the union of the two explanations' features (a feature
    absent from one counts as 0 there); a pair whose values are constant gives no correlation and is
    left out (``n_pairs`` counts the pairs used). ``mean_top_overlap`` is the mean share of
    ``num_features`` features the two explanations have in common.
    """

    seeds: tuple[int, ...]
    spearman_mean: float | None
    spearman_min: float | None
    n_pairs: int
    mean_top_overlap: float
    explanations: tuple[LimeExplanation, ...]


def _row_frame(row: Any, features: list[str]) -> pd.DataFrame:
    if isinstance(row, pd.Series):
        row = row.to_frame().T
    if not isinstance(row, pd.DataFrame) or len(row) != 1:
        raise InvalidInput("The row to explain must be a pandas Series or a DataFrame of exactly one row.")
    return _check_columns(row, features, "row to explain")


class _Prepared:
    """Codec, imputation medians and LIME explainer for one model and training frame."""

    def __init__(self, model: Any, training: pd.DataFrame, row: pd.DataFrame, features, categorical):
        from lime.lime_tabular import LimeTabularExplainer

        # The row's dtypes may differ from the training frame's (a Series turned into a frame is object).
        row = row.astype({f: training[f].dtype for f in features if f not in categorical})
        self.codec = _FrameCodec([training, row], features, categorical)
        train = self.codec.encode(training)
        self.row = self.codec.encode(row)[0]
        numeric = [j for j, f in enumerate(features) if f not in self.codec.categories]
        self.medians = {}
        for j in numeric:
            column = train[:, j]
            if np.isnan(column).all():
                raise InvalidInput(f"The feature {features[j]!r} is missing in every training row.")
            self.medians[j] = float(np.nanmedian(column))
            column[np.isnan(column)] = self.medians[j]
        cat_index = [j for j, f in enumerate(features) if f in self.codec.categories]
        for j in cat_index:  # a missing category gets its own code (the last one)
            missing_code = len(self.codec.categories[features[j]])
            train[train[:, j] < 0, j] = missing_code
            if self.row[j] < 0:
                self.row[j] = missing_code
        self.imputed = tuple(features[j] for j in numeric if np.isnan(self.row[j]))
        for j in numeric:
            if np.isnan(self.row[j]):
                self.row[j] = self.medians[j]
        self.model = model
        self.features = features
        self.explainer = LimeTabularExplainer(
            train,
            mode="classification",
            feature_names=list(features),
            categorical_features=cat_index,
            categorical_names={j: [*self.codec.categories[features[j]], "(missing)"] for j in cat_index},
            class_names=["0", "1"],
            discretize_continuous=True,
            random_state=0,
        )

    def predict(self, array: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict_proba(self.codec.decode(array)), dtype=np.float64)

    def explain(self, seed: int, num_samples: int, num_features: int) -> LimeExplanation:
        self.explainer.random_state = np.random.RandomState(seed)
        exp = self.explainer.explain_instance(
            self.row, self.predict, labels=(1,), num_features=num_features, num_samples=num_samples
        )
        weights = {self.features[j]: float(w) for j, w in exp.as_map()[1]}
        return LimeExplanation(
            weights=weights,
            intercept=float(exp.intercept[1]),
            local_prediction=float(np.ravel(exp.local_pred)[0]),
            model_prediction=float(self.predict(self.row[None, :])[0, 1]),
            score=float(exp.score),
            seed=seed,
            num_samples=num_samples,
            num_features=num_features,
            imputed_features=self.imputed,
        )


def _prepare(model, training, row, features, categorical, func):
    features, categorical = _check_features(features, categorical, func)
    x_train = _check_columns(training, features, "training frame")
    if len(x_train) < 2:
        raise InvalidInput(f"{func} needs at least 2 training rows; got {len(x_train)}.")
    x_row = _row_frame(row, features)
    return _Prepared(model, x_train, x_row, features, categorical)


@register("explain_lime")
def explain_lime(
    model: Any,
    training: pd.DataFrame,
    row: pd.Series | pd.DataFrame,
    features: Sequence[str],
    categorical: Sequence[str],
    seed: int,
    num_samples: int = 5000,
    num_features: int = 10,
) -> LimeExplanation:
    """LIME explanation of ``row`` for the positive class of ``model`` (see the module docstring).

    Purpose
    -------
    A second, model-agnostic local explanation of one applicant, in probability space, to compare with
    SHAP (:func:`mrmkit.explain.top_feature_agreement`).

    Method
    ------
    ``LimeTabularExplainer`` in classification mode with quartile discretisation: ``num_samples``
    perturbed rows around ``row`` (categoricals drawn from their ``training`` frequencies; numeric
    missing values, the explained row's included, imputed with the training median and listed in
    ``imputed_features``) are scored by ``model.predict_proba``, and a kernel-weighted linear surrogate
    is fitted; ``weights`` are its coefficients for the positive class on the ``num_features`` features
    LIME selects. LIME's random state is reset to ``numpy.random.RandomState(seed)`` before the call.

    Signs of high risk
    ------------------
    A low ``score`` (the surrogate's weighted R^2: a poor local fit); ``local_prediction`` far from
    ``model_prediction``; weights that change with the seed (:func:`lime_stability`); many imputed
    features.

    Strengths
    ---------
    Needs only ``predict_proba``; easy to read; seeded, so the same seed gives the same explanation.

    Limitations
    -----------
    A weight belongs to a discretised indicator (e.g. "bureau_score <= 610"), not to the raw feature;
    values are in probability, not log-odds; the explanation depends on the seed, the kernel width and
    the number of samples; samples ignore correlations between features.

    References
    ----------
    Ribeiro, M. T., Singh, S. & Guestrin, C. (2016). "Why should I trust you?": Explaining the
    predictions of any classifier. KDD.
    Garreau, D. & von Luxburg, U. (2020). Explaining the explainer: a first theoretical analysis of
    LIME. AISTATS.
    """
    func = "explain_lime"
    seed = check_int(seed, "seed", func, 0)
    num_samples = check_int(num_samples, "num_samples", func, 10)
    num_features = check_int(num_features, "num_features", func, 1)
    try:
        return _prepare(model, training, row, features, categorical, func).explain(seed, num_samples, num_features)
    except MrmkitError:
        raise
    except Exception as exc:
        raise InvalidInput(f"{type(exc).__name__} while computing a LIME explanation: {exc}") from exc


@register("lime_stability")
def lime_stability(
    model: Any,
    training: pd.DataFrame,
    row: pd.Series | pd.DataFrame,
    features: Sequence[str],
    categorical: Sequence[str],
    seeds: Sequence[int],
    num_samples: int = 5000,
    num_features: int = 10,
) -> LimeStability:
    """LIME of one row under each seed and the pairwise Spearman correlation of |weights| (see LimeStability).

    Purpose
    -------
    Measures how much a LIME explanation of one row depends on the random seed: an explanation that
    changes with the seed should not support a reason given to an applicant.

    Method
    ------
    One prepared explainer (as in :func:`explain_lime`), one explanation per seed; for each pair of
    seeds, Spearman's correlation of the absolute weights over the union of their features (a feature
    absent from one counts as 0; a pair with constant values is left out) and the share of selected
    features they have in common; ``spearman_mean``, ``spearman_min`` and ``mean_top_overlap``
    summarise the pairs.

    Signs of high risk
    ------------------
    A low ``spearman_mean`` or ``spearman_min``; ``mean_top_overlap`` below 1; few usable pairs.

    Strengths
    ---------
    A direct, quantified check of a known weakness of LIME; seeded and reproducible.

    Limitations
    -----------
    Varies only the seed, not the kernel width or the number of samples; one row; the cost is one LIME
    run per seed; a correlation over few features moves in coarse steps.

    References
    ----------
    Alvarez-Melis, D. & Jaakkola, T. S. (2018). On the robustness of interpretability methods. ICML
    Workshop on Human Interpretability.
    Visani, G. et al. (2022). Statistical stability indices for LIME: obtaining reliable explanations
    for machine learning models. Journal of the Operational Research Society 73(1), 91-101.
    """
    func = "lime_stability"
    seeds = [check_int(s, "seeds", func, 0) for s in seeds]
    if len(seeds) < 2 or len(set(seeds)) != len(seeds):
        raise InvalidParameters(f"The 'seeds' parameter of {func} must hold at least 2 distinct seeds; got {seeds}.")
    num_samples = check_int(num_samples, "num_samples", func, 10)
    num_features = check_int(num_features, "num_features", func, 1)
    try:
        prepared = _prepare(model, training, row, features, categorical, func)
        explanations = [prepared.explain(s, num_samples, num_features) for s in seeds]
    except MrmkitError:
        raise
    except Exception as exc:
        raise InvalidInput(f"{type(exc).__name__} while computing LIME stability: {exc}") from exc
    correlations, overlaps = [], []
    for a, b in combinations(explanations, 2):
        union = list(dict.fromkeys([*a.weights, *b.weights]))
        va = np.abs([a.weights.get(f, 0.0) for f in union])
        vb = np.abs([b.weights.get(f, 0.0) for f in union])
        overlaps.append(len(set(a.weights) & set(b.weights)) / max(1, min(len(a.weights), len(b.weights))))
        if len(union) > 1 and np.ptp(va) > 0 and np.ptp(vb) > 0:
            correlations.append(float(stats.spearmanr(va, vb).statistic))
    return LimeStability(
        seeds=tuple(seeds),
        spearman_mean=float(np.mean(correlations)) if correlations else None,
        spearman_min=float(np.min(correlations)) if correlations else None,
        n_pairs=len(correlations),
        mean_top_overlap=float(np.mean(overlaps)),
        explanations=tuple(explanations),
    )
