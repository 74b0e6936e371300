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
from mrmkit.text import numbers
from mrmkit.workbooks import display, wording
from mrmkit.workbooks.backtest.analysis_pd import IN_SAMPLE
from mrmkit.workbooks.backtest.grading import family_text
from mrmkit.workbooks.backtest.workbook import BacktestEvidence
from mrmkit.workbooks.common import window_maturity
from mrmkit.workbooks.context import Context
from mrmkit.workbooks.wording import p_is

#: The caption of the ROC and CAP figure.
ROC_CAPTION = (
    "ROC curve (share of events caught against share of non-events flagged) and CAP curve (share of events "
    "caught against share of all cases, riskiest first) of the development and current samples; dotted: a "
    "random model."
)


def words(text: Any) -> str:
    """A reason or convention from the evidence in plain words (no parameter key, no machine name)."""
    return wording.words(text)


def findings_frame(evidence: BacktestEvidence) -> Any:
    return wording.findings_frame(evidence.findings, "Findings of the backtest and stress-test workbook, worst first.")


def _cell(format_: Any) -> Any:
    """A table cell by one of :mod:`mrmkit.text.numbers`' formats, blank when there is no value."""
    return lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else format_(v)


_P = _cell(numbers.p_value)
_SHARE = _cell(numbers.share)
_SHARE2 = _cell(lambda v: numbers.share(v, 2))
_POINTS = _cell(numbers.points)
_POINTS2 = _cell(lambda v: numbers.points(v, 2))
_FIXED3 = _cell(lambda v: numbers.fixed(v, 3))


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
                f"{m['auc_ci'][0]:.3f} to {m['auc_ci'][1]:.3f}",
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
            "AUC": _FIXED3,
            "Gini": _FIXED3,
            "KS": _FIXED3,
        },
        status_columns=(),
        index=False,
    )
    caption = (
        f"Discrimination of the model: AUC with its 95% interval, Gini and KS on the development and current {cases}."
    )
    if t is not None:
        judged = (
            f"S = {t['statistic']:.3f}, one-sided p {p_is(t['p_value'])}"
            if t.get("status") != NOT_ENOUGH_DATA
            else f"not judged: {wording.words(t['status_reason'])}"
        )
        warning = "; measured in-sample, so optimistic" if t["initial_auc_source"] == IN_SAMPLE else ""
        caption += (
            f" {wording.words(t['method'])}: initial AUC {t['auc_initial']:.3f} "
            f"({wording.words(t['initial_auc_source'])}{warning}), {judged}."
        )
    return styler.set_caption(caption)


def maturity_text(evidence: BacktestEvidence, ctx: Context) -> Any:
    m = (evidence.classifier or evidence.pd)["maturity"]
    units = ctx.params.model_kind.vocabulary.units
    immature = [w for w, v in m["windows"].items() if not v["mature"]]
    if immature:
        return display.text(
            "Maturity: {}. {:,} {} are mature; {:,} {} in windows {} are not yet mature and are left out of "
            "the outcome tests.",
            wording.words(m["rule"]),
            m["n_mature"],
            units,
            m["n_immature"],
            units,
            ", ".join(immature),
        )
    return display.text("Maturity: {}. {:,} {} are mature.", wording.words(m["rule"]), m["n_mature"], units)


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
        t.assign(status_reason=t["status_reason"].fillna("").map(wording.words)),
        {
            "n": display.INTEGER,
            "defaults": display.INTEGER,
            "expected_defaults": _one_decimal,
            "observed_rate": _SHARE2,
            "mean_pd": _SHARE2,
            "binomial_p_value": _P,
            "jeffreys_p_value": _P,
            "jeffreys_p_value_adjusted": _P,
            "jeffreys_ci_lower": _SHARE2,
            "jeffreys_ci_upper": _SHARE2,
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
        "Calibration by grade: observed default rate (DR) against mean PD, with the binomial and Jeffreys tests. "
        f"A grade's status is its Jeffreys p-value {wording.words(family_text(family['method'], family['family_size']))} "
        f"({', '.join(family['tested_grades']) or 'none'}); a grade with fewer expected defaults or "
        "non-defaults than the policy's minimum is not tested and not counted in the family."
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
            f"{numbers.share(c['portfolio_jeffreys'].get('observed_rate'), 2)} observed against "
            f"{numbers.share(c['portfolio_jeffreys']['pd'], 2)} mean PD",
            c["portfolio_jeffreys"],
        ),
        ("Brier score", brier_text(c["brier"]), None),
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
    frame = frame.assign(status_reason=frame["status_reason"].map(wording.words))
    return display.styled(
        frame, {"p_value": _P}, labels={"p_value": "p", "status_reason": "why not judged"}, index=False
    ).set_caption(
        "Calibration of the whole portfolio: Hosmer-Lemeshow, Spiegelhalter and Jeffreys tests, and the Brier "
        "score beside the Brier score of the base rate (every loan given the observed default rate)."
    )


