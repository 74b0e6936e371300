"""What the champion-challenger notebook displays and records: frames, text and the ``metrics.json`` entry.

From the evidence only; formatting goes through :mod:`mrmkit.workbooks.display`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mrmkit.policy import NOT_ENOUGH_DATA
from mrmkit.workbooks import display

if TYPE_CHECKING:
    from mrmkit.workbooks.champion_challenger.analysis import ChallengerEvidence

__all__ = [
    "metrics",
    "recommendation_markdown",
    "rules_frame",
    "concerns_frame",
    "findings_frame",
    "discrimination_frame",
    "business_frame",
    "swap_frame",
    "agreement_frame",
    "disagreements_frame",
    "shadow_frame",
    "ab_frame",
    "guardrails_frame",
    "alerts_frame",
    "sequential_frame",
    "fairness_frame",
    "settings_frame",
    "confusion_frame",
    "calibration_frame",
]


def metrics(evidence: ChallengerEvidence) -> dict[str, Any]:
    """The workbook's entry in ``metrics.json``."""
    return {
        "decision": evidence.decision,
        **evidence.offline,
        "shadow": evidence.shadow,
        "ab": evidence.ab,
        "fairness": evidence.fairness,
        "settings": evidence.settings,
        "findings": evidence.findings,
    }


def _interval(interval: Any) -> str:
    return f"{float(interval[0]):+.4f} to {float(interval[1]):+.4f}"


def recommendation_markdown(evidence: ChallengerEvidence) -> Any:
    """The recommendation, the count of rules by outcome and the reason: a decision about the change."""
    d = evidence.decision
    outcomes = ("pass", "fail", "inconclusive", "not applicable")
    counts = {o: sum(r["outcome"] == o for r in d["rules"]) for o in outcomes}
    return display.text(
        "### {}\n\n{} rules pass, {} fail, {} inconclusive, {} not applicable. {}\n\n"
        "A recommendation about the change, not a finding on the champion: it does not set the model's rating. {}.",
        d["recommendation"],
        counts["pass"],
        counts["fail"],
        counts["inconclusive"],
        counts["not applicable"],
        d["reason"],
        evidence.settings["decision_rule"],
    )


def rules_frame(evidence: ChallengerEvidence) -> Any:
    frame = pd.DataFrame(evidence.decision["rules"], columns=["rule", "family", "outcome", "evidence"])
    css = {
        "pass": display.STATUS_CSS["green"],
        "fail": display.STATUS_CSS["red"],
        "inconclusive": display.STATUS_CSS["amber"],
    }
    return display.styled(frame, status_columns=(), index=False).map(lambda v: css.get(v, ""), subset=["outcome"])


def concerns_frame(evidence: ChallengerEvidence) -> Any:
    """What the evidence says against the change (the challenger, the shadow and A/B comparisons), worst first."""
    concerns = evidence.decision["concerns"]
    if not concerns:
        return display.text("No concern about the change.")
    return display.findings_table(concerns)


def findings_frame(evidence: ChallengerEvidence) -> Any:
    if not evidence.findings:
        return display.text("No finding on the champion.")
    return display.findings_table(evidence.findings)


def discrimination_frame(evidence: ChallengerEvidence) -> Any:
    o = evidence.offline
    if not o.get("labelled", {}).get("applicable"):
        return display.styled(
            pd.DataFrame(
                [("labelled comparison", o.get("labelled", {}).get("reason", "n/a"))], columns=["part", "note"]
            ),
            status_columns=(),
            index=False,
        )
    rows = []
    for model in ("champion", "challenger"):
        m = o[model]
        rows.append(
            (model, m["auc"]["value"], f"{m['auc']['ci'][0]:.4f} to {m['auc']['ci'][1]:.4f}", m["gini"], m["ks"])
        )
    frame = pd.DataFrame(rows, columns=["model", "AUC", "AUC interval (DeLong)", "Gini", "KS"])
    d, d1, bs = o["delong"], o["delong_one_sided"], o["bootstrap_auc"]
    caption = (
        f"{o['n_compared']:,} mature applications scored by both. Paired DeLong: AUC difference (champion - challenger) "
        f"{d['auc_a'] - d['auc_b']:+.4f}, z = {d['z']:.3f}, two-sided p = {d['p_value']:.3g}; one-sided p (challenger better) "
        f"= {d1['p_value']:.3g}. Stratified bootstrap ({bs['n_resamples']} resamples, seed {bs['seed']}): challenger - champion "
        f"{bs['difference']:+.4f}, {bs['ci_level']:.0%} interval {bs['ci'][0]:+.4f} to {bs['ci'][1]:+.4f}."
    )
    fmt = {"AUC": display.FIXED4, "Gini": display.FIXED4, "KS": display.FIXED4}
    return display.styled(frame, fmt, status_columns=(), index=False).set_caption(caption)


