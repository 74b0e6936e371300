"""Paired DeLong test of two AUCs measured on the same observations: :func:`delong_test`.

Both scores' structural components come from :mod:`mrmkit.stats.discrimination._common`; their
covariance over positives and negatives gives the variance of the difference.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scipy import stats

from mrmkit.errors import InsufficientData, InvalidParameters
from mrmkit.stats._base import Result, register
from mrmkit.stats.discrimination._common import _ALTERNATIVES, _cov2, _groups, _level, _placements, _scores, _z_test

__all__ = ["delong_test", "DelongTestResult"]


@dataclass(frozen=True, slots=True)
class DelongTestResult(Result):
    auc_a: float
    auc_b: float
    difference: float
    z: float
    p_value: float
    alternative: str
    ci_diff: tuple[float, float]
    ci_level: float
    variance_a: float
    variance_b: float
    covariance: float
    variance_difference: float
    n_positive: int
    n_negative: int
    note: str | None


@register("delong_test")
def delong_test(
    y: Any, score_a: Any, score_b: Any, alternative: str = "two-sided", ci_level: float = 0.95
) -> DelongTestResult:
    """Paired DeLong test of two AUCs measured on the same observations.

    Parameters
    ----------
    y : array-like of 0/1 or bool
        Outcome, 1 for the event.
    score_a, score_b : array-like of float
        Two finite scores for the same rows (e.g. champion and challenger).
    alternative : {'two-sided', 'greater', 'less'}, default 'two-sided'
        'greater' tests AUC_a > AUC_b.
    ci_level : float, default 0.95
        Confidence level of the interval for AUC_a - AUC_b.

    Returns
    -------
    DelongTestResult
        ``auc_a``, ``auc_b``, ``difference``, ``z``, ``p_value``, ``ci_diff`` and the variance
        components.

    Purpose
    -------
    Decides whether two scores discriminate differently on the same data, accounting for the
    correlation between them.

    Method
    ------
    Structural components of both scores (Sun & Xu, 2014); their sample (n - 1) covariance matrices
    over positives (S10) and negatives (S01) give ``S = S10 / m + S01 / n`` and
    ``z = (AUC_a - AUC_b) / sqrt(S_aa + S_bb - 2 S_ab)``, referred to the standard normal.
    ``ci_diff`` is the normal interval for the difference (not truncated), as pROC's ``roc.test``.
    When the variance of the difference is zero and the AUCs are equal (e.g. identical or
    monotonically related scores), ``z = 0`` and ``p = 1``; if the AUCs differ with zero variance the
    test is degenerate: z is infinite, p is 0 or 1, and a note says so.

    Signs of high risk
    ------------------
    A challenger that is significantly better than the champion; or, for a replacement model, no
    significant gain to justify the change.

    Strengths
    ---------
    Nonparametric, uses the pairing (more power than comparing two independent intervals), the
    standard test in ROC comparison software.

    Limitations
    -----------
    Asymptotic; unreliable with few events; compares whole-curve AUCs only; not valid for nested
    models evaluated on their own training data.

    References
    ----------
    DeLong, E. R., DeLong, D. M. & Clarke-Pearson, D. L. (1988). Comparing the areas under two or more
    correlated receiver operating characteristic curves: a nonparametric approach. Biometrics 44(3),
    837-845.
    Sun, X. & Xu, W. (2014). Fast implementation of DeLong's algorithm. IEEE Signal Processing
    Letters 21(11), 1389-1393.
    Robin, X. et al. (2011). pROC. BMC Bioinformatics 12, 77.
    European Central Bank (2019). Instructions for reporting the validation results of internal
    models, IRB Pillar I models for credit risk.
    """
    if alternative not in _ALTERNATIVES:
        raise InvalidParameters(
            f"The 'alternative' parameter of delong_test must be one of {list(_ALTERNATIVES)}; got {alternative!r}."
        )
    level = _level(ci_level, "delong_test")
    is_pos, pos_a, neg_a = _groups(y, score_a, "delong_test", "score_a")
    s_b = _scores(score_b, is_pos.size, "score_b", "delong_test")
    pos_b, neg_b = s_b[is_pos], s_b[~is_pos]
    m, n = pos_a.size, neg_a.size
    if m < 2 or n < 2:
        raise InsufficientData(f"delong_test needs at least two positives and two negatives; got {m} and {n}.")
    auc_a, v10_a, v01_a = _placements(pos_a, neg_a)
    auc_b, v10_b, v01_b = _placements(pos_b, neg_b)
    s = _cov2(v10_a, v10_b) / m + _cov2(v01_a, v01_b) / n
    var_diff = float(s[0, 0] + s[1, 1] - 2.0 * s[0, 1])
    d = auc_a - auc_b
    z, p, note = _z_test(
        d,
        math.sqrt(var_diff) if var_diff > 0.0 else 0.0,
        alternative,
        tie_note="The two scores give identical placements: no difference to test (z = 0, p = 1).",
        degenerate_note="The variance of the difference is zero while the AUCs differ: the test is degenerate.",
    )
    half = float(stats.norm.ppf(0.5 + level / 2.0)) * math.sqrt(max(var_diff, 0.0))
    return DelongTestResult(
        auc_a,
        auc_b,
        d,
        float(z),
        float(min(p, 1.0)),
        alternative,
        (d - half, d + half),
        level,
        float(s[0, 0]),
        float(s[1, 1]),
        float(s[0, 1]),
        var_diff,
        m,
        n,
        note,
    )
