"""The demo's two models, their scores and grades, and reproducible skops files.

Both models take the pandas DataFrame of the model features by column name, so a caller needs nothing
but ``model.predict_proba(frame[features])[:, 1]``:

* champion: a scorecard-style logistic regression (median imputation with missing indicators and
  standard scaling for numeric features, one-hot coding of categoricals with unknown categories
  ignored);
* challenger: LightGBM (200 trees, deterministic, one thread) after ordinal coding of the
  categoricals (unknown categories become missing) with LightGBM's native categorical splits.

skops names its zip members after Python object ids and stamps them with the current time, so two
saves of one model differ. ``dumps_canonical`` renumbers the ids in order of appearance and fixes the
time stamps: the same model gives the same bytes, and the file loads exactly as skops wrote it.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from lightgbm import LGBMClassifier
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from threadpoolctl import threadpool_limits

__all__ = [
    "GRADES",
    "GRADE_UPPER_BOUNDS",
    "CHALLENGER_SETTINGS",
    "make_champion",
    "make_challenger",
    "fit_models",
    "predict_pd",
    "assign_grades",
    "dumps_canonical",
]

#: Rating grades, best first, and the upper bound of each grade's PD band (a PD equal to a bound
#: belongs to that grade). The last band is closed by 1.
GRADES: tuple[str, ...] = ("A", "B", "C", "D", "E", "F", "G")
GRADE_UPPER_BOUNDS: tuple[float, ...] = (0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 1.0)

#: LightGBM settings of the challenger (``random_state`` is derived from the demo seed).
CHALLENGER_SETTINGS: dict[str, Any] = {
    "n_estimators": 200,
    "learning_rate": 0.03,
    "num_leaves": 7,
    "min_child_samples": 100,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "reg_lambda": 5.0,
    "deterministic": True,
    "force_row_wise": True,
    "n_jobs": 1,
    "verbose": -1,
}

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def make_champion(numeric: Sequence[str], categorical: Sequence[str]) -> Pipeline:
    """Unfitted scorecard-style logistic regression on the named columns."""
    prep = ColumnTransformer(
        [
            (
                "num",
                Pipeline(
                    [("impute", SimpleImputer(strategy="median", add_indicator=True)), ("scale", StandardScaler())]
                ),
                list(numeric),
            ),
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), list(categorical)),
        ],
        remainder="drop",
    )
    return Pipeline([("prep", prep), ("model", LogisticRegression(C=1.0, max_iter=2000))])


def make_challenger(numeric: Sequence[str], categorical: Sequence[str], random_state: int) -> Pipeline:
    """Unfitted LightGBM pipeline; its transformed columns keep the feature names."""
    prep = ColumnTransformer(
        [
            ("num", "passthrough", list(numeric)),
            (
                "cat",
                OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan, dtype=np.float64),
                list(categorical),
            ),
        ],
        remainder="drop",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    model = LGBMClassifier(random_state=random_state, **CHALLENGER_SETTINGS)
    return Pipeline([("prep", prep), ("model", model)])


def fit_models(
    frame: pd.DataFrame, target: np.ndarray, numeric: Sequence[str], categorical: Sequence[str], random_state: int
) -> tuple[Pipeline, Pipeline]:
    """Fit the champion and the challenger on ``frame`` (the features) and ``target``.

    BLAS runs on one thread here, for two reasons: the fitted coefficients then do not depend on the
    number of cores (with two BLAS threads they differed in the last bits, and so did the skops file),
    and on a busy 2-core machine OpenBLAS threads made the logistic regression ten times slower
    (0.1 s against 1.3 s). LightGBM runs on one thread too (``n_jobs=1``).
    """
    features = [*numeric, *categorical]
    x = frame[features]
    with threadpool_limits(limits=1, user_api="blas"):
        champion = make_champion(numeric, categorical).fit(x, target)
        challenger = make_challenger(numeric, categorical, random_state)
        challenger.fit(x, target, model__categorical_feature=list(categorical))
    return champion, challenger


def predict_pd(model: Any, frame: pd.DataFrame, features: Sequence[str]) -> np.ndarray:
    """Probability of default for every row of ``frame[features]`` (BLAS on one thread, as in fitting)."""
    with threadpool_limits(limits=1, user_api="blas"):
        return np.asarray(model.predict_proba(frame[list(features)])[:, 1], dtype=np.float64)


def assign_grades(pd_values: np.ndarray) -> np.ndarray:
    """Grade of each PD: the first grade whose upper bound is at or above it."""
    index = np.searchsorted(np.asarray(GRADE_UPPER_BOUNDS), np.asarray(pd_values, dtype=float), side="left")
    return np.asarray(GRADES, dtype=object)[np.minimum(index, len(GRADES) - 1)]


def _renumber(node: Any, ids: dict[int, int], files: dict[str, str]) -> Any:
    """Copy of a skops schema with object ids and member names numbered in order of appearance."""
    if isinstance(node, list):
        return [_renumber(item, ids, files) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "__id__" and isinstance(value, int):
            out[key] = ids.setdefault(value, len(ids) + 1)
        elif key == "file" and isinstance(value, str):
            if value not in files:
                suffix = value[value.rfind(".") :] if "." in value else ""
                files[value] = f"{len(files) + 1:06d}{suffix}"
            out[key] = files[value]
        else:
            out[key] = _renumber(value, ids, files)
    return out


def dumps_canonical(model: Any) -> bytes:
    """skops bytes of ``model`` that depend only on the model: renumbered ids, fixed time stamps."""
    import skops.io as sio

    raw = zipfile.ZipFile(io.BytesIO(sio.dumps(model, compression=zipfile.ZIP_DEFLATED)))
    files: dict[str, str] = {}
    schema = _renumber(json.loads(raw.read("schema.json")), {}, files)
    unknown = sorted(set(raw.namelist()) - set(files) - {"schema.json"})
    if unknown:
        raise RuntimeError(f"skops wrote members the schema does not name: {unknown[:3]}")
    members = {new: raw.read(old) for old, new in files.items()}
    members["schema.json"] = json.dumps(schema, indent=2).encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            out.writestr(info, members[name], compresslevel=6)
    return buffer.getvalue()
