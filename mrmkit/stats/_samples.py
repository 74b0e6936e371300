"""Preparing two samples for the drift kernels, and reference profiles that prepare a reference once.

``_pair`` classifies two samples (numeric or categorical), counts missing values and, for numeric data,
sorts the non-missing values of each sample; for categorical data it counts both samples on the sorted
union of their categories. A :class:`ColumnProfile` holds exactly what ``_pair`` needs from a reference
sample (the sorted non-missing values, or the categories with their counts, and the missing count), so a
reference can be prepared once and compared with any number of current samples; ``_pair`` accepts one in
place of the reference and gives the same pair, bit for bit.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InsufficientData, InvalidInput, MrmkitError
from mrmkit.stats._base import Result, jsonable

__all__ = ["ColumnProfile", "PROFILE_FORMAT", "QUANTILE_PROBABILITIES", "about_column"]

PROFILE_FORMAT = 1  # part of every profile's hash: a change of what a profile holds changes every hash
QUANTILE_PROBABILITIES = (0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0)


@dataclass(frozen=True, slots=True)
class _Numeric:
    ref: np.ndarray  # sorted non-missing values (a private copy, or a profile's read-only array)
    cur: np.ndarray
    n_ref: int  # rows supplied, missing included
    n_cur: int
    miss_ref: int
    miss_cur: int
    profile: ColumnProfile | None = None  # the reference's profile, when one was given


@dataclass(frozen=True, slots=True)
class _Categorical:
    labels: tuple[str, ...]  # categories of the union, sorted by str
    ref_counts: np.ndarray
    cur_counts: np.ndarray
    n_ref: int
    n_cur: int
    miss_ref: int
    miss_cur: int


@dataclass(frozen=True, slots=True, eq=False)
class ColumnProfile(Result):
    """A reference column prepared once for every drift statistic.

    ``values`` holds the sorted non-missing values (numeric; read-only float64) or the distinct categories
    in order of first appearance (categorical; ``counts`` holds their counts). ``sha256`` hashes what the
    profile holds (kind, row and missing counts, the sorted values or the categories with their counts),
    so it does not depend on the order of the rows: it is what evidence records. ``data_sha256`` hashes
    the column as it was read (values in row order), the cheap key under which a store finds the profile
    before sorting anything. ``name`` is in neither. ``to_dict()`` gives a summary (quantiles or category
    shares), not the values.
    """

    name: Any
    kind: str  # "numeric" or "categorical"
    n: int  # rows, missing included
    n_missing: int
    sha256: str
    values: np.ndarray
    counts: np.ndarray | None = None
    data_sha256: str = ""
    _edges: dict[int, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return self.n

    @property
    def std(self) -> float:
        """Population standard deviation (ddof 0) of the non-missing values (numeric only)."""
        return float(np.std(self.values)) if self.kind == "numeric" else math.nan

    def edges(self, bins: int) -> np.ndarray:
        """Interior decile-type edges for ``bins`` bins (numeric only), as the PSI cuts them; memoised."""
        if self.kind != "numeric":
            raise InvalidInput(f"The reference profile of {self.name!r} is categorical: it has no bin edges.")
        if bins not in self._edges:
            self._edges[bins] = _quantile_edges(self.values, bins)
        return self._edges[bins]

    def quantiles(self) -> dict[str, float | None]:
        """The non-missing values' quantiles at QUANTILE_PROBABILITIES (numpy linear), numeric only."""
        if self.kind != "numeric" or self.values.size == 0:
            return {f"{p:g}": None for p in QUANTILE_PROBABILITIES}
        q = np.quantile(self.values, QUANTILE_PROBABILITIES)
        return {f"{p:g}": float(v) for p, v in zip(QUANTILE_PROBABILITIES, q, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": jsonable(self.name),
            "kind": self.kind,
            "n": self.n,
            "n_missing": self.n_missing,
            "sha256": self.sha256,
        }
        if self.kind == "numeric":
            out["quantiles"] = self.quantiles()
            out["std"] = jsonable(self.std) if self.values.size else None
        else:
            assert self.counts is not None
            out["categories"] = [str(v) for v in self.values]
            out["shares"] = (self.counts / self.n).tolist() if self.n else []
        return out


@contextmanager
def about_column(name: Any) -> Iterator[None]:
    """Prefix mrmkit's errors raised inside with the column they concern (same error type)."""
    try:
        yield
    except MrmkitError as exc:
        raise type(exc)(f"Column {name!r}: {exc}") from exc


def _quantile_edges(sorted_values: np.ndarray, bins: int) -> np.ndarray:
    """``bins - 1`` interior quantiles (numpy's default linear method), duplicates dropped."""
    return np.unique(np.quantile(sorted_values, np.linspace(0.0, 1.0, bins + 1)[1:-1]))


def _as_series(x: Any, which: str, func: str) -> pd.Series:
    if isinstance(x, pd.Series):
        return x
    if isinstance(x, pd.DataFrame):
        raise InvalidInput(f"The {which} sample of {func} must be one column; got a data frame.")
    if isinstance(x, np.ndarray):
        if x.ndim != 1:
            raise InvalidInput(f"The {which} sample of {func} must be one-dimensional; got shape {x.shape}.")
        return pd.Series(x, copy=False)
    if isinstance(x, (pd.Index, pd.Categorical, pd.api.extensions.ExtensionArray)):
        return pd.Series(x, copy=False)
    if isinstance(x, ColumnProfile):
        raise InvalidInput(f"The {which} sample of {func} cannot be a reference profile; only the reference can.")
    if isinstance(x, (str, bytes)) or not hasattr(x, "__iter__"):
        raise InvalidInput(f"The {which} sample of {func} must be an array-like; got {type(x).__name__}.")
    return pd.Series(list(x))  # plain sequences: pandas infers the dtype (None becomes NaN)


def _is_categorical(s: pd.Series, which: str, func: str) -> bool:
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype):
        return True
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        return True
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        return False
    raise InvalidInput(
        f"The {which} sample of {func} has dtype {dtype}, which is neither numeric nor categorical; "
        "convert it to numbers or to strings first."
    )


