"""What the shocks of :mod:`mrmkit.stress.shocks` share: the operations, the records and the checked context.

:class:`ShockRecord` and :class:`ShockedFrame` are the results; :class:`_Context` checks the arguments
common to every scenario once (frame, reference, features, categorical and integer features, domains)
and caches the reference's facts (sorted values, whole-number detection, categories).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats._base import Result, jsonable
from mrmkit.stress._common import (
    as_list,
    check_categorical,
    check_columns,
    check_frame,
    check_real,
    is_numeric,
)

__all__ = ["OPERATIONS", "ROUNDING", "ShockRecord", "ShockedFrame"]

OPERATIONS: tuple[str, ...] = ("multiply", "add", "set", "quantile")
ROUNDING = "nearest whole number, halves away from zero"


@dataclass(frozen=True, slots=True)
class ShockRecord(Result):
    """What one shock did. ``index`` is its 1-based position in the scenario; counts are rows.

    ``rows_in_scope`` are the rows of the segment (all rows without one); ``rows_missing`` of them were
    missing and left so; ``rows_changed`` got a different value; ``rows_rounded`` were rounded to a whole
    number; ``rows_clipped`` were clipped into ``domain``; ``rows_outside_reference`` lie outside the
    reference: for multiply, add and set, a value after the shock beyond the reference's [min, max] (or a
    category the reference never has); for a quantile shock, which maps into the reference range, a value
    beyond it before the shock.
    """

    scenario: str
    index: int
    feature: str
    operation: str
    value: Any
    categorical: bool
    integer: bool
    domain: tuple[float, float] | None
    rows_in_scope: int
    rows_missing: int
    rows_changed: int
    rows_rounded: int
    rows_clipped: int
    rows_outside_reference: int


@dataclass(frozen=True, slots=True)
class ShockedFrame(Result):
    """The shocked frame and the record of every shock; ``to_dict()`` leaves the frame out."""

    frame: pd.DataFrame
    scenario: str
    shocks: tuple[ShockRecord, ...]
    segment: tuple[str, tuple[Any, ...]] | None
    rows_in_scope: int
    rows_changed: int
    categorical: tuple[str, ...]
    categorical_rule: str
    integer_rule: str
    rounding: str
    reference_source: str
    reference_rows: int
    clip: bool

    def to_dict(self) -> dict[str, Any]:
        return {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self) if f.name != "frame"}


class _Context:
    """Everything the shocks of several scenarios share: checked once, reference facts cached."""

    def __init__(self, frame, reference, features, categorical, integer_features, domains, clip, func):
        self.func = func
        self.frame = check_frame(frame, func)
        self.features = tuple(frame.columns) if features is None else tuple(features)
        check_columns(frame, self.features, func)
        self.reference_source = "frame" if reference is None else "reference"
        self.reference = self.frame if reference is None else check_frame(reference, func, "reference")
        self.categorical, self.categorical_rule = check_categorical(categorical, frame, self.features, func)
        self.clip = bool(clip)
        self.integer_rule = (
            "given" if integer_features is not None else "inferred: every non-missing reference value is a whole number"
        )
        self.integer_given = None if integer_features is None else self._names(integer_features, "integer_features")
        self.domains = self._domains(domains)
        self._sorted: dict[str, np.ndarray] = {}
        self._integer: dict[str, bool] = {}
        self._categories: dict[str, set] = {}

    def _names(self, value: Any, param: str) -> frozenset[str]:
        names = as_list(value)
        if names is None:
            raise InvalidParameters(
                f"The {param!r} parameter of {self.func} must be a list of feature names; got {value!r}."
            )
        bad = [n for n in names if n not in self.features or n in self.categorical]
        if bad:
            raise InvalidParameters(
                f"The {param!r} parameter of {self.func} names {', '.join(map(str, bad))}, which is not a numeric "
                "feature."
            )
        return frozenset(names)

    def _domains(self, domains: Any) -> dict[str, tuple[float, float]]:
        if domains is None:
            return {}
        if not isinstance(domains, Mapping):
            raise InvalidParameters(
                f"The 'domains' parameter of {self.func} must be a mapping feature -> (low, high); got {domains!r}."
            )
        self._names(list(domains), "domains")
        out = {}
        for f, bounds in domains.items():
            pair = as_list(bounds)
            ok = pair is not None and len(pair) == 2
            lo, hi = pair if ok else (None, None)
            lo_v = -np.inf if lo is None else check_real(lo)
            hi_v = np.inf if hi is None else check_real(hi)
            if not ok or lo_v is None or hi_v is None or lo_v > hi_v:
                raise InvalidParameters(
                    f"The 'domains' entry of {self.func} for {f!r} must be (low, high) with low <= high, either "
                    f"bound a finite number or None; got {bounds!r}."
                )
            out[f] = (lo_v, hi_v)
        return out

    def reference_values(self, f: str) -> pd.Series:
        check_columns(self.reference, [f], self.func, "reference")
        col = self.reference[f]
        if f not in self.categorical and not is_numeric(col):
            raise InvalidInput(
                f"The column {f!r} of the 'reference' argument of {self.func} must be numeric, as in "
                f"the frame; got dtype {col.dtype}."
            )
        return col

    def is_integer(self, f: str) -> bool:
        if self.integer_given is not None:
            return f in self.integer_given
        if f not in self._integer:
            v = self.reference_values(f).to_numpy(dtype=np.float64, na_value=np.nan)
            v = v[~np.isnan(v)]
            self._integer[f] = bool(v.size > 0 and np.all(np.floor(v) == v))
        return self._integer[f]

    def has_reference(self) -> bool:
        return self.reference is not None

    def reference_count(self, f: str) -> int:
        return int(self.reference_values(f).notna().sum())

    def sorted_reference(self, f: str, where: str) -> np.ndarray:
        if f not in self._sorted:
            v = self.reference_values(f).to_numpy(dtype=np.float64, na_value=np.nan)
            self._sorted[f] = np.sort(v[~np.isnan(v)])
        r = self._sorted[f]
        if r.size < 2:
            raise InsufficientData(
                f"{where}: a quantile shock needs at least 2 non-missing reference values; got {r.size}."
            )
        return r

    def categories(self, f: str) -> set:
        if f not in self._categories:
            self._categories[f] = set(self.reference_values(f).dropna().unique().tolist())
        return self._categories[f]
