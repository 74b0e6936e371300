"""Two rates on the same cases (catch rates, false-positive rates of a champion and a challenger):
:func:`paired_proportions`, the exact McNemar test with Agresti and Min's interval."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mrmkit.errors import InvalidParameters
from mrmkit.stats._base import Result, check_probability, register

__all__ = ["paired_proportions", "PairedProportions"]


@dataclass(frozen=True, slots=True)
class PairedProportions(Result):
    """``b``: a = 1 and b = 0; ``c``: a = 0 and b = 1; ``difference`` = rate_b - rate_a."""

    rate_a: float
    rate_b: float
    difference: float
    ci: tuple[float, float]
    ci_level: float
    p_value: float
    alternative: str
    b: int
    c: int
    n: int
    method: str


@register("paired_proportions")
def paired_proportions(a: Any, b: Any, *, alternative: str = "two-sided", ci_level: float = 0.95) -> PairedProportions:
    """Two rates on the same cases (catch rates, false-positive rates): exact McNemar test and Agresti-Min interval.

    Parameters
    ----------
    a, b : array-like of 0/1 or bool
        One outcome per case under each model (e.g. 1 = alerted), same cases in the same order.
    alternative : {'two-sided', 'greater', 'less'}, default 'two-sided'
        'greater' tests H1: rate_b > rate_a.
    ci_level : float, default 0.95
        Level of the two-sided interval of ``rate_b - rate_a``.

    Returns
    -------
    PairedProportions
        Both rates, ``difference`` (b - a), its interval ``ci``, the exact p-value, the discordant counts
        ``b`` (a = 1, b = 0) and ``c`` (a = 0, b = 1) and ``n``.

    Purpose
    -------
    Decide whether a challenger catches more fraud (or raises more false alarms) than the champion on the
    same transactions, using the pairing rather than treating the two rates as independent.

    Method
    ------
    The p-value is the exact conditional (McNemar) test: under H0 the c discordant pairs in favour of b
    are Binomial(b + c, 1/2). The interval is Agresti and Min's adjusted Wald interval: add 1/2 to each
    of the four cells, so ``difference`` is estimated as (c - b) / (n + 2) in the standard error only;
    the reported ``difference`` is the plain (c - b) / n.

    Signs of high risk
    ------------------
    A challenger whose catch rate interval lies below zero at the same alert rate.

    Strengths
    ---------
    Exact p-value; the interval keeps its coverage when discordant pairs are few, where the plain Wald
    interval does not.

    Limitations
    -----------
    Tests the rates at fixed decisions; the uncertainty of a threshold set on the same sample is not
    included.

    References
    ----------
    McNemar, Q. (1947). Note on the sampling error of the difference between correlated proportions or
    percentages. Psychometrika 12, 153-157. Agresti, A. & Min, Y. (2005). Simple improved confidence
    intervals for comparing matched proportions. Statistics in Medicine 24, 729-740.
    """
    from scipy import stats as sps

    func = "paired_proportions"
    if alternative not in ("two-sided", "greater", "less"):
        raise InvalidParameters(
            f"The 'alternative' parameter of {func} must be 'two-sided', 'greater' or 'less'; got {alternative!r}."
        )
    level = check_probability(ci_level, "ci_level", func)
    x, z = (np.asarray(v) for v in (a, b))
    if x.ndim != 1 or x.shape != z.shape or x.size == 0:
        raise InvalidParameters(f"The 'a' and 'b' parameters of {func} must be non-empty sequences of equal length.")
    if not (np.isin(x, (0, 1)).all() and np.isin(z, (0, 1)).all()):
        raise InvalidParameters(f"The 'a' and 'b' parameters of {func} must hold only 0 and 1 (or booleans).")
    x, z = x.astype(bool), z.astype(bool)
    n, only_a, only_b = int(x.size), int(np.count_nonzero(x & ~z)), int(np.count_nonzero(~x & z))
    discordant = only_a + only_b
    p = 1.0 if discordant == 0 else float(sps.binomtest(only_b, discordant, 0.5, alternative=alternative).pvalue)
    adjusted = (only_b - only_a) / (n + 2)
    se = math.sqrt(max((discordant + 1) / (n + 2) - adjusted**2, 0.0) / (n + 2))
    half = float(sps.norm.ppf(0.5 + level / 2)) * se
    difference = (only_b - only_a) / n
    ci = (max(-1.0, adjusted - half), min(1.0, adjusted + half))
    return PairedProportions(
        float(x.mean()),
        float(z.mean()),
        difference,
        ci,
        level,
        p,
        alternative,
        only_a,
        only_b,
        n,
        "exact McNemar test; Agresti-Min adjusted Wald interval",
    )
