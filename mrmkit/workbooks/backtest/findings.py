"""The backtest workbook's findings: the rules that turn its evidence and the policy's thresholds into findings.

Every finding is made here, from the evidence of :mod:`~mrmkit.workbooks.backtest.analysis_pd`,
:mod:`~mrmkit.workbooks.backtest.analysis_var` and :mod:`~mrmkit.workbooks.backtest.analysis_stress` (a test
marked "not enough data" there is never judged here) and the parameters' ``policy``; :func:`judge` gives
them in the order ``metrics.json`` records them: outcome analysis, VaR and ES, sensitivity, then the
backtests left unjudged, and a green "no finding" when there is nothing else.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from mrmkit.policy import NOT_ENOUGH_DATA, finding, low_threshold_text, p_value_finding
from mrmkit.text import numbers
from mrmkit.text.labels import Dictionary
from mrmkit.workbooks import alerts
from mrmkit.workbooks.backtest import grading
from mrmkit.workbooks.backtest.analysis_pd import IN_SAMPLE, ClassifierBacktest, PdBacktest
from mrmkit.workbooks.backtest.analysis_stress import SensitivityAnalysis
from mrmkit.workbooks.backtest.analysis_var import VarBacktest
from mrmkit.workbooks.context import Context
from mrmkit.workbooks.wording import measure_label, p_is, words

__all__ = ["WORKBOOK", "MATERIAL_PD_CHANGE", "judge"]

WORKBOOK = "backtest"

#: A monotonicity violation is a finding only when the mean PD moves at least this much (0.01 percentage
#: point); smaller movements are numerical noise of the model, shown in the table but not flagged.
MATERIAL_PD_CHANGE = 1e-4


def _auc_finding(test: dict[str, Any] | None, ctx: Context, section: str) -> list[dict[str, Any]]:
    """The current-against-initial AUC finding (none when green or not judged)."""
    if test is None or test.get("status") == NOT_ENOUGH_DATA:
        return []
    in_sample = test["initial_auc_source"] == IN_SAMPLE
    f = p_value_finding(
        WORKBOOK,
        test["p_value"],
        ctx.params.policy.p_value,
        lambda: (
            f"Discrimination has deteriorated (AUC {test['auc_current']:.3f} against "
            f"{'the in-sample development AUC ' if in_sample else ''}{test['auc_initial']:.3f})",
            f"{test['method']}: S = {test['statistic']:.2f}, one-sided p {p_is(test['p_value'])}"
            + (
                ". The initial AUC was measured on the development (training) sample itself, which is "
                "optimistic; give backtest.initial_auc from the original validation."
                if in_sample
                else "."
            ),
        ),
        f"backtest.{section}.discrimination.auc_initial_test.p_value",
    )
    return [f] if f is not None else []


def _portfolio_view(cal: dict[str, Any]) -> str:
    """The whole-portfolio calibration results a grade finding is read with: portfolio Jeffreys and Hosmer-Lemeshow."""
    parts = []
    for key, label in (("portfolio_jeffreys", "portfolio Jeffreys"), ("hosmer_lemeshow", "Hosmer-Lemeshow")):
        test = cal[key]
        if test.get("status") == NOT_ENOUGH_DATA:
            parts.append(f"{label} not judged ({words(test['status_reason'])})")
        else:
            parts.append(f"{label} p {p_is(test['p_value'])} ({test['status']})")
    pj = cal["portfolio_jeffreys"]
    return (
        f"Portfolio view: {parts[0]}, {pj['defaults']:,} defaults in {pj['n']:,} loans ({pj['observed_rate']:.2%}) "
        f"against a mean PD of {pj['pd']:.2%}; {parts[1]}."
    )


def _rates_text(cal: dict[str, Any]) -> str:
    """Observed default rate against mean PD, mature current sample then reference: a portfolio finding's facts."""
    rates = cal["portfolio_rates"]
    parts = [
        f"{label}: {r['defaults']:,} defaults in {r['n']:,} loans, {r['observed_rate']:.2%} observed against a "
        f"mean PD of {r['mean_pd']:.2%}"
        for label, r in (("mature current sample", rates["current"]), ("reference sample", rates["reference"]))
        if r is not None
    ]
    return f" ({'; '.join(parts)})"


