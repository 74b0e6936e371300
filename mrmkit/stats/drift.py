"""Drift between a reference and a current sample: PSI, KS, Wasserstein, Jensen-Shannon, chi-square.

Every public function and :func:`drift_table` go through the same private kernels, so a column's
numbers in the table are bit-for-bit the numbers of the individual functions:

* ``_pair``: classifies the two samples (numeric or categorical), counts missing values and, for
  numeric data, sorts the non-missing values of each sample once; for categorical data it encodes
  both samples on the sorted union of their categories and counts them.
* ``_bin_counts``: reference-decile bins (numpy's default "linear" quantiles), counted on the two
  sorted arrays with ``searchsorted``; missing values get their own bin.
* ``_merge``: merges the two sorted arrays with one ``searchsorted`` per sample and reads both
  empirical distribution functions off the merge, which gives the Kolmogorov-Smirnov statistic and
  the first Wasserstein distance in one pass.

Nothing here modifies its inputs: arrays are read, never sorted in place.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters, MrmkitError
from mrmkit.stats._base import Result, check_int, check_probability, default_threads, dot, register
from mrmkit.stats._samples import (
    ColumnProfile,
    _Categorical,
    _is_categorical,
    _Numeric,
    _pair,
    _quantile_edges,
)
from mrmkit.stats.profile import ReferenceProfile

try:  # scipy's own exact small-sample p-value of ks_2samp (private, so guarded)
    from scipy.stats._stats_py import _attempt_exact_2kssamp as _scipy_exact_ks
except ImportError:  # pragma: no cover - exercised only on a scipy without it
    _scipy_exact_ks = None

__all__ = [
    "psi", "ks_test", "wasserstein", "js_distance", "chi2_test", "drift_table", "adjust_pvalues",
    "PsiBin", "PsiResult", "KsResult", "WassersteinResult", "JsResult", "Chi2Result",
    "ColumnDrift", "DriftTable", "AdjustedPValues", "EPSILON",
]

EPSILON = 1e-4
_KS_MAX_EXACT_N = 10_000  # scipy.stats.ks_2samp(method="auto") is exact up to this sample size
_JS_MAX = math.sqrt(math.log(2.0))
MISSING_LABEL = "<missing>"  # label of the missing-value bin / category


# ----------------------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class PsiBin(Result):
    """One row of a PSI table; shares are raw, ``contribution`` uses ``epsilon`` for empty bins."""

    label: str
    lower: float | None
    upper: float | None
    reference_count: int
    current_count: int
    reference_share: float
    current_share: float
    contribution: float
    epsilon_applied: bool


@dataclass(frozen=True, slots=True)
class PsiResult(Result):
    value: float
    table: tuple[PsiBin, ...]
    kind: str
    bins_requested: int
    bins_used: int
    edges: tuple[float, ...]
    epsilon: float
    n_reference: int
    n_current: int
    n_reference_missing: int
    n_current_missing: int
    quantile_method: str
    intervals: str


@dataclass(frozen=True, slots=True)
class JsResult(Result):
    value: float
    divergence: float
    maximum: float
    kind: str
    bins_requested: int
    bins_used: int
    edges: tuple[float, ...]
    labels: tuple[str, ...]
    reference_shares: tuple[float, ...]
    current_shares: tuple[float, ...]
    log_base: str
    n_reference: int
    n_current: int


@dataclass(frozen=True, slots=True)
class KsResult(Result):
    statistic: float
    p_value: float
    method: str
    alternative: str
    n_reference: int
    n_current: int
    n_reference_missing: int
    n_current_missing: int
    note: str | None


@dataclass(frozen=True, slots=True)
class WassersteinResult(Result):
    value: float
    normed: float
    reference_std: float
    std_ddof: int
    normed_note: str | None
    n_reference: int
    n_current: int
    n_reference_missing: int
    n_current_missing: int


@dataclass(frozen=True, slots=True)
class Chi2Result(Result):
    statistic: float
    p_value: float
    df: int
    categories: tuple[str, ...]
    reference_counts: tuple[int, ...]
    current_counts: tuple[int, ...]
    correction: bool
    n_reference: int
    n_current: int
    note: str | None
    pooled: tuple[str, ...] = ()  # categories pooled into one cell so every expected count is at least 5


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
    "column", "kind", "n_reference", "n_current", "missing_share_reference", "missing_share_current",
    "psi", "js_distance", "ks_statistic", "ks_p_value", "wasserstein", "wasserstein_normed",
    "chi2_statistic", "chi2_p_value", "chi2_df", "note",
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
            rows.append((
                c.column, c.kind, c.n_reference, c.n_current, c.missing_share_reference,
                c.missing_share_current,
                c.psi.value if c.psi else nan, c.js_distance.value if c.js_distance else nan,
                c.ks.statistic if c.ks else nan, c.ks.p_value if c.ks else nan,
                c.wasserstein.value if c.wasserstein else nan,
                c.wasserstein.normed if c.wasserstein else nan,
                c.chi2.statistic if c.chi2 else nan, c.chi2.p_value if c.chi2 else nan,
                c.chi2.df if c.chi2 else nan, c.note,
            ))
        return pd.DataFrame.from_records(rows, columns=list(_FRAME_COLUMNS))


@dataclass(frozen=True, slots=True)
class AdjustedPValues(Result):
    p_values: tuple[float, ...]
    adjusted: tuple[float, ...]
    reject: tuple[bool | None, ...]
    method: str
    alpha: float
    n_tests: int


# ------------------------------------------------------------------------------------------ kernels
@dataclass(frozen=True, slots=True)
class _Bins:
    labels: tuple[str, ...]
    lower: tuple[float | None, ...]
    upper: tuple[float | None, ...]
    edges: tuple[float, ...]
    ref_counts: np.ndarray
    cur_counts: np.ndarray
    n_ref: int
    n_cur: int
    miss_ref: int
    miss_cur: int


def _bin_counts(pair: _Numeric | _Categorical, bins: int) -> _Bins:
    if isinstance(pair, _Categorical):
        k = len(pair.labels)
        labels, lower, upper, edges = list(pair.labels), [None] * k, [None] * k, ()
        ref_counts, cur_counts = pair.ref_counts, pair.cur_counts
    else:
        e = pair.profile.edges(bins) if pair.profile is not None else _quantile_edges(pair.ref, bins)
        bounds = np.concatenate(([-np.inf], e, [np.inf]))
        ref_counts = np.diff(np.concatenate(([0], np.searchsorted(pair.ref, e, "right"), [pair.ref.size])))
        cur_counts = np.diff(np.concatenate(([0], np.searchsorted(pair.cur, e, "right"), [pair.cur.size])))
        lower, upper = bounds[:-1].tolist(), bounds[1:].tolist()
        labels = [f"({lo:.6g}, {hi:.6g}" + (")" if math.isinf(hi) else "]")
                  for lo, hi in zip(lower, upper, strict=True)]
        edges = tuple(e.tolist())
    if pair.miss_ref or pair.miss_cur:  # missing values form their own bin
        labels, lower, upper = [*labels, MISSING_LABEL], [*lower, None], [*upper, None]
        ref_counts = np.append(ref_counts, pair.miss_ref)
        cur_counts = np.append(cur_counts, pair.miss_cur)
    return _Bins(tuple(labels), tuple(lower), tuple(upper), edges, ref_counts, cur_counts, pair.n_ref,
                 pair.n_cur, pair.miss_ref, pair.miss_cur)


def _psi_from_bins(b: _Bins, kind: str, bins: int, epsilon: float) -> PsiResult:
    ref_share = b.ref_counts / b.n_ref
    cur_share = b.cur_counts / b.n_cur
    r = np.where(b.ref_counts == 0, epsilon, ref_share)
    c = np.where(b.cur_counts == 0, epsilon, cur_share)
    contribution = (c - r) * np.log(c / r)
    applied = (b.ref_counts == 0) | (b.cur_counts == 0)
    table = tuple(
        PsiBin(*row)
        for row in zip(b.labels, b.lower, b.upper, b.ref_counts.tolist(), b.cur_counts.tolist(),
                       ref_share.tolist(), cur_share.tolist(), contribution.tolist(), applied.tolist(),
                       strict=True)
    )
    return PsiResult(
        value=float(contribution.sum()), table=table, kind=kind, bins_requested=bins, bins_used=len(table),
        edges=b.edges, epsilon=epsilon, n_reference=b.n_ref, n_current=b.n_cur,
        n_reference_missing=b.miss_ref, n_current_missing=b.miss_cur,
        quantile_method="numpy linear (type 7)", intervals="right-closed (a, b]",
    )


def _js_from_bins(b: _Bins, kind: str, bins: int) -> JsResult:
    p = b.ref_counts / b.n_ref
    q = b.cur_counts / b.n_cur
    m = (p + q) / 2.0
    divergence = max(float(np.sum(special.rel_entr(p, m)) + np.sum(special.rel_entr(q, m))) / 2.0, 0.0)
    return JsResult(
        value=math.sqrt(divergence), divergence=divergence, maximum=_JS_MAX, kind=kind, bins_requested=bins,
        bins_used=len(b.labels), edges=b.edges, labels=b.labels, reference_shares=tuple(p.tolist()),
        current_shares=tuple(q.tolist()), log_base="e", n_reference=b.n_ref, n_current=b.n_cur,
    )


def _merge(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """KS statistic and first Wasserstein distance of two sorted non-empty samples, in one merge."""
    n1, n2 = a.size, b.size
    pos_a = np.searchsorted(b, a, side="left")
    pos_a += np.arange(n1)
    pos_b = np.searchsorted(a, b, side="right")
    pos_b += np.arange(n2)
    merged = np.empty(n1 + n2)
    merged[pos_a] = a
    merged[pos_b] = b
    del pos_b
    count_a = np.zeros(n1 + n2, dtype=np.int64)
    count_a[pos_a] = 1
    del pos_a
    np.cumsum(count_a, out=count_a)  # elements of a at or before each merged position
    count_b = np.arange(1, n1 + n2 + 1)
    count_b -= count_a
    cdf_a = count_a / n1
    cdf_b = count_b / n2
    del count_a, count_b
    np.subtract(cdf_a, cdf_b, out=cdf_a)  # cdf_a now holds F_a - F_b at every merged position
    # Wasserstein: integral of |F_a - F_b| between successive merged values (ties have width zero)
    w = float(dot(np.abs(cdf_a[:-1]), np.diff(merged)))
    # KS: F_a - F_b at the last element of each run of tied values, as in scipy.stats.ks_2samp
    run_end = np.empty(n1 + n2, dtype=bool)
    np.not_equal(merged[1:], merged[:-1], out=run_end[:-1])
    run_end[-1] = True
    diffs = cdf_a[run_end]
    d = max(float(np.clip(-diffs.min(), 0, 1)), float(diffs.max()))
    return d, w


def _ks_pvalue(d: float, n1: int, n2: int, a: np.ndarray,
               b: np.ndarray) -> tuple[float, float, str, str | None]:
    """p-value by scipy.stats.ks_2samp's own rule: exact when max(n1, n2) <= 10,000, else asymptotic."""
    note = None
    if max(n1, n2) <= _KS_MAX_EXACT_N:
        if _scipy_exact_ks is None:  # pragma: no cover
            res = stats.ks_2samp(a, b, method="auto")
            return float(res.statistic), float(res.pvalue), "auto (scipy.stats.ks_2samp)", None
        ok, d, prob = _scipy_exact_ks(n1, n2, math.gcd(n1, n2), d, "two-sided")
        if ok:
            return float(d), float(np.clip(prob, 0, 1)), "exact", None
        note = "The exact p-value failed numerically; scipy's asymptotic distribution was used instead."
    m, n = sorted([float(n1), float(n2)], reverse=True)
    prob = stats.kstwo.sf(d, np.round(m * n / (m + n)))
    return float(d), float(np.clip(prob, 0, 1)), "asymp", note


