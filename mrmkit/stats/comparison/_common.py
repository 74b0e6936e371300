"""Shared pieces of the champion-challenger comparison: argument checks, p-values, percentile intervals
and the resampling core of the bootstraps (the conventions are in :mod:`mrmkit.stats.comparison`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from scipy import stats

from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.stats._base import check_probability
from mrmkit.stats.discrimination import _scores

_ALTERNATIVES = ("two-sided", "greater", "less")
_CHUNK_CELLS = 4_000_000  # resampling weights are built in blocks of about this many cells (32 MB)
_APPROVAL_RULE = "approve when score (PD) <= cutoff"


# ---------------------------------------------------------------------------------------- validation
def _alternative(value: Any, func: str, allowed: Sequence[str] = _ALTERNATIVES) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise InvalidParameters(f"The 'alternative' parameter of {func} must be one of {list(allowed)}; got {value!r}.")
    return value


def _finite_number(value: Any, name: str, func: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if isinstance(value, (bool, np.bool_)) or not math.isfinite(v):
        raise InvalidParameters(f"The {name!r} parameter of {func} must be a finite number; got {value!r}.")
    return v


def _count(value: Any, name: str, func: str, minimum: int) -> int:
    """A count of the data (x1, n1, ...): a whole number of at least ``minimum``, else InvalidInput."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if isinstance(value, (bool, np.bool_)) or not math.isfinite(v) or v != round(v) or v < minimum:
        raise InvalidInput(f"{name} of {func} must be a whole number of at least {minimum}; got {value!r}.")
    return int(v)


def _two_groups(x1: Any, n1: Any, x2: Any, n2: Any, func: str) -> tuple[int, int, int, int]:
    nn1, nn2 = _count(n1, "n1", func, 1), _count(n2, "n2", func, 1)
    xx1, xx2 = _count(x1, "x1", func, 0), _count(x2, "x2", func, 0)
    for x, n, name in ((xx1, nn1, "x1"), (xx2, nn2, "x2")):
        if x > n:
            raise InvalidInput(f"{name} of {func} must not exceed its group size ({n}); got {x}.")
    return xx1, nn1, xx2, nn2


def _vector(x: Any, name: str, func: str) -> np.ndarray:
    """A one-dimensional array of finite floats of any length (a copy is never needed: nothing writes to it)."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name} of {func} must be numbers: {exc}.") from exc
    if arr.ndim != 1:
        raise InvalidInput(f"{name} of {func} must be one-dimensional; got shape {arr.shape}.")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise InvalidInput(
            f"{name} of {func} must be finite numbers; it has {int(bad.sum())} missing or infinite "
            "value(s). Remove those rows or impute them explicitly first."
        )
    return arr


def _pd_scores(score: Any, n: int, name: str, func: str) -> np.ndarray:
    s = _scores(score, n, name, func)
    bad = (s < 0.0) | (s > 1.0)
    if bad.any():
        raise InvalidInput(
            f"{name} of {func} must be PDs between 0 and 1; {int(bad.sum())} value(s) are not "
            f"(e.g. {s[bad][:3].tolist()})."
        )
    return s


def _per_loan(values: Any, n: int, name: str, func: str, upper: float | None) -> np.ndarray | None:
    """A scalar or one value per loan, finite and non-negative (and at most ``upper``), broadcast to ``n``."""
    if values is None:
        return None
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name} of {func} must be numbers: {exc}.") from exc
    if arr.ndim > 1 or (arr.ndim == 1 and arr.size != n):
        raise InvalidInput(
            f"{name} of {func} must be a number or have one value per loan ({n}); got shape {arr.shape}."
        )
    bad = ~np.isfinite(arr) | (arr < 0.0)
    if upper is not None:
        bad |= arr > upper
    if bad.any():
        limits = f"between 0 and {upper:g}" if upper is not None else "non-negative"
        raise InvalidInput(f"{name} of {func} must be finite and {limits}; {int(np.sum(bad))} value(s) are not.")
    return np.broadcast_to(arr, (n,))


def _level(ci_level: Any, func: str) -> float:
    return check_probability(ci_level, "ci_level", func)


def _p_from_z(z: float, alternative: str) -> float:
    if alternative == "two-sided":
        p = 2.0 * stats.norm.sf(abs(z))
    elif alternative == "greater":
        p = stats.norm.sf(z)
    else:
        p = stats.norm.cdf(z)
    return float(min(p, 1.0))


def _percentile_ci(values: np.ndarray, level: float) -> tuple[float, float]:
    if values.size == 0:
        return (math.nan, math.nan)
    lo, hi = np.quantile(values, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return (float(lo), float(hi))


def _sd(values: np.ndarray) -> float:
    return float(np.std(values, ddof=1)) if values.size >= 2 else math.nan


# ------------------------------------------------------------------------------------- resampling core
def _resample_weights(
    rng: np.random.Generator, sizes: Sequence[int], n_resamples: int, stratified: bool
) -> Iterator[np.ndarray]:
    """Blocks of bootstrap counts, one row per resample, columns in the order of the concatenated groups.

    Stratified: each group of ``sizes`` is resampled on its own with its size kept (``rng.integers`` of
    that size, counted with ``bincount``). Otherwise all rows are resampled together. Each resample
    draws in the same order whatever the block size, so the counts depend on the seed alone.
    """
    total = int(sum(sizes))
    offsets = np.cumsum([0, *sizes])
    block = max(1, min(n_resamples, _CHUNK_CELLS // max(total, 1)))
    done = 0
    while done < n_resamples:
        rows = min(block, n_resamples - done)
        w = np.empty((rows, total), dtype=np.float64)
        for r in range(rows):
            if stratified:
                for g, size in enumerate(sizes):
                    w[r, offsets[g] : offsets[g + 1]] = np.bincount(rng.integers(0, size, size=size), minlength=size)
            else:
                w[r] = np.bincount(rng.integers(0, total, size=total), minlength=total)
        done += rows
        yield w


class _WeightedAuc:
    """AUC of weighted positives against weighted negatives from one sort of the negatives' scores.

    With weights u (positives) and v (negatives), AUC = sum_i u_i (V(< s_i) + V(= s_i) / 2) / (U V),
    where V(< s) is the weight of the negatives scoring below s: one cumulative sum of v in score order
    per resample, O(n) per resample after an O(n log n) sort. Ties count one half, as in :func:`auc`.
    """

    def __init__(self, pos: np.ndarray, neg: np.ndarray) -> None:
        self.order = np.argsort(neg, kind="stable")
        sorted_neg = neg[self.order]
        self.lt = np.searchsorted(sorted_neg, pos, side="left")
        self.le = np.searchsorted(sorted_neg, pos, side="right")

    def __call__(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        cum = np.zeros((v.shape[0], v.shape[1] + 1))
        np.cumsum(v[:, self.order], axis=1, out=cum[:, 1:])
        below = 0.5 * (cum[:, self.lt] + cum[:, self.le])
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.einsum("ij,ij->i", u, below) / (u.sum(axis=1) * v.sum(axis=1))
