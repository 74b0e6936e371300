"""Two more tests of the exception frequency: the normal-approximation count test (:func:`binomial_z_test`)
and Kupiec's time until first failure (:func:`time_until_first_failure`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats
from scipy.special import xlogy

from mrmkit.stats._base import Result, register
from mrmkit.stats.var_backtest.exceptions import _chi2_sf, _coverage, _hits


@dataclass(frozen=True, slots=True)
class BinomialZTestResult(Result):
    z: float
    p_value: float
    p_value_upper: float
    exceptions: int
    n: int
    expected_exceptions: float
    coverage: float


@dataclass(frozen=True, slots=True)
class TimeUntilFirstFailureResult(Result):
    first_failure: int | None
    lr: float
    p_value: float
    df: int
    n: int
    coverage: float
    expected_first_failure: float
    censored: bool
    note: str | None


@register("binomial_z_test")
def binomial_z_test(hits: Any, coverage: float) -> BinomialZTestResult:
    """Normal-approximation test of the number of VaR exceptions.

    Parameters
    ----------
    hits : array-like of 0/1 or bool
        Exception indicator, one per day.
    coverage : float
        VaR confidence level, strictly between 0 and 1.

    Returns
    -------
    BinomialZTestResult
        ``z``, ``p_value`` (two-sided), ``p_value_upper`` (one-sided, H1: too many exceptions),
        ``exceptions``, ``n``, ``expected_exceptions`` and ``coverage``.

    Purpose
    -------
    A quick check of the exception count with a signed statistic: positive z means more exceptions
    than the confidence level promises.

    Method
    ------
    ``z = (x - n p) / sqrt(n p (1 - p))`` with p = 1 - coverage, referred to the standard normal:
    ``p_value = 2 P(Z >= |z|)`` and ``p_value_upper = P(Z >= z)`` (no continuity correction; the
    same statistic as MATLAB's ``varbacktest`` ``bin`` test).

    Signs of high risk
    ------------------
    A large positive z (small ``p_value_upper``): risk understated.

    Strengths
    ---------
    Signed, simple, and the one-sided version matches the regulator's concern with too many exceptions.

    Limitations
    -----------
    The normal approximation is poor for the small n p of a 99% VaR over one year (n p = 2.5); prefer
    the exact probabilities of :func:`basel_traffic_light` there. Ignores timing and size of exceptions.

    References
    ----------
    Jorion, P. (2007). Value at Risk: The New Benchmark for Managing Financial Risk, 3rd ed.,
    McGraw-Hill, chapter 6.
    Kupiec, P. H. (1995). Techniques for verifying the accuracy of risk measurement models. Journal of
    Derivatives 3(2), 73-84.
    """
    func = "binomial_z_test"
    cov, p = _coverage(coverage, func)
    hit = _hits(hits, func)
    n, x = int(hit.size), int(np.count_nonzero(hit))
    z = (x - n * p) / math.sqrt(n * p * (1.0 - p))
    return BinomialZTestResult(
        float(z), float(min(2.0 * stats.norm.sf(abs(z)), 1.0)), float(stats.norm.sf(z)), x, n, n * p, cov
    )


@register("time_until_first_failure")
def time_until_first_failure(hits: Any, coverage: float) -> TimeUntilFirstFailureResult:
    """Kupiec's time-until-first-failure (TUFF) likelihood-ratio test.

    Parameters
    ----------
    hits : array-like of 0/1 or bool
        Exception indicator, one per day in time order.
    coverage : float
        VaR confidence level, strictly between 0 and 1.

    Returns
    -------
    TimeUntilFirstFailureResult
        ``first_failure`` (1-based day of the first exception, or None when there is none), ``lr``,
        ``p_value`` (chi-square, ``df`` = 1), ``n``, ``coverage``, ``expected_first_failure`` (1 / p),
        ``censored`` (True when no exception occurred) and a ``note``.

    Purpose
    -------
    Judges a VaR model from how long it takes to fail for the first time: with a 99% VaR the first
    exception is expected after about 100 days, so an exception in the first days is suspicious.

    Method
    ------
    Under H0 the day v of the first exception is geometric with probability p = 1 - coverage:
    ``LR = -2 ln[p (1 - p)^(v-1) / ((1/v) (1 - 1/v)^(v-1))]`` (0 ln 0 = 0 for v = 1), chi-square with
    1 degree of freedom. When no exception occurs in the n days the waiting time is right-censored at
    n: the likelihood under H0 is ``(1 - p)^n`` and its unrestricted maximum is 1, so
    ``LR = -2 n ln(1 - p)`` (the value of :func:`kupiec_pof` with zero exceptions), ``first_failure``
    is None and ``censored`` is True. Software differs on this case (some treat day n as the first
    failure); the censored likelihood is used here and recorded in the note.

    Signs of high risk
    ------------------
    An early first exception with a small p-value. A long wait is flagged too (two-sided), which
    with the censored case can point to an overly conservative model.

    Strengths
    ---------
    Usable early, from the first exception, before enough data exist for a count test.

    Limitations
    -----------
    Uses one event only, so its power is very low (Kupiec, 1995); ignores every exception after the
    first; the chi-square approximation is rough for a single geometric observation.

    References
    ----------
    Kupiec, P. H. (1995). Techniques for verifying the accuracy of risk measurement models. Journal of
    Derivatives 3(2), 73-84.
    Haas, M. (2001). New methods in backtesting. Financial Engineering Research Center Caesar, Bonn.
    Dowd, K. (2005). Measuring Market Risk, 2nd ed. Wiley.
    """
    func = "time_until_first_failure"
    cov, p = _coverage(coverage, func)
    hit = _hits(hits, func)
    n = int(hit.size)
    if hit.any():
        v = int(np.argmax(hit)) + 1
        ll0 = math.log(p) + (v - 1) * math.log1p(-p)
        ll1 = -math.log(v) + float(xlogy(v - 1, (v - 1) / v))
        lr, first, censored, note = max(-2.0 * (ll0 - ll1), 0.0), v, False, None
    else:
        lr, first, censored = -2.0 * n * math.log1p(-p), None, True
        note = (
            f"No exception in the {n} observations: the time until first failure is right-censored at n and "
            "LR = -2 n ln(1 - p) (censored likelihood)."
        )
    return TimeUntilFirstFailureResult(first, float(lr), _chi2_sf(lr, 1), 1, n, cov, 1.0 / p, censored, note)
