"""What the champion-challenger notebook displays and records: frames, text and the ``metrics.json`` entry.

From the evidence only; formatting goes through :mod:`mrmkit.workbooks.display`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from mrmkit.policy import NOT_ENOUGH_DATA
from mrmkit.text import numbers
from mrmkit.workbooks import display
from mrmkit.workbooks.champion_challenger import words

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
    "fairness_heading",
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


def _p(p: Any) -> str:
    """``= 0.29`` or ``< 0.0001``: a p-value after its name."""
    text = numbers.p_value(p)
    return text if text.startswith("<") else f"= {text}"


def _model(model: str) -> str:
    return str(model).capitalize()


def _units(evidence: ChallengerEvidence) -> str:
    """What the compared rows are: a classifier's cases, a credit model's applications."""
    return "cases" if "operating_point" in evidence.settings else "applications"


_P = words.cell(numbers.p_value)
_SHARE = words.cell(numbers.share)
_SHARE2 = words.cell(lambda v: numbers.share(v, 2))
_PP = words.cell(words.pp)
_FIXED2 = words.cell(lambda v: numbers.fixed(v, 2))
_FIXED3 = words.cell(lambda v: numbers.fixed(v, 3))
_FIXED4 = words.cell(lambda v: numbers.fixed(v, 4))


def recommendation_markdown(evidence: ChallengerEvidence) -> Any:
    """The recommendation, the count of rules by outcome and the reason: a decision about the change."""
    d = evidence.decision
    outcomes = ("pass", "fail", "inconclusive", "not applicable")
    counts = {o: sum(r["outcome"] == o for r in d["rules"]) for o in outcomes}
    return display.text(
        "### {}\n\nOf the decision rules, {} pass, {} fail, {} are inconclusive and {} do not apply. {}\n\n"
        "A recommendation about the change, not a finding on the champion: it does not set the model's rating. "
        "How the rules decide: {}.",
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
    caption = "The pre-registered decision rules, each with its outcome and the evidence it rests on."
    return (
        display.styled(frame, status_columns=(), index=False)
        .map(lambda v: css.get(v, ""), subset=["outcome"])
        .set_caption(caption)
    )


def concerns_frame(evidence: ChallengerEvidence) -> Any:
    """What the evidence says against the change (the challenger, the shadow and A/B comparisons), worst first."""
    concerns = evidence.decision["concerns"]
    if not concerns:
        return display.text("No concern about the change.")
    return display.findings_table(concerns).set_caption("Concerns about the change, worst first.")


def findings_frame(evidence: ChallengerEvidence) -> Any:
    if not evidence.findings:
        return display.text("No finding on the champion.")
    return display.findings_table(evidence.findings).set_caption("Findings on the champion, worst first.")


def _note(evidence: ChallengerEvidence, text: Any) -> Any:
    return display.text("Not compared: {}.", words.plain(text, evidence.names))


def discrimination_frame(evidence: ChallengerEvidence) -> Any:
    o = evidence.offline
    if not o.get("labelled", {}).get("applicable"):
        return _note(evidence, o.get("labelled", {}).get("reason", "no labelled data"))
    rows = []
    for model in ("champion", "challenger"):
        m = o[model]
        rows.append(
            (
                _model(model),
                m["auc"]["value"],
                f"{numbers.fixed(m['auc']['ci'][0], 4)} to {numbers.fixed(m['auc']['ci'][1], 4)}",
                m["gini"],
                m["ks"],
            )
        )
    frame = pd.DataFrame(rows, columns=["model", "AUC", "AUC interval (DeLong)", "Gini", "KS"])
    d, d1, bs = o["delong"], o["delong_one_sided"], o["bootstrap_auc"]
    caption = (
        f"{numbers.count(o['n_compared'])} mature {_units(evidence)} scored by both. Paired DeLong test: AUC difference "
        f"(champion - challenger) {d['auc_a'] - d['auc_b']:+.4f}, z = {d['z']:.2f}, two-sided p {_p(d['p_value'])}; "
        f"one-sided p (challenger better) {_p(d1['p_value'])}. Stratified bootstrap ({numbers.count(bs['n_resamples'])} "
        f"resamples, seed {bs['seed']}): challenger - champion {bs['difference']:+.4f}, {bs['ci_level']:.0%} "
        f"interval {bs['ci'][0]:+.4f} to {bs['ci'][1]:+.4f}."
    )
    fmt = {"AUC": _FIXED4, "Gini": _FIXED4, "KS": _FIXED4}
    return display.styled(frame, fmt, status_columns=(), index=False).set_caption(caption)


#: The business metrics at a cut-off, as the report names them.
BUSINESS_LABELS = {
    "approval_rate": "approval rate",
    "bad_rate_approved": "bad rate among the approved",
    "expected_loss_approved": "expected loss of the approved",
    "observed_loss_approved": "observed loss of the approved",
}


def _business_values(metric: str, m: dict[str, Any], currency: str | None) -> tuple[str, str, str, str]:
    """Champion, challenger, difference and its interval: rates as shares and their change in percentage points,
    losses as amounts with the currency."""
    low, high = m["ci_difference"]
    if metric.endswith("_rate") or "_rate_" in metric:
        return (
            numbers.share(m["value_a"], 2),
            numbers.share(m["value_b"], 2),
            words.pp(m["difference"]),
            words.pp_interval((low, high)),
        )

    digits = 0 if max(abs(m["value_a"]), abs(m["value_b"])) >= 1000 else 2  # small sums (no exposure): cents

    def money(v: Any, sign: bool = False) -> str:
        text = numbers.amount(abs(v) if sign else v, currency, digits)
        return f"{'-' if sign and v < 0 else '+' if sign else ''}{text}"

    return (
        money(m["value_a"]),
        money(m["value_b"]),
        money(m["difference"], True),
        (f"{money(low, True)} to {money(high, True)}"),
    )


def business_frame(evidence: ChallengerEvidence) -> Any:
    o = evidence.offline
    rows = []
    for label, key in (("policy cut-off", "business"), ("matched cut-off", "business_matched")):
        r = o[key]
        for m in r["metrics"]:
            rows.append(
                (
                    label,
                    f"{numbers.share(r['cutoff_a'], 2)} / {numbers.share(r['cutoff_b'], 2)}",
                    BUSINESS_LABELS.get(m["metric"], m["metric"].replace("_", " ")),
                    *_business_values(m["metric"], m, evidence.currency),
                )
            )
    frame = pd.DataFrame(
        rows,
        columns=[
            "cut-off",
            "champion / challenger cut-off (PD)",
            "metric",
            "champion",
            "challenger",
            "difference",
            "interval of the difference",
        ],
    )
    mc, mm = o["mcnemar_policy_cutoff"], o["mcnemar_matched_cutoff"]
    caption = (
        "Business outcome of the approved applications at the policy cut-off and at the challenger cut-off that "
        "approves as many as the champion; changes of rates in percentage points (pp), losses in "
        f"{evidence.currency or 'units of exposure'}. McNemar test of the paired decisions: policy cut-off "
        f"chi-square {mc['statistic']:.2f}, p {_p(mc['p_value'])} ({numbers.count(mc['b'])} approved only by the "
        f"champion, {numbers.count(mc['c'])} only by the challenger); matched cut-off chi-square "
        f"{mm['statistic']:.2f}, p {_p(mm['p_value'])}."
    )
    return display.styled(frame, status_columns=(), index=False).set_caption(caption)


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
    fmt = {c: _SHARE for c in frame.columns if "rate" in c}
    fmt.update({c: display.INTEGER for c in ("swap-ins", "swap-outs", "net approvals")})
    caption = (
        "Swap sets: applications only the challenger approves (swap-ins) and only the champion approves "
        "(swap-outs), with their bad rates."
    )
    return display.styled(frame, fmt, status_columns=(), index=False).set_caption(caption)


def agreement_frame(evidence: ChallengerEvidence) -> Any:
    a = evidence.offline["agreement"]
    alerting = "operating_point" in evidence.settings
    diff = _FIXED4 if alerting else _PP  # a difference of two PDs is a change of a probability: percentage points
    rows = [
        ("Spearman rank correlation", _FIXED3(a["spearman"]), _P(a["spearman_p_value"])),
        ("Kendall tau-b", _FIXED3(a["kendall_tau_b"]), _P(a["kendall_p_value"])),
        ("mean difference (challenger - champion)", diff(a["mean_difference"]), ""),
        ("mean absolute difference", diff(a["mean_absolute_difference"]).lstrip("+"), ""),
    ]
    rows += [
        (f"difference, {q:.0%} quantile", diff(v), "")
        for q, v in zip(a["quantile_levels"], a["difference_quantiles"], strict=True)
    ]
    frame = pd.DataFrame(rows, columns=["measure", "value", "p"])
    scores = "scores" if alerting else "PDs (differences in percentage points)"
    caption = f"Agreement of the two models' {scores} on the same cases."
    return display.styled(frame, status_columns=(), index=False).set_caption(caption)


def disagreements_frame(evidence: ChallengerEvidence) -> Any:
    frame = evidence.frames["disagreements"]
    fmt = {"champion_pd": _SHARE, "challenger_pd": _SHARE}
    caption = f"The {_units(evidence)} the two models disagree on most, by id" + (
        "" if evidence.settings.get("show_rows") else " (the parameter file does not allow showing their data)"
    )
    labels = {c: evidence.names.label(c) for c in frame.columns if c not in ("id", "champion_pd", "challenger_pd")}
    if "operating_point" in evidence.settings:
        labels.update({"champion_pd": "champion score", "challenger_pd": "challenger score"})
    return display.styled(frame, fmt, status_columns=(), index=False, labels=labels).set_caption(caption)


def shadow_frame(evidence: ChallengerEvidence) -> Any:
    s = evidence.shadow
    rows = [
        ("applications", numbers.count(s["n"])),
        ("coverage", numbers.share(s["coverage"], 2)),
        ("decision agreement", numbers.share(s["decision_agreement"], 2)),
        ("PSI, challenger against champion scores", numbers.fixed(s["psi"], 3)),
    ]
    for model, lat in s["latency_ms"].items():
        rows.append(
            (
                f"{model} latency, median / 95th / 99th percentile (ms)",
                f"{lat['p50']:.1f} / {lat['p95']:.1f} / {lat['p99']:.1f}",
            )
        )
    if s.get("not_judged"):
        rows.append(("not judged", s["not_judged"]))
    if s.get("weeks_not_judged"):
        rows.append(("weeks too small to judge latency", ", ".join(s["weeks_not_judged"])))
    caption = "Shadow scoring: the challenger scored beside the champion on live applications, without effect."
    return display.styled(pd.DataFrame(rows, columns=["measure", "value"]), status_columns=(), index=False).set_caption(
        caption
    )


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
            f"{srm['counts'][0]:,} / {srm['counts'][1]:,}; chi-square p {_p(srm['p_value'])}" + _not_judged(srm),
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
                f"{numbers.share(t['p1'], 2)}, {numbers.share(t['p2'], 2)}, {words.pp(t['difference'])} "
                f"(interval {words.pp_interval(t['ci_newcombe'])}); z = {t['z']:.2f}, p {_p(t['p_value'])}"
                + _not_judged(t),
            )
        )
    caption = "A/B test: the arms' sizes against the design, and each rate with its difference (Newcombe interval)."
    return display.styled(pd.DataFrame(rows, columns=["measure", "value"]), status_columns=(), index=False).set_caption(
        caption
    )


def guardrails_frame(evidence: ChallengerEvidence) -> Any:
    """Each A/B guardrail column: both arms' means, the difference and its one-sided test (higher is worse)."""
    rows = [
        {
            "guardrail": evidence.names.with_unit(column),
            "champion mean": g["mean_champion"],
            "challenger mean": g["mean_challenger"],
            "values (champion / challenger)": f"{g['n_champion']:,} / {g['n_challenger']:,}",
            "test": g.get("test", f"not judged: {g.get('status_reason')}"),
            "p": g.get("p_value"),
        }
        for column, g in evidence.ab["guardrails"].items()
    ]
    fmt = {"champion mean": display.GENERAL, "challenger mean": display.GENERAL, "p": _P}
    caption = "A/B guardrails: each one's mean in both arms, tested one-sided (higher is worse)."
    return display.styled(pd.DataFrame(rows), fmt, status_columns=(), index=False).set_caption(caption)


