"""Shared pieces of the SHAP explanations: estimator families, argument checks, the frame codec."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InvalidInput, InvalidParameters

_TREE_LOG_ODDS = {
    "LGBMClassifier",
    "HistGradientBoostingClassifier",
    "GradientBoostingClassifier",
    "XGBClassifier",
}
_LINEAR = {"LogisticRegression", "LogisticRegressionCV"}
#: Most features for which the model-agnostic explainer enumerates every coalition (ExactExplainer).
EXACT_MAX_FEATURES = 8


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