def brier_text(brier: dict[str, Any]) -> str:
    """The Brier score beside its benchmark: the Brier score of the base rate, o (1 - o) with o the observed
    default rate (Murphy's uncertainty), and the skill score 1 - Brier / that benchmark."""
    value, base = brier.get("value"), brier.get("uncertainty")
    if value is None or not base:
        return numbers.fixed(value, 4)
    skill = 1 - value / base
    verdict = "better" if skill > 0 else "no better"
    return (
        f"{numbers.fixed(value, 4)} against {numbers.fixed(base, 4)} for the base rate alone (skill "
        f"{numbers.share(skill)}: {verdict} than giving every loan the observed default rate)"
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
        parts.append(
            f"Chi-square test of homogeneity of the grade counts not judged: {wording.words(shift['status_reason'])}"
        )
    else:
        parts.append(
            f"Chi-square test of homogeneity of the grade counts, reference against current (decides the "
            f"finding): chi-square {shift['statistic']:.2f}, df {shift['df']}, p {p_is(shift['p_value'])}"
        )
    if c.get("p_value") is not None:
        parts.append(
            f"ECB test of higher concentration than initially: statistic {c['statistic']:.3f}, one-sided "
            f"p {p_is(c['p_value'])}" + ("" if c["ecb_test_informative"] else f" ({wording.words(c['ecb_note'])})")
        )
    return styler.set_caption("Concentration of the grades. " + ". ".join(parts) + ".")


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
    return display.styled(
        frame.rename_axis("reference grade").astype(float),
        {c: display.INTEGER for c in frame.columns},
        status_columns=(),
    ).set_caption("Migration matrix: loans by reference grade (rows) and current grade (columns).")


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
            "observed_rate": _SHARE2,
            "mean_pd": _SHARE2,
            "auc": _FIXED3,
            **({"recall": _SHARE, "false_positive_rate": _SHARE2} if classifier else {}),
        },
        status_columns=(),
        labels=labels,
    ).set_caption(
        "Outcomes per window: "
        + (
            "cases, events, event rate, catch and false-positive rates"
            if classifier
            else "loans, defaults, observed default rate (DR) against mean PD, AUC"
        )
        + "; a window not yet mature is shown but not tested."
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
        f"Performance at the operating point: {wording.words(point['rule'])}; a case is alerted when its score is "
        "at or above the threshold."
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
        "difference": _POINTS2,
        "z": _two_decimals,
        "p": _P,
    }
    frame = pd.DataFrame(rows).rename(columns={"difference": "change (pp)"})
    fmt["change (pp)"] = fmt.pop("difference")
    return display.styled(frame, fmt, index=False).set_caption(
        "Catch rate and false-positive rate, current against reference, with their one-sided tests."
    )


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
                "VaR": wording.measure_label(evidence.names, column, "VaR", e["coverage"]),
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
            "Kupiec p (exact)": _P,
            "independence p": _P,
            "cond. coverage p": _P,
            "binomial z": _two_decimals,
            "plus factor": _two_decimals,
        },
        status_columns=("Kupiec", "independence", "cond. coverage"),
        index=False,
    )
    return styler.map(lambda v: zone_css.get(v, ""), subset=["traffic light"]).set_caption(
        "VaR backtests: exceptions against the number expected, the Kupiec, independence and conditional "
        f"coverage tests and the Basel traffic light. {wording.words(evidence.var['exception_rule']).capitalize()}."
    )


def es_frame(evidence: BacktestEvidence) -> Any:
    """One row per ES column: Acerbi and Szekely's Z2, its critical value and p-value, and the status."""
    policy = _p_thresholds(evidence)
    rows = [
        {
            "ES": wording.measure_label(evidence.names, column, "ES", t["coverage"]),
            "VaR": wording.measure_label(evidence.names, t["var_column"], "VaR", t["coverage"]),
            "coverage": t["coverage"],
            "days": t["n"],
            "exceptions": t["exceptions"],
            "Z2": t["statistic"],
            "critical value": t["critical_value"],
            "p": t["p_value"],
            "status": t.get("status") or classify_low(t["p_value"], policy),
            "null": f"{wording.words(t['distribution'])}"
            + (f" ({t['degrees_of_freedom']:g} df)" if t["degrees_of_freedom"] else "")
            + f", {t['n_simulations']:,} simulations",
        }
        for column, t in evidence.var["es"].items()
    ]
    caption = (
        "Expected-shortfall backtest (Acerbi and Szekely): Z2 = sum of P&L beyond VaR / (T (1 - coverage) ES) + 1; 0 when the ES is right, negative when "
        "it is understated. The critical value is the 5% quantile of Z2 simulated under the null."
    )
    return display.styled(
        pd.DataFrame(rows),
        {"coverage": display.PERCENT, "Z2": _three_decimals, "critical value": _three_decimals, "p": _P},
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
    "mean_pd_change": "change (pp)",
    "mean_pd_change_relative": "relative change",
    "approval_rate": "approval rate",
    "expected_loss": "expected loss",
    "expected_loss_change_relative": "EL relative change",
}