def _float_values(s: pd.Series) -> np.ndarray:
    """The values as float64 in row order; pd.NA of nullable dtypes becomes NaN."""
    if isinstance(s.dtype, np.dtype):
        return s.to_numpy(dtype=np.float64, copy=False)
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def _sort_valid(arr: np.ndarray, which: str, func: str) -> tuple[np.ndarray, int]:
    """Sorted non-missing copy of a float64 array and the number of missing values."""
    out = np.sort(arr)  # a copy; NaN sorts last
    n_valid = int(np.searchsorted(out, np.nan, side="left"))
    out = out[:n_valid]
    if n_valid and (math.isinf(out[0]) or math.isinf(out[-1])):
        n_inf = int(np.isinf(out).sum())
        raise InvalidInput(
            f"The {which} sample of {func} contains {n_inf} infinite value(s); replace them by finite "
            "values or mark them missing (NaN) before measuring drift."
        )
    return out, arr.size - n_valid


def _sorted_values(s: pd.Series, which: str, func: str) -> tuple[np.ndarray, int]:
    """Sorted non-missing float64 copy of ``s`` and the number of missing values."""
    return _sort_valid(_float_values(s), which, func)


def _categories_with(ru: np.ndarray, ru_counts: np.ndarray, n_ref: int, miss_ref: int, cur: pd.Series) -> _Categorical:
    """Count the current sample on the sorted union with the reference's categories ``ru``."""
    cc, cu = pd.factorize(cur, use_na_sentinel=True)
    cu = np.asarray(cu, dtype=object)
    union = pd.unique(np.concatenate([ru, cu]))
    keys = [(str(v), type(v).__name__) for v in union]  # distinct categories only, never rows
    union = union[sorted(range(len(union)), key=keys.__getitem__)]
    index = pd.Index(union, dtype=object)
    k = len(union)
    ref_counts = np.zeros(k, dtype=np.int64)
    cur_counts = np.zeros(k, dtype=np.int64)
    ref_counts[index.get_indexer(ru)] = ru_counts
    cur_counts[index.get_indexer(cu)] = np.bincount(cc[cc >= 0], minlength=len(cu))
    return _Categorical(
        labels=tuple(str(v) for v in union),
        ref_counts=ref_counts,
        cur_counts=cur_counts,
        n_ref=n_ref,
        n_cur=len(cur),
        miss_ref=miss_ref,
        miss_cur=int((cc < 0).sum()),
    )


