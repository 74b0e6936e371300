"""Input checks and kernels shared by the discrimination statistics (:mod:`mrmkit.stats.discrimination`).

Checks: ``y`` is one-dimensional and 0/1 (or bool), with 1 the event; a score has one finite number per
element of ``y`` (a missing or infinite value is refused, never dropped); a statistic comparing positives
with negatives needs at least one of each; a confidence level lies strictly between 0 and 1. Each message
names the function and its argument. The calibration, comparison and classification statistics use the
same checks.

Kernels: DeLong's structural components ("placements") computed with midranks as in Sun & Xu (2014),
O(n log n) instead of the O(n_pos x n_neg) pairwise definition, ties counted one half; and the 2 x 2
sample covariance matrix of two vectors without BLAS, so that its last bits do not depend on the number
of threads.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mrmkit.errors import InsufficientData, InvalidInput
from mrmkit.stats._base import check_probability, dot

#: the values of the 'alternative' parameter of a test (:func:`~mrmkit.stats.discrimination.delong.delong_test`)
_ALTERNATIVES = ("two-sided", "greater", "less")


# ----------------------------------------------------------------------------------- validation
def _binary(y: Any, func: str) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise InvalidInput(f"y of {func} must be one-dimensional; got shape {arr.shape}.")
    if arr.dtype == bool:
        return arr
    if arr.dtype.kind in "iuf":
        is_one = arr == 1
        if not (is_one | (arr == 0)).all():
            found = pd.unique(arr[~(is_one | (arr == 0))])[:10].tolist()
            raise InvalidInput(f"y of {func} must be binary (0/1); found values {found}.")
        return is_one
    if arr.dtype == object and pd.api.types.infer_dtype(arr, skipna=False) in ("integer", "boolean"):
        return _binary(arr.astype(np.int64), func)
    found = sorted(map(str, pd.unique(arr.ravel())))[:10]
    raise InvalidInput(f"y of {func} must be binary (0/1); found values {found}.")


def _scores(score: Any, n: int, name: str, func: str) -> np.ndarray:
    try:
        arr = np.asarray(score, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name} of {func} must be numbers: {exc}.") from exc
    if arr.ndim != 1 or arr.size != n:
        raise InvalidInput(f"{name} of {func} must have one value per element of y ({n}); got shape {arr.shape}.")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise InvalidInput(
            f"{name} of {func} must be finite numbers; it has {int(bad.sum())} missing or "
            "infinite value(s). Remove those rows or impute them explicitly first."
        )
    return arr


def _groups(y: Any, score: Any, func: str, name: str = "score") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    is_pos = _binary(y, func)
    s = _scores(score, is_pos.size, name, func)
    m = int(is_pos.sum())
    if m == 0 or m == is_pos.size:
        raise InsufficientData(
            f"{func} needs at least one positive and one negative; got {m} positive(s) "
            f"and {is_pos.size - m} negative(s)."
        )
    return is_pos, s[is_pos], s[~is_pos]


def _level(ci_level: Any, func: str) -> float:
    return check_probability(ci_level, "ci_level", func)


# ------------------------------------------------------------------------------------ kernels
def _placements(pos: np.ndarray, neg: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """AUC and DeLong's structural components V10 (per positive) and V01 (per negative).

    Sun & Xu (2014): with midranks Tx (within positives), Ty (within negatives) and Tz (pooled),
    V10 = (Tz[pos] - Tx) / n is the share of negatives below each positive (ties 1/2) and
    V01 = 1 - (Tz[neg] - Ty) / m the share of positives above each negative (ties 1/2).
    """
    m, n = pos.size, neg.size
    tz = stats.rankdata(np.concatenate([pos, neg]))
    v10 = (tz[:m] - stats.rankdata(pos)) / n
    v01 = 1.0 - (tz[m:] - stats.rankdata(neg)) / m
    value = (tz[:m].sum() - m * (m + 1) / 2.0) / (m * n)
    return float(value), v10, v01


def _cov2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The 2 x 2 sample covariance matrix (ddof 1) of two vectors, as np.cov, without BLAS: np.cov's matrix
    product may be split across threads by OpenBLAS, so its last bits could depend on the thread count."""
    da, db = a - a.mean(), b - b.mean()
    k = a.size - 1
    ab = dot(da, db) / k
    return np.array([[dot(da, da) / k, ab], [ab, dot(db, db) / k]])


def _z_test(
    difference: float,
    standard_error: float,
    alternative: str,
    *,
    tie_note: str,
    degenerate_note: str,
    unknown_note: str | None = None,
) -> tuple[float, float, str | None]:
    """z, p-value and note of a normal test of ``difference`` with ``standard_error``.

    A zero error gives z = 0 with ``tie_note`` when the difference is 0, else an infinite z with
    ``degenerate_note``; with ``unknown_note``, a NaN error gives NaN z and p.
    """
    note = None
    if unknown_note is not None and math.isnan(standard_error):
        z, note = math.nan, unknown_note
    elif standard_error > 0.0:
        z = difference / standard_error
    elif difference == 0.0:
        z, note = 0.0, tie_note
    else:
        z, note = math.copysign(math.inf, difference), degenerate_note
    if alternative == "two-sided":
        p = 2.0 * float(stats.norm.sf(abs(z)))
    elif alternative == "greater":
        p = float(stats.norm.sf(z))
    else:
        p = float(stats.norm.cdf(z))
    return z, p, note
