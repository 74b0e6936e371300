"""Input checks shared by the calibration statistics (:mod:`mrmkit.stats.calibration`).

Per-grade counts and PDs of the grade-level tests, 0/1 outcomes and PDs of the loan-level statistics,
and grade labels with their order (best grade first) for the migration matrix and the grade helpers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd  # not usable inside the functions whose PD argument is named ``pd`` (contract)

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats.discrimination import _binary, _scores


# ------------------------------------------------------------------------------------- validation
def _numbers(x: Any, name: str, func: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name} of {func} must be numbers: {exc}.") from exc
    if arr.ndim > 1:
        raise InvalidInput(f"{name} of {func} must be a number or a one-dimensional array; got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise InvalidInput(
            f"{name} of {func} must be finite numbers; it has {int((~np.isfinite(arr)).sum())} "
            "missing or infinite value(s)."
        )
    return arr


def _grade_inputs(n: Any, defaults: Any, pd_: Any, func: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Per-grade counts and PDs as int64, int64, float64 arrays of one length; ``scalar`` if all were scalars."""
    arrs = [_numbers(v, name, func) for v, name in ((n, "n"), (defaults, "defaults"), (pd_, "pd"))]
    scalar = all(a.ndim == 0 for a in arrs)
    lengths = {a.size for a in arrs if a.ndim == 1}
    if len(lengths) > 1:
        raise InvalidInput(
            f"n, defaults and pd of {func} must have one value per grade (or be scalars); got "
            f"lengths {[a.size if a.ndim else 'scalar' for a in arrs]}."
        )
    k = lengths.pop() if lengths else 1
    if k == 0:
        raise InsufficientData(f"{func} needs at least one grade; got empty arrays.")
    nn, dd, pp = (np.broadcast_to(a, (k,)) for a in arrs)
    for arr, name in ((nn, "n"), (dd, "defaults")):
        frac = arr != np.round(arr)
        if frac.any():
            raise InvalidInput(
                f"{name} of {func} must be whole numbers; grade(s) at position(s) "
                f"{np.flatnonzero(frac)[:10].tolist()} are not."
            )
    empty = nn < 1
    if empty.any():
        raise InsufficientData(
            f"n of {func} must be at least 1 in every grade; grade(s) at position(s) "
            f"{np.flatnonzero(empty)[:10].tolist()} have no obligors. Drop empty grades first."
        )
    bad = (dd < 0) | (dd > nn)
    if bad.any():
        raise InvalidInput(
            f"defaults of {func} must be between 0 and n in every grade; grade(s) at position(s) "
            f"{np.flatnonzero(bad)[:10].tolist()} are not."
        )
    bad = (pp <= 0.0) | (pp >= 1.0)
    if bad.any():
        raise InvalidInput(
            f"pd of {func} must be strictly between 0 and 1 in every grade (a PD of 0 or 1 makes "
            f"the test degenerate); grade(s) at position(s) {np.flatnonzero(bad)[:10].tolist()} "
            "are not."
        )
    return nn.astype(np.int64), dd.astype(np.int64), pp.astype(np.float64), scalar


def _out(arr: np.ndarray, scalar: bool) -> Any:
    values = arr.tolist()
    return values[0] if scalar else tuple(values)


def _loan_inputs(y: Any, pd_: Any, func: str) -> tuple[np.ndarray, np.ndarray]:
    """0/1 outcomes as bool and PDs in [0, 1] as float64, one per loan."""
    is_default = _binary(y, func)
    if is_default.size == 0:
        raise InsufficientData(f"{func} needs at least one loan; y is empty.")
    p = _scores(pd_, is_default.size, "pd", func)
    bad = (p < 0.0) | (p > 1.0)
    if bad.any():
        raise InvalidInput(
            f"pd of {func} must be probabilities between 0 and 1; {int(bad.sum())} value(s) are not "
            f"(e.g. {p[bad][:3].tolist()})."
        )
    return is_default, p


def _labels(values: Any, name: str, func: str) -> np.ndarray:
    arr = values.to_numpy() if isinstance(values, (pd.Series, pd.Index)) else np.asarray(values)
    if arr.ndim != 1:
        raise InvalidInput(f"{name} of {func} must be one-dimensional; got shape {arr.shape}.")
    return arr


def _codes(values: np.ndarray, order: tuple[Any, ...], name: str, func: str) -> np.ndarray:
    """Position of each value in ``order``; missing or unknown labels are errors naming them."""
    missing = pd.isna(values)
    if missing.any():
        raise InvalidInput(
            f"{name} of {func} has {int(missing.sum())} missing value(s); assign every row a grade "
            "or remove those rows first."
        )
    codes = pd.Index(order, dtype=object).get_indexer(values)
    unknown = codes < 0
    if unknown.any():
        found = sorted(map(str, pd.unique(values[unknown])))[:10]
        raise InvalidInput(f"{name} of {func} has labels that are not in order: {found}; order is {list(order)}.")
    return codes


def _order(order: Any, func: str, minimum: int = 2) -> tuple[Any, ...]:
    if isinstance(order, (str, bytes)) or not hasattr(order, "__iter__"):
        raise InvalidParameters(
            f"The 'order' parameter of {func} must be a sequence of grade labels from the best "
            f"to the worst grade; got {order!r}."
        )
    labels = tuple(v.item() if isinstance(v, np.generic) else v for v in order)
    if len(labels) < minimum or len(set(labels)) != len(labels) or any(pd.isna(v) for v in labels):
        raise InvalidParameters(
            f"The 'order' parameter of {func} must list at least {minimum} distinct, non-missing "
            f"grade label(s); got {list(labels)!r}."
        )
    return labels


def _factorize(grades: Any, n: int, func: str) -> tuple[np.ndarray, tuple[Any, ...]]:
    arr = _labels(grades, "grades", func)
    if arr.size != n:
        raise InvalidInput(f"grades of {func} must have one value per element of y ({n}); got {arr.size}.")
    if pd.isna(arr).any():
        raise InvalidInput(
            f"grades of {func} has {int(pd.isna(arr).sum())} missing value(s); assign every loan a grade first."
        )
    try:
        codes, uniques = pd.factorize(arr, sort=True)
    except TypeError:  # labels of mixed types do not sort: keep first-appearance order
        codes, uniques = pd.factorize(arr, sort=False)
    return codes, tuple(v.item() if isinstance(v, np.generic) else v for v in np.asarray(uniques, dtype=object))
