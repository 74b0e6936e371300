"""A binary classifier at an operating point: :func:`operating_point` and :func:`classification_metrics`.

The operating point is a score ``threshold`` or an ``alert_rate``; the metrics are the confusion counts
of the alerts ``score >= threshold`` and the ratios computed from them (a zero denominator gives NaN).
The number checks here are shared with :mod:`mrmkit.stats.classification.tradeoffs`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mrmkit.errors import InvalidParameters
from mrmkit.stats._base import Result, check_probability, register
from mrmkit.stats.discrimination import _groups

__all__ = ["operating_point", "classification_metrics", "OperatingPoint", "ClassificationMetrics"]


@dataclass(frozen=True, slots=True)
class OperatingPoint(Result):
    threshold: float
    rule: str  # "threshold" or "alert_rate"
    alert_rate_target: float | None
    alert_rate_achieved: float
    n_alerts: int
    n: int


@dataclass(frozen=True, slots=True)
class ClassificationMetrics(Result):
    threshold: float
    alert_rate: float
    true_positives: int
    false_positives: int
    true_negatives: int
    false_negatives: int
    precision: float
    recall: float
    false_positive_rate: float
    f1: float
    lift: float
    base_rate: float
    n: int


def _finite(value: Any, name: str, func: str) -> float:
    """A finite real number (booleans refused), or InvalidParameters naming the parameter."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise InvalidParameters(f"The '{name}' parameter of {func} must be a finite number; got {value!r}.")
    return float(value)


def _ratio(a: int, b: int) -> float:
    return a / b if b else math.nan


def _alert_threshold(score: np.ndarray, alert_rate: float) -> float:
    k = max(1, math.ceil(alert_rate * score.size - 1e-9))  # 1e-9: 0.1 * 1000 is 100, not 100.00000000000001
    return float(np.sort(score)[::-1][k - 1])


@register("operating_point")
def operating_point(score: Any, *, threshold: float | None = None, alert_rate: float | None = None) -> OperatingPoint:
    """The score threshold of a policy given as a threshold or as an alert rate.

    Parameters
    ----------
    score : array-like of float
        The classifier's scores (higher: more suspicious).
    threshold, alert_rate : float
        Exactly one: alert when ``score >= threshold``, or alert the ``alert_rate`` share of highest scores.

    Returns
    -------
    OperatingPoint
        ``threshold``, the target and achieved alert rates, ``n_alerts`` and ``n``.

    Purpose
    -------
    Fraud and other alerting models are judged at the alert volume operations can work, not at a PD cut-off.

    Method
    ------
    For an alert rate r the threshold is the ``ceil(r n)``-th largest score; every case scoring at least
    that is alerted, so ties can raise the achieved rate above r (reported).

    Signs of high risk
    ------------------
    An achieved rate well above the target: many tied scores (a coarse or saturated score).

    Strengths
    ---------
    Deterministic and rank-based: the same alerts whatever the scale of the score.

    Limitations
    -----------
    On a monitoring sample the rate is that sample's; the production threshold may differ.

    References
    ----------
    Bolton, R. J. & Hand, D. J. (2002). Statistical fraud detection: a review. Statistical Science 17(3),
    235-255.
    """
    func = "operating_point"
    s = np.asarray(score, dtype=np.float64)
    if s.ndim != 1 or s.size == 0 or not np.isfinite(s).all():
        raise InvalidParameters(f"The 'score' parameter of {func} must be a non-empty sequence of finite numbers.")
    if (threshold is None) == (alert_rate is None):
        raise InvalidParameters(f"{func} needs exactly one of 'threshold' and 'alert_rate'.")
    if alert_rate is not None:
        rate = check_probability(alert_rate, "alert_rate", func)
        cut, rule = _alert_threshold(s, rate), "alert_rate"
    else:
        cut, rate, rule = _finite(threshold, "threshold", func), None, "threshold"
    alerts = int(np.count_nonzero(s >= cut))
    return OperatingPoint(cut, rule, rate, alerts / s.size, alerts, int(s.size))


@register("classification_metrics")
def classification_metrics(y: Any, score: Any, threshold: float) -> ClassificationMetrics:
    """Precision, recall (catch rate), false-positive rate, F1 and lift of the alerts ``score >= threshold``.

    Parameters
    ----------
    y : array-like of 0/1
        Outcomes (1 = the event, e.g. fraud).
    score : array-like of float
        Scores, higher meaning more suspicious.
    threshold : float
        Alert when ``score >= threshold`` (see :func:`operating_point`).

    Returns
    -------
    ClassificationMetrics
        The confusion counts, ``precision = TP / (TP + FP)``, ``recall = TP / (TP + FN)``,
        ``false_positive_rate = FP / (FP + TN)``, ``f1``, ``lift = precision / base rate``, ``alert_rate``.

    Purpose
    -------
    What the alerts catch and what they cost in friction, at the policy's operating point.

    Method
    ------
    Counts of the 2 x 2 table of alert against outcome; ``F1 = 2 TP / (2 TP + FP + FN)``; a ratio with a
    zero denominator is NaN. Equal to scikit-learn's ``precision_score``, ``recall_score`` and
    ``f1_score`` of the alerts (tests).

    Signs of high risk
    ------------------
    Low recall at the agreed alert rate; a false-positive rate that the customer-friction budget cannot bear.

    Strengths
    ---------
    Directly the quantities operations and customers feel.

    Limitations
    -----------
    One operating point; see :func:`precision_recall_curve` for all of them. Outcomes of unalerted cases
    are often observed late (fraud found later), which understates false negatives early on.

    References
    ----------
    Davis, J. & Goadrich, M. (2006). The relationship between precision-recall and ROC curves. ICML.
    """
    func = "classification_metrics"
    is_pos, _, _ = _groups(y, score, func)
    s = np.asarray(score, dtype=np.float64)
    threshold = _finite(threshold, "threshold", func)
    alert = s >= threshold
    tp = int(np.count_nonzero(alert & is_pos))
    fp = int(np.count_nonzero(alert & ~is_pos))
    fn = int(np.count_nonzero(~alert & is_pos))
    tn = int(np.count_nonzero(~alert & ~is_pos))
    n = int(s.size)
    precision, base = _ratio(tp, tp + fp), (tp + fn) / n
    return ClassificationMetrics(
        float(threshold),
        (tp + fp) / n,
        tp,
        fp,
        tn,
        fn,
        precision,
        _ratio(tp, tp + fn),
        _ratio(fp, fp + tn),
        _ratio(2 * tp, 2 * tp + fp + fn),
        precision / base if not math.isnan(precision) else math.nan,
        base,
        n,
    )
