"""The champion-challenger workbook's findings and decision: evidence and the policy's thresholds in, prose out.

Every ``finding(...)`` of the workbook is made here, and the pre-registered decision rules of
``champion_challenger.rules`` are applied here; nothing here reads data or computes a statistic.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from mrmkit.policy import NOT_ENOUGH_DATA, finding, not_enough_data, p_value_finding
from mrmkit.workbooks.champion_challenger.tables import _interval

__all__ = [
    "WORKBOOK",
    "offline_findings",
    "shadow_findings",
    "ab_findings",
    "fairness_findings",
    "decide",
    "recommendation_finding",
    "metric",
    "interval_decision",
    "gain_decision",
]

WORKBOOK = "champion_challenger"


# ------------------------------------------------------------------------------------------ offline


def offline_findings(offline: dict[str, Any]) -> list[dict[str, Any]]:
    """Applications the challenger did not score, and duplicated ids, in the paired comparison."""
    coverage = offline["matching"]
    out_findings = []
    if coverage["challenger_missing"]:
        out_findings.append(
            finding(
                WORKBOOK,
                "amber",
                f"{coverage['challenger_missing']} applications have no challenger score",
                "They are left out of every paired comparison.",
                metric="champion_challenger.matching.challenger_missing",
                value=coverage["challenger_missing"],
                threshold="any unscored application is amber",
            )
        )
    if coverage["duplicated_ids"]:
        out_findings.append(
            finding(
                WORKBOOK,
                "amber",
                f"{coverage['duplicated_ids']} duplicated application ids",
                "Duplicated ids are kept as separate rows in the comparison.",
                metric="champion_challenger.matching.duplicated_ids",
                value=coverage["duplicated_ids"],
                threshold="any duplicated id is amber",
            )
        )
    return out_findings


# ------------------------------------------------------------------------------------------ shadow


def shadow_findings(result: dict[str, Any] | None, weekly: pd.DataFrame | None, policy: Any) -> list[dict[str, Any]]:
    """Shadow coverage and decision agreement below the policy's minimum, latency above its p99 limit."""
    if result is None:
        return []
    out = []
    checks = [
        ("coverage", result["coverage"], policy.shadow_coverage, "at least", "Shadow coverage"),
        (
            "decision_agreement",
            result["decision_agreement"],
            policy.shadow_agreement,
            "at least",
            "Shadow decision agreement",
        ),
    ]
    too_few = result.get("not_judged")  # fewer shadow applications than policy.min_sample.rows
    for key, value, limit, _, label in checks:
        if value is not None and value < limit and not too_few:
            out.append(
                finding(
                    WORKBOOK,
                    "amber",
                    f"{label} {value:.2%} is below the policy's minimum of {limit:.2%}",
                    "Over the whole shadow period.",
                    metric=f"champion_challenger.shadow.{key}",
                    value=value,
                    threshold=f"{label.lower()} of at least {limit:.0%}",
                    worse="lower",
                )
            )
    judged_weeks = [w for w in weekly.index if w not in result["weeks_not_judged"]]
    for model, lat in result["latency_ms"].items():
        breach = [w for w in judged_weeks if weekly.at[w, f"{model}_p99_ms"] > policy.latency_p99_ms]
        overall = lat["p99"] > policy.latency_p99_ms and not too_few
        if overall or breach:
            # name the part that breached and show its value: a headline p99 within the policy beside a breach
            # in one week would read as a contradiction
            weeks = ", ".join(f"{w} ({weekly.at[w, f'{model}_p99_ms']:.0f} ms)" for w in breach)
            if overall:
                title = (
                    f"{model.capitalize()} latency breaches the policy: p99 {lat['p99']:.0f} ms over the whole period"
                )
            else:
                title = (
                    f"{model.capitalize()} latency breaches the policy in {len(breach)} of {len(judged_weeks)} weeks "
                    f"(worst p99 {max(weekly.loc[breach, f'{model}_p99_ms']):.0f} ms)"
                )
            out.append(
                finding(
                    WORKBOOK,
                    "amber",
                    title,
                    f"p99 {lat['p99']:.0f} ms over the whole period; weeks with p99 above "
                    f"{policy.latency_p99_ms:g} ms: {weeks or 'none'}.",
                    metric=f"champion_challenger.shadow.latency_ms.{model}.p99",
                    value=lat["p99"],
                    threshold=f"99th percentile latency at most {policy.latency_p99_ms:g} ms, overall and "
                    "in every week",
                )
            )
    return out


