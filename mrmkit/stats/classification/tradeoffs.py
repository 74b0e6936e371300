"""Catching events against raising false alarms: :func:`precision_recall_curve` over every threshold, and
:func:`expected_cost`, which prices the alerts at one threshold with a cost matrix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mrmkit.errors import InvalidParameters
from mrmkit.stats._base import Result, register
from mrmkit.stats.classification.operating import _finite, classification_metrics
from mrmkit.stats.discrimination import _groups

__all__ = ["precision_recall_curve", "average_precision", "expected_cost", "PrecisionRecallCurve", "ExpectedCost"]


@dataclass(frozen=True, slots=True)
class PrecisionRecallCurve(Result):
    thresholds: tuple[float, ...]
    precision: tuple[float, ...]
    recall: tuple[float, ...]
    average_precision: float
    n_positive: int
    n: int


@dataclass(frozen=True, slots=True)
class ExpectedCost(Result):
    threshold: float
    total: float
    per_case: float
    per_1000: float
    cost_false_positive: float
    cost_false_negative: float
    cost_true_positive: float
    false_positives: int
    false_negatives: int
    true_positives: int
    n: int


@register("precision_recall_curve")
def precision_recall_curve(y: Any, score: Any) -> PrecisionRecallCurve:
    """Precision and recall at every distinct score, and the average precision.

    Parameters
    ----------
    y : array-like of 0/1
        Outcomes.
    score : array-like of float
        Scores, higher meaning more suspicious.

    Returns
    -------
    PrecisionRecallCurve
        ``thresholds`` (distinct scores, descending), ``precision`` and ``recall`` when alerting at each,
        and ``average_precision``.

    Purpose
    -------
    For rare events (fraud) the precision-recall curve shows what the ROC curve hides: how many alerts
    are wasted for each event caught.

    Method
    ------
    Cases sorted by score, descending; at each distinct score the cumulative true and false positives
    give precision and recall (ties enter together). Average precision is the step sum
    ``AP = sum_k (R_k - R_{k-1}) P_k`` without interpolation, as scikit-learn's
    ``average_precision_score`` (tests compare both).

    Signs of high risk
    ------------------
    An AP close to the base rate: the score ranks events little better than chance.

    Strengths
    ---------
    Sensitive where the business is: the top of the ranking.

    Limitations
    -----------
    AP depends on the base rate, so compare models on the same sample only.

    References
    ----------
    Davis, J. & Goadrich, M. (2006). The relationship between precision-recall and ROC curves. ICML.
    Saito, T. & Rehmsmeier, M. (2015). The precision-recall plot is more informative than the ROC plot when
    evaluating binary classifiers on imbalanced datasets. PLoS ONE 10(3).
    """
    func = "precision_recall_curve"
    is_pos, _, _ = _groups(y, score, func)
    s = np.asarray(score, dtype=np.float64)
    order = np.argsort(-s, kind="stable")
    s_sorted, pos_sorted = s[order], is_pos[order]
    last = np.r_[np.flatnonzero(np.diff(s_sorted) != 0), s_sorted.size - 1]  # last case of each tie group
    tp = np.cumsum(pos_sorted)[last]
    fp = (last + 1) - tp
    n_pos = int(is_pos.sum())
    precision = tp / (tp + fp)
    recall = tp / n_pos
    ap = float(np.sum(np.diff(np.r_[0.0, recall]) * precision))
    return PrecisionRecallCurve(
        tuple(map(float, s_sorted[last])),
        tuple(map(float, precision)),
        tuple(map(float, recall)),
        ap,
        n_pos,
        int(s.size),
    )


def average_precision(y: Any, score: Any) -> float:
    """Average precision of the scores: ``precision_recall_curve(y, score).average_precision``."""
    return precision_recall_curve(y, score).average_precision


@register("expected_cost")
def expected_cost(
    y: Any,
    score: Any,
    threshold: float,
    *,
    cost_false_positive: float,
    cost_false_negative: float,
    cost_true_positive: float = 0.0,
) -> ExpectedCost:
    """The cost of the alerts ``score >= threshold`` from a cost matrix.

    Parameters
    ----------
    y, score, threshold
        As for :func:`classification_metrics`.
    cost_false_positive : float
        Cost of alerting a genuine case (review effort, customer friction).
    cost_false_negative : float
        Cost of missing an event (the average fraud loss).
    cost_true_positive : float
        Cost of a caught event (its review), default 0.

    Returns
    -------
    ExpectedCost
        ``total = c_FP FP + c_FN FN + c_TP TP``, ``per_case`` and ``per_1000`` cases, and the counts.

    Purpose
    -------
    Judge an operating point, or a challenger, by what it costs the bank rather than by a ratio.

    Method
    ------
    The cost matrix applied to the confusion counts (true negatives cost nothing).

    Signs of high risk
    ------------------
    A challenger with a better AUC but a higher cost at the operating point.

    Strengths
    ---------
    Puts fraud losses and friction in one currency.

    Limitations
    -----------
    Costs are averages set by the business; a case's loss varies.

    References
    ----------
    Elkan, C. (2001). The foundations of cost-sensitive learning. IJCAI.
    """
    func = "expected_cost"
    costs = {
        "cost_false_positive": cost_false_positive,
        "cost_false_negative": cost_false_negative,
        "cost_true_positive": cost_true_positive,
    }
    for name, value in costs.items():
        if _finite(value, name, func) < 0:
            raise InvalidParameters(f"The '{name}' parameter of {func} must be a non-negative number; got {value!r}.")
    m = classification_metrics(y, score, threshold)
    total = (
        cost_false_positive * m.false_positives
        + cost_false_negative * m.false_negatives
        + cost_true_positive * m.true_positives
    )
    return ExpectedCost(
        m.threshold,
        float(total),
        total / m.n,
        1000 * total / m.n,
        float(cost_false_positive),
        float(cost_false_negative),
        float(cost_true_positive),
        m.false_positives,
        m.false_negatives,
        m.true_positives,
        m.n,
    )
