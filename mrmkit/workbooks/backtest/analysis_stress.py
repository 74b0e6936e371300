"""Stress scenarios and one-at-a-time sensitivity: the model rescored on shocked or perturbed current data.

Both need the model itself (``model.artifact``): in scores-only mode, and for a VaR engine's sensitivity,
they are recorded as not applicable, with the reason. Evidence only: the sensitivity findings (a feature that
moves the PD or score against its expected direction) are made by :mod:`mrmkit.workbooks.backtest.findings`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.params import BacktestSection
from mrmkit.stats._base import jsonable
from mrmkit.workbooks import alerts
from mrmkit.workbooks.common import loss_inputs
from mrmkit.workbooks.context import Context

__all__ = ["StressTest", "SensitivityAnalysis", "stress_test", "sensitivity_analysis"]

_plain = jsonable  # results and numpy values to plain JSON types


@dataclass(frozen=True)
class StressTest:
    """``backtest.stress`` (None without ``backtest.stress``) and the table of its scenarios."""

    metrics: dict[str, Any] | None
    table: pd.DataFrame | None


@dataclass(frozen=True)
class SensitivityAnalysis:
    """``backtest.sensitivity`` and its table, one row per feature and step (None when not applicable)."""

    metrics: dict[str, Any]
    table: pd.DataFrame | None


def _not_applicable(reason: str) -> dict[str, Any]:
    return {"applicable": False, "reason": reason}


def stress_test(cfg: BacktestSection, ctx: Context) -> StressTest:
    """Each scenario of ``backtest.stress`` applied to the current sample and rescored with the model."""
    from mrmkit import stress

    if cfg.stress is None:
        return StressTest(None, None)
    inp = ctx.inputs
    if inp.model is None:
        reason = "scores-only mode: stress scenarios need the model (model.artifact) to rescore shocked data"
        return StressTest(_not_applicable(reason), None)
    s = cfg.stress
    cur = inp.current
    exposure, lgd = loss_inputs(ctx)
    if exposure is not None or lgd is not None:  # the one given alone: the other is 1 (per unit, or LGD 1)
        exposure = np.ones(len(cur)) if exposure is None else exposure
        lgd = np.full(len(cur), 1.0 if lgd is None else lgd, dtype=float) if np.ndim(lgd) == 0 else lgd
    scenarios = [sc.model_dump(exclude_none=True, exclude={"description"}) for sc in s.scenarios]
    for sc in scenarios:
        if "segment" in sc and not sc["segment"].get("column"):
            sc["segment"]["column"] = ctx.params.data.segment
    bounds = cfg.grades.upper_bounds if cfg.grades else None
    result = stress.run_scenarios(
        inp.model,
        cur,
        list(inp.features),
        scenarios,
        cutoff=ctx.params.policy.cutoff,
        grade_bounds=bounds,
        exposure=exposure,
        lgd=lgd,
        domains={k: tuple(v) for k, v in s.domains.items()},
        clip=s.clip,
        reference=inp.reference,
    )
    table = result.to_frame()
    described = {sc.name: sc.description or "" for sc in s.scenarios}  # what each scenario means, for the reader
    table.insert(1, "description", table["scenario"].map(described).fillna("the current sample as it is"))
    return StressTest({"applicable": True, **_plain(result)}, table)


def sensitivity_analysis(cfg: BacktestSection, ctx: Context) -> SensitivityAnalysis:
    """Each feature moved up and down by the steps of ``backtest.sensitivity``, the current sample rescored."""
    from mrmkit import stress

    inp = ctx.inputs
    if not ctx.params.model_kind.scored_on_rows:
        reason = "model.kind var: a VaR engine has no application features to perturb"
        return SensitivityAnalysis(_not_applicable(reason), None)
    if inp.model is None:
        reason = "scores-only mode: sensitivity needs the model (model.artifact) to rescore perturbed data"
        return SensitivityAnalysis(_not_applicable(reason), None)
    s = cfg.sensitivity
    result = stress.sensitivity(
        inp.model,
        inp.current,
        list(inp.features),
        list(inp.categorical),
        cutoff=(
            alerts.policy_threshold(ctx.params.policy, inp.current_score)
            if ctx.params.model_kind.alerting
            else ctx.params.policy.cutoff
        ),  # a classifier's decisions flip at its alert threshold
        steps=(("sd", s.sd_step), ("relative", s.relative_step)),
        expected_direction=dict(s.expected_direction),
    )
    frame = result.to_frame()
    return SensitivityAnalysis({"applicable": True, **_plain(result)}, frame)