def _grade_findings(table: pd.DataFrame, cal: dict[str, Any]) -> list[dict[str, Any]]:
    """A grade whose adjusted Jeffreys p-value is amber or red, with the family and the portfolio view."""
    family = cal["grade_family"]
    adjusted = grading.family_text(family["method"], family["family_size"])
    out = []
    for grade, row in table[table["status"].isin(["amber", "red"])].iterrows():
        out.append(
            finding(
                WORKBOOK,
                row["status"],
                f"PD underestimated in grade {grade}",
                f"{int(row['defaults'])} defaults in {int(row['n'])} loans ({row['observed_rate']:.2%}) against a "
                f"mean PD of {row['mean_pd']:.2%} ({row['expected_defaults']:.1f} expected); Jeffreys p = "
                f"{numbers.p_value(row['jeffreys_p_value'])}, {adjusted}: {numbers.p_value(row['jeffreys_p_value_adjusted'])} (binomial p = "
                f"{numbers.p_value(row['binomial_p_value'])}, adjusted {numbers.p_value(row['binomial_p_value_adjusted'])}). "
                + _portfolio_view(cal),
                metric=f"backtest.pd.calibration.grades.{grade}.jeffreys_p_value_adjusted",
                value=float(row["jeffreys_p_value_adjusted"]),
                threshold=family["rule"],
                worse="lower",
            )
        )
    return out


def _pd_findings(metrics: dict[str, Any], table: pd.DataFrame, ctx: Context) -> list[dict[str, Any]]:
    policy = ctx.params.policy.p_value
    rule = low_threshold_text("p-value", policy)
    cal = metrics["calibration"]
    out = _auc_finding(metrics["discrimination"]["auc_initial_test"], ctx, "pd")
    out += _grade_findings(table, cal)
    for grade in table.index[table["n"] == 0]:
        out.append(
            finding(
                WORKBOOK,
                "amber",
                f"Grade {grade} has no mature observations",
                "No loan of this grade in the mature current sample: its calibration cannot be tested.",
                metric=f"backtest.pd.calibration.grades.{grade}.n",
                value=0,
                threshold="an empty grade is amber",
            )
        )
    for key, label in (
        ("portfolio_jeffreys", "Portfolio PD underestimated (Jeffreys)"),
        ("hosmer_lemeshow", "Grades miscalibrated (Hosmer-Lemeshow)"),
    ):
        if cal[key].get("status") == NOT_ENOUGH_DATA:  # too few mature loans or expected defaults: not judged
            continue
        p = cal[key]["p_value"]
        groups = cal[key].get("groups")
        where = (
            f" over {len(groups)} groups of adjacent grades ({words(cal[key]['pooling'])})"
            if groups
            else _rates_text(cal)
        )
        out.append(
            p_value_finding(
                WORKBOOK,
                p,
                policy,
                lambda label=label, p=p, where=where: (label, f"p {p_is(p)}{where}."),
                f"backtest.pd.calibration.{key}.p_value",
            )
        )
    conc = metrics["concentration"]
    shift = conc["distribution_test"]
    if shift.get("status") in ("amber", "red"):
        out.append(
            finding(
                WORKBOOK,
                shift["status"],
                "The distribution over the grades has changed",
                f"Chi-square test of homogeneity of the grade counts, reference against current: chi-square "
                f"{shift['statistic']:.2f}, df {shift['df']}, p {p_is(shift['p_value'])}; Herfindahl index "
                f"{conc['hi']:.3f} against {conc['hi_initial']:.3f} initially"
                + (
                    ""
                    if conc["ecb_test_informative"]
                    else " (the ECB concentration test is not informative here: "
                    "the grades were cut to equal shares of the reference)"
                )
                + ".",
                metric="backtest.pd.concentration.distribution_test.p_value",
                value=float(shift["p_value"]),
                threshold=rule,
                worse="lower",
            )
        )
    return [f for f in out if f is not None]


