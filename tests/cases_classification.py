"""Conformance cases of the classifier family (merged into tests/test_stats_conformance.py).

The shared data's ``y`` and ``s`` stand in for fraud outcomes and scores.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CASES: dict[str, tuple[Callable[[Callable[..., Any], dict[str, Any]], Any], dict[str, Any] | None]] = {
    "operating_point": (lambda f, d: f(d["s"], alert_rate=0.1), {"alert_rate": 1.5}),
    "classification_metrics": (lambda f, d: f(d["y"], d["s"], threshold=0.5), {"threshold": "high"}),
    "precision_recall_curve": (lambda f, d: f(d["y"], d["s"]), None),
    "expected_cost": (
        lambda f, d: f(d["y"], d["s"], threshold=0.5, cost_false_positive=5.0, cost_false_negative=100.0),
        {"cost_false_positive": -1.0},
    ),
    "paired_proportions": (lambda f, d: f(d["y"], (d["s"] > 0.5).astype(int)), {"alternative": "bigger"}),
}