def _ks_from_pair(p: _Numeric, merged: tuple[float, float]) -> KsResult:
    d, prob, method, note = _ks_pvalue(merged[0], p.ref.size, p.cur.size, p.ref, p.cur)
    return KsResult(d, prob, method, "two-sided", p.ref.size, p.cur.size, p.miss_ref, p.miss_cur, note)


def _wasserstein_from_pair(p: _Numeric, merged: tuple[float, float]) -> WassersteinResult:
    # ddof = 0: the standard deviation of the reference distribution
    std = p.profile.std if p.profile is not None else float(np.std(p.ref))
    value = merged[1]
    if std > 0:
        normed, why = value / std, None
    else:
        normed, why = math.nan, "The reference sample is constant (standard deviation 0), so no normed value."
    return WassersteinResult(value, normed, std, 0, why, p.ref.size, p.cur.size, p.miss_ref, p.miss_cur)


MIN_EXPECTED = 5.0  # Cochran's rule for the chi-square approximation


def _rare_cells(table: np.ndarray, min_expected: float = MIN_EXPECTED) -> np.ndarray:
    """Columns of a 2 x k table to pool into one cell so that every expected count is at least ``min_expected``.

    The expected count of column j in the smaller row is ``min(R) C_j / N``, so a column needs a total of
    at least ``min_expected N / min(R)``. The smallest columns (ties in table order) are pooled until the
    pooled cell reaches that total and every column left does too. Returns the pooled columns' indices.
    """
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    if rows.min() <= 0 or cols.size < 2:
        return np.empty(0, dtype=int)
    need = min_expected * cols.sum() / rows.min()
    if (cols >= need).all():
        return np.empty(0, dtype=int)
    order = np.argsort(cols, kind="stable")
    pooled, total = [], 0.0
    for j in order:
        if cols[j] >= need and total >= need:
            break
        pooled.append(int(j))
        total += cols[j]
    return np.sort(np.asarray(pooled, dtype=int))


