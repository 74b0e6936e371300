"""How a PD backtest's calibration tests are judged: their power (expected events) and their multiplicity.

- :func:`expected_events_reason`: a calibration test expecting fewer defaults (or non-defaults) than
  ``policy.min_sample.expected_events`` has no power and an unreliable approximation: "not enough data";
- :func:`judge_grades`: each grade's status from its Jeffreys p-value adjusted over the family of grades
  tested (``policy.multiplicity``: Holm by default), the grades left out of that family and why;
- :func:`pooled_hosmer_lemeshow`: the Hosmer-Lemeshow test over groups of adjacent grades, each pooled until
  it expects at least the minimum, "not enough data" when fewer than two groups remain.

The family controlled is the set of grades tested: seven grades each tested at 1 % raise at least one
false red with probability 1 - 0.99^7 = 6.8 % under a calibrated model; Holm's step-down adjustment keeps
that at 1 % under any dependence between the grades (Holm 1979).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mrmkit import stats
from mrmkit.policy import NOT_ENOUGH_DATA, classify_low, low_threshold_text
from mrmkit.stats._base import jsonable

__all__ = [
    "MULTIPLICITY_WORDS",
    "expected_events_reason",
    "judge_grades",
    "untested_grades",
    "pooled_hosmer_lemeshow",
    "family_text",
    "grade_rule_text",
]

MULTIPLICITY_WORDS = {
    "holm": "Holm-adjusted",
    "bonferroni": "Bonferroni-adjusted",
    "none": "unadjusted",
}


def expected_events_reason(expected_defaults: float, n: int, minimum: float) -> str | None:
    """Why a calibration test expecting ``expected_defaults`` among ``n`` is not judged, or None.

    Both expected defaults and expected non-defaults must reach ``minimum``: the rarer of the two decides.
    """
    expected_non_defaults = float(n) - float(expected_defaults)
    if min(expected_defaults, expected_non_defaults) >= minimum:
        return None
    if expected_defaults <= expected_non_defaults:
        low, what = expected_defaults, "expected defaults (the sum of the PDs)"
    else:
        low, what = expected_non_defaults, "expected non-defaults"
    return (
        f"{low:.2f} {what}, fewer than the policy's minimum of {minimum:g} (policy.min_sample.expected_events): "
        "the test has no power here"
    )


def _adjusted(p_values: np.ndarray, method: str) -> np.ndarray:
    """``p_values`` adjusted over their family by ``method`` (``none``: unchanged)."""
    if method == "none" or p_values.size == 0:
        return p_values.astype(float)
    return np.asarray(stats.adjust_pvalues(p_values, method=method).adjusted, dtype=float)


def judge_grades(table: pd.DataFrame, policy: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The grade table with each grade's expected defaults, adjusted p-values, status and reason, and the family.

    A grade is tested when it has loans, at least ``policy.min_sample.events`` of them (the reason
    :func:`~mrmkit.workbooks.common.grade_table` gives) and at least ``policy.min_sample.expected_events``
    expected defaults and non-defaults. The tested grades are the family: their Jeffreys and binomial
    p-values are adjusted over it by ``policy.multiplicity`` and the status is the adjusted Jeffreys p-value
    against ``policy.p_value``. Every other grade is "not enough data" (``n/a`` when empty), never green or red.
    """
    out = table.copy()
    n = out["n"].to_numpy(dtype=int)
    expected = np.where(n > 0, out["mean_pd"].fillna(0.0).to_numpy(dtype=float) * n, 0.0)
    minimum = policy.min_sample.expected_events
    reasons = [
        None if count == 0 else (prior or expected_events_reason(e, count, minimum))
        for count, e, prior in zip(n, expected, out["status_reason"], strict=True)
    ]
    tested = np.array([count > 0 and r is None for count, r in zip(n, reasons, strict=True)], dtype=bool)
    method = policy.multiplicity
    jeffreys_adjusted = np.full(n.size, np.nan)
    binomial_adjusted = np.full(n.size, np.nan)
    jeffreys_adjusted[tested] = _adjusted(out["jeffreys_p_value"].to_numpy(dtype=float)[tested], method)
    binomial_adjusted[tested] = _adjusted(out["binomial_p_value"].to_numpy(dtype=float)[tested], method)
    out["expected_defaults"] = expected
    out["jeffreys_p_value_adjusted"] = jeffreys_adjusted
    out["binomial_p_value_adjusted"] = binomial_adjusted
    out["status"] = [
        classify_low(p, policy.p_value) if ok else ("n/a" if count == 0 else NOT_ENOUGH_DATA)
        for p, ok, count in zip(jeffreys_adjusted, tested, n, strict=True)
    ]
    out["status_reason"] = [
        "no loan of this grade in the mature current sample" if count == 0 else r
        for count, r in zip(n, reasons, strict=True)
    ]
    family = {
        "method": method,
        "family_size": int(tested.sum()),
        "tested_grades": [str(g) for g in out.index[tested]],
        "rule": grade_rule_text(method, int(tested.sum()), policy),
    }
    return out, family


