"""How large a distribution shift is, whatever the sample sizes: :func:`shift_effect`.

A p-value says whether a shift is there; on large samples a trivial shift is significant. The effect size
says how large it is, on a scale with published conventions: Cohen's h for a feature with two values,
Cramér's V (Cohen's w) for a categorical feature, the Kolmogorov-Smirnov distance for a numeric one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mrmkit.errors import InvalidParameters
from mrmkit.stats._base import Result, register
from mrmkit.stats._samples import _Categorical, _Numeric, _pair
from mrmkit.stats.drift.distance import _merge

__all__ = ["shift_effect", "ShiftEffectResult", "cohens_h", "cramers_v"]

# the measure of each kind of feature, with the name shown in findings
MEASURES = {"binary": "Cohen's h", "categorical": "Cramér's V", "numeric": "KS distance"}


@dataclass(frozen=True, slots=True)
class ShiftEffectResult(Result):
    kind: str  # "binary", "categorical" or "numeric"
    measure: str  # "Cohen's h", "Cramér's V" or "KS distance"
    value: float  # the effect size, 0 for identical distributions (NaN when a sample has no value)
    level: str | None  # the level whose share is reported (binary), or the category whose share moved most
    reference_share: float | None  # that level's share of the non-missing values of each sample
    current_share: float | None
    reference_mean: float | None  # numeric: the means of the non-missing values
    current_mean: float | None
    n_levels: int  # distinct non-missing values of both samples pooled
    n_reference: int  # non-missing values
    n_current: int


def cohens_h(p_reference: float, p_current: float) -> float:
    """Cohen's h of two proportions, ``|2 asin sqrt(p2) - 2 asin sqrt(p1)|`` (Cohen 1988, chapter 6)."""
    return abs(2.0 * math.asin(math.sqrt(p_current)) - 2.0 * math.asin(math.sqrt(p_reference)))


def cramers_v(reference_counts: Any, current_counts: Any) -> float:
    """Cramér's V of the 2 x k table of two samples' category counts, each sample weighted equally.

    ``V = sqrt(chi2 / (N (min(2, k) - 1)))`` on the table whose rows are the two samples' shares (any common
    total ``N``): the same value as ``scipy.stats.contingency.association(table, "cramer")`` on counts of two
    samples of equal size, and for unequal sizes it does not depend on how many rows each sample has.
    """
    a = np.asarray(reference_counts, dtype=float)
    b = np.asarray(current_counts, dtype=float)
    a, b = a / a.sum(), b / b.sum()
    mean = (a + b) / 2.0
    used = mean > 0
    # chi2 / N of the table of shares (N = 2): both rows add (share - mean)^2 / mean, so phi^2 is one row's sum
    phi2 = float(np.sum((a[used] - mean[used]) ** 2 / mean[used]))
    return math.sqrt(phi2) if used.sum() > 1 else 0.0


def _binary_levels(p: _Numeric | _Categorical) -> tuple[int, np.ndarray, np.ndarray, list[str]] | None:
    """Counts of each sample on the two levels (the reported level first), or None for more levels."""
    if isinstance(p, _Categorical):
        present = (p.ref_counts + p.cur_counts) > 0
        if present.sum() != 2:
            return None
        labels = [str(v) for v in np.asarray(p.labels, dtype=object)[present]]
        ref, cur = p.ref_counts[present], p.cur_counts[present]
        # report the level that is rarer in the reference (a flag's "set" value); ties: the later label
        first = 0 if ref[0] < ref[1] else 1
        order = [first, 1 - first]
        return 2, ref[order], cur[order], [labels[i] for i in order]
    both = np.concatenate([p.ref[:1], p.ref[-1:], p.cur[:1], p.cur[-1:]])
    lo, hi = float(both.min()), float(both.max())
    if lo == hi:
        return None
    for x in (p.ref, p.cur):
        if np.count_nonzero((x == lo) | (x == hi)) != x.size:
            return None
    # report the larger value (a 0/1 flag's 1)
    ref = np.array([np.count_nonzero(p.ref == hi), np.count_nonzero(p.ref == lo)])
    cur = np.array([np.count_nonzero(p.cur == hi), np.count_nonzero(p.cur == lo)])
    return 2, ref, cur, [f"{hi:g}", f"{lo:g}"]