def _chi2_from_pair(p: _Categorical) -> Chi2Result:
    ref_counts, cur_counts, labels = p.ref_counts, p.cur_counts, p.labels
    if p.miss_ref or p.miss_cur:
        ref_counts, cur_counts = np.append(ref_counts, p.miss_ref), np.append(cur_counts, p.miss_cur)
        labels = (*labels, MISSING_LABEL)
    table = np.vstack([ref_counts, cur_counts])
    rare = _rare_cells(table)
    tested = table
    if rare.size > 1:  # sparse categories: their expected counts are too small for the chi-square approximation
        keep = np.setdiff1d(np.arange(table.shape[1]), rare)
        tested = np.column_stack([table[:, keep], table[:, rare].sum(axis=1)])
    note = None
    if tested.shape[1] < 2:
        note = ("Both samples hold a single category: the test has no degrees of freedom (statistic 0, p 1)."
                if table.shape[1] < 2 else
                "Every category is too rare for the chi-square approximation: pooled into one cell, no test "
                "(statistic 0, p 1).")  # fmt: skip
    res = stats.chi2_contingency(tested, correction=False)
    return Chi2Result(
        float(res.statistic), float(res.pvalue), int(res.dof), labels, tuple(ref_counts.tolist()),
        tuple(cur_counts.tolist()), False, p.n_ref, p.n_cur, note,
        tuple(str(labels[j]) for j in rare) if rare.size > 1 else (),
    )