#: The business metrics at a cut-off, as the report names them.
BUSINESS_LABELS = {
    "approval_rate": "approval rate",
    "bad_rate_approved": "bad rate among the approved",
    "expected_loss_approved": "expected loss of the approved",
    "observed_loss_approved": "observed loss of the approved",
}


def business_frame(evidence: ChallengerEvidence) -> Any:
    o = evidence.offline
    rows = []
    for label, key in (("policy cut-off", "business"), ("matched cut-off", "business_matched")):
        r = o[key]
        for m in r["metrics"]:
            rows.append(
                (
                    label,
                    f"{r['cutoff_a']:.4f} / {r['cutoff_b']:.4f}",
                    BUSINESS_LABELS.get(m["metric"], m["metric"]),
                    m["value_a"],
                    m["value_b"],
                    m["difference"],
                    f"{m['ci_difference'][0]:+.4g} to {m['ci_difference'][1]:+.4g}",
                )
            )
    frame = pd.DataFrame(
        rows,
        columns=[
            "cut-off",
            "champion / challenger cut-off",
            "metric",
            "champion",
            "challenger",
            "difference",
            "interval of the difference",
        ],
    )
    mc, mm = o["mcnemar_policy_cutoff"], o["mcnemar_matched_cutoff"]
    caption = (
        f"McNemar on the paired decisions: policy cut-off chi-square {mc['statistic']:.2f}, p = {mc['p_value']:.3g} "
        f"(b = {mc['b']}, c = {mc['c']}); matched cut-off chi-square {mm['statistic']:.2f}, p = {mm['p_value']:.3g}."
    )
    return display.styled(
        frame,
        {"champion": display.GENERAL, "challenger": display.GENERAL, "difference": display.GENERAL},
        status_columns=(),
        index=False,
    ).set_caption(caption)


def swap_frame(evidence: ChallengerEvidence) -> Any:
    rows = []
    for label, key in (("policy cut-off", "swap_set_policy_cutoff"), ("matched cut-off", "swap_set_matched_cutoff")):
        s = evidence.offline[key]
        rows.append(
            (
                label,
                s["swap_ins"],
                s["swap_in_bad_rate"],
                s["swap_outs"],
                s["swap_out_bad_rate"],
                s["net_approvals"],
                s["bad_rate_approved_a"],
                s["bad_rate_approved_b"],
            )
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "cut-off",
            "swap-ins",
            "swap-in bad rate",
            "swap-outs",
            "swap-out bad rate",
            "net approvals",
            "bad rate approved, champion",
            "bad rate approved, challenger",
        ],
    )
    fmt = {c: display.PERCENT for c in frame.columns if "rate" in c}
    fmt.update({c: display.INTEGER for c in ("swap-ins", "swap-outs", "net approvals")})
    return display.styled(frame, fmt, status_columns=(), index=False)


def agreement_frame(evidence: ChallengerEvidence) -> Any:
    a = evidence.offline["agreement"]
    rows = [
        ("Spearman", a["spearman"], a["spearman_p_value"]),
        ("Kendall tau-b", a["kendall_tau_b"], a["kendall_p_value"]),
        ("mean difference (challenger - champion)", a["mean_difference"], None),
        ("mean absolute difference", a["mean_absolute_difference"], None),
    ]
    rows += [
        (f"difference, {q:.0%} quantile", v, None)
        for q, v in zip(a["quantile_levels"], a["difference_quantiles"], strict=True)
    ]
    frame = pd.DataFrame(rows, columns=["measure", "value", "p"])
    return display.styled(frame, {"value": display.FIXED4, "p": display.P_VALUE}, status_columns=(), index=False)


def disagreements_frame(evidence: ChallengerEvidence) -> Any:
    frame = evidence.frames["disagreements"]
    fmt = {"champion_pd": display.PERCENT, "challenger_pd": display.PERCENT}
    caption = "Largest score disagreements, by application id" + (
        "" if evidence.settings.get("show_rows") else " (no raw rows: champion_challenger.show_rows is false)"
    )
    labels = (
        {"champion_pd": "champion score", "challenger_pd": "challenger score"}
        if "operating_point" in evidence.settings
        else None
    )
    return display.styled(frame, fmt, status_columns=(), index=False, labels=labels).set_caption(caption)


