"""Adverse impact: :func:`adverse_impact`, the ratio of each group's approval rate to the reference group's,
the four-fifths rule and a significance test per group (the conventions are in :mod:`mrmkit.stats.fairness`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from mrmkit.errors import InvalidParameters
from mrmkit.stats._base import Result, check_int, check_probability, register
from mrmkit.stats.fairness._common import _counts, _differences, _missing_note, _reference, _sentence

__all__ = ["adverse_impact", "AdverseImpactResult", "FOUR_FIFTHS"]

FOUR_FIFTHS = 0.8  # the Uniform Guidelines' threshold, 29 CFR 1607.4(D)
_TESTS = {
    "fisher": "Fisher's exact test, two-sided (scipy.stats.fisher_exact: the p-value sums the probabilities of "
    "all tables with the observed margins that are no more likely than the observed table); statistic "
    "= sample odds ratio of approval, group against reference",
    "z": "two-proportion z-test with pooled variance, two-sided normal p-value; statistic = z = (rate_g - "
    "rate_ref) / sqrt(p (1 - p) (1 / n_g + 1 / n_ref)), p the pooled approval rate of the two groups",
}


# ----------------------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class AdverseImpactResult(Result):
    """One entry per group in every tuple, in the order of ``groups``; the reference group is included.

    ``impact_ratio`` is ``approval_rate / approval_rate[reference]`` (1 for the reference group, NaN for
    every group when the reference group has no approval). ``statistic``, ``p_value`` are NaN and
    ``significant`` is False for the reference group itself. ``flagged`` lists the groups whose
    ``four_fifths_flag`` is set.
    """

    groups: tuple[Any, ...]
    reference_group: Any
    n: tuple[int, ...]
    approvals: tuple[int, ...]
    approval_rate: tuple[float, ...]
    impact_ratio: tuple[float, ...]
    difference: tuple[float, ...]
    four_fifths_flag: tuple[bool, ...]
    too_small: tuple[bool, ...]
    statistic: tuple[float, ...]
    p_value: tuple[float, ...]
    significant: tuple[bool, ...]
    flagged: tuple[Any, ...]
    highest_rate_group: Any
    test: str
    test_method: str
    alpha: float
    min_group_size: int
    threshold: float
    n_total: int
    n_missing_group: int
    note: str | None


# ------------------------------------------------------------------------------------- statistics
@register("adverse_impact")
def adverse_impact(
    approved: Any, group: Any, reference_group: Any, min_group_size: int = 30, alpha: float = 0.05, test: str = "fisher"
) -> AdverseImpactResult:
    """Adverse impact ratio of approval rates per group, the four-fifths rule and a significance test.

    Parameters
    ----------
    approved : array-like of 0/1 or bool
        One credit decision per applicant: 1 (``True``) approved, 0 (``False``) declined. No missing values.
    group : array-like
        One group label per applicant (e.g. ``sex``). Missing values form the group ``"<missing>"``.
    reference_group : label
        The group every other group is compared with; must be present in ``group``.
    min_group_size : int, default 30
        Groups with fewer applicants are marked ``too_small``: reported in full, never flagged.
    alpha : float, default 0.05
        Significance level of ``significant`` (``p_value < alpha``).
    test : {'fisher', 'z'}, default 'fisher'
        Fisher's exact test or the two-proportion z-test with pooled variance.

    Returns
    -------
    AdverseImpactResult
        Per group ``n``, ``approvals``, ``approval_rate``, ``impact_ratio``, ``difference``,
        ``four_fifths_flag``, ``too_small``, ``statistic``, ``p_value``, ``significant``; the settings used
        and a ``note``.

    Purpose
    -------
    Screens credit decisions for disparate impact (the "effects test" of ECOA and Regulation B): whether
    a facially neutral model or policy approves one group at a markedly lower rate than the reference
    group, in practical terms (the four-fifths rule) and in statistical terms (a significance test).

    Method
    ------
    For each group g with ``n_g`` applicants of whom ``a_g`` were approved, ``rate_g = a_g / n_g`` and the
    adverse impact ratio is ``AIR_g = rate_g / rate_ref``, computed as ``(a_g n_ref) / (n_g a_ref)`` from
    exact integer products so that equal rates give exactly 1 and 48 % against 60 % gives exactly 0.8.
    ``difference = rate_g - rate_ref``, likewise from integers: ``(a_g n_ref - a_ref n_g) / (n_g n_ref)``.
    The four-fifths flag is ``AIR_g < 0.8``, decided in exact integer arithmetic
    (``5 a_g n_ref < 4 n_g a_ref``): a ratio of exactly 0.8 is not flagged, since the rule
    speaks of a rate "less than four-fifths". A group is flagged only if it and the reference group both
    have at least ``min_group_size`` applicants; smaller groups are marked ``too_small`` and keep their
    ratio and p-value. If the reference group has no approval, every ratio is undefined (NaN) and
    nothing is flagged. Significance, each group against the reference group on the 2 x 2 table
    ``[[a_g, n_g - a_g], [a_ref, n_ref - a_ref]]``: ``test='fisher'`` uses ``scipy.stats.fisher_exact``
    (two-sided; statistic the sample odds ratio, infinite or 0 when a cell is 0, NaN when a row or column is empty);
    ``test='z'`` uses ``z = (rate_g - rate_ref) / sqrt(p (1 - p) (1 / n_g + 1 / n_ref))`` with the pooled
    rate ``p = (a_g + a_ref) / (n_g + n_ref)`` and ``p_value = 2 (1 - Phi(|z|))``; when ``p`` is 0 or 1
    the two rates are equal and ``z = 0``, ``p_value = 1`` by definition. No correction for multiple
    comparisons. ``highest_rate_group`` is the group with the highest approval rate among those with at
    least ``min_group_size`` applicants (the reference group on a tie); the Uniform Guidelines compare
    with that group, and the note says so when it is not the reference group.

    Signs of high risk
    ------------------
    An impact ratio below 0.8 for a protected group, above all when the difference is also
    statistically significant; ratios far below 0.8 in groups too small to flag; a significant
    difference with a ratio above 0.8 in a large portfolio (the Uniform Guidelines note that smaller
    differences may still constitute adverse impact when significant in statistical and practical
    terms); many applicants without a group value.

    Strengths
    ---------
    The measure examiners and courts know; transparent arithmetic; an exact test valid for any group
    size; small groups are shown, not hidden.

    Limitations
    -----------
    Raw approval rates are not adjusted for legitimate credit factors: a ratio below 0.8 calls for a
    closer (e.g. regression-based) review and a business-necessity analysis, it does not prove
    discrimination, and a ratio above 0.8 does not prove its absence. The four-fifths rule comes from
    employment selection, not lending; no lending regulator prescribes the 0.8 threshold. Regulation B
    (12 CFR 1002.5) bars creditors from collecting most protected attributes outside mortgage lending,
    so groups are often proxies with their own error. One test per group without a multiplicity
    correction. The ratio is unstable when approval rates are low or groups are small. The effects test
    is under rule-making: the CFPB proposed on 13 November 2025 (90 FR 50901) to remove it from
    Regulation B; check the text in force and other laws that may apply (e.g. the Fair Housing Act).

    References
    ----------
    Equal Employment Opportunity Commission et al. (1978). Uniform Guidelines on Employee Selection
    Procedures, 29 CFR 1607.4(D) (the four-fifths rule) and 1607.16(B) (adverse impact).
    Equal Employment Opportunity Commission et al. (1979). Questions and Answers to Clarify and Provide
    a Common Interpretation of the Uniform Guidelines on Employee Selection Procedures (the example of
    selection rates 60 %, 45 %, 48 % and 51 %: impact ratios 0.75, 0.80 and 0.85).
    Equal Credit Opportunity Act (1974), 15 U.S.C. 1691; Regulation B, 12 CFR 1002.6(a) and its official
    interpretation 6(a)-2 (the effects test).
    Consumer Financial Protection Bureau (2025). Equal Credit Opportunity Act (Regulation B), proposed
    rule, Docket CFPB-2025-0039, 90 FR 50901 (13 November 2025).
    Fisher, R. A. (1922). On the interpretation of chi-square from contingency tables, and the
    calculation of P. Journal of the Royal Statistical Society 85(1), 87-94.
    Feldman, M., Friedler, S., Moeller, J., Scheidegger, C. & Venkatasubramanian, S. (2015). Certifying
    and removing disparate impact. Proceedings of the 21st ACM SIGKDD Conference, 259-268.
    """
    func = "adverse_impact"
    size = check_int(min_group_size, "min_group_size", func, 1)
    level = check_probability(alpha, "alpha", func)
    if not isinstance(test, str) or test not in _TESTS:
        raise InvalidParameters(f"The 'test' parameter of {func} must be one of {list(_TESTS)}; got {test!r}.")
    _, labels, n_missing, n, a = _counts(approved, group, func)
    r = _reference(reference_group, labels, func)
    k = len(labels)
    rate = a / n
    nl, al = n.tolist(), a.tolist()  # Python integers: exact products of any size
    a_ref, n_ref = al[r], nl[r]
    small = n < size
    ref_ok = n_ref >= size
    if a_ref > 0:
        ratio = np.array([(al[g] * n_ref) / (nl[g] * a_ref) for g in range(k)])
        below = np.array([5 * al[g] * n_ref < 4 * nl[g] * a_ref for g in range(k)])
    else:
        ratio = np.full(k, math.nan)
        below = np.zeros(k, dtype=bool)
    flag = below & ~small & ref_ok
    flag[r] = False

    others = np.arange(k) != r
    statistic = np.full(k, math.nan)
    p_value = np.full(k, math.nan)
    if test == "fisher":
        for g in np.flatnonzero(others):
            res = stats.fisher_exact([[al[g], nl[g] - al[g]], [a_ref, n_ref - a_ref]], alternative="two-sided")
            statistic[g], p_value[g] = float(res.statistic), float(res.pvalue)
    else:
        pooled = (a + a_ref) / (n + n_ref)
        var = pooled * (1.0 - pooled) * (1.0 / n + 1.0 / n_ref)
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.where(var > 0, (rate - rate[r]) / np.sqrt(np.where(var > 0, var, 1.0)), 0.0)
        statistic = np.where(others, z, math.nan)
        p_value = np.where(others, np.minimum(2.0 * stats.norm.sf(np.abs(z)), 1.0), math.nan)
    significant = others & (p_value < level)

    eligible = np.flatnonzero(~small)
    highest = None
    if eligible.size:
        top = rate[eligible].max()
        highest = labels[r] if (not small[r] and rate[r] == top) else labels[eligible[np.argmax(rate[eligible])]]

    notes = _missing_note(n_missing)
    if a_ref == 0:
        notes.append(
            f"the reference group {labels[r]!r} has no approval: impact ratios are undefined and no group is flagged"
        )
    if not ref_ok:
        notes.append(
            f"the reference group {labels[r]!r} has {n_ref} applicant(s), fewer than min_group_size "
            f"({size}): no group is flagged under the four-fifths rule"
        )
    tiny = [labels[g] for g in np.flatnonzero(small & others)]
    if tiny:
        notes.append(f"{len(tiny)} group(s) have fewer than {size} applicants and are not flagged: {tiny[:10]}")
    if highest is not None and highest != labels[r]:
        notes.append(
            f"the highest approval rate is that of {highest!r}, not of the reference group; the Uniform "
            "Guidelines compare each group with the highest-rate group"
        )
    if test == "z" and (small & others).any():
        notes.append("the normal approximation of the z-test is poor for small groups; prefer test='fisher'")
    return AdverseImpactResult(
        groups=labels,
        reference_group=labels[r],
        n=tuple(nl),
        approvals=tuple(al),
        approval_rate=tuple(rate.tolist()),
        impact_ratio=tuple(ratio.tolist()),
        difference=tuple(_differences(al, nl, r).tolist()),
        four_fifths_flag=tuple(flag.tolist()),
        too_small=tuple(small.tolist()),
        statistic=tuple(statistic.tolist()),
        p_value=tuple(p_value.tolist()),
        significant=tuple(significant.tolist()),
        flagged=tuple(labels[g] for g in np.flatnonzero(flag)),
        highest_rate_group=highest,
        test=test,
        test_method=_TESTS[test],
        alpha=level,
        min_group_size=size,
        threshold=FOUR_FIFTHS,
        n_total=int(n.sum()),
        n_missing_group=n_missing,
        note=_sentence(notes),
    )