# ------------------------------------------------------------------------------------------ A/B


def ab_findings(result: dict[str, Any] | None, a: Any, policy: Any) -> list[dict[str, Any]]:
    """An A/B test short of its planned size, a sample ratio mismatch, and guardrails worse in the challenger arm."""
    if result is None:
        return []
    arms = result["arms"]
    counts = [arms["champion"]["n"], arms["challenger"]["n"]]
    out = []
    if "design" in result:
        need = (result["design"]["n1"], result["design"]["n2"])
        have = (arms["champion"]["n"], arms["challenger"]["n"])
        if have[0] < need[0] or have[1] < need[1]:
            out.append(
                finding(
                    WORKBOOK,
                    "amber",
                    "The A/B test has not reached its planned size",
                    f"{have[0]:,} champion and {have[1]:,} challenger applications against {need[0]:,} and {need[1]:,} "
                    f"needed to detect {a.design.baseline_rate:.2%} against {a.design.target_rate:.2%} with power "
                    f"{a.design.power:.0%}: a difference in the primary metric may go undetected.",
                    metric="champion_challenger.ab.design",
                    threshold="the planned sample size per arm",
                )
            )
    srm = result["sample_ratio_mismatch"]
    f = (
        None
        if srm.get("status") == NOT_ENOUGH_DATA
        else p_value_finding(
            WORKBOOK,
            srm["p_value"],
            policy.p_value,
            lambda: (
                "A/B sample ratio mismatch",
                f"Arms of {counts[0]} and {counts[1]} against a planned {1 - a.challenger_share:.0%}/{a.challenger_share:.0%} split; p = {srm['p_value']:.3g}.",
            ),
            "champion_challenger.ab.sample_ratio_mismatch.p_value",
        )
    )
    if f:
        out.append(f)
    return out + _guardrail_findings(result["guardrails"], a, policy)


def _guardrail_findings(guardrails: dict[str, Any], a: Any, policy: Any) -> list[dict[str, Any]]:
    out = []
    for column in a.guardrails:
        entry = guardrails[column]
        if entry.get("status") == NOT_ENOUGH_DATA:  # too few values in an arm: not tested
            continue
        f = p_value_finding(
            WORKBOOK,
            entry["p_value"],
            policy.p_value,
            lambda c=column, e=entry: (
                f"Guardrail {c} is worse in the challenger arm",
                f"Mean {e['mean_challenger']:.4g} against {e['mean_champion']:.4g} "
                f"({e['test']}); p = {e['p_value']:.3g}.",
            ),
            f"champion_challenger.ab.guardrails.{column}.p_value",
        )
        if f is not None:
            out.append(f)
    return out


# ------------------------------------------------------------------------------------------ fairness


def fairness_findings(fairness: dict[str, Any], params: Any) -> list[dict[str, Any]]:
    """Per protected attribute: the champion's own four-fifths flags, then the flags the challenger adds."""
    out = []
    if not params.data.protected:
        return out
    for attribute in params.data.protected:
        entry = fairness[attribute]
        reference = entry["reference_group"]
        out += _champion_flags(entry["champion"]["adverse_impact"], attribute, reference, params.policy.p_value)
        for g in entry["new_flags"]:
            out.append(
                finding(
                    WORKBOOK,
                    "red",
                    f"Challenger fails the four-fifths rule for {attribute} = {g}",
                    "The champion does not; the challenger's adverse impact ratio is below 0.8 against "
                    f"{attribute} = {reference}.",
                    metric=f"champion_challenger.fairness.{attribute}.new_flags",
                    threshold="adverse impact ratio below 0.8 (EEOC four-fifths rule)",
                )
            )
    return out


