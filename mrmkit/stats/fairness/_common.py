"""Shared pieces of the fair-lending statistics: checks of the decisions and the group labels, counts per
group, exact rate differences and the notes (the conventions are in :mod:`mrmkit.stats.fairness`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters

MISSING_GROUP = "<missing>"  # label of the group formed by missing group values


# ------------------------------------------------------------------------------------- validation
def _flags(values: Any, name: str, func: str) -> np.ndarray:
    """A 0/1 or boolean column as a new boolean array; anything else (missing values included) is an error."""
    arr = values.to_numpy() if isinstance(values, (pd.Series, pd.Index)) else np.asarray(values)
    if arr.ndim != 1:
        raise InvalidInput(f"{name} of {func} must be one-dimensional; got shape {arr.shape}.")
    if arr.dtype == bool:
        return arr.copy()
    missing = np.asarray(pd.isna(arr), dtype=bool)
    if missing.any():
        raise InvalidInput(
            f"{name} of {func} has {int(missing.sum())} missing value(s); every applicant needs a 0/1 "
            "value. Remove those rows or fill them explicitly first."
        )
    if arr.dtype.kind in "iuf" or (
        arr.dtype == object
        and pd.api.types.infer_dtype(arr, skipna=False) in ("integer", "boolean", "floating", "mixed-integer-float")
    ):
        num = arr.astype(np.float64)
        one = num == 1.0
        bad = ~(one | (num == 0.0))
        if not bad.any():
            return one
        found = pd.unique(arr[bad])[:10].tolist()
        raise InvalidInput(f"{name} of {func} must be 0/1 or boolean; found values {found}.")
    found = sorted(map(str, pd.unique(arr)))[:10]
    raise InvalidInput(f"{name} of {func} must be 0/1 or boolean; found values {found}.")


def _sort_key(labels: list[Any]) -> list[int]:
    try:
        return sorted(range(len(labels)), key=lambda i: labels[i])
    except TypeError:  # labels of different types: order by type name, then text
        return sorted(range(len(labels)), key=lambda i: (type(labels[i]).__name__, str(labels[i])))


def _groups(group: Any, n: int, func: str) -> tuple[np.ndarray, tuple[Any, ...], int]:
    """Group codes 0..k-1 (labels sorted, ``"<missing>"`` last), the labels and the number of missing values."""
    if isinstance(group, (pd.Series, pd.Index)):
        arr = group.to_numpy()
    elif isinstance(group, np.ndarray):
        arr = group
    else:
        arr = np.asarray(group, dtype=object)
    if arr.ndim != 1:
        raise InvalidInput(f"group of {func} must be one-dimensional; got shape {arr.shape}.")
    if arr.size != n:
        raise InvalidInput(f"group of {func} must have one value per applicant ({n}); got {arr.size}.")
    missing = np.asarray(pd.isna(arr), dtype=bool)
    n_missing = int(missing.sum())
    raw_codes, uniques = pd.factorize(arr[~missing], sort=False)
    labels = [v.item() if isinstance(v, np.generic) else v for v in np.asarray(uniques, dtype=object)]
    if n_missing and any(isinstance(v, str) and v == MISSING_GROUP for v in labels):
        raise InvalidInput(
            f"group of {func} has {n_missing} missing value(s) and also the label {MISSING_GROUP!r}, "
            "which mrmkit uses for missing values; rename that label first."
        )
    order = _sort_key(labels)
    rank = np.empty(len(labels), dtype=np.int64)
    rank[order] = np.arange(len(labels))
    codes = np.full(n, len(labels), dtype=np.int64)  # missing values get the last code
    codes[~missing] = rank[raw_codes]
    names = tuple(labels[i] for i in order) + ((MISSING_GROUP,) if n_missing else ())
    return codes, names, n_missing


def _same(label: Any, ref: Any) -> bool:
    """Equal labels of one kind: ``True`` never matches the group ``1``, nor ``"1"`` the group ``1``."""
    if isinstance(label, bool) != isinstance(ref, bool) or isinstance(label, str) != isinstance(ref, str):
        return False
    try:
        return bool(label == ref)
    except (TypeError, ValueError):
        return False


def _reference(reference_group: Any, labels: tuple[Any, ...], func: str) -> int:
    ref = reference_group.item() if isinstance(reference_group, np.generic) else reference_group
    for i, label in enumerate(labels):
        if _same(label, ref):
            return i
    shown = list(labels[:20]) + ([f"... ({len(labels)} groups)"] if len(labels) > 20 else [])
    raise InvalidParameters(
        f"The 'reference_group' parameter of {func} must be one of the groups present in group: "
        f"{shown}; got {reference_group!r}."
    )


def _counts(approved: Any, group: Any, func: str) -> tuple[np.ndarray, tuple[Any, ...], int, np.ndarray, np.ndarray]:
    ok = _flags(approved, "approved", func)
    if ok.size == 0:
        raise InsufficientData(f"{func} needs at least one applicant; approved is empty.")
    codes, labels, n_missing = _groups(group, ok.size, func)
    k = len(labels)
    n = np.bincount(codes, minlength=k)
    a = np.bincount(codes[ok], minlength=k)
    return codes, labels, n_missing, n, a


def _rates(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _differences(num: list[int], den: list[int], r: int) -> np.ndarray:
    """``num[g] / den[g] - num[r] / den[r]`` from exact integers, correctly rounded; NaN where a rate is undefined."""
    if den[r] == 0:
        return np.full(len(num), math.nan)
    return np.array(
        [(num[g] * den[r] - num[r] * den[g]) / (den[g] * den[r]) if den[g] else math.nan for g in range(len(num))]
    )


def _extremes(num: np.ndarray, den: np.ndarray, labels: tuple[Any, ...]) -> tuple[float, Any, Any]:
    """Highest minus lowest defined rate (exact integers, correctly rounded) with the groups holding them.

    Ties go to the first group in group order. Equal rationals give equal floats, so ties are exact.
    """
    rate = _rates(num, den)
    defined = np.flatnonzero(~np.isnan(rate))
    if defined.size == 0:
        return math.nan, None, None
    hi = int(defined[np.argmax(rate[defined])])
    lo = int(defined[np.argmin(rate[defined])])
    nums, dens = num.tolist(), den.tolist()
    gap = (nums[hi] * dens[lo] - nums[lo] * dens[hi]) / (dens[hi] * dens[lo])
    return gap, labels[hi], labels[lo]


def _missing_note(n_missing: int) -> list[str]:
    if not n_missing:
        return []
    return [f"{n_missing} applicant(s) have no group value; they form the group {MISSING_GROUP!r}"]


def _sentence(parts: list[str]) -> str | None:
    if not parts:
        return None
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
