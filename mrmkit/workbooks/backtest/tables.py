"""What the backtest notebook displays: tables, text and figures made from the evidence (formatting only).

Every table and sentence is built from a :class:`~mrmkit.workbooks.backtest.workbook.BacktestEvidence`
through :mod:`mrmkit.workbooks.display`; the curves are the samples the evidence was measured on.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from mrmkit import stats
from mrmkit.policy import NOT_ENOUGH_DATA, classify_low
from mrmkit.workbooks import display
from mrmkit.workbooks.backtest.analysis_pd import IN_SAMPLE
from mrmkit.workbooks.backtest.grading import family_text
from mrmkit.workbooks.backtest.workbook import BacktestEvidence
from mrmkit.workbooks.common import window_maturity
from mrmkit.workbooks.context import Context


def findings_frame(evidence: BacktestEvidence) -> Any:
    return display.findings_table(evidence.findings)


def discrimination_frame(evidence: BacktestEvidence) -> Any:
    classifier = evidence.classifier is not None
    d = (evidence.classifier if classifier else evidence.pd)["discrimination"]
    cases, events = ("cases", "events") if classifier else ("applications", "defaults")
    rows = []
    for label, key in (("development (reference)", "development"), ("current, mature windows", "current")):
        m = d[key]
        if m is None:
            rows.append((label, None, None, None, None, None, None, "n/a: one class only"))
            continue
        rows.append(
            (
                label,
                m["n"],
                m["defaults"],
                m["auc"],
                f"{m['auc_ci'][0]:.4f} to {m['auc_ci'][1]:.4f}",
                m["gini"],
                m["ks"],
                "",
            )
        )
    frame = pd.DataFrame(rows, columns=["sample", cases, events, "AUC", "AUC 95% CI (DeLong)", "Gini", "KS", "note"])
    t = d["auc_initial_test"]
    styler = display.styled(
        frame,
        {
            cases: display.INTEGER,
            events: display.INTEGER,
            "AUC": display.FIXED4,
            "Gini": display.FIXED4,
            "KS": display.FIXED4,
        },
        status_columns=(),
        index=False,
    )
    if t is not None:
        judged = (
            f"S = {t['statistic']:.3f}, one-sided p = {t['p_value']:.3g}"
            if t.get("status") != NOT_ENOUGH_DATA
            else f"not judged: {t['status_reason']}"
        )
        warning = "; measured in-sample, so optimistic" if t["initial_auc_source"] == IN_SAMPLE else ""
        styler = styler.set_caption(
            f"{t['method']}: initial AUC {t['auc_initial']:.4f} ({t['initial_auc_source']}{warning}), {judged}"
        )
    return styler


def maturity_text(evidence: BacktestEvidence, ctx: Context) -> Any:
    m = (evidence.classifier or evidence.pd)["maturity"]
    units = ctx.params.model_kind.vocabulary.units
    immature = [w for w, v in m["windows"].items() if not v["mature"]]
    if immature:
        return display.text(
            "Maturity: {}. {:,} {} are mature; {:,} {} in windows {} are not yet mature and are left out of "
            "the outcome tests.",
            m["rule"],
            m["n_mature"],
            units,
            m["n_immature"],
            units,
            ", ".join(immature),
        )
    return display.text("Maturity: {}. {:,} {} are mature.", m["rule"], m["n_mature"], units)


def curves(evidence: BacktestEvidence, ctx: Context) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    inp = ctx.inputs
    mature, _, _ = window_maturity(ctx)
    return {
        "development": (inp.reference_target, inp.reference_score),
        "current (mature)": (inp.current_target[mature], inp.current_score[mature]),
    }


def grade_frame_for_display(evidence: BacktestEvidence) -> Any:
    t = evidence.grade_table[
        [
            "n",
            "defaults",
            "expected_defaults",
            "observed_rate",
            "mean_pd",
            "binomial_p_value",
            "jeffreys_p_value",
            "jeffreys_p_value_adjusted",
            "jeffreys_ci_lower",
            "jeffreys_ci_upper",
            "status",
            "status_reason",
        ]
    ]
    family = evidence.pd["calibration"]["grade_family"]
    return display.styled(
        t.assign(status_reason=t["status_reason"].fillna("")),
        {
            "n": display.INTEGER,
            "defaults": display.INTEGER,
            "expected_defaults": _one_decimal,
            "observed_rate": display.PERCENT,
            "mean_pd": display.PERCENT,
            "binomial_p_value": display.P_VALUE,
            "jeffreys_p_value": display.P_VALUE,
            "jeffreys_p_value_adjusted": display.P_VALUE,
            "jeffreys_ci_lower": display.PERCENT,
            "jeffreys_ci_upper": display.PERCENT,
        },
        labels={
            "n": "loans",
            "expected_defaults": "expected defaults",
            "observed_rate": "observed DR",
            "mean_pd": "mean PD",
            "binomial_p_value": "binomial p",
            "jeffreys_p_value": "Jeffreys p",
            "jeffreys_p_value_adjusted": "Jeffreys p, adjusted",
            "jeffreys_ci_lower": "Jeffreys 95% low",
            "jeffreys_ci_upper": "Jeffreys 95% high",
            "status_reason": "why not tested",
        },
    ).set_caption(
        f"A grade's status is its Jeffreys p-value {family_text(family['method'], family['family_size'])} "
        f"({', '.join(family['tested_grades']) or 'none'}); a grade with fewer expected defaults or "
        "non-defaults than policy.min_sample.expected_events is not tested and not counted in the family"
    )


def calibration_summary_frame(evidence: BacktestEvidence) -> Any:
    c = evidence.pd["calibration"]
    policy = _p_thresholds(evidence)
    hl = c["hosmer_lemeshow"]
    rows = [
        (
            "Hosmer-Lemeshow",
            f"chi-square {hl['statistic']:.3f}, df {hl['df']} ({len(hl['groups'])} groups of adjacent grades)",
            hl,
        ),
        ("Spiegelhalter", f"z {c['spiegelhalter']['z']:.3f}", c["spiegelhalter"]),
        (
            "Jeffreys, whole portfolio",
            f"{c['portfolio_jeffreys'].get('observed_rate', float('nan')):.3%} observed against "
            f"{c['portfolio_jeffreys']['pd']:.3%} mean PD",
            c["portfolio_jeffreys"],
        ),
        ("Brier score", f"{c['brier']['value']:.5f}", None),
    ]
    frame = pd.DataFrame(
        [
            (
                name,
                statistic,
                test["p_value"] if test else None,
                (test.get("status") or classify_low(test["p_value"], policy)) if test else "",
                (test.get("status_reason") or "") if test else "",
            )
            for name, statistic, test in rows
        ],
        columns=["test", "statistic", "p_value", "status", "status_reason"],
    )
    return display.styled(
        frame, {"p_value": display.P_VALUE}, labels={"p_value": "p", "status_reason": "why not judged"}, index=False
    )


def _p_thresholds(evidence: BacktestEvidence) -> Any:
    from mrmkit.params import LowThresholds

    return LowThresholds(**evidence.settings["p_value_thresholds"])


def concentration_frame(evidence: BacktestEvidence) -> Any:
    c = evidence.pd["concentration"]
    rows = [
        ("Herfindahl index (ECB), current", c["hi"], c.get("hi_initial")),
        ("coefficient of variation of grade shares", c["cv"], c.get("cv_initial")),
        ("sum of squared grade shares", c["hhi"], c.get("hhi_initial")),
    ]
    frame = pd.DataFrame(rows, columns=["measure", "current", "initial (reference)"])
    styler = display.styled(
        frame, {"current": display.FIXED4, "initial (reference)": display.FIXED4}, status_columns=(), index=False
    )
    parts = []
    shift = c["distribution_test"]
    if shift.get("status") == NOT_ENOUGH_DATA:
        parts.append(f"Chi-square test of homogeneity of the grade counts not judged: {shift['status_reason']}")
    else:
        parts.append(
            f"Chi-square test of homogeneity of the grade counts, reference against current (decides the "
            f"finding): chi-square {shift['statistic']:.2f}, df {shift['df']}, p = {shift['p_value']:.3g}"
        )
    if c.get("p_value") is not None:
        parts.append(
            f"ECB test of higher concentration than initially: statistic {c['statistic']:.3f}, one-sided "
            f"p = {c['p_value']:.3g}" + ("" if c["ecb_test_informative"] else f" ({c['ecb_note']})")
        )
    return styler.set_caption(". ".join(parts) + ".")


def migration_text(evidence: BacktestEvidence) -> Any:
    m = evidence.pd["migration"]
    if not m["applicable"]:
        return display.text("Migration matrix not applicable: {}.", m["reason"])
    return display.text(
        "Migration from the reference to the current grade of the {:,} loans present in both: {:.1%} keep their "
        "grade, {:.1%} move to a better grade, {:.1%} to a worse one.",
        m.get("n", 0),
        m.get("diagonal_share", float("nan")),
        m.get("upgrade_share", float("nan")),
        m.get("downgrade_share", float("nan")),
    )


def migration_frame(evidence: BacktestEvidence) -> Any:
    m = evidence.pd["migration"]
    order = m["labels"]
    frame = pd.DataFrame(m["counts"], index=order, columns=order)
    return display.styled(frame.astype(float), {c: display.INTEGER for c in frame.columns}, status_columns=())


def window_frame_for_display(evidence: BacktestEvidence) -> Any:
    t = evidence.window_table.assign(mature=evidence.window_table["mature"].map({True: "yes", False: "no"}))
    classifier = evidence.classifier is not None
    labels = {
        "n": "loans",
        "observed_rate": "observed DR",
        "mean_pd": "mean PD",
        "auc": "AUC",
        "matures_on": "matures on",
    }
    if classifier:
        labels.update(
            n="cases",
            defaults="events",
            observed_rate="event rate",
            mean_pd="mean score",
            recall="catch rate",
            false_positive_rate="false-positive rate",
        )
    return display.styled(
        t,
        {
            "n": display.INTEGER,
            "defaults": display.INTEGER,
            "observed_rate": display.PERCENT,
            "mean_pd": display.PERCENT,
            "auc": display.FIXED4,
            **({"recall": display.PERCENT, "false_positive_rate": _percent2} if classifier else {}),
        },
        status_columns=(),
        labels=labels,
    )


def _percent2(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.2%}"


def operating_point_frame(evidence: BacktestEvidence) -> Any:
    """The classifier at its operating point: reference, current, and current at the reference threshold."""
    point = evidence.classifier["operating_point"]
    samples = [("reference (development)", point["reference"]), ("current, mature windows", point["current"])]
    if "current_at_reference_threshold" in point:
        samples.append(("current at the reference threshold", point["current_at_reference_threshold"]))
    rows = []
    for label, m in samples:
        cost = m.get("expected_cost")
        rows.append(
            {
                "sample": label,
                "threshold": m["threshold"],
                "cases": m["n"],
                "events": m["positives"],
                "alert rate": m["alert_rate"],
                "alerts": m["true_positives"] + m["false_positives"],
                "caught": m["true_positives"],
                "catch rate (recall)": m["recall"],
                "precision": m["precision"],
                "false-positive rate": m["false_positive_rate"],
                "F1": m["f1"],
                "lift": m["lift"],
                "average precision": m["average_precision"],
                **({"expected cost per 1,000 cases": cost["per_1000"]} if cost else {}),
            }
        )
    fmt = {
        "threshold": display.FIXED4,
        "cases": display.INTEGER,
        "events": display.INTEGER,
        "alerts": display.INTEGER,
        "caught": display.INTEGER,
        "alert rate": _percent2,
        "catch rate (recall)": display.PERCENT,
        "precision": display.PERCENT,
        "false-positive rate": _percent2,
        "F1": display.FIXED4,
        "lift": _one_decimal,
        "average precision": display.FIXED4,
        "expected cost per 1,000 cases": display.INTEGER,
    }
    styler = display.styled(pd.DataFrame(rows), fmt, status_columns=(), index=False)
    return styler.set_caption(
        f"Operating point: {point['rule']}; a case is alerted when its score is at or above the threshold"
    )


def alert_tests_frame(evidence: BacktestEvidence) -> Any:
    """Catch rate and false-positive rate, current against reference, with their one-sided tests."""
    tests = evidence.classifier["operating_point"]["tests"]
    rows = []
    for label, key in (("catch rate (recall)", "recall"), ("false-positive rate", "false_positive_rate")):
        t = tests[key]
        judged = t.get("status") != NOT_ENOUGH_DATA
        rows.append(
            {
                "measure": label,
                "reference": t["reference"],
                "current": t["current"],
                "difference": t["difference"],
                "test": t["test"],
                "z": t["z"] if judged else None,
                "p": t["p_value"] if judged else None,
                "status": t["status"],
            }
        )
    fmt = {
        "reference": _percent2,
        "current": _percent2,
        "difference": lambda v: f"{v:+.2%}",
        "z": _two_decimals,
        "p": display.P_VALUE,
    }
    return display.styled(pd.DataFrame(rows), fmt, index=False)


def precision_recall_curves(evidence: BacktestEvidence, ctx: Context) -> dict[str, Any]:
    """Precision-recall curve of each labelled sample, with the operating point marked."""
    out = {}
    for label, (y, score) in curves(evidence, ctx).items():
        key = "reference" if label == "development" else "current"
        out[label] = (stats.precision_recall_curve(y, score), evidence.classifier["operating_point"][key])
    return out


def var_frame(evidence: BacktestEvidence) -> Any:
    rows = []
    policy = _p_thresholds(evidence)
    for column, e in evidence.var["levels"].items():
        tl = e["traffic_light"]
        judged = e.get("status") != NOT_ENOUGH_DATA  # the statuses shown are the findings' (Kupiec: exact p)

        def status(p: float, judged: bool = judged) -> str:
            return classify_low(p, policy) if judged else NOT_ENOUGH_DATA

        rows.append(
            {
                "VaR": column,
                "coverage": e["coverage"],
                "days": e["n"],
                "exceptions": e["exceptions"],
                "expected": e["n"] * (1 - e["coverage"]),
                "Kupiec p (exact)": e["kupiec_pof"]["p_value_exact"],
                "Kupiec": status(e["kupiec_pof"]["p_value_exact"]),
                "independence p": e["christoffersen_independence"]["p_value"],
                "independence": status(e["christoffersen_independence"]["p_value"]),
                "cond. coverage p": e["conditional_coverage"]["p_value"],
                "cond. coverage": status(e["conditional_coverage"]["p_value"]),
                "binomial z": e["binomial_z"]["z"],
                "first failure (day)": e["time_until_first_failure"].get("first_failure"),
                "traffic light": tl.get("zone", "n/a") if tl["applicable"] else "n/a",
                "plus factor": tl.get("plus_factor") if tl["applicable"] else None,
            }
        )
    frame = pd.DataFrame(rows)
    zone_css = {
        "green": display.STATUS_CSS["green"],
        "yellow": display.STATUS_CSS["amber"],
        "red": display.STATUS_CSS["red"],
    }
    styler = display.styled(
        frame,
        {
            "coverage": display.PERCENT,
            "expected": _one_decimal,
            "Kupiec p (exact)": display.P_VALUE,
            "independence p": display.P_VALUE,
            "cond. coverage p": display.P_VALUE,
            "binomial z": _two_decimals,
            "plus factor": _two_decimals,
        },
        status_columns=("Kupiec", "independence", "cond. coverage"),
        index=False,
    )
    return styler.map(lambda v: zone_css.get(v, ""), subset=["traffic light"]).set_caption(
        evidence.var["exception_rule"]
    )


def es_frame(evidence: BacktestEvidence) -> Any:
    """One row per ES column: Acerbi and Szekely's Z2, its critical value and p-value, and the status."""
    policy = _p_thresholds(evidence)
    rows = [
        {
            "ES": column,
            "VaR": t["var_column"],
            "coverage": t["coverage"],
            "days": t["n"],
            "exceptions": t["exceptions"],
            "Z2": t["statistic"],
            "critical value": t["critical_value"],
            "p": t["p_value"],
            "status": t.get("status") or classify_low(t["p_value"], policy),
            "null": f"{t['distribution']}"
            + (f" ({t['degrees_of_freedom']:g} df)" if t["degrees_of_freedom"] else "")
            + f", {t['n_simulations']:,} simulations",
        }
        for column, t in evidence.var["es"].items()
    ]
    caption = (
        "Z2 = sum of P&L beyond VaR / (T (1 - coverage) ES) + 1; 0 when the ES is right, negative when "
        "it is understated. The critical value is the 5% quantile of Z2 simulated under the null."
    )
    return display.styled(
        pd.DataFrame(rows),
        {"coverage": display.PERCENT, "Z2": _three_decimals, "critical value": _three_decimals, "p": display.P_VALUE},
        status_columns=("status",),
        index=False,
    ).set_caption(caption)