def _champion_flags(impact: dict[str, Any], attribute: str, reference: Any, thresholds: Any) -> list[dict[str, Any]]:
    """Every four-fifths flag of the model under validation is a finding of its own.

    Whether the challenger adds a flag is a separate decision rule; an adverse impact the champion already
    has must not hide in a detail table. Red when the approval rates also differ significantly (Fisher's
    exact p below ``policy.p_value.amber``), else amber: a ratio below 0.8 that chance could explain.
    """
    out = []
    for i, g in enumerate(impact["groups"]):
        if not impact["four_fifths_flag"][i] or impact["too_small"][i]:
            continue
        p = impact["p_value"][i]
        significant = p is not None and p < thresholds.amber
        out.append(
            finding(
                WORKBOOK,
                "red" if significant else "amber",
                f"The champion fails the four-fifths rule for {attribute} = {g}",
                f"Adverse impact ratio {impact['impact_ratio'][i]:.2f} against {attribute} = {reference} "
                f"({impact['n'][i]:,} applications in the group); Fisher's exact p = {p:.3g}"
                + ("" if significant else ", so the difference could be chance")
                + ".",
                metric=f"champion_challenger.fairness.{attribute}.champion.adverse_impact.impact_ratio",
                value=float(impact["impact_ratio"][i]),
                threshold="adverse impact ratio below 0.8 (EEOC four-fifths rule); red when Fisher's p is below "
                f"{thresholds.amber:g}",
                worse="lower",
            )
        )
    return out


# ------------------------------------------------------------------------------------------ decision


def metric(result: dict[str, Any], name: str) -> dict[str, Any]:
    """One metric's comparison from a ``bootstrap_metric_difference`` result (difference = challenger - champion)."""
    return next(m for m in result["metrics"] if m["metric"] == name)


def interval_decision(interval: Any, limit: float) -> str:
    """A rule "the change is at most ``limit``" judged on the change's confidence interval.

    ``pass`` when the whole interval is at or below the limit, ``fail`` when the whole interval is above
    it, ``inconclusive`` when it straddles the limit: a point estimate alone fails an equal challenger
    half the time (measured in ``benchmarks/alarm_rates.py``).
    """
    low, high = (float(v) for v in interval)
    if high <= limit:
        return "pass"
    if low > limit:
        return "fail"
    return "inconclusive"


def _rule(name: str, outcome: str, evidence: str) -> dict[str, str]:
    return {"rule": name, "outcome": outcome, "evidence": evidence}


def gain_decision(gain: float, p: float, upper: float, min_gain: float, max_p: float) -> str:
    """A rule "the challenger is better by more than ``min_gain``": pass when the gain exceeds it with one-sided
    p below ``max_p``; fail when there is no gain or the interval's upper end is below ``min_gain``."""
    if gain > min_gain and p < max_p:
        return "pass"
    if gain <= 0 or upper < min_gain:
        return "fail"
    return "inconclusive"


def _alert_rules(comparison: dict[str, Any], rules_cfg: Any, level: float) -> list[dict[str, str]]:
    """A classifier's promotion rules, at the same alert rate: more fraud caught, not more false alarms."""
    catch, fpr = comparison["catch_rate"], comparison["false_positive_rate"]
    gain, p, upper = catch["difference"], catch["p_value"], catch["ci"][1]
    outcome = gain_decision(gain, p, upper, rules_cfg.min_catch_rate_gain, rules_cfg.max_p_value)
    at = f"at the same alert rate ({comparison['alert_rate']:.2%})"
    return [
        _rule(
            f"catch rate {at} rises by more than {rules_cfg.min_catch_rate_gain:g} with one-sided McNemar p below "
            f"{rules_cfg.max_p_value:g}",
            outcome,
            f"{catch['rate_a']:.2%} to {catch['rate_b']:.2%} (change {gain:+.4f}), exact p = {p:.3g}, "
            f"{level:.0%} interval {_interval(catch['ci'])}",
        ),
        _rule(
            f"false-positive rate {at} rises at most {rules_cfg.max_false_positive_rate_increase:g}",
            interval_decision(fpr["ci"], rules_cfg.max_false_positive_rate_increase),
            f"{fpr['rate_a']:.3%} to {fpr['rate_b']:.3%} (change {fpr['difference']:+.5f}), {level:.0%} interval "
            f"{_interval(fpr['ci'])}",
        ),
    ]


