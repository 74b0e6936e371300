"""Discrimination of one score: :func:`auc` (with DeLong's variance), :func:`gini` and :func:`ks_statistic`.

The paired test of two scores on the same rows is :func:`mrmkit.stats.discrimination.delong.delong_test`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from mrmkit.stats._base import Result, register
from mrmkit.stats.discrimination._common import _groups, _level, _placements

__all__ = ["auc", "gini", "ks_statistic", "AucResult", "GiniResult", "KsStatisticResult"]


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
    return AucResult(value, variance, ci, level, "DeLong, normal on the AUC scale, truncated to [0, 1]", m, n, note)


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
    return GiniResult(
        2.0 * a.value - 1.0, a.value, 4.0 * a.variance, ci, a.ci_level, a.n_positive, a.n_negative, a.note
    )


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