def alerts_frame(evidence: ChallengerEvidence) -> Any:
    """Both classifiers at the same alert rate: what each catches, its false alarms, and their cost."""
    c = evidence.offline["alerts"]
    if not c["applicable"]:
        return _note(evidence, c["reason"])
    cost_column = "expected cost per 1,000 cases"
    rows = []
    for model in ("champion", "challenger"):
        m = c[model]
        cost = m.get("expected_cost")
        rows.append(
            {
                "model": _model(model),
                "threshold": m["threshold"],
                "alerts": m["true_positives"] + m["false_positives"],
                "caught": m["true_positives"],
                "catch rate (recall)": m["recall"],
                "precision": m["precision"],
                "false-positive rate": m["false_positive_rate"],
                "F1": m["f1"],
                "lift": m["lift"],
                "average precision": m["average_precision"],
                **({cost_column: cost["per_1000"]} if cost else {}),
            }
        )
    fmt = {
        "threshold": _FIXED4,
        "alerts": display.INTEGER,
        "caught": display.INTEGER,
        "catch rate (recall)": _SHARE,
        "precision": _SHARE,
        "false-positive rate": _SHARE2,
        "F1": _FIXED3,
        "lift": _FIXED2,
        "average precision": _FIXED3,
        cost_column: display.INTEGER,
    }
    catch, fpr, both = c["catch_rate"], c["false_positive_rate"], c["alerts_mcnemar"]
    caption = (
        f"Both models alert the same share of cases ({numbers.share(c['alert_rate'], 2)}: "
        f"{words.plain(c['rule'])}). Catch rate change {words.pp(catch['difference'])} "
        f"({words.pp_interval(catch['ci'])}, exact McNemar one-sided p {_p(catch['p_value'])}); false-positive rate "
        f"change {words.pp(fpr['difference'], 3)} ({words.pp_interval(fpr['ci'])}, p {_p(fpr['p_value'])}); "
        f"{numbers.count(c['both_alerted'])} cases alerted by both; McNemar test of the alerts p {_p(both['p_value'])}."
    )
    return display.styled(pd.DataFrame(rows), fmt, status_columns=(), index=False).set_caption(caption)