def stress_frame_for_display(evidence: BacktestEvidence) -> Any:
    t = evidence.stress_table
    cols = [c for c in _STRESS_COLUMNS if c in t.columns]
    shown = t[cols].assign(scenario=t["scenario"].map(lambda v: wording.words(v, evidence.names)))
    currency = evidence.currency
    labels = dict(_STRESS_COLUMNS)
    if currency:
        labels["expected_loss"] = f"expected loss ({currency})"
    return display.styled(
        shown,
        {
            "rows_changed": display.INTEGER,
            "mean_pd": _SHARE2,
            "mean_pd_change": _POINTS2,
            "mean_pd_change_relative": _signed_percent,
            "approval_rate": _SHARE,
            "expected_loss": _cell(numbers.amount),
            "expected_loss_change_relative": _signed_percent,
        },
        status_columns=(),
        labels=labels,
        index=False,
    ).set_caption(
        "Stress scenarios: mean PD (change in percentage points and relative), approval rate and expected loss"
        + (f" in {currency}" if currency else "")
        + " under each scenario."
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
    classifier = evidence.classifier is not None
    change = _signed4 if classifier else _POINTS2  # a change of the mean PD is a change of a share
    formats = {
        "change_up": change,
        "change_down": change,
        "flip_share_up": display.PERCENT,
        "flip_share_down": display.PERCENT,
        "share_against": display.PERCENT,
    }
    labels = dict(_SENSITIVITY_COLUMNS)
    if classifier:  # a classifier's score and its alerts, not a PD and its approvals
        labels = {
            k: v.replace("mean PD", "mean score").replace("decisions flipped", "alerts flipped")
            for k, v in labels.items()
        }
    else:
        labels.update(change_up="mean PD change, up (pp)", change_down="mean PD change, down (pp)")
    shown = t[cols].assign(feature=t["feature"].map(lambda v: evidence.names.label(str(v))))
    if "step" in shown:
        shown = shown.assign(step=shown["step"].map(lambda v: _STEP_WORDS.get(v, wording.words(v))))
    return (
        display.styled(shown, formats, status_columns=(), labels=labels, index=False)
        .map(lambda v: display.STATUS_CSS["amber"] if v == "violated" else "", subset=["monotonicity"])
        .set_caption(
            f"Sensitivity, one feature at a time: the change of the mean {'score' if classifier else 'PD'} when a "
            "feature moves up or down by the step, the share of decisions that flip, and whether the direction "
            "matches the one declared."
        )
    )


_STEP_WORDS = {"sd": "in standard deviations", "relative": "relative to the value"}


def _signed4(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:+.4f}"


def stress_chart_table(evidence: BacktestEvidence) -> pd.DataFrame:
    """The stress table with its scenarios named in words, for :func:`mrmkit.present.plots.stress_chart`."""
    t = evidence.stress_table
    return t.assign(scenario=t["scenario"].map(lambda v: wording.words(v, evidence.names)))


def tornado_caption(evidence: BacktestEvidence) -> str:
    """The caption of the sensitivity (tornado) figure."""
    if evidence.classifier is not None:
        return "Change of the mean score when each feature moves up (red) or down (blue) by its first step."
    return "Change of the mean PD, in percentage points, when each feature moves up (red) or down (blue) by its first step."


def var_label(evidence: BacktestEvidence, column: str) -> str:
    """A VaR column as the report names it (its label, else ``VaR at 99%``)."""
    return wording.measure_label(evidence.names, column, "VaR", evidence.var["levels"][column]["coverage"])


def tornado_data(evidence: BacktestEvidence) -> dict[str, Any]:
    """The arguments of :func:`mrmkit.present.plots.tornado` for the sensitivity table's first step."""
    t = evidence.sensitivity_table
    first_step = t["step"].iloc[0]
    quantity = "mean score" if evidence.classifier is not None else "mean PD"
    table = t[t["step"] == first_step]
    table = table.assign(feature=table["feature"].map(lambda v: evidence.names.label(str(v))))
    return {"table": table, "up": "change_up", "down": "change_down", "quantity": quantity}


def settings_frame(evidence: BacktestEvidence) -> Any:
    """The workbook's conventions keyed by plain words (the keys are in the evidence's ``backtest.settings``)."""
    return wording.settings_frame(
        evidence.settings, "Settings and conventions of the backtest and stress-test workbook."
    )
