"""Likelihood-ratio coverage tests: Kupiec's proportion of failures (:func:`kupiec_pof`), Christoffersen's
independence test (:func:`christoffersen_independence`) and both together (:func:`conditional_coverage`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats
from scipy.special import rel_entr

from mrmkit.stats._base import Result, register
from mrmkit.stats.var_backtest.exceptions import _chi2_sf, _coverage, _hits


@dataclass(frozen=True, slots=True)
class KupiecPofResult(Result):
    lr: float
    p_value: float
    df: int
    exceptions: int
    n: int
    expected_exceptions: float
    coverage: float
    observed_rate: float
    p_value_exact: float  # P(LR >= observed LR) under the binomial law of the exceptions: right-sized for small n


@dataclass(frozen=True, slots=True)
class ChristoffersenIndependenceResult(Result):
    lr: float
    p_value: float
    df: int
    n00: int
    n01: int
    n10: int
    n11: int
    pi0: float
    pi1: float
    pi: float
    n: int
    exceptions: int
    note: str | None


@dataclass(frozen=True, slots=True)
class ConditionalCoverageResult(Result):
    lr: float
    p_value: float
    df: int
    lr_pof: float
    p_value_pof: float
    lr_ind: float
    p_value_ind: float
    n: int
    exceptions: int
    coverage: float
    note: str | None


# ------------------------------------------------------------------------------------ kernels
def _pof_lr(x: int, n: int, p: float) -> float:
    """Kupiec's LR_POF written as the G statistic 2 sum O ln(O / E); algebraically identical, less cancellation."""
    g = 2.0 * (rel_entr(x, n * p) + rel_entr(n - x, n * (1.0 - p)))
    return max(float(g), 0.0)  # >= 0 by Gibbs' inequality; clip a rounding-level negative


def _transitions(hit: np.ndarray) -> tuple[int, int, int, int]:
    prev, cur = hit[:-1], hit[1:]
    n11 = int(np.count_nonzero(prev & cur))
    n10 = int(np.count_nonzero(prev & ~cur))
    n01 = int(np.count_nonzero(~prev & cur))
    return prev.size - n11 - n10 - n01, n01, n10, n11


def _independence(hit: np.ndarray) -> ChristoffersenIndependenceResult:
    n00, n01, n10, n11 = _transitions(hit)
    table = np.array([[n00, n01], [n10, n11]], dtype=np.float64)
    total = table.sum()  # n - 1 pairs
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    expected = np.outer(rows, cols) / total
    lr = max(float(2.0 * rel_entr(table, expected).sum()), 0.0)  # = 2 (ln L(pi0, pi1) - ln L(pi))
    pi0 = n01 / rows[0] if rows[0] else math.nan
    pi1 = n11 / rows[1] if rows[1] else math.nan
    pi = cols[1] / total
    note = None
    if rows[1] == 0:
        note = (
            "No exception among the first n - 1 days, so no day after an exception is observed: pi1 is "
            "undefined and LR_ind = 0 (the test has no information)."
        )
    elif rows[0] == 0:
        note = (
            "Every one of the first n - 1 days is an exception: pi0 is undefined and LR_ind = 0 "
            "(the test has no information)."
        )
    elif cols[1] == 0 or cols[1] == total:
        note = "The last n - 1 days are all alike (all or no exceptions): LR_ind = 0 (the test has no information)."
    return ChristoffersenIndependenceResult(
        lr,
        _chi2_sf(lr, 1),
        1,
        n00,
        n01,
        n10,
        n11,
        float(pi0),
        float(pi1),
        float(pi),
        int(hit.size),
        int(np.count_nonzero(hit)),
        note,
    )


