"""Alerting models (``model.kind: classifier``): the policy's operating point and the outcome tests at it.

Conventions (recorded in each workbook's settings):

- a case is alerted when its score is at or above the threshold; the operating point is
  ``policy.threshold``, or ``policy.alert_rate``: the riskiest share of each sample is alerted, so each
  sample gets its own threshold (the alert volume operations can work) and both thresholds are reported;
- with ``policy.alert_rate`` the current sample's alert rate at the reference threshold is shown too: the
  alert volume a threshold frozen at development would give today;
- the catch rate (recall) and the false-positive rate of the current sample are tested against the
  reference sample's by one-sided two-proportion z tests (H1: fewer events caught; more false alarms);
- calibration tests of PDs (Jeffreys, Hosmer-Lemeshow, Spiegelhalter) do not apply: an alerting model is
  judged on the ranking at its operating point, not on the level of its scores.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mrmkit import stats
from mrmkit.policy import NOT_ENOUGH_DATA, classify_low, finding, not_enough_data, p_value_finding
from mrmkit.stats._base import jsonable
from mrmkit.workbooks.wording import p_is, words

__all__ = [
    "operating_text",
    "favourable",
    "policy_threshold",
    "sample_metrics",
    "outcome_tests",
    "findings",
    "CALIBRATION_REASON",
]

CALIBRATION_REASON = (
    "model.kind classifier: an alerting model is judged on its ranking at the operating point "
    "(catch rate, false-positive rate, precision, cost); the PD calibration tests (Jeffreys per "
    "grade, Hosmer-Lemeshow, Spiegelhalter, Brier against a PD) do not apply"
)


def operating_text(policy: Any) -> str:
    """The operating point in words: "alert the riskiest 2.00%" or "alert when the score is at least 0.3"."""
    if policy.alert_rate is not None:
        return f"alert the riskiest {policy.alert_rate:.2%} of cases"
    return f"alert when the score is at least {policy.threshold:g}"


def policy_threshold(policy: Any, score: np.ndarray) -> float:
    """The threshold of the policy on these scores: ``policy.threshold``, or the alert rate's score."""
    return stats.operating_point(score, threshold=policy.threshold, alert_rate=policy.alert_rate).threshold


def favourable(params: Any, scores: np.ndarray) -> np.ndarray:
    """Each case's favourable decision: approved (PD <= cut-off), or for a classifier not alerted.

    NaN scores (a challenger that did not score a case) are never favourable; a classifier's alert-rate
    threshold is taken over the scored cases.
    """
    scores = np.asarray(scores, dtype=float)
    if not params.model_kind.alerting:
        return scores <= params.policy.cutoff
    scored = ~np.isnan(scores)
    out = np.zeros(scores.shape, dtype=bool)
    if scored.any():
        out[scored] = scores[scored] < policy_threshold(params.policy, scores[scored])
    return out


def sample_metrics(y: np.ndarray, score: np.ndarray, policy: Any, threshold: float | None = None) -> dict[str, Any]:
    """Operating-point metrics, average precision and expected cost of one sample (``threshold`` default: the policy's)."""
    cut = policy_threshold(policy, score) if threshold is None else threshold
    m = stats.classification_metrics(y, score, cut)
    out = {
        **jsonable(m),
        "average_precision": stats.average_precision(y, score) if y.any() else None,
        "positives": int(y.sum()),
    }
    if policy.costs is not None:
        c = policy.costs
        cost = stats.expected_cost(
            y,
            score,
            cut,
            cost_false_positive=c.false_positive,
            cost_false_negative=c.false_negative,
            cost_true_positive=c.true_positive,
        )
        out["expected_cost"] = jsonable(cost)
    return out