def _factorize(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _categories(ref: pd.Series, cur: pd.Series) -> _Categorical:
    rc, ru = _factorize(ref)
    return _categories_with(ru, np.bincount(rc[rc >= 0], minlength=len(ru)), len(ref), int((rc < 0).sum()), cur)


def _pair_with_profile(profile: ColumnProfile, current: Any, func: str, categorical: bool) -> _Numeric | _Categorical:
    cur = _as_series(current, "current", func)
    if profile.n == 0:
        raise InsufficientData(f"The reference sample of {func} is empty.")
    if len(cur) == 0:
        raise InsufficientData(f"The current sample of {func} is empty.")
    cur_is_cat = _is_categorical(cur, "current", func)  # raises for an unsupported dtype, as the raw path does
    if profile.kind == "categorical":
        assert profile.counts is not None
        pair: _Numeric | _Categorical = _categories_with(
            profile.values, profile.counts, profile.n, profile.n_missing, cur
        )
        miss_c = pair.miss_cur
    else:
        if categorical or cur_is_cat:
            raise InvalidInput(
                f"The reference profile of {profile.name!r} is numeric, but {func} was asked to compare it as "
                "categorical; build the profile with the column marked categorical."
            )
        c, miss_c = _sorted_values(cur, "current", func)
        pair = _Numeric(profile.values, c, profile.n, len(cur), profile.n_missing, miss_c, profile)
    if profile.n_missing == profile.n:
        raise InsufficientData(f"All {profile.n} values of the reference sample of {func} are missing.")
    if miss_c == len(cur):
        raise InsufficientData(f"All {len(cur)} values of the current sample of {func} are missing.")
    return pair


def _pair(reference: Any, current: Any, func: str, categorical: bool) -> _Numeric | _Categorical:
    """Prepare both samples once; raises InsufficientData for an empty or all-missing sample.

    ``reference`` may be a :class:`ColumnProfile`; its kind then decides numeric or categorical.
    """
    if isinstance(reference, ColumnProfile):
        return _pair_with_profile(reference, current, func, categorical)
    ref = _as_series(reference, "reference", func)
    cur = _as_series(current, "current", func)
    for which, s in (("reference", ref), ("current", cur)):
        if len(s) == 0:
            raise InsufficientData(f"The {which} sample of {func} is empty.")
    is_cat = categorical | _is_categorical(ref, "reference", func) | _is_categorical(cur, "current", func)
    if is_cat:
        pair = _categories(ref, cur)
        n_missing = {"reference": pair.miss_ref, "current": pair.miss_cur}
    else:
        r, miss_r = _sorted_values(ref, "reference", func)
        c, miss_c = _sorted_values(cur, "current", func)
        pair = _Numeric(r, c, len(ref), len(cur), miss_r, miss_c)
        n_missing = {"reference": miss_r, "current": miss_c}
    for which, n in (("reference", len(ref)), ("current", len(cur))):
        if n_missing[which] == n:
            raise InsufficientData(f"All {n} values of the {which} sample of {func} are missing.")
    return pair


# ------------------------------------------------------------------------------------ profiles
@dataclass(frozen=True, slots=True)
class _Prepared:
    """A reference column read once: its data hash (row order), and what the profile is built from."""

    name: Any
    kind: str
    n: int
    sha256: str
    floats: np.ndarray | None = None  # numeric: values in row order
    codes: np.ndarray | None = None  # categorical: factorize codes (-1 missing)
    uniques: np.ndarray | None = None  # categorical: distinct values, first-appearance order


def _digest(kind: str, n: int, payload: bytes | memoryview, extra: str = "") -> str:
    h = hashlib.sha256(f"mrmkit reference profile {PROFILE_FORMAT}\n{kind}\n{n}\n".encode())
    h.update(payload)
    h.update(extra.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def content_sha256(kind: str, n: int, n_missing: int, values: np.ndarray, counts: np.ndarray | None) -> str:
    """The hash of what a profile holds, independent of row order (see :class:`ColumnProfile`)."""
    if kind == "numeric":
        return _digest(f"numeric {n_missing}", n, memoryview(np.ascontiguousarray(values, dtype=np.float64)))
    assert counts is not None
    items = sorted((str(v), type(v).__name__, repr(v), int(c)) for v, c in zip(values, counts.tolist(), strict=True))
    return _digest(f"categorical {n_missing}", n, b"", repr(items))


def prepare_column(x: Any, name: Any, categorical: bool = False, func: str = "reference_profile") -> _Prepared:
    """Read a reference column and hash it; cheap next to building the profile (no sort)."""
    s = _as_series(x, "reference", func)
    if categorical or _is_categorical(s, "reference", func):
        codes, uniques = _factorize(s)
        codes = np.ascontiguousarray(codes, dtype=np.int64)
        described = repr([(type(v).__name__, repr(v)) for v in uniques])
        return _Prepared(
            name,
            "categorical",
            len(s),
            _digest("categorical", len(s), memoryview(codes), described),
            codes=codes,
            uniques=uniques,
        )
    floats = np.ascontiguousarray(_float_values(s))
    return _Prepared(name, "numeric", len(s), _digest("numeric", len(s), memoryview(floats)), floats=floats)


def build_profile(prep: _Prepared, func: str = "reference_profile") -> ColumnProfile:
    """The profile of a prepared column: sort (numeric) or count (categorical)."""
    if prep.kind == "numeric":
        assert prep.floats is not None
        values, missing = _sort_valid(prep.floats, "reference", func)
        values.setflags(write=False)
        content = content_sha256("numeric", prep.n, missing, values, None)
        return ColumnProfile(prep.name, "numeric", prep.n, missing, content, values, None, prep.sha256)
    assert prep.codes is not None and prep.uniques is not None
    counts = np.bincount(prep.codes[prep.codes >= 0], minlength=len(prep.uniques)).astype(np.int64)
    uniques = prep.uniques
    uniques.setflags(write=False)
    counts.setflags(write=False)
    missing = int((prep.codes < 0).sum())
    content = content_sha256("categorical", prep.n, missing, uniques, counts)
    return ColumnProfile(prep.name, "categorical", prep.n, missing, content, uniques, counts, prep.sha256)
