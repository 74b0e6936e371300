"""Grade-level PD back-tests: :func:`binomial_test`, :func:`jeffreys_test`, :func:`hosmer_lemeshow`.

Each takes, per rating grade, the number of obligors ``n``, the number of them that defaulted
``defaults`` and the grade's PD ``pd``, each a scalar or a 1-D array (one value per grade; scalars
broadcast).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from mrmkit.stats._base import Result, check_probability, register
from mrmkit.stats.calibration._common import _grade_inputs, _out

__all__ = [
    "binomial_test",
    "jeffreys_test",
    "hosmer_lemeshow",
    "BinomialTestResult",
    "JeffreysTestResult",
    "HosmerLemeshowResult",
]

_FEW_EXPECTED = 5.0  # hosmer_lemeshow notes grades with fewer expected defaults (chi-square approximation)

Num = float | tuple[float, ...]
Int = int | tuple[int, ...]


# ----------------------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class BinomialTestResult(Result):
    """Scalars for scalar inputs, tuples (one entry per grade) for array inputs."""

    p_value: Num
    n: Int
    defaults: Int
    pd: Num
    observed_rate: Num
    expected_defaults: Num
    critical_defaults: Int
    alpha: float
    n_grades: int
    alternative: str


@dataclass(frozen=True, slots=True)
class JeffreysTestResult(Result):
    """Scalars for scalar inputs, tuples (one entry per grade) for array inputs."""

    p_value: Num
    n: Int
    defaults: Int
    pd: Num
    observed_rate: Num
    ci_lower: Num
    ci_upper: Num
    ci_level: float
    ci_method: str
    prior: str
    n_grades: int
    alternative: str


@dataclass(frozen=True, slots=True)
class HosmerLemeshowResult(Result):
    statistic: float
    df: int
    p_value: float
    contributions: tuple[float, ...]
    n: tuple[int, ...]
    defaults: tuple[int, ...]
    pd: tuple[float, ...]
    expected_defaults: tuple[float, ...]
    n_grades: int
    note: str | None


# ------------------------------------------------------------------------------------ grade level
@register("binomial_test")
def binomial_test(n: Any, defaults: Any, pd: Any, alpha: float = 0.05) -> BinomialTestResult:
    """One-sided exact binomial test of each grade's PD against its observed defaults.

    Parameters
    ----------
    n : int or array-like of int
        Obligors per grade at the start of the observation period (at least 1).
    defaults : int or array-like of int
        Obligors of ``n`` that defaulted during the period (0 to ``n``).
    pd : float or array-like of float
        The grade's PD, strictly between 0 and 1. Scalars broadcast against arrays.
    alpha : float, default 0.05
        Significance level used for ``critical_defaults`` only.

    Returns
    -------
    BinomialTestResult
        ``p_value``, ``observed_rate``, ``expected_defaults`` (``n * pd``) and ``critical_defaults``,
        scalars for scalar inputs and tuples (one per grade) otherwise, with ``alpha``.

    Purpose
    -------
    Tests, grade by grade, whether the number of defaults is too high for the PD assigned to the grade,
    i.e. whether the PD underestimates the default risk.

    Method
    ------
    H0: the grade's true default probability is at most ``pd`` (the PD is not underestimated); H1: it
    is higher. Under H0 with independent defaults, ``D ~ Binomial(n, pd)`` and the exact one-sided
    p-value is ``P(D >= defaults) = scipy.stats.binom.sf(defaults - 1, n, pd)`` (1 when there are no
    defaults). ``critical_defaults`` is the smallest ``c`` with ``P(D >= c) <= alpha``: H0 is rejected at
    ``alpha`` exactly when ``defaults >= c``; ``c = n + 1`` means that even ``n`` defaults would not
    reject. No continuity correction and no normal approximation.

    Signs of high risk
    ------------------
    Small p-values (below 5 %, or 1 % for a red flag), especially in several adjacent grades or in
    grades holding much of the exposure; observed rates above the PD in most grades even where no
    single test rejects.

    Strengths
    ---------
    Exact for any sample size; simple to explain; the test named for PD back-testing by the BCBS
    (2005) and the ECB (2019), together with the Jeffreys test.

    Limitations
    -----------
    Assumes independent defaults: default correlation makes it reject far too often in a downturn
    year. Per-grade tests on many grades raise the chance of some rejection by luck alone. One-sided:
    overestimated PDs are not flagged. Discrete, so the actual size is below ``alpha``.

    References
    ----------
    Basel Committee on Banking Supervision (2005). Studies on the validation of internal rating
    systems, Working Paper 14, section on calibration (binomial test).
    Tasche, D. (2008). Validation of internal rating systems and PD estimates. In: The Analytics of
    Risk Model Validation, Academic Press. arXiv:physics/0606071.
    European Central Bank (2019). Instructions for reporting the validation results of internal
    models, IRB Pillar I models for credit risk, section 2.5.3 (predictive ability).
    """
    a = check_probability(alpha, "alpha", "binomial_test")
    nn, dd, pp, scalar = _grade_inputs(n, defaults, pd, "binomial_test")
    p_value = stats.binom.sf(dd - 1, nn, pp)
    # smallest c with P(D >= c) = sf(c - 1) <= alpha; isf is corrected by one step either way for rounding
    c = np.clip(stats.binom.isf(a, nn, pp) + 1, 1, nn + 1)
    c = np.where(stats.binom.sf(c - 1, nn, pp) > a, c + 1, c)
    c = np.where((c >= 2) & (stats.binom.sf(c - 2, nn, pp) <= a), c - 1, c).astype(np.int64)
    return BinomialTestResult(
        p_value=_out(np.clip(p_value, 0.0, 1.0), scalar),
        n=_out(nn, scalar),
        defaults=_out(dd, scalar),
        pd=_out(pp, scalar),
        observed_rate=_out(dd / nn, scalar),
        expected_defaults=_out(nn * pp, scalar),
        critical_defaults=_out(c, scalar),
        alpha=a,
        n_grades=nn.size,
        alternative="greater: H0 the PD is not underestimated (true default probability <= pd)",
    )


@register("jeffreys_test")
def jeffreys_test(n: Any, defaults: Any, pd: Any, ci_level: float = 0.95) -> JeffreysTestResult:
    """Jeffreys test of each grade's PD (the ECB's PD back-test) with the Jeffreys interval.

    Parameters
    ----------
    n : int or array-like of int
        Obligors per grade at the start of the observation period (at least 1).
    defaults : int or array-like of int
        Obligors of ``n`` that defaulted during the period (0 to ``n``).
    pd : float or array-like of float
        The grade's PD, strictly between 0 and 1. Scalars broadcast against arrays.
    ci_level : float, default 0.95
        Level of the two-sided Jeffreys interval of the default rate.

    Returns
    -------
    JeffreysTestResult
        ``p_value``, ``observed_rate``, ``ci_lower`` and ``ci_upper``, scalars for scalar inputs and
        tuples (one per grade) otherwise, with ``ci_level``.

    Purpose
    -------
    Assesses, grade by grade, whether the PD is consistent with the observed defaults, in the form the
    ECB requires for the annual validation report; the interval feeds the calibration chart.

    Method
    ------
    With the Jeffreys prior Beta(1/2, 1/2) for the default rate, the posterior after ``defaults`` out of
    ``n`` is Beta(defaults + 1/2, n - defaults + 1/2). The p-value is that posterior's CDF at ``pd``,
    ``scipy.stats.beta.cdf(pd, defaults + 0.5, n - defaults + 0.5)`` (ECB 2019, section 2.5.3.1):
    H0 the PD is not underestimated; small values reject. The interval is the equal-tailed one of the
    same posterior, ``beta.ppf((1 -/+ ci_level) / 2, ...)`` (as statsmodels' ``proportion_confint(
    method="jeffreys")``), with the boundary modification of Brown, Cai and DasGupta (2001): the lower
    bound is 0 when there are no defaults and the upper bound 1 when all defaulted, so that the
    interval always contains the observed rate.

    Signs of high risk
    ------------------
    p-values below 5 % (the ECB's customary amber) or 1 %; a PD below the interval in many grades; a
    portfolio-level rejection.

    Strengths
    ---------
    Prescribed by the ECB; close to the binomial test but continuous in ``defaults`` and ``pd`` (no
    discreteness); the interval has good coverage even for few defaults.

    Limitations
    -----------
    As the binomial test: independence of defaults, one-sidedness, multiple grades. Its p-value is a
    posterior probability, which with zero defaults is still below 1 (not every grade can pass
    trivially), and it rewards overestimated PDs.

    References
    ----------
    European Central Bank (2019). Instructions for reporting the validation results of internal
    models, IRB Pillar I models for credit risk, section 2.5.3.1 (Jeffreys test).
    Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial proportion.
    Statistical Science 16(2), 101-133.
    Jeffreys, H. (1946). An invariant form for the prior probability in estimation problems.
    Proceedings of the Royal Society A 186, 453-461.
    """
    level = check_probability(ci_level, "ci_level", "jeffreys_test")
    nn, dd, pp, scalar = _grade_inputs(n, defaults, pd, "jeffreys_test")
    a, b = dd + 0.5, nn - dd + 0.5
    p_value = stats.beta.cdf(pp, a, b)
    lower = np.where(dd == 0, 0.0, stats.beta.ppf((1.0 - level) / 2.0, a, b))
    upper = np.where(dd == nn, 1.0, stats.beta.ppf((1.0 + level) / 2.0, a, b))
    return JeffreysTestResult(
        p_value=_out(p_value, scalar),
        n=_out(nn, scalar),
        defaults=_out(dd, scalar),
        pd=_out(pp, scalar),
        observed_rate=_out(dd / nn, scalar),
        ci_lower=_out(lower, scalar),
        ci_upper=_out(upper, scalar),
        ci_level=level,
        ci_method="equal-tailed Beta(d + 1/2, n - d + 1/2) quantiles; lower 0 if d = 0, upper 1 if d = n",
        prior="Jeffreys Beta(1/2, 1/2)",
        n_grades=nn.size,
        alternative="greater: H0 the PD is not underestimated (true default probability <= pd)",
    )


@register("hosmer_lemeshow")
def hosmer_lemeshow(n: Any, defaults: Any, pd: Any) -> HosmerLemeshowResult:
    """Hosmer-Lemeshow chi-square test of all grades' PDs at once.

    Parameters
    ----------
    n : array-like of int
        Obligors per grade (at least 1 each).
    defaults : array-like of int
        Defaults per grade (0 to ``n``).
    pd : array-like of float
        The grades' PDs, strictly between 0 and 1. Scalars broadcast against arrays.

    Returns
    -------
    HosmerLemeshowResult
        ``statistic``, ``df`` (the number of grades), ``p_value`` and each grade's ``contributions``.

    Purpose
    -------
    A joint, two-sided test of the calibration of the whole rating scale: are the observed defaults
    in all grades together consistent with the PDs?

    Method
    ------
    ``statistic = sum_k (d_k - n_k p_k)^2 / (n_k p_k (1 - p_k))`` over the K grades; under H0 (every
    PD is the true default probability, defaults independent) it is approximately chi-square with
    ``K`` degrees of freedom, because the PDs are given, not fitted on these data (the "-2" of the
    Hosmer-Lemeshow goodness-of-fit test for a fitted logistic model does not apply). The p-value is
    ``scipy.stats.chi2.sf(statistic, K)``. A note lists grades with fewer than 5 expected defaults,
    where the chi-square approximation is poor.

    Signs of high risk
    ------------------
    A p-value below 5 % (or 1 %); a statistic dominated by one or two grades (see
    ``contributions``), which points to where the scale is mis-calibrated.

    Strengths
    ---------
    One test for the whole scale, so no multiple-testing problem; detects over- and underestimation.

    Limitations
    -----------
    Asymptotic: unreliable with few expected defaults per grade; assumes independent defaults;
    two-sided, so conservative PDs also count against the model; the number of grades changes its
    power.

    References
    ----------
    Hosmer, D. W. & Lemeshow, S. (1980). Goodness of fit tests for the multiple logistic regression
    model. Communications in Statistics - Theory and Methods 9(10), 1043-1069.
    Basel Committee on Banking Supervision (2005). Studies on the validation of internal rating
    systems, Working Paper 14 (chi-square / Hosmer-Lemeshow test).
    Tasche, D. (2008). Validation of internal rating systems and PD estimates. In: The Analytics of
    Risk Model Validation, Academic Press. arXiv:physics/0606071.
    """
    nn, dd, pp, _ = _grade_inputs(n, defaults, pd, "hosmer_lemeshow")
    expected = nn * pp
    contributions = (dd - expected) ** 2 / (expected * (1.0 - pp))
    statistic = float(contributions.sum())
    k = nn.size
    few = np.flatnonzero(expected < _FEW_EXPECTED)
    note = None
    if few.size:
        note = (
            f"{few.size} grade(s) (positions {few[:10].tolist()}) have fewer than {_FEW_EXPECTED:g} expected "
            "defaults: the chi-square approximation may be poor there."
        )
    return HosmerLemeshowResult(
        statistic=statistic,
        df=k,
        p_value=float(stats.chi2.sf(statistic, k)),
        contributions=tuple(contributions.tolist()),
        n=tuple(nn.tolist()),
        defaults=tuple(dd.tolist()),
        pd=tuple(pp.tolist()),
        expected_defaults=tuple(expected.tolist()),
        n_grades=k,
        note=note,
    )