def _three_decimals(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3f}"


def _one_decimal(v: Any) -> str:
    return "" if v is None else f"{v:.1f}"


def _two_decimals(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.2f}"


_STRESS_COLUMNS = {
    "scenario": "scenario",
    "description": "description",
    "segment": "segment",
    "rows_changed": "rows shocked",
    "mean_pd": "mean PD",
    "mean_pd_change": "change",
    "mean_pd_change_relative": "relative change",
    "approval_rate": "approval rate",
    "expected_loss": "expected loss",
    "expected_loss_change_relative": "EL relative change",
}


def stress_frame_for_display(evidence: BacktestEvidence) -> Any:
    t = evidence.stress_table
    cols = [c for c in _STRESS_COLUMNS if c in t.columns]
    return display.styled(
        t[cols],
        {
            "rows_changed": display.INTEGER,
            "mean_pd": display.PERCENT,
            "mean_pd_change": _signed_percent,
            "mean_pd_change_relative": _signed_percent,
            "approval_rate": display.PERCENT,
            "expected_loss": display.INTEGER,
            "expected_loss_change_relative": _signed_percent,
        },
        status_columns=(),
        labels=_STRESS_COLUMNS,
        index=False,
    )


def _signed_percent(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:+.1%}"


_SENSITIVITY_COLUMNS = {
    "feature": "feature",
    "step": "step",
    "change_up": "mean PD change, up",
    "change_down": "mean PD change, down",
    "flip_share_up": "decisions flipped, up",
    "flip_share_down": "decisions flipped, down",
    "expected_direction": "expected",
    "monotonicity": "monotonicity",
    "share_against": "rows against",
}


