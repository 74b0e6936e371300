"""Data quality of a current sample against its reference: missing values, ranges, categories, types."""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats._base import Result, check_int, register

__all__ = ["data_quality", "DataQuality", "QualityRow"]

_CATEGORICAL_TYPES = ("string", "boolean", "mixed", "other")
_TEMPORAL_TYPES = ("datetime", "timedelta")
_OBJECT_TYPES = {
    "string": "string",
    "bytes": "string",
    "empty": None,
    "boolean": "boolean",
    "integer": "numeric",
    "floating": "numeric",
    "mixed-integer-float": "numeric",
    "decimal": "numeric",
    "datetime": "datetime",
    "datetime64": "datetime",
    "date": "datetime",
    "timedelta": "timedelta",
    "timedelta64": "timedelta",
    "mixed": "mixed",
    "mixed-integer": "mixed",
}


@dataclass(frozen=True, slots=True)
class QualityRow(Result):
    column: Any
    kind: str
    reference_type: str | None
    current_type: str | None
    type_mismatch: bool
    n_reference: int
    n_current: int
    missing_share_reference: float
    missing_share_current: float
    missing_share_change: float
    n_distinct_reference: int
    n_distinct_current: int
    constant_reference: bool
    constant_current: bool
    reference_min: float
    reference_max: float
    out_of_range_share: float
    unseen_categories: int | None
    unseen_share: float
    unseen_examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DataQuality(Result):
    rows: tuple[QualityRow, ...]
    columns_only_in_reference: tuple[Any, ...]
    columns_only_in_current: tuple[Any, ...]
    id_column: Any
    duplicate_ids_reference: int | None
    duplicate_ids_current: int | None
    missing_ids_reference: int | None
    missing_ids_current: int | None
    categorical_requested: tuple[Any, ...]
    max_examples: int
    n_reference: int
    n_current: int

    def to_frame(self) -> pd.DataFrame:
        """One row per feature present in both samples."""
        names = [f for f in QualityRow.__dataclass_fields__]
        return pd.DataFrame.from_records([tuple(getattr(r, f) for f in names) for r in self.rows], columns=names)


def _value_type(s: pd.Series, missing: np.ndarray) -> str | None:
    """Type of the values: numeric, string, boolean, datetime, timedelta, mixed; None if all missing."""
    if missing.all():
        return None
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _value_type(pd.Series(dtype.categories), np.zeros(len(dtype.categories), dtype=bool))
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "timedelta"
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        return "numeric"
    if not pd.api.types.is_object_dtype(dtype) and pd.api.types.is_string_dtype(dtype):
        return "string"
    return _OBJECT_TYPES.get(pd.api.types.infer_dtype(s, skipna=True), "other")


def _is_categorical_dtype(dtype: Any) -> bool:
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
    )


def _floats(s: pd.Series) -> np.ndarray:
    if isinstance(s.dtype, np.dtype):
        return s.to_numpy(dtype=np.float64, copy=False)
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def _row(col: Any, ref: pd.Series, cur: pd.Series, categorical: bool, max_examples: int) -> QualityRow:
    ref_na, cur_na = ref.isna().to_numpy(), cur.isna().to_numpy()
    n_ref, n_cur = len(ref), len(cur)
    ref_type, cur_type = _value_type(ref, ref_na), _value_type(cur, cur_na)
    mismatch = ref_type is not None and cur_type is not None and ref_type != cur_type
    types = {ref_type, cur_type} - {None}
    is_cat = (
        categorical
        or _is_categorical_dtype(ref.dtype)
        or _is_categorical_dtype(cur.dtype)
        or bool(types & set(_CATEGORICAL_TYPES))
    )
    kind = "categorical" if is_cat else ("temporal" if types & set(_TEMPORAL_TYPES) else "numeric")
    r_codes, r_uniques = pd.factorize(ref, use_na_sentinel=True)
    c_codes, c_uniques = pd.factorize(cur, use_na_sentinel=True)
    nan = math.nan
    ref_min = ref_max = out_share = unseen_share = nan
    unseen_n, examples = None, ()
    if is_cat:
        ru, cu = np.asarray(r_uniques, dtype=object), np.asarray(c_uniques, dtype=object)
        unseen = ~pd.Index(cu, dtype=object).isin(ru)
        counts = np.bincount(c_codes[c_codes >= 0], minlength=len(cu))
        unseen_n = int(unseen.sum())
        unseen_share = float(counts[unseen].sum() / n_cur)
        examples = tuple(heapq.nsmallest(max_examples, map(str, cu[unseen])))
    elif kind == "numeric":
        rv, cv = _floats(ref)[~ref_na], _floats(cur)[~cur_na]
        if rv.size:
            ref_min, ref_max = float(rv.min()), float(rv.max())
            if cv.size:
                out_share = float(np.count_nonzero((cv < ref_min) | (cv > ref_max)) / cv.size)
    miss_r, miss_c = float(ref_na.sum() / n_ref), float(cur_na.sum() / n_cur)
    return QualityRow(
        col,
        kind,
        ref_type,
        cur_type,
        bool(mismatch),
        n_ref,
        n_cur,
        miss_r,
        miss_c,
        miss_c - miss_r,
        len(r_uniques),
        len(c_uniques),
        len(r_uniques) <= 1,
        len(c_uniques) <= 1,
        ref_min,
        ref_max,
        out_share,
        unseen_n,
        unseen_share,
        examples,
    )


