"""Backtests of a value-at-risk (VaR) model: exceptions, coverage, independence and the Basel traffic light.

Conventions (CONTRACT.md section 6):

* ``hits`` is a one-dimensional sequence of 0/1 (or bool), one element per day in time order, where 1
  marks an *exception*: the day's loss exceeded the VaR. :func:`var_exceptions` builds it from P&L and
  VaR series and states the inequality; its result can be passed as ``hits`` directly.
* ``coverage`` is the VaR confidence level (0.99 for a 99% VaR); under the null hypothesis of a correct
  model an exception happens with probability ``p = 1 - coverage``, independently from day to day.
* Log-likelihoods use ``0 ln 0 = 0`` (``scipy.special.xlogy`` / ``rel_entr``), so zero exceptions, or
  every day an exception, give finite statistics.
* ``p = 1 - coverage`` is computed in decimal arithmetic from the coverage as written (0.99 gives exactly
  the double nearest 0.01), so ``n p`` and ``1 / p`` print as expected (2.5, 100.0).
* Likelihood-ratio p-values are asymptotic chi-square; the traffic light uses exact binomial
  probabilities. Nothing here draws random numbers or modifies its inputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import rel_entr, xlogy

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats._base import Result, check_int, check_probability, register

__all__ = [
    "var_exceptions",
    "kupiec_pof", "christoffersen_independence", "conditional_coverage", "basel_traffic_light",
    "binomial_z_test", "time_until_first_failure", "es_backtest",
    "EsBacktestResult", "KupiecPofResult", "ChristoffersenIndependenceResult", "ConditionalCoverageResult",
    "BaselTrafficLightResult", "BinomialZTestResult", "TimeUntilFirstFailureResult", "VarExceptionsResult",
    "BASEL_1996_PLUS_FACTORS",
]  # fmt: skip

#: Basel Committee on Banking Supervision (1996), "Supervisory framework for the use of 'backtesting'
#: in conjunction with the internal models approach to market risk capital requirements", Table 2:
#: increase in the scaling factor (plus factor) by number of exceptions in 250 observations of a 99% VaR;
#: 10 or more exceptions: 1.00.
BASEL_1996_PLUS_FACTORS: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0, 0.0, 0.40, 0.50, 0.65, 0.75, 0.85)
_BASEL_RED_PLUS_FACTOR = 1.0
_BASEL_N, _BASEL_COVERAGE, _BASEL_BASE_MULTIPLIER = 250, 0.99, 3.0
_YELLOW_FROM, _RED_FROM = 0.95, 0.9999  # cumulative binomial probability where the zones begin
_VAR_SIGNS = ("positive", "negative")


@dataclass(frozen=True, slots=True, eq=False)  # eq=False: field-wise == on an array is ambiguous
class VarExceptionsResult(Result):
    hits: np.ndarray  # read-only
    exceptions: int
    n: int
    var_sign: str
    rule: str


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


@dataclass(frozen=True, slots=True)
class BaselTrafficLightResult(Result):
    zone: str
    cumulative_probability: float
    type1_error: float
    plus_factor: float | None
    multiplier: float | None
    exceptions: int
    n: int
    coverage: float
    yellow_from: int
    red_from: int
    note: str | None


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


# ----------------------------------------------------------------------------------- validation
def _missing_message(name: str, func: str, count: int) -> str:
    return (f"{name} of {func} has {count} missing value(s) (NaN/None); a day without a P&L, a VaR or an "
            "exception flag must be resolved explicitly before backtesting, not dropped silently.")


def _hits(hits: Any, func: str, minimum: int = 1) -> np.ndarray:
    """The exception indicator as a boolean array; 0/1 numbers or booleans only, nothing missing."""
    if isinstance(hits, VarExceptionsResult):
        hits = hits.hits
    if isinstance(hits, (str, bytes)):
        raise InvalidInput(f"hits of {func} must be a sequence of 0/1 values; got the text {hits!r}.")
    try:
        arr = np.asarray(hits)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"hits of {func} must be a one-dimensional sequence of 0/1 values: {exc}.") from exc
    if arr.ndim != 1:
        raise InvalidInput(f"hits of {func} must be a one-dimensional sequence of 0/1 values; got shape {arr.shape}.")
    if arr.dtype == object:
        missing = pd.isna(arr)
        if missing.any():
            raise InvalidInput(_missing_message("hits", func, int(missing.sum())))
        if pd.api.types.infer_dtype(arr, skipna=False) in ("integer", "boolean", "floating", "mixed-integer-float"):
            arr = arr.astype(np.float64)
    if arr.dtype == bool:
        is_one = arr
    elif arr.dtype.kind in "iuf":
        if arr.dtype.kind == "f" and np.isnan(arr).any():
            raise InvalidInput(_missing_message("hits", func, int(np.isnan(arr).sum())))
        is_one = arr == 1
        ok = is_one | (arr == 0)
        if not ok.all():
            found = pd.unique(arr[~ok])[:10].tolist()
            raise InvalidInput(f"hits of {func} must be 0/1 (1 = exception); found values {found}.")
    else:
        found = sorted(map(str, pd.unique(arr.ravel())))[:10]
        raise InvalidInput(f"hits of {func} must be 0/1 numbers or booleans (1 = exception); found values {found}.")
    if is_one.size < minimum:
        raise InsufficientData(f"{func} needs at least {minimum} observation(s) in hits; got {is_one.size}.")
    return is_one


def _numbers(values: Any, name: str, func: str) -> np.ndarray:
    """A one-dimensional float array of finite numbers; text, booleans, NaN and infinities refused."""
    if isinstance(values, (str, bytes)):
        raise InvalidInput(f"{name} of {func} must be a sequence of numbers; got the text {values!r}.")
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name} of {func} must be a one-dimensional sequence of numbers: {exc}.") from exc
    if arr.ndim != 1:
        raise InvalidInput(f"{name} of {func} must be one-dimensional; got shape {arr.shape}.")
    if arr.dtype == object:
        missing = pd.isna(arr)
        if missing.any():
            raise InvalidInput(_missing_message(name, func, int(missing.sum())))
        if pd.api.types.infer_dtype(arr, skipna=False) in ("integer", "floating", "mixed-integer-float", "decimal"):
            arr = arr.astype(np.float64)
    if arr.dtype.kind not in "iuf":
        found = sorted(map(str, pd.unique(arr.ravel())))[:5]
        raise InvalidInput(f"{name} of {func} must be numbers; it holds {arr.dtype.name} values such as {found}.")
    arr = arr.astype(np.float64, copy=False)
    nan = np.isnan(arr)
    if nan.any():
        raise InvalidInput(_missing_message(name, func, int(nan.sum())))
    inf = np.isinf(arr)
    if inf.any():
        where = np.flatnonzero(inf)[:5].tolist()
        raise InvalidInput(f"{name} of {func} must be finite; it has {int(inf.sum())} infinite value(s), first at "
                           f"position(s) {where}.")
    return arr


def _coverage(coverage: Any, func: str) -> tuple[float, float]:
    """The coverage and p = 1 - coverage, the subtraction done in decimal (0.99 gives p = 0.01, not 0.01000...009)."""
    cov = check_probability(coverage, "coverage", func)
    return cov, float(Decimal(1) - Decimal(repr(cov)))


def _chi2_sf(lr: float, df: int) -> float:
    return float(min(stats.chi2.sf(lr, df), 1.0))


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
        note = ("No exception among the first n - 1 days, so no day after an exception is observed: pi1 is "
                "undefined and LR_ind = 0 (the test has no information).")
    elif rows[0] == 0:
        note = ("Every one of the first n - 1 days is an exception: pi0 is undefined and LR_ind = 0 "
                "(the test has no information).")
    elif cols[1] == 0 or cols[1] == total:
        note = "The last n - 1 days are all alike (all or no exceptions): LR_ind = 0 (the test has no information)."
    return ChristoffersenIndependenceResult(lr, _chi2_sf(lr, 1), 1, n00, n01, n10, n11, float(pi0), float(pi1),
                                            float(pi), int(hit.size), int(np.count_nonzero(hit)), note)


def _zone_start(q: float, n: int, p: float) -> int:
    """Smallest k with P(X <= k) >= q for X ~ Binomial(n, p), by the same cdf that classifies the zone."""
    k = int(stats.binom.ppf(q, n, p))
    while k > 0 and stats.binom.cdf(k - 1, n, p) >= q:
        k -= 1
    while stats.binom.cdf(k, n, p) < q:
        k += 1
    return k


# ---------------------------------------------------------------------------------- public API
@register("var_exceptions")
def var_exceptions(pnl: Any, var: Any, var_sign: str = "positive") -> VarExceptionsResult:
    """The exception indicator of a VaR series: the days on which the loss exceeded the VaR.

    Parameters
    ----------
    pnl : array-like of float
        Daily profit and loss of the portfolio (a loss is negative), one value per day.
    var : array-like of float
        The VaR forecast for the same days, aligned element by element with ``pnl``: ``var[t]`` is the
        forecast for day ``t`` (made at the close of day ``t - 1``). Nothing is shifted here.
    var_sign : {'positive', 'negative'}, default 'positive'
        How the bank reports VaR. ``'positive'``: as a loss amount (a 99% VaR of 1.2m is 1.2e6).
        ``'negative'``: as the P&L quantile (-1.2e6).

    Returns
    -------
    VarExceptionsResult
        ``hits`` (read-only boolean array, one flag per day, True = exception), ``exceptions``, ``n``,
        ``var_sign`` and the ``rule`` applied. The result can be passed as ``hits`` to every backtest
        of this module.

    Purpose
    -------
    Fixes, in one place, which days count as VaR exceptions, the input of every backtest.

    Method
    ------
    An exception is a loss that *exceeds* the VaR. With VaR reported as a positive loss amount
    (``var_sign='positive'``) that is ``pnl < -var``; with VaR reported as a (negative) P&L quantile
    (``var_sign='negative'``) it is ``pnl < var``. The inequality is strict: a loss exactly equal to
    the VaR is not an exception (as in MATLAB's ``varbacktest``). Missing, infinite or non-numeric
    values are refused with :class:`InvalidInput`: a missing day must be resolved by the user, not
    dropped. If every VaR has the sign opposite to ``var_sign`` the call is refused as a probable
    sign-convention mistake.

    Signs of high risk
    ------------------
    Exceptions concentrated in a few weeks; exceptions on days the P&L is much larger than the VaR;
    a share of exceptions far above 1 - coverage.

    Strengths
    ---------
    One documented inequality and sign convention for all backtests; strict validation, so a NaN or a
    text value cannot silently become "no exception".

    Limitations
    -----------
    Does not align dates or shift the VaR: the caller must pair each day's P&L with the VaR forecast
    for that day. Says nothing about the size of exceptions. Whether actual or hypothetical P&L is
    used is the caller's choice (supervisors expect both to be backtested).

    References
    ----------
    Basel Committee on Banking Supervision (1996). Supervisory framework for the use of "backtesting"
    in conjunction with the internal models approach to market risk capital requirements.
    Basel Committee on Banking Supervision (2019). Minimum capital requirements for market risk
    (MAR32, backtesting and P&L attribution requirements).
    Jorion, P. (2007). Value at Risk: The New Benchmark for Managing Financial Risk, 3rd ed.,
    McGraw-Hill, chapter 6.
    """
    func = "var_exceptions"
    if var_sign not in _VAR_SIGNS:
        raise InvalidParameters(f"The 'var_sign' parameter of var_exceptions must be one of {list(_VAR_SIGNS)}; "
                                f"got {var_sign!r}.")
    p = _numbers(pnl, "pnl", func)
    v = _numbers(var, "var", func)
    if p.size != v.size:
        raise InvalidInput(f"pnl and var of var_exceptions must have one value per day each; got {p.size} P&L "
                           f"value(s) and {v.size} VaR value(s).")
    if p.size == 0:
        raise InsufficientData("var_exceptions needs at least one day of P&L and VaR; got none.")
    if var_sign == "positive" and (v < 0).all():
        raise InvalidInput("var of var_exceptions is negative on every day, but var_sign='positive' expects VaR as "
                           "a positive loss amount; pass var_sign='negative' if VaR is reported as a P&L quantile.")
    if var_sign == "negative" and (v > 0).all():
        raise InvalidInput("var of var_exceptions is positive on every day, but var_sign='negative' expects VaR as "
                           "a (negative) P&L quantile; pass var_sign='positive' if VaR is reported as a loss amount.")
    hits = p < -v if var_sign == "positive" else p < v
    hits.flags.writeable = False
    rule = "pnl < -var (loss exceeds VaR)" if var_sign == "positive" else "pnl < var (loss exceeds VaR)"
    return VarExceptionsResult(hits, int(np.count_nonzero(hits)), int(hits.size), var_sign, rule)


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
    return ConditionalCoverageResult(lr, _chi2_sf(lr, 2), 2, lr_pof, _chi2_sf(lr_pof, 1), ind.lr, ind.p_value, n, x,
                                     cov, ind.note)


@register("basel_traffic_light")
def basel_traffic_light(exceptions: int, n: int = 250, coverage: float = 0.99) -> BaselTrafficLightResult:
    """The Basel Committee's traffic-light zone for a number of VaR exceptions.

    Parameters
    ----------
    exceptions : int
        Number of exceptions observed, from 0 to ``n``.
    n : int, default 250
        Number of daily observations. With ``coverage = 0.99`` (the Basel setting) at least 250 are
        required: fewer raise :class:`InsufficientData` (the framework is defined on 250 days).
    coverage : float, default 0.99
        VaR confidence level, strictly between 0 and 1.

    Returns
    -------
    BaselTrafficLightResult
        ``zone`` ('green', 'yellow' or 'red'), ``cumulative_probability`` P(X <= exceptions),
        ``type1_error`` P(X >= exceptions) (the probability of a result this bad or worse under a
        correct model), ``plus_factor`` and ``multiplier`` (3 + plus factor; both None outside the
        Basel table), ``yellow_from`` and ``red_from`` (the first exception counts in each zone for this
        n and coverage) and a ``note``.

    Purpose
    -------
    The supervisory classification of a bank's backtesting result, which sets the capital multiplier
    of the internal-models approach to market risk.

    Method
    ------
    X ~ Binomial(n, 1 - coverage). The zone follows the cumulative probability P(X <= exceptions):
    green below 0.95, red from 0.9999, yellow in between (Basel Committee, 1996). For n = 250 and 99%
    this gives green 0-4, yellow 5-9, red 10 or more, and the plus factor of the Committee's Table 2:
    0.00 for 0-4 exceptions, 0.40, 0.50, 0.65, 0.75, 0.85 for 5-9, 1.00 for 10 or more; the multiplier
    is 3 + plus factor. Basel defines plus factors only for 250 observations of a 99% VaR: for any
    other n or coverage the zones follow the same cumulative-probability rule and ``plus_factor`` and
    ``multiplier`` are None, with a note.

    Signs of high risk
    ------------------
    Yellow: the model may be inaccurate and the plus factor is presumed unless the bank shows
    otherwise. Red: the model is almost certainly inaccurate; the supervisor increases the multiplier
    automatically and may require the model to be improved or withdrawn.

    Strengths
    ---------
    The regulatory reference; exact binomial probabilities; a type-1 error is reported beside the zone.

    Limitations
    -----------
    One-sided (too few exceptions are never flagged); ignores clustering and the size of exceptions;
    the plus factors and the multiplier 3 are those of the 1996 framework: the revised market-risk
    framework (Basel Committee, 2019, MAR32) uses a different multiplier scale, and national rules
    may differ.

    References
    ----------
    Basel Committee on Banking Supervision (1996). Supervisory framework for the use of "backtesting"
    in conjunction with the internal models approach to market risk capital requirements. Table 2.
    Basel Committee on Banking Supervision (2019). Minimum capital requirements for market risk
    (MAR32, backtesting and P&L attribution requirements).
    Jorion, P. (2007). Value at Risk: The New Benchmark for Managing Financial Risk, 3rd ed.,
    McGraw-Hill, chapter 6.
    """
    func = "basel_traffic_light"
    x = check_int(exceptions, "exceptions", func, 0)
    n = check_int(n, "n", func, 1)
    cov, p = _coverage(coverage, func)
    if x > n:
        raise InvalidParameters(f"The 'exceptions' parameter of basel_traffic_light must be at most n ({n}); got {x}.")
    basel_level = math.isclose(cov, _BASEL_COVERAGE, rel_tol=0.0, abs_tol=1e-12)
    if basel_level and n < _BASEL_N:
        raise InsufficientData(f"basel_traffic_light needs at least {_BASEL_N} daily observations for a 99% VaR "
                               f"(the Basel backtesting window); got n = {n}.")
    cum = float(stats.binom.cdf(x, n, p))
    type1 = float(stats.binom.sf(x - 1, n, p))  # P(X >= x)
    zone = "green" if cum < _YELLOW_FROM else ("red" if cum >= _RED_FROM else "yellow")
    yellow_from, red_from = _zone_start(_YELLOW_FROM, n, p), _zone_start(_RED_FROM, n, p)
    if basel_level and n == _BASEL_N:
        plus: float | None = BASEL_1996_PLUS_FACTORS[x] if x < len(BASEL_1996_PLUS_FACTORS) else _BASEL_RED_PLUS_FACTOR
        multiplier: float | None = _BASEL_BASE_MULTIPLIER + plus
        note = None
    else:
        plus = multiplier = None
        note = (f"The Basel Committee (1996) defines plus factors only for {_BASEL_N} observations of a 99% VaR; "
                f"for n = {n} and coverage = {cov:g} the zone follows the same cumulative-probability rule "
                "and no plus factor or multiplier is given.")
    return BaselTrafficLightResult(zone, cum, type1, plus, multiplier, x, n, cov, yellow_from, red_from, note)


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
    return BinomialZTestResult(float(z), float(min(2.0 * stats.norm.sf(abs(z)), 1.0)), float(stats.norm.sf(z)), x, n,
                               n * p, cov)


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
        note = (f"No exception in the {n} observations: the time until first failure is right-censored at n and "
                "LR = -2 n ln(1 - p) (censored likelihood).")
    return TimeUntilFirstFailureResult(first, float(lr), _chi2_sf(lr, 1), 1, n, cov, 1.0 / p, censored, note)


@dataclass(frozen=True, slots=True)
class EsBacktestResult(Result):
    """The unconditional expected-shortfall backtest of Acerbi and Szekely (2014), statistic Z2."""

    statistic: float
    p_value: float
    critical_value: float
    test_level: float
    exceptions: int
    n: int
    coverage: float
    distribution: str
    degrees_of_freedom: float | None
    n_simulations: int
    seed: int


_ES_DISTRIBUTIONS = ("normal", "t")


def _standard_tail(distribution: str, df: float | None, p: float) -> tuple[float, float]:
    """VaR and ES (positive loss amounts) of a standard normal or a Student t with ``df`` at tail probability p."""
    if distribution == "normal":
        q = float(stats.norm.ppf(p))
        return -q, float(stats.norm.pdf(q) / p)
    q = float(stats.t.ppf(p, df))
    return -q, float((df + q * q) / (df - 1.0) * stats.t.pdf(q, df) / p)


def _z2(pnl: np.ndarray, var: np.ndarray, es: np.ndarray, p: float) -> np.ndarray:
    """Z2 of each row of ``pnl`` (last axis: days): sum(X_t I_t / ES_t) / (T p) + 1, I_t = X_t < -VaR_t."""
    hit = pnl < -var
    return np.sum(np.where(hit, pnl / es, 0.0), axis=-1) / (pnl.shape[-1] * p) + 1.0


@register("es_backtest")
def es_backtest(pnl: Any, var: Any, es: Any, coverage: float, *, distribution: str = "normal",
                degrees_of_freedom: float | None = None, test_level: float = 0.95, n_simulations: int = 10_000,
                seed: int = 0) -> EsBacktestResult:  # fmt: skip
    """Unconditional backtest of expected shortfall: Acerbi and Szekely's (2014) statistic Z2.

    Parameters
    ----------
    pnl : array-like of float
        Daily profit and loss in time order (a loss is negative).
    var, es : array-like of float
        The model's VaR and ES for each day, as positive loss amounts, at ``coverage``.
    coverage : float
        VaR and ES confidence level (0.975 for the Basel FRTB's 97.5% ES), strictly between 0 and 1.
    distribution : {"normal", "t"}
        Distribution of the standardised P&L under the null hypothesis, used for the critical value and
        the p-value (as MATLAB's ``esbacktest`` ``unconditionalNormal`` and ``unconditionalT``).
    degrees_of_freedom : float, optional
        For ``"t"``: above 1 (default 3, MATLAB's choice).
    test_level : float
        Confidence level of the critical value (0.95: reject below the 5% quantile of Z2 under H0).
    n_simulations, seed : int
        Simulated samples of T days under H0, drawn with ``numpy.random.default_rng(seed)``.

    Returns
    -------
    EsBacktestResult
        ``statistic`` (Z2), ``p_value`` (one-sided, H1: ES understated), ``critical_value``,
        ``exceptions``, ``n`` and the settings.

    Purpose
    -------
    Backtest the ES itself, not only the VaR: Z2 measures whether the losses beyond the VaR are as
    large as the ES promises, and whether they happen as often as the coverage promises.

    Method
    ------
    ``Z2 = sum_t X_t I_t / (T p ES_t) + 1`` with ``p = 1 - coverage`` and ``I_t = 1{X_t < -VaR_t}``
    (Acerbi and Szekely 2014, equation 6). Under H0 (the model's tail is right) ``E[Z2] = 0``; an
    understated ES or too many exceptions make Z2 negative. Z2 is invariant to the scale of each day,
    so its null distribution depends only on the shape of the standardised P&L and on T: it is
    simulated, ``n_simulations`` samples of T days drawn from the standard ``distribution`` with its
    own VaR and ES at ``p``. ``p_value = (1 + #{Z2_sim <= Z2}) / (n_simulations + 1)``; the critical
    value is the ``1 - test_level`` quantile of the simulated Z2 (numpy's linear interpolation).

    Signs of high risk
    ------------------
    Z2 below the critical value (a small p-value): the losses beyond the VaR are larger, or more
    frequent, than the model's ES allows.

    Strengths
    ---------
    Needs only the P&L, VaR and ES the bank already reports (no predictive distribution); thresholds
    are stable across distributions (Acerbi and Szekely report about -0.7 at 5% for a 97.5% ES over
    250 days).

    Limitations
    -----------
    The null distribution assumes a shape (normal or t); fat-tailed P&L judged with ``"normal"`` gives
    a critical value slightly too close to zero. Unconditional: clustering of losses is not tested
    (see :func:`christoffersen_independence`).

    References
    ----------
    Acerbi, C. & Szekely, B. (2014). Backtesting expected shortfall. Risk, December 2014.
    MathWorks, Risk Management Toolbox: esbacktest, unconditionalNormal and unconditionalT.
    Basel Committee on Banking Supervision (2019). Minimum capital requirements for market risk, MAR33.
    """
    func = "es_backtest"
    x = _numbers(pnl, "pnl", func)
    v = _numbers(var, "var", func)
    e = _numbers(es, "es", func)
    if not x.size == v.size == e.size:
        raise InvalidInput(f"pnl, var and es of {func} must have one value per day; got {x.size}, {v.size}, {e.size}.")
    if x.size == 0:
        raise InsufficientData(f"{func} needs at least one day.")
    if (v <= 0).any() or (e <= 0).any():
        raise InvalidInput(f"var and es of {func} must be positive loss amounts; a zero or negative value was given.")
    if (e < v).any():
        day = int(np.flatnonzero(e < v)[0])
        raise InvalidInput(f"es of {func} must be at least the VaR of the same day (ES is the mean loss beyond "
                           f"the VaR); day {day} has ES {e[day]:g} below VaR {v[day]:g}.")  # fmt: skip
    cov, p = _coverage(coverage, func)
    if distribution not in _ES_DISTRIBUTIONS:
        raise InvalidParameters(f"The 'distribution' parameter of {func} must be 'normal' or 't'; got {distribution!r}.")
    df = None
    if distribution == "t":
        df = 3.0 if degrees_of_freedom is None else float(degrees_of_freedom)
        if not df > 1:
            raise InvalidParameters(f"The 'degrees_of_freedom' parameter of {func} must be above 1; got {df!r}.")
    level = check_probability(test_level, "test_level", func)
    sims = check_int(n_simulations, "n_simulations", func, 100)
    seed = check_int(seed, "seed", func, 0)
    statistic = float(_z2(x, v, e, p)[()])
    var0, es0 = _standard_tail(distribution, df, p)
    rng = np.random.default_rng(seed)
    simulated = np.empty(sims)
    chunk = max(1, 2_000_000 // x.size)  # rows of T days per draw: bounded memory
    for start in range(0, sims, chunk):
        rows = min(chunk, sims - start)
        draw = rng.standard_normal((rows, x.size)) if df is None else rng.standard_t(df, (rows, x.size))
        simulated[start:start + rows] = _z2(draw, var0, es0, p)
    p_value = float((1 + np.count_nonzero(simulated <= statistic)) / (sims + 1))
    critical = float(np.quantile(simulated, 1.0 - level))
    return EsBacktestResult(statistic, p_value, critical, level, int(np.count_nonzero(x < -v)), int(x.size), cov,
                            distribution, df, sims, seed)  # fmt: skip
