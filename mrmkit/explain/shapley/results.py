"""Result classes of the SHAP explanations and the model's own importance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.stats._base import Result, jsonable


# ------------------------------------------------------------------------------------------ results
def _frozen_array(values: Any) -> np.ndarray:
    array = np.array(values, dtype=np.float64, copy=True)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, slots=True, eq=False)
class ShapExplanation(Result):
    """SHAP values of ``n_rows`` rows in log-odds, one column per original feature.

    ``values[i, j]`` is feature ``features[j]``'s contribution to row i; ``base_value + values[i].sum()``
    equals ``output[i] = log(p_i / (1 - p_i))`` up to ``additivity_max_abs_error``.
    ``transformed_columns`` and ``column_features`` record the mapping used to aggregate (empty for
    the model-agnostic explainer, which works on the original features). ``max_evals`` is set for the
    permutation explainer only.
    """

    values: np.ndarray
    base_value: float
    output: np.ndarray
    features: tuple[str, ...]
    explainer: str
    estimator: str
    output_space: str
    feature_perturbation: str
    background_size: int
    seed: int
    additivity_max_abs_error: float
    transformed_columns: tuple[str, ...]
    column_features: tuple[str, ...]
    max_evals: int | None
    model_evaluations: int | None = None  # rows passed to predict_proba by the model-agnostic explainers

    @property
    def n_rows(self) -> int:
        return int(self.values.shape[0])

    def mean_abs(self) -> dict[str, float]:
        """Mean absolute SHAP value of each feature (log-odds)."""
        return dict(zip(self.features, np.abs(self.values).mean(axis=0).tolist(), strict=True))

    def to_frame(self) -> pd.DataFrame:
        """The value matrix as a DataFrame (rows in the order explained, one column per feature)."""
        return pd.DataFrame(np.array(self.values), columns=list(self.features))

    def to_dict(self) -> dict[str, Any]:
        """Summaries and choices; the value matrix is not dumped (use ``to_frame``)."""
        return jsonable(
            {
                "explainer": self.explainer,
                "estimator": self.estimator,
                "output_space": self.output_space,
                "feature_perturbation": self.feature_perturbation,
                "background_size": self.background_size,
                "seed": self.seed,
                "max_evals": self.max_evals,
                "model_evaluations": self.model_evaluations,
                "n_rows": self.n_rows,
                "features": list(self.features),
                "base_value": self.base_value,
                "mean_output": float(np.mean(self.output)) if self.n_rows else None,
                "additivity_max_abs_error": self.additivity_max_abs_error,
                "mean_abs_shap": self.mean_abs(),
                "column_mapping": dict(zip(self.transformed_columns, self.column_features, strict=True)),
            }
        )


@dataclass(frozen=True, slots=True)
class GlobalImportance(Result):
    """Mean |SHAP| per feature, ranked (largest first); ``share`` sums to 1 unless all are zero."""

    features: tuple[str, ...]
    mean_abs_shap: tuple[float, ...]
    share: tuple[float, ...]
    n_rows: int
    explainer: str
    output_space: str

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"feature": list(self.features), "mean_abs_shap": list(self.mean_abs_shap), "share": list(self.share)}
        ).assign(rank=lambda f: np.arange(1, len(f) + 1))


@dataclass(frozen=True, slots=True)
class ModelImportance(Result):
    """The model's own importance aggregated to original features, ranked (largest first).

    ``method`` is ``"lightgbm_gain"``/``"lightgbm_split"``/``"sklearn_impurity"`` for trees and
    ``"abs_coef_x_std"`` (|coefficient| x standard deviation of the transformed column in ``data``,
    summed over a feature's columns) for logistic regression, ``"permutation_auc"`` or
    ``"permutation_log_odds"`` for a model with no importance of its own. ``spearman_vs_shap`` is the Spearman
    rank correlation with the mean |SHAP| of the explanation given (None without one).
    """

    features: tuple[str, ...]
    importance: tuple[float, ...]
    method: str
    spearman_vs_shap: float | None
    n_data_rows: int
