"""Conformance cases of the comparison family (merged into tests/test_stats_conformance.py).

Each entry: name -> (call with the shared data of ``_data()``, bad keyword arguments or None). A parameter
named in the bad arguments is always passed by keyword in the call, so that the override replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mrmkit.stats import group_sequential_bounds


def _pd(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(1.0 - x))


CASES: dict[str, tuple[Callable[[Callable[..., Any], dict[str, Any]], Any], dict[str, Any] | None]] = {
    "mcnemar_test": (lambda f, d: f((d["s"] > 0.5).astype(int), (d["t"] > 0.5).astype(int)), {"exact": "yes"}),
    "sample_size_two_proportions": (lambda f, d: f(0.10, 0.15, power=0.9, ratio=1 / 9), {"ratio": 0}),
    "two_proportion_test": (lambda f, d: f(30, 300, 45, 300), {"alternative": "both"}),
    "fisher_exact_test": (lambda f, d: f(3, 40, 9, 41), {"ci_level": 1.5}),
    "sample_ratio_mismatch": (lambda f, d: f([4520, 480], expected_shares=[0.9, 0.1]), {"expected_shares": [0.5, 0.6]}),
    "bootstrap_auc_difference": (lambda f, d: f(d["y"], d["s"], d["t"], n_resamples=200, seed=7), {"n_resamples": 0}),
    "bootstrap_metric_difference": (
        lambda f, d: f(d["y"], _pd(d["s"]), _pd(d["t"]), 0.4, 0.4, n_resamples=100, seed=1, exposure=1000.0, lgd=0.45),
        {"seed": -1},
    ),
    "matched_cutoff": (lambda f, d: f(_pd(d["s"]), cutoff_a=0.4, score_b=_pd(d["t"])), {"cutoff_a": float("nan")}),
    "swap_set": (
        lambda f, d: f(d["y"], _pd(d["s"]), cutoff_a=0.4, score_b=_pd(d["t"]), cutoff_b=0.35),
        {"cutoff_b": "high"},
    ),
    "score_agreement": (lambda f, d: f(d["s"], d["t"]), {"quantiles": [1.5]}),
    "group_sequential_bounds": (lambda f, d: f([0.25, 0.5, 0.75, 1.0]), {"spending": "pocock"}),
    "sequential_decision": (
        lambda f, d: f([1.0, 3.1], bounds=group_sequential_bounds([0.25, 0.5, 0.75, 1.0])),
        {"alternative": "greater"},
    ),
    "sequential_looks": (
        lambda f, d: f(d["y"], d["s"] > 0.5, bounds=group_sequential_bounds([0.5, 1.0])),
        {"bounds": [2.8, 1.9]},
    ),
    "welch_t_test": (lambda f, d: f(d["s"], d["t"], alternative="greater"), {"alternative": "larger"}),
}