def _numeric_only(pair: _Numeric | _Categorical, func: str) -> _Numeric:
    if isinstance(pair, _Categorical):
        raise InvalidInput(f"{func} needs numeric samples; these are categorical (use chi2_test or psi).")
    return pair


def _kind(pair: _Numeric | _Categorical) -> str:
    return "categorical" if isinstance(pair, _Categorical) else "numeric"


def _check_flag(value: Any, name: str, func: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidParameters(f"The {name!r} parameter of {func} must be True or False; got {value!r}.")
    return bool(value)


# ------------------------------------------------------------------------------------ public API
@register("psi")
def psi(reference: Any, current: Any, bins: int = 10, *, categorical: bool = False,
        epsilon: float = EPSILON) -> PsiResult:
    """Population stability index of ``current`` against ``reference``.

    Parameters
    ----------
    reference, current : array-like
        (``reference`` may also be a :class:`ColumnProfile` of the reference sample; same results.)
        The two samples. Object, string, category and bool dtypes are categorical.
    bins : int, default 10
        Number of reference quantile bins requested (at least 2); ignored for categorical data.
    categorical : bool, default False
        Treat numeric values as categories (one bin per distinct value).
    epsilon : float, default 1e-4
        Share used in place of an empty bin's share of zero.

    Returns
    -------
    PsiResult
        ``value``, the per-bin ``table`` (edges, counts, raw shares, contributions) and every setting.

    Raises
    ------
    InvalidParameters
        For a bad ``bins``, ``categorical`` or ``epsilon``.
    InvalidInput, InsufficientData
        For an empty or all-missing sample, infinite values or an unsupported dtype.

    Purpose
    -------
    Measures how far the distribution of a variable (a score or a model input) in a current sample
    has moved from the reference sample the model was developed or last validated on.

    Method
    ------
    Numeric data are cut at the reference deciles (``bins`` - 1 interior edges from ``np.quantile``
    with numpy's default linear interpolation on the non-missing reference values; duplicate edges
    are dropped, so a reference with few distinct values gets fewer bins; ``bins_used`` records it).
    Intervals are right-closed ``(a, b]`` with outer edges at minus and plus infinity. Missing values
    (NaN, None) form their own bin, present only when either sample has missing values. Categorical
    data get one bin per category of the union of both samples, sorted by their text.
    Shares are counts divided by all rows of the sample (missing included). A share of zero is
    replaced by ``epsilon`` (1e-4) in the formula only; the other shares are not renormalised, and the
    table shows the raw shares with ``epsilon_applied`` marking the affected bins.
    ``PSI = sum((cur - ref) * ln(cur / ref))``, which is zero for identical shares and never negative.

    Signs of high risk
    ------------------
    The customary reading is below 0.10 stable, 0.10 to 0.25 a shift to investigate, above 0.25 a
    significant shift. Look at the table: one bin dominating the sum, or a growing missing bin, often
    points to a data or process change rather than a population change.

    Strengths
    ---------
    Widely understood in credit risk; symmetric in the two samples' roles; decomposes into per-bin
    contributions; reference-quantile bins keep heavy-tailed variables informative.

    Limitations
    -----------
    Not a test: its sampling distribution depends on the sample sizes and the number of bins, so the
    rule-of-thumb thresholds flag small samples too often and miss drift in very large ones. The
    value depends on the binning and on ``epsilon`` when bins are empty. Shifts inside a bin are
    invisible.

    References
    ----------
    Siddiqi, N. (2006). Credit Risk Scorecards, ch. 12. Wiley.
    Yurdakul, B. (2018). Statistical Properties of Population Stability Index. PhD dissertation,
    Western Michigan University.
    du Pisanie, J., Allison, J. S., Budde, C. J. & Visagie, J. (2023). A critical review of existing
    and new population stability testing procedures in credit risk scoring. arXiv:2303.01227.
    Board of Governors of the Federal Reserve System (2011). SR 11-7, Guidance on Model Risk
    Management (ongoing monitoring).
    """
    bins = check_int(bins, "bins", "psi", 2)
    categorical = _check_flag(categorical, "categorical", "psi")
    epsilon = check_probability(epsilon, "epsilon", "psi")
    pair = _pair(reference, current, "psi", categorical)
    return _psi_from_bins(_bin_counts(pair, bins), _kind(pair), bins, epsilon)


@register("js_distance")
def js_distance(reference: Any, current: Any, bins: int = 10, *, categorical: bool = False) -> JsResult:
    """Jensen-Shannon distance (natural log) between the binned reference and current samples.

    Parameters
    ----------
    reference, current : array-like
        (``reference`` may also be a :class:`ColumnProfile` of the reference sample; same results.)
        The two samples, binned exactly as :func:`psi` bins them.
    bins : int, default 10
        Number of reference quantile bins requested (at least 2).
    categorical : bool, default False
        Treat numeric values as categories.

    Returns
    -------
    JsResult
        ``value`` (the distance), ``divergence`` (its square) and the shares it was computed from.

    Purpose
    -------
    A bounded, symmetric measure of distribution shift that stays finite when a bin is empty in
    one sample, complementing the PSI.

    Method
    ------
    The bins, including the missing-value bin, are those of :func:`psi`. With raw shares ``p``
    (reference) and ``q`` (current) and ``m = (p + q) / 2``, the divergence is
    ``(KL(p, m) + KL(q, m)) / 2`` with natural logarithms and the distance is its square root, as
    ``scipy.spatial.distance.jensenshannon(p, q)``. No epsilon is needed: ``0 ln 0 = 0``. A divergence
    that rounds below zero is set to zero.

    Signs of high risk
    ------------------
    Values approaching the maximum ``sqrt(ln 2) = 0.8326`` mean the two samples barely overlap.
    There is no standard threshold; compare with the PSI and track the value over time.

    Strengths
    ---------
    Symmetric, bounded, a true metric, and insensitive to empty bins.

    Limitations
    -----------
    Not a test and sample-size dependent in the same way as the PSI; depends on the binning; less
    familiar to credit-risk audiences.

    References
    ----------
    Lin, J. (1991). Divergence measures based on the Shannon entropy. IEEE Transactions on
    Information Theory 37(1), 145-151.
    Endres, D. M. & Schindelin, J. E. (2003). A new metric for probability distributions. IEEE
    Transactions on Information Theory 49(7), 1858-1860.
    """
    bins = check_int(bins, "bins", "js_distance", 2)
    categorical = _check_flag(categorical, "categorical", "js_distance")
    pair = _pair(reference, current, "js_distance", categorical)
    return _js_from_bins(_bin_counts(pair, bins), _kind(pair), bins)


@register("ks_test")
def ks_test(reference: Any, current: Any) -> KsResult:
    """Two-sample, two-sided Kolmogorov-Smirnov test on the non-missing values.

    Parameters
    ----------
    reference, current : array-like of numbers
        (``reference`` may also be a :class:`ColumnProfile` of the reference sample; same results.)
        The two samples; missing values are left out and counted.

    Returns
    -------
    KsResult
        ``statistic``, ``p_value``, ``method`` ('exact' or 'asymp'), sample sizes used and missing counts.

    Purpose
    -------
    Tests whether the current values come from the same continuous distribution as the reference.

    Method
    ------
    The statistic is the largest absolute difference between the two empirical distribution
    functions. The p-value follows ``scipy.stats.ks_2samp(method='auto')``: exact when the larger
    sample has at most 10,000 values, otherwise the asymptotic distribution
    ``scipy.stats.kstwo.sf(D, round(n m / (n + m)))``; the method used is recorded. Statistic and
    p-value equal those of ``ks_2samp`` on the non-missing values.

    Signs of high risk
    ------------------
    A small p-value together with a statistic large enough to matter (on large samples tiny,
    harmless differences are significant; judge the statistic too).

    Strengths
    ---------
    Distribution-free, sensitive to any difference in location or shape, no binning.

    Limitations
    -----------
    Assumes continuous data: with many ties (discrete or rounded values) the p-value is
    conservative. Most sensitive near the median and weak in the tails. Missing values are ignored
    (see the missing shares).

    References
    ----------
    Smirnov, N. (1948). Table for estimating the goodness of fit of empirical distributions. Annals
    of Mathematical Statistics 19(2), 279-281.
    Hodges, J. L. (1958). The significance probability of the Smirnov two-sample test. Arkiv for
    Matematik 3, 469-486.
    Simard, R. & L'Ecuyer, P. (2011). Computing the two-sided Kolmogorov-Smirnov distribution.
    Journal of Statistical Software 39(11).
    """
    pair = _numeric_only(_pair(reference, current, "ks_test", False), "ks_test")
    return _ks_from_pair(pair, _merge(pair.ref, pair.cur))


@register("wasserstein")
def wasserstein(reference: Any, current: Any) -> WassersteinResult:
    """First Wasserstein (earth mover's) distance between the non-missing values of two samples.

    Parameters
    ----------
    reference, current : array-like of numbers
        (``reference`` may also be a :class:`ColumnProfile` of the reference sample; same results.)
        The two samples; missing values are left out and counted.

    Returns
    -------
    WassersteinResult
        ``value``, ``normed`` (value / reference standard deviation), ``reference_std`` and sizes.

    Purpose
    -------
    Measures how far, in the variable's own units, the current distribution has moved.

    Method
    ------
    ``W1 = integral |F_ref(x) - F_cur(x)| dx`` of the two empirical distribution functions, equal to
    ``scipy.stats.wasserstein_distance``. ``normed`` divides by the population standard deviation
    (ddof = 0) of the non-missing reference values, so it is unit-free and unchanged by a linear
    rescaling of the variable; it is NaN, with ``normed_note`` saying why, when that deviation is 0.

    Signs of high risk
    ------------------
    A normed value of several tenths means a shift of a sizeable fraction of a standard deviation.

    Strengths
    ---------
    Uses the whole distribution without binning, reads in the variable's units, sensitive to tails.

    Limitations
    -----------
    Not a test (no p-value); dominated by outliers in heavy-tailed variables; the raw value is not
    comparable across variables (use ``normed``).

    References
    ----------
    Villani, C. (2009). Optimal Transport: Old and New. Springer.
    Ramdas, A., Garcia Trillos, N. & Cuturi, M. (2017). On Wasserstein two-sample testing and
    related families of nonparametric tests. Entropy 19(2), 47.
    """
    pair = _numeric_only(_pair(reference, current, "wasserstein", False), "wasserstein")
    return _wasserstein_from_pair(pair, _merge(pair.ref, pair.cur))


@register("chi2_test")
def chi2_test(reference: Any, current: Any) -> Chi2Result:
    """Chi-square test of homogeneity of two samples of a categorical variable.

    Parameters
    ----------
    reference, current : array-like
        (``reference`` may also be a :class:`ColumnProfile` of the reference sample; same results.)
        The two samples; every distinct value is a category, missing values one more category.

    Returns
    -------
    Chi2Result
        ``statistic``, ``p_value``, ``df``, the ``categories`` and both rows of counts.

    Purpose
    -------
    Tests whether the category mix of the current sample differs from the reference mix.

    Method
    ------
    Pearson's statistic on the 2 x k table of counts over the union of both samples' categories
    (missing values as their own category when present), without continuity correction, with
    (k - 1) degrees of freedom: ``scipy.stats.chi2_contingency(table, correction=False)``. Both rows
    carry sampling error, so the reference shares are not treated as exact population values.
    Categories whose expected count would be below 5 are first pooled into one cell, the rarest first,
    until that cell and every other reach 5 (Cochran's rule; the pooled categories are listed in
    ``pooled``): without it the test rejects too often when many categories are rare (measured in
    ``benchmarks/alarm_rates.py``: 7.8 % at a nominal 5 % for 40 Zipf-distributed categories and 500
    current rows).

    Signs of high risk
    ------------------
    A small p-value with a visible change in the shares of large categories.

    Strengths
    ---------
    A proper two-sample test with a known null distribution; uses every category.

    Limitations
    -----------
    With very large samples trivial changes are significant; pooling rare categories hides a change
    among them (the PSI and the unseen-category check still see it); numeric data are treated as categories, which is rarely
    meaningful for continuous variables (use :func:`ks_test`).

    References
    ----------
    Pearson, K. (1900). On the criterion that a given system of deviations ... Philosophical
    Magazine 50(302), 157-175.
    Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 3.2. Wiley.
    """
    pair = _pair(reference, current, "chi2_test", True)
    return _chi2_from_pair(pair)


# ------------------------------------------------------------------------------------- drift table
def _column_drift(col: Any, ref: pd.Series | ColumnProfile, cur: pd.Series, categorical: bool,
                  bins: int) -> ColumnDrift:
    n_ref, n_cur = len(ref), len(cur)
    try:
        pair = _pair(ref, cur, "drift_table", categorical)
    except InsufficientData as exc:  # an all-missing column: report, never a silent "no drift"
        miss_c = int(cur.isna().sum())
        if isinstance(ref, ColumnProfile):
            miss_r, is_cat = ref.n_missing, ref.kind == "categorical"
        else:
            miss_r = int(ref.isna().sum())
            is_cat = categorical or _is_categorical(ref, "reference", "drift_table") or _is_categorical(
                cur, "current", "drift_table")
        kind = "categorical" if is_cat else "numeric"
        return ColumnDrift(col, kind, n_ref, n_cur, miss_r / n_ref, miss_c / n_cur,
                           None, None, None, None, None, f"No statistic computed: {exc}")
    kind = _kind(pair)
    b = _bin_counts(pair, bins)
    ps, js = _psi_from_bins(b, kind, bins, EPSILON), _js_from_bins(b, kind, bins)
    ks = w = chi = None
    if isinstance(pair, _Numeric):
        merged = _merge(pair.ref, pair.cur)
        ks, w = _ks_from_pair(pair, merged), _wasserstein_from_pair(pair, merged)
    else:
        chi = _chi2_from_pair(pair)
    return ColumnDrift(col, kind, n_ref, n_cur, pair.miss_ref / n_ref, pair.miss_cur / n_cur,
                       ps, js, ks, w, chi, None)


def _guarded(col: Any, ref: pd.Series | ColumnProfile, cur: pd.Series, categorical: bool, bins: int) -> ColumnDrift:
    try:
        return _column_drift(col, ref, cur, categorical, bins)
    except MrmkitError as exc:
        raise type(exc)(f"Column {col!r}: {exc}") from exc
    except Exception as exc:
        raise RuntimeError(f"Unexpected error while computing drift for column {col!r}: {exc}") from exc


@register("drift_table")
def drift_table(reference: pd.DataFrame | ReferenceProfile, current: pd.DataFrame, categorical: Any = (), bins: int = 10,
                columns: Any = None, n_jobs: int | None = None) -> DriftTable:
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
        raise InvalidInput(f"The reference argument of drift_table must be a pandas DataFrame or a reference "
                           f"profile; got {type(reference).__name__}.")
    if not isinstance(current, pd.DataFrame):
        raise InvalidInput(f"The current argument of drift_table must be a pandas DataFrame; "
                           f"got {type(current).__name__}.")
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
                raise InvalidInput(f"Columns {absent} are not in the {which} frame; it has "
                                   f"{list(names)}.")
    unknown = [c for c in cats if c not in columns]
    if unknown:
        raise InvalidParameters(f"The 'categorical' parameter of drift_table names columns that are not "
                                f"compared: {unknown}; compared columns are {columns}.")
    if isinstance(reference, ReferenceProfile):
        numeric = [c for c in cats if reference[c].kind != "categorical"]
        if numeric:
            raise InvalidInput(f"The 'categorical' parameter of drift_table names columns whose reference profile "
                               f"is numeric: {numeric}; build the profile with them marked categorical.")
    if len(reference) == 0 or len(current) == 0:
        raise InsufficientData(f"drift_table needs rows in both frames; got {len(reference)} reference "
                               f"and {len(current)} current rows.")
    tasks = [(c, reference[c], current[c], c in cats, bins) for c in columns]
    if n_jobs == 1 or len(tasks) < 2:
        results = [_guarded(*t) for t in tasks]
    else:
        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            results = list(pool.map(lambda t: _guarded(*t), tasks))
    return DriftTable(
        columns={r.column: r for r in results}, bins=bins, epsilon=EPSILON, categorical_requested=cats,
        n_jobs=n_jobs, n_reference=len(reference), n_current=len(current),
    )


# --------------------------------------------------------------------------- multiple comparisons
def _bonferroni(p: np.ndarray) -> np.ndarray:
    return np.minimum(p * float(p.size), 1.0)


def _holm(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p)
    adj = np.maximum.accumulate(p[order] * np.arange(p.size, 0, -1))
    out = np.empty_like(adj)
    out[order] = np.minimum(adj, 1.0)
    return out


def _fdr_bh(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p)
    raw = p[order] / (np.arange(1, p.size + 1) / p.size)
    adj = np.minimum.accumulate(raw[::-1])[::-1]
    out = np.empty_like(adj)
    out[order] = np.minimum(adj, 1.0)
    return out


_ADJUSTMENTS = {"holm": _holm, "bonferroni": _bonferroni, "fdr_bh": _fdr_bh}


@register("adjust_pvalues")
def adjust_pvalues(p_values: Any, method: str = "holm", alpha: float = 0.05) -> AdjustedPValues:
    """Adjust a family of p-values for multiple testing.

    Parameters
    ----------
    p_values : array-like of float
        p-values in [0, 1]; NaN (a test that could not be computed) passes through untouched and is
        not counted in the family.
    method : {'holm', 'bonferroni', 'fdr_bh'}, default 'holm'
        Holm's step-down (family-wise error), Bonferroni, or Benjamini-Hochberg (false discovery rate).
    alpha : float, default 0.05
        Level at which ``reject`` is decided (adjusted p-value <= alpha).

    Returns
    -------
    AdjustedPValues
        ``adjusted`` (same order as the input), ``reject``, ``method``, ``alpha``, ``n_tests``.

    Purpose
    -------
    Controls false alarms when many drift tests (one per variable) or many comparisons are read
    together.

    Method
    ------
    With m non-missing p-values: Bonferroni ``min(m p, 1)``; Holm sorts ascending, multiplies the
    i-th smallest by ``m - i + 1`` and takes the running maximum; Benjamini-Hochberg multiplies the
    i-th smallest by ``m / i`` and takes the running minimum from the largest; all capped at 1.
    Equal to ``statsmodels.stats.multitest.multipletests`` on the non-missing values.

    Signs of high risk
    ------------------
    Findings that are significant only before adjustment should not drive a red rating on their own.

    Strengths
    ---------
    Holm controls the family-wise error under any dependence and is uniformly more powerful than
    Bonferroni; Benjamini-Hochberg is more powerful when many variables are screened.

    Limitations
    -----------
    Benjamini-Hochberg assumes independence or positive dependence between tests; adjustment does
    not fix the large-sample problem (tiny effects remain significant).

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of
    Statistics 6(2), 65-70.
    Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. Journal of the Royal
    Statistical Society B 57(1), 289-300.
    Dunn, O. J. (1961). Multiple comparisons among means. JASA 56(293), 52-64.
    """
    if method not in _ADJUSTMENTS:
        raise InvalidParameters(f"The 'method' parameter of adjust_pvalues must be one of "
                                f"{sorted(_ADJUSTMENTS)}; got {method!r}.")
    alpha = check_probability(alpha, "alpha", "adjust_pvalues")
    try:
        p = np.array(p_values, dtype=np.float64, ndmin=1)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"The p-values given to adjust_pvalues must be numbers: {exc}.") from exc
    if p.ndim != 1:
        raise InvalidInput(f"The p-values given to adjust_pvalues must be one-dimensional; "
                           f"got shape {p.shape}.")
    ok = ~np.isnan(p)
    if ((p[ok] < 0) | (p[ok] > 1)).any():
        bad = p[ok][(p[ok] < 0) | (p[ok] > 1)].tolist()[:5]
        raise InvalidInput(f"The p-values given to adjust_pvalues must lie in [0, 1]; got {bad}.")
    adjusted = p.copy()
    if ok.any():
        adjusted[ok] = _ADJUSTMENTS[method](p[ok])
    reject = tuple(None if not k else bool(a <= alpha)
                   for k, a in zip(ok.tolist(), adjusted.tolist(), strict=True))
    return AdjustedPValues(tuple(p.tolist()), tuple(adjusted.tolist()), reject, method, alpha, int(ok.sum()))


