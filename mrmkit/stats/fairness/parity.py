"""Parity of approval rates: :func:`demographic_parity` (all applicants) and :func:`equal_opportunity` (the
creditworthy only), each against a reference group (the conventions are in :mod:`mrmkit.stats.fairness`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mrmkit.errors import InsufficientData, InvalidInput
from mrmkit.stats._base import Result, register
from mrmkit.stats.fairness._common import (
    _counts,
    _differences,
    _extremes,
    _flags,
    _groups,
    _missing_note,
    _rates,
    _reference,
    _sentence,
)

__all__ = ["demographic_parity", "equal_opportunity", "DemographicParityResult", "EqualOpportunityResult"]


# ----------------------------------------------------------------------------------------- results
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


# ------------------------------------------------------------------------------------- statistics
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
        groups=labels,
        reference_group=labels[r],
        n=tuple(n.tolist()),
        approvals=tuple(a.tolist()),
        approval_rate=tuple(rate.tolist()),
        difference=tuple(_differences(a.tolist(), n.tolist(), r).tolist()),
        max_gap=gap,
        highest_rate_group=hi,
        lowest_rate_group=lo,
        n_total=int(n.sum()),
        n_missing_group=n_missing,
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
        groups=labels,
        reference_group=labels[r],
        n=tuple(n.tolist()),
        n_creditworthy=tuple(n_good.tolist()),
        approvals_creditworthy=tuple(a_good.tolist()),
        true_positive_rate=tuple(tpr.tolist()),
        difference=tuple(diff.tolist()),
        available=tuple((n_good > 0).tolist()),
        max_gap=gap,
        highest_rate_group=hi,
        lowest_rate_group=lo,
        good_outcome="y_good == 1: the applicant did not default (creditworthy)",
        n_total=int(n.sum()),
        n_creditworthy_total=int(n_good.sum()),
        n_missing_group=n_missing,
        note=_sentence(notes),
    )
