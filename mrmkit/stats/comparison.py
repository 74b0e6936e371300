"""Champion-challenger comparison: paired tests, business impact at a cut-off, sample sizes, sequential looks.

Conventions shared by every function here:

* ``a`` is the champion (the model in use, the reference) and ``b`` the challenger. Every difference is
  **b minus a** (challenger minus champion); for two independent groups it is **group 2 minus group 1**
  (``p2 - p1``, odds of group 2 over odds of group 1). Swapping a and b flips every sign.
* ``y`` is 0/1 (or bool) with 1 the event, a bad or default; a higher score or PD means riskier (as in
  :mod:`mrmkit.stats.discrimination`). Credit decisions approve when ``PD <= cutoff``.
* Every random step draws from ``numpy.random.default_rng(seed)`` with an explicit ``seed`` that the
  result records; the draws do not depend on threads or on how the work is chunked, so one seed gives
  one result.
* Nothing here modifies its inputs. Undefined quantities are NaN (``None`` in ``to_dict()``) with a note.

Tests: :func:`mcnemar_test` (paired decisions), :func:`two_proportion_test` and
:func:`fisher_exact_test` (two independent groups), :func:`sample_ratio_mismatch` (is an A/B split as
designed?). Discrimination: :func:`bootstrap_auc_difference` (the DeLong test is
:func:`mrmkit.stats.delong_test`). Business impact at a cut-off: :func:`matched_cutoff`,
:func:`swap_set`, :func:`bootstrap_metric_difference`. Agreement of the scores: :func:`score_agreement`.
Design: :func:`sample_size_two_proportions`, :func:`group_sequential_bounds` and
:func:`sequential_decision`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, stats
from scipy.stats import contingency

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats._base import Result, check_int, check_probability, dot, register, single_threaded_blas
from mrmkit.stats.discrimination import _binary, _placements, _scores

__all__ = [
    "mcnemar_test", "sample_size_two_proportions", "two_proportion_test", "fisher_exact_test",
    "sample_ratio_mismatch", "bootstrap_auc_difference", "bootstrap_metric_difference", "matched_cutoff",
    "swap_set", "score_agreement", "group_sequential_bounds", "sequential_decision",
    "McNemarResult", "SampleSizeResult", "TwoProportionResult", "FisherExactResult", "SampleRatioResult",
    "BootstrapAucDifferenceResult", "MetricComparison", "BootstrapMetricDifferenceResult",
    "MatchedCutoffResult", "SwapSetResult", "ScoreAgreementResult", "GroupSequentialBounds",
    "SequentialDecisionResult",
]

_ALTERNATIVES = ("two-sided", "greater", "less")
_SPENDING = ("obrien-fleming",)
_QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
_CHUNK_CELLS = 4_000_000  # resampling weights are built in blocks of about this many cells (32 MB)
_FEW_EXPECTED = 5.0


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
class SampleSizeResult(Result):
    """``n_per_group`` is the unrounded size of each group for ``ratio == 1`` and ``None`` otherwise."""

    n_per_group: float | None
    n1_exact: float
    n2_exact: float
    n1: int
    n2: int
    total: int
    n1_continuity_corrected: float
    n2_continuity_corrected: float
    p1: float
    p2: float
    alpha: float
    power: float
    ratio: float
    alternative: str
    method: str


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


@dataclass(frozen=True, slots=True)
class SampleRatioResult(Result):
    statistic: float
    p_value: float
    df: int
    n: int
    counts: tuple[int, ...]
    expected_counts: tuple[float, ...]
    observed_shares: tuple[float, ...]
    expected_shares: tuple[float, ...]
    note: str | None


@dataclass(frozen=True, slots=True)
class BootstrapAucDifferenceResult(Result):
    """``difference`` = AUC_b - AUC_a on the full data; ``ci`` and ``standard_error`` from the resamples."""

    difference: float
    auc_a: float
    auc_b: float
    ci: tuple[float, float]
    ci_level: float
    ci_method: str
    standard_error: float
    bootstrap_mean: float
    share_b_better: float
    n_resamples: int
    n_valid_resamples: int
    seed: int
    stratified: bool
    n_positive: int
    n_negative: int
    note: str | None


@dataclass(frozen=True, slots=True)
class MetricComparison(Result):
    """One business metric for both models and their difference (b - a), with bootstrap intervals."""

    metric: str
    value_a: float
    value_b: float
    difference: float
    ci_a: tuple[float, float]
    ci_b: tuple[float, float]
    ci_difference: tuple[float, float]
    standard_error_difference: float
    n_valid_resamples: int


@dataclass(frozen=True, slots=True)
class BootstrapMetricDifferenceResult(Result):
    metrics: tuple[MetricComparison, ...]
    cutoff_a: float
    cutoff_b: float
    approval_rule: str
    n: int
    n_bad: int
    exposure: str
    lgd: str
    n_resamples: int
    seed: int
    ci_level: float
    ci_method: str
    stratified: bool
    note: str | None


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


@dataclass(frozen=True, slots=True)
class GroupSequentialBounds(Result):
    """Reject at look k when |z_k| >= b_k (two-sided), z_k >= b_k ('greater') or z_k <= -b_k ('less')."""

    information_fractions: tuple[float, ...]
    boundaries: tuple[float, ...]
    nominal_p_values: tuple[float, ...]
    cumulative_alpha_spent: tuple[float, ...]
    alpha_spent_increments: tuple[float, ...]
    alpha: float
    alternative: str
    spending: str
    spending_function: str
    method: str
    grid_step: float


@dataclass(frozen=True, slots=True)
class SequentialDecisionResult(Result):
    z_values: tuple[float, ...]
    boundaries: tuple[float, ...]
    crossed: tuple[bool, ...]
    first_crossing: int | None
    stop: bool
    decision: str
    alternative: str
    n_looks_planned: int
    note: str | None


# ---------------------------------------------------------------------------------------- validation
def _alternative(value: Any, func: str, allowed: Sequence[str] = _ALTERNATIVES) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise InvalidParameters(f"The 'alternative' parameter of {func} must be one of {list(allowed)}; "
                                f"got {value!r}.")
    return value


def _finite_number(value: Any, name: str, func: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if isinstance(value, (bool, np.bool_)) or not math.isfinite(v):
        raise InvalidParameters(f"The {name!r} parameter of {func} must be a finite number; got {value!r}.")
    return v


def _count(value: Any, name: str, func: str, minimum: int) -> int:
    """A count of the data (x1, n1, ...): a whole number of at least ``minimum``, else InvalidInput."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = math.nan
    if isinstance(value, (bool, np.bool_)) or not math.isfinite(v) or v != round(v) or v < minimum:
        raise InvalidInput(f"{name} of {func} must be a whole number of at least {minimum}; got {value!r}.")
    return int(v)