@register("kupiec_pof")
def kupiec_pof(hits: Any, coverage: float) -> KupiecPofResult:
    """Kupiec's proportion-of-failures (POF) test of a VaR model's unconditional coverage.

    Parameters
    ----------
    hits : array-like of 0/1 or bool
        Exception indicator, one per day (1 = the loss exceeded the VaR).
    coverage : float
        VaR confidence level, strictly between 0 and 1 (0.99 for a 99% VaR).

    Returns
    -------
    KupiecPofResult
        ``lr``, ``p_value`` (chi-square, ``df`` = 1), ``exceptions`` x, ``n``,
        ``expected_exceptions`` n p, ``coverage`` and ``observed_rate`` x / n.

    Purpose
    -------
    Checks whether the VaR is exceeded as often as its confidence level promises: about 2.5 times in
    250 days for a 99% VaR. Too many exceptions mean the VaR understates risk; too few that it is
    overly conservative.

    Method
    ------
    With p = 1 - coverage, x exceptions in n days and 0 ln 0 = 0,
    ``LR_POF = -2 ln[(1 - p)^(n-x) p^x / ((1 - x/n)^(n-x) (x/n)^x)]``, computed in the equivalent
    form ``2 [x ln(x / (n p)) + (n - x) ln((n - x) / (n (1 - p)))]``, and referred to the chi-square
    distribution with 1 degree of freedom (two-sided: both too many and too few exceptions count).
    Zero exceptions give the finite value ``-2 n ln(1 - p)``.

    Signs of high risk
    ------------------
    A small p-value with more exceptions than expected (risk understated, capital too low); a run of
    exceptions in a stressed period; a small p-value with too few exceptions (an overly conservative
    model, which may hide a mis-specified P&L).

    Strengths
    ---------
    Simple, standard in regulation and software, needs only the exception count; zero exceptions are
    handled without special cases.

    Limitations
    -----------
    Low power on one year of data (for a 99% VaR and 250 days, between 1 and 6 exceptions are not
    rejected at 5%); ignores when the exceptions happen (clustering, see
    :func:`christoffersen_independence`) and how large they are; the chi-square approximation is rough
    for small n p, so ``p_value_exact`` (the binomial probability of a count at least as extreme in LR)
    is reported too, and the backtest workbook's finding uses it.

    References
    ----------
    Kupiec, P. H. (1995). Techniques for verifying the accuracy of risk measurement models. Journal of
    Derivatives 3(2), 73-84.
    Jorion, P. (2007). Value at Risk: The New Benchmark for Managing Financial Risk, 3rd ed.,
    McGraw-Hill, chapter 6.
    Campbell, S. D. (2005). A review of backtesting and backtesting procedures. Federal Reserve Board,
    Finance and Economics Discussion Series 2005-21.
    """
    func = "kupiec_pof"
    cov, p = _coverage(coverage, func)
    hit = _hits(hits, func)
    n, x = int(hit.size), int(np.count_nonzero(hit))
    lr = _pof_lr(x, n, p)
    return KupiecPofResult(lr, _chi2_sf(lr, 1), 1, x, n, n * p, cov, x / n, _pof_exact(x, n, p, lr))


def _pof_exact(x: int, n: int, p: float, lr: float) -> float:
    """The exact p-value of Kupiec's statistic: the binomial probability of a count whose LR is at least ``lr``.

    The chi-square approximation is anti-conservative for small n p (at 250 days and 99 % coverage, zero
    exceptions already give LR 5.03 > 3.84 although they happen with probability 8.1 %: a correct model is
    rejected about 10 % of the time at a nominal 5 %). Summing the binomial law over every count at least as
    extreme gives a test whose size never exceeds its level.
    """
    k = np.arange(n + 1, dtype=np.float64)
    g = 2.0 * (rel_entr(k, n * p) + rel_entr(n - k, n * (1.0 - p)))
    pmf = stats.binom.pmf(np.arange(n + 1), n, p)
    return float(min(1.0, math.fsum(pmf[g >= lr * (1.0 - 1e-12) - 1e-12])))


