"""The exception series and the argument checks every backtest shares: :func:`var_exceptions` builds the
``hits`` indicator from P&L and VaR series, and the checks below read it back (its result or 0/1 values),
with the other numbers and the coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats._base import Result, check_probability, register

_VAR_SIGNS = ("positive", "negative")


@dataclass(frozen=True, slots=True, eq=False)  # eq=False: field-wise == on an array is ambiguous
class VarExceptionsResult(Result):
    hits: np.ndarray  # read-only
    exceptions: int
    n: int
    var_sign: str
    rule: str


# ----------------------------------------------------------------------------------- validation
def _missing_message(name: str, func: str, count: int) -> str:
    return (
        f"{name} of {func} has {count} missing value(s) (NaN/None); a day without a P&L, a VaR or an "
        "exception flag must be resolved explicitly before backtesting, not dropped silently."
    )


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
        raise InvalidInput(
            f"{name} of {func} must be finite; it has {int(inf.sum())} infinite value(s), first at position(s) {where}."
        )
    return arr


def _coverage(coverage: Any, func: str) -> tuple[float, float]:
    """The coverage and p = 1 - coverage, the subtraction done in decimal (0.99 gives p = 0.01, not 0.01000...009)."""
    cov = check_probability(coverage, "coverage", func)
    return cov, float(Decimal(1) - Decimal(repr(cov)))


def _chi2_sf(lr: float, df: int) -> float:
    return float(min(stats.chi2.sf(lr, df), 1.0))


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
        raise InvalidParameters(
            f"The 'var_sign' parameter of var_exceptions must be one of {list(_VAR_SIGNS)}; got {var_sign!r}."
        )
    p = _numbers(pnl, "pnl", func)
    v = _numbers(var, "var", func)
    if p.size != v.size:
        raise InvalidInput(
            f"pnl and var of var_exceptions must have one value per day each; got {p.size} P&L "
            f"value(s) and {v.size} VaR value(s)."
        )
    if p.size == 0:
        raise InsufficientData("var_exceptions needs at least one day of P&L and VaR; got none.")
    if var_sign == "positive" and (v < 0).all():
        raise InvalidInput(
            "var of var_exceptions is negative on every day, but var_sign='positive' expects VaR as "
            "a positive loss amount; pass var_sign='negative' if VaR is reported as a P&L quantile."
        )
    if var_sign == "negative" and (v > 0).all():
        raise InvalidInput(
            "var of var_exceptions is positive on every day, but var_sign='negative' expects VaR as "
            "a (negative) P&L quantile; pass var_sign='positive' if VaR is reported as a loss amount."
        )
    hits = p < -v if var_sign == "positive" else p < v
    hits.flags.writeable = False
    rule = "pnl < -var (loss exceeds VaR)" if var_sign == "positive" else "pnl < var (loss exceeds VaR)"
    return VarExceptionsResult(hits, int(np.count_nonzero(hits)), int(hits.size), var_sign, rule)
