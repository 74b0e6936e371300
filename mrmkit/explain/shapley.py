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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mrmkit.errors import InvalidInput, InvalidParameters, MrmkitError
from mrmkit.stats._base import Result, check_int, jsonable

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

_TREE_LOG_ODDS = {
    "LGBMClassifier",
    "HistGradientBoostingClassifier",
    "GradientBoostingClassifier",
    "XGBClassifier",
}
_LINEAR = {"LogisticRegression", "LogisticRegressionCV"}
#: Most features for which the model-agnostic explainer enumerates every coalition (ExactExplainer).
EXACT_MAX_FEATURES = 8


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


# ------------------------------------------------------------------------------------------ helpers
def log_odds(p: np.ndarray) -> np.ndarray:
    """``log(p / (1 - p))`` computed as ``log(p) - log1p(-p)``."""
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.log(p) - np.log1p(-p)


def split_pipeline(model: Any) -> tuple[Any | None, Any]:
    """``(preprocessing, final estimator)`` of a scikit-learn Pipeline, ``(None, model)`` otherwise."""
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline):
        if len(model.steps) == 1:
            return None, model.steps[-1][1]
        return model[:-1], model.steps[-1][1]
    return None, model


def _check_columns(frame: Any, features: Sequence[str], what: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise InvalidInput(f"The {what} must be a pandas DataFrame; got {type(frame).__name__}.")
    missing = [f for f in features if f not in frame.columns]
    if missing:
        raise InvalidInput(f"The {what} lacks the feature columns {missing}; it has {list(map(str, frame.columns))}.")
    return frame[list(features)]


def _check_features(features: Sequence[str], categorical: Sequence[str], func: str) -> tuple[list[str], list[str]]:
    features = [str(f) for f in features]
    categorical = [str(c) for c in categorical]
    if not features:
        raise InvalidParameters(f"The 'features' parameter of {func} must name at least one column; got none.")
    if len(set(features)) != len(features):
        raise InvalidParameters(f"The 'features' parameter of {func} must not repeat a name; got {features}.")
    extra = [c for c in categorical if c not in features]
    if extra:
        raise InvalidParameters(
            f"The 'categorical' parameter of {func} must be a subset of 'features'; {extra} are not features."
        )
    return features, categorical


class _FrameCodec:
    """Numeric coding of a mixed frame for maskers and LIME: categoricals become integer codes.

    Codes index ``categories[feature]`` (sorted strings of every category seen in the frames given);
    a missing categorical gets code -1 and decodes to missing. ``decode`` rebuilds a DataFrame with
    the original dtypes where possible (integer columns stay integer when they have no missing value).
    """

    def __init__(self, frames: Sequence[pd.DataFrame], features: Sequence[str], categorical: Sequence[str]):
        self.features = list(features)
        self.categorical = [f for f in features if f in set(categorical)]
        self.dtypes = {f: frames[0][f].dtype for f in features}
        self.categories: dict[str, list[str]] = {}
        for f in self.categorical:
            seen: set[str] = set()
            for frame in frames:
                seen.update(str(v) for v in frame[f].dropna().unique())
            self.categories[f] = sorted(seen)
        for f in self.features:
            if f not in self.categories and not pd.api.types.is_numeric_dtype(self.dtypes[f]):
                raise InvalidInput(
                    f"The feature {f!r} is not numeric (dtype {self.dtypes[f]}) and not listed in 'categorical'."
                )

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        out = np.empty((len(frame), len(self.features)), dtype=np.float64)
        for j, f in enumerate(self.features):
            if f in self.categories:
                lookup = {c: i for i, c in enumerate(self.categories[f])}
                col = frame[f]
                codes = [(-1 if pd.isna(v) else lookup.get(str(v), -2)) for v in col]
                if -2 in codes:
                    raise InvalidInput(f"The feature {f!r} has a category the coder has not seen.")
                out[:, j] = codes
            else:
                out[:, j] = pd.to_numeric(frame[f], errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)
        return out

    def decode(self, array: np.ndarray) -> pd.DataFrame:
        array = np.asarray(array, dtype=np.float64)
        if array.ndim == 1:
            array = array[None, :]
        columns: dict[str, Any] = {}
        for j, f in enumerate(self.features):
            col = array[:, j]
            if f in self.categories:
                cats = np.asarray([*self.categories[f], None], dtype=object)
                codes = np.rint(col).astype(np.int64)
                codes[(codes < 0) | (codes >= len(self.categories[f]))] = len(self.categories[f])
                values = cats[codes]
                dtype = object if isinstance(self.dtypes[f], pd.CategoricalDtype) else self.dtypes[f]
                columns[f] = pd.Series(values, dtype=dtype)
            elif pd.api.types.is_integer_dtype(self.dtypes[f]) and not np.isnan(col).any():
                columns[f] = pd.Series(np.rint(col).astype(self.dtypes[f]))
            else:
                columns[f] = pd.Series(col, dtype=np.float64)
        return pd.DataFrame(columns)


# ------------------------------------------------------------------------------------------ mapping
def _resolve_columns(columns: Any, names_in: Sequence[str]) -> list[str]:
    names_in = list(names_in)
    if isinstance(columns, str):
        return [columns]
    if isinstance(columns, slice):
        return names_in[columns]
    array = np.asarray(columns)
    if array.size == 0:
        return []
    if array.dtype == bool:
        return [n for n, keep in zip(names_in, array, strict=True) if keep]
    if np.issubdtype(array.dtype, np.integer):
        return [names_in[int(i)] for i in array]
    if all(isinstance(c, str) for c in array.tolist()):
        return [str(c) for c in array.tolist()]
    raise InvalidInput(f"Cannot resolve the ColumnTransformer column selection {columns!r} to column names.")


def _map_one(transformer: Any, names_in: list[str]) -> tuple[list[str], list[int]]:
    """Output names of one fitted transformer and, for each, the index of its input column."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    if transformer is None or (isinstance(transformer, str) and transformer == "passthrough"):
        return list(names_in), list(range(len(names_in)))
    if isinstance(transformer, str):
        raise InvalidInput(f"Cannot map the columns of the transformer {transformer!r}.")
    if isinstance(transformer, Pipeline):
        names, index = list(names_in), list(range(len(names_in)))
        for _, step in transformer.steps:
            if step is None or (isinstance(step, str) and step == "passthrough"):
                continue
            names, local = _map_one(step, names)
            index = [index[i] for i in local]
        return names, index
    if isinstance(transformer, ColumnTransformer):
        names_out = [str(n) for n in transformer.get_feature_names_out()]
        index = [-1] * len(names_out)
        ct_in = list(getattr(transformer, "feature_names_in_", names_in))
        if list(ct_in) != list(names_in):
            raise InvalidInput(f"The ColumnTransformer was fitted on columns {list(ct_in)}, not on {list(names_in)}.")
        for name, block, columns in transformer.transformers_:
            if isinstance(block, str) and block == "drop":
                continue
            block_in = _resolve_columns(columns, names_in)
            if not block_in:
                continue
            block_names, local = _map_one(block, block_in)
            where = transformer.output_indices_[name]
            positions = range(where.start or 0, where.stop)
            if len(positions) != len(block_names):
                raise InvalidInput(
                    f"The ColumnTransformer block {name!r} gives {len(positions)} columns but names {len(block_names)}."
                )
            for pos, i in zip(positions, local, strict=True):
                index[pos] = names_in.index(block_in[i])
        unmapped = [names_out[k] for k, i in enumerate(index) if i < 0]
        if unmapped:
            raise InvalidInput(f"The transformed columns {unmapped} could not be mapped to an original feature.")
        return names_out, index
    if not hasattr(transformer, "get_feature_names_out"):
        raise InvalidInput(
            f"The transformer {type(transformer).__name__} has no get_feature_names_out, so its columns "
            "cannot be mapped to the original features."
        )
    try:
        names_out = [str(n) for n in transformer.get_feature_names_out(list(names_in))]
    except Exception as exc:  # noqa: BLE001 - wrapped with context
        raise InvalidInput(
            f"The transformer {type(transformer).__name__} cannot name its output columns: {exc}"
        ) from exc
    if len(names_in) == 1:
        return names_out, [0] * len(names_out)
    if names_out == list(names_in):
        return names_out, list(range(len(names_in)))
    index = []
    for out in names_out:
        candidates = [
            i for i, c in enumerate(names_in) if out == c or out == f"missingindicator_{c}" or out.startswith(f"{c}_")
        ]
        if len(candidates) != 1:
            found = [names_in[i] for i in candidates]
            raise InvalidInput(
                f"The column {out!r} made by {type(transformer).__name__} cannot be mapped to exactly one "
                f"original feature (candidates {found} among {list(names_in)}); its contribution cannot be "
                "given to a single feature. Put such inputs in separate ColumnTransformer blocks or explain "
                "the model with a model-agnostic explainer."
            )
        index.append(candidates[0])
    return names_out, index


def map_transformed_columns(preprocessing: Any, features: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """``(transformed column, original feature)`` for every output column of ``preprocessing``.

    See the module docstring for the rule. ``preprocessing=None`` maps every feature to itself.
    Raises ``InvalidInput`` if a column cannot be given to exactly one feature.
    """
    features = [str(f) for f in features]
    if preprocessing is None:
        return tuple((f, f) for f in features)
    names_in = list(getattr(preprocessing, "feature_names_in_", features))
    if [str(n) for n in names_in] != features:
        raise InvalidInput(
            f"The model's preprocessing was fitted on the columns {list(names_in)}; the features given are "
            f"{features}. Pass the features in the model's own order."
        )
    names_out, index = _map_one(preprocessing, features)
    return tuple((n, features[i]) for n, i in zip(names_out, index, strict=True))


def _aggregate(values: np.ndarray, column_features: Sequence[str], features: Sequence[str]) -> np.ndarray:
    position = {f: j for j, f in enumerate(features)}
    out = np.zeros((values.shape[0], len(features)), dtype=np.float64)
    for k, f in enumerate(column_features):
        out[:, position[f]] += values[:, k]
    return out


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
        evals = 10 * (2 * len(features) + 1) if max_evals is None else check_int(max_evals, "max_evals", "explain_shap", 3)
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


# ------------------------------------------------------------------------------------------ importance
def global_importance(explanation: ShapExplanation) -> GlobalImportance:
    """Mean |SHAP| per feature over the explained rows, ranked largest first (ties by feature order)."""
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
        totals, method = _permutation_importance(model, x, features, target, check_int(seed, "seed", func, 0),
                                                 check_int(n_repeats, "n_repeats", func, 1))  # fmt: skip
        column_values, mapping, n_data = totals, [(f, f) for f in features], len(x)
    if len(column_values) != len(mapping):
        raise InvalidInput(f"The estimator reports {len(column_values)} importances for {len(mapping)} columns.")
    totals = _aggregate(column_values[None, :], [f for _, f in mapping], features)[0]
    spearman = None
    if explanation is not None:
        if list(explanation.features) != features:
            raise InvalidParameters(f"The explanation's features {list(explanation.features)} differ from {features}.")
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


def _permutation_importance(model: Any, x: pd.DataFrame, features: list[str], target: Any, seed: int,
                            n_repeats: int) -> tuple[np.ndarray, str]:  # fmt: skip
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
    result = permutation_importance(_Predictor(model), x, labels, scoring=scorer, n_repeats=n_repeats,
                                    random_state=seed, n_jobs=1)  # fmt: skip
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
    raise InvalidParameters(f"The {name!r} parameter must be a mapping or a pandas Series of feature -> value.")


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


def top_feature_agreement(shap_values_row: Any, lime_weights: Any, k: int) -> TopFeatureAgreement:
    """Overlap share and rank correlation of the top-``k`` features of a SHAP row and LIME weights.

    ``shap_values_row`` and ``lime_weights`` are mappings (or Series) feature -> value; signs are
    ignored for the ranking (a reason is a reason whichever way it pushes).
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
