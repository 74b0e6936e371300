"""Kolmogorov-Smirnov test and first Wasserstein distance of two numeric samples: :func:`ks_test` and
:func:`wasserstein`.

``_merge`` merges the two sorted arrays with one ``searchsorted`` per sample and reads both empirical
distribution functions off the merge, which gives the KS statistic and the Wasserstein distance in one
pass; :func:`mrmkit.stats.drift.drift_table` uses the same kernel.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from mrmkit.errors import InvalidInput
from mrmkit.stats._base import Result, dot, register
from mrmkit.stats._samples import _Categorical, _Numeric, _pair

__all__ = ["ks_test", "wasserstein", "KsResult", "WassersteinResult"]

_KS_MAX_EXACT_N = 10_000  # scipy.stats.ks_2samp(method="auto") is exact up to this sample size


# ----------------------------------------------------------------------------------------- results
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


# ------------------------------------------------------------------------------------------ kernels
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


def _ks_pvalue(d: float, n1: int, n2: int, a: np.ndarray, b: np.ndarray) -> tuple[float, float, str, str | None]:
    """p-value by scipy.stats.ks_2samp's own rule: exact when max(n1, n2) <= 10,000, else asymptotic.

    The exact p-value is scipy's public ``ks_2samp(a, b, method="exact")`` on the two samples (its statistic,
    a multiple of 1 / lcm(n1, n2), replaces ``d``); when that computation fails numerically scipy warns and
    falls back to the asymptotic distribution, which is recorded with a note.
    """
    note = None
    if max(n1, n2) <= _KS_MAX_EXACT_N:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            res = stats.ks_2samp(a, b, method="exact")
        if not any("Switching to method=asymp" in str(w.message) for w in caught):
            return float(res.statistic), float(res.pvalue), "exact", None
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


def _numeric_only(pair: _Numeric | _Categorical, func: str) -> _Numeric:
    if isinstance(pair, _Categorical):
        raise InvalidInput(f"{func} needs numeric samples; these are categorical (use chi2_test or psi).")
    return pair


# ------------------------------------------------------------------------------------ public API
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
