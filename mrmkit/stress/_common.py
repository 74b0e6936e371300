"""Shared pieces of the stress module: argument checks, scoring a model, changed rows, quantile maps."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InvalidInput, InvalidParameters, MrmkitError

APPROVAL_RULE = "approve when PD <= cutoff, decline when PD > cutoff"
SCORING_NOTE = (
    "PD = predict_proba(frame[features])[:, 1] with BLAS on one thread; rows whose features are unchanged "
    "keep their baseline PD (the model is assumed to score each row independently of the others)"
)


def as_list(value: Any) -> list | None:
    """A list of the items of a list, tuple, numpy array or pandas Index/Series; None for anything else."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, (np.ndarray, pd.Index, pd.Series)) and value.ndim == 1:
        return value.tolist()
    return None


def is_numeric(series: pd.Series) -> bool:
    """Numeric means an integer or floating dtype; booleans, strings and categoricals are not."""
    return series.dtype.kind in "iuf"


def check_frame(frame: Any, func: str, name: str = "frame") -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise InvalidInput(f"The {name!r} argument of {func} must be a pandas DataFrame; got {type(frame).__name__}.")
    if frame.columns.duplicated().any():
        dups = sorted(map(str, frame.columns[frame.columns.duplicated()]))
        raise InvalidInput(f"The {name!r} argument of {func} has duplicated columns: {', '.join(dups)}.")
    return frame


def check_columns(frame: pd.DataFrame, columns: Sequence[str], func: str, name: str = "frame") -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidInput(
            f"The {name!r} argument of {func} lacks the column(s) {', '.join(map(str, missing))}; "
            f"it has: {', '.join(map(str, frame.columns))}."
        )


def check_features(features: Any, frame: pd.DataFrame, func: str) -> tuple[str, ...]:
    names = as_list(features)
    if not names:
        raise InvalidParameters(
            f"The 'features' parameter of {func} must be a non-empty list of column names; got {features!r}."
        )
    out = tuple(names)
    if len(set(out)) != len(out):
        raise InvalidParameters(f"The 'features' parameter of {func} names a column twice; got {list(out)}.")
    check_columns(frame, out, func)
    return out


def check_categorical(
    categorical: Any, frame: pd.DataFrame, features: Sequence[str], func: str
) -> tuple[tuple[str, ...], str]:
    """The categorical features and how they were chosen (given, or inferred from the dtypes)."""
    if categorical is None:
        return tuple(f for f in features if not is_numeric(frame[f])), "inferred: features of a non-numeric dtype"
    if as_list(categorical) is None:
        raise InvalidParameters(
            f"The 'categorical' parameter of {func} must be a list of feature names; got {categorical!r}."
        )
    categorical = as_list(categorical)
    unknown = [c for c in categorical if c not in features]
    if unknown:
        raise InvalidParameters(
            f"The 'categorical' parameter of {func} names {', '.join(map(str, unknown))}, which is not among "
            f"the features: {', '.join(features)}."
        )
    undeclared = [f for f in features if f not in categorical and not is_numeric(frame[f])]
    if undeclared:
        raise InvalidInput(
            f"The feature(s) {', '.join(undeclared)} of {func} have a non-numeric dtype but are not listed in "
            "'categorical'; list them there."
        )
    return tuple(f for f in features if f in categorical), "given"


def check_cutoff(cutoff: Any, func: str) -> float:
    if isinstance(cutoff, (bool, np.bool_)) or not isinstance(cutoff, (int, float, np.integer, np.floating)):
        v = math.nan
    else:
        v = float(cutoff)
    if not 0.0 <= v <= 1.0:
        raise InvalidParameters(f"The 'cutoff' parameter of {func} must be a PD between 0 and 1; got {cutoff!r}.")
    return v