def _classifier_findings(metrics: dict[str, Any], ctx: Context) -> list[dict[str, Any]]:
    """An alerting model's findings: the AUC test, then the alert-performance tests at the operating point."""
    if not metrics["applicable"]:
        return []
    out = _auc_finding(metrics["discrimination"]["auc_initial_test"], ctx, "classifier")
    out += alerts.findings(metrics, ctx.params.policy, WORKBOOK)
    return out


def _var_findings(var_metrics: dict[str, Any] | None, ctx: Context) -> list[dict[str, Any]]:
    """Each VaR level's traffic light and coverage and independence tests, then each ES series' Z2 test."""
    if var_metrics is None:
        return []
    policy = ctx.params.policy.p_value
    names = Dictionary.from_params(ctx.params)
    findings_out = []
    for column, entry in var_metrics["levels"].items():
        coverage = entry["coverage"]
        var_name = measure_label(names, column, "VaR", coverage)
        light = entry["traffic_light"]
        if light["applicable"]:
            zone, name, days = light["zone"], light["name"], light["days"]
            if zone in ("yellow", "red"):
                findings_out.append(
                    finding(
                        WORKBOOK,
                        "amber" if zone == "yellow" else "red",
                        f"{var_name}: {name} {zone} ({light['exceptions']} exceptions in {days} days)",
                        f"Cumulative binomial probability {light['cumulative_probability']:.4f}; plus factor "
                        f"{light['plus_factor'] if light['plus_factor'] is not None else 'n/a'}.",
                        metric=f"backtest.var.levels.{column}.traffic_light.zone",
                        threshold="green below 0.95, red from 0.9999 cumulative probability",
                    )
                )
        for key, label in (
            ("kupiec_pof", "Kupiec proportion of failures"),
            ("christoffersen_independence", "Christoffersen independence"),
            ("conditional_coverage", "conditional coverage"),
        ):
            if entry.get("status") == NOT_ENOUGH_DATA:
                continue
            p = entry[key]["p_value_exact"] if key == "kupiec_pof" else entry[key]["p_value"]  # Kupiec: exact
            found = p_value_finding(
                WORKBOOK,
                p,
                policy,
                lambda label=label, p=p, entry=entry, var_name=var_name, coverage=coverage: (
                    f"{var_name}: {label} test rejects (p {p_is(p)})",
                    f"{entry['exceptions']} exceptions in {entry['n']} days at {coverage:.1%} coverage "
                    f"(expected {entry['n'] * (1 - coverage):.1f}).",
                ),
                f"backtest.var.levels.{column}.{key}.p_value" + ("_exact" if key == "kupiec_pof" else ""),
            )
            if found is not None:
                findings_out.append(found)
    for es_column, test in var_metrics["es"].items():
        if test.get("status") == NOT_ENOUGH_DATA:
            continue
        coverage = var_metrics["levels"][test["var_column"]]["coverage"]
        es_name = measure_label(names, es_column, "ES", coverage)
        found = p_value_finding(
            WORKBOOK,
            test["p_value"],
            policy,
            lambda t=test, c=es_name, cov=coverage: (
                f"{c}: Acerbi-Szekely Z2 test rejects (Z2 = {t['statistic']:.3f}, p {p_is(t['p_value'])})",
                f"Losses beyond the {cov:.1%} VaR are larger or more frequent than the ES allows: Z2 "
                f"{t['statistic']:.3f} against a {1 - t['test_level']:.0%} critical value of "
                f"{t['critical_value']:.3f} ({words(t['distribution'])} null, {t['n_simulations']:,} simulations).",
            ),
            f"backtest.var.es.{es_column}.p_value",
        )
        if found is not None:
            findings_out.append(found)
    return findings_out


