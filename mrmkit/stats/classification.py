"""Binary classifiers judged at an operating point: fraud and other alerting models (``model.kind: classifier``).

Conventions:

* ``y`` is 0/1 (1 = the event: fraud), ``score`` a number where a higher value means more suspicious; a
  case is *alerted* when ``score >= threshold``.
* The operating point is a score ``threshold`` or an ``alert_rate``: the share of cases to alert. For an
  alert rate the threshold is the score of the ``ceil(alert_rate * n)``-th case in descending order, and
  every case tied with it is alerted too, so the achieved rate (``alert_rate_achieved``) may exceed the
  target when scores tie; both are reported.
* Precision, recall (catch rate), false-positive rate, F1 and lift are computed from the four counts of
  the confusion table; a ratio whose denominator is zero is ``NaN`` (never 0 or 1 by convention).
* Nothing here draws random numbers or modifies its inputs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mrmkit.errors import InvalidParameters
from mrmkit.stats._base import Result, check_probability, register
from mrmkit.stats.discrimination import _groups

__all__ = [
    "operating_point", "classification_metrics", "precision_recall_curve", "average_precision", "expected_cost",
    "paired_proportions", "OperatingPoint", "ClassificationMetrics", "PrecisionRecallCurve", "ExpectedCost",
    "PairedProportions",
]  # fmt: skip


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


@dataclass(frozen=True, slots=True)
class PairedProportions(Result):
    """``b``: a = 1 and b = 0; ``c``: a = 0 and b = 1; ``difference`` = rate_b - rate_a."""

    rate_a: float
    rate_b: float
    difference: float
    ci: tuple[float, float]
    ci_level: float
    p_value: float
    alternative: str
    b: int
    c: int
    n: int
    method: str


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
        float(threshold), (tp + fp) / n, tp, fp, tn, fn, precision, _ratio(tp, tp + fn), _ratio(fp, fp + tn),
        _ratio(2 * tp, 2 * tp + fp + fn), precision / base if not math.isnan(precision) else math.nan, base, n,
    )  # fmt: skip


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
    return PrecisionRecallCurve(tuple(map(float, s_sorted[last])), tuple(map(float, precision)),
                                tuple(map(float, recall)), ap, n_pos, int(s.size))  # fmt: skip


def average_precision(y: Any, score: Any) -> float:
    """Average precision of the scores: ``precision_recall_curve(y, score).average_precision``."""
    return precision_recall_curve(y, score).average_precision


@register("expected_cost")
def expected_cost(y: Any, score: Any, threshold: float, *, cost_false_positive: float, cost_false_negative: float,
                  cost_true_positive: float = 0.0) -> ExpectedCost:  # fmt: skip
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
    costs = {"cost_false_positive": cost_false_positive, "cost_false_negative": cost_false_negative,
             "cost_true_positive": cost_true_positive}  # fmt: skip
    for name, value in costs.items():
        if _finite(value, name, func) < 0:
            raise InvalidParameters(f"The '{name}' parameter of {func} must be a non-negative number; got {value!r}.")
    m = classification_metrics(y, score, threshold)
    total = (cost_false_positive * m.false_positives + cost_false_negative * m.false_negatives
             + cost_true_positive * m.true_positives)  # fmt: skip
    return ExpectedCost(m.threshold, float(total), total / m.n, 1000 * total / m.n, float(cost_false_positive),
                        float(cost_false_negative), float(cost_true_positive), m.false_positives, m.false_negatives,
                        m.true_positives, m.n)  # fmt: skip


@register("paired_proportions")
def paired_proportions(a: Any, b: Any, *, alternative: str = "two-sided", ci_level: float = 0.95) -> PairedProportions:
    """Two rates on the same cases (catch rates, false-positive rates): exact McNemar test and Agresti-Min interval.

    Parameters
    ----------
    a, b : array-like of 0/1 or bool
        One outcome per case under each model (e.g. 1 = alerted), same cases in the same order.
    alternative : {'two-sided', 'greater', 'less'}, default 'two-sided'
        'greater' tests H1: rate_b > rate_a.
    ci_level : float, default 0.95
        Level of the two-sided interval of ``rate_b - rate_a``.

    Returns
    -------
    PairedProportions
        Both rates, ``difference`` (b - a), its interval ``ci``, the exact p-value, the discordant counts
        ``b`` (a = 1, b = 0) and ``c`` (a = 0, b = 1) and ``n``.

    Purpose
    -------
    Decide whether a challenger catches more fraud (or raises more false alarms) than the champion on the
    same transactions, using the pairing rather than treating the two rates as independent.

    Method
    ------
    The p-value is the exact conditional (McNemar) test: under H0 the c discordant pairs in favour of b
    are Binomial(b + c, 1/2). The interval is Agresti and Min's adjusted Wald interval: add 1/2 to each
    of the four cells, so ``difference`` is estimated as (c - b) / (n + 2) in the standard error only;
    the reported ``difference`` is the plain (c - b) / n.

    Signs of high risk
    ------------------
    A challenger whose catch rate interval lies below zero at the same alert rate.

    Strengths
    ---------
    Exact p-value; the interval keeps its coverage when discordant pairs are few, where the plain Wald
    interval does not.

    Limitations
    -----------
    Tests the rates at fixed decisions; the uncertainty of a threshold set on the same sample is not
    included.

    References
    ----------
    McNemar, Q. (1947). Note on the sampling error of the difference between correlated proportions or
    percentages. Psychometrika 12, 153-157. Agresti, A. & Min, Y. (2005). Simple improved confidence
    intervals for comparing matched proportions. Statistics in Medicine 24, 729-740.
    """
    from scipy import stats as sps

    func = "paired_proportions"
    if alternative not in ("two-sided", "greater", "less"):
        raise InvalidParameters(f"The 'alternative' parameter of {func} must be 'two-sided', 'greater' or 'less'; got {alternative!r}.")
    level = check_probability(ci_level, "ci_level", func)
    x, z = (np.asarray(v) for v in (a, b))
    if x.ndim != 1 or x.shape != z.shape or x.size == 0:
        raise InvalidParameters(f"The 'a' and 'b' parameters of {func} must be non-empty sequences of equal length.")
    if not (np.isin(x, (0, 1)).all() and np.isin(z, (0, 1)).all()):
        raise InvalidParameters(f"The 'a' and 'b' parameters of {func} must hold only 0 and 1 (or booleans).")
    x, z = x.astype(bool), z.astype(bool)
    n, only_a, only_b = int(x.size), int(np.count_nonzero(x & ~z)), int(np.count_nonzero(~x & z))
    discordant = only_a + only_b
    p = 1.0 if discordant == 0 else float(sps.binomtest(only_b, discordant, 0.5, alternative=alternative).pvalue)
    adjusted = (only_b - only_a) / (n + 2)
    se = math.sqrt(max((discordant + 1) / (n + 2) - adjusted**2, 0.0) / (n + 2))
    half = float(sps.norm.ppf(0.5 + level / 2)) * se
    difference = (only_b - only_a) / n
    ci = (max(-1.0, adjusted - half), min(1.0, adjusted + half))
    return PairedProportions(float(x.mean()), float(z.mean()), difference, ci, level, p, alternative, only_a,
                             only_b, n, "exact McNemar test; Agresti-Min adjusted Wald interval")  # fmt: skip