@dataclass(frozen=True, slots=True)
class DiscreteTestResult(Result):
    statistic: float
    p_value: float
    df: int
    cells: tuple[str, ...]  # the values, or ranges of adjacent values pooled into one cell
    reference_counts: tuple[int, ...]
    current_counts: tuple[int, ...]
    min_expected: float
    n_reference: int
    n_current: int
    note: str | None


def _cell_label(values: np.ndarray) -> str:
    lo, hi = values[0], values[-1]
    return f"{lo:g}" if lo == hi else f"{lo:g} to {hi:g}"


@register("discrete_test")
def discrete_test(reference: Any, current: Any, min_expected: float = 5.0) -> DiscreteTestResult:
    """Two-sample test for a numeric feature with few distinct values (counts, arrears status, flags).

    Parameters
    ----------
    reference, current : array-like of numbers
        The two samples; missing values are left out (their share is a data-quality check of its own).
    min_expected : float, default 5
        Adjacent values are pooled until every cell's expected count under homogeneity is at least this.

    Returns
    -------
    DiscreteTestResult
        ``statistic``, ``p_value``, ``df``, and the pooled cells with both samples' counts.

    Purpose
    -------
    The Kolmogorov-Smirnov p-value assumes continuous data; with many ties (a feature taking a handful of
    values) it is very conservative, so a real shift of a delinquency count goes unseen. This test judges
    such a feature as the discrete variable it is.

    Method
    ------
    The distinct values of both samples, in increasing order, form the columns of a 2 x K table of counts.
    Adjacent values are pooled, from the sparse end, until every expected count ``E_ij = R_i C_j / N`` is
    at least ``min_expected`` (Cochran's rule, pooling neighbours so that the order of the values is kept);
    then Pearson's chi-square test of homogeneity, ``sum (O - E)^2 / E`` on ``K - 1`` degrees of freedom,
    without continuity correction. The drift workbook uses it for a numeric feature whose pooled values
    take at most ``drift.discrete_max_values`` distinct values.

    Signs of high risk
    ------------------
    A small p-value: the frequencies of the feature's values have changed.

    Strengths
    ---------
    Right-sized for tied data where KS is not; uses the samples' own values, with no binning choice.

    Limitations
    -----------
    Ignores the order of the values (a shift and a reshuffle look alike); pooling loses detail in sparse
    tails; a single cell (one value in both samples) gives no test (p = 1, with a note).

    References
    ----------
    Cochran, W. G. (1954). Some methods for strengthening the common chi-square tests. Biometrics 10(4),
    417-451. Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 3.2 (tests of homogeneity).
    """
    if not isinstance(min_expected, (int, float)) or isinstance(min_expected, bool) or not min_expected > 0:
        raise InvalidParameters(f"The 'min_expected' parameter of discrete_test must be a positive number; got {min_expected!r}.")
    ref = np.asarray(pd.to_numeric(pd.Series(reference), errors="coerce"), dtype=float)
    cur = np.asarray(pd.to_numeric(pd.Series(current), errors="coerce"), dtype=float)
    ref, cur = ref[~np.isnan(ref)], cur[~np.isnan(cur)]
    if ref.size == 0 or cur.size == 0:
        raise InsufficientData("discrete_test needs at least one non-missing value in each sample.")
    values = np.unique(np.concatenate([ref, cur]))
    counts = np.vstack([np.bincount(np.searchsorted(values, x), minlength=values.size) for x in (ref, cur)])
    rows, total = counts.sum(axis=1), counts.sum()
    groups: list[list[int]] = []
    pending: list[int] = []
    for j in range(values.size):  # pool from the low end: each cell closes once its expected counts suffice
        pending.append(j)
        col = counts[:, pending].sum()
        if (rows.min() * col / total) >= min_expected:
            groups.append(pending)
            pending = []
    if pending:  # the sparse high end joins the last cell
        if groups:
            groups[-1].extend(pending)
        else:
            groups.append(pending)
    pooled = np.column_stack([counts[:, g].sum(axis=1) for g in groups])
    labels = tuple(_cell_label(values[g]) for g in groups)
    note = None
    if pooled.shape[1] < 2:
        stat, p, df = 0.0, 1.0, 0
        note = "All values fall in one cell after pooling: no test of homogeneity is possible."
    else:
        expected = np.outer(rows, pooled.sum(axis=0)) / total
        stat = float(np.sum((pooled - expected) ** 2 / expected))
        df = pooled.shape[1] - 1
        p = float(stats.chi2.sf(stat, df))
    return DiscreteTestResult(stat, p, df, labels, tuple(int(v) for v in pooled[0]), tuple(int(v) for v in pooled[1]),
                              float(min_expected), int(ref.size), int(cur.size), note)  # fmt: skip