def shadow_frame(evidence: ChallengerEvidence) -> Any:
    s = evidence.shadow
    rows = [
        ("applications", f"{s['n']:,}"),
        ("coverage", f"{s['coverage']:.2%}"),
        ("decision agreement", f"{s['decision_agreement']:.2%}"),
        ("PSI, challenger against champion scores", f"{s['psi']:.4f}"),
    ]
    for model, lat in s["latency_ms"].items():
        rows.append(
            (f"{model} latency p50 / p95 / p99 (ms)", f"{lat['p50']:.1f} / {lat['p95']:.1f} / {lat['p99']:.1f}")
        )
    if s.get("not_judged"):
        rows.append(("not judged", s["not_judged"]))
    if s.get("weeks_not_judged"):
        rows.append(("weeks too small to judge latency", ", ".join(s["weeks_not_judged"])))
    return display.styled(pd.DataFrame(rows, columns=["measure", "value"]), status_columns=(), index=False)


def ab_frame(evidence: ChallengerEvidence) -> Any:
    ab = evidence.ab
    rows = []
    if "design" in ab:
        d = ab["design"]
        rows.append(("design: applications per arm (champion / challenger)", f"{d['n1']:,} / {d['n2']:,}"))
        if "expected_days" in d:
            rows.append(("design: expected duration (days)", f"{d['expected_days']:.0f}"))
    srm = ab["sample_ratio_mismatch"]
    rows.append(
        (
            "sample ratio (champion / challenger)",
            f"{srm['counts'][0]:,} / {srm['counts'][1]:,}; chi-square p = {srm['p_value']:.3g}" + _not_judged(srm),
        )
    )
    classifier = "catch_rate" in ab
    tested = (
        (
            ("alert rate", "alert_rate"),
            ("catch rate among events (primary)", "catch_rate"),
            ("false-positive rate among genuine cases", "false_positive_rate"),
        )
        if classifier
        else (("approval rate", "approval_rate"), ("bad rate among approved (primary)", "bad_rate"))
    )
    for label, key in tested:
        t = ab[key]
        if "p1" not in t:  # an arm with nothing to count (no mature outcome, no event): not tested
            rows.append((f"{label}: champion, challenger, difference", f"not tested: {t['status_reason']}"))
            continue
        rows.append(
            (
                f"{label}: champion, challenger, difference",
                f"{t['p1']:.2%}, {t['p2']:.2%}, {t['difference']:+.2%} "
                f"(interval {t['ci_newcombe'][0]:+.2%} to {t['ci_newcombe'][1]:+.2%}); z = {t['z']:.2f}, p = {t['p_value']:.3g}"
                + _not_judged(t),
            )
        )
    return display.styled(pd.DataFrame(rows, columns=["measure", "value"]), status_columns=(), index=False)


def guardrails_frame(evidence: ChallengerEvidence) -> Any:
    """Each A/B guardrail column: both arms' means, the difference and its one-sided test (higher is worse)."""
    rows = [
        {
            "guardrail": column,
            "champion mean": g["mean_champion"],
            "challenger mean": g["mean_challenger"],
            "values (champion / challenger)": f"{g['n_champion']:,} / {g['n_challenger']:,}",
            "test": g.get("test", f"not judged: {g.get('status_reason')}"),
            "p": g.get("p_value"),
        }
        for column, g in evidence.ab["guardrails"].items()
    ]
    fmt = {"champion mean": display.GENERAL, "challenger mean": display.GENERAL, "p": display.P_VALUE}
    return display.styled(pd.DataFrame(rows), fmt, status_columns=(), index=False)


