"""Rating migrations: :func:`migration_matrix`, with upgrade and downgrade shares and the ECB's matrix
weighted bandwidth.

Grades are ordered from the best (lowest PD) to the worst; a move to a later grade in that order is a
downgrade.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mrmkit.errors import InsufficientData, InvalidInput
from mrmkit.stats._base import Result, dot, register
from mrmkit.stats.calibration._common import _codes, _labels, _order

__all__ = ["migration_matrix", "MigrationMatrixResult"]


# ----------------------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class MigrationMatrixResult(Result):
    """Rows are the grade at the start (``grades_from``), columns the grade at the end."""

    labels: tuple[Any, ...]
    counts: tuple[tuple[int, ...], ...]
    row_totals: tuple[int, ...]
    column_totals: tuple[int, ...]
    row_shares: tuple[tuple[float, ...], ...]
    n: int
    stayers: int
    upgrades: int
    downgrades: int
    diagonal_share: float
    upgrade_share: float
    downgrade_share: float
    row_diagonal_share: tuple[float, ...]
    row_upgrade_share: tuple[float, ...]
    row_downgrade_share: tuple[float, ...]
    empty_rows: tuple[Any, ...]
    mwb_upper: float
    mwb_lower: float
    direction: str
    note: str | None


@register("migration_matrix")
def migration_matrix(grades_from: Any, grades_to: Any, order: Any) -> MigrationMatrixResult:
    """Grade migration matrix with upgrade and downgrade shares and the ECB's matrix weighted bandwidth.

    Parameters
    ----------
    grades_from : array-like
        Each obligor's grade at the start of the period.
    grades_to : array-like
        The same obligors' grades at the end (same length, same row order).
    order : sequence
        All grade labels from the best grade (lowest PD) to the worst; every label in the data must
        be listed. Grades with no obligors are kept as empty rows and columns.

    Returns
    -------
    MigrationMatrixResult
        ``counts`` and ``row_shares`` (rows = start grade), totals, shares on, below and above the
        diagonal overall and per row, ``mwb_upper`` and ``mwb_lower``.

    Purpose
    -------
    Shows how stable the ratings are over the period: how many obligors keep their grade, how many
    are upgraded or downgraded and how far they move.

    Method
    ------
    Rows are indexed by the start grade i and columns by the end grade j, both in ``order``. Since
    ``order`` runs from best to worst, ``j > i`` (above the diagonal) is a downgrade and ``j < i``
    (below) an upgrade. Row shares are ``n_ij / N_i``; a row with ``N_i = 0`` is reported as empty
    (shares NaN, listed in ``empty_rows``), never divided by zero. Overall shares are over all
    obligors. Matrix weighted bandwidth (ECB 2019, section 2.5.5.1), with K grades numbered 1..K:
    ``MWB_upper = sum_{i<j} |i - j| N_i p_ij / M_upper``, ``M_upper = sum_{i=1}^{K-1} max(|i - K|, |i - 1|)
    N_i sum_{j>i} p_ij``, and ``MWB_lower`` the same over ``i > j`` with ``i = 2..K``; 1 means every
    migration went as far as possible, small values mean migrations of one notch. It is NaN (with a
    note) when there is no migration on that side.

    Signs of high risk
    ------------------
    A low diagonal share (unstable ratings, possibly point-in-time behaviour where through-the-cycle
    is claimed); large MWB (jumps of many notches); downgrades far outweighing upgrades.

    Strengths
    ---------
    Transparent; the ECB's summary measures come with the full matrix behind them.

    Limitations
    -----------
    Only obligors present at both dates are counted (attrition and new business are invisible);
    the shares depend on the number of grades and the length of the period; no significance test here.

    References
    ----------
    European Central Bank (2019). Instructions for reporting the validation results of internal
    models, IRB Pillar I models for credit risk, section 2.5.5.1 (customer migrations).
    Jafry, Y. & Schuermann, T. (2004). Measurement, estimation and comparison of credit migration
    matrices. Journal of Banking & Finance 28(11), 2603-2639.
    """
    labels = _order(order, "migration_matrix")
    k = len(labels)
    src = _labels(grades_from, "grades_from", "migration_matrix")
    dst = _labels(grades_to, "grades_to", "migration_matrix")
    if src.size != dst.size:
        raise InvalidInput(
            f"grades_from and grades_to of migration_matrix must have one value per obligor each; got "
            f"{src.size} and {dst.size}."
        )
    if src.size == 0:
        raise InsufficientData("migration_matrix needs at least one obligor; got none.")
    i = _codes(src, labels, "grades_from", "migration_matrix")
    j = _codes(dst, labels, "grades_to", "migration_matrix")
    counts = np.bincount(i * k + j, minlength=k * k).reshape(k, k)
    rows = counts.sum(axis=1)
    cols = counts.sum(axis=0)
    n = int(rows.sum())
    upper = np.triu(counts, 1)  # j > i: to a worse grade
    lower = np.tril(counts, -1)  # j < i: to a better grade
    stay = int(np.trace(counts))
    down, up = int(upper.sum()), int(lower.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = np.where(rows[:, None] > 0, counts / np.where(rows > 0, rows, 1)[:, None], np.nan)
        r = np.where(rows > 0, rows, np.nan)
        row_diag, row_up, row_down = np.diag(counts) / r, lower.sum(axis=1) / r, upper.sum(axis=1) / r
    idx = np.arange(k)
    dist = np.abs(idx[:, None] - idx[None, :])
    reach = np.maximum(k - 1 - idx, idx)  # max(|i - K|, |i - 1|) with 0-based i
    notes = []
    m_up = float(dot(reach, upper.sum(axis=1)))
    m_lo = float(dot(reach, lower.sum(axis=1)))
    if m_up > 0:
        mwb_upper = float((dist * upper).sum()) / m_up
    else:
        mwb_upper = math.nan
        notes.append("no migration above the diagonal (no downgrade): mwb_upper is undefined")
    if m_lo > 0:
        mwb_lower = float((dist * lower).sum()) / m_lo
    else:
        mwb_lower = math.nan
        notes.append("no migration below the diagonal (no upgrade): mwb_lower is undefined")
    empty = tuple(labels[t] for t in np.flatnonzero(rows == 0))
    if empty:
        notes.append(f"{len(empty)} start grade(s) have no obligors: {list(empty)[:10]}")
    return MigrationMatrixResult(
        labels=labels,
        counts=tuple(tuple(r_) for r_ in counts.tolist()),
        row_totals=tuple(rows.tolist()),
        column_totals=tuple(cols.tolist()),
        row_shares=tuple(tuple(r_) for r_ in shares.tolist()),
        n=n,
        stayers=stay,
        upgrades=up,
        downgrades=down,
        diagonal_share=stay / n,
        upgrade_share=up / n,
        downgrade_share=down / n,
        row_diagonal_share=tuple(row_diag.tolist()),
        row_upgrade_share=tuple(row_up.tolist()),
        row_downgrade_share=tuple(row_down.tolist()),
        empty_rows=empty,
        mwb_upper=mwb_upper,
        mwb_lower=mwb_lower,
        direction="order runs from the best to the worst grade; above the diagonal (to a later grade) is a "
        "downgrade, below it an upgrade; mwb_upper measures downgrades, mwb_lower upgrades",
        note=_sentence(notes),
    )


def _sentence(parts: list[str]) -> str | None:
    if not parts:
        return None
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
