"""Business impact at a cut-off and agreement of two scores: :func:`matched_cutoff`, :func:`swap_set` and
:func:`score_agreement`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from mrmkit.errors import InsufficientData, InvalidParameters
from mrmkit.stats._base import Result, register
from mrmkit.stats.comparison._common import _APPROVAL_RULE, _finite_number, _vector
from mrmkit.stats.discrimination import _binary, _scores

_QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


# ------------------------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class MatchedCutoffResult(Result):
    cutoff_b: float
    cutoff_a: float
    approval_rate_a: float
    approval_rate_b: float
    approvals_a: int
    approvals_b: int
    target_approvals_b: float
    n_a: int
    n_b: int
    exact_match: bool
    approval_rule: str
    tie_rule: str


@dataclass(frozen=True, slots=True)
class SwapSetResult(Result):
    """``decisions`` rows: approved by a, declined by a; columns: approved by b, declined by b."""

    swap_ins: int
    swap_outs: int
    swap_in_bad_rate: float
    swap_out_bad_rate: float
    swap_in_bads: int
    swap_out_bads: int
    both_approved: int
    both_declined: int
    decisions: tuple[tuple[int, int], tuple[int, int]]
    approval_rate_a: float
    approval_rate_b: float
    net_approvals: int
    bad_rate_approved_a: float
    bad_rate_approved_b: float
    bad_rate_change: float
    cutoff_a: float
    cutoff_b: float
    approval_rule: str
    n: int
    note: str | None


@dataclass(frozen=True, slots=True)
class ScoreAgreementResult(Result):
    """``difference_quantiles`` are of score_b - score_a at the levels in ``quantile_levels``."""

    spearman: float
    spearman_p_value: float
    kendall_tau_b: float
    kendall_p_value: float
    quantile_levels: tuple[float, ...]
    difference_quantiles: tuple[float, ...]
    mean_difference: float
    mean_absolute_difference: float
    max_absolute_difference: float
    n: int
    note: str | None


# ------------------------------------------------------------------------------- business impact at a cut-off
@register("matched_cutoff")
def matched_cutoff(score_a: Any, cutoff_a: float, score_b: Any) -> MatchedCutoffResult:
    """The challenger cut-off that approves the same share of applicants as the champion's cut-off.

    Parameters
    ----------
    score_a : array-like of float
        Champion scores (PDs); lower is better.
    cutoff_a : float
        Champion cut-off: approve when ``score_a <= cutoff_a``.
    score_b : array-like of float
        Challenger scores, usually for the same applicants (the lengths may differ).

    Returns
    -------
    MatchedCutoffResult
        ``cutoff_b``, both approval rates and counts, the target count and whether it was hit exactly.

    Purpose
    -------
    Puts the challenger at the champion's approval rate, so that a comparison of bad rates or losses
    (:func:`swap_set`, :func:`bootstrap_metric_difference`) compares risk at equal volume.

    Method
    ------
    The champion approves ``k_a = #(score_a <= cutoff_a)`` of ``n_a``; the target for the challenger
    is ``k_a n_b / n_a`` approvals. A cut-off at a distinct challenger score ``s`` approves
    ``#(score_b <= s)``; a cut-off below the lowest score approves nobody. Tie rule: among these
    achievable counts the one closest to the target is chosen and, at equal distance, the smaller (never
    more approvals than needed); ``cutoff_b`` is then the largest challenger score it approves (or,
    for zero approvals, the largest float below the lowest score). Ties in the challenger scores can
    make an exact match impossible: ``exact_match`` says whether it was reached.

    Signs of high risk
    ------------------
    ``exact_match`` False with a large gap (a coarse or heavily tied score); a matched cut-off far
    from the challenger's own calibrated policy cut-off (the two models disagree on the level of risk).

    Strengths
    ---------
    Simple, deterministic and documented tie handling; works for any score where lower is better.

    Limitations
    -----------
    Matches volume only, not the mix of applicants; on a different population than the one the
    policy will apply to, the matched rate will not hold.

    References
    ----------
    Siddiqi, N. (2017). Intelligent Credit Scoring, 2nd ed. Wiley, chapter on strategy and cut-offs.
    Thomas, L. C., Crook, J. N. & Edelman, D. B. (2017). Credit Scoring and Its Applications, 2nd ed.
    SIAM, chapter 5 (cut-off and swap sets).
    """
    func = "matched_cutoff"
    ca = _finite_number(cutoff_a, "cutoff_a", func)
    sa = _vector(score_a, "score_a", func)
    sb = _vector(score_b, "score_b", func)
    if sa.size == 0 or sb.size == 0:
        raise InsufficientData(f"{func} needs at least one score in each model; got {sa.size} and {sb.size}.")
    k_a = int(np.count_nonzero(sa <= ca))
    target = k_a * sb.size / sa.size
    values, counts = np.unique(sb, return_counts=True)
    achievable = np.concatenate([[0], np.cumsum(counts)])  # approvals for a cut-off below each value / at it
    dist = np.abs(achievable - target)
    best = int(np.flatnonzero(dist == dist.min())[0])  # first = fewest approvals among the closest
    cutoff_b = float(np.nextafter(values[0], -np.inf)) if best == 0 else float(values[best - 1])
    k_b = int(achievable[best])
    return MatchedCutoffResult(
        cutoff_b=cutoff_b,
        cutoff_a=ca,
        approval_rate_a=k_a / sa.size,
        approval_rate_b=k_b / sb.size,
        approvals_a=k_a,
        approvals_b=k_b,
        target_approvals_b=float(target),
        n_a=int(sa.size),
        n_b=int(sb.size),
        exact_match=bool(k_b == target),
        approval_rule=_APPROVAL_RULE,
        tie_rule="closest achievable approval count to the target, the smaller one at equal distance",
    )


@register("swap_set")
def swap_set(y: Any, score_a: Any, cutoff_a: float, score_b: Any, cutoff_b: float) -> SwapSetResult:
    """Swap-set analysis of two credit decisions: who is approved by only one model, and how they perform.

    Parameters
    ----------
    y : array-like of 0/1 or bool
        Outcome per applicant, 1 for a bad (default).
    score_a, score_b : array-like of float
        Champion and challenger scores (PDs; lower is better) for the same applicants.
    cutoff_a, cutoff_b : float
        Cut-offs: approve when the score is at most the cut-off.

    Returns
    -------
    SwapSetResult
        Counts and observed bad rates of the swap-ins (approved by b only) and swap-outs (approved by a
        only), the 2 x 2 table of ``decisions``, both approval rates, the net change in approvals and
        the change in the bad rate among the approved (b - a).

    Purpose
    -------
    Shows what a model change does at the operating point: which applicants change decision and
    whether the challenger swaps in better risks than it swaps out.

    Method
    ------
    ``A = score_a <= cutoff_a``, ``B = score_b <= cutoff_b``. Swap-ins ``B and not A``; swap-outs
    ``A and not B``; their bad rates are the shares of ``y == 1`` (NaN when the set is empty).
    ``decisions = ((A and B, A only), (B only, neither))``. ``net_approvals = swap_ins - swap_outs``;
    ``bad_rate_change`` is the bad rate among those approved by b minus among those approved by a.
    The same discordant counts feed :func:`mcnemar_test` on the two approval decisions.

    Signs of high risk
    ------------------
    Swap-ins with a bad rate above the swap-outs'; a large swap set (the models disagree on many
    applicants) with a small net effect; very few bads in the swap sets (conclusions rest on noise).

    Strengths
    ---------
    Transparent and easy to explain to credit committees; isolates exactly the applicants that the
    change affects.

    Limitations
    -----------
    Outcomes of applicants declined in the past are unknown: on booked loans the swap-ins' bad rate
    is observable only for those the champion approved (reject inference needed); no sampling
    uncertainty is given (see :func:`bootstrap_metric_difference`).

    References
    ----------
    Thomas, L. C., Crook, J. N. & Edelman, D. B. (2017). Credit Scoring and Its Applications, 2nd ed.
    SIAM, chapter 5 (swap sets).
    Siddiqi, N. (2017). Intelligent Credit Scoring, 2nd ed. Wiley.
    """
    func = "swap_set"
    ca = _finite_number(cutoff_a, "cutoff_a", func)
    cb = _finite_number(cutoff_b, "cutoff_b", func)
    is_bad = _binary(y, func)
    n = is_bad.size
    if n == 0:
        raise InsufficientData(f"{func} needs at least one applicant; y is empty.")
    approved_a = _scores(score_a, n, "score_a", func) <= ca
    approved_b = _scores(score_b, n, "score_b", func) <= cb

    def count(mask: np.ndarray) -> int:
        return int(np.count_nonzero(mask))

    def rate(mask: np.ndarray) -> float:
        k = count(mask)
        return count(mask & is_bad) / k if k else math.nan

    ins, outs = approved_b & ~approved_a, approved_a & ~approved_b
    both, neither = approved_a & approved_b, ~approved_a & ~approved_b
    empty = [
        name
        for name, mask in (
            ("swap-in", ins),
            ("swap-out", outs),
            ("approved by a", approved_a),
            ("approved by b", approved_b),
        )
        if not mask.any()
    ]
    note = f"Empty set(s): {', '.join(empty)}; their bad rates are NaN." if empty else None
    return SwapSetResult(
        swap_ins=count(ins),
        swap_outs=count(outs),
        swap_in_bad_rate=rate(ins),
        swap_out_bad_rate=rate(outs),
        swap_in_bads=count(ins & is_bad),
        swap_out_bads=count(outs & is_bad),
        both_approved=count(both),
        both_declined=count(neither),
        decisions=((count(both), count(outs)), (count(ins), count(neither))),
        approval_rate_a=count(approved_a) / n,
        approval_rate_b=count(approved_b) / n,
        net_approvals=count(ins) - count(outs),
        bad_rate_approved_a=rate(approved_a),
        bad_rate_approved_b=rate(approved_b),
        bad_rate_change=rate(approved_b) - rate(approved_a),
        cutoff_a=ca,
        cutoff_b=cb,
        approval_rule=_APPROVAL_RULE,
        n=n,
        note=note,
    )


@register("score_agreement")
def score_agreement(score_a: Any, score_b: Any, quantiles: Sequence[float] = _QUANTILES) -> ScoreAgreementResult:
    """Rank agreement of two scores (Spearman, Kendall tau-b) and the distribution of their difference.

    Parameters
    ----------
    score_a, score_b : array-like of float
        Champion and challenger scores for the same cases (at least three).
    quantiles : sequence of float, default (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
        Levels, between 0 and 1, of the reported quantiles of ``score_b - score_a``.

    Returns
    -------
    ScoreAgreementResult
        ``spearman`` and ``kendall_tau_b`` with their p-values, quantiles, mean, mean absolute and
        maximum absolute difference (b - a).

    Purpose
    -------
    Shows how far a challenger reorders the applicants compared with the champion, and how far its
    scores move in level, before any outcome is known.

    Method
    ------
    ``scipy.stats.spearmanr`` and ``scipy.stats.kendalltau(variant = "b")`` (tau-b, ties adjusted)
    with their two-sided p-values for H0 of no association (t approximation for Spearman; exact for
    small samples without ties, else normal, for Kendall, as scipy decides). Quantiles by
    ``numpy.quantile`` (linear interpolation). A constant score has no rank correlation: NaN and a
    note.

    Signs of high risk
    ------------------
    Low rank correlation for a challenger presented as a recalibration; large quantiles of the
    difference in the region of the cut-off (decisions will change, see :func:`swap_set`).

    Strengths
    ---------
    Needs no outcome, so it is available on the day of deployment; rank measures are invariant to
    monotone transformations.

    Limitations
    -----------
    Agreement is not accuracy: two equally wrong models agree; p-values against "no association" are
    nearly always tiny and uninformative; the difference of scores is meaningful only if both are on
    the same scale (e.g. PDs).

    References
    ----------
    Spearman, C. (1904). The proof and measurement of association between two things. American
    Journal of Psychology 15(1), 72-101.
    Kendall, M. G. (1945). The treatment of ties in ranking problems. Biometrika 33(3), 239-251.
    Virtanen, P. et al. (2020). SciPy 1.0: fundamental algorithms for scientific computing in Python.
    Nature Methods 17, 261-272.
    """
    func = "score_agreement"
    try:
        levels = np.asarray(quantiles, dtype=np.float64)
    except (TypeError, ValueError):
        levels = np.array([math.nan])
    if levels.ndim != 1 or levels.size == 0 or not ((levels >= 0.0) & (levels <= 1.0)).all():
        raise InvalidParameters(
            f"The 'quantiles' parameter of {func} must be a non-empty sequence of levels between "
            f"0 and 1; got {quantiles!r}."
        )
    sa = _vector(score_a, "score_a", func)
    sb = _scores(score_b, sa.size, "score_b", func)
    if sa.size < 3:
        raise InsufficientData(f"{func} needs at least three cases; got {sa.size}.")
    diff = sb - sa
    note = None
    if np.ptp(sa) == 0.0 or np.ptp(sb) == 0.0:
        rho = p_rho = tau = p_tau = math.nan
        note = "A score is constant: rank correlations are undefined (NaN)."
    else:
        sp = stats.spearmanr(sa, sb)
        kt = stats.kendalltau(sa, sb, variant="b")
        rho, p_rho, tau, p_tau = float(sp.statistic), float(sp.pvalue), float(kt.statistic), float(kt.pvalue)
    return ScoreAgreementResult(
        spearman=rho,
        spearman_p_value=p_rho,
        kendall_tau_b=tau,
        kendall_p_value=p_tau,
        quantile_levels=tuple(levels.tolist()),
        difference_quantiles=tuple(np.quantile(diff, levels).tolist()),
        mean_difference=float(diff.mean()),
        mean_absolute_difference=float(np.abs(diff).mean()),
        max_absolute_difference=float(np.abs(diff).max()),
        n=int(sa.size),
        note=note,
    )
