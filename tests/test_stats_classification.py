"""Classifier metrics at an operating point, against scikit-learn and hand counts (issue 13)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from mrmkit.errors import InvalidParameters
from mrmkit.stats.classification import (
    average_precision,
    classification_metrics,
    expected_cost,
    operating_point,
    paired_proportions,
    precision_recall_curve,
)


def _sample(seed: int = 0, n: int = 2000, rate: float = 0.02):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < rate).astype(int)
    score = np.round(rng.normal(1.5 * y, 1.0), 2)  # rounded: many ties
    return y, score


def test_metrics_by_hand() -> None:
    """Ten cases, alerts at score >= 0.5: TP 2 (0.9, 0.6), FP 1 (0.7), FN 1 (0.2), TN 6."""
    y = [1, 0, 1, 1, 0, 0, 0, 0, 0, 0]
    s = [0.9, 0.7, 0.6, 0.2, 0.1, 0.1, 0.3, 0.4, 0.0, 0.2]
    m = classification_metrics(y, s, 0.5)
    assert (m.true_positives, m.false_positives, m.false_negatives, m.true_negatives) == (2, 1, 1, 6)
    assert m.precision == pytest.approx(2 / 3) and m.recall == pytest.approx(2 / 3)
    assert m.false_positive_rate == pytest.approx(1 / 7) and m.f1 == pytest.approx(2 / 3)
    assert m.lift == pytest.approx((2 / 3) / 0.3) and m.alert_rate == pytest.approx(0.3)


def test_metrics_equal_scikit_learn() -> None:
    y, s = _sample()
    m = classification_metrics(y, s, 2.0)
    alerts = (s >= 2.0).astype(int)
    assert m.precision == pytest.approx(skm.precision_score(y, alerts), rel=1e-15)
    assert m.recall == pytest.approx(skm.recall_score(y, alerts), rel=1e-15)
    assert m.f1 == pytest.approx(skm.f1_score(y, alerts), rel=1e-15)
    tn, fp, fn, tp = skm.confusion_matrix(y, alerts).ravel()
    assert (m.true_negatives, m.false_positives, m.false_negatives, m.true_positives) == (tn, fp, fn, tp)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_average_precision_and_curve_equal_scikit_learn(seed: int) -> None:
    y, s = _sample(seed)
    assert average_precision(y, s) == pytest.approx(skm.average_precision_score(y, s), rel=1e-12)
    curve = precision_recall_curve(y, s)
    precision, recall, thresholds = skm.precision_recall_curve(y, s)
    # scikit-learn lists ascending thresholds (stopping at full recall) and appends (1, 0)
    ours = dict(zip(curve.thresholds, zip(curve.precision, curve.recall, strict=True), strict=True))
    for p, r, t in zip(precision[:-1], recall[:-1], thresholds, strict=True):
        assert ours[float(t)] == pytest.approx((p, r), rel=1e-12)


def test_alert_rate_threshold_and_ties() -> None:
    s = np.array([5, 4, 4, 4, 3, 2, 1, 0, 0, 0], dtype=float)
    point = operating_point(s, alert_rate=0.2)  # the 2nd largest score is 4, tied with two more
    assert point.threshold == 4.0 and point.n_alerts == 4 and point.alert_rate_achieved == 0.4
    assert operating_point(s, alert_rate=0.1).n_alerts == 1
    assert operating_point(s, threshold=3.0).n_alerts == 5
    with pytest.raises(InvalidParameters, match="exactly one"):
        operating_point(s)
    with pytest.raises(InvalidParameters, match="exactly one"):
        operating_point(s, threshold=1.0, alert_rate=0.1)


def test_expected_cost_by_hand() -> None:
    y = [1, 0, 1, 1, 0, 0, 0, 0, 0, 0]
    s = [0.9, 0.7, 0.6, 0.2, 0.1, 0.1, 0.3, 0.4, 0.0, 0.2]
    c = expected_cost(y, s, 0.5, cost_false_positive=5, cost_false_negative=100, cost_true_positive=2)
    assert c.total == 5 * 1 + 100 * 1 + 2 * 2 and c.per_1000 == pytest.approx(109 * 100)
    with pytest.raises(InvalidParameters, match="non-negative"):
        expected_cost(y, s, 0.5, cost_false_positive=-1, cost_false_negative=1)


def test_a_ratio_without_denominator_is_nan() -> None:
    m = classification_metrics([1, 0, 0], [0.1, 0.2, 0.3], 0.9)  # nothing alerted
    assert math.isnan(m.precision) and m.recall == 0.0 and math.isnan(m.lift)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_a_permutation_of_rows_changes_nothing(seed: int) -> None:
    y, s = _sample(seed % 50, n=300, rate=0.1)
    if y.sum() in (0, y.size):
        return
    perm = np.random.default_rng(seed).permutation(y.size)
    assert average_precision(y, s) == average_precision(y[perm], s[perm])
    assert classification_metrics(y, s, 1.0) == classification_metrics(y[perm], s[perm], 1.0)


def _pairs(both: int, only_a: int, only_b: int, neither: int) -> tuple[np.ndarray, np.ndarray]:
    a = np.repeat([1, 1, 0, 0], [both, only_a, only_b, neither])
    b = np.repeat([1, 0, 1, 0], [both, only_a, only_b, neither])
    return a, b


def test_paired_proportions_agresti_textbook_example() -> None:
    # Agresti, Categorical Data Analysis (2nd ed., 2002), section 10.1: presidential approval of 1,600 people
    # in two surveys, 794 approve both times, 150 only the first, 86 only the second, 570 neither. The
    # difference is 0.55 - 0.59 = -0.04 with the interval (-0.06, -0.02). By hand, Agresti-Min (2005):
    # (86 - 150) / 1602 = -0.03995, se^2 = (237 / 1602 - 0.03995^2) / 1602, so se = 0.009558.
    a, b = _pairs(794, 150, 86, 570)
    r = paired_proportions(a, b)
    assert r.difference == pytest.approx(-0.04, abs=1e-12)
    assert (r.b, r.c, r.n) == (150, 86, 1600)
    se = math.sqrt((237 / 1602 - (64 / 1602) ** 2) / 1602)
    assert r.ci == pytest.approx((-64 / 1602 - 1.959963985 * se, -64 / 1602 + 1.959963985 * se), abs=1e-9)
    assert r.ci == pytest.approx((-0.06, -0.02), abs=0.0015)


def test_paired_proportions_p_value_equals_scipy_and_statsmodels() -> None:
    from scipy import stats as sps
    from statsmodels.stats.contingency_tables import mcnemar

    a, b = _pairs(40, 3, 11, 200)
    two = paired_proportions(a, b)
    assert two.p_value == pytest.approx(mcnemar([[40, 3], [11, 200]], exact=True).pvalue, rel=1e-12)
    greater = paired_proportions(a, b, alternative="greater")
    assert greater.p_value == pytest.approx(sps.binom.sf(10, 14, 0.5), rel=1e-12)  # P(X >= 11), X ~ Bin(14, 1/2)
    assert paired_proportions(a, b, alternative="less").p_value == pytest.approx(sps.binom.cdf(11, 14, 0.5), rel=1e-12)


def test_paired_proportions_identical_decisions_and_bad_input() -> None:
    a = np.array([1, 0, 1, 0, 0])
    r = paired_proportions(a, a)
    assert (r.difference, r.p_value, r.b, r.c) == (0.0, 1.0, 0, 0)
    assert r.ci[0] < 0 < r.ci[1]  # the adjusted interval is not degenerate at no discordance
    with pytest.raises(InvalidParameters, match="only 0 and 1"):
        paired_proportions([0, 2], [0, 1])
    with pytest.raises(InvalidParameters, match="equal length"):
        paired_proportions([0, 1], [0])


@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=60))
@settings(max_examples=60, deadline=None)
def test_paired_proportions_swapping_the_models_mirrors_the_result(pairs: list[tuple[bool, bool]]) -> None:
    a, b = (np.array(v, dtype=int) for v in zip(*pairs, strict=True))
    ab, ba = paired_proportions(a, b, alternative="greater"), paired_proportions(b, a, alternative="less")
    assert ab.difference == pytest.approx(-ba.difference, abs=1e-15)
    assert ab.p_value == pytest.approx(ba.p_value, rel=1e-12)
    assert ab.ci == pytest.approx((-ba.ci[1], -ba.ci[0]), abs=1e-12)
