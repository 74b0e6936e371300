"""Reference profiles: a reference sample prepared once and compared with many current samples.

A drift comparison spends most of its time preparing the reference: sorting each numeric column (for the
decile bins, the Kolmogorov-Smirnov statistic and the Wasserstein distance) and counting each categorical
one. :func:`reference_profile` does that once; every drift function then accepts the profile, or one of
its columns, in place of the reference and returns exactly the numbers it returns for the raw data:

    >>> profile = reference_profile(reference, categorical=["region"])
    >>> table = drift_table(profile, current)                   # == drift_table(reference, current, ...)
    >>> psi(profile["income"], window["income"]).value           # == psi(reference["income"], ...)

Each column profile carries the sha256 of the data it was computed from, and :class:`mrmkit.evidence.profiles.
ProfileStore` keeps profiles on disk under that hash, so every model and window that compares against the
same reference data reuses one profile.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.stats._base import Result, jsonable
from mrmkit.stats._samples import PROFILE_FORMAT, ColumnProfile, about_column, build_profile, prepare_column

__all__ = ["ColumnProfile", "ReferenceProfile", "reference_profile", "profile_of_columns"]


@dataclass(frozen=True, slots=True, eq=False)
class ReferenceProfile(Result):
    """Column profiles of one reference sample, in column order; ``sha256`` hashes names and column hashes."""

    columns: dict[Any, ColumnProfile]
    sha256: str
    n: int

    def __getitem__(self, name: Any) -> ColumnProfile:
        try:
            return self.columns[name]
        except KeyError:
            raise InvalidInput(f"The reference profile has no column {name!r}; it has {list(self.columns)}.") from None

    def __contains__(self, name: Any) -> bool:
        return name in self.columns

    def __len__(self) -> int:
        return self.n

    @property
    def categorical(self) -> tuple[Any, ...]:
        """Names of the columns profiled as categorical."""
        return tuple(c for c, p in self.columns.items() if p.kind == "categorical")

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "sha256": self.sha256,
            "columns": {str(jsonable(c)): p.to_dict() for c, p in self.columns.items()},
        }


def profile_of_columns(columns: Iterable[ColumnProfile]) -> ReferenceProfile:
    """Assemble column profiles of one sample (all with the same number of rows) into a ReferenceProfile."""
    cols = list(columns)
    sizes = {p.n for p in cols}
    if len(sizes) > 1:
        raise InvalidInput(f"The column profiles come from samples of different sizes: {sorted(sizes)} rows.")
    names = [p.name for p in cols]
    if len(set(names)) != len(names):
        raise InvalidInput(f"The column profiles repeat a column name: {names}.")
    h = hashlib.sha256(f"mrmkit reference profile {PROFILE_FORMAT}\n".encode())
    for p in cols:
        h.update(f"{p.name!r}\t{p.sha256}\n".encode("utf-8", "surrogatepass"))
    return ReferenceProfile(columns={p.name: p for p in cols}, sha256=h.hexdigest(), n=sizes.pop() if sizes else 0)


def reference_profile(reference: pd.DataFrame, categorical: Any = (), columns: Any = None) -> ReferenceProfile:
    """Prepare every column of a reference sample once for the drift statistics.

    Parameters
    ----------
    reference : pandas.DataFrame
        The reference (development or last-validation) sample.
    categorical : column name or sequence of names, default ()
        Columns to profile as categorical even when numeric; object, string, category and bool columns
        always are.
    columns : sequence of names, optional
        Columns to profile; by default every column.

    Returns
    -------
    ReferenceProfile
        ``columns`` (name -> :class:`ColumnProfile`), ``sha256`` and ``n``; pass it, or one of its
        columns, as the ``reference`` of :func:`drift_table`, :func:`psi`, :func:`js_distance`,
        :func:`ks_test`, :func:`wasserstein` or :func:`chi2_test`.

    Method
    ------
    Numeric columns: the non-missing values as float64, sorted once (the empirical distribution, from
    which the decile edges of any bin count, the quantiles and the standard deviation follow). Categorical
    columns: the distinct values in order of first appearance with their counts. Both: the number of rows
    and of missing values. A column's ``sha256`` hashes the data as the statistics read it (float64 values
    in row order, or the category codes and the categories' types and values) with the profile format
    version, so it changes whenever the data would give different statistics. The profile's kind decides
    how a column is compared; asking for a categorical comparison against a numeric profile is an error.

    Limitations
    -----------
    A profile is as large as the reference's non-missing numeric values (8 bytes each): the exact
    Kolmogorov-Smirnov statistic and Wasserstein distance need the whole empirical distribution, not a
    summary of it.
    """
    if not isinstance(reference, pd.DataFrame):
        raise InvalidInput(
            f"The reference of reference_profile must be a pandas DataFrame; got {type(reference).__name__}."
        )
    dup = reference.columns[reference.columns.duplicated()].tolist()
    if dup:
        raise InvalidInput(f"The reference frame of reference_profile has duplicated column names: {dup}.")
    cats = (categorical,) if isinstance(categorical, str) else tuple(categorical)
    if columns is None:
        names = list(reference.columns)
    else:
        names = [columns] if isinstance(columns, str) else list(columns)
        absent = [c for c in names if c not in reference.columns]
        if absent:
            raise InvalidInput(f"Columns {absent} are not in the reference frame; it has {list(reference.columns)}.")
    unknown = [c for c in cats if c not in names]
    if unknown:
        raise InvalidParameters(
            f"The 'categorical' parameter of reference_profile names columns that are not "
            f"profiled: {unknown}; profiled columns are {names}."
        )
    return profile_of_columns(_profile_column(reference[c], c, c in cats) for c in names)


def _profile_column(values: pd.Series, name: Any, categorical: bool) -> ColumnProfile:
    with about_column(name):
        return build_profile(prepare_column(values, name, categorical))
