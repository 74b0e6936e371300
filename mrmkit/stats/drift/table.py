"""Drift statistics for every column of two data frames at once: :func:`drift_table`.

Each column goes through the kernels of :func:`~mrmkit.stats.drift.psi`, :func:`~mrmkit.stats.drift.js_distance`,
:func:`~mrmkit.stats.drift.ks_test`, :func:`~mrmkit.stats.drift.wasserstein` and
:func:`~mrmkit.stats.drift.chi2_test`, so its numbers are bit-for-bit those of the individual functions.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters, MrmkitError
from mrmkit.stats._base import Result, check_int, default_threads, register
from mrmkit.stats._samples import ColumnProfile, _is_categorical, _Numeric, _pair
from mrmkit.stats.drift.binning import EPSILON, JsResult, PsiResult, _bin_counts, _js_from_bins, _kind, _psi_from_bins
from mrmkit.stats.drift.chi_square import Chi2Result, _chi2_from_pair
from mrmkit.stats.drift.distance import KsResult, WassersteinResult, _ks_from_pair, _merge, _wasserstein_from_pair
from mrmkit.stats.profile import ReferenceProfile

__all__ = ["drift_table", "ColumnDrift", "DriftTable"]


# ----------------------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class ColumnDrift(Result):
    column: Any
    kind: str
    n_reference: int
    n_current: int
    missing_share_reference: float
    missing_share_current: float
    psi: PsiResult | None
    js_distance: JsResult | None
    ks: KsResult | None
    wasserstein: WassersteinResult | None
    chi2: Chi2Result | None
    note: str | None


_FRAME_COLUMNS = (
    "column",
    "kind",
    "n_reference",
    "n_current",
    "missing_share_reference",
    "missing_share_current",
    "psi",
    "js_distance",
    "ks_statistic",
    "ks_p_value",
    "wasserstein",
    "wasserstein_normed",
    "chi2_statistic",
    "chi2_p_value",
    "chi2_df",
    "note",
)


@dataclass(frozen=True, slots=True)
class DriftTable(Result):
    columns: dict[Any, ColumnDrift]
    bins: int
    epsilon: float
    categorical_requested: tuple[Any, ...]
    n_jobs: int
    n_reference: int
    n_current: int

    def to_frame(self) -> pd.DataFrame:
        """One row per column; NaN where a statistic does not apply or could not be computed."""
        nan = math.nan
        rows = []
        for c in self.columns.values():
            rows.append(
                (
                    c.column,
                    c.kind,
                    c.n_reference,
                    c.n_current,
                    c.missing_share_reference,
                    c.missing_share_current,
                    c.psi.value if c.psi else nan,
                    c.js_distance.value if c.js_distance else nan,
                    c.ks.statistic if c.ks else nan,
                    c.ks.p_value if c.ks else nan,
                    c.wasserstein.value if c.wasserstein else nan,
                    c.wasserstein.normed if c.wasserstein else nan,
                    c.chi2.statistic if c.chi2 else nan,
                    c.chi2.p_value if c.chi2 else nan,
                    c.chi2.df if c.chi2 else nan,
                    c.note,
                )
            )
        return pd.DataFrame.from_records(rows, columns=list(_FRAME_COLUMNS))


# ------------------------------------------------------------------------------------- drift table
def _column_drift(
    col: Any, ref: pd.Series | ColumnProfile, cur: pd.Series, categorical: bool, bins: int
) -> ColumnDrift:
    n_ref, n_cur = len(ref), len(cur)
    try:
        pair = _pair(ref, cur, "drift_table", categorical)
    except InsufficientData as exc:  # an all-missing column: report, never a silent "no drift"
        miss_c = int(cur.isna().sum())
        if isinstance(ref, ColumnProfile):
            miss_r, is_cat = ref.n_missing, ref.kind == "categorical"
        else:
            miss_r = int(ref.isna().sum())
            is_cat = (
                categorical
                or _is_categorical(ref, "reference", "drift_table")
                or _is_categorical(cur, "current", "drift_table")
            )
        kind = "categorical" if is_cat else "numeric"
        return ColumnDrift(
            col,
            kind,
            n_ref,
            n_cur,
            miss_r / n_ref,
            miss_c / n_cur,
            None,
            None,
            None,
            None,
            None,
            f"No statistic computed: {exc}",
        )
    kind = _kind(pair)
    b = _bin_counts(pair, bins)
    ps, js = _psi_from_bins(b, kind, bins, EPSILON), _js_from_bins(b, kind, bins)
    ks = w = chi = None
    if isinstance(pair, _Numeric):
        merged = _merge(pair.ref, pair.cur)
        ks, w = _ks_from_pair(pair, merged), _wasserstein_from_pair(pair, merged)
    else:
        chi = _chi2_from_pair(pair)
    return ColumnDrift(col, kind, n_ref, n_cur, pair.miss_ref / n_ref, pair.miss_cur / n_cur, ps, js, ks, w, chi, None)


def _guarded(col: Any, ref: pd.Series | ColumnProfile, cur: pd.Series, categorical: bool, bins: int) -> ColumnDrift:
    try:
        return _column_drift(col, ref, cur, categorical, bins)
    except MrmkitError as exc:
        raise type(exc)(f"Column {col!r}: {exc}") from exc
    except Exception as exc:
        raise RuntimeError(f"Unexpected error while computing drift for column {col!r}: {exc}") from exc


@register("drift_table")
def drift_table(
    reference: pd.DataFrame | ReferenceProfile,
    current: pd.DataFrame,
    categorical: Any = (),
    bins: int = 10,
    columns: Any = None,
    n_jobs: int | None = None,
) -> DriftTable:
    """Drift statistics for every column of two data frames at once.

    Parameters
    ----------
    reference, current : pandas.DataFrame
        The two samples; the compared columns must exist in both. ``reference`` may be a
        :class:`ReferenceProfile` of the reference sample (:func:`reference_profile`), with the same
        results; its columns' kinds then decide numeric or categorical.
    categorical : column name or sequence of names, default ()
        Columns to treat as categorical even when numeric. Object, string, category and bool
        columns are always categorical.
    bins : int, default 10
        Reference quantile bins for PSI and Jensen-Shannon (at least 2).
    columns : sequence of names, optional
        Columns to compare; by default every column of ``reference`` (which must then have the
        same columns as ``current``).
    n_jobs : int, optional
        Threads over columns; default ``$MRMKIT_THREADS`` when set, else ``min(4, os.cpu_count())``.
        Results do not depend on it.

    Returns
    -------
    DriftTable
        ``columns`` (name -> ColumnDrift holding the individual results, e.g. each PSI table),
        ``to_frame()`` (one row per column) and ``to_dict()``.

    Purpose
    -------
    Screens every model input for distribution shift between development and current data in one
    call, with the same numbers as the individual functions.

    Method
    ------
    Per column, the data are prepared once (non-missing values sorted once, or categories encoded
    once) and shared: numeric columns get :func:`psi`, :func:`js_distance`, :func:`ks_test` and
    :func:`wasserstein`; categorical columns get :func:`psi`, :func:`js_distance` and
    :func:`chi2_test`. Statistics that do not apply are NaN in ``to_frame()``. A column that is
    entirely missing in either sample gets no statistics and a ``note``; its missing shares are still
    reported. Columns run in a thread pool; output order follows the columns.

    Signs of high risk
    ------------------
    Several inputs with PSI above 0.25 or small KS / chi-square p-values after adjustment for
    multiplicity (see :func:`adjust_pvalues`); a jump in a missing share; notes on columns.

    Strengths
    ---------
    One consistent set of conventions for every column; complementary measures (binned, unbinned,
    tests and effect sizes); fast enough for millions of rows.

    Limitations
    -----------
    Univariate only: shifts in the joint distribution can go unseen. p-values over many columns
    need a multiplicity adjustment. Large samples make every test significant.

    References
    ----------
    Board of Governors of the Federal Reserve System (2011). SR 11-7, Guidance on Model Risk
    Management.
    Prudential Regulation Authority (2023). SS1/23, Model risk management principles for banks.
    Rabanser, S., Günnemann, S. & Lipton, Z. (2019). Failing loudly: an empirical study of methods
    for detecting dataset shift. NeurIPS 32.
    """
    if not isinstance(reference, (pd.DataFrame, ReferenceProfile)):
        raise InvalidInput(
            f"The reference argument of drift_table must be a pandas DataFrame or a reference "
            f"profile; got {type(reference).__name__}."
        )
    if not isinstance(current, pd.DataFrame):
        raise InvalidInput(
            f"The current argument of drift_table must be a pandas DataFrame; got {type(current).__name__}."
        )
    ref_columns = pd.Index(list(reference.columns))
    bins = check_int(bins, "bins", "drift_table", 2)
    if n_jobs is None:
        n_jobs = default_threads()
    n_jobs = check_int(n_jobs, "n_jobs", "drift_table", 1)
    cats = (categorical,) if isinstance(categorical, str) else tuple(categorical)
    for which, names in (("reference", ref_columns), ("current", current.columns)):
        dup = names[names.duplicated()].tolist()
        if dup:
            raise InvalidInput(f"The {which} frame of drift_table has duplicated column names: {dup}.")
    if columns is None:
        missing_cur = [c for c in ref_columns if c not in current.columns]
        missing_ref = [c for c in current.columns if c not in ref_columns]
        if missing_cur or missing_ref:
            raise InvalidInput(
                f"drift_table needs the same columns in both frames: missing in current {missing_cur}, "
                f"missing in reference {missing_ref}; reference has {list(ref_columns)}, "
                f"current has {list(current.columns)}."
            )
        columns = list(ref_columns)
    else:
        columns = [columns] if isinstance(columns, str) else list(columns)
        for which, names in (("reference", ref_columns), ("current", current.columns)):
            absent = [c for c in columns if c not in names]
            if absent:
                raise InvalidInput(f"Columns {absent} are not in the {which} frame; it has {list(names)}.")
    unknown = [c for c in cats if c not in columns]
    if unknown:
        raise InvalidParameters(
            f"The 'categorical' parameter of drift_table names columns that are not "
            f"compared: {unknown}; compared columns are {columns}."
        )
    if isinstance(reference, ReferenceProfile):
        numeric = [c for c in cats if reference[c].kind != "categorical"]
        if numeric:
            raise InvalidInput(
                f"The 'categorical' parameter of drift_table names columns whose reference profile "
                f"is numeric: {numeric}; build the profile with them marked categorical."
            )
    if len(reference) == 0 or len(current) == 0:
        raise InsufficientData(
            f"drift_table needs rows in both frames; got {len(reference)} reference and {len(current)} current rows."
        )
    tasks = [(c, reference[c], current[c], c in cats, bins) for c in columns]
    if n_jobs == 1 or len(tasks) < 2:
        results = [_guarded(*t) for t in tasks]
    else:
        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            results = list(pool.map(lambda t: _guarded(*t), tasks))
    return DriftTable(
        columns={r.column: r for r in results},
        bins=bins,
        epsilon=EPSILON,
        categorical_requested=cats,
        n_jobs=n_jobs,
        n_reference=len(reference),
        n_current=len(current),
    )
