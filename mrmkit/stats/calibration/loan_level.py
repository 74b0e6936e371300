"""Loan-level calibration statistics: :func:`spiegelhalter_test` and :func:`brier_score`.

Both take the 0/1 default flag ``y`` and each loan's ``pd``; :func:`brier_score` also takes grades for
Murphy's decomposition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from mrmkit.errors import InsufficientData
from mrmkit.stats._base import Result, dot, register
from mrmkit.stats.calibration._common import _factorize, _loan_inputs

__all__ = ["spiegelhalter_test", "brier_score", "SpiegelhalterResult", "BrierResult"]


# ----------------------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class SpiegelhalterResult(Result):
    z: float
    p_value: float
    brier: float
    expected_brier: float
    variance: float
    n: int
    n_defaults: int
    alternative: str


@dataclass(frozen=True, slots=True)
class BrierResult(Result):
    """``reliability`` and the terms after it are ``None`` when no grades were given."""

    value: float
    uncertainty: float
    n: int
    n_defaults: int
    reliability: float | None
    resolution: float | None
    within_grade_variance: float | None
    within_grade_covariance: float | None
    pd_constant_within_grades: bool | None
    grade_labels: tuple[Any, ...] | None
    grade_n: tuple[int, ...] | None
    grade_pd: tuple[float, ...] | None
    grade_default_rate: tuple[float, ...] | None


# ------------------------------------------------------------------------------------- loan level
@register("spiegelhalter_test")
def spiegelhalter_test(y: Any, pd: Any) -> SpiegelhalterResult:
    """Spiegelhalter's z test of calibration at the loan level.

    Parameters
    ----------
    y : array-like of 0/1 or bool
        Default flag per loan, 1 for a default.
    pd : array-like of float
        Each loan's PD, between 0 and 1.

    Returns
    -------
    SpiegelhalterResult
        ``z``, the two-sided ``p_value``, the ``brier`` score, its ``expected_brier`` and ``variance``
        under H0.

    Purpose
    -------
    Tests whether the individual PDs are the true default probabilities, without grouping loans
    into grades or bins.

    Method
    ------
    Under H0 (``y_i ~ Bernoulli(p_i)``, independent) the Brier score ``B = mean((y - p)^2)`` has
    expectation ``E = mean(p (1 - p))`` and variance ``V = sum(p (1 - p) (1 - 2 p)^2) / n^2``
    (Spiegelhalter 1986). ``z = (B - E) / sqrt(V)`` is referred to the standard normal, two-sided.
    The numerator is computed as ``mean((y - p)(1 - 2 p))``, which equals ``B - E`` exactly for 0/1
    outcomes and avoids cancellation (the form of ``rms::val.prob``). Loans with PD 0 or 1 add
    nothing to ``V``; if every PD is 0 or 1 the test is undefined (InsufficientData).

    Signs of high risk
    ------------------
    |z| above 1.96 (p below 5 %): positive z means the outcomes are further from the PDs than the PDs
    themselves imply (biased or over-confident PDs); negative z, that they are closer (PDs too
    moderate: the true risks are more extreme than the PDs say).

    Strengths
    ---------
    No binning; uses every loan's own PD; cheap for millions of loans.

    Limitations
    -----------
    Assumes independent defaults; with very many loans it rejects for immaterial miscalibration; a
    model can be wrong in opposite directions in different segments and still pass; says nothing
    about discrimination.

    References
    ----------
    Spiegelhalter, D. J. (1986). Probabilistic prediction in patient management and clinical trials.
    Statistics in Medicine 5(5), 421-433.
    Rufibach, K. (2010). Use of Brier score to assess binary predictions. Journal of Clinical
    Epidemiology 63(8), 938-939.
    Harrell, F. E. (2015). Regression Modeling Strategies, 2nd ed. Springer (``rms::val.prob``).
    """
    is_default, p = _loan_inputs(y, pd, "spiegelhalter_test")
    n = p.size
    yf = is_default.astype(np.float64)
    w = 1.0 - 2.0 * p
    q = p * (1.0 - p)
    variance = float(dot(q, w * w)) / (n * n)
    if variance <= 0.0:
        raise InsufficientData(
            "spiegelhalter_test is undefined when every pd is 0 or 1: the Brier score then has no variance under H0."
        )
    numerator = float(dot(yf - p, w)) / n
    z = numerator / math.sqrt(variance)
    resid = yf - p
    return SpiegelhalterResult(
        z=z,
        p_value=float(min(2.0 * stats.norm.sf(abs(z)), 1.0)),
        brier=float(dot(resid, resid)) / n,
        expected_brier=float(q.sum()) / n,
        variance=variance,
        n=n,
        n_defaults=int(is_default.sum()),
        alternative="two-sided",
    )


@register("brier_score")
def brier_score(y: Any, pd: Any, grades: Any = None) -> BrierResult:
    """Brier score of the PDs, with Murphy's decomposition over grades when they are given.

    Parameters
    ----------
    y : array-like of 0/1 or bool
        Default flag per loan, 1 for a default.
    pd : array-like of float
        Each loan's PD, between 0 and 1.
    grades : array-like, optional
        Each loan's grade (any labels, no missing values). Without it only ``value`` and
        ``uncertainty`` are computed.

    Returns
    -------
    BrierResult
        ``value``, ``uncertainty`` and, with grades, ``reliability``, ``resolution``, the two
        within-grade terms and the per-grade table (labels sorted where they sort).

    Purpose
    -------
    Measures the accuracy of the PDs as probability forecasts, and with grades splits it into
    calibration (reliability), discrimination (resolution) and the portfolio's inherent uncertainty.

    Method
    ------
    ``value = mean((p - y)^2)``; ``uncertainty = o (1 - o)`` with ``o`` the default rate. With grades
    k of n_k loans, mean PD ``p_k`` and default rate ``o_k``: ``reliability = sum n_k (p_k - o_k)^2 / N``,
    ``resolution = sum n_k (o_k - o)^2 / N`` (Murphy 1973). When PDs vary within a grade two terms are
    added so that the identity stays exact (Stephenson, Coelho & Jolliffe 2008):
    ``within_grade_variance = sum_i (p_i - p_k)^2 / N`` and
    ``within_grade_covariance = 2 sum_i (p_i - p_k)(y_i - o_k) / N``, and
    ``value = reliability - resolution + uncertainty + within_grade_variance - within_grade_covariance``.
    Both are exactly zero when the PD is constant within grades (``pd_constant_within_grades``).

    Signs of high risk
    ------------------
    A Brier score close to the uncertainty (no skill); a large reliability relative to the
    resolution; reliability concentrated in a few grades (compare ``grade_pd`` with
    ``grade_default_rate``).

    Strengths
    ---------
    A proper scoring rule; combines calibration and discrimination; decomposes for diagnosis.

    Limitations
    -----------
    Its level depends on the default rate, so values are not comparable across portfolios or years;
    not a test (see :func:`spiegelhalter_test`); dominated by the many non-defaults in low-default
    portfolios.

    References
    ----------
    Brier, G. W. (1950). Verification of forecasts expressed in terms of probability. Monthly Weather
    Review 78(1), 1-3.
    Murphy, A. H. (1973). A new vector partition of the probability score. Journal of Applied
    Meteorology 12(4), 595-600.
    Stephenson, D. B., Coelho, C. A. S. & Jolliffe, I. T. (2008). Two extra components in the Brier
    score decomposition. Weather and Forecasting 23(4), 752-757.
    Basel Committee on Banking Supervision (2005). Studies on the validation of internal rating
    systems, Working Paper 14.
    """
    is_default, p = _loan_inputs(y, pd, "brier_score")
    n = p.size
    yf = is_default.astype(np.float64)
    resid = p - yf
    value = float(dot(resid, resid)) / n
    o = float(yf.sum()) / n
    uncertainty = o * (1.0 - o)
    n_defaults = int(is_default.sum())
    if grades is None:
        return BrierResult(value, uncertainty, n, n_defaults, None, None, None, None, None, None, None, None, None)
    codes, labels = _factorize(grades, n, "brier_score")
    k = len(labels)
    nk = np.bincount(codes, minlength=k)
    pk = np.bincount(codes, weights=p, minlength=k) / nk
    ok = np.bincount(codes, weights=yf, minlength=k) / nk
    reliability = float(dot(nk, (pk - ok) ** 2)) / n
    resolution = float(dot(nk, (ok - o) ** 2)) / n
    dev = p - pk[codes]
    wbv = float(dot(dev, dev)) / n
    wbc = 2.0 * float(dot(dev, yf - ok[codes])) / n
    constant = bool(np.array_equal(p, p[_first(codes, k)][codes]))
    return BrierResult(
        value=value,
        uncertainty=uncertainty,
        n=n,
        n_defaults=n_defaults,
        reliability=reliability,
        resolution=resolution,
        within_grade_variance=wbv,
        within_grade_covariance=wbc,
        pd_constant_within_grades=constant,
        grade_labels=labels,
        grade_n=tuple(nk.tolist()),
        grade_pd=tuple(pk.tolist()),
        grade_default_rate=tuple(ok.tolist()),
    )


def _first(codes: np.ndarray, k: int) -> np.ndarray:
    """Index of the first row of each code 0..k-1."""
    first = np.full(k, codes.size, dtype=np.int64)
    np.minimum.at(first, codes, np.arange(codes.size))
    return first