def decide(params: Any, offline: dict[str, Any], fairness: dict[str, Any]) -> dict[str, Any]:
    """The recommendation by the pre-registered rules of ``champion_challenger.rules``, and each rule's outcome."""
    rules_cfg = params.champion_challenger.rules
    rules = []
    labelled = offline.get("labelled", {})
    events = min(labelled.get("defaults", 0), labelled.get("n", 0) - labelled.get("defaults", 0))
    too_few = not_enough_data(events, params.policy.min_sample.events, "defaults or non-defaults")
    if not labelled.get("applicable"):
        rules.append(_rule("AUC gain", "inconclusive", "no labelled mature data to compare discrimination"))
    elif too_few:  # a comparison of AUCs on a handful of defaults decides nothing either way
        rules.append(_rule("AUC gain", "inconclusive", f"{NOT_ENOUGH_DATA}: {too_few}"))
    elif params.model_kind.alerting and not offline["alerts"]["applicable"]:
        rules.append(_rule("catch rate at the same alert rate", "inconclusive", offline["alerts"]["reason"]))
    elif params.model_kind.alerting:
        rules += _alert_rules(offline["alerts"], rules_cfg, params.champion_challenger.ci_level)
    else:
        gain = offline["challenger"]["auc"]["value"] - offline["champion"]["auc"]["value"]
        p = offline["delong_one_sided"]["p_value"]
        upper = offline["bootstrap_auc"]["ci"][1]
        outcome = gain_decision(gain, p, upper, rules_cfg.min_auc_gain, rules_cfg.max_p_value)
        rules.append(
            _rule(
                f"AUC gain above {rules_cfg.min_auc_gain:g} with one-sided DeLong p below {rules_cfg.max_p_value:g}",
                outcome,
                f"gain {gain:+.4f}, p = {p:.3g}, bootstrap {params.champion_challenger.ci_level:.0%} interval of the gain up to {upper:+.4f}",
            )
        )
        level = params.champion_challenger.ci_level
        bad = metric(offline["business_matched"], "bad_rate_approved")
        rules.append(
            _rule(
                f"bad rate among approved at the matched cut-off rises at most {rules_cfg.max_bad_rate_increase:g}",
                interval_decision(bad["ci_difference"], rules_cfg.max_bad_rate_increase),
                f"change {bad['difference']:+.4f}, bootstrap {level:.0%} interval {_interval(bad['ci_difference'])}",
            )
        )
        appr = metric(offline["business"], "approval_rate")
        low, high = appr["ci_difference"]
        rules.append(
            _rule(
                f"approval rate at the policy cut-off falls at most {rules_cfg.max_approval_rate_decrease:g}",
                interval_decision((-high, -low), rules_cfg.max_approval_rate_decrease),
                f"change {appr['difference']:+.4f}, bootstrap {level:.0%} interval {_interval(appr['ci_difference'])}",
            )
        )
    if rules_cfg.no_fairness_flag:
        if not fairness.get("applicable"):
            rules.append(_rule("no new four-fifths flag", "inconclusive", fairness.get("reason", "not assessed")))
        else:
            new = {k: v["new_flags"] for k, v in fairness.items() if isinstance(v, dict) and v.get("new_flags")}
            rules.append(
                _rule("no new four-fifths flag", "fail" if new else "pass", f"new flags: {new}" if new else "none")
            )
    outcomes = [r["outcome"] for r in rules]
    decision = "DO NOT PROMOTE" if "fail" in outcomes else "INCONCLUSIVE" if "inconclusive" in outcomes else "PROMOTE"
    return {"recommendation": decision, "rules": rules}


def recommendation_finding(decision: dict[str, Any]) -> dict[str, Any]:
    """The lead finding: the recommendation, green, amber or red, with every rule's outcome and evidence."""
    severity = {"PROMOTE": "green", "INCONCLUSIVE": "amber", "DO NOT PROMOTE": "red"}[decision["recommendation"]]
    lead = finding(
        WORKBOOK,
        severity,
        f"Recommendation: {decision['recommendation']}",
        "; ".join(f"{r['rule']}: {r['outcome']} ({r['evidence']})" for r in decision["rules"]),
        metric="champion_challenger.decision.recommendation",
        threshold="pre-registered rules (champion_challenger.rules)",
    )
    return lead
