"""Conformance cases of the stress family (merged into tests/test_stats_conformance.py).

Each entry: name -> (call, bad keyword arguments). The calls ignore the shared data of ``_data()``: they
stress a small seeded portfolio (income in thousands, utilisation, enquiries; ``region`` is a segment
column, not a feature) scored by a scikit-learn logistic regression fitted once.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

FEATURES = ["income", "util", "enquiries"]
SHOCKS = [
    {"feature": "income", "multiply": 0.8},
    {"feature": "util", "add": 0.15},
    {"feature": "enquiries", "quantile": 0.1},
]


@cache
def _portfolio() -> tuple[Any, pd.DataFrame]:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(2026)
    n = 200
    frame = pd.DataFrame(
        {
            "income": rng.normal(40.0, 10.0, n).round(1),
            "util": rng.uniform(0.0, 1.0, n).round(3),
            "enquiries": rng.poisson(1.5, n).astype(np.int64),
            "region": rng.choice(["north", "south"], n),
        }
    )
    z = -1.0 - 0.05 * (frame["income"] - 40.0) + 2.0 * (frame["util"] - 0.5) + 0.4 * (frame["enquiries"] - 1.5)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(int)
    model = LogisticRegression().fit(frame[FEATURES], y)
    return model, frame


def _shock_frame(f: Callable[..., Any], d: dict[str, Any]) -> Any:
    _, frame = _portfolio()
    return f(
        frame,
        SHOCKS,
        segment={"column": "region", "values": ["north"]},
        features=FEATURES,
        domains={"util": (0.0, 1.0)},
        clip=True,
        scenario="downturn",
    )


def _run_scenarios(f: Callable[..., Any], d: dict[str, Any]) -> Any:
    model, frame = _portfolio()
    scenarios = [
        {"name": "downturn", "shocks": SHOCKS},
        {
            "name": "north income fall",
            "shocks": [{"feature": "income", "add": -5.0}],
            "segment": {"column": "region", "values": ["north"]},
        },
    ]
    return f(
        model,
        frame,
        FEATURES,
        scenarios,
        cutoff=0.4,
        grade_bounds=[0.1, 0.25, 0.4, 1.0],
        exposure=frame["income"].to_numpy() * 100.0,
        lgd=0.45,
        domains={"util": (0.0, 1.0)},
        clip=True,
    )


def _sensitivity(f: Callable[..., Any], d: dict[str, Any]) -> Any:
    model, frame = _portfolio()
    return f(model, frame, FEATURES, [], cutoff=0.4, expected_direction={"income": -1, "util": 1})


CASES: dict[str, tuple[Callable[[Callable[..., Any], dict[str, Any]], Any], dict[str, Any] | None]] = {
    "shock_frame": (_shock_frame, {"domains": 5}),
    "run_scenarios": (_run_scenarios, {"cutoff": 1.5}),
    "sensitivity": (_sensitivity, {"steps": []}),
}