def _not_judged(entry: dict[str, Any]) -> str:
    return f" (not judged: {entry['status_reason']})" if entry.get("status") == NOT_ENOUGH_DATA else ""


def sequential_frame(evidence: ChallengerEvidence) -> Any:
    frame = pd.DataFrame(evidence.ab["sequential"]["looks"])
    frame["crossed"] = frame["crossed"].map({True: "yes", False: "no"})
    fmt = {"information": _SHARE, "n_outcomes": display.INTEGER, "z": _FIXED2, "boundary": _FIXED2}
    caption = (
        "Group-sequential looks at the bad-rate difference: O'Brien-Fleming (Lan-DeMets) boundaries; "
        "information is the share of the planned outcomes observed."
    )
    return display.styled(frame, fmt, status_columns=(), index=False).set_caption(caption)


def fairness_heading(evidence: ChallengerEvidence, attribute: str) -> Any:
    return display.text(
        "**{}** (reference group: {})", evidence.names.label(attribute), evidence.fairness[attribute]["reference_group"]
    )


def fairness_frame(evidence: ChallengerEvidence, attribute: str) -> Any:
    entry = evidence.fairness[attribute]
    rows = []
    for model in ("champion", "challenger"):
        ai = entry[model]["adverse_impact"]
        eo = entry[model]["equal_opportunity"]
        for i, g in enumerate(ai["groups"]):
            rows.append(
                {
                    "model": _model(model),
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
    favourable = "approval rate"
    if "operating_point" in evidence.settings:  # a classifier's favourable outcome is not being alerted
        frame = frame.rename(columns={"approval rate": "share not alerted"})
        favourable = "share not alerted"
    fmt = {
        "n": display.INTEGER,
        "approval rate": _SHARE,
        "share not alerted": _SHARE,
        "impact ratio": _FIXED2,
        "p": _P,
        "equal-opportunity difference": words.cell(lambda v: words.pp(v, 1)),
    }
    caption = (
        f"{evidence.names.label(attribute)}: each group's {favourable} and its ratio to the reference group's "
        "(FLAG below 0.8, the four-fifths rule), Fisher's exact p, and the equal-opportunity difference in "
        "percentage points."
    )
    return (
        display.styled(frame, fmt, status_columns=(), index=False)
        .map(lambda v: display.STATUS_CSS["red"] if v == "FLAG" else "", subset=["four-fifths"])
        .set_caption(caption)
    )


def settings_frame(evidence: ChallengerEvidence) -> Any:
    rows = [
        (words.SETTING_WORDS.get(k, k.replace("_", " ")), words.setting_value(k, v, evidence.names))
        for k, v in evidence.settings.items()
    ]
    frame = pd.DataFrame(rows, columns=["setting", "value"])
    return display.styled(frame, status_columns=(), index=False).set_caption(
        "Settings and conventions of the comparison."
    )


def confusion_frame(evidence: ChallengerEvidence) -> Any:
    rows = [
        {"cut-off": label.replace("_", " ").replace("cutoff", "cut-off"), "model": _model(model), **counts}
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
    return display.styled(
        frame, {k: display.INTEGER for k in labels}, status_columns=(), labels=labels, index=False
    ).set_caption("Decisions of each model against the outcome, in applications.")


def calibration_frame(evidence: ChallengerEvidence) -> Any:
    cal = evidence.offline["calibration"]
    rows = []
    for model in ("champion", "challenger"):
        for grade, r in cal[model].items():
            rows.append(
                {
                    "grade": grade,
                    "model": _model(model),
                    "loans": r["n"],
                    "defaults": r["defaults"],
                    "observed default rate": r["observed_rate"],
                    "mean PD": r["mean_pd"],
                    "Jeffreys p": r["jeffreys_p_value"],
                    "status": r["status"],
                }
            )
    frame = pd.DataFrame(rows).sort_values(["grade", "model"], kind="stable")
    fmt = {
        "loans": display.INTEGER,
        "defaults": display.INTEGER,
        "observed default rate": _SHARE,
        "mean PD": _SHARE,
        "Jeffreys p": _P,
    }
    caption = (
        f"Observed default rate against mean PD per grade, both models; grades: {words.plain(cal['grade_source'])}."
    )
    return display.styled(frame, fmt, index=False).set_caption(caption)
