"""Stability of a PD model's portfolio and discrimination: :func:`herfindahl` and :func:`auc_initial_test`.

:func:`herfindahl` measures the concentration of the portfolio in rating grades (and its change since
the initial validation); :func:`auc_initial_test` tests the current AUC against the AUC at the initial
validation. Grade migrations are in :mod:`mrmkit.stats.calibration.migration`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from mrmkit.errors import InsufficientData, InvalidInput
from mrmkit.stats._base import Result, check_probability, dot, register
from mrmkit.stats.calibration._common import _numbers
from mrmkit.stats.discrimination import _auc_parts

__all__ = ["herfindahl", "auc_initial_test", "HerfindahlResult", "AucInitialTestResult"]


# ----------------------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class HerfindahlResult(Result):
    """The ``*_initial`` fields and the test are ``None`` when no initial counts were given."""

    hi: float
    cv: float
    hhi: float
    n_grades: int
    counts: tuple[float, ...]
    shares: tuple[float, ...]
    hi_initial: float | None
    cv_initial: float | None
    hhi_initial: float | None
    counts_initial: tuple[float, ...] | None
    shares_initial: tuple[float, ...] | None
    statistic: float | None
    p_value: float | None
    alternative: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class AucInitialTestResult(Result):
    auc_initial: float
    auc_current: float
    difference: float
    variance: float
    standard_error: float
    statistic: float
    p_value: float
    alternative: str
    variance_method: str
    n_positive: int
    n_negative: int
    note: str | None


# -------------------------------------------------------------------------------------- stability
def _counts(x: Any, name: str, func: str) -> np.ndarray:
    arr = _numbers(x, name, func)
    if arr.ndim != 1:
        raise InvalidInput(f"{name} of {func} must be one count per grade (a one-dimensional array); got a scalar.")
    if arr.size < 2:
        raise InsufficientData(f"{func} needs at least two grades; {name} has {arr.size}.")
    if (arr < 0).any():
        raise InvalidInput(
            f"{name} of {func} must not be negative; grade(s) at position(s) "
            f"{np.flatnonzero(arr < 0)[:10].tolist()} are."
        )
    if arr.sum() <= 0:
        raise InsufficientData(f"{name} of {func} are all zero: there is no portfolio to measure.")
    return arr


def _concentration(counts: np.ndarray) -> tuple[np.ndarray, float, float, float]:
    k = counts.size
    shares = counts / counts.sum()
    cv = math.sqrt(k * float(np.sum((shares - 1.0 / k) ** 2)))
    hi = 1.0 + math.log((cv * cv + 1.0) / k) / math.log(k)
    return shares, cv, min(max(hi, 0.0), 1.0), float(dot(shares, shares))


@register("herfindahl")
def herfindahl(counts_current: Any, counts_initial: Any = None) -> HerfindahlResult:
    """Concentration of the portfolio in rating grades (ECB Herfindahl index) and its change.

    Parameters
    ----------
    counts_current : array-like of float
        Obligors (or exposure) per grade now, one non-negative value per grade, at least two grades.
    counts_initial : array-like of float, optional
        The same per grade at the initial validation (or development), same grades in the same order.
        When given, the ECB's test of an increase in concentration is run.

    Returns
    -------
    HerfindahlResult
        ``hi`` (ECB index, 0 = evenly spread, 1 = all in one grade), ``cv``, ``hhi`` (sum of squared
        shares) and the shares; with initial counts also their values, ``statistic`` and ``p_value``.

    Purpose
    -------
    Checks that the rating scale still spreads obligors over its grades (a scale whose obligors pile
    up in a few grades differentiates risk poorly) and that concentration has not grown since the
    initial validation.

    Method
    ------
    With K grades and shares ``R_i``: ``CV = sqrt(K sum (R_i - 1/K)^2)`` (the shares' coefficient of
    variation, population standard deviation) and ``HI = 1 + ln((CV^2 + 1) / K) / ln K``
    (ECB 2019, section 2.5.5, concentration in rating grades); since ``CV^2 + 1 = K sum R_i^2``, ``HI = 1 + ln(HHI) / ln K`` with the
    plain index ``HHI = sum R_i^2``, also reported. Test (H0: concentration has not increased):
    ``S = sqrt(K - 1) (CV_curr - CV_init) / sqrt(CV_curr^2 (0.5 + CV_curr^2))``, one-sided
    ``p = 1 - Phi(S)``, treating the initial CV as fixed. If the current shares are exactly even
    (``CV_curr = 0``) concentration cannot have risen: ``S = -inf`` (0 if both are even), ``p = 1``
    (0.5), with a note. Grades with zero count stay in K.

    Signs of high risk
    ------------------
    An HI well above the development value or above about 0.2-0.3; a p-value below 5 %; most
    obligors in one or two grades.

    Strengths
    ---------
    Simple, prescribed by the ECB, comparable over time for a fixed scale.

    Limitations
    -----------
    Depends on the number of grades; ignores which grades are crowded (crowding in the best grades
    is not the same risk as in the worst); the test ignores the sampling error of the initial CV and
    the sample sizes, and uses an asymptotic variance of the CV.

    References
    ----------
    European Central Bank (2019). Instructions for reporting the validation results of internal
    models, IRB Pillar I models for credit risk, section 2.5.5 (stability: concentration in rating
    grades).
    Herfindahl, O. C. (1950). Concentration in the steel industry. PhD dissertation, Columbia
    University.
    Hirschman, A. O. (1945). National Power and the Structure of Foreign Trade. University of
    California Press.
    """
    cur = _counts(counts_current, "counts_current", "herfindahl")
    shares, cv, hi, hhi = _concentration(cur)
    k = cur.size
    if counts_initial is None:
        return HerfindahlResult(
            hi,
            cv,
            hhi,
            k,
            tuple(cur.tolist()),
            tuple(shares.tolist()),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        )
    ini = _counts(counts_initial, "counts_initial", "herfindahl")
    if ini.size != k:
        raise InvalidInput(
            f"counts_initial and counts_current of herfindahl must cover the same grades; got {ini.size} "
            f"and {k} grades."
        )
    shares0, cv0, hi0, hhi0 = _concentration(ini)
    note = None
    if cv > 0.0:
        s = math.sqrt(k - 1) * (cv - cv0) / math.sqrt(cv * cv * (0.5 + cv * cv))
    elif cv0 > 0.0:
        s, note = -math.inf, "The current shares are exactly even (CV = 0): concentration cannot have increased."
    else:
        s, note = 0.0, "Both the current and the initial shares are exactly even (CV = 0): no change to test."
    return HerfindahlResult(
        hi=hi,
        cv=cv,
        hhi=hhi,
        n_grades=k,
        counts=tuple(cur.tolist()),
        shares=tuple(shares.tolist()),
        hi_initial=hi0,
        cv_initial=cv0,
        hhi_initial=hhi0,
        counts_initial=tuple(ini.tolist()),
        shares_initial=tuple(shares0.tolist()),
        statistic=float(s),
        p_value=float(stats.norm.sf(s)),
        alternative="greater: H0 the current concentration is not higher than the initial one",
        note=note,
    )


@register("auc_initial_test")
def auc_initial_test(auc_initial: float, y: Any, score: Any) -> AucInitialTestResult:
    """Test of a fall in discrimination: current AUC against the AUC at the initial validation.

    Parameters
    ----------
    auc_initial : float
        AUC of the model at its initial validation (or development), strictly between 0 and 1.
    y : array-like of 0/1 or bool
        Current default flags, 1 for a default.
    score : array-like of float
        Current scores or PDs; higher means more likely to default.

    Returns
    -------
    AucInitialTestResult
        ``auc_current``, ``difference`` (initial minus current), ``variance`` and ``standard_error`` of
        the current AUC, ``statistic`` and the one-sided ``p_value``.

    Purpose
    -------
    Tells whether the model's ranking power on the current data is significantly below what it was
    when the model was approved.

    Method
    ------
    ``S = (AUC_init - AUC_curr) / s_curr`` and ``p = 1 - Phi(S)``: H0 the discriminatory power has not
    deteriorated (ECB 2019, section 2.5.4, current AUC against the AUC at the initial validation).
    ``AUC_curr`` and its variance
    ``s_curr^2`` are those of :func:`mrmkit.stats.auc` on the current data: ties count one half and the
    variance is DeLong's, ``S10 / m + S01 / n`` from the sample (n - 1) variances of the placements.
    The initial AUC is treated as a fixed number (its own sampling error is ignored). The ECB
    instructions state their own estimator of the AUC's variance (Annex 1); DeLong's is used here for
    consistency with the rest of mrmkit. Both estimate the variance of the same Mann-Whitney
    statistic, but small-sample results can differ slightly from a literal implementation of the
    Annex. With zero variance (complete separation) S is infinite (or 0 when the AUCs
    are equal) and a note says so.

    Signs of high risk
    ------------------
    A p-value below 5 % (1 % red); a current AUC below the initial one by more than about 0.05 even
    where the test does not reject (small samples).

    Strengths
    ---------
    Uses only the current data and one recorded number; prescribed by the ECB; same AUC definition
    and variance as the rest of the toolkit.

    Limitations
    -----------
    Ignores the uncertainty of the initial AUC; asymptotic normal approximation, poor with few
    defaults; a change in the portfolio mix moves the AUC without any change in the model.

    References
    ----------
    European Central Bank (2019). Instructions for reporting the validation results of internal
    models, IRB Pillar I models for credit risk, section 2.5.4 (discriminatory power) and Annex 1.
    DeLong, E. R., DeLong, D. M. & Clarke-Pearson, D. L. (1988). Comparing the areas under two or more
    correlated receiver operating characteristic curves: a nonparametric approach. Biometrics 44(3),
    837-845.
    Sun, X. & Xu, W. (2014). Fast implementation of DeLong's algorithm. IEEE Signal Processing
    Letters 21(11), 1389-1393.
    """
    a0 = check_probability(auc_initial, "auc_initial", "auc_initial_test")
    cur = _auc_parts(y, score, 0.95, "auc_initial_test")
    if math.isnan(cur.variance):
        raise InsufficientData(
            f"auc_initial_test needs at least two defaults and two non-defaults for DeLong's "
            f"variance; got {cur.n_positive} and {cur.n_negative}."
        )
    d = a0 - cur.value
    note = None
    if cur.variance > 0.0:
        s = d / math.sqrt(cur.variance)
    elif d == 0.0:
        s, note = 0.0, "The current AUC's variance is zero and it equals the initial AUC: S = 0."
    else:
        s = math.copysign(math.inf, d)
        note = "The current AUC's variance is zero (complete separation): the test is degenerate."
    return AucInitialTestResult(
        auc_initial=a0,
        auc_current=cur.value,
        difference=d,
        variance=cur.variance,
        standard_error=math.sqrt(cur.variance),
        statistic=float(s),
        p_value=float(stats.norm.sf(s)),
        alternative="greater: H0 the current AUC is not below the initial AUC",
        variance_method="DeLong (1988), sample (n - 1) variances of the placements, as mrmkit.stats.auc",
        n_positive=cur.n_positive,
        n_negative=cur.n_negative,
        note=note,
    )
