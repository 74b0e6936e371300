"""PSI and Jensen-Shannon distance on the same bins: :func:`psi` and :func:`js_distance`.

``_bin_counts`` cuts numeric data at reference deciles (numpy's default "linear" quantiles, right-closed
intervals), counted on the two sorted arrays with ``searchsorted``; categorical data get one bin per
category; missing values get their own bin. :func:`mrmkit.stats.drift.drift_table` uses the same bins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from mrmkit.errors import InvalidParameters
from mrmkit.stats._base import Result, check_int, check_probability, register
from mrmkit.stats._samples import _Categorical, _Numeric, _pair, _quantile_edges

__all__ = ["psi", "js_distance", "PsiBin", "PsiResult", "JsResult", "EPSILON"]

EPSILON = 1e-4
_JS_MAX = math.sqrt(math.log(2.0))
MISSING_LABEL = "<missing>"  # label of the missing-value bin / category


# ----------------------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class PsiBin(Result):
    """One row of a PSI table; shares are raw, ``contribution`` uses ``epsilon`` for empty bins."""

    label: str
    lower: float | None
    upper: float | None
    reference_count: int
    current_count: int
    reference_share: float
    current_share: float
    contribution: float
    epsilon_applied: bool


@dataclass(frozen=True, slots=True)
class PsiResult(Result):
    value: float
    table: tuple[PsiBin, ...]
    kind: str
    bins_requested: int
    bins_used: int
    edges: tuple[float, ...]
    epsilon: float
    n_reference: int
    n_current: int
    n_reference_missing: int
    n_current_missing: int
    quantile_method: str
    intervals: str


@dataclass(frozen=True, slots=True)
class JsResult(Result):
    value: float
    divergence: float
    maximum: float
    kind: str
    bins_requested: int
    bins_used: int
    edges: tuple[float, ...]
    labels: tuple[str, ...]
    reference_shares: tuple[float, ...]
    current_shares: tuple[float, ...]
    log_base: str
    n_reference: int
    n_current: int


# ------------------------------------------------------------------------------------------ kernels
@dataclass(frozen=True, slots=True)
class _Bins:
    labels: tuple[str, ...]
    lower: tuple[float | None, ...]
    upper: tuple[float | None, ...]
    edges: tuple[float, ...]
    ref_counts: np.ndarray
    cur_counts: np.ndarray
    n_ref: int
    n_cur: int
    miss_ref: int
    miss_cur: int


def _bin_counts(pair: _Numeric | _Categorical, bins: int) -> _Bins:
    if isinstance(pair, _Categorical):
        k = len(pair.labels)
        labels, lower, upper, edges = list(pair.labels), [None] * k, [None] * k, ()
        ref_counts, cur_counts = pair.ref_counts, pair.cur_counts
    else:
        e = pair.profile.edges(bins) if pair.profile is not None else _quantile_edges(pair.ref, bins)
        bounds = np.concatenate(([-np.inf], e, [np.inf]))
        ref_counts = np.diff(np.concatenate(([0], np.searchsorted(pair.ref, e, "right"), [pair.ref.size])))
        cur_counts = np.diff(np.concatenate(([0], np.searchsorted(pair.cur, e, "right"), [pair.cur.size])))
        lower, upper = bounds[:-1].tolist(), bounds[1:].tolist()
        labels = [
            f"({lo:.6g}, {hi:.6g}" + (")" if math.isinf(hi) else "]") for lo, hi in zip(lower, upper, strict=True)
        ]
        edges = tuple(e.tolist())
    if pair.miss_ref or pair.miss_cur:  # missing values form their own bin
        labels, lower, upper = [*labels, MISSING_LABEL], [*lower, None], [*upper, None]
        ref_counts = np.append(ref_counts, pair.miss_ref)
        cur_counts = np.append(cur_counts, pair.miss_cur)
    return _Bins(
        tuple(labels),
        tuple(lower),
        tuple(upper),
        edges,
        ref_counts,
        cur_counts,
        pair.n_ref,
        pair.n_cur,
        pair.miss_ref,
        pair.miss_cur,
    )


def _psi_from_bins(b: _Bins, kind: str, bins: int, epsilon: float) -> PsiResult:
    ref_share = b.ref_counts / b.n_ref
    cur_share = b.cur_counts / b.n_cur
    r = np.where(b.ref_counts == 0, epsilon, ref_share)
    c = np.where(b.cur_counts == 0, epsilon, cur_share)
    contribution = (c - r) * np.log(c / r)
    applied = (b.ref_counts == 0) | (b.cur_counts == 0)
    table = tuple(
        PsiBin(*row)
        for row in zip(
            b.labels,
            b.lower,
            b.upper,
            b.ref_counts.tolist(),
            b.cur_counts.tolist(),
            ref_share.tolist(),
            cur_share.tolist(),
            contribution.tolist(),
            applied.tolist(),
            strict=True,
        )
    )
    return PsiResult(
        value=float(contribution.sum()),
        table=table,
        kind=kind,
        bins_requested=bins,
        bins_used=len(table),
        edges=b.edges,
        epsilon=epsilon,
        n_reference=b.n_ref,
        n_current=b.n_cur,
        n_reference_missing=b.miss_ref,
        n_current_missing=b.miss_cur,
        quantile_method="numpy linear (type 7)",
        intervals="right-closed (a, b]",
    )


def _js_from_bins(b: _Bins, kind: str, bins: int) -> JsResult:
    p = b.ref_counts / b.n_ref
    q = b.cur_counts / b.n_cur
    m = (p + q) / 2.0
    divergence = max(float(np.sum(special.rel_entr(p, m)) + np.sum(special.rel_entr(q, m))) / 2.0, 0.0)
    return JsResult(
        value=math.sqrt(divergence),
        divergence=divergence,
        maximum=_JS_MAX,
        kind=kind,
        bins_requested=bins,
        bins_used=len(b.labels),
        edges=b.edges,
        labels=b.labels,
        reference_shares=tuple(p.tolist()),
        current_shares=tuple(q.tolist()),
        log_base="e",
        n_reference=b.n_ref,
        n_current=b.n_cur,
    )


def _kind(pair: _Numeric | _Categorical) -> str:
    return "categorical" if isinstance(pair, _Categorical) else "numeric"


def _check_flag(value: Any, name: str, func: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidParameters(f"The {name!r} parameter of {func} must be True or False; got {value!r}.")
    return bool(value)


# ------------------------------------------------------------------------------------ public API
@register("psi")
def psi(
    reference: Any, current: Any, bins: int = 10, *, categorical: bool = False, epsilon: float = EPSILON
) -> PsiResult:
    """Population stability index of ``current`` against ``reference``.

    Parameters
    ----------
    reference, current : array-like
        (``reference`` may also be a :class:`ColumnProfile` of the reference sample; same results.)
        The two samples. Object, string, category and bool dtypes are categorical.
    bins : int, default 10
        Number of reference quantile bins requested (at least 2); ignored for categorical data.
    categorical : bool, default False
        Treat numeric values as categories (one bin per distinct value).
    epsilon : float, default 1e-4
        Share used in place of an empty bin's share of zero.

    Returns
    -------
    PsiResult
        ``value``, the per-bin ``table`` (edges, counts, raw shares, contributions) and every setting.

    Raises
    ------
    InvalidParameters
        For a bad ``bins``, ``categorical`` or ``epsilon``.
    InvalidInput, InsufficientData
        For an empty or all-missing sample, infinite values or an unsupported dtype.

    Purpose
    -------
    Measures how far the distribution of a variable (a score or a model input) in a current sample
    has moved from the reference sample the model was developed or last validated on.

    Method
    ------
    Numeric data are cut at the reference deciles (``bins`` - 1 interior edges from ``np.quantile``
    with numpy's default linear interpolation on the non-missing reference values; duplicate edges
    are dropped, so a reference with few distinct values gets fewer bins; ``bins_used`` records it).
    Intervals are right-closed ``(a, b]`` with outer edges at minus and plus infinity. Missing values
    (NaN, None) form their own bin, present only when either sample has missing values. Categorical
    data get one bin per category of the union of both samples, sorted by their text.
    Shares are counts divided by all rows of the sample (missing included). A share of zero is
    replaced by ``epsilon`` (1e-4) in the formula only; the other shares are not renormalised, and the
    table shows the raw shares with ``epsilon_applied`` marking the affected bins.
    ``PSI = sum((cur - ref) * ln(cur / ref))``, which is zero for identical shares and never negative.

    Signs of high risk
    ------------------
    The customary reading is below 0.10 stable, 0.10 to 0.25 a shift to investigate, above 0.25 a
    significant shift. Look at the table: one bin dominating the sum, or a growing missing bin, often
    points to a data or process change rather than a population change.

    Strengths
    ---------
    Widely understood in credit risk; symmetric in the two samples' roles; decomposes into per-bin
    contributions; reference-quantile bins keep heavy-tailed variables informative.

    Limitations
    -----------
    Not a test: its sampling distribution depends on the sample sizes and the number of bins, so the
    rule-of-thumb thresholds flag small samples too often and miss drift in very large ones. The
    value depends on the binning and on ``epsilon`` when bins are empty. Shifts inside a bin are
    invisible.

    References
    ----------
    Siddiqi, N. (2006). Credit Risk Scorecards, ch. 12. Wiley.
    Yurdakul, B. (2018). Statistical Properties of Population Stability Index. PhD dissertation,
    Western Michigan University.
    du Pisanie, J., Allison, J. S., Budde, C. J. & Visagie, J. (2023). A critical review of existing
    and new population stability testing procedures in credit risk scoring. arXiv:2303.01227.
    Board of Governors of the Federal Reserve System (2011). SR 11-7, Guidance on Model Risk
    Management (ongoing monitoring).
    """
    bins = check_int(bins, "bins", "psi", 2)
    categorical = _check_flag(categorical, "categorical", "psi")
    epsilon = check_probability(epsilon, "epsilon", "psi")
    pair = _pair(reference, current, "psi", categorical)
    return _psi_from_bins(_bin_counts(pair, bins), _kind(pair), bins, epsilon)


@register("js_distance")
def js_distance(reference: Any, current: Any, bins: int = 10, *, categorical: bool = False) -> JsResult:
    """Jensen-Shannon distance (natural log) between the binned reference and current samples.

    Parameters
    ----------
    reference, current : array-like
        (``reference`` may also be a :class:`ColumnProfile` of the reference sample; same results.)
        The two samples, binned exactly as :func:`psi` bins them.
    bins : int, default 10
        Number of reference quantile bins requested (at least 2).
    categorical : bool, default False
        Treat numeric values as categories.

    Returns
    -------
    JsResult
        ``value`` (the distance), ``divergence`` (its square) and the shares it was computed from.

    Purpose
    -------
    A bounded, symmetric measure of distribution shift that stays finite when a bin is empty in
    one sample, complementing the PSI.

    Method
    ------
    The bins, including the missing-value bin, are those of :func:`psi`. With raw shares ``p``
    (reference) and ``q`` (current) and ``m = (p + q) / 2``, the divergence is
    ``(KL(p, m) + KL(q, m)) / 2`` with natural logarithms and the distance is its square root, as
    ``scipy.spatial.distance.jensenshannon(p, q)``. No epsilon is needed: ``0 ln 0 = 0``. A divergence
    that rounds below zero is set to zero.

    Signs of high risk
    ------------------
    Values approaching the maximum ``sqrt(ln 2) = 0.8326`` mean the two samples barely overlap.
    There is no standard threshold; compare with the PSI and track the value over time.

    Strengths
    ---------
    Symmetric, bounded, a true metric, and insensitive to empty bins.

    Limitations
    -----------
    Not a test and sample-size dependent in the same way as the PSI; depends on the binning; less
    familiar to credit-risk audiences.

    References
    ----------
    Lin, J. (1991). Divergence measures based on the Shannon entropy. IEEE Transactions on
    Information Theory 37(1), 145-151.
    Endres, D. M. & Schindelin, J. E. (2003). A new metric for probability distributions. IEEE
    Transactions on Information Theory 49(7), 1858-1860.
    """
    bins = check_int(bins, "bins", "js_distance", 2)
    categorical = _check_flag(categorical, "categorical", "js_distance")
    pair = _pair(reference, current, "js_distance", categorical)
    return _js_from_bins(_bin_counts(pair, bins), _kind(pair), bins)
