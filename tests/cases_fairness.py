"""Conformance cases of the fairness family (merged into tests/test_stats_conformance.py).

Each entry: name -> (call with the shared data of ``_data()``, bad keyword arguments or None). The
group column ``ref["c"]`` has missing values, so the ``"<missing>"`` group is exercised too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def _approved(d: dict[str, Any]) -> np.ndarray:
    return (d["s"] < 0.5).astype(int)  # approve the lower scores


CASES: dict[str, tuple[Callable[[Callable[..., Any], dict[str, Any]], Any], dict[str, Any] | None]] = {
    "adverse_impact": (lambda f, d: f(_approved(d), d["ref"]["c"], reference_group="a"), {"alpha": 1.5}),
    "demographic_parity": (
        lambda f, d: f(_approved(d), d["ref"]["c"], reference_group="a"),
        {"reference_group": "nope"},
    ),
    "equal_opportunity": (
        lambda f, d: f(_approved(d), 1 - d["y"], d["cur"]["c"], reference_group="a"),
        {"reference_group": "zzz"},
    ),
}