def alerts_frame(evidence: ChallengerEvidence) -> Any:
    """Both classifiers at the same alert rate: what each catches, its false alarms, and their cost."""
    c = evidence.offline["alerts"]
    if not c["applicable"]:
        return display.text("Not compared: {}.", c["reason"])
    rows = []
    for model in ("champion", "challenger"):
        m = c[model]
        cost = m.get("expected_cost")
        rows.append(
            {
                "model": model,
                "threshold": m["threshold"],
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
        "alerts": display.INTEGER,
        "caught": display.INTEGER,
        "catch rate (recall)": display.PERCENT,
        "precision": display.PERCENT,
        "false-positive rate": _pct2,
        "F1": display.FIXED4,
        "lift": _two,
        "average precision": display.FIXED4,
        "expected cost per 1,000 cases": display.INTEGER,
    }
    catch, fpr, both = c["catch_rate"], c["false_positive_rate"], c["alerts_mcnemar"]
    caption = (
        f"{c['rule']}; the challenger alerts the same share ({c['alert_rate']:.2%}). Catch rate change "
        f"{catch['difference']:+.2%} ({_interval(catch['ci'])}, exact McNemar one-sided p = {catch['p_value']:.3g}); "
        f"false-positive rate change {fpr['difference']:+.3%} ({_interval(fpr['ci'])}, p = {fpr['p_value']:.3g}); "
        f"{c['both_alerted']:,} cases alerted by both; McNemar of the alerts p = {both['p_value']:.3g}."
    )
    return display.styled(pd.DataFrame(rows), fmt, status_columns=(), index=False).set_caption(caption)


def _pct2(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.2%}"


def _not_judged(entry: dict[str, Any]) -> str:
    return f" (not judged: {entry['status_reason']})" if entry.get("status") == NOT_ENOUGH_DATA else ""


def sequential_frame(evidence: ChallengerEvidence) -> Any:
    frame = pd.DataFrame(evidence.ab["sequential"]["looks"])
    frame["crossed"] = frame["crossed"].map({True: "yes", False: "no"})
    fmt = {"information": display.PERCENT, "n_outcomes": display.INTEGER, "z": _two, "boundary": _two}
    caption = "Group-sequential looks at the bad-rate difference: O'Brien-Fleming (Lan-DeMets) boundaries"
    return display.styled(frame, fmt, status_columns=(), index=False).set_caption(caption)


def _two(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:.2f}"


def fairness_frame(evidence: ChallengerEvidence, attribute: str) -> Any:
    entry = evidence.fairness[attribute]
    rows = []
    for model in ("champion", "challenger"):
        ai = entry[model]["adverse_impact"]
        eo = entry[model]["equal_opportunity"]
        for i, g in enumerate(ai["groups"]):
            rows.append(
                {
                    "model": model,
                    "group": g,
                    "n": ai["n"][i],
                    "approval rate": ai["approval_rate"][i],
                    "impact ratio": ai["impact_ratio"][i],
                    "four-fifths": "FLAG" if ai["four_fifths_flag"][i] and not ai["too_small"][i] else "",
                    "p": ai["p_value"][i],
                    "too small": "yes" if ai["too_small"][i] else "",
                    "equal-opportunity difference": eo["difference"][i] if eo else None,
                }
            )
    frame = pd.DataFrame(rows)
    if "operating_point" in evidence.settings:  # a classifier's favourable outcome is not being alerted
        frame = frame.rename(columns={"approval rate": "share not alerted"})
    fmt = {
        "n": display.INTEGER,
        "approval rate": display.PERCENT,
        "share not alerted": display.PERCENT,
        "impact ratio": display.FIXED4,
        "p": display.P_VALUE,
        "equal-opportunity difference": _signed_pct,
    }
    return display.styled(frame, fmt, status_columns=(), index=False).map(
        lambda v: display.STATUS_CSS["red"] if v == "FLAG" else "", subset=["four-fifths"]
    )


def _signed_pct(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:+.1%}"


def settings_frame(evidence: ChallengerEvidence) -> Any:
    rows = [(k, display.setting(v)) for k, v in evidence.settings.items()]
    return display.styled(pd.DataFrame(rows, columns=["setting", "value"]), status_columns=(), index=False)


def confusion_frame(evidence: ChallengerEvidence) -> Any:
    rows = [
        {"cut-off": label.replace("_", " ").replace("cutoff", "cut-off"), "model": model, **counts}
        for label, models in evidence.offline["confusion"].items()
        for model, counts in models.items()
    ]
    frame = pd.DataFrame(rows)
    labels = {
        "approved_good": "approved, good",
        "approved_bad": "approved, bad",
        "declined_good": "declined, good",
        "declined_bad": "declined, bad",
    }
    return display.styled(frame, {k: display.INTEGER for k in labels}, status_columns=(), labels=labels, index=False)


def calibration_frame(evidence: ChallengerEvidence) -> Any:
    cal = evidence.offline["calibration"]
    rows = []
    for model in ("champion", "challenger"):
        for grade, r in cal[model].items():
            rows.append(
                {
                    "grade": grade,
                    "model": model,
                    "loans": r["n"],
                    "defaults": r["defaults"],
                    "observed DR": r["observed_rate"],
                    "mean PD": r["mean_pd"],
                    "Jeffreys p": r["jeffreys_p_value"],
                    "status": r["status"],
                }
            )
    frame = pd.DataFrame(rows).sort_values(["grade", "model"], kind="stable")
    fmt = {
        "loans": display.INTEGER,
        "defaults": display.INTEGER,
        "observed DR": display.PERCENT,
        "mean PD": display.PERCENT,
        "Jeffreys p": display.P_VALUE,
    }
    return display.styled(frame, fmt, index=False).set_caption(f"Grades: {cal['grade_source']}")
