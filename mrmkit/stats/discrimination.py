"""Discriminatory power of a score for a binary outcome: AUC (DeLong), Gini, KS, paired DeLong test.

Conventions: ``y`` is 0/1 (or bool) with 1 the event (e.g. default); a higher score means a higher
likelihood of the event; ties between a positive and a negative count one half. Directions are never
flipped automatically (unlike pROC's default ``direction = "auto"``): an AUC below 0.5 is reported
as such.

DeLong's variance uses the structural components ("placements") computed with midranks as in
Sun & Xu (2014): O(n log n) instead of the O(n_pos x n_neg) pairwise definition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats._base import Result, check_probability, dot, register

__all__ = [
    "auc", "gini", "ks_statistic", "delong_test",
    "AucResult", "GiniResult", "KsStatisticResult", "DelongTestResult",
]

_ALTERNATIVES = ("two-sided", "greater", "less")


@dataclass(frozen=True, slots=True)
class AucResult(Result):
    value: float
    variance: float
    ci: tuple[float, float]
    ci_level: float
    ci_method: str
    n_positive: int
    n_negative: int
    note: str | None


@dataclass(frozen=True, slots=True)
class GiniResult(Result):
    value: float
    auc: float
    variance: float
    ci: tuple[float, float]
    ci_level: float
    n_positive: int
    n_negative: int
    note: str | None


@dataclass(frozen=True, slots=True)
class KsStatisticResult(Result):
    value: float
    threshold: float
    n_positive: int
    n_negative: int


@dataclass(frozen=True, slots=True)
class DelongTestResult(Result):
    auc_a: float
    auc_b: float
    difference: float
    z: float
    p_value: float
    alternative: str
    ci_diff: tuple[float, float]
    ci_level: float
    variance_a: float
    variance_b: float
    covariance: float
    variance_difference: float
    n_positive: int
    n_negative: int
    note: str | None


# ----------------------------------------------------------------------------------- validation
def _binary(y: Any, func: str) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise InvalidInput(f"y of {func} must be one-dimensional; got shape {arr.shape}.")
    if arr.dtype == bool:
        return arr
    if arr.dtype.kind in "iuf":
        is_one = arr == 1
        if not (is_one | (arr == 0)).all():
            found = pd.unique(arr[~(is_one | (arr == 0))])[:10].tolist()
            raise InvalidInput(f"y of {func} must be binary (0/1); found values {found}.")
        return is_one
    if arr.dtype == object and pd.api.types.infer_dtype(arr, skipna=False) in ("integer", "boolean"):
        return _binary(arr.astype(np.int64), func)
    found = sorted(map(str, pd.unique(arr.ravel())))[:10]
    raise InvalidInput(f"y of {func} must be binary (0/1); found values {found}.")


def _scores(score: Any, n: int, name: str, func: str) -> np.ndarray:
    try:
        arr = np.asarray(score, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name} of {func} must be numbers: {exc}.") from exc
    if arr.ndim != 1 or arr.size != n:
        raise InvalidInput(f"{name} of {func} must have one value per element of y ({n}); "
                           f"got shape {arr.shape}.")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise InvalidInput(f"{name} of {func} must be finite numbers; it has {int(bad.sum())} missing or "
                           "infinite value(s). Remove those rows or impute them explicitly first.")
    return arr


def _groups(y: Any, score: Any, func: str, name: str = "score") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    is_pos = _binary(y, func)
    s = _scores(score, is_pos.size, name, func)
    m = int(is_pos.sum())
    if m == 0 or m == is_pos.size:
        raise InsufficientData(f"{func} needs at least one positive and one negative; got {m} positive(s) "
                               f"and {is_pos.size - m} negative(s).")
    return is_pos, s[is_pos], s[~is_pos]


def _level(ci_level: Any, func: str) -> float:
    return check_probability(ci_level, "ci_level", func)


# ------------------------------------------------------------------------------------ kernels
def _placements(pos: np.ndarray, neg: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """AUC and DeLong's structural components V10 (per positive) and V01 (per negative).

    Sun & Xu (2014): with midranks Tx (within positives), Ty (within negatives) and Tz (pooled),
    V10 = (Tz[pos] - Tx) / n is the share of negatives below each positive (ties 1/2) and
    V01 = 1 - (Tz[neg] - Ty) / m the share of positives above each negative (ties 1/2).
    """
    m, n = pos.size, neg.size
    tz = stats.rankdata(np.concatenate([pos, neg]))
    v10 = (tz[:m] - stats.rankdata(pos)) / n
    v01 = 1.0 - (tz[m:] - stats.rankdata(neg)) / m
    value = (tz[:m].sum() - m * (m + 1) / 2.0) / (m * n)
    return float(value), v10, v01


def _auc_parts(y: Any, score: Any, ci_level: Any, func: str) -> AucResult:
    level = _level(ci_level, func)
    _, pos, neg = _groups(y, score, func)
    m, n = pos.size, neg.size
    value, v10, v01 = _placements(pos, neg)
    note = None
    if m < 2 or n < 2:
        variance, ci = math.nan, (math.nan, math.nan)
        note = "DeLong's variance needs at least two positives and two negatives (pROC returns NA too)."
    else:
        variance = float(np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / n)
        half = float(stats.norm.ppf(0.5 + level / 2.0)) * math.sqrt(variance)
        ci = (min(max(value - half, 0.0), 1.0), min(max(value + half, 0.0), 1.0))
        if variance == 0.0:
            note = "The variance is zero (complete separation or constant placements): the CI is a point."
    return AucResult(value, variance, ci, level, "DeLong, normal on the AUC scale, truncated to [0, 1]",
                     m, n, note)


# ---------------------------------------------------------------------------------- public API
@register("auc")
def auc(y: Any, score: Any, ci_level: float = 0.95) -> AucResult:
    """Area under the ROC curve with DeLong's variance and confidence interval.

    Parameters
    ----------
    y : array-like of 0/1 or bool
        Outcome, 1 for the event.
    score : array-like of float
        Finite scores; higher means more likely an event.
    ci_level : float, default 0.95
        Confidence level of the interval, strictly between 0 and 1.

    Returns
    -------
    AucResult
        ``value``, ``variance``, ``ci`` (lower, upper), ``ci_level``, ``n_positive``, ``n_negative``.

    Purpose
    -------
    Measures how well a score ranks events above non-events: the probability that a randomly drawn
    positive scores higher than a randomly drawn negative.

    Method
    ------
    Mann-Whitney form of the AUC with ties counted one half (midranks). DeLong's variance
    ``S10 / m + S01 / n`` from the sample (n - 1) variances of the structural components, computed
    with the O(n log n) midrank algorithm of Sun & Xu (2014). The interval is normal on the AUC scale
    and truncated to [0, 1], as pROC's ``ci.auc(method = "delong")``. With fewer than two positives
    or negatives the variance and interval are NaN and a note says so.

    Signs of high risk
    ------------------
    An AUC close to 0.5 (no discrimination), a marked fall from development, or a wide interval
    (too few events to judge). An AUC near 1 on application data can mean target leakage.

    Strengths
    ---------
    Threshold-free, invariant to monotone transformations of the score, with a well-established
    nonparametric variance.

    Limitations
    -----------
    Says nothing about calibration; insensitive to performance in a specific region of the curve;
    the normal interval can be inaccurate near 0 or 1 and for few events.

    References
    ----------
    Hanley, J. A. & McNeil, B. J. (1982). The meaning and use of the area under a receiver operating
    characteristic (ROC) curve. Radiology 143(1), 29-36.
    DeLong, E. R., DeLong, D. M. & Clarke-Pearson, D. L. (1988). Comparing the areas under two or more
    correlated receiver operating characteristic curves: a nonparametric approach. Biometrics 44(3).
    Sun, X. & Xu, W. (2014). Fast implementation of DeLong's algorithm for comparing the areas under
    correlated receiver operating characteristic curves. IEEE Signal Processing Letters 21(11).
    Robin, X. et al. (2011). pROC: an open-source package for R and S+ to analyze and compare ROC
    curves. BMC Bioinformatics 12, 77.
    Basel Committee on Banking Supervision (2005). Studies on the validation of internal rating
    systems, Working Paper 14.
    """
    return _auc_parts(y, score, ci_level, "auc")


@register("gini")
def gini(y: Any, score: Any, ci_level: float = 0.95) -> GiniResult:
    """Gini coefficient (accuracy ratio, Somers' D) = 2 AUC - 1.

    Parameters
    ----------
    y : array-like of 0/1 or bool
        Outcome, 1 for the event.
    score : array-like of float
        Finite scores; higher means more likely an event.
    ci_level : float, default 0.95
        Confidence level of the interval.

    Returns
    -------
    GiniResult
        ``value``, the underlying ``auc``, ``variance`` (4 x DeLong's AUC variance) and ``ci``.

    Purpose
    -------
    The discrimination measure most used in credit risk (accuracy ratio of the cumulative accuracy
    profile), on a scale from -1 to 1 where 0 is a random score.

    Method
    ------
    ``Gini = 2 AUC - 1`` with the AUC of :func:`auc` (ties one half). The variance is four times
    DeLong's AUC variance and the interval is the AUC interval mapped by ``2 x - 1`` (so it is
    truncated to [-1, 1]).

    Signs of high risk
    ------------------
    A Gini well below the development value or below the portfolio's customary floor; a negative
    Gini means the score is inverted.

    Strengths
    ---------
    Familiar to credit committees and supervisors; exact linear map of the AUC.

    Limitations
    -----------
    As for the AUC: no information on calibration, and it depends on the portfolio mix (the same
    model shows a lower Gini on a more homogeneous population).

    References
    ----------
    Somers, R. H. (1962). A new asymmetric measure of association for ordinal variables. American
    Sociological Review 27(6), 799-811.
    Engelmann, B., Hayden, E. & Tasche, D. (2003). Testing rating accuracy. Risk 16(1), 82-86.
    Basel Committee on Banking Supervision (2005). Studies on the validation of internal rating
    systems, Working Paper 14.
    """
    a = _auc_parts(y, score, ci_level, "gini")
    ci = (2.0 * a.ci[0] - 1.0, 2.0 * a.ci[1] - 1.0)
    return GiniResult(2.0 * a.value - 1.0, a.value, 4.0 * a.variance, ci, a.ci_level, a.n_positive,
                      a.n_negative, a.note)


@register("ks_statistic")
def ks_statistic(y: Any, score: Any) -> KsStatisticResult:
    """Kolmogorov-Smirnov separation of the score distributions of positives and negatives.

    Parameters
    ----------
    y : array-like of 0/1 or bool
        Outcome, 1 for the event.
    score : array-like of float
        Finite scores.

    Returns
    -------
    KsStatisticResult
        ``value`` (maximum distance) and the ``threshold`` (score) where it is first reached.

    Purpose
    -------
    The largest gap between the cumulative score distributions of events and non-events, a
    discrimination measure common in retail credit scoring.

    Method
    ------
    ``max_t |F_pos(t) - F_neg(t)|`` with ``F(t)`` the share of the group scoring at most ``t``,
    evaluated at every distinct score; equal to the statistic of
    ``scipy.stats.ks_2samp(score[y == 1], score[y == 0])``. ``threshold`` is the smallest score at
    which the maximum is reached (cut-off rule: score above the threshold).

    Signs of high risk
    ------------------
    A small value, or a large fall from development; a threshold far from the operating cut-off
    means the maximum separation is reached where decisions are not made.

    Strengths
    ---------
    Simple to explain and to read off a graph; invariant to monotone transformations of the score.

    Limitations
    -----------
    Depends on a single point of the distributions; no variance given here; for discrete scores the
    value depends on how ties are grouped.

    References
    ----------
    Řezáč, M. & Řezáč, F. (2011). How to measure the quality of credit scoring models. Czech Journal
    of Economics and Finance 61(5), 486-507.
    Siddiqi, N. (2006). Credit Risk Scorecards. Wiley.
    """
    is_pos, pos, neg = _groups(y, score, "ks_statistic")
    s = np.concatenate([pos, neg])
    order = np.argsort(s, kind="stable")
    sorted_s = s[order]
    cum_pos = np.cumsum(order < pos.size)  # positives at or before each sorted position
    cum_neg = np.arange(1, s.size + 1) - cum_pos
    end = np.append(sorted_s[1:] != sorted_s[:-1], True)  # last position of each run of ties
    diff = np.abs(cum_pos[end] / pos.size - cum_neg[end] / neg.size)
    k = int(np.argmax(diff))
    return KsStatisticResult(float(diff[k]), float(sorted_s[end][k]), pos.size, neg.size)


def _cov2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The 2 x 2 sample covariance matrix (ddof 1) of two vectors, as np.cov, without BLAS: np.cov's matrix
    product may be split across threads by OpenBLAS, so its last bits could depend on the thread count."""
    da, db = a - a.mean(), b - b.mean()
    k = a.size - 1
    ab = dot(da, db) / k
    return np.array([[dot(da, da) / k, ab], [ab, dot(db, db) / k]])


@register("delong_test")
def delong_test(y: Any, score_a: Any, score_b: Any, alternative: str = "two-sided",
                ci_level: float = 0.95) -> DelongTestResult:
    """Paired DeLong test of two AUCs measured on the same observations.

    Parameters
    ----------
    y : array-like of 0/1 or bool
        Outcome, 1 for the event.
    score_a, score_b : array-like of float
        Two finite scores for the same rows (e.g. champion and challenger).
    alternative : {'two-sided', 'greater', 'less'}, default 'two-sided'
        'greater' tests AUC_a > AUC_b.
    ci_level : float, default 0.95
        Confidence level of the interval for AUC_a - AUC_b.

    Returns
    -------
    DelongTestResult
        ``auc_a``, ``auc_b``, ``difference``, ``z``, ``p_value``, ``ci_diff`` and the variance
        components.

    Purpose
    -------
    Decides whether two scores discriminate differently on the same data, accounting for the
    correlation between them.

    Method
    ------
    Structural components of both scores (Sun & Xu, 2014); their sample (n - 1) covariance matrices
    over positives (S10) and negatives (S01) give ``S = S10 / m + S01 / n`` and
    ``z = (AUC_a - AUC_b) / sqrt(S_aa + S_bb - 2 S_ab)``, referred to the standard normal.
    ``ci_diff`` is the normal interval for the difference (not truncated), as pROC's ``roc.test``.
    When the variance of the difference is zero and the AUCs are equal (e.g. identical or
    monotonically related scores), ``z = 0`` and ``p = 1``; if the AUCs differ with zero variance the
    test is degenerate: z is infinite, p is 0 or 1, and a note says so.

    Signs of high risk
    ------------------
    A challenger that is significantly better than the champion; or, for a replacement model, no
    significant gain to justify the change.

    Strengths
    ---------
    Nonparametric, uses the pairing (more power than comparing two independent intervals), the
    standard test in ROC comparison software.

    Limitations
    -----------
    Asymptotic; unreliable with few events; compares whole-curve AUCs only; not valid for nested
    models evaluated on their own training data.

    References
    ----------
    DeLong, E. R., DeLong, D. M. & Clarke-Pearson, D. L. (1988). Comparing the areas under two or more
    correlated receiver operating characteristic curves: a nonparametric approach. Biometrics 44(3),
    837-845.
    Sun, X. & Xu, W. (2014). Fast implementation of DeLong's algorithm. IEEE Signal Processing
    Letters 21(11), 1389-1393.
    Robin, X. et al. (2011). pROC. BMC Bioinformatics 12, 77.
    European Central Bank (2019). Instructions for reporting the validation results of internal
    models, IRB Pillar I models for credit risk.
    """
    if alternative not in _ALTERNATIVES:
        raise InvalidParameters(f"The 'alternative' parameter of delong_test must be one of "
                                f"{list(_ALTERNATIVES)}; got {alternative!r}.")
    level = _level(ci_level, "delong_test")
    is_pos, pos_a, neg_a = _groups(y, score_a, "delong_test", "score_a")
    s_b = _scores(score_b, is_pos.size, "score_b", "delong_test")
    pos_b, neg_b = s_b[is_pos], s_b[~is_pos]
    m, n = pos_a.size, neg_a.size
    if m < 2 or n < 2:
        raise InsufficientData(f"delong_test needs at least two positives and two negatives; "
                               f"got {m} and {n}.")
    auc_a, v10_a, v01_a = _placements(pos_a, neg_a)
    auc_b, v10_b, v01_b = _placements(pos_b, neg_b)
    s = _cov2(v10_a, v10_b) / m + _cov2(v01_a, v01_b) / n
    var_diff = float(s[0, 0] + s[1, 1] - 2.0 * s[0, 1])
    d = auc_a - auc_b
    note = None
    if var_diff > 0.0:
        z = d / math.sqrt(var_diff)
    elif d == 0.0:
        z, note = 0.0, "The two scores give identical placements: no difference to test (z = 0, p = 1)."
    else:
        z = math.copysign(math.inf, d)
        note = "The variance of the difference is zero while the AUCs differ: the test is degenerate."
    if alternative == "two-sided":
        p = 2.0 * float(stats.norm.sf(abs(z)))
    elif alternative == "greater":
        p = float(stats.norm.sf(z))
    else:
        p = float(stats.norm.cdf(z))
    half = float(stats.norm.ppf(0.5 + level / 2.0)) * math.sqrt(max(var_diff, 0.0))
    return DelongTestResult(
        auc_a, auc_b, d, float(z), float(min(p, 1.0)), alternative, (d - half, d + half), level,
        float(s[0, 0]), float(s[1, 1]), float(s[0, 1]), var_diff, m, n, note,
    )