def check_real(value: Any) -> float | None:
    """``value`` as a finite float, or None if it is not a finite real number (booleans are not)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def score(model: Any, x: pd.DataFrame, context: str) -> np.ndarray:
    """PD of every row of ``x`` (column 1 of ``predict_proba``), checked; the caller limits BLAS threads."""
    if len(x) == 0:
        return np.empty(0, dtype=np.float64)
    if not callable(getattr(model, "predict_proba", None)):
        raise InvalidInput(f"The model must have a predict_proba method; got {type(model).__name__}.")
    try:
        proba = model.predict_proba(x)
    except MrmkitError:
        raise
    except Exception as exc:
        raise InvalidInput(f"The model's predict_proba failed {context}: {type(exc).__name__}: {exc}") from exc
    arr = np.asarray(proba, dtype=np.float64)
    if arr.ndim != 2 or arr.shape != (len(x), 2):
        raise InvalidInput(
            f"The model's predict_proba must return one row of two class probabilities per input row "
            f"({len(x)}, 2) {context}; got shape {arr.shape}."
        )
    pd_ = arr[:, 1].copy()
    bad = ~np.isfinite(pd_) | (pd_ < 0.0) | (pd_ > 1.0)
    if bad.any():
        raise InvalidInput(
            f"The model's predict_proba returned {int(bad.sum())} PD(s) that are missing or outside [0, 1] {context}."
        )
    return pd_


def changed_rows(before: pd.DataFrame, after: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Rows where any of ``columns`` differs between two aligned frames (two missing values are equal)."""
    out = np.zeros(len(before), dtype=bool)
    for c in columns:
        a, b = before[c], after[c]
        if is_numeric(a) and is_numeric(b):
            va = a.to_numpy(dtype=np.float64, na_value=np.nan)
            vb = b.to_numpy(dtype=np.float64, na_value=np.nan)
            out |= ~((va == vb) | (np.isnan(va) & np.isnan(vb)))
        else:
            na, nb = a.isna().to_numpy(), b.isna().to_numpy()
            both = ~na & ~nb
            ne = np.zeros(len(a), dtype=bool)
            ne[both] = a.to_numpy(dtype=object)[both] != b.to_numpy(dtype=object)[both]
            out |= (na != nb) | ne
    return out


def quantiles(values: np.ndarray, levels: Sequence[float]) -> tuple[float, ...]:
    if values.size == 0:
        return tuple(math.nan for _ in levels)
    return tuple(float(v) for v in np.quantile(values, levels))


def relative(change: float, base: float) -> float:
    """``change / base``; NaN when the base is zero (the relative change is undefined)."""
    return change / base if base != 0.0 else math.nan


def reference_position(r: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``F_ref(x)`` of :mod:`mrmkit.stress.shocks` for sorted reference values ``r`` (at least two)."""
    n = r.size
    left, right = np.searchsorted(r, x, "left"), np.searchsorted(r, x, "right")
    u = np.empty(x.size, dtype=np.float64)
    tie = right > left
    u[tie] = (left[tie] + right[tie] - 1) / 2.0
    k, xg = left[~tie], x[~tie]
    ug = np.where(k == 0, 0.0, n - 1.0)
    mid = (k > 0) & (k < n)
    km = k[mid]
    ug[mid] = (km - 1) + (xg[mid] - r[km - 1]) / (r[km] - r[km - 1])
    u[~tie] = ug
    return u / (n - 1)


def reference_quantile(r: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``numpy.quantile(r, p)`` (method "linear") for sorted ``r``, bit for bit, without partitioning."""
    n = r.size
    vi = (n - 1) * p
    prev = np.floor(vi)
    gamma = vi - prev
    i = prev.astype(np.intp)
    top = vi >= n - 1
    i[top] = n - 1
    j = np.where(top, n - 1, i + 1)
    a, b = r[i], r[j]
    d = b - a
    out = a + d * gamma
    upper = gamma >= 0.5
    out[upper] = b[upper] - d[upper] * (1 - gamma[upper])
    return out


def round_half_away(x: np.ndarray) -> np.ndarray:
    """Nearest whole number, halves away from zero (``a - floor(a)`` is exact, so no 0.49999... trap)."""
    a = np.abs(x)
    whole = np.floor(a)
    return np.copysign(whole + (a - whole >= 0.5), x) + 0.0  # + 0.0 turns -0.0 into 0.0