def _sensitivity_findings(frame: pd.DataFrame | None, ctx: Context) -> list[dict[str, Any]]:
    """A feature that moves the mean PD (or score) materially against its expected direction is amber."""
    if frame is None:
        return []
    out = []
    word = ctx.params.model_kind.vocabulary.score
    label = Dictionary.from_params(ctx.params).label
    step_words = {"sd": "in standard deviations", "relative": "relative to the value"}
    if "monotonicity" in frame.columns:
        material = frame["max_abs_change"] >= MATERIAL_PD_CHANGE
        for _, row in frame[(frame["monotonicity"] == "violated") & material].iterrows():
            out.append(
                finding(
                    WORKBOOK,
                    "amber",
                    f"Sensitivity: {label(str(row['feature']))} moves the {word} against its expected direction",
                    f"Step {step_words.get(row['step'], row['step'])}: mean {word} change {row['change_up']:+.4f} up, "
                    f"{row['change_down']:+.4f} down.",
                    metric="backtest.sensitivity.rows",
                    threshold="a violated expected direction is amber",
                )
            )
    return out


def _unjudged_var(var_metrics: dict[str, Any] | None, names: Dictionary) -> list[str]:
    """The VaR levels and ES series whose tests got "not enough data", by the names the report gives them."""
    if var_metrics is None:
        return []
    entries = [*var_metrics["levels"].items(), *var_metrics.get("es", {}).items()]
    return [
        measure_label(names, k, "ES" if k in var_metrics.get("es", {}) else "VaR", e["coverage"])
        for k, e in entries
        if e.get("status") == NOT_ENOUGH_DATA
    ]


def judge(
    pd_part: PdBacktest,
    classifier: ClassifierBacktest,
    var: VarBacktest,
    sensitivity: SensitivityAnalysis,
    ctx: Context,
) -> list[dict[str, Any]]:
    """Every finding of the backtest workbook, from its evidence and the parameters' policy."""
    if classifier.metrics is not None:
        outcome = _classifier_findings(classifier.metrics, ctx)
    else:
        outcome = _pd_findings(pd_part.metrics, pd_part.grade_table, ctx) if pd_part.metrics["applicable"] else []
    var_metrics = var.metrics
    findings_all = outcome + _var_findings(var_metrics, ctx) + _sensitivity_findings(sensitivity.table, ctx)
    unjudged = _unjudged_var(var_metrics, Dictionary.from_params(ctx.params))
    if unjudged:  # a backtest left unjudged is a limitation of the validation, never part of a green "no finding"
        findings_all.append(
            finding(
                WORKBOOK,
                "amber",
                f"Not enough data to backtest {', '.join(unjudged)}",
                f"{var_metrics['n_days']:,} days of P&L, fewer than the policy's minimum of "
                f"{ctx.params.policy.min_sample.var_days:,}: these tests were computed but not judged.",
                metric="backtest.var.n_days",
                value=var_metrics["n_days"],
                threshold=f"at least {ctx.params.policy.min_sample.var_days:,} days",
                worse="lower",
            )
        )
    if not findings_all:
        untested = (pd_part.metrics.get("calibration") or {}).get("untested_grades") or []
        findings_all.append(
            finding(
                WORKBOOK,
                "green",
                "No backtest finding",
                "Every outcome test judged is above the policy's p-value thresholds"
                + (
                    f"; not tested (not enough data): grade{'s' if len(untested) > 1 else ''} "
                    f"{', '.join(u['grade'] for u in untested)}."
                    if untested
                    else "."
                ),
                metric="backtest.findings",
                threshold=low_threshold_text("p-value", ctx.params.policy.p_value),
            )
        )
    return findings_all
