"""The top-driver rule: a significant, material shift in one of the model's top drivers is at least amber.

PSI alone misses a binary flag whose share doubles from 9% to 18% (PSI about 0.07, green), although the
flag may be the model's strongest driver. Each feature gets here its effect size
(:func:`mrmkit.stats.shift_effect`: Cohen's h, Cramér's V or the KS distance), its share of the model's
importance (:mod:`.importance`) and the rule's status (``policy.driver_shift``):

- a top driver: among the ``top_k`` most important features (ties by name) and at least ``min_share`` of the
  importance; every feature when no importance could be measured;
- significant: the feature's adjusted p-value (the workbook's family over all features, ``drift.p_value_adjustment``)
  below ``policy.p_value.amber``;
- material: the effect size at or above the threshold of the feature's kind.

A feature meeting all three is amber under the rule; its status is the worse of this and its PSI status.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from mrmkit import stats
from mrmkit.errors import MrmkitError
from mrmkit.policy import NOT_ENOUGH_DATA
from mrmkit.workbooks.drift.importance import Importance

__all__ = ["RANK", "driver_columns", "worse", "rule_settings"]

RANK = {"n/a": -1, NOT_ENOUGH_DATA: -1, "green": 0, "amber": 1, "red": 2}
EFFECT_COLUMNS = (
    "effect_kind",
    "effect_measure",
    "effect_size",
    "effect_level",
    "effect_reference_share",
    "effect_current_share",
    "effect_reference_mean",
    "effect_current_mean",
)


def worse(a: str, b: str) -> str:
    """The worse of two statuses (red, amber, green, then n/a)."""
    return a if RANK.get(a, -1) >= RANK.get(b, -1) else b


def _thresholds(rule: Any) -> dict[str, float]:
    return {"binary": rule.cohens_h, "categorical": rule.cramers_v, "numeric": rule.ks_distance}


def _effects(profile: Any, current: pd.DataFrame, names: list[str], categorical: set[str]) -> pd.DataFrame:
    rows = {}
    for name in names:
        try:
            e = stats.shift_effect(profile[name], current[name], categorical=name in categorical)
        except MrmkitError:  # an all-missing sample, or a type the comparison refuses: no effect size
            rows[name] = dict.fromkeys(EFFECT_COLUMNS, None)
            continue
        rows[name] = {
            "effect_kind": e.kind,
            "effect_measure": e.measure,
            "effect_size": e.value,
            "effect_level": e.level,
            "effect_reference_share": e.reference_share,
            "effect_current_share": e.current_share,
            "effect_reference_mean": e.reference_mean,
            "effect_current_mean": e.current_mean,
        }
    return pd.DataFrame.from_dict(rows, orient="index").reindex(names)


def _top_drivers(names: list[str], importance: Importance, rule: Any) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Each feature's importance share, its rank (1 = strongest) and whether it is a top driver."""
    if importance.shares is None:
        nan = pd.Series(math.nan, index=names, dtype=float)
        return nan, pd.Series(pd.NA, index=names, dtype="Int64"), pd.Series(True, index=names)
    share = importance.shares.reindex(names).astype(float)
    order = sorted(names, key=lambda f: (-share[f], f))
    rank = pd.Series({f: i + 1 for i, f in enumerate(order)}, dtype="Int64").reindex(names)
    top = (rank <= rule.top_k) & (share >= rule.min_share)
    return share, rank, top.astype(bool)


def driver_columns(
    frame: pd.DataFrame,
    profile: Any,
    current: pd.DataFrame,
    categorical: set[str],
    importance: Importance,
    policy: Any,
    reason: str | None,
) -> pd.DataFrame:
    """``frame`` (one row per feature, with ``psi_status`` and ``p_value_adjusted``) with the rule's columns."""
    rule, names = policy.driver_shift, list(frame.index)
    out = frame.join(_effects(profile, current, names, categorical))
    limits = _thresholds(rule)
    out["effect_threshold"] = [limits.get(k, math.nan) if isinstance(k, str) else math.nan for k in out["effect_kind"]]
    size = pd.to_numeric(out["effect_size"], errors="coerce")
    out["material"] = (size >= out["effect_threshold"]).to_numpy()
    share, rank, top = _top_drivers(names, importance, rule)
    out["importance"], out["importance_rank"], out["top_driver"] = share, rank, top
    p = pd.to_numeric(out["p_value_adjusted"], errors="coerce")
    significant = (p < policy.p_value.amber).to_numpy()
    fired = significant & out["material"].to_numpy() & top.to_numpy()
    judged = p.notna().to_numpy() & size.notna().to_numpy()
    out["driver_status"] = np.where(fired, "amber", np.where(judged, "green", "n/a"))
    if reason:
        out["driver_status"] = NOT_ENOUGH_DATA
    out["status"] = [worse(a, b) for a, b in zip(out["psi_status"], out["driver_status"], strict=True)]
    if reason:
        out["status"] = NOT_ENOUGH_DATA
    return out


def rule_settings(policy: Any, importance: Importance, adjustment: str) -> dict[str, Any]:
    """The rule as applied, for ``drift.settings.driver_shift``."""
    rule = policy.driver_shift
    return {
        "top_k": rule.top_k,
        "min_share": rule.min_share,
        "p_value": policy.p_value.amber,
        "p_value_adjustment": adjustment,
        "cohens_h": rule.cohens_h,
        "cramers_v": rule.cramers_v,
        "ks_distance": rule.ks_distance,
        "drivers": "every feature (no importance measured)" if importance.shares is None else "top drivers",
        "rule": rule_text(policy, importance.shares is not None),
    }


def rule_text(policy: Any, measured: bool) -> str:
    """The rule in words; ``measured``: whether the model's importance was measured (else every feature counts)."""
    rule = policy.driver_shift
    who = (
        f"a feature among the model's {rule.top_k} most important with at least {rule.min_share:.0%} of the importance"
        if measured
        else "any feature (no importance could be measured)"
    )
    return (
        f"amber when {who} has shifted significantly (adjusted p below {policy.p_value.amber:g}) and materially "
        f"(Cohen's h at least {rule.cohens_h:g}, Cramér's V at least {rule.cramers_v:g}, KS distance at least "
        f"{rule.ks_distance:g}); the feature's status is the worse of this and its PSI status"
    )
