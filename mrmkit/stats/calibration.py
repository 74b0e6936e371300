"""Calibration and stability of PD models: the back-tests of a PD validation.

Grade-level tests take, per rating grade, the number of obligors ``n``, the number of them that
defaulted ``defaults`` and the grade's PD ``pd``, each a scalar or a 1-D array (one value per grade;
scalars broadcast): :func:`binomial_test`, :func:`jeffreys_test`, :func:`hosmer_lemeshow`.
Loan-level statistics take the 0/1 default flag ``y`` and each loan's ``pd``:
:func:`spiegelhalter_test`, :func:`brier_score`. Stability: :func:`herfindahl` (concentration in
grades), :func:`auc_initial_test` (discrimination against the initial validation) and
:func:`migration_matrix` (grade migrations). :func:`equal_population_grades`,
:func:`equal_population_bounds`, :func:`grades_from_bands` and :func:`grade_summary` are plain helpers
(not registered statistics) that assign grades and count obligors and defaults per grade.

Conventions: a default is ``y == 1``; grades are ordered from the best (lowest PD) to the worst; a
move to a later grade in that order is a downgrade. Nothing here modifies its inputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd  # not usable inside the functions whose PD argument is named ``pd`` (contract)
from scipy import stats

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats._base import Result, check_int, check_probability, dot, jsonable, register
from mrmkit.stats.discrimination import _auc_parts, _binary, _scores

__all__ = [
    "binomial_test", "jeffreys_test", "hosmer_lemeshow", "spiegelhalter_test", "brier_score", "herfindahl",
    "auc_initial_test", "migration_matrix", "equal_population_grades", "equal_population_bounds", "grades_from_bands",
    "grade_summary",
    "BinomialTestResult", "JeffreysTestResult", "HosmerLemeshowResult", "SpiegelhalterResult", "BrierResult",
    "HerfindahlResult", "AucInitialTestResult", "MigrationMatrixResult", "GradeAssignment", "GradeSummary",
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


@dataclass(frozen=True, slots=True)
class MigrationMatrixResult(Result):
    """Rows are the grade at the start (``grades_from``), columns the grade at the end."""

    labels: tuple[Any, ...]
    counts: tuple[tuple[int, ...], ...]
    row_totals: tuple[int, ...]
    column_totals: tuple[int, ...]
    row_shares: tuple[tuple[float, ...], ...]
    n: int
    stayers: int
    upgrades: int
    downgrades: int
    diagonal_share: float
    upgrade_share: float
    downgrade_share: float
    row_diagonal_share: tuple[float, ...]
    row_upgrade_share: tuple[float, ...]
    row_downgrade_share: tuple[float, ...]
    empty_rows: tuple[Any, ...]
    mwb_upper: float
    mwb_lower: float
    direction: str
    note: str | None


@dataclass(frozen=True, slots=True, eq=False)
class GradeAssignment(Result):
    """Per-loan grades and the summary of the assignment.

    ``grades`` holds one label per loan (a read-only array); ``to_dict()`` leaves it out, since it is
    data rather than a result. Labels are listed in ``labels`` from the best grade (lowest PD) to the
    worst, which is the ``order`` to pass to :func:`migration_matrix` and :func:`grade_summary`.
    """

    grades: np.ndarray
    labels: tuple[Any, ...]
    counts: tuple[int, ...]
    pd_min: tuple[float, ...]
    pd_max: tuple[float, ...]
    upper_bounds: tuple[float, ...] | None
    method: str
    n_grades_requested: int
    n_grades_used: int
    n: int
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return {f.name: jsonable(getattr(self, f.name)) for f in fields(self) if f.name != "grades"}


@dataclass(frozen=True, slots=True)
class GradeSummary(Result):
    labels: tuple[Any, ...]
    n: tuple[int, ...]
    defaults: tuple[int, ...]
    pd: tuple[float, ...]
    default_rate: tuple[float, ...]
    n_total: int
    defaults_total: int
    pd_method: str


# ------------------------------------------------------------------------------------- validation
def _numbers(x: Any, name: str, func: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name} of {func} must be numbers: {exc}.") from exc
    if arr.ndim > 1:
        raise InvalidInput(f"{name} of {func} must be a number or a one-dimensional array; got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise InvalidInput(f"{name} of {func} must be finite numbers; it has {int((~np.isfinite(arr)).sum())} "
                           "missing or infinite value(s).")
    return arr


def _grade_inputs(n: Any, defaults: Any, pd_: Any, func: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """Per-grade counts and PDs as int64, int64, float64 arrays of one length; ``scalar`` if all were scalars."""
    arrs = [_numbers(v, name, func) for v, name in ((n, "n"), (defaults, "defaults"), (pd_, "pd"))]
    scalar = all(a.ndim == 0 for a in arrs)
    lengths = {a.size for a in arrs if a.ndim == 1}
    if len(lengths) > 1:
        raise InvalidInput(f"n, defaults and pd of {func} must have one value per grade (or be scalars); got "
                           f"lengths {[a.size if a.ndim else 'scalar' for a in arrs]}.")
    k = lengths.pop() if lengths else 1
    if k == 0:
        raise InsufficientData(f"{func} needs at least one grade; got empty arrays.")
    nn, dd, pp = (np.broadcast_to(a, (k,)) for a in arrs)
    for arr, name in ((nn, "n"), (dd, "defaults")):
        frac = arr != np.round(arr)
        if frac.any():
            raise InvalidInput(f"{name} of {func} must be whole numbers; grade(s) at position(s) "
                               f"{np.flatnonzero(frac)[:10].tolist()} are not.")
    empty = nn < 1
    if empty.any():
        raise InsufficientData(f"n of {func} must be at least 1 in every grade; grade(s) at position(s) "
                               f"{np.flatnonzero(empty)[:10].tolist()} have no obligors. Drop empty grades first.")
    bad = (dd < 0) | (dd > nn)
    if bad.any():
        raise InvalidInput(f"defaults of {func} must be between 0 and n in every grade; grade(s) at position(s) "
                           f"{np.flatnonzero(bad)[:10].tolist()} are not.")
    bad = (pp <= 0.0) | (pp >= 1.0)
    if bad.any():
        raise InvalidInput(f"pd of {func} must be strictly between 0 and 1 in every grade (a PD of 0 or 1 makes "
                           f"the test degenerate); grade(s) at position(s) {np.flatnonzero(bad)[:10].tolist()} "
                           "are not.")
    return nn.astype(np.int64), dd.astype(np.int64), pp.astype(np.float64), scalar


def _out(arr: np.ndarray, scalar: bool) -> Any:
    values = arr.tolist()
    return values[0] if scalar else tuple(values)


def _loan_inputs(y: Any, pd_: Any, func: str) -> tuple[np.ndarray, np.ndarray]:
    """0/1 outcomes as bool and PDs in [0, 1] as float64, one per loan."""
    is_default = _binary(y, func)
    if is_default.size == 0:
        raise InsufficientData(f"{func} needs at least one loan; y is empty.")
    p = _scores(pd_, is_default.size, "pd", func)
    bad = (p < 0.0) | (p > 1.0)
    if bad.any():
        raise InvalidInput(f"pd of {func} must be probabilities between 0 and 1; {int(bad.sum())} value(s) are not "
                           f"(e.g. {p[bad][:3].tolist()}).")
    return is_default, p


def _labels(values: Any, name: str, func: str) -> np.ndarray:
    arr = values.to_numpy() if isinstance(values, (pd.Series, pd.Index)) else np.asarray(values)
    if arr.ndim != 1:
        raise InvalidInput(f"{name} of {func} must be one-dimensional; got shape {arr.shape}.")
    return arr


def _codes(values: np.ndarray, order: tuple[Any, ...], name: str, func: str) -> np.ndarray:
    """Position of each value in ``order``; missing or unknown labels are errors naming them."""
    missing = pd.isna(values)
    if missing.any():
        raise InvalidInput(f"{name} of {func} has {int(missing.sum())} missing value(s); assign every row a grade "
                           "or remove those rows first.")
    codes = pd.Index(order, dtype=object).get_indexer(values)
    unknown = codes < 0
    if unknown.any():
        found = sorted(map(str, pd.unique(values[unknown])))[:10]
        raise InvalidInput(f"{name} of {func} has labels that are not in order: {found}; order is {list(order)}.")
    return codes


def _order(order: Any, func: str, minimum: int = 2) -> tuple[Any, ...]:
    if isinstance(order, (str, bytes)) or not hasattr(order, "__iter__"):
        raise InvalidParameters(f"The 'order' parameter of {func} must be a sequence of grade labels from the best "
                                f"to the worst grade; got {order!r}.")
    labels = tuple(v.item() if isinstance(v, np.generic) else v for v in order)
    if len(labels) < minimum or len(set(labels)) != len(labels) or any(pd.isna(v) for v in labels):
        raise InvalidParameters(f"The 'order' parameter of {func} must list at least {minimum} distinct, non-missing "
                                f"grade label(s); got {list(labels)!r}.")
    return labels


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
        p_value=_out(np.clip(p_value, 0.0, 1.0), scalar), n=_out(nn, scalar), defaults=_out(dd, scalar),
        pd=_out(pp, scalar), observed_rate=_out(dd / nn, scalar), expected_defaults=_out(nn * pp, scalar),
        critical_defaults=_out(c, scalar), alpha=a, n_grades=nn.size,
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
        p_value=_out(p_value, scalar), n=_out(nn, scalar), defaults=_out(dd, scalar), pd=_out(pp, scalar),
        observed_rate=_out(dd / nn, scalar), ci_lower=_out(lower, scalar), ci_upper=_out(upper, scalar),
        ci_level=level, ci_method="equal-tailed Beta(d + 1/2, n - d + 1/2) quantiles; lower 0 if d = 0, upper 1 if d = n",
        prior="Jeffreys Beta(1/2, 1/2)", n_grades=nn.size,
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
        note = (f"{few.size} grade(s) (positions {few[:10].tolist()}) have fewer than {_FEW_EXPECTED:g} expected "
                "defaults: the chi-square approximation may be poor there.")
    return HosmerLemeshowResult(
        statistic=statistic, df=k, p_value=float(stats.chi2.sf(statistic, k)),
        contributions=tuple(contributions.tolist()), n=tuple(nn.tolist()), defaults=tuple(dd.tolist()),
        pd=tuple(pp.tolist()), expected_defaults=tuple(expected.tolist()), n_grades=k, note=note,
    )


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
        raise InsufficientData("spiegelhalter_test is undefined when every pd is 0 or 1: the Brier score then has "
                               "no variance under H0.")
    numerator = float(dot(yf - p, w)) / n
    z = numerator / math.sqrt(variance)
    resid = yf - p
    return SpiegelhalterResult(
        z=z, p_value=float(min(2.0 * stats.norm.sf(abs(z)), 1.0)), brier=float(dot(resid, resid)) / n,
        expected_brier=float(q.sum()) / n, variance=variance, n=n, n_defaults=int(is_default.sum()),
        alternative="two-sided",
    )


def _factorize(grades: Any, n: int, func: str) -> tuple[np.ndarray, tuple[Any, ...]]:
    arr = _labels(grades, "grades", func)
    if arr.size != n:
        raise InvalidInput(f"grades of {func} must have one value per element of y ({n}); got {arr.size}.")
    if pd.isna(arr).any():
        raise InvalidInput(f"grades of {func} has {int(pd.isna(arr).sum())} missing value(s); assign every loan a "
                           "grade first.")
    try:
        codes, uniques = pd.factorize(arr, sort=True)
    except TypeError:  # labels of mixed types do not sort: keep first-appearance order
        codes, uniques = pd.factorize(arr, sort=False)
    return codes, tuple(v.item() if isinstance(v, np.generic) else v for v in np.asarray(uniques, dtype=object))


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
        value=value, uncertainty=uncertainty, n=n, n_defaults=n_defaults, reliability=reliability,
        resolution=resolution, within_grade_variance=wbv, within_grade_covariance=wbc,
        pd_constant_within_grades=constant, grade_labels=labels, grade_n=tuple(nk.tolist()),
        grade_pd=tuple(pk.tolist()), grade_default_rate=tuple(ok.tolist()),
    )


def _first(codes: np.ndarray, k: int) -> np.ndarray:
    """Index of the first row of each code 0..k-1."""
    first = np.full(k, codes.size, dtype=np.int64)
    np.minimum.at(first, codes, np.arange(codes.size))
    return first


# -------------------------------------------------------------------------------------- stability
def _counts(x: Any, name: str, func: str) -> np.ndarray:
    arr = _numbers(x, name, func)
    if arr.ndim != 1:
        raise InvalidInput(f"{name} of {func} must be one count per grade (a one-dimensional array); got a scalar.")
    if arr.size < 2:
        raise InsufficientData(f"{func} needs at least two grades; {name} has {arr.size}.")
    if (arr < 0).any():
        raise InvalidInput(f"{name} of {func} must not be negative; grade(s) at position(s) "
                           f"{np.flatnonzero(arr < 0)[:10].tolist()} are.")
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
        return HerfindahlResult(hi, cv, hhi, k, tuple(cur.tolist()), tuple(shares.tolist()), None, None, None,
                                None, None, None, None, None, None)
    ini = _counts(counts_initial, "counts_initial", "herfindahl")
    if ini.size != k:
        raise InvalidInput(f"counts_initial and counts_current of herfindahl must cover the same grades; got {ini.size} "
                           f"and {k} grades.")
    shares0, cv0, hi0, hhi0 = _concentration(ini)
    note = None
    if cv > 0.0:
        s = math.sqrt(k - 1) * (cv - cv0) / math.sqrt(cv * cv * (0.5 + cv * cv))
    elif cv0 > 0.0:
        s, note = -math.inf, "The current shares are exactly even (CV = 0): concentration cannot have increased."
    else:
        s, note = 0.0, "Both the current and the initial shares are exactly even (CV = 0): no change to test."
    return HerfindahlResult(
        hi=hi, cv=cv, hhi=hhi, n_grades=k, counts=tuple(cur.tolist()), shares=tuple(shares.tolist()),
        hi_initial=hi0, cv_initial=cv0, hhi_initial=hhi0, counts_initial=tuple(ini.tolist()),
        shares_initial=tuple(shares0.tolist()), statistic=float(s), p_value=float(stats.norm.sf(s)),
        alternative="greater: H0 the current concentration is not higher than the initial one", note=note,
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
        raise InsufficientData(f"auc_initial_test needs at least two defaults and two non-defaults for DeLong's "
                               f"variance; got {cur.n_positive} and {cur.n_negative}.")
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
        auc_initial=a0, auc_current=cur.value, difference=d, variance=cur.variance,
        standard_error=math.sqrt(cur.variance), statistic=float(s), p_value=float(stats.norm.sf(s)),
        alternative="greater: H0 the current AUC is not below the initial AUC",
        variance_method="DeLong (1988), sample (n - 1) variances of the placements, as mrmkit.stats.auc",
        n_positive=cur.n_positive, n_negative=cur.n_negative, note=note,
    )


@register("migration_matrix")
def migration_matrix(grades_from: Any, grades_to: Any, order: Any) -> MigrationMatrixResult:
    """Grade migration matrix with upgrade and downgrade shares and the ECB's matrix weighted bandwidth.

    Parameters
    ----------
    grades_from : array-like
        Each obligor's grade at the start of the period.
    grades_to : array-like
        The same obligors' grades at the end (same length, same row order).
    order : sequence
        All grade labels from the best grade (lowest PD) to the worst; every label in the data must
        be listed. Grades with no obligors are kept as empty rows and columns.

    Returns
    -------
    MigrationMatrixResult
        ``counts`` and ``row_shares`` (rows = start grade), totals, shares on, below and above the
        diagonal overall and per row, ``mwb_upper`` and ``mwb_lower``.

    Purpose
    -------
    Shows how stable the ratings are over the period: how many obligors keep their grade, how many
    are upgraded or downgraded and how far they move.

    Method
    ------
    Rows are indexed by the start grade i and columns by the end grade j, both in ``order``. Since
    ``order`` runs from best to worst, ``j > i`` (above the diagonal) is a downgrade and ``j < i``
    (below) an upgrade. Row shares are ``n_ij / N_i``; a row with ``N_i = 0`` is reported as empty
    (shares NaN, listed in ``empty_rows``), never divided by zero. Overall shares are over all
    obligors. Matrix weighted bandwidth (ECB 2019, section 2.5.5.1), with K grades numbered 1..K:
    ``MWB_upper = sum_{i<j} |i - j| N_i p_ij / M_upper``, ``M_upper = sum_{i=1}^{K-1} max(|i - K|, |i - 1|)
    N_i sum_{j>i} p_ij``, and ``MWB_lower`` the same over ``i > j`` with ``i = 2..K``; 1 means every
    migration went as far as possible, small values mean migrations of one notch. It is NaN (with a
    note) when there is no migration on that side.

    Signs of high risk
    ------------------
    A low diagonal share (unstable ratings, possibly point-in-time behaviour where through-the-cycle
    is claimed); large MWB (jumps of many notches); downgrades far outweighing upgrades.

    Strengths
    ---------
    Transparent; the ECB's summary measures come with the full matrix behind them.

    Limitations
    -----------
    Only obligors present at both dates are counted (attrition and new business are invisible);
    the shares depend on the number of grades and the length of the period; no significance test here.

    References
    ----------
    European Central Bank (2019). Instructions for reporting the validation results of internal
    models, IRB Pillar I models for credit risk, section 2.5.5.1 (customer migrations).
    Jafry, Y. & Schuermann, T. (2004). Measurement, estimation and comparison of credit migration
    matrices. Journal of Banking & Finance 28(11), 2603-2639.
    """
    labels = _order(order, "migration_matrix")
    k = len(labels)
    src = _labels(grades_from, "grades_from", "migration_matrix")
    dst = _labels(grades_to, "grades_to", "migration_matrix")
    if src.size != dst.size:
        raise InvalidInput(f"grades_from and grades_to of migration_matrix must have one value per obligor each; got "
                           f"{src.size} and {dst.size}.")
    if src.size == 0:
        raise InsufficientData("migration_matrix needs at least one obligor; got none.")
    i = _codes(src, labels, "grades_from", "migration_matrix")
    j = _codes(dst, labels, "grades_to", "migration_matrix")
    counts = np.bincount(i * k + j, minlength=k * k).reshape(k, k)
    rows = counts.sum(axis=1)
    cols = counts.sum(axis=0)
    n = int(rows.sum())
    upper = np.triu(counts, 1)  # j > i: to a worse grade
    lower = np.tril(counts, -1)  # j < i: to a better grade
    stay = int(np.trace(counts))
    down, up = int(upper.sum()), int(lower.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(rows[:, None] > 0, counts / np.where(rows > 0, rows, 1)[:, None], np.nan)
        r = np.where(rows > 0, rows, np.nan)
        row_diag, row_up, row_down = np.diag(counts) / r, lower.sum(axis=1) / r, upper.sum(axis=1) / r
    idx = np.arange(k)
    dist = np.abs(idx[:, None] - idx[None, :])
    reach = np.maximum(k - 1 - idx, idx)  # max(|i - K|, |i - 1|) with 0-based i
    notes = []
    m_up = float(dot(reach, upper.sum(axis=1)))
    m_lo = float(dot(reach, lower.sum(axis=1)))
    if m_up > 0:
        mwb_upper = float((dist * upper).sum()) / m_up
    else:
        mwb_upper = math.nan
        notes.append("no migration above the diagonal (no downgrade): mwb_upper is undefined")
    if m_lo > 0:
        mwb_lower = float((dist * lower).sum()) / m_lo
    else:
        mwb_lower = math.nan
        notes.append("no migration below the diagonal (no upgrade): mwb_lower is undefined")
    empty = tuple(labels[t] for t in np.flatnonzero(rows == 0))
    if empty:
        notes.append(f"{len(empty)} start grade(s) have no obligors: {list(empty)[:10]}")
    return MigrationMatrixResult(
        labels=labels, counts=tuple(tuple(r_) for r_ in counts.tolist()), row_totals=tuple(rows.tolist()),
        column_totals=tuple(cols.tolist()), row_shares=tuple(tuple(r_) for r_ in shares.tolist()), n=n,
        stayers=stay, upgrades=up, downgrades=down, diagonal_share=stay / n, upgrade_share=up / n,
        downgrade_share=down / n, row_diagonal_share=tuple(row_diag.tolist()),
        row_upgrade_share=tuple(row_up.tolist()), row_downgrade_share=tuple(row_down.tolist()), empty_rows=empty,
        mwb_upper=mwb_upper, mwb_lower=mwb_lower,
        direction="order runs from the best to the worst grade; above the diagonal (to a later grade) is a "
                  "downgrade, below it an upgrade; mwb_upper measures downgrades, mwb_lower upgrades",
        note=_sentence(notes),
    )


def _sentence(parts: list[str]) -> str | None:
    if not parts:
        return None
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


# ------------------------------------------------------------------------------ grade assignment
def _pd_array(pd_: Any, func: str) -> np.ndarray:
    arr = _numbers(pd_, "pd", func)
    if arr.ndim != 1:
        raise InvalidInput(f"pd of {func} must be one PD per loan (a one-dimensional array); got a scalar.")
    if arr.size == 0:
        raise InsufficientData(f"{func} needs at least one PD; got none.")
    bad = (arr < 0.0) | (arr > 1.0)
    if bad.any():
        raise InvalidInput(f"pd of {func} must be probabilities between 0 and 1; {int(bad.sum())} value(s) are not.")
    return arr


def _assignment(p: np.ndarray, codes: np.ndarray, labels: tuple[Any, ...], upper: tuple[float, ...] | None,
                method: str, requested: int, note: str | None) -> GradeAssignment:
    k = len(labels)
    counts = np.bincount(codes, minlength=k)
    lo = np.full(k, np.inf)
    hi = np.full(k, -np.inf)
    np.minimum.at(lo, codes, p)
    np.maximum.at(hi, codes, p)
    lo[counts == 0] = np.nan
    hi[counts == 0] = np.nan
    grades = np.asarray(labels, dtype=object if any(isinstance(v, str) for v in labels) else None)[codes]
    grades.flags.writeable = False
    return GradeAssignment(grades, labels, tuple(counts.tolist()), tuple(lo.tolist()), tuple(hi.tolist()), upper,
                           method, requested, int((counts > 0).sum()), p.size, note)


def equal_population_grades(pd: Any, n_grades: int) -> GradeAssignment:
    """Grades 1..K of (nearly) equal size by rank of PD, ties kept in one grade.

    Parameters
    ----------
    pd : array-like of float
        Each loan's PD, between 0 and 1, no missing values.
    n_grades : int
        Number of grades requested, at least 1.

    Returns
    -------
    GradeAssignment
        ``grades`` (1 = lowest PDs = best, up to ``n_grades_used``), ``counts``, ``pd_min``, ``pd_max``.

    Notes
    -----
    Deterministic: the PDs are sorted (stably), the loan at sorted position ``r`` (0-based) of ``N``
    is given the target grade ``floor(r K / N) + 1``, and every loan gets the target grade of the
    first loan with the same PD, so equal PDs never straddle two grades. A large block of equal PDs
    therefore makes its grade larger and can leave a later target grade empty; grades are then
    renumbered consecutively, ``n_grades_used`` is below ``n_grades`` and a note says so. Grade
    boundaries are the ``pd_max`` of each grade (right-closed, as :func:`grades_from_bands`).
    """
    k = check_int(n_grades, "n_grades", "equal_population_grades", 1)
    p = _pd_array(pd, "equal_population_grades")
    n = p.size
    order = np.argsort(p, kind="stable")
    s = p[order]
    target = (np.arange(n, dtype=np.int64) * k) // n
    run_start = np.empty(n, dtype=bool)
    run_start[0] = True
    np.not_equal(s[1:], s[:-1], out=run_start[1:])
    first = np.maximum.accumulate(np.where(run_start, np.arange(n), 0))
    g = target[first]
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(g[1:], g[:-1], out=new[1:])
    dense = np.cumsum(new) - 1  # consecutive 0-based grades in PD order
    codes = np.empty(n, dtype=np.int64)
    codes[order] = dense
    used = int(dense[-1]) + 1
    note = None
    if used < k:
        note = (f"Ties in the PDs left {k - used} of the {k} requested grades empty; the {used} grades used are "
                f"numbered 1 to {used}.")
    return _assignment(p, codes, tuple(range(1, used + 1)), None,
                       "equal population by PD rank (stable sort), ties kept in the grade of their first member",
                       k, note)


def equal_population_bounds(pd: Any, n_grades: int) -> tuple[float, ...]:
    """Upper PD bounds of :func:`equal_population_grades`, to cut other samples the same way.

    Parameters
    ----------
    pd : array-like of float
        The PDs the grades are cut on (e.g. the development or reference sample).
    n_grades : int
        Number of grades requested, at least 1.

    Returns
    -------
    tuple of float
        One upper bound per grade used: the largest PD of each equal-population grade, except the
        last, which is 1.0 so that any PD falls into a band. ``grades_from_bands(pd, bounds)`` on the
        same PDs gives exactly the grades of ``equal_population_grades(pd, n_grades)``, because equal
        PDs never straddle two grades and bands are right-closed.
    """
    g = equal_population_grades(pd, n_grades)
    return (*g.pd_max[:-1], 1.0)


def grades_from_bands(pd: Any, upper_bounds: Any, labels: Any = None) -> GradeAssignment:
    """Grades from a master scale of PD bands, right-closed: ``upper[k-1] < pd <= upper[k]``.

    Parameters
    ----------
    pd : array-like of float
        Each loan's PD, between 0 and 1, no missing values.
    upper_bounds : sequence of float
        Strictly increasing upper bounds of the bands, best band first; the last must be at least the
        largest PD (use 1.0 to be safe).
    labels : sequence, optional
        One distinct label per band; default 1..K.

    Returns
    -------
    GradeAssignment
        ``grades`` (labels), ``counts`` per band (empty bands kept), ``pd_min``, ``pd_max`` and the
        ``upper_bounds``.

    Notes
    -----
    Band k holds ``upper_bounds[k-1] < pd <= upper_bounds[k]``, the first band everything up to its
    bound, via ``numpy.searchsorted(upper_bounds, pd, side="left")``. A PD above the last bound is an
    error, never silently put into the last band.
    """
    func = "grades_from_bands"
    try:
        ub = np.asarray(upper_bounds, dtype=np.float64)
    except (TypeError, ValueError):
        ub = np.array([np.nan])
    if ub.ndim != 1 or ub.size < 1 or not np.isfinite(ub).all() or (np.diff(ub) <= 0).any():
        raise InvalidParameters(f"The 'upper_bounds' parameter of {func} must be a non-empty sequence of strictly "
                                f"increasing finite numbers; got {upper_bounds!r}.")
    k = ub.size
    if labels is None:
        names: tuple[Any, ...] = tuple(range(1, k + 1))
    else:
        names = tuple(v.item() if isinstance(v, np.generic) else v for v in labels)
        if len(names) != k or len(set(names)) != k:
            raise InvalidParameters(f"The 'labels' parameter of {func} must give {k} distinct labels, one per band; "
                                    f"got {list(names)!r}.")
    p = _pd_array(pd, func)
    codes = np.searchsorted(ub, p, side="left")
    above = codes >= k
    if above.any():
        raise InvalidInput(f"pd of {func} has {int(above.sum())} value(s) above the last upper bound {ub[-1]:g} "
                           f"(largest {float(p.max()):g}); add a band up to 1.0.")
    empty = int((np.bincount(codes, minlength=k) == 0).sum())
    note = f"{empty} band(s) hold no loan." if empty else None
    return _assignment(p, codes.astype(np.int64), names, tuple(ub.tolist()),
                       "PD bands, right-closed (upper[k-1], upper[k]]", k, note)


def grade_summary(y: Any, pd: Any, grades: Any, order: Any = None) -> GradeSummary:
    """Obligors, defaults and mean PD per grade: the inputs of the grade-level tests.

    Parameters
    ----------
    y : array-like of 0/1 or bool
        Default flag per loan.
    pd : array-like of float
        Each loan's PD, between 0 and 1.
    grades : array-like
        Each loan's grade.
    order : sequence, optional
        Grade labels from best to worst; grades absent from the data are kept with ``n = 0`` (drop
        them before :func:`binomial_test`). Default: the labels present, sorted.

    Returns
    -------
    GradeSummary
        Per grade ``n``, ``defaults``, ``pd`` (the mean PD of the grade's loans) and ``default_rate``
        (NaN for an empty grade).
    """
    func = "grade_summary"
    is_default, p = _loan_inputs(y, pd, func)
    if order is None:
        codes, labels = _factorize(grades, p.size, func)
    else:
        labels = _order(order, func, minimum=1)
        arr = _labels(grades, "grades", func)
        if arr.size != p.size:
            raise InvalidInput(f"grades of {func} must have one value per element of y ({p.size}); got {arr.size}.")
        codes = _codes(arr, labels, "grades", func)
    k = len(labels)
    n = np.bincount(codes, minlength=k)
    d = np.bincount(codes, weights=is_default.astype(np.float64), minlength=k).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        pk = np.bincount(codes, weights=p, minlength=k) / n
        rate = d / n
    return GradeSummary(labels, tuple(n.tolist()), tuple(d.tolist()), tuple(pk.tolist()), tuple(rate.tolist()),
                        int(n.sum()), int(d.sum()), "mean PD of the grade's loans")