def _ids(frame: pd.DataFrame, id_column: Any) -> tuple[int, int]:
    ids = frame[id_column]
    return int(ids.duplicated(keep="first").sum()), int(ids.isna().sum())


@register("data_quality")
def data_quality(
    reference: pd.DataFrame, current: pd.DataFrame, categorical: Any = (), id_column: Any = None, max_examples: int = 5
) -> DataQuality:
    """Data-quality comparison of a current sample with its reference, one row per feature.

    Parameters
    ----------
    reference, current : pandas.DataFrame
        The two samples. Features are the columns present in both (the id column excluded);
        columns present in only one frame are listed in the result.
    categorical : column name or sequence of names, default ()
        Columns to treat as categorical even when numeric. Object, string, category and bool
        columns are always categorical.
    id_column : column name, optional
        Identifier column whose duplicates and missing values are counted in each sample.
    max_examples : int, default 5
        Number of unseen categories listed (the first ones in text order).

    Returns
    -------
    DataQuality
        ``rows`` (one :class:`QualityRow` per feature), ``to_frame()``, the columns found in one
        frame only, and the id checks.

    Purpose
    -------
    Finds data problems that would invalidate drift and performance statistics before they are
    read: new or rising missing values, values outside the development range, categories never seen
    in development, changed types, constant columns and duplicated identifiers.

    Method
    ------
    Per feature, vectorised: missing shares (NaN, None, NaT, pd.NA) in each sample and their change
    (current minus reference); number of distinct non-missing values and whether it is at most one
    (constant, including all-missing); for numeric features, the share of current non-missing values
    strictly below the reference minimum or above its maximum; for categorical features, the number
    of distinct current categories absent from the reference, the share of all current rows holding
    them, and the first ``max_examples`` of them in text order (None / NaN for other kinds). The
    value type (numeric, string, boolean, datetime, timedelta, mixed; categories by the type of their
    labels) is compared between
    samples; an all-missing sample has no type and never counts as a mismatch. Date and duration
    features (kind 'temporal') get the missing, distinct and type checks only. With ``id_column``,
    ``duplicate_ids_*`` counts rows whose identifier already appeared in an earlier row.

    Signs of high risk
    ------------------
    A type mismatch (usually a broken feed); a large rise in missing share; a material share of
    out-of-range values or unseen categories (the model extrapolates); constant columns; any
    duplicated identifier.

    Strengths
    ---------
    Cheap, explainable checks that catch most pipeline failures before they show up as drift.

    Limitations
    -----------
    Univariate and structural only: it does not judge whether values are correct, and the reference
    range of a small sample is itself noisy. Numeric values stored as text are typed as strings.

    References
    ----------
    Basel Committee on Banking Supervision (2013). BCBS 239, Principles for effective risk data
    aggregation and risk reporting.
    Board of Governors of the Federal Reserve System (2011). SR 11-7, Guidance on Model Risk
    Management (data quality and relevance).
    European Central Bank (2024). ECB guide to internal models, credit risk: data maintenance.
    """
    for which, frame in (("reference", reference), ("current", current)):
        if not isinstance(frame, pd.DataFrame):
            raise InvalidInput(
                f"The {which} argument of data_quality must be a pandas DataFrame; got {type(frame).__name__}."
            )
        if frame.columns.duplicated().any():
            raise InvalidInput(
                f"The {which} frame of data_quality has duplicated column names: "
                f"{frame.columns[frame.columns.duplicated()].tolist()}."
            )
        if len(frame) == 0:
            raise InsufficientData(f"The {which} frame of data_quality has no rows.")
    max_examples = check_int(max_examples, "max_examples", "data_quality", 0)
    cats = (categorical,) if isinstance(categorical, str) else tuple(categorical)
    shared = [c for c in reference.columns if c in current.columns and c != id_column]
    unknown = [c for c in cats if c not in shared]
    if unknown:
        raise InvalidParameters(
            f"The 'categorical' parameter of data_quality names columns that are not in "
            f"both frames: {unknown}; shared columns are {shared}."
        )
    dup = {"reference": None, "current": None}
    miss = {"reference": None, "current": None}
    if id_column is not None:
        for which, frame in (("reference", reference), ("current", current)):
            if id_column not in frame.columns:
                raise InvalidParameters(
                    f"The 'id_column' parameter of data_quality names {id_column!r}, "
                    f"which is not in the {which} frame; it has {list(frame.columns)}."
                )
            dup[which], miss[which] = _ids(frame, id_column)
    rows = tuple(_row(c, reference[c], current[c], c in cats, max_examples) for c in shared)
    return DataQuality(
        rows=rows,
        columns_only_in_reference=tuple(c for c in reference.columns if c not in current.columns),
        columns_only_in_current=tuple(c for c in current.columns if c not in reference.columns),
        id_column=id_column,
        duplicate_ids_reference=dup["reference"],
        duplicate_ids_current=dup["current"],
        missing_ids_reference=miss["reference"],
        missing_ids_current=miss["current"],
        categorical_requested=cats,
        max_examples=max_examples,
        n_reference=len(reference),
        n_current=len(current),
    )
