"""Tests of proportions: paired decisions (:func:`mcnemar_test`) and two independent groups
(:func:`two_proportion_test`, :func:`fisher_exact_test`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats
from scipy.stats import contingency

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats._base import Result, register
from mrmkit.stats.comparison._common import _alternative, _level, _p_from_z, _two_groups
from mrmkit.stats.discrimination import _binary


# ------------------------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class McNemarResult(Result):
    """``b``: a = 1 and b = 0; ``c``: a = 0 and b = 1; ``difference`` = share of 1s under b minus under a."""

    statistic: float
    p_value: float
    df: int | None
    b: int
    c: int
    n: int
    rate_a: float
    rate_b: float
    difference: float
    exact: bool
    correction: bool
    method: str
    note: str | None


@dataclass(frozen=True, slots=True)
class TwoProportionResult(Result):
    """``difference`` = p2 - p1; ``alternative`` 'greater' means H1: p2 > p1."""

    difference: float
    z: float
    p_value: float
    alternative: str
    p1: float
    p2: float
    x1: int
    n1: int
    x2: int
    n2: int
    pooled_proportion: float
    standard_error_pooled: float
    standard_error_unpooled: float
    ci_wald: tuple[float, float]
    ci_newcombe: tuple[float, float]
    ci_level: float
    continuity_correction: bool
    note: str | None


@dataclass(frozen=True, slots=True)
class FisherExactResult(Result):
    """Odds ratios are the odds of group 2 over the odds of group 1; ``table`` rows are group 1, group 2."""

    p_value: float
    odds_ratio: float
    sample_odds_ratio: float
    ci: tuple[float, float]
    ci_level: float
    alternative: str
    table: tuple[tuple[int, int], tuple[int, int]]
    p1: float
    p2: float


# ---------------------------------------------------------------------------------------- paired tests
@register("mcnemar_test")
def mcnemar_test(decisions_a: Any, decisions_b: Any, exact: bool = False, correction: bool = True) -> McNemarResult:
    """McNemar's test of two sets of paired 0/1 decisions on the same cases.

    Parameters
    ----------
    decisions_a, decisions_b : array-like of 0/1 or bool
        One decision per case from each model (e.g. 1 = approve, or 1 = predicted default), same order.
    exact : bool, default False
        Exact binomial test on the discordant pairs instead of the chi-square approximation.
    correction : bool, default True
        Continuity correction of the chi-square statistic (ignored when ``exact``).

    Returns
    -------
    McNemarResult
        ``statistic``, ``p_value``, ``df`` (1, or None when exact), the discordant counts ``b``
        (a = 1, b = 0) and ``c`` (a = 0, b = 1), ``n``, the rates of 1s and their ``difference`` (b - a).

    Purpose
    -------
    Decides whether champion and challenger make 1-decisions at different rates on the same
    applicants (approval rates, or hit rates against the outcome), using the pairing.

    Method
    ------
    Only discordant pairs carry information: ``b`` cases where a says 1 and b says 0, ``c`` the
    reverse. Chi-square (1 df): ``(|b - c| - 1)^2 / (b + c)`` with the continuity correction
    (Edwards 1948), ``(b - c)^2 / (b + c)`` without. As R's ``mcnemar.test``, no correction is applied
    when ``b == c``, so the statistic is then 0 (statsmodels' ``mcnemar`` subtracts 1 there too and
    gives ``1 / (b + c)``; elsewhere the two agree). Exact: two-sided binomial test of ``b`` out of
    ``b + c`` with probability 1/2, ``p = min(1, 2 P(X <= min(b, c)))``; ``statistic`` is then
    ``min(b, c)`` (as statsmodels). With no discordant pair (``b + c = 0``) the models agree on every
    case: statistic 0, p-value 1, and a note.

    Signs of high risk
    ------------------
    A small p-value when the challenger is meant to keep the approval rate (a shifted risk appetite);
    many discordant pairs even when ``b`` is close to ``c`` (the models decide for different people,
    see :func:`swap_set`).

    Strengths
    ---------
    Uses the pairing, so it is far more powerful than comparing two independent rates; exact version
    for few discordant pairs.

    Limitations
    -----------
    Tests only the marginal rates: two models can disagree on many cases yet pass; the chi-square
    approximation needs about 10 or more discordant pairs (use ``exact=True`` below that); says
    nothing about which model's decisions are better.

    References
    ----------
    McNemar, Q. (1947). Note on the sampling error of the difference between correlated proportions or
    percentages. Psychometrika 12(2), 153-157.
    Edwards, A. L. (1948). Note on the "correction for continuity" in testing the significance of the
    difference between correlated proportions. Psychometrika 13(3), 185-187.
    Agresti, A. (1990). Categorical Data Analysis. Wiley, pp. 350-354.
    """
    if not isinstance(exact, (bool, np.bool_)):
        raise InvalidParameters(f"The 'exact' parameter of mcnemar_test must be True or False; got {exact!r}.")
    if not isinstance(correction, (bool, np.bool_)):
        raise InvalidParameters(
            f"The 'correction' parameter of mcnemar_test must be True or False; got {correction!r}."
        )
    a = _binary(decisions_a, "mcnemar_test")
    bb = _binary(decisions_b, "mcnemar_test")
    if a.size != bb.size:
        raise InvalidInput(
            f"decisions_a and decisions_b of mcnemar_test must have one decision per case each; got "
            f"lengths {a.size} and {bb.size}."
        )
    if a.size == 0:
        raise InsufficientData("mcnemar_test needs at least one case; the decisions are empty.")
    n = a.size
    b = int(np.count_nonzero(a & ~bb))
    c = int(np.count_nonzero(~a & bb))
    rate_a, rate_b = float(np.count_nonzero(a)) / n, float(np.count_nonzero(bb)) / n
    note = None
    if b + c == 0:
        statistic, p, df = 0.0, 1.0, (None if exact else 1)
        method = "no discordant pairs"
        note = "No discordant pairs: the two sets of decisions agree on every case (statistic 0, p = 1)."
    elif exact:
        statistic = float(min(b, c))
        p = float(min(1.0, 2.0 * stats.binom.cdf(min(b, c), b + c, 0.5)))
        df, method = None, "exact binomial test on the discordant pairs, two-sided"
    else:
        diff = abs(b - c)
        num = max(diff - 1, 0) if correction else diff
        statistic = float(num * num) / (b + c)
        p, df = float(stats.chi2.sf(statistic, 1)), 1
        method = "chi-square, 1 df" + (", continuity correction" if correction else ", no continuity correction")
        if b + c < 10:
            note = f"Only {b + c} discordant pairs: the chi-square approximation is poor; consider exact=True."
    return McNemarResult(
        statistic, p, df, b, c, n, rate_a, rate_b, rate_b - rate_a, bool(exact), bool(correction), method, note
    )


# --------------------------------------------------------------------------------- two independent groups
def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2.0))


def _wilson(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(centre - half, 0.0), min(centre + half, 1.0))


@register("two_proportion_test")
def two_proportion_test(
    x1: Any, n1: Any, x2: Any, n2: Any, alternative: str = "two-sided", ci_level: float = 0.95
) -> TwoProportionResult:
    """z test of two independent proportions, with Wald and Newcombe intervals for p2 - p1.

    Parameters
    ----------
    x1, n1 : int
        Events (e.g. defaults, or approvals) and size of group 1 (e.g. the champion's A arm).
    x2, n2 : int
        Events and size of group 2 (e.g. the challenger's B arm).
    alternative : {'two-sided', 'greater', 'less'}, default 'two-sided'
        'greater' tests H1: p2 > p1.
    ci_level : float, default 0.95
        Level of the two-sided intervals (whatever ``alternative`` is).

    Returns
    -------
    TwoProportionResult
        ``difference`` (p2 - p1), ``z``, ``p_value``, both proportions, the pooled proportion, both
        standard errors, ``ci_wald`` and ``ci_newcombe``.

    Purpose
    -------
    Compares a rate (default rate, approval rate, conversion) between two independent groups, such
    as the two arms of a champion-challenger (A/B) trial on different applicants.

    Method
    ------
    ``z = (p2 - p1) / sqrt(p (1 - p) (1/n1 + 1/n2))`` with the pooled proportion
    ``p = (x1 + x2) / (n1 + n2)`` (the variance under H0), referred to the standard normal; **no
    continuity correction**, so ``z^2`` equals R's ``prop.test(correct = FALSE)`` chi-square and the
    two-sided p-values agree. ``ci_wald`` is ``(p2 - p1) +/- z_{1-(1-level)/2} sqrt(p1 q1 / n1 +
    p2 q2 / n2)`` (unpooled; R's ``prop.test(correct = FALSE)`` interval with the sign flipped).
    ``ci_newcombe`` is Newcombe's (1998) hybrid score interval (his method 10): with Wilson intervals
    (l1, u1) and (l2, u2), ``d - sqrt((p2 - l2)^2 + (u1 - p1)^2)`` to ``d + sqrt((u2 - p2)^2 +
    (p1 - l1)^2)``. If both groups are all 0 or all 1 the pooled variance is zero: z = 0, p = 1, note.

    Signs of high risk
    ------------------
    A small p-value in the unfavourable direction; a Newcombe interval that includes differences the
    business would not accept, even when the test does not reject (too little data to conclude).

    Strengths
    ---------
    Simple and standard; the Newcombe interval keeps close to its nominal coverage even for small
    groups and rates near 0 or 1, where the Wald interval fails.

    Limitations
    -----------
    Assumes independent observations in two independent groups (use :func:`mcnemar_test` for paired
    decisions); the normal approximation needs enough events (see :func:`fisher_exact_test` when
    counts are small); the test and the Wald interval use different variances, so they can disagree
    near the boundary.

    References
    ----------
    Fleiss, J. L., Levin, B. & Paik, M. C. (2003). Statistical Methods for Rates and Proportions, 3rd
    ed. Wiley, chapter 2.
    Newcombe, R. G. (1998). Interval estimation for the difference between independent proportions:
    comparison of eleven methods. Statistics in Medicine 17(8), 873-890.
    Fagerland, M. W., Lydersen, S. & Laake, P. (2015). Recommended confidence intervals for two
    independent binomial proportions. Statistical Methods in Medical Research 24(2), 224-254.
    """
    func = "two_proportion_test"
    alt = _alternative(alternative, func)
    level = _level(ci_level, func)
    xx1, nn1, xx2, nn2 = _two_groups(x1, n1, x2, n2, func)
    p1, p2 = xx1 / nn1, xx2 / nn2
    d = p2 - p1
    pooled = (xx1 + xx2) / (nn1 + nn2)
    se0 = math.sqrt(pooled * (1.0 - pooled) * (1.0 / nn1 + 1.0 / nn2))
    se1 = math.sqrt(p1 * (1.0 - p1) / nn1 + p2 * (1.0 - p2) / nn2)
    note = None
    if se0 > 0.0:
        z = d / se0
    else:
        z, note = 0.0, "Both groups are all events or all non-events: the proportions are equal (z = 0, p = 1)."
    zc = _z(level)
    l1, u1 = _wilson(xx1, nn1, zc)
    l2, u2 = _wilson(xx2, nn2, zc)
    newcombe = (d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2))
    return TwoProportionResult(
        difference=d,
        z=float(z),
        p_value=_p_from_z(z, alt) if se0 > 0.0 else 1.0,
        alternative=alt,
        p1=p1,
        p2=p2,
        x1=xx1,
        n1=nn1,
        x2=xx2,
        n2=nn2,
        pooled_proportion=pooled,
        standard_error_pooled=se0,
        standard_error_unpooled=se1,
        ci_wald=(d - zc * se1, d + zc * se1),
        ci_newcombe=newcombe,
        ci_level=level,
        continuity_correction=False,
        note=note,
    )


@register("fisher_exact_test")
def fisher_exact_test(
    x1: Any, n1: Any, x2: Any, n2: Any, alternative: str = "two-sided", ci_level: float = 0.95
) -> FisherExactResult:
    """Fisher's exact test of two independent proportions, with the conditional odds ratio (a scipy wrapper).

    Parameters
    ----------
    x1, n1 : int
        Events and size of group 1.
    x2, n2 : int
        Events and size of group 2.
    alternative : {'two-sided', 'greater', 'less'}, default 'two-sided'
        'greater' tests H1: the odds ratio (group 2 over group 1) exceeds 1, i.e. p2 > p1.
    ci_level : float, default 0.95
        Level of the exact interval of the odds ratio.

    Returns
    -------
    FisherExactResult
        ``p_value``, ``odds_ratio`` (conditional maximum likelihood estimate, as R's ``fisher.test``),
        ``sample_odds_ratio`` (cross-product ratio), ``ci``, the ``table`` and both proportions.

    Purpose
    -------
    The exact alternative to :func:`two_proportion_test` when events are few, e.g. defaults in a small
    challenger pilot.

    Method
    ------
    The 2 x 2 table with rows group 2 ``(x2, n2 - x2)`` and group 1 ``(x1, n1 - x1)`` is passed to
    ``scipy.stats.fisher_exact`` (p-value; two-sided by summing the probabilities of tables no more
    likely than the observed one, as R) so that every odds ratio is the odds of group 2 over the odds
    of group 1. ``odds_ratio`` and ``ci`` come from ``scipy.stats.contingency.odds_ratio(kind =
    "conditional")``: the conditional MLE and the exact interval of the noncentral hypergeometric
    distribution, one-sided when ``alternative`` is; both as R's ``fisher.test``. The
    ``sample_odds_ratio`` ``(x2 (n1 - x1)) / ((n2 - x2) x1)`` is what ``scipy.stats.fisher_exact``
    itself returns (infinite or 0 with an empty cell).

    Signs of high risk
    ------------------
    A small p-value in the unfavourable direction; an interval that spans odds ratios the business
    would not accept.

    Strengths
    ---------
    Exact under the conditional model, valid for any sample size; no continuity corrections to choose.

    Limitations
    -----------
    Conditional on both margins, hence conservative (the actual size is below the nominal level),
    especially for small samples; the odds ratio is less intuitive than a difference of rates.

    References
    ----------
    Fisher, R. A. (1935). The logic of inductive inference. Journal of the Royal Statistical Society
    98(1), 39-82.
    Agresti, A. (2002). Categorical Data Analysis, 2nd ed. Wiley, section 3.5.
    Virtanen, P. et al. (2020). SciPy 1.0: fundamental algorithms for scientific computing in Python.
    Nature Methods 17, 261-272.
    """
    func = "fisher_exact_test"
    alt = _alternative(alternative, func)
    level = _level(ci_level, func)
    xx1, nn1, xx2, nn2 = _two_groups(x1, n1, x2, n2, func)
    table = np.array([[xx2, nn2 - xx2], [xx1, nn1 - xx1]])
    res = stats.fisher_exact(table, alternative=alt)
    cond = contingency.odds_ratio(table, kind="conditional")
    ci = cond.confidence_interval(confidence_level=level, alternative=alt)
    return FisherExactResult(
        p_value=float(min(res.pvalue, 1.0)),
        odds_ratio=float(cond.statistic),
        sample_odds_ratio=float(res.statistic),
        ci=(float(ci.low), float(ci.high)),
        ci_level=level,
        alternative=alt,
        table=((xx1, nn1 - xx1), (xx2, nn2 - xx2)),
        p1=xx1 / nn1,
        p2=xx2 / nn2,
    )