def sensitivity_frame_for_display(evidence: BacktestEvidence) -> Any:
    t = evidence.sensitivity_table
    cols = [c for c in _SENSITIVITY_COLUMNS if c in t.columns]
    formats = {
        "change_up": _signed4,
        "change_down": _signed4,
        "flip_share_up": display.PERCENT,
        "flip_share_down": display.PERCENT,
        "share_against": display.PERCENT,
    }
    labels = dict(_SENSITIVITY_COLUMNS)
    if evidence.classifier is not None:  # a classifier's score and its alerts, not a PD and its approvals
        labels = {
            k: v.replace("mean PD", "mean score").replace("decisions flipped", "alerts flipped")
            for k, v in labels.items()
        }
    return display.styled(t[cols], formats, status_columns=(), labels=labels, index=False).map(
        lambda v: display.STATUS_CSS["amber"] if v == "violated" else "", subset=["monotonicity"]
    )


def _signed4(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:+.4f}"


def tornado_data(evidence: BacktestEvidence) -> dict[str, Any]:
    """The arguments of :func:`mrmkit.present.plots.tornado` for the sensitivity table's first step."""
    t = evidence.sensitivity_table
    first_step = t["step"].iloc[0]
    quantity = "mean score" if evidence.classifier is not None else "mean PD"
    return {"table": t[t["step"] == first_step], "up": "change_up", "down": "change_down", "quantity": quantity}


def settings_frame(evidence: BacktestEvidence) -> Any:
    rows = [(k, display.setting(v)) for k, v in evidence.settings.items()]
    return display.styled(pd.DataFrame(rows, columns=["setting", "value"]), status_columns=(), index=False)
