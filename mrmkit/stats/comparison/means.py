"""Means of two independent groups: :func:`welch_t_test` (Welch's unequal-variance t test)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from mrmkit.errors import InsufficientData
from mrmkit.stats._base import Result, register
from mrmkit.stats.comparison._common import _alternative, _level, _vector

__all__ = ["welch_t_test", "WelchTestResult"]


@dataclass(frozen=True, slots=True)
class WelchTestResult(Result):
    """``difference`` = mean2 - mean1; ``alternative`` 'greater' means H1: mean2 > mean1."""

    difference: float
    t: float
    df: float
    p_value: float
    alternative: str
    mean1: float
    mean2: float
    sd1: float
    sd2: float
    n1: int
    n2: int
    standard_error: float
    ci: tuple[float, float]
    ci_level: float
    note: str | None


@register("welch_t_test")
def welch_t_test(x1: Any, x2: Any, alternative: str = "two-sided", ci_level: float = 0.95) -> WelchTestResult:
    """Welch's t test of the means of two independent groups, without assuming equal variances.

    Parameters
    ----------
    x1, x2 : array-like of float
        The values of group 1 (e.g. the champion arm of an A/B test) and group 2 (the challenger arm),
        finite, at least one in each group (with one, t is NaN); missing values must be removed first.
    alternative : {'two-sided', 'greater', 'less'}, default 'two-sided'
        'greater' tests H1: mean2 > mean1.
    ci_level : float, default 0.95
        Level of the two-sided interval of mean2 - mean1 (whatever ``alternative`` is).

    Returns
    -------
    WelchTestResult
        ``difference`` (mean2 - mean1), ``t``, ``df`` (Welch-Satterthwaite), ``p_value``, both means,
        standard deviations and sizes, the ``standard_error`` of the difference and ``ci``.

    Purpose
    -------
    Compares a numeric quantity between two independent groups, such as a guardrail of an A/B test
    (review minutes, customer contacts per case) in the challenger arm against the champion arm.

    Method
    ------
    ``t = (mean2 - mean1) / sqrt(s1^2 / n1 + s2^2 / n2)`` with sample (n - 1) variances, referred to
    Student's t with the Welch-Satterthwaite degrees of freedom
    ``(s1^2/n1 + s2^2/n2)^2 / ((s1^2/n1)^2 / (n1 - 1) + (s2^2/n2)^2 / (n2 - 1))``; the statistic and the
    p-value are those of ``scipy.stats.ttest_ind(x2, x1, equal_var=False)``. ``ci`` is
    ``d +/- t_{df, 1-(1-level)/2} SE``. When both groups are constant the standard error is 0: t and the
    p-value are undefined (NaN) if the means are equal, t is infinite otherwise; a note says so.

    Signs of high risk
    ------------------
    A small p-value in the unfavourable direction (e.g. the challenger arm needs more manual review
    time), or an interval that includes differences the business would not accept.

    Strengths
    ---------
    Keeps its size when the variances and the group sizes differ, where Student's pooled t test does not;
    it loses almost nothing when the variances are in fact equal.

    Limitations
    -----------
    Assumes independent observations; the t reference is exact only for normal data, and for skewed
    quantities (durations, counts) in small groups the p-value is approximate. Compares means only, not
    the tails (a few very long reviews can matter more than the mean).

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several different population
    variances are involved. Biometrika 34(1-2), 28-35.
    Satterthwaite, F. E. (1946). An approximate distribution of estimates of variance components.
    Biometrics Bulletin 2(6), 110-114.
    Ruxton, G. D. (2006). The unequal variance t-test is an underused alternative to Student's t-test
    and the Mann-Whitney U test. Behavioral Ecology 17(4), 688-690.
    """
    func = "welch_t_test"
    alt = _alternative(alternative, func)
    level = _level(ci_level, func)
    a, b = _vector(x1, "x1", func), _vector(x2, "x2", func)
    if a.size == 0 or b.size == 0:
        raise InsufficientData(f"{func} needs at least one value in each group; got {a.size} and {b.size}.")
    with warnings.catch_warnings():  # a group of one value, or constant groups: scipy warns, the note says it
        warnings.simplefilter("ignore", RuntimeWarning)
        r = stats.ttest_ind(b, a, equal_var=False, alternative=alt)
        v1, v2 = float(np.var(a, ddof=1)), float(np.var(b, ddof=1))
    se = math.sqrt(v1 / a.size + v2 / b.size)
    d = float(b.mean() - a.mean())
    note = None
    if min(a.size, b.size) < 2:
        note = "A group has a single value, whose variance is undefined: t, df and the p-value are NaN."
    elif se == 0.0:
        note = (
            "Both groups are constant: the standard error is 0, so t is undefined (NaN) when the means are "
            "equal and infinite when they differ."
        )
    df = float(r.df) if se > 0.0 else math.nan  # scipy reports df = 1 for two constant groups
    half = float(stats.t.ppf(0.5 + level / 2.0, df)) * se if se > 0.0 else math.nan
    return WelchTestResult(
        difference=d,
        t=float(r.statistic),
        df=df,
        p_value=float(r.pvalue),
        alternative=alt,
        mean1=float(a.mean()),
        mean2=float(b.mean()),
        sd1=math.sqrt(v1),
        sd2=math.sqrt(v2),
        n1=int(a.size),
        n2=int(b.size),
        standard_error=se,
        ci=(d - half, d + half),
        ci_level=level,
        note=note,
    )
