"""Fair-lending statistics of credit decisions: adverse impact, demographic parity, equal opportunity.

Every function takes one decision per applicant, ``approved`` (1 or ``True`` = approved, the favourable
outcome; 0 or ``False`` = declined), and one group label per applicant, ``group`` (e.g. sex or age
band), and compares each group with a ``reference_group`` chosen by the caller (the control group of a
fair-lending review, typically the group expected to be favoured). :func:`equal_opportunity` also
takes ``y_good``, 1 for an applicant who turned out creditworthy (did *not* default).

Conventions shared by the three statistics:

* Missing group values (``None``, ``NaN``, ``pandas.NA``, ``NaT``) are never dropped: they form a group
  of their own labelled ``"<missing>"``, listed last. Data that already use the label ``"<missing>"``
  and also have missing values are rejected, since the two could not be told apart.
* Groups are the labels present in the data, in sorted order (by their text when labels of different
  types cannot be compared), so the result never depends on the order of the rows.
* An unknown ``reference_group`` is an :class:`~mrmkit.errors.InvalidParameters` error that lists the
  groups present.
* Undefined rates and differences are NaN (``None`` in ``to_dict()``), reported as "n/a".
* Arguments are matched by position (pandas indexes are ignored): row i of ``approved``, ``group`` and
  ``y_good`` is one applicant.

Nothing here modifies its inputs or draws random numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats._base import Result, check_int, check_probability, register

__all__ = [
    "adverse_impact", "demographic_parity", "equal_opportunity",
    "AdverseImpactResult", "DemographicParityResult", "EqualOpportunityResult",
    "MISSING_GROUP", "FOUR_FIFTHS",
]

MISSING_GROUP = "<missing>"  # label of the group formed by missing group values
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


@dataclass(frozen=True, slots=True)
class DemographicParityResult(Result):
    """``difference`` is ``approval_rate - approval_rate[reference]``; ``max_gap`` the highest rate minus the lowest."""

    groups: tuple[Any, ...]
    reference_group: Any
    n: tuple[int, ...]
    approvals: tuple[int, ...]
    approval_rate: tuple[float, ...]
    difference: tuple[float, ...]
    max_gap: float
    highest_rate_group: Any
    lowest_rate_group: Any
    n_total: int
    n_missing_group: int
    note: str | None


@dataclass(frozen=True, slots=True)
class EqualOpportunityResult(Result):
    """Rates among the creditworthy (``y_good == 1``) only; NaN ("n/a") where a group has none of them.

    ``true_positive_rate`` is the approval rate of a group's creditworthy applicants and ``difference``
    its difference to the reference group's; ``available`` says whether the group has any creditworthy
    applicant. ``max_gap`` is taken over the available groups.
    """

    groups: tuple[Any, ...]
    reference_group: Any
    n: tuple[int, ...]
    n_creditworthy: tuple[int, ...]
    approvals_creditworthy: tuple[int, ...]
    true_positive_rate: tuple[float, ...]
    difference: tuple[float, ...]
    available: tuple[bool, ...]
    max_gap: float
    highest_rate_group: Any
    lowest_rate_group: Any
    good_outcome: str
    n_total: int
    n_creditworthy_total: int
    n_missing_group: int
    note: str | None


# ------------------------------------------------------------------------------------- validation
def _flags(values: Any, name: str, func: str) -> np.ndarray:
    """A 0/1 or boolean column as a new boolean array; anything else (missing values included) is an error."""
    arr = values.to_numpy() if isinstance(values, (pd.Series, pd.Index)) else np.asarray(values)
    if arr.ndim != 1:
        raise InvalidInput(f"{name} of {func} must be one-dimensional; got shape {arr.shape}.")
    if arr.dtype == bool:
        return arr.copy()
    missing = np.asarray(pd.isna(arr), dtype=bool)
    if missing.any():
        raise InvalidInput(f"{name} of {func} has {int(missing.sum())} missing value(s); every applicant needs a 0/1 "
                           "value. Remove those rows or fill them explicitly first.")
    if arr.dtype.kind in "iuf" or (arr.dtype == object and pd.api.types.infer_dtype(arr, skipna=False)
                                   in ("integer", "boolean", "floating", "mixed-integer-float")):
        num = arr.astype(np.float64)
        one = num == 1.0
        bad = ~(one | (num == 0.0))
        if not bad.any():
            return one
        found = pd.unique(arr[bad])[:10].tolist()
        raise InvalidInput(f"{name} of {func} must be 0/1 or boolean; found values {found}.")
    found = sorted(map(str, pd.unique(arr)))[:10]
    raise InvalidInput(f"{name} of {func} must be 0/1 or boolean; found values {found}.")


def _sort_key(labels: list[Any]) -> list[int]:
    try:
        return sorted(range(len(labels)), key=lambda i: labels[i])
    except TypeError:  # labels of different types: order by type name, then text
        return sorted(range(len(labels)), key=lambda i: (type(labels[i]).__name__, str(labels[i])))


def _groups(group: Any, n: int, func: str) -> tuple[np.ndarray, tuple[Any, ...], int]:
    """Group codes 0..k-1 (labels sorted, ``"<missing>"`` last), the labels and the number of missing values."""
    if isinstance(group, (pd.Series, pd.Index)):
        arr = group.to_numpy()
    elif isinstance(group, np.ndarray):
        arr = group
    else:
        arr = np.asarray(group, dtype=object)
    if arr.ndim != 1:
        raise InvalidInput(f"group of {func} must be one-dimensional; got shape {arr.shape}.")
    if arr.size != n:
        raise InvalidInput(f"group of {func} must have one value per applicant ({n}); got {arr.size}.")
    missing = np.asarray(pd.isna(arr), dtype=bool)
    n_missing = int(missing.sum())
    raw_codes, uniques = pd.factorize(arr[~missing], sort=False)
    labels = [v.item() if isinstance(v, np.generic) else v for v in np.asarray(uniques, dtype=object)]
    if n_missing and any(isinstance(v, str) and v == MISSING_GROUP for v in labels):
        raise InvalidInput(f"group of {func} has {n_missing} missing value(s) and also the label {MISSING_GROUP!r}, "
                           "which mrmkit uses for missing values; rename that label first.")
    order = _sort_key(labels)
    rank = np.empty(len(labels), dtype=np.int64)
    rank[order] = np.arange(len(labels))
    codes = np.full(n, len(labels), dtype=np.int64)  # missing values get the last code
    codes[~missing] = rank[raw_codes]
    names = tuple(labels[i] for i in order) + ((MISSING_GROUP,) if n_missing else ())
    return codes, names, n_missing


def _same(label: Any, ref: Any) -> bool:
    """Equal labels of one kind: ``True`` never matches the group ``1``, nor ``"1"`` the group ``1``."""
    if isinstance(label, bool) != isinstance(ref, bool) or isinstance(label, str) != isinstance(ref, str):
        return False
    try:
        return bool(label == ref)
    except (TypeError, ValueError):
        return False


def _reference(reference_group: Any, labels: tuple[Any, ...], func: str) -> int:
    ref = reference_group.item() if isinstance(reference_group, np.generic) else reference_group
    for i, label in enumerate(labels):
        if _same(label, ref):
            return i
    shown = list(labels[:20]) + ([f"... ({len(labels)} groups)"] if len(labels) > 20 else [])
    raise InvalidParameters(f"The 'reference_group' parameter of {func} must be one of the groups present in group: "
                            f"{shown}; got {reference_group!r}.")


def _counts(approved: Any, group: Any, func: str) -> tuple[np.ndarray, tuple[Any, ...], int, np.ndarray, np.ndarray]:
    ok = _flags(approved, "approved", func)
    if ok.size == 0:
        raise InsufficientData(f"{func} needs at least one applicant; approved is empty.")
    codes, labels, n_missing = _groups(group, ok.size, func)
    k = len(labels)
    n = np.bincount(codes, minlength=k)
    a = np.bincount(codes[ok], minlength=k)
    return codes, labels, n_missing, n, a


def _rates(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _differences(num: list[int], den: list[int], r: int) -> np.ndarray:
    """``num[g] / den[g] - num[r] / den[r]`` from exact integers, correctly rounded; NaN where a rate is undefined."""
    if den[r] == 0:
        return np.full(len(num), math.nan)
    return np.array([(num[g] * den[r] - num[r] * den[g]) / (den[g] * den[r]) if den[g] else math.nan
                     for g in range(len(num))])


def _extremes(num: np.ndarray, den: np.ndarray, labels: tuple[Any, ...]) -> tuple[float, Any, Any]:
    """Highest minus lowest defined rate (exact integers, correctly rounded) with the groups holding them.

    Ties go to the first group in group order. Equal rationals give equal floats, so ties are exact.
    """
    rate = _rates(num, den)
    defined = np.flatnonzero(~np.isnan(rate))
    if defined.size == 0:
        return math.nan, None, None
    hi = int(defined[np.argmax(rate[defined])])
    lo = int(defined[np.argmin(rate[defined])])
    nums, dens = num.tolist(), den.tolist()
    gap = (nums[hi] * dens[lo] - nums[lo] * dens[hi]) / (dens[hi] * dens[lo])
    return gap, labels[hi], labels[lo]


def _missing_note(n_missing: int) -> list[str]:
    if not n_missing:
        return []
    return [f"{n_missing} applicant(s) have no group value; they form the group {MISSING_GROUP!r}"]


def _sentence(parts: list[str]) -> str | None:
    if not parts:
        return None
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


# ------------------------------------------------------------------------------------- statistics
@register("adverse_impact")
def adverse_impact(approved: Any, group: Any, reference_group: Any, min_group_size: int = 30, alpha: float = 0.05,
                   test: str = "fisher") -> AdverseImpactResult:
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
        notes.append(f"the reference group {labels[r]!r} has no approval: impact ratios are undefined and no group "
                     "is flagged")
    if not ref_ok:
        notes.append(f"the reference group {labels[r]!r} has {n_ref} applicant(s), fewer than min_group_size "
                     f"({size}): no group is flagged under the four-fifths rule")
    tiny = [labels[g] for g in np.flatnonzero(small & others)]
    if tiny:
        notes.append(f"{len(tiny)} group(s) have fewer than {size} applicants and are not flagged: {tiny[:10]}")
    if highest is not None and highest != labels[r]:
        notes.append(f"the highest approval rate is that of {highest!r}, not of the reference group; the Uniform "
                     "Guidelines compare each group with the highest-rate group")
    if test == "z" and (small & others).any():
        notes.append("the normal approximation of the z-test is poor for small groups; prefer test='fisher'")
    return AdverseImpactResult(
        groups=labels, reference_group=labels[r], n=tuple(nl), approvals=tuple(al), approval_rate=tuple(rate.tolist()),
        impact_ratio=tuple(ratio.tolist()), difference=tuple(_differences(al, nl, r).tolist()),
        four_fifths_flag=tuple(flag.tolist()), too_small=tuple(small.tolist()), statistic=tuple(statistic.tolist()),
        p_value=tuple(p_value.tolist()), significant=tuple(significant.tolist()),
        flagged=tuple(labels[g] for g in np.flatnonzero(flag)), highest_rate_group=highest, test=test,
        test_method=_TESTS[test], alpha=level, min_group_size=size, threshold=FOUR_FIFTHS, n_total=int(n.sum()),
        n_missing_group=n_missing, note=_sentence(notes),
    )


@register("demographic_parity")
def demographic_parity(approved: Any, group: Any, reference_group: Any) -> DemographicParityResult:
    """Differences in approval rates against a reference group, and the largest gap between any two groups.

    Parameters
    ----------
    approved : array-like of 0/1 or bool
        One credit decision per applicant: 1 (``True``) approved, 0 (``False``) declined. No missing values.
    group : array-like
        One group label per applicant. Missing values form the group ``"<missing>"``.
    reference_group : label
        The group the differences are taken against; must be present in ``group``.

    Returns
    -------
    DemographicParityResult
        Per group ``n``, ``approvals``, ``approval_rate`` and ``difference``; ``max_gap`` with the groups
        of the highest and the lowest rate.

    Purpose
    -------
    Measures how far the model's decisions are from demographic (statistical) parity, i.e. equal
    approval rates in every group, as an absolute difference in percentage points.

    Method
    ------
    ``rate_g = a_g / n_g`` (approvals over applicants of group g); ``difference_g = rate_g - rate_ref``
    (0 for the reference group, negative when group g is approved less often); ``max_gap = max_g rate_g
    - min_g rate_g`` over all groups, ``"<missing>"`` included. Ties for the highest or lowest rate go to
    the first group in group order. Differences and the gap are computed from the integer counts
    (``(a_g n_ref - a_ref n_g) / (n_g n_ref)``), so equal rates give exactly 0. No test and no minimum
    group size: see :func:`adverse_impact` for both.

    Signs of high risk
    ------------------
    Large negative differences for protected groups (several percentage points and more); a gap that
    widens from one monitoring window to the next; the lowest rate in the ``"<missing>"`` group, which
    may hide a protected group.

    Strengths
    ---------
    Needs no outcome data, so it can be monitored from the first day of deployment; additive and easy
    to explain; complements the ratio of :func:`adverse_impact`, which exaggerates differences between
    small rates.

    Limitations
    -----------
    Parity of raw approval rates ignores differences in creditworthiness between groups: a well
    calibrated model can fail it, and enforcing it can conflict with equal opportunity and calibration.
    ``max_gap`` is driven by the smallest groups, whose rates are the noisiest. No significance test.

    References
    ----------
    Calders, T. & Verwer, S. (2010). Three naive Bayes approaches for discrimination-free
    classification. Data Mining and Knowledge Discovery 21(2), 277-292.
    Feldman, M., Friedler, S., Moeller, J., Scheidegger, C. & Venkatasubramanian, S. (2015). Certifying
    and removing disparate impact. Proceedings of the 21st ACM SIGKDD Conference, 259-268.
    Hardt, M., Price, E. & Srebro, N. (2016). Equality of opportunity in supervised learning. Advances in
    Neural Information Processing Systems 29 (section 1: demographic parity and its flaws).
    Equal Credit Opportunity Act (1974), 15 U.S.C. 1691; Regulation B, 12 CFR 1002.
    """
    func = "demographic_parity"
    _, labels, n_missing, n, a = _counts(approved, group, func)
    r = _reference(reference_group, labels, func)
    rate = a / n
    gap, hi, lo = _extremes(a, n, labels)
    return DemographicParityResult(
        groups=labels, reference_group=labels[r], n=tuple(n.tolist()), approvals=tuple(a.tolist()),
        approval_rate=tuple(rate.tolist()), difference=tuple(_differences(a.tolist(), n.tolist(), r).tolist()),
        max_gap=gap,
        highest_rate_group=hi, lowest_rate_group=lo, n_total=int(n.sum()), n_missing_group=n_missing,
        note=_sentence(_missing_note(n_missing)),
    )


@register("equal_opportunity")
def equal_opportunity(approved: Any, y_good: Any, group: Any, reference_group: Any) -> EqualOpportunityResult:
    """Approval rates of the creditworthy (true-positive rates) per group, against a reference group.

    Parameters
    ----------
    approved : array-like of 0/1 or bool
        One credit decision per applicant: 1 (``True``) approved, 0 (``False``) declined. No missing values.
    y_good : array-like of 0/1 or bool
        The outcome: 1 (``True``) for a creditworthy applicant, one who did **not** default (for the demo,
        ``1 - default_12m``); 0 for one who defaulted. No missing values.
    group : array-like
        One group label per applicant. Missing values form the group ``"<missing>"``.
    reference_group : label
        The group the differences are taken against; must be present in ``group``.

    Returns
    -------
    EqualOpportunityResult
        Per group ``n``, ``n_creditworthy``, ``approvals_creditworthy``, ``true_positive_rate``,
        ``difference`` and ``available``; ``max_gap`` with the groups of the highest and lowest rate.

    Purpose
    -------
    Tests whether applicants who would repay have the same chance of approval whatever their group:
    the "equal opportunity" criterion of Hardt, Price and Srebro (2016), with approval as the
    favourable decision and non-default as the favourable outcome.

    Method
    ------
    Only applicants with ``y_good == 1`` count. For group g, ``TPR_g = P(approved | y_good = 1, g) =``
    ``approvals_creditworthy_g / n_creditworthy_g``; ``difference_g = TPR_g - TPR_ref``; ``max_gap`` is
    the highest minus the lowest TPR over the groups that have creditworthy applicants. A group without
    any creditworthy applicant has no TPR: its rate and difference are NaN ("n/a") and ``available`` is
    False; if that is the reference group, every difference is n/a. No significance test.

    Signs of high risk
    ------------------
    Creditworthy applicants of a protected group declined noticeably more often than those of the
    reference group (a negative difference of several percentage points); a gap larger than the
    demographic-parity gap, which points to the model rather than to differences in risk.

    Strengths
    ---------
    Conditions on the outcome, so differences in default rates between groups do not count against
    the model; focuses on the harm fair-lending law cares most about, creditworthy applicants declined.

    Limitations
    -----------
    Needs the outcome of declined applicants, which a lender never observes (reject inference): on
    booked loans only, every TPR is 1 by construction. It is meaningful on data with outcomes for the
    declined (a below-cut-off test sample, bureau performance on credit obtained elsewhere, or the
    synthetic demo). Ignores false positives (approved defaulters); the outcome may itself carry
    historical bias; groups with few creditworthy applicants give noisy rates.

    References
    ----------
    Hardt, M., Price, E. & Srebro, N. (2016). Equality of opportunity in supervised learning. Advances in
    Neural Information Processing Systems 29 (definition 2, equal opportunity; case study of FICO scores).
    Feldman, M., Friedler, S., Moeller, J., Scheidegger, C. & Venkatasubramanian, S. (2015). Certifying
    and removing disparate impact. Proceedings of the 21st ACM SIGKDD Conference, 259-268.
    Equal Credit Opportunity Act (1974), 15 U.S.C. 1691; Regulation B, 12 CFR 1002.
    """
    func = "equal_opportunity"
    ok = _flags(approved, "approved", func)
    good = _flags(y_good, "y_good", func)
    if good.size != ok.size:
        raise InvalidInput(f"y_good of {func} must have one value per applicant ({ok.size}); got {good.size}.")
    if ok.size == 0:
        raise InsufficientData(f"{func} needs at least one applicant; approved is empty.")
    codes, labels, n_missing = _groups(group, ok.size, func)
    r = _reference(reference_group, labels, func)
    k = len(labels)
    n = np.bincount(codes, minlength=k)
    n_good = np.bincount(codes[good], minlength=k)
    a_good = np.bincount(codes[good & ok], minlength=k)
    tpr = _rates(a_good, n_good)
    diff = _differences(a_good.tolist(), n_good.tolist(), r)
    gap, hi, lo = _extremes(a_good, n_good, labels)
    notes = _missing_note(n_missing)
    empty = [labels[g] for g in np.flatnonzero(n_good == 0)]
    if n_good[r] == 0:
        notes.append(f"the reference group {labels[r]!r} has no creditworthy applicant: every difference is n/a")
    if empty:
        notes.append(f"{len(empty)} group(s) have no creditworthy applicant (rate n/a): {empty[:10]}")
    return EqualOpportunityResult(
        groups=labels, reference_group=labels[r], n=tuple(n.tolist()), n_creditworthy=tuple(n_good.tolist()),
        approvals_creditworthy=tuple(a_good.tolist()), true_positive_rate=tuple(tpr.tolist()),
        difference=tuple(diff.tolist()), available=tuple((n_good > 0).tolist()), max_gap=gap, highest_rate_group=hi,
        lowest_rate_group=lo, good_outcome="y_good == 1: the applicant did not default (creditworthy)",
        n_total=int(n.sum()), n_creditworthy_total=int(n_good.sum()), n_missing_group=n_missing,
        note=_sentence(notes),
    )
