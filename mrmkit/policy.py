"""Green, amber and red from the policy's thresholds, and the shape of a finding."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from mrmkit.params import LowThresholds, Thresholds

__all__ = [
    "classify",
    "classify_low",
    "finding",
    "finding_order",
    "p_value_finding",
    "STATUSES",
    "NOT_ENOUGH_DATA",
    "not_enough_data",
    "overall_rating",
    "SEVERITY_ORDER",
]

STATUSES = ("green", "amber", "red")
# The status of a test whose sample is below the policy's minimum (``policy.min_sample``): never green or red.
NOT_ENOUGH_DATA = "not enough data"
SEVERITY_ORDER = {"red": 0, "amber": 1, "green": 2}


def overall_rating(findings: list[dict[str, Any]], failed: bool) -> str:
    """The worst severity among the findings (``green`` when there are none, or for a severity not among
    them); ``failed`` wins. The validation report's rating and the exported one (Prometheus, MLflow)."""
    if failed:
        return "failed"
    worst = min((SEVERITY_ORDER.get(f.get("severity"), 2) for f in findings), default=2)
    return {v: k for k, v in SEVERITY_ORDER.items()}[worst]


def not_enough_data(count: int, minimum: int, what: str = "rows") -> str | None:
    """The reason a test is not judged (``"12 rows, fewer than the policy's minimum of 100"``), or None."""
    if int(count) >= int(minimum):
        return None
    return f"{int(count):,} {what}, fewer than the policy's minimum of {int(minimum):,}"


def classify(value: float | None, thresholds: Thresholds) -> str:
    """``red`` at or above ``red``, ``amber`` at or above ``amber``, else ``green``; ``n/a`` without a value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if value >= thresholds.red:
        return "red"
    if value >= thresholds.amber:
        return "amber"
    return "green"


def classify_low(value: float | None, thresholds: LowThresholds) -> str:
    """For p-values: ``red`` below ``red``, ``amber`` below ``amber``, else ``green``; ``n/a`` without a value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if value < thresholds.red:
        return "red"
    if value < thresholds.amber:
        return "amber"
    return "green"


def low_threshold_text(name: str, thresholds: LowThresholds) -> str:
    return f"{name}: amber below {thresholds.amber:g}, red below {thresholds.red:g}"


def threshold_text(name: str, thresholds: Thresholds) -> str:
    return f"{name}: amber from {thresholds.amber:g}, red from {thresholds.red:g}"


def finding(
    workbook: str,
    severity: str,
    title: str,
    detail: str,
    *,
    metric: str,
    value: float | None = None,
    threshold: str = "",
    worse: str = "higher",
) -> dict[str, Any]:
    """One finding as recorded in ``metrics.json`` and shown in ``index.html``."""
    if severity not in STATUSES:
        raise ValueError(f"severity must be one of {STATUSES}; got {severity!r}")
    return {
        "workbook": workbook,
        "severity": severity,
        "title": title,
        "detail": detail,
        "metric": metric,
        "value": value,
        "threshold": threshold,
        "worse": worse,
    }


def finding_order(f: dict[str, Any]) -> tuple[int, float, str, str]:
    """Sort key of findings: red, amber, green; within a severity the worst value first."""
    value = f.get("value")
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    sign = 1.0 if f.get("worse") == "lower" else -1.0  # p-values: the smallest first
    magnitude = sign * float(value) if numeric else 0.0
    rank = {"red": 0, "amber": 1, "green": 2}.get(f.get("severity"), 3)
    return (rank, magnitude, str(f.get("workbook", "")), str(f.get("title", "")))


def p_value_finding(
    workbook: str,
    p_value: float | None,
    thresholds: LowThresholds,
    texts: Callable[[], tuple[str, str]],
    metric: str,
) -> dict[str, Any] | None:
    """An amber or red finding for a p-value below the policy's thresholds, else ``None``.

    ``texts`` returns the title and detail; it is called only when there is a finding, so it may format
    the p-value without guarding against a missing one.
    """
    status = classify_low(p_value, thresholds)
    if status not in ("amber", "red"):
        return None
    title, detail = texts()
    return finding(
        workbook,
        status,
        title,
        detail,
        metric=metric,
        value=float(p_value),
        threshold=low_threshold_text("p-value", thresholds),
        worse="lower",
    )
