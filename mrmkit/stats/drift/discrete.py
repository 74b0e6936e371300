"""Two-sample test for a numeric feature with few distinct values: :func:`discrete_test`.

Adjacent values are pooled until every expected count suffices, then Pearson's chi-square test of
homogeneity; for counts, arrears status and flags, where the Kolmogorov-Smirnov p-value is too
conservative.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mrmkit.errors import InsufficientData, InvalidParameters
from mrmkit.stats._base import Result, register

__all__ = ["discrete_test", "DiscreteTestResult"]


@dataclass(frozen=True, slots=True)
class DiscreteTestResult(Result):
    statistic: float
    p_value: float
    df: int
    cells: tuple[str, ...]  # the values, or ranges of adjacent values pooled into one cell
    reference_counts: tuple[int, ...]
    current_counts: tuple[int, ...]
    min_expected: float
    n_reference: int
    n_current: int
    note: str | None


def _cell_label(values: np.ndarray) -> str:
    lo, hi = values[0], values[-1]
    return f"{lo:g}" if lo == hi else f"{lo:g} to {hi:g}"


@register("discrete_test")
def discrete_test(reference: Any, current: Any, min_expected: float = 5.0) -> DiscreteTestResult:
    """Two-sample test for a numeric feature with few distinct values (counts, arrears status, flags).

    Parameters
    ----------
    reference, current : array-like of numbers
        The two samples; missing values are left out (their share is a data-quality check of its own).
    min_expected : float, default 5
        Adjacent values are pooled until every cell's expected count under homogeneity is at least this.

    Returns
    -------
    DiscreteTestResult
        ``statistic``, ``p_value``, ``df``, and the pooled cells with both samples' counts.

    Purpose
    -------
    The Kolmogorov-Smirnov p-value assumes continuous data; with many ties (a feature taking a handful of
    values) it is very conservative, so a real shift of a delinquency count goes unseen. This test judges
    such a feature as the discrete variable it is.

    Method
    ------
    The distinct values of both samples, in increasing order, form the columns of a 2 x K table of counts.
    Adjacent values are pooled, from the sparse end, until every expected count ``E_ij = R_i C_j / N`` is
    at least ``min_expected`` (Cochran's rule, pooling neighbours so that the order of the values is kept);
    then Pearson's chi-square test of homogeneity, ``sum (O - E)^2 / E`` on ``K - 1`` degrees of freedom,
    without continuity correction. The drift workbook uses it for a numeric feature whose pooled values
    take at most ``drift.discrete_max_values`` distinct values.

    Signs of high risk
    ------------------
    A small p-value: the frequencies of the feature's values have changed.

    Strengths
    ---------
    Right-sized for tied data where KS is not; uses the samples' own values, with no binning choice.

    Limitations
    -----------
    Ignores the order of the values (a shift and a reshuffle look alike); pooling loses detail in sparse
    tails; a single cell (one value in both samples) gives no test (p = 1, with a note).

    References
    ----------
    Cochran, W. G. (1954). Some methods for strengthening the common chi-square tests. Biometrics 10(4),
    417-451. Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section 3.2 (tests of homogeneity).
    """
    if not isinstance(min_expected, (int, float)) or isinstance(min_expected, bool) or not min_expected > 0:
        raise InvalidParameters(
            f"The 'min_expected' parameter of discrete_test must be a positive number; got {min_expected!r}."
        )
    ref = np.asarray(pd.to_numeric(pd.Series(reference), errors="coerce"), dtype=float)
    cur = np.asarray(pd.to_numeric(pd.Series(current), errors="coerce"), dtype=float)
    ref, cur = ref[~np.isnan(ref)], cur[~np.isnan(cur)]
    if ref.size == 0 or cur.size == 0:
        raise InsufficientData("discrete_test needs at least one non-missing value in each sample.")
    values = np.unique(np.concatenate([ref, cur]))
    counts = np.vstack([np.bincount(np.searchsorted(values, x), minlength=values.size) for x in (ref, cur)])
    rows, total = counts.sum(axis=1), counts.sum()
    groups: list[list[int]] = []
    pending: list[int] = []
    for j in range(values.size):  # pool from the low end: each cell closes once its expected counts suffice
        pending.append(j)
        col = counts[:, pending].sum()
        if (rows.min() * col / total) >= min_expected:
            groups.append(pending)
            pending = []
    if pending:  # the sparse high end joins the last cell
        if groups:
            groups[-1].extend(pending)
        else:
            groups.append(pending)
    pooled = np.column_stack([counts[:, g].sum(axis=1) for g in groups])
    labels = tuple(_cell_label(values[g]) for g in groups)
    note = None
    if pooled.shape[1] < 2:
        stat, p, df = 0.0, 1.0, 0
        note = "All values fall in one cell after pooling: no test of homogeneity is possible."
    else:
        expected = np.outer(rows, pooled.sum(axis=0)) / total
        stat = float(np.sum((pooled - expected) ** 2 / expected))
        df = pooled.shape[1] - 1
        p = float(stats.chi2.sf(stat, df))
    return DiscreteTestResult(
        stat,
        p,
        df,
        labels,
        tuple(int(v) for v in pooled[0]),
        tuple(int(v) for v in pooled[1]),
        float(min_expected),
        int(ref.size),
        int(cur.size),
        note,
    )