@register("christoffersen_independence")
def christoffersen_independence(hits: Any) -> ChristoffersenIndependenceResult:
    """Christoffersen's Markov test that VaR exceptions do not cluster.

    Parameters
    ----------
    hits : array-like of 0/1 or bool
        Exception indicator, one per day in time order; at least two days.

    Returns
    -------
    ChristoffersenIndependenceResult
        ``lr``, ``p_value`` (chi-square, ``df`` = 1), the transition counts ``n00``, ``n01``, ``n10``,
        ``n11`` (``nij``: day t-1 in state i, day t in state j; 1 = exception), ``pi0`` = P(exception |
        no exception the day before), ``pi1`` = P(exception | exception the day before), ``pi`` (the
        exception rate over the n - 1 pairs), ``n``, ``exceptions`` and a ``note`` for degenerate cases.

    Purpose
    -------
    A correct VaR adapts to changing volatility, so an exception today says nothing about tomorrow.
    Clustered exceptions show a model that reacts too slowly, the situation in which losses are largest.

    Method
    ------
    Counts the transitions over the n - 1 consecutive pairs of days and compares the first-order
    Markov likelihood ``(1-pi0)^n00 pi0^n01 (1-pi1)^n10 pi1^n11`` with the independent one
    ``(1-pi)^(n00+n10) pi^(n01+n11)``, with ``pi = (n01 + n11) / (n - 1)`` and 0 ln 0 = 0:
    ``LR_ind = -2 ln[L(pi) / L(pi0, pi1)]``, chi-square with 1 degree of freedom. This is exactly the
    likelihood-ratio (G) test of independence of the 2 x 2 transition table. When a row of the table
    is empty (e.g. no exception before the last day) the corresponding probability is undefined (NaN),
    LR_ind = 0 and a note says the test has no information.

    Signs of high risk
    ------------------
    ``pi1`` well above ``pi0`` with a small p-value: exceptions come in runs, typically after a
    volatility regime change that a slowly reacting model (e.g. historical simulation over a long
    window) has not absorbed.

    Strengths
    ---------
    Detects a failure the coverage tests cannot see; needs no distributional assumption beyond the
    exception indicator; complements :func:`kupiec_pof` in :func:`conditional_coverage`.

    Limitations
    -----------
    Only first-order dependence (an exception exactly one day after another); very low power with the
    few exceptions a 99% VaR produces in a year; the chi-square approximation is poor when ``n11`` is
    0 or 1.

    References
    ----------
    Christoffersen, P. F. (1998). Evaluating interval forecasts. International Economic Review 39(4),
    841-862.
    Jorion, P. (2007). Value at Risk: The New Benchmark for Managing Financial Risk, 3rd ed.,
    McGraw-Hill, chapter 6.
    """
    hit = _hits(hits, "christoffersen_independence", minimum=2)
    return _independence(hit)


@register("conditional_coverage")
def conditional_coverage(hits: Any, coverage: float) -> ConditionalCoverageResult:
    """Christoffersen's joint test of correct coverage and independence of VaR exceptions.

    Parameters
    ----------
    hits : array-like of 0/1 or bool
        Exception indicator, one per day in time order; at least two days.
    coverage : float
        VaR confidence level, strictly between 0 and 1.

    Returns
    -------
    ConditionalCoverageResult
        ``lr`` = ``lr_pof`` + ``lr_ind``, ``p_value`` (chi-square, ``df`` = 2), the two components and
        their own 1-df p-values, ``n``, ``exceptions`` and ``coverage``.

    Purpose
    -------
    One verdict on the two properties a VaR model must have: the right number of exceptions, and
    exceptions that do not arrive in clusters.

    Method
    ------
    ``LR_cc = LR_POF + LR_ind``, where LR_POF is :func:`kupiec_pof` on all n days and LR_ind is
    :func:`christoffersen_independence` on the n - 1 transitions (CONTRACT.md; the same decomposition
    as MATLAB's ``varbacktest`` ``cc``). It is referred to the chi-square distribution with 2 degrees
    of freedom. Christoffersen's (1998) joint statistic conditions on the first day and uses the n - 1
    transitions for the coverage part as well; the two differ by at most the contribution of the first
    day and agree asymptotically.

    Signs of high risk
    ------------------
    A small p-value; read the components to see whether the count, the clustering or both fail.

    Strengths
    ---------
    Combines two complementary failures into one test with a known asymptotic distribution.

    Limitations
    -----------
    Less powerful than the component test when only one property fails (one degree of freedom is
    spent on the other); inherits the low power of both components on one year of 99% VaR data.

    References
    ----------
    Christoffersen, P. F. (1998). Evaluating interval forecasts. International Economic Review 39(4),
    841-862.
    Kupiec, P. H. (1995). Techniques for verifying the accuracy of risk measurement models. Journal of
    Derivatives 3(2), 73-84.
    Campbell, S. D. (2005). A review of backtesting and backtesting procedures. Federal Reserve Board,
    Finance and Economics Discussion Series 2005-21.
    """
    func = "conditional_coverage"
    cov, p = _coverage(coverage, func)
    hit = _hits(hits, func, minimum=2)
    n, x = int(hit.size), int(np.count_nonzero(hit))
    lr_pof = _pof_lr(x, n, p)
    ind = _independence(hit)
    lr = lr_pof + ind.lr
    return ConditionalCoverageResult(
        lr, _chi2_sf(lr, 2), 2, lr_pof, _chi2_sf(lr_pof, 1), ind.lr, ind.p_value, n, x, cov, ind.note
    )
