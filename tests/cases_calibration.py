"""Conformance cases of the calibration family (merged into tests/test_stats_conformance.py).

Each entry: name -> (call with the shared data of ``_data()``, bad keyword arguments or None).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

N = [120, 300, 80, 40]
D = [2, 9, 6, 5]
PD = [0.01, 0.03, 0.08, 0.15]


def _pd(d: dict[str, Any]) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(1.0 - d["s"]))


def _grades(x: np.ndarray) -> np.ndarray:
    return np.digitize(x, [-0.5, 0.5, 1.5])  # four grades 0..3, best (lowest score) first


CASES: dict[str, tuple[Callable[[Callable[..., Any], dict[str, Any]], Any], dict[str, Any] | None]] = {
    "binomial_test": (lambda f, d: f(N, D, PD), {"alpha": 1.5}),
    "jeffreys_test": (lambda f, d: f(N, D, PD), {"ci_level": 0}),
    "hosmer_lemeshow": (lambda f, d: f(N, D, PD), None),
    "spiegelhalter_test": (lambda f, d: f(d["y"], _pd(d)), None),
    "brier_score": (lambda f, d: f(d["y"], _pd(d), grades=_grades(d["s"])), None),
    "herfindahl": (lambda f, d: f(np.bincount(_grades(d["s"])), [60, 90, 90, 60]), None),
    "auc_initial_test": (lambda f, d: f(auc_initial=0.8, y=d["y"], score=d["s"]), {"auc_initial": 1.2}),
    "migration_matrix": (lambda f, d: f(_grades(d["s"]), _grades(d["t"]), order=[0, 1, 2, 3]), {"order": [0]}),
}