def outcome_tests(reference: dict[str, Any], current: dict[str, Any], policy: Any) -> dict[str, Any]:
    """Current against reference: catch rate (H1: lower) and false-positive rate (H1: higher)."""
    tests = {}
    for key, hit, base, alternative in (
        ("recall", "true_positives", "positives", "less"),
        ("false_positive_rate", "false_positives", "negatives", "greater"),
    ):
        n_ref, n_cur = _count(reference, base), _count(current, base)
        r = stats.two_proportion_test(reference[hit], n_ref, current[hit], n_cur, alternative=alternative)
        tests[key] = {
            **jsonable(r),
            "reference": reference[key],
            "current": current[key],
            "test": f"two-proportion z test, one-sided (H1: current {'lower' if alternative == 'less' else 'higher'})",
        }
    events = min(_count(s, b) for s in (reference, current) for b in ("positives", "negatives"))
    reason = not_enough_data(events, policy.min_sample.events, "events or non-events in a sample")
    for t in tests.values():
        if reason:
            t.update(status=NOT_ENOUGH_DATA, status_reason=reason)
        else:
            t["status"] = classify_low(t["p_value"], policy.p_value)
    return tests


def _count(sample: dict[str, Any], base: str) -> int:
    return int(sample["positives"] if base == "positives" else sample["n"] - sample["positives"])


def _base_rate_note(metrics: dict[str, Any], key: str) -> str:
    """Why a catch rate can fall with the ranking intact: more events than a fixed alert volume can hold."""
    point = metrics["operating_point"]
    ref, cur = point["reference"], point["current"]
    if key != "recall" or point["reference"].get("alert_rate") is None or cur["base_rate"] <= ref["base_rate"]:
        return ""
    auc = metrics["discrimination"]
    aucs = (
        f" (AUC {auc['development']['auc']:.3f} then, {auc['current']['auc']:.3f} now)"
        if auc["development"] and auc["current"]
        else ""
    )
    return (
        f" The event rate rose from {ref['base_rate']:.2%} to {cur['base_rate']:.2%}: at a fixed alert rate the catch "
        f"rate falls when events become more frequent even if the ranking is unchanged{aucs}; precision went "
        f"from {ref['precision']:.1%} to {cur['precision']:.1%}. Compare the AUC test before concluding the model "
        "has deteriorated; the alert capacity may be what no longer suffices."
    )


def findings(metrics: dict[str, Any], policy: Any, workbook: str) -> list[dict[str, Any]]:
    """Findings of the alert-performance tests (p-values against ``policy.p_value``)."""
    out = []
    if not metrics["operating_point"]["applicable"]:
        return [
            finding(
                workbook,
                "amber",
                "Not enough events to test the alert performance",
                f"{words(metrics['operating_point']['reason'])}.",
                metric="backtest.classifier.operating_point",
                threshold="events and non-events in both samples",
            )
        ]
    tests = metrics["operating_point"]["tests"]
    labels = {
        "recall": ("The catch rate has fallen", "caught"),
        "false_positive_rate": ("The false-positive rate has risen", "false alarms"),
    }
    for key, (title, _) in labels.items():
        t = tests[key]
        if t.get("status") == NOT_ENOUGH_DATA:
            continue
        f = p_value_finding(
            workbook,
            t["p_value"],
            policy.p_value,
            lambda t=t, title=title, key=key: (
                f"{title} ({t['current']:.2%} against {t['reference']:.2%} on the reference sample)",
                f"{'Catch rate (recall)' if key == 'recall' else 'False-positive rate'} at the operating point "
                f"({words(metrics['operating_point']['rule'])}): {t['test']}, z = {t['z']:.2f}, "
                f"p {p_is(t['p_value'])}." + _base_rate_note(metrics, key),
            ),
            f"backtest.classifier.operating_point.tests.{key}.p_value",
        )
        if f is not None:
            out.append(f)
    if tests["recall"].get("status") == NOT_ENOUGH_DATA:
        out.append(
            finding(
                workbook,
                "amber",
                "Not enough events to test the alert performance",
                f"{tests['recall']['status_reason']}: the catch and false-positive rates were computed but not judged.",
                metric="backtest.classifier.operating_point.tests.recall",
                threshold=f"at least {policy.min_sample.events} events and non-events per sample",
                worse="lower",
            )
        )
    return out