def _two_groups(x1: Any, n1: Any, x2: Any, n2: Any, func: str) -> tuple[int, int, int, int]:
    nn1, nn2 = _count(n1, "n1", func, 1), _count(n2, "n2", func, 1)
    xx1, xx2 = _count(x1, "x1", func, 0), _count(x2, "x2", func, 0)
    for x, n, name in ((xx1, nn1, "x1"), (xx2, nn2, "x2")):
        if x > n:
            raise InvalidInput(f"{name} of {func} must not exceed its group size ({n}); got {x}.")
    return xx1, nn1, xx2, nn2


def _vector(x: Any, name: str, func: str) -> np.ndarray:
    """A one-dimensional array of finite floats of any length (a copy is never needed: nothing writes to it)."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name} of {func} must be numbers: {exc}.") from exc
    if arr.ndim != 1:
        raise InvalidInput(f"{name} of {func} must be one-dimensional; got shape {arr.shape}.")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise InvalidInput(f"{name} of {func} must be finite numbers; it has {int(bad.sum())} missing or infinite "
                           "value(s). Remove those rows or impute them explicitly first.")
    return arr


def _pd_scores(score: Any, n: int, name: str, func: str) -> np.ndarray:
    s = _scores(score, n, name, func)
    bad = (s < 0.0) | (s > 1.0)
    if bad.any():
        raise InvalidInput(f"{name} of {func} must be PDs between 0 and 1; {int(bad.sum())} value(s) are not "
                           f"(e.g. {s[bad][:3].tolist()}).")
    return s


def _per_loan(values: Any, n: int, name: str, func: str, upper: float | None) -> np.ndarray | None:
    """A scalar or one value per loan, finite and non-negative (and at most ``upper``), broadcast to ``n``."""
    if values is None:
        return None
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name} of {func} must be numbers: {exc}.") from exc
    if arr.ndim > 1 or (arr.ndim == 1 and arr.size != n):
        raise InvalidInput(f"{name} of {func} must be a number or have one value per loan ({n}); "
                           f"got shape {arr.shape}.")
    bad = ~np.isfinite(arr) | (arr < 0.0)
    if upper is not None:
        bad |= arr > upper
    if bad.any():
        limits = f"between 0 and {upper:g}" if upper is not None else "non-negative"
        raise InvalidInput(f"{name} of {func} must be finite and {limits}; {int(np.sum(bad))} value(s) are not.")
    return np.broadcast_to(arr, (n,))


def _level(ci_level: Any, func: str) -> float:
    return check_probability(ci_level, "ci_level", func)


def _p_from_z(z: float, alternative: str) -> float:
    if alternative == "two-sided":
        p = 2.0 * stats.norm.sf(abs(z))
    elif alternative == "greater":
        p = stats.norm.sf(z)
    else:
        p = stats.norm.cdf(z)
    return float(min(p, 1.0))


def _percentile_ci(values: np.ndarray, level: float) -> tuple[float, float]:
    if values.size == 0:
        return (math.nan, math.nan)
    lo, hi = np.quantile(values, [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return (float(lo), float(hi))


def _sd(values: np.ndarray) -> float:
    return float(np.std(values, ddof=1)) if values.size >= 2 else math.nan


# ------------------------------------------------------------------------------------- resampling core
def _resample_weights(rng: np.random.Generator, sizes: Sequence[int], n_resamples: int,
                      stratified: bool) -> Iterator[np.ndarray]:
    """Blocks of bootstrap counts, one row per resample, columns in the order of the concatenated groups.

    Stratified: each group of ``sizes`` is resampled on its own with its size kept (``rng.integers`` of
    that size, counted with ``bincount``). Otherwise all rows are resampled together. Each resample
    draws in the same order whatever the block size, so the counts depend on the seed alone.
    """
    total = int(sum(sizes))
    offsets = np.cumsum([0, *sizes])
    block = max(1, min(n_resamples, _CHUNK_CELLS // max(total, 1)))
    done = 0
    while done < n_resamples:
        rows = min(block, n_resamples - done)
        w = np.empty((rows, total), dtype=np.float64)
        for r in range(rows):
            if stratified:
                for g, size in enumerate(sizes):
                    w[r, offsets[g]:offsets[g + 1]] = np.bincount(rng.integers(0, size, size=size), minlength=size)
            else:
                w[r] = np.bincount(rng.integers(0, total, size=total), minlength=total)
        done += rows
        yield w


class _WeightedAuc:
    """AUC of weighted positives against weighted negatives from one sort of the negatives' scores.

    With weights u (positives) and v (negatives), AUC = sum_i u_i (V(< s_i) + V(= s_i) / 2) / (U V),
    where V(< s) is the weight of the negatives scoring below s: one cumulative sum of v in score order
    per resample, O(n) per resample after an O(n log n) sort. Ties count one half, as in :func:`auc`.
    """

    def __init__(self, pos: np.ndarray, neg: np.ndarray) -> None:
        self.order = np.argsort(neg, kind="stable")
        sorted_neg = neg[self.order]
        self.lt = np.searchsorted(sorted_neg, pos, side="left")
        self.le = np.searchsorted(sorted_neg, pos, side="right")

    def __call__(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        cum = np.zeros((v.shape[0], v.shape[1] + 1))
        np.cumsum(v[:, self.order], axis=1, out=cum[:, 1:])
        below = 0.5 * (cum[:, self.lt] + cum[:, self.le])
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.einsum("ij,ij->i", u, below) / (u.sum(axis=1) * v.sum(axis=1))


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
        raise InvalidParameters(f"The 'correction' parameter of mcnemar_test must be True or False; "
                                f"got {correction!r}.")
    a = _binary(decisions_a, "mcnemar_test")
    bb = _binary(decisions_b, "mcnemar_test")
    if a.size != bb.size:
        raise InvalidInput(f"decisions_a and decisions_b of mcnemar_test must have one decision per case each; got "
                           f"lengths {a.size} and {bb.size}.")
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
            note = (f"Only {b + c} discordant pairs: the chi-square approximation is poor; consider exact=True.")
    return McNemarResult(statistic, p, df, b, c, n, rate_a, rate_b, rate_b - rate_a, bool(exact), bool(correction),
                         method, note)


# --------------------------------------------------------------------------------- two independent groups
def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2.0))


def _wilson(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(centre - half, 0.0), min(centre + half, 1.0))


@register("two_proportion_test")
def two_proportion_test(x1: Any, n1: Any, x2: Any, n2: Any, alternative: str = "two-sided",
                        ci_level: float = 0.95) -> TwoProportionResult:
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
        difference=d, z=float(z), p_value=_p_from_z(z, alt) if se0 > 0.0 else 1.0, alternative=alt, p1=p1, p2=p2,
        x1=xx1, n1=nn1, x2=xx2, n2=nn2, pooled_proportion=pooled, standard_error_pooled=se0,
        standard_error_unpooled=se1, ci_wald=(d - zc * se1, d + zc * se1), ci_newcombe=newcombe, ci_level=level,
        continuity_correction=False, note=note,
    )


@register("fisher_exact_test")
def fisher_exact_test(x1: Any, n1: Any, x2: Any, n2: Any, alternative: str = "two-sided",
                      ci_level: float = 0.95) -> FisherExactResult:
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
        p_value=float(min(res.pvalue, 1.0)), odds_ratio=float(cond.statistic), sample_odds_ratio=float(res.statistic),
        ci=(float(ci.low), float(ci.high)), ci_level=level, alternative=alt,
        table=((xx1, nn1 - xx1), (xx2, nn2 - xx2)), p1=xx1 / nn1, p2=xx2 / nn2,
    )


@register("sample_ratio_mismatch")
def sample_ratio_mismatch(counts: Any, expected_shares: Any) -> SampleRatioResult:
    """Chi-square goodness-of-fit test of an A/B (or A/B/n) split against its designed shares.

    Parameters
    ----------
    counts : array-like of int
        Units (applicants, accounts) observed in each arm, at least two arms.
    expected_shares : array-like of float
        The designed share of each arm, positive and summing to 1 (within 1e-6), e.g. ``[0.9, 0.1]``.

    Returns
    -------
    SampleRatioResult
        ``statistic``, ``p_value``, ``df`` (arms - 1), observed and expected counts and shares.

    Purpose
    -------
    Checks that traffic reached the champion and challenger arms in the designed proportions. A
    mismatch (SRM) means the assignment or the data pipeline is broken, and any comparison of the
    arms is suspect until it is explained.

    Method
    ------
    Pearson's ``sum (O - E)^2 / E`` with ``E = n x share``, chi-square with ``k - 1`` df
    (``scipy.stats.chisquare``; R's ``chisq.test(counts, p = shares)``). A note flags expected counts
    below 5, where the approximation is poor.

    Signs of high risk
    ------------------
    A p-value below 0.001 (the threshold customary for SRM checks, since they are run on every
    experiment); a persistent drift of the observed shares.

    Strengths
    ---------
    Needs only counts; catches a wide range of assignment and logging defects that no outcome metric
    would reveal.

    Limitations
    -----------
    With very large samples it flags immaterial deviations; a pass does not prove the assignment was
    random (it can be balanced yet biased); the arms must be units, not events (sessions per user
    are not independent).

    References
    ----------
    Pearson, K. (1900). On the criterion that a given system of deviations from the probable in the
    case of a correlated system of variables is such that it can be reasonably supposed to have arisen
    from random sampling. Philosophical Magazine 50(302), 157-175.
    Fabijan, A. et al. (2019). Diagnosing sample ratio mismatch in online controlled experiments: a
    taxonomy and rules of thumb for practitioners. Proceedings of KDD 2019, 2156-2164.
    Kohavi, R., Tang, D. & Xu, Y. (2020). Trustworthy Online Controlled Experiments. Cambridge
    University Press, chapter 21.
    """
    func = "sample_ratio_mismatch"
    try:
        shares = np.asarray(expected_shares, dtype=np.float64)
    except (TypeError, ValueError):
        shares = np.array([math.nan])
    if (shares.ndim != 1 or shares.size < 2 or not np.isfinite(shares).all() or (shares <= 0).any()
            or abs(float(shares.sum()) - 1.0) > 1e-6):
        raise InvalidParameters(f"The 'expected_shares' parameter of {func} must list at least two positive shares "
                                f"summing to 1; got {expected_shares!r}.")
    obs = _vector(counts, "counts", func)
    if obs.size != shares.size:
        raise InvalidInput(f"counts of {func} must have one count per arm of expected_shares ({shares.size}); "
                           f"got {obs.size}.")
    if (obs < 0).any() or (obs != np.round(obs)).any():
        raise InvalidInput(f"counts of {func} must be whole numbers of at least 0; got {obs.tolist()}.")
    n = int(obs.sum())
    if n == 0:
        raise InsufficientData(f"{func} needs at least one unit; every count is 0.")
    shares = shares / shares.sum()
    expected = n * shares
    statistic = float(np.sum((obs - expected) ** 2 / expected))
    df = obs.size - 1
    few = np.flatnonzero(expected < _FEW_EXPECTED)
    note = None
    if few.size:
        note = (f"Arm(s) {few.tolist()} expect fewer than {_FEW_EXPECTED:g} units: the chi-square approximation "
                "is poor; an exact multinomial test would be safer.")
    return SampleRatioResult(
        statistic=statistic, p_value=float(stats.chi2.sf(statistic, df)), df=df, n=n,
        counts=tuple(int(v) for v in obs), expected_counts=tuple(expected.tolist()),
        observed_shares=tuple((obs / n).tolist()), expected_shares=tuple(shares.tolist()), note=note,
    )


@register("sample_size_two_proportions")
def sample_size_two_proportions(p1: float, p2: float, alpha: float = 0.05, power: float = 0.8,
                                ratio: float = 1.0) -> SampleSizeResult:
    """Sample size to detect a difference between two proportions with a two-sided z test.

    Parameters
    ----------
    p1, p2 : float
        Proportions (e.g. default rates) in group 1 and group 2 under the alternative, between 0 and 1
        and different.
    alpha : float, default 0.05
        Two-sided significance level.
    power : float, default 0.8
        Power wanted at (p1, p2).
    ratio : float, default 1.0
        ``n2 / n1``: for a 90/10 champion/challenger split with the champion as group 1, ``ratio = 1/9``;
        with the challenger as group 1, 9.

    Returns
    -------
    SampleSizeResult
        ``n_per_group`` (unrounded, for ``ratio == 1``), ``n1_exact`` and ``n2_exact`` (unrounded),
        ``n1`` and ``n2`` (rounded up), ``total``, and the continuity-corrected sizes.

    Purpose
    -------
    Plans a champion-challenger trial: how many applicants each arm needs so that a given difference
    in default (or approval) rates would be detected.

    Method
    ------
    For the z test of :func:`two_proportion_test` (pooled variance under H0, unpooled under H1):
    ``n1 = [z_{1-alpha/2} sqrt(pbar qbar (1 + 1/r)) + z_{power} sqrt(p1 q1 + p2 q2 / r)]^2 /
    (p1 - p2)^2`` with ``r = ratio``, ``pbar = (p1 + r p2) / (1 + r)`` and ``n2 = r n1`` (Fleiss et al.
    2003, section 4.2). For ``r = 1`` it is the root of R's ``power.prop.test`` (which ignores the
    probability of rejecting in the wrong direction, as here). ``n1`` and ``n2`` are rounded up
    (after subtracting 1e-9, so that an exact integer is not pushed up by rounding error) and
    ``total = n1 + n2``. The ``*_continuity_corrected`` sizes apply Fleiss, Tytun & Ury (1980):
    ``n1' = n1 / 4 (1 + sqrt(1 + 2 (r + 1) / (n1 r |p1 - p2|)))^2``, for a test with Yates' correction.
    statsmodels' ``NormalIndPower`` with ``proportion_effectsize`` is a different approximation (the
    arcsine difference, Cohen's h, with one variance): it gives 76.65 instead of 76.71 per group for
    (0.5, 0.75, power 0.9).

    Signs of high risk
    ------------------
    A trial sized for an effect larger than the business cares about; a planned size that the
    challenger arm cannot reach in the trial period; rates so low that the normal approximation is poor.

    Strengths
    ---------
    Closed form, the textbook and R convention; handles unequal splits.

    Limitations
    -----------
    Normal approximation (optimistic for rare events: prefer the continuity-corrected size or a
    simulation); a single look (see :func:`group_sequential_bounds` for interim analyses); p1 and p2
    are guesses and the size is very sensitive to their difference.

    References
    ----------
    Fleiss, J. L., Tytun, A. & Ury, H. K. (1980). A simple approximation for calculating sample sizes
    for comparing independent proportions. Biometrics 36(2), 343-346.
    Fleiss, J. L., Levin, B. & Paik, M. C. (2003). Statistical Methods for Rates and Proportions, 3rd
    ed. Wiley, section 4.2.
    R Core Team (2024). power.prop.test, R: A language and environment for statistical computing.
    """
    func = "sample_size_two_proportions"
    pp1 = check_probability(p1, "p1", func, open_interval=False)
    pp2 = check_probability(p2, "p2", func, open_interval=False)
    if pp1 == pp2:
        raise InvalidParameters(f"The 'p2' parameter of {func} must differ from p1 ({pp1}); got {p2!r}.")
    a = check_probability(alpha, "alpha", func)
    pw = check_probability(power, "power", func)
    r = _finite_number(ratio, "ratio", func)
    if r <= 0.0:
        raise InvalidParameters(f"The 'ratio' parameter of {func} must be a positive number (n2 / n1); got {ratio!r}.")
    pbar = (pp1 + r * pp2) / (1.0 + r)
    root = (float(stats.norm.isf(a / 2.0)) * math.sqrt(pbar * (1.0 - pbar) * (1.0 + 1.0 / r))
            + float(stats.norm.ppf(pw)) * math.sqrt(pp1 * (1.0 - pp1) + pp2 * (1.0 - pp2) / r))
    if root <= 0.0:
        raise InvalidParameters(f"The 'power' parameter of {func} must exceed about alpha / 2 for these "
                                f"proportions; got {power!r}.")
    delta = abs(pp1 - pp2)
    n1 = root * root / (delta * delta)
    n1_cc = n1 / 4.0 * (1.0 + math.sqrt(1.0 + 2.0 * (r + 1.0) / (n1 * r * delta))) ** 2
    n1_int, n2_int = math.ceil(n1 - 1e-9), math.ceil(r * n1 - 1e-9)
    return SampleSizeResult(
        n_per_group=n1 if r == 1.0 else None, n1_exact=n1, n2_exact=r * n1, n1=n1_int, n2=n2_int,
        total=n1_int + n2_int, n1_continuity_corrected=n1_cc, n2_continuity_corrected=r * n1_cc, p1=pp1, p2=pp2,
        alpha=a, power=pw, ratio=r, alternative="two-sided",
        method="normal approximation: pooled variance under H0, unpooled under H1 (Fleiss et al. 2003)",
    )


# ------------------------------------------------------------------------------------- discrimination
@register("bootstrap_auc_difference")
def bootstrap_auc_difference(y: Any, score_a: Any, score_b: Any, n_resamples: int = 1000, seed: int = 0,
                             ci_level: float = 0.95, stratified: bool = True) -> BootstrapAucDifferenceResult:
    """Paired bootstrap interval for the difference of two AUCs on the same observations (b - a).

    Parameters
    ----------
    y : array-like of 0/1 or bool
        Outcome, 1 for the event (default).
    score_a, score_b : array-like of float
        Champion and challenger scores for the same rows; higher means more likely an event.
    n_resamples : int, default 1000
        Number of bootstrap resamples.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.
    ci_level : float, default 0.95
        Level of the percentile interval.
    stratified : bool, default True
        Resample events and non-events separately, keeping their counts (else resample all rows).

    Returns
    -------
    BootstrapAucDifferenceResult
        ``difference`` (AUC_b - AUC_a on the full data), both AUCs, ``ci``, ``standard_error``, the
        bootstrap mean, the share of resamples where b is better, and the settings.

    Purpose
    -------
    A distribution-free check of the DeLong test (:func:`mrmkit.stats.delong_test`): is the
    challenger's gain in AUC larger than sampling noise?

    Method
    ------
    The point estimate is the difference of the two AUCs (Mann-Whitney, ties one half) on all data.
    Each resample draws rows with replacement, the same rows for both scores (paired); stratified
    resampling draws the events and the non-events separately with their counts kept, so every
    resample has the observed event rate. A resample is represented by its counts (how often each row
    was drawn): the AUC of the weighted sample is computed from one sort of each score done once, in
    O(n) per resample (see ``_WeightedAuc``), which equals the AUC of the resample with its repeated
    rows. The interval is the percentile interval (``numpy.quantile``, linear interpolation) of the
    resampled differences; ``standard_error`` is their standard deviation (n - 1). Unstratified
    resamples with no events or no non-events have no AUC and are dropped (counted in
    ``n_valid_resamples``).

    Signs of high risk
    ------------------
    An interval that excludes 0 on the unfavourable side; an interval that includes 0 while the
    business case assumes a material gain; a standard error far from DeLong's (the asymptotics are
    then doubtful).

    Strengths
    ---------
    No normality assumption; the same machinery extends to partial AUCs or business metrics (see
    :func:`bootstrap_metric_difference`); fast enough for 1,000 resamples of 100,000 rows.

    Limitations
    -----------
    Percentile intervals can under-cover for small samples or AUCs near 1; Monte Carlo error depends
    on ``n_resamples``; assumes independent rows (clustered data need a block bootstrap); with few
    events the resampled AUCs are discrete.

    References
    ----------
    Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall, chapters
    13 and 16.
    DeLong, E. R., DeLong, D. M. & Clarke-Pearson, D. L. (1988). Comparing the areas under two or more
    correlated receiver operating characteristic curves: a nonparametric approach. Biometrics 44(3),
    837-845.
    Robin, X. et al. (2011). pROC: an open-source package for R and S+ to analyze and compare ROC
    curves. BMC Bioinformatics 12, 77 (``roc.test(method = "bootstrap")``, stratified by default).
    """
    func = "bootstrap_auc_difference"
    b_count = check_int(n_resamples, "n_resamples", func, 1)
    s = check_int(seed, "seed", func, 0)
    level = _level(ci_level, func)
    if not isinstance(stratified, (bool, np.bool_)):
        raise InvalidParameters(f"The 'stratified' parameter of {func} must be True or False; got {stratified!r}.")
    is_pos = _binary(y, func)
    sa = _scores(score_a, is_pos.size, "score_a", func)
    sb = _scores(score_b, is_pos.size, "score_b", func)
    m = int(is_pos.sum())
    n = is_pos.size - m
    if m == 0 or n == 0:
        raise InsufficientData(f"{func} needs at least one positive and one negative; got {m} positive(s) and "
                               f"{n} negative(s).")
    auc_a = _placements(sa[is_pos], sa[~is_pos])[0]
    auc_b = _placements(sb[is_pos], sb[~is_pos])[0]
    kernel_a = _WeightedAuc(sa[is_pos], sa[~is_pos])
    kernel_b = _WeightedAuc(sb[is_pos], sb[~is_pos])
    rng = np.random.default_rng(s)
    diffs = np.empty(b_count)
    k = 0
    for w in _resample_weights(rng, (m, n), b_count, bool(stratified)):
        u, v = w[:, :m], w[:, m:]
        diffs[k:k + w.shape[0]] = kernel_b(u, v) - kernel_a(u, v)
        k += w.shape[0]
    valid = diffs[np.isfinite(diffs)]
    note = None
    if valid.size < b_count:
        note = (f"{b_count - valid.size} resample(s) had no events or no non-events and were dropped.")
    if valid.size < 2:
        note = (note + " " if note else "") + "Fewer than two valid resamples: no standard error."
    return BootstrapAucDifferenceResult(
        difference=auc_b - auc_a, auc_a=auc_a, auc_b=auc_b, ci=_percentile_ci(valid, level), ci_level=level,
        ci_method="percentile (numpy.quantile, linear)", standard_error=_sd(valid),
        bootstrap_mean=float(valid.mean()) if valid.size else math.nan,
        share_b_better=float(np.mean(valid > 0.0)) if valid.size else math.nan, n_resamples=b_count,
        n_valid_resamples=int(valid.size), seed=s, stratified=bool(stratified), n_positive=m, n_negative=n, note=note,
    )


# ------------------------------------------------------------------------------- business impact at a cut-off
_APPROVAL_RULE = "approve when score (PD) <= cutoff"
_METRICS = ("approval_rate", "bad_rate_approved", "expected_loss_approved", "observed_loss_approved")


@register("bootstrap_metric_difference")
def bootstrap_metric_difference(y: Any, score_a: Any, score_b: Any, cutoff_a: float, cutoff_b: float,
                                n_resamples: int = 1000, seed: int = 0, ci_level: float = 0.95,
                                exposure: Any = None, lgd: Any = None,
                                stratified: bool = True) -> BootstrapMetricDifferenceResult:
    """Business metrics of two models at their PD cut-offs, with paired bootstrap intervals.

    Parameters
    ----------
    y : array-like of 0/1 or bool
        Outcome per applicant, 1 for a bad (default).
    score_a, score_b : array-like of float
        Champion and challenger PDs (between 0 and 1) for the same applicants.
    cutoff_a, cutoff_b : float
        PD cut-offs: each model approves the applicants whose PD is at most its cut-off.
    n_resamples : int, default 1000
        Number of bootstrap resamples.
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.
    ci_level : float, default 0.95
        Level of the percentile intervals.
    exposure : float or array-like, optional
        Exposure at default per applicant (non-negative); 1 per applicant when omitted.
    lgd : float or array-like, optional
        Loss given default per applicant, between 0 and 1; 1 when omitted.
    stratified : bool, default True
        Resample bads and goods separately, keeping their counts.

    Returns
    -------
    BootstrapMetricDifferenceResult
        ``metrics``: one :class:`MetricComparison` per metric (``approval_rate``,
        ``bad_rate_approved``, ``expected_loss_approved``, ``observed_loss_approved``) with both values,
        their difference (b - a) and intervals for all three.

    Purpose
    -------
    Translates a model change into what the business sees at the operating point: how many
    applicants are approved, how many of them go bad, and how much is expected and actually lost.

    Method
    ------
    Approved by a model: ``PD <= cutoff``. ``approval_rate`` = approved / all; ``bad_rate_approved``
    = bads among the approved / approved (NaN when none is approved);
    ``expected_loss_approved`` = sum over the approved of the model's own ``PD x LGD x EAD`` (a
    total, in the units of ``exposure``); ``observed_loss_approved`` = sum over the approved of
    ``y x LGD x EAD`` (the realised loss, the same yardstick for both models). Paired bootstrap as in
    :func:`bootstrap_auc_difference` (same rows for both models; stratified by outcome by default, so
    the bad rate of the sample is kept), with every metric computed from the resample counts by one
    matrix product per block of resamples. Percentile intervals; resamples where a bad rate is
    undefined are dropped for that metric only (see ``n_valid_resamples``).

    Signs of high risk
    ------------------
    A challenger that approves more applicants at a higher bad rate than the business case states; an
    expected loss that moves against the observed loss (the new PDs are mis-calibrated); intervals that
    include the unfavourable side of the business case.

    Strengths
    ---------
    Directly in business terms; paired, so the common noise cancels in the differences; any cut-off
    pair (see :func:`matched_cutoff` for the challenger cut-off at the champion's approval rate).

    Limitations
    -----------
    Outcomes are observed only for applicants who were granted credit: on a booked-loans sample the
    bad rates of applicants that only the challenger would approve are unknown (reject inference is
    needed); expected loss compares each model's own PDs, so it mixes calibration with selection;
    assumes independent applicants.

    References
    ----------
    Siddiqi, N. (2017). Intelligent Credit Scoring, 2nd ed. Wiley, chapter on strategy and cut-offs.
    Thomas, L. C., Crook, J. N. & Edelman, D. B. (2017). Credit Scoring and Its Applications, 2nd ed.
    SIAM.
    Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall.
    Basel Committee on Banking Supervision (2006). International Convergence of Capital Measurement
    and Capital Standards (Basel II), paragraphs 271-272 (expected loss = PD x LGD x EAD).
    """
    func = "bootstrap_metric_difference"
    ca = _finite_number(cutoff_a, "cutoff_a", func)
    cb = _finite_number(cutoff_b, "cutoff_b", func)
    b_count = check_int(n_resamples, "n_resamples", func, 1)
    s = check_int(seed, "seed", func, 0)
    level = _level(ci_level, func)
    if not isinstance(stratified, (bool, np.bool_)):
        raise InvalidParameters(f"The 'stratified' parameter of {func} must be True or False; got {stratified!r}.")
    is_bad = _binary(y, func)
    n = is_bad.size
    if n == 0:
        raise InsufficientData(f"{func} needs at least one applicant; y is empty.")
    pa = _pd_scores(score_a, n, "score_a", func)
    pb = _pd_scores(score_b, n, "score_b", func)
    ead = _per_loan(exposure, n, "exposure", func, None)
    loss_rate = _per_loan(lgd, n, "lgd", func, 1.0)
    unit = np.ones(n)
    money = (unit if ead is None else ead) * (unit if loss_rate is None else loss_rate)
    yf = is_bad.astype(np.float64)
    columns = []
    for p, cut in ((pa, ca), (pb, cb)):
        approved = (p <= cut).astype(np.float64)
        columns += [approved, approved * yf, approved * p * money, approved * yf * money]
    order = np.concatenate([np.flatnonzero(is_bad), np.flatnonzero(~is_bad)])
    values = np.column_stack(columns)[order]  # rows: bads first, then goods (the resampling strata)
    n_bad = int(is_bad.sum())

    def metrics(sums: np.ndarray, total: np.ndarray | float) -> np.ndarray:
        """Per model j, columns 4j..4j+3 of ``sums`` are: approved, approved bads, expected and observed loss."""
        out = np.empty((*sums.shape[:-1], 2, len(_METRICS)))
        with np.errstate(invalid="ignore", divide="ignore"):
            for j in (0, 1):
                approved, bads = sums[..., 4 * j], sums[..., 4 * j + 1]
                out[..., j, 0] = approved / total
                out[..., j, 1] = np.where(approved > 0, bads / approved, np.nan)
                out[..., j, 2] = sums[..., 4 * j + 2]
                out[..., j, 3] = sums[..., 4 * j + 3]
        return out

    full = metrics(values.sum(axis=0), float(n))  # shape (2 models, 4 metrics)
    rng = np.random.default_rng(s)
    boot = np.empty((b_count, 2, len(_METRICS)))
    k = 0
    sizes = (n_bad, n - n_bad) if stratified else (n,)
    if stratified and (n_bad == 0 or n_bad == n):
        sizes = (n,)
    with single_threaded_blas():  # the same bits whatever the thread count
        for w in _resample_weights(rng, sizes, b_count, bool(stratified)):
            boot[k:k + w.shape[0]] = metrics(w @ values, w.sum(axis=1))
            k += w.shape[0]
    rows = []
    dropped = []
    for j, name in enumerate(_METRICS):
        da, db = boot[:, 0, j], boot[:, 1, j]
        diff = db - da
        ok = np.isfinite(diff)
        if not ok.all():
            dropped.append(f"{name}: {int((~ok).sum())}")
        rows.append(MetricComparison(
            metric=name, value_a=float(full[0, j]), value_b=float(full[1, j]),
            difference=float(full[1, j] - full[0, j]), ci_a=_percentile_ci(da[np.isfinite(da)], level),
            ci_b=_percentile_ci(db[np.isfinite(db)], level), ci_difference=_percentile_ci(diff[ok], level),
            standard_error_difference=_sd(diff[ok]), n_valid_resamples=int(ok.sum()),
        ))
    note = None
    if dropped:
        note = "Resamples dropped where a metric is undefined (no approvals): " + "; ".join(dropped) + "."
    if stratified and sizes == (n,):
        note = (note + " " if note else "") + "All outcomes are equal: stratification has no effect."
    return BootstrapMetricDifferenceResult(
        metrics=tuple(rows), cutoff_a=ca, cutoff_b=cb, approval_rule=_APPROVAL_RULE, n=n, n_bad=n_bad,
        exposure="given" if ead is not None else "1 per applicant (not given)",
        lgd="given" if loss_rate is not None else "1 (not given)", n_resamples=b_count, seed=s, ci_level=level,
        ci_method="percentile (numpy.quantile, linear)", stratified=bool(stratified), note=note,
    )


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
        cutoff_b=cutoff_b, cutoff_a=ca, approval_rate_a=k_a / sa.size, approval_rate_b=k_b / sb.size, approvals_a=k_a,
        approvals_b=k_b, target_approvals_b=float(target), n_a=int(sa.size), n_b=int(sb.size),
        exact_match=bool(k_b == target), approval_rule=_APPROVAL_RULE,
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
    empty = [name for name, mask in (("swap-in", ins), ("swap-out", outs), ("approved by a", approved_a),
                                     ("approved by b", approved_b)) if not mask.any()]
    note = f"Empty set(s): {', '.join(empty)}; their bad rates are NaN." if empty else None
    return SwapSetResult(
        swap_ins=count(ins), swap_outs=count(outs), swap_in_bad_rate=rate(ins), swap_out_bad_rate=rate(outs),
        swap_in_bads=count(ins & is_bad), swap_out_bads=count(outs & is_bad), both_approved=count(both),
        both_declined=count(neither), decisions=((count(both), count(outs)), (count(ins), count(neither))),
        approval_rate_a=count(approved_a) / n, approval_rate_b=count(approved_b) / n,
        net_approvals=count(ins) - count(outs), bad_rate_approved_a=rate(approved_a),
        bad_rate_approved_b=rate(approved_b), bad_rate_change=rate(approved_b) - rate(approved_a), cutoff_a=ca,
        cutoff_b=cb, approval_rule=_APPROVAL_RULE, n=n, note=note,
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
        raise InvalidParameters(f"The 'quantiles' parameter of {func} must be a non-empty sequence of levels between "
                                f"0 and 1; got {quantiles!r}.")
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
        spearman=rho, spearman_p_value=p_rho, kendall_tau_b=tau, kendall_p_value=p_tau,
        quantile_levels=tuple(levels.tolist()), difference_quantiles=tuple(np.quantile(diff, levels).tolist()),
        mean_difference=float(diff.mean()), mean_absolute_difference=float(np.abs(diff).mean()),
        max_absolute_difference=float(np.abs(diff).max()), n=int(sa.size), note=note,
    )


# ---------------------------------------------------------------------------------- group sequential design
_GRID_STEP = 0.01  # z-scale step of the integration grid (refined when looks are close together)
_MAX_GRID = 20001
_LOWER_Z = -9.0  # lower end of the continuation region of one-sided designs (P(Z < -9) ~ 1e-19)


def _simpson(lo: float, hi: float, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and composite Simpson weights on [lo, hi] with an even number of intervals of at most ``step``."""
    intervals = max(2, math.ceil((hi - lo) / step))
    intervals += intervals % 2
    z = np.linspace(lo, hi, intervals + 1)
    h = (hi - lo) / intervals
    w = np.full(intervals + 1, 2.0)
    w[1::2] = 4.0
    w[0] = w[-1] = 1.0
    return z, w * h / 3.0


@register("group_sequential_bounds")
def group_sequential_bounds(information_fractions: Any, alpha: float = 0.05, alternative: str = "two-sided",
                            spending: str = "obrien-fleming") -> GroupSequentialBounds:
    """Lan-DeMets group sequential boundaries with O'Brien-Fleming-type alpha spending.

    Parameters
    ----------
    information_fractions : array-like of float
        Information time of each look (e.g. the share of the planned sample observed), strictly
        increasing, in (0, 1]; the last is usually 1.
    alpha : float, default 0.05
        Overall significance level (two-sided level for ``alternative='two-sided'``).
    alternative : {'two-sided', 'greater', 'less'}, default 'two-sided'
        Symmetric two-sided boundaries, or a one-sided upper ('greater') or lower ('less') boundary.
    spending : {'obrien-fleming'}, default 'obrien-fleming'
        Alpha-spending function.

    Returns
    -------
    GroupSequentialBounds
        ``boundaries`` (critical |z| per look), ``nominal_p_values``, ``cumulative_alpha_spent`` and
        ``alpha_spent_increments``, with the settings.

    Purpose
    -------
    Lets a champion-challenger trial be looked at before it ends (e.g. monthly) without inflating the
    false-positive rate: each look gets a stricter critical value so that the overall level stays at
    ``alpha``.

    Method
    ------
    Spending function (Lan & DeMets 1983), for a one-sided level a: ``a(t) = 2 - 2 Phi(z_{1-a/2} /
    sqrt(t))``, as gsDesign's ``sfLDOF`` and rpact's ``asOF``. One-sided designs spend ``alpha`` with
    it; a two-sided design spends ``alpha / 2`` on each side with the same function (so the total by
    time t is ``2 a(t)`` with ``a = alpha / 2``), the convention of ldbounds (Reboussin et al. 2000)
    and of gsDesign with ``test.type = 2``: for five equally spaced looks at two-sided 0.05 it gives
    about 4.877, 3.357, 2.680, 2.290, 2.031. (Applying ``2 - 2 Phi(z_{1-alpha/2} / sqrt(t))`` to the
    two-sided total instead would give a first boundary near 4.38; that is not what the software
    above computes.) Under H0 the z statistics at the looks are the canonical joint normal with
    ``corr(Z_i, Z_j) = sqrt(t_i / t_j)`` (independent increments). The boundary at look 1 is
    ``Phi^{-1}(1 - a(t_1))``; at later looks it solves ``P(no crossing before k, crossing at k) =
    a(t_k) - a(t_{k-1})`` by the recursive numerical integration of Armitage, McPherson & Rowe (1969)
    on the z scale: the density of continuing paths is carried from look to look on a composite
    Simpson grid (step ``grid_step``, 0.01 or finer when looks are close) over the continuation region
    (from -9 for one-sided designs) and each boundary is found with Brent's method. Deterministic;
    the boundaries agree with rpact's to 1e-7 (and with ldbounds' printed values to 2e-4, the accuracy
    of its coarser grid). ``nominal_p_values`` are the p-values of a single test at each boundary
    (two-sided for two-sided designs).

    Signs of high risk
    ------------------
    Looks that were not planned or fractions that are not information fractions (calendar time when
    enrolment is uneven); stopping at an early look on a small effect; decisions taken on the
    nominal p-value of a look instead of its boundary.

    Strengths
    ---------
    Controls the overall type I error exactly for any number and timing of looks decided in advance
    or during the trial; O'Brien-Fleming spending keeps early looks very strict, so the final
    boundary stays close to the fixed-sample one.

    Limitations
    -----------
    Assumes a normal test statistic with independent increments (large samples); efficacy boundaries
    only (no futility); the effect estimate after early stopping is biased upwards; the boundaries
    must not be recomputed after seeing the data with a different spending function.

    References
    ----------
    Armitage, P., McPherson, C. K. & Rowe, B. C. (1969). Repeated significance tests on accumulating
    data. Journal of the Royal Statistical Society A 132(2), 235-244.
    O'Brien, P. C. & Fleming, T. R. (1979). A multiple testing procedure for clinical trials.
    Biometrics 35(3), 549-556.
    Lan, K. K. G. & DeMets, D. L. (1983). Discrete sequential boundaries for clinical trials.
    Biometrika 70(3), 659-663.
    Reboussin, D. M., DeMets, D. L., Kim, K. & Lan, K. K. G. (2000). Computations for group sequential
    boundaries using the Lan-DeMets spending function method. Controlled Clinical Trials 21(3), 190-207.
    Jennison, C. & Turnbull, B. W. (2000). Group Sequential Methods with Applications to Clinical
    Trials. Chapman & Hall/CRC, chapters 7 and 19.
    """
    func = "group_sequential_bounds"
    a = check_probability(alpha, "alpha", func)
    alt = _alternative(alternative, func)
    if not isinstance(spending, str) or spending not in _SPENDING:
        raise InvalidParameters(f"The 'spending' parameter of {func} must be one of {list(_SPENDING)}; "
                                f"got {spending!r}.")
    try:
        t = np.asarray(information_fractions, dtype=np.float64)
    except (TypeError, ValueError):
        t = np.array([math.nan])
    if (t.ndim != 1 or t.size == 0 or not np.isfinite(t).all() or (t <= 0.0).any() or (t > 1.0).any()
            or (np.diff(t) <= 0.0).any()):
        raise InvalidParameters(f"The 'information_fractions' parameter of {func} must be strictly increasing numbers "
                                f"in (0, 1]; got {information_fractions!r}.")
    side = a / 2.0 if alt == "two-sided" else a
    z_side = float(stats.norm.isf(side / 2.0))
    spent = 2.0 * stats.norm.sf(z_side / np.sqrt(t))  # per side
    spent[t == 1.0] = side
    incr = np.diff(np.concatenate([[0.0], spent]))
    gaps = np.diff(np.concatenate([[0.0], t]))
    scale = float(np.min(np.sqrt(gaps[1:] / t[1:]))) if t.size > 1 else 1.0
    step = min(_GRID_STEP, scale / 8.0)
    two = alt == "two-sided"
    bounds = [float(stats.norm.isf(incr[0])) if incr[0] > 0.0 else math.inf]
    z, w = None, None
    dens = None
    for k in range(1, t.size):
        # density of continuing paths at look k - 1 on its grid (Simpson nodes z, weights w)
        b_prev = bounds[-1]
        hi = min(b_prev, 12.0)
        lo = -hi if two else _LOWER_Z
        z_new, w_new = _simpson(lo, hi, step)
        if z_new.size > _MAX_GRID:
            raise InvalidParameters(f"The 'information_fractions' parameter of {func} has looks too close together "
                                    f"for the integration grid (smallest relative gap {scale ** 2:.2e}); "
                                    f"got {information_fractions!r}.")
        if dens is None:
            dens_new = stats.norm.pdf(z_new)
        else:
            dens_new = _propagate(z, w * dens, t[k - 2], t[k - 1], z_new)
        z, w, dens = z_new, w_new, dens_new
        mass = w * dens
        root_prev, root_cur, sd = math.sqrt(t[k - 1]), math.sqrt(t[k]), math.sqrt(t[k] - t[k - 1])

        def upper(b: float, mass: np.ndarray = mass, z: np.ndarray = z, root_prev: float = root_prev,
                  root_cur: float = root_cur, sd: float = sd) -> float:
            return float(dot(mass, stats.norm.sf((b * root_cur - z * root_prev) / sd)))

        target = incr[k]
        if target <= 0.0:
            bounds.append(math.inf)
            continue
        bounds.append(float(optimize.brentq(lambda b, target=target: upper(b) - target, -10.0, 40.0,
                                            xtol=1e-12, rtol=1e-12)))
    nominal = [float((2.0 if two else 1.0) * stats.norm.sf(b)) for b in bounds]
    factor = 2.0 if two else 1.0
    formula = "a(t) = 2 - 2 Phi(z_{1 - a/2} / sqrt(t))" + (" per side with a = alpha / 2" if two else " with a = alpha")
    return GroupSequentialBounds(
        information_fractions=tuple(t.tolist()), boundaries=tuple(bounds), nominal_p_values=tuple(nominal),
        cumulative_alpha_spent=tuple((factor * spent).tolist()), alpha_spent_increments=tuple((factor * incr).tolist()),
        alpha=a, alternative=alt, spending=spending, spending_function=f"Lan-DeMets O'Brien-Fleming type: {formula}",
        method="recursive numerical integration (Armitage, McPherson & Rowe 1969), composite Simpson rule, Brent root",
        grid_step=float(step),
    )


def _propagate(z: np.ndarray, mass: np.ndarray, t_prev: float, t_cur: float, z_new: np.ndarray) -> np.ndarray:
    """Density at look ``t_cur`` (z scale, nodes ``z_new``) of paths continuing at ``t_prev`` with masses ``mass``.

    With S = Z sqrt(t) and independent normal increments of variance t_cur - t_prev:
    f(z') = sum_j mass_j phi((z' sqrt(t_cur) - z_j sqrt(t_prev)) / sd) sqrt(t_cur) / sd.
    """
    sd = math.sqrt(t_cur - t_prev)
    a, b = math.sqrt(t_cur) / sd, math.sqrt(t_prev) / sd
    out = np.empty(z_new.size)
    rows = max(1, _CHUNK_CELLS // max(z.size, 1))
    with single_threaded_blas():
        for i in range(0, z_new.size, rows):
            x = a * z_new[i:i + rows, None] - b * z[None, :]
            out[i:i + rows] = np.exp(-0.5 * x * x) @ mass
    return out * a / math.sqrt(2.0 * math.pi)


@register("sequential_decision")
def sequential_decision(z_values: Any, bounds: Any, alternative: str | None = None) -> SequentialDecisionResult:
    """Apply group sequential boundaries to the z statistics observed at the looks so far.

    Parameters
    ----------
    z_values : array-like of float
        The test statistic at each look taken so far, in order (at most one per planned look).
    bounds : GroupSequentialBounds or array-like of float
        The result of :func:`group_sequential_bounds`, or the positive critical values per look.
    alternative : {'two-sided', 'greater', 'less'}, optional
        Only with plain critical values (default 'two-sided'); taken from ``bounds`` otherwise.

    Returns
    -------
    SequentialDecisionResult
        ``crossed`` per look, ``first_crossing`` (1-based look, or None), ``stop`` and the ``decision``.

    Purpose
    -------
    Records, look by look, whether the trial should stop and reject H0, so that the decision rule
    written in the trial plan is applied mechanically.

    Method
    ------
    Look k crosses when ``|z_k| >= b_k`` (two-sided), ``z_k >= b_k`` ('greater') or
    ``z_k <= -b_k`` ('less'). The trial stops at the first crossing and rejects H0 there; without a
    crossing it continues until the last planned look, where H0 is not rejected. ``crossed`` is
    reported for every z given; z values after the first crossing are flagged in a note, since the rule
    stops there.

    Signs of high risk
    ------------------
    z values supplied after a crossing (the trial went on after it should have stopped); more looks
    than planned; statistics that are not standard normal under H0.

    Strengths
    ---------
    Mechanical and auditable; separates the design (boundaries) from the data.

    Limitations
    -----------
    Efficacy stopping only; no estimate or interval adjusted for the sequential design.

    References
    ----------
    Jennison, C. & Turnbull, B. W. (2000). Group Sequential Methods with Applications to Clinical
    Trials. Chapman & Hall/CRC, chapter 1.
    DeMets, D. L. & Lan, K. K. G. (1994). Interim analysis: the alpha spending function approach.
    Statistics in Medicine 13(13-14), 1341-1352.
    """
    func = "sequential_decision"
    if isinstance(bounds, GroupSequentialBounds):
        if alternative is not None and alternative != bounds.alternative:
            raise InvalidParameters(f"The 'alternative' parameter of {func} must be None or match the boundaries' "
                                    f"({bounds.alternative!r}); got {alternative!r}.")
        b = np.asarray(bounds.boundaries, dtype=np.float64)
        alt = bounds.alternative
    else:
        alt = _alternative("two-sided" if alternative is None else alternative, func)
        try:
            b = np.asarray(bounds, dtype=np.float64)
        except (TypeError, ValueError):
            b = np.array([math.nan])
        if b.ndim != 1 or b.size == 0 or np.isnan(b).any() or (b <= 0.0).any():
            raise InvalidParameters(f"The 'bounds' parameter of {func} must be the result of group_sequential_bounds "
                                    f"or positive critical values; got {bounds!r}.")
    z = _vector(z_values, "z_values", func)
    if z.size == 0:
        raise InsufficientData(f"{func} needs the z value of at least one look; z_values is empty.")
    if z.size > b.size:
        raise InvalidInput(f"z_values of {func} has {z.size} looks but the design plans {b.size}.")
    bk = b[:z.size]
    crossed = np.abs(z) >= bk if alt == "two-sided" else (z >= bk if alt == "greater" else z <= -bk)
    hits = np.flatnonzero(crossed)
    first = int(hits[0]) + 1 if hits.size else None
    note = None
    if first is not None:
        decision = f"stop and reject H0 at look {first} of {b.size} (boundary {bk[first - 1]:.4f} crossed)"
        if z.size > first:
            note = f"{z.size - first} z value(s) after look {first} were given; the design stops at the first crossing."
    elif z.size == b.size:
        decision = f"do not reject H0: no boundary crossed by the final look ({b.size})"
    else:
        decision = f"continue: no boundary crossed in the first {z.size} of {b.size} looks"
    return SequentialDecisionResult(
        z_values=tuple(z.tolist()), boundaries=tuple(bk.tolist()), crossed=tuple(bool(c) for c in crossed),
        first_crossing=first, stop=first is not None or z.size == b.size, decision=decision, alternative=alt,
        n_looks_planned=int(b.size), note=note,
    )
