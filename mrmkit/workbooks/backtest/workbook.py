"""The backtest workbook's entry points: its input checks, its VaR file, and ``analyse``.

:func:`preflight` checks what the workbook will read before any notebook runs; :func:`read_var_series` reads
and checks the daily P&L, VaR and ES file, the one input the Context does not carry; :func:`analyse` runs
each family's analysis (the ``analysis_*`` modules, which read nothing else), the findings rules
(:mod:`~mrmkit.workbooks.backtest.findings`) on their evidence, and records the conventions in ``settings``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InvalidInput
from mrmkit.io import parse_dates, read_frame, require_columns
from mrmkit.text.labels import Dictionary
from mrmkit.workbooks import alerts
from mrmkit.workbooks.backtest.analysis_pd import classifier_backtest, pd_backtest
from mrmkit.workbooks.backtest.analysis_stress import sensitivity_analysis, stress_test
from mrmkit.workbooks.backtest.analysis_var import var_backtest
from mrmkit.workbooks.backtest.findings import MATERIAL_PD_CHANGE, judge
from mrmkit.workbooks.context import Context

__all__ = ["BacktestEvidence", "analyse", "preflight", "read_var_series"]


@dataclass(frozen=True)
class BacktestEvidence:
    """Everything the backtest workbook reports; ``metrics()`` is its entry in ``metrics.json``."""

    pd: dict[str, Any]
    classifier: dict[str, Any] | None
    grade_table: pd.DataFrame
    window_table: pd.DataFrame
    var: dict[str, Any] | None
    var_series: pd.DataFrame | None
    stress: dict[str, Any] | None
    stress_table: pd.DataFrame | None
    sensitivity: dict[str, Any] | None
    sensitivity_table: pd.DataFrame | None
    findings: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    names: Dictionary = field(default_factory=Dictionary)  # the columns' labels and units, for the report's words
    currency: str | None = None  # the model's currency (model.currency), for amounts

    def metrics(self) -> dict[str, Any]:
        return {
            "pd": self.pd,
            "classifier": self.classifier,
            "var": self.var,
            "stress": self.stress,
            "sensitivity": self.sensitivity,
            "settings": self.settings,
            "findings": self.findings,
        }


def read_var_series(v: Any) -> tuple[pd.DataFrame, pd.Series]:
    """The VaR file sorted by date, with every problem named by file and field (gaps, text, repeats)."""
    frame = read_frame(v.data, "backtest.var.data")
    require_columns(frame, [v.date, v.pnl, *v.levels, *v.es], v.data, "backtest.var")
    dates = parse_dates(frame[v.date], v.data, "backtest.var.date")
    if dates.duplicated().any():
        raise InvalidInput(
            f"backtest.var.date: {v.data} repeats {int(dates.duplicated().sum())} dates; one row per day is expected."
        )
    for key, column in (
        ("backtest.var.pnl", v.pnl),
        *((f"backtest.var.levels.{c}", c) for c in v.levels),
        *((f"backtest.var.es.{c}", c) for c in v.es),
    ):
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            first = frame.loc[bad.to_numpy(), v.date].iloc[0]
            raise InvalidInput(
                f"{key}: column {column!r} in {v.data} has {int(bad.sum())} missing or non-numeric values "
                f"(first on {first}); a VaR backtest needs every day."
            )
        frame[column] = values.astype(float)
    order = np.argsort(dates.to_numpy(), kind="stable")
    return frame.iloc[order].reset_index(drop=True), dates.iloc[order].reset_index(drop=True)


def preflight(params: Any, inputs: Any) -> None:
    """Check what the workbook will read before any notebook runs, so bad input is exit code 2."""
    from mrmkit import stress

    cfg = params.backtest
    for name, scores, path in (
        (
            ("reference", inputs.reference_score, params.data.reference),
            ("current", inputs.current_score, params.data.current),
        )
        if params.model_kind.calibrated_pd
        else ()
    ):
        edge = (scores <= 0) | (scores >= 1)
        if edge.any():
            source = "model.artifact" if inputs.score_source == "artifact" else "data.score"
            raise InvalidInput(
                f"{source}: {int(edge.sum())} PDs of the {name} sample ({path}) are exactly 0 or 1; outcome tests need "
                "PDs strictly between 0 and 1."
            )
    if cfg.var is not None:
        read_var_series(cfg.var)
    if cfg.stress is not None and inputs.model is not None:
        s = cfg.stress
        for sc in cfg.stress.scenarios:
            segment = sc.segment.model_dump() if sc.segment else None
            if segment and not segment.get("column"):
                segment["column"] = params.data.segment
            stress.apply_shocks(
                inputs.current,
                [sh.model_dump(exclude_none=True) for sh in sc.shocks],
                inputs.reference,
                segment,
                features=list(inputs.features),
                categorical=list(inputs.categorical),
                domains={k: tuple(v) for k, v in s.domains.items()},
                clip=s.clip,
                scenario=sc.name,
            )


def analyse(ctx: Context) -> BacktestEvidence:
    """Run every part of the backtest workbook the parameters enable."""
    cfg = ctx.params.backtest
    pd_part = pd_backtest(ctx)
    classifier_part = classifier_backtest(ctx)
    var_part = var_backtest(cfg, read_var_series(cfg.var) if cfg.var is not None else None, ctx)
    stress_part = stress_test(cfg, ctx)
    sens_part = sensitivity_analysis(cfg, ctx)
    findings_all = judge(pd_part, classifier_part, var_part, sens_part, ctx)
    settings = _settings(ctx)
    return BacktestEvidence(
        pd=pd_part.metrics,
        classifier=classifier_part.metrics,
        grade_table=pd_part.grade_table,
        window_table=classifier_part.window_table if classifier_part.metrics is not None else pd_part.window_table,
        var=var_part.metrics,
        var_series=var_part.series,
        stress=stress_part.metrics,
        stress_table=stress_part.table,
        sensitivity=sens_part.metrics,
        sensitivity_table=sens_part.table,
        findings=findings_all,
        settings=settings,
        names=Dictionary.from_params(ctx.params),
        currency=ctx.params.model.currency,
    )


def _settings(ctx: Context) -> dict[str, Any]:
    """The conventions of the parts of the workbook that apply to the model's kind, and only those."""
    params, cfg = ctx.params, ctx.params.backtest
    kind, policy = params.model_kind, params.policy
    settings: dict[str, Any] = {"p_value_thresholds": {"amber": policy.p_value.amber, "red": policy.p_value.red}}
    if kind.alerting:
        settings["operating_point"] = alerts.operating_text(policy)
        settings["alert_performance_tests"] = (
            "catch rate and false-positive rate, current against reference: one-sided two-proportion z tests"
        )
    if kind.decision == "cutoff":
        settings["cutoff"] = policy.cutoff
    if kind.scored_on_rows:
        settings["maturity_months"] = cfg.maturity_months
        settings["as_of"] = cfg.as_of.isoformat() if cfg.as_of else None
        settings["auc_initial_test"] = (
            "ECB (2019): S = (AUC_initial - AUC_current) / DeLong standard error of AUC_current; one-sided"
        )
        settings["sensitivity_materiality"] = (
            f"a monotonicity violation is a finding when the mean {kind.vocabulary.score} moves by "
            f"{MATERIAL_PD_CHANGE:g} or more"
        )
    if kind.calibrated_pd:
        settings["grade_status_test"] = (
            "Jeffreys (one-sided, H0: PD not underestimated), its p-value adjusted over the grades tested "
            "(policy.multiplicity) against policy.p_value"
        )
        settings["multiplicity"] = _multiplicity_text(policy.multiplicity)
        settings["min_expected_events"] = (
            f"a calibration test (a grade, the portfolio Jeffreys and Spiegelhalter tests, each Hosmer-Lemeshow "
            f"group) expecting fewer than {policy.min_sample.expected_events:g} defaults or non-defaults is "
            "'not enough data' and such a grade is left out of the family; Hosmer-Lemeshow pools adjacent "
            "grades up to the minimum"
        )
    if cfg.var is not None:
        settings.update(_var_settings(cfg.var, policy))
    return settings


def _multiplicity_text(method: str) -> str:
    """The grades' multiplicity control in words, for the settings."""
    if method == "none":
        return "none: each grade's Jeffreys test judged alone at policy.p_value"
    name = {"holm": "Holm (1979) step-down", "bonferroni": "Bonferroni"}[method]
    return (
        f"{name}: each grade's Jeffreys and binomial p-values adjusted over the family of grades tested, "
        "controlling the family-wise error at policy.p_value"
    )


def _var_settings(var: Any, policy: Any) -> dict[str, Any]:
    return {
        "var_exception_rule": "an exception is a day whose loss exceeds VaR (pnl < -VaR)",
        "var_tests": "Kupiec proportion of failures (exact p-value), Christoffersen independence, conditional "
        "coverage, binomial z, time until first failure",
        "traffic_light_days": var.traffic_light_days,
        "min_var_days": policy.min_sample.var_days,
        **(
            {"es_test": "Acerbi and Szekely (2014) Z2 against its VaR, one-sided (H0: ES not understated), simulated"}
            if var.es
            else {}
        ),
    }
