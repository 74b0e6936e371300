"""Conformance cases of the VaR backtest family (merged into tests/test_stats_conformance.py).

The shared data's ``y`` (0/1, about 30% ones) stands in for an exception indicator; ``s`` for a P&L and
``|t| + 1`` for a positive VaR.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

CASES: dict[str, tuple[Callable[[Callable[..., Any], dict[str, Any]], Any], dict[str, Any] | None]] = {
    "kupiec_pof": (lambda f, d: f(d["y"], coverage=0.99), {"coverage": 1.0}),
    "christoffersen_independence": (lambda f, d: f(d["y"]), None),
    "conditional_coverage": (lambda f, d: f(d["y"], coverage=0.95), {"coverage": "high"}),
    "basel_traffic_light": (lambda f, d: f(int(d["y"][:250].sum()) // 10), {"n": 0}),
    "binomial_z_test": (lambda f, d: f(d["y"], coverage=0.99), {"coverage": 0}),
    "time_until_first_failure": (lambda f, d: f(d["y"], coverage=0.99), {"coverage": -0.5}),
    "var_exceptions": (lambda f, d: f(d["s"], np.abs(d["t"]) + 1.0), {"var_sign": "loss"}),
    "es_backtest": (
        lambda f, d: f(d["s"], np.abs(d["t"]) + 1.0, np.abs(d["t"]) + 1.5, 0.975, n_simulations=500),
        {"distribution": "cauchy"},
    ),
}