@register("shift_effect")
def shift_effect(reference: Any, current: Any, categorical: bool = False) -> ShiftEffectResult:
    """Effect size of the shift of one feature between a reference and a current sample.

    Parameters
    ----------
    reference, current : array-like, or a reference profile for ``reference``
        The two samples; missing values are left out (their share is a data-quality check of its own).
    categorical : bool, default False
        Compare as categories even when the values are numbers (text is always compared as categories).

    Returns
    -------
    ShiftEffectResult
        ``kind`` (binary, categorical or numeric), ``measure``, ``value``; the reported level's share in
        both samples (binary: the level rarer in the reference, or a number's larger value; categorical: the
        category whose share moved most), or both means (numeric).

    Purpose
    -------
    Whether a shift is material, independent of the sample sizes: a significance test on a million rows
    flags shifts nobody would act on, and a population stability index near its green threshold can hide a
    doubled share of a binary flag. The drift workbook judges a shift in one of the model's top drivers by
    this effect size against ``policy.driver_shift``.

    Method
    ------
    A feature whose non-missing values of both samples take exactly two values is binary: Cohen's h of the
    shares of one value, ``h = |2 asin sqrt(p_current) - 2 asin sqrt(p_reference)|`` (the same for either
    value). A categorical feature with more values: Cramér's V of the 2 x k table of the two samples, each
    weighted equally, ``V = sqrt(sum_j (a_j - m_j)^2 / m_j)`` with ``a_j`` the reference share of
    category ``j`` and ``m_j`` the mean of both samples' shares; for a 2 x k table V equals Cohen's w. A
    numeric feature with more values: the two-sample Kolmogorov-Smirnov distance ``D = max |F_ref - F_cur|``.

    Signs of high risk
    ------------------
    A value at or above the conventional small effect: h 0.2, V (w) 0.1 (Cohen 1988); for D, 0.08 is the
    distance between two normal distributions a small Cohen's d (0.2) apart (``2 Phi(0.1) - 1 = 0.0797``).

    Strengths
    ---------
    Does not grow with the sample sizes; every measure is 0 for identical distributions and has published
    conventions; V weights both samples equally, so a small current sample against a large reference reads
    the same as two samples of equal size.

    Limitations
    -----------
    An estimate: on small samples V and D are biased upwards (about ``sqrt((k - 1) (1/n1 + 1/n2) / 4)`` for
    V under no change), so the workbook asks a significant test as well; Cohen's conventions are
    behavioural-science defaults, not calibrated to any model; D ignores where on the scale the distributions
    differ.

    References
    ----------
    Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences, 2nd ed., chapters 6 (h) and 7
    (w). Cramér, H. (1946). Mathematical Methods of Statistics, section 21.9. scipy.stats.contingency.association.
    """
    if not isinstance(categorical, (bool, np.bool_)):
        raise InvalidParameters(
            f"The 'categorical' parameter of shift_effect must be true or false; got {categorical!r}."
        )
    p = _pair(reference, current, "shift_effect", bool(categorical))
    binary = _binary_levels(p)
    if binary is not None:
        _, ref, cur, labels = binary
        a, b = ref[0] / ref.sum(), cur[0] / cur.sum()
        return _result("binary", cohens_h(a, b), ref.sum(), cur.sum(), 2, level=labels[0], shares=(a, b))
    if isinstance(p, _Categorical):
        ref, cur = p.ref_counts, p.cur_counts
        ra, cb = ref / max(ref.sum(), 1), cur / max(cur.sum(), 1)
        j = int(np.argmax(np.abs(cb - ra)))
        value = cramers_v(ref, cur) if ref.sum() and cur.sum() else math.nan
        levels = int(np.count_nonzero(ref + cur))
        return _result(
            "categorical", value, ref.sum(), cur.sum(), levels, level=str(p.labels[j]), shares=(ra[j], cb[j])
        )
    levels = int(np.unique(np.concatenate([p.ref, p.cur])).size)
    d = _merge(p.ref, p.cur)[0] if p.ref.size and p.cur.size else math.nan
    means = tuple(float(np.mean(x)) if x.size else None for x in (p.ref, p.cur))
    return _result("numeric", float(d), p.ref.size, p.cur.size, levels, means=means)


def _result(
    kind: str,
    value: float,
    n_reference: int,
    n_current: int,
    levels: int,
    *,
    level: str | None = None,
    shares: tuple[float, float] | None = None,
    means: tuple[float | None, float | None] = (None, None),
) -> ShiftEffectResult:
    return ShiftEffectResult(
        kind=kind,
        measure=MEASURES[kind],
        value=float(value),
        level=level,
        reference_share=None if shares is None else float(shares[0]),
        current_share=None if shares is None else float(shares[1]),
        reference_mean=means[0],
        current_mean=means[1],
        n_levels=int(levels),
        n_reference=int(n_reference),
        n_current=int(n_current),
    )
