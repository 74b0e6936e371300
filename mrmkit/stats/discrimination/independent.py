"""Two AUCs measured on independent samples: :func:`hanley_mcneil_test` (unpaired Hanley-McNeil z test).

The paired case, two scores on the same rows, is :func:`mrmkit.stats.delong_test`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy import stats

from mrmkit.errors import InvalidParameters
from mrmkit.stats._base import Result, check_probability, register
from mrmkit.stats.discrimination._common import _ALTERNATIVES, _level, _z_test

__all__ = ["hanley_mcneil_test", "HanleyMcNeilResult"]


@dataclass(frozen=True, slots=True)
class HanleyMcNeilResult(Result):
    """``difference`` = AUC_a - AUC_b; ``alternative`` 'greater' means H1: AUC_a > AUC_b (as :func:`delong_test`)."""

    auc_a: float
    auc_b: float
    difference: float
    standard_error_a: float
    standard_error_b: float
    standard_error: float  # of the difference: sqrt(SE_a^2 + SE_b^2)
    z: float
    p_value: float
    alternative: str
    ci_diff: tuple[float, float]
    ci_level: float
    note: str | None


def _standard_error(value: Any, name: str) -> float:
    """A non-negative standard error, or NaN for one that is not known (e.g. DeLong's with one event)."""
    try:
        v = float(value)
        ok = not isinstance(value, bool) and (math.isnan(v) or (math.isfinite(v) and v >= 0.0))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InvalidParameters(
            f"The {name!r} parameter of hanley_mcneil_test must be a non-negative number (or NaN when it is "
            f"not known); got {value!r}."
        )
    return v


@register("hanley_mcneil_test")
def hanley_mcneil_test(
    auc_a: Any, se_a: Any, auc_b: Any, se_b: Any, alternative: str = "two-sided", ci_level: float = 0.95
) -> HanleyMcNeilResult:
    """z test of two AUCs from independent samples, each given with its standard error (unpaired Hanley-McNeil).

    Parameters
    ----------
    auc_a, auc_b : float
        The two areas under the ROC curve, each between 0 and 1 (e.g. the AUC at the initial validation and
        the AUC on the current sample).
    se_a, se_b : float
        Their standard errors (DeLong's, as :func:`mrmkit.stats.auc` gives, or Hanley and McNeil's 1982
        closed form), non-negative; NaN for one that is not known, which makes z and p NaN.
    alternative : {'two-sided', 'greater', 'less'}, default 'two-sided'
        'greater' tests H1: AUC_a > AUC_b (for a validation: the current AUC is below the initial one when
        ``a`` is the initial AUC and ``b`` the current one).
    ci_level : float, default 0.95
        Level of the two-sided normal interval of AUC_a - AUC_b.

    Returns
    -------
    HanleyMcNeilResult
        ``difference`` (AUC_a - AUC_b), its ``standard_error``, ``z``, ``p_value``, ``ci_diff`` and both inputs.

    Purpose
    -------
    Decides whether discriminatory power differs between two independent samples: a model's AUC now
    against its AUC at development or at the initial validation (each with its own sampling error), or one
    model's AUC on two portfolios.

    Method
    ------
    ``z = (AUC_a - AUC_b) / sqrt(SE_a^2 + SE_b^2)``, referred to the standard normal (Hanley and McNeil
    1983, equation 1, with the correlation r of the two areas equal to 0 because the samples share no
    case). ``ci_diff`` is ``d +/- z_{1-(1-level)/2} sqrt(SE_a^2 + SE_b^2)``, not truncated. When both
    standard errors are 0 the test is degenerate: z = 0 and p = 1 if the AUCs are equal, else z is
    infinite; a note says so.

    Signs of high risk
    ------------------
    A current AUC significantly below the initial or development AUC: the model's discriminatory power
    has deteriorated beyond sampling error.

    Strengths
    ---------
    Needs only the two AUCs and their standard errors, so an initial AUC recorded years ago (with its
    standard error) can be compared with today's; accounts for the error of both estimates, where the
    ECB test (:func:`mrmkit.stats.auc_initial_test`) treats the initial AUC as exact and rejects too often
    on large current samples.

    Limitations
    -----------
    Only for independent samples: two scores on the same rows are positively correlated, so this test is
    conservative for them (use :func:`mrmkit.stats.delong_test`). The normal approximation is poor for
    AUCs near 0 or 1 or small samples; the result is only as good as the standard errors given.

    References
    ----------
    Hanley, J. A. & McNeil, B. J. (1982). The meaning and use of the area under a receiver operating
    characteristic (ROC) curve. Radiology 143(1), 29-36.
    Hanley, J. A. & McNeil, B. J. (1983). A method of comparing the areas under receiver operating
    characteristic curves derived from the same cases. Radiology 148(3), 839-843.
    DeLong, E. R., DeLong, D. M. & Clarke-Pearson, D. L. (1988). Comparing the areas under two or more
    correlated receiver operating characteristic curves: a nonparametric approach. Biometrics 44(3),
    837-845.
    """
    func = "hanley_mcneil_test"
    if alternative not in _ALTERNATIVES:
        raise InvalidParameters(
            f"The 'alternative' parameter of {func} must be one of {list(_ALTERNATIVES)}; got {alternative!r}."
        )
    level = _level(ci_level, func)
    a = check_probability(auc_a, "auc_a", func, open_interval=False)
    b = check_probability(auc_b, "auc_b", func, open_interval=False)
    sa, sb = _standard_error(se_a, "se_a"), _standard_error(se_b, "se_b")
    se = math.sqrt(sa**2 + sb**2)
    d = a - b
    z, p, note = _z_test(
        d,
        se,
        alternative,
        tie_note="Both standard errors are 0 and the AUCs are equal: no difference to test (z = 0, p = 1).",
        degenerate_note="Both standard errors are 0 while the AUCs differ: the test is degenerate.",
        unknown_note="A standard error is not known (NaN): z and the p-value are undefined.",
    )
    half = float(stats.norm.ppf(0.5 + level / 2.0)) * se
    return HanleyMcNeilResult(
        auc_a=a,
        auc_b=b,
        difference=d,
        standard_error_a=sa,
        standard_error_b=sb,
        standard_error=se,
        z=float(z),
        p_value=float(min(p, 1.0)),
        alternative=alternative,
        ci_diff=(d - half, d + half),
        ci_level=level,
        note=note,
    )