def untested_grades(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The grades whose calibration was not tested, each with its loans, expected defaults and the reason."""
    rows = table[table["status"].isin([NOT_ENOUGH_DATA, "n/a"])]
    return [
        {
            "grade": str(grade),
            "n": int(row["n"]),
            "expected_defaults": float(row["expected_defaults"]),
            "status_reason": row["status_reason"],
        }
        for grade, row in rows.iterrows()
    ]


def family_text(method: str, family_size: int) -> str:
    """How a grade's p-value was adjusted, in words: ``Holm-adjusted over the 7 grades tested``."""
    if method == "none":
        return f"unadjusted: each of the {family_size} grades tested judged alone"
    return f"{MULTIPLICITY_WORDS[method]} over the {family_size} grade{'s' if family_size != 1 else ''} tested"


def grade_rule_text(method: str, family_size: int, policy: Any) -> str:
    """The threshold of a grade finding: the adjusted p-value's thresholds, the method and the family size."""
    return f"{low_threshold_text('Jeffreys p-value', policy.p_value)}; {family_text(method, family_size)}"


def _adjacent_groups(expected: np.ndarray, n: np.ndarray, minimum: float) -> list[list[int]]:
    """Positions of adjacent grades pooled, best first, until each group expects ``minimum`` of each outcome.

    A last group short of the minimum joins the group before it. Grades are few (at most 50), so this walks
    them in order.
    """
    groups: list[list[int]] = []
    current: list[int] = []
    e_sum = n_sum = 0.0
    for i, (e, count) in enumerate(zip(expected.tolist(), n.tolist(), strict=True)):
        current.append(i)
        e_sum, n_sum = e_sum + e, n_sum + count
        if min(e_sum, n_sum - e_sum) >= minimum:
            groups.append(current)
            current, e_sum, n_sum = [], 0.0, 0.0
    if current:
        if groups:
            groups[-1].extend(current)
        else:
            groups.append(current)
    return groups


def pooled_hosmer_lemeshow(table: pd.DataFrame, minimum: float, min_rows: int) -> dict[str, Any]:
    """Hosmer-Lemeshow over the populated grades, adjacent grades pooled to at least ``minimum`` expected.

    Each group's PD is its expected defaults over its loans (the mean PD of its loans). Judged when at least
    two groups reach the minimum and the sample holds ``min_rows`` loans; otherwise computed on the groups
    there are and marked "not enough data" with the reason.
    """
    populated = table[table["n"] > 0]
    n = populated["n"].to_numpy(dtype=int)
    d = populated["defaults"].to_numpy(dtype=int)
    e = populated["mean_pd"].to_numpy(dtype=float) * n
    groups = _adjacent_groups(e, n, minimum)
    index = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    order = np.concatenate([np.asarray(g, dtype=int) for g in groups])
    n_g = np.bincount(index, weights=n[order]).astype(int)
    d_g = np.bincount(index, weights=d[order]).astype(int)
    e_g = np.bincount(index, weights=e[order])
    hl = stats.hosmer_lemeshow(n_g, d_g, e_g / n_g)
    labels = populated.index.astype(str).to_numpy()
    out: dict[str, Any] = {
        **jsonable(hl),
        "groups": [labels[g].tolist() for g in groups],
        "pooling": (
            f"adjacent grades pooled, best first, until each group expects at least {minimum:g} defaults and "
            "non-defaults (policy.min_sample.expected_events)"
        ),
    }
    reason = None
    if int(n.sum()) < min_rows:
        reason = f"{int(n.sum()):,} mature loans, fewer than the policy's minimum of {min_rows:,}"
    elif len(groups) < 2:
        total_e, total_non = float(e.sum()), float(n.sum() - e.sum())
        low, what = (total_e, "expected defaults") if total_e <= total_non else (total_non, "expected non-defaults")
        reason = (
            f"{low:.2f} {what} in all, fewer than the policy's minimum of {minimum:g} in each of two groups "
            "(policy.min_sample.expected_events)"
        )
    if reason:
        out.update(status=NOT_ENOUGH_DATA, status_reason=reason)
    return out
