"""The champion-challenger workbook's findings and concerns: evidence and the policy's thresholds in, prose out.

Every ``finding(...)`` of the workbook is made here, sorted by what it is about. A **finding** is about the
model under validation, the champion (its own four-fifths flags, its latency in the shadow log), and counts
in the model's rating. A **concern** is about the proposed change (what the challenger adds, the shadow and
A/B comparisons, the pairing of the two models' scores): finding-shaped, it is evidence of the decision
(``champion_challenger.decision.concerns``) and never sets the model's rating. Nothing here reads data or
computes a statistic; the decision rules are applied in :mod:`.decision`.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from mrmkit.policy import NOT_ENOUGH_DATA, finding, p_value_finding
from mrmkit.text import numbers
from mrmkit.text.labels import Dictionary

__all__ = [
    "WORKBOOK",
    "offline_concerns",
    "shadow_findings",
    "shadow_concerns",
    "ab_concerns",
    "fairness_findings",
    "fairness_concerns",
]

WORKBOOK = "champion_challenger"


# ------------------------------------------------------------------------------------------ offline


def offline_concerns(offline: dict[str, Any]) -> list[dict[str, Any]]:
    """Applications the challenger did not score, and duplicated ids, in the paired comparison: concerns about
    the comparison's evidence, not about the champion."""
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
    """The champion's latency above the policy's p99 limit: the model under validation, in production."""
    if result is None or "champion" not in result["latency_ms"]:
        return []
    return _latency(result, weekly, policy, "champion")


def shadow_concerns(result: dict[str, Any] | None, weekly: pd.DataFrame | None, policy: Any) -> list[dict[str, Any]]:
    """Shadow coverage and decision agreement below the policy's minimum, the challenger's latency above its
    p99 limit: about the change."""
    if result is None:
        return []
    out = []
    checks = [
        ("coverage", result["coverage"], policy.shadow_coverage, "Shadow coverage"),
        ("decision_agreement", result["decision_agreement"], policy.shadow_agreement, "Shadow decision agreement"),
    ]
    too_few = result.get("not_judged")  # fewer shadow applications than policy.min_sample.rows
    for key, value, limit, label in checks:
        if value is not None and value < limit and not too_few:
            out.append(
                finding(
                    WORKBOOK,
                    "amber",
                    f"{label} {numbers.share(value, 2)} is below the policy's minimum of {numbers.share(limit, 2)}",
                    "Over the whole shadow period.",
                    metric=f"champion_challenger.shadow.{key}",
                    value=value,
                    threshold=f"{label.lower()} of at least {numbers.share(limit, 2)}",
                    worse="lower",
                )
            )
    if "challenger" in result["latency_ms"]:
        out += _latency(result, weekly, policy, "challenger")
    return out


def _latency(result: dict[str, Any], weekly: pd.DataFrame, policy: Any, model: str) -> list[dict[str, Any]]:
    """One model's p99 latency above the policy's limit, over the whole period or in a judged week."""
    lat = result["latency_ms"][model]
    too_few = result.get("not_judged")
    judged_weeks = [w for w in weekly.index if w not in result["weeks_not_judged"]]
    breach = [w for w in judged_weeks if weekly.at[w, f"{model}_p99_ms"] > policy.latency_p99_ms]
    overall = lat["p99"] > policy.latency_p99_ms and not too_few
    if not (overall or breach):
        return []
    # name the part that breached and show its value: a headline p99 within the policy beside a breach
    # in one week would read as a contradiction
    weeks = ", ".join(f"{w} ({weekly.at[w, f'{model}_p99_ms']:.0f} ms)" for w in breach)
    if overall:
        title = f"{model.capitalize()} latency breaches the policy: p99 {lat['p99']:.0f} ms over the whole period"
    else:
        title = (
            f"{model.capitalize()} latency breaches the policy in {len(breach)} of {len(judged_weeks)} weeks "
            f"(worst p99 {max(weekly.loc[breach, f'{model}_p99_ms']):.0f} ms)"
        )
    return [
        finding(
            WORKBOOK,
            "amber",
            title,
            f"p99 {lat['p99']:.0f} ms over the whole period; weeks with p99 above "
            f"{policy.latency_p99_ms:g} ms: {weeks or 'none'}.",
            metric=f"champion_challenger.shadow.latency_ms.{model}.p99",
            value=lat["p99"],
            threshold=f"99th percentile latency at most {policy.latency_p99_ms:g} ms, overall and in every week",
        )
    ]


# ------------------------------------------------------------------------------------------ A/B


def ab_concerns(
    result: dict[str, Any] | None, a: Any, policy: Any, names: Dictionary | None = None
) -> list[dict[str, Any]]:
    """An A/B test short of its planned size, a sample ratio mismatch, and guardrails worse in the challenger arm:
    the experiment on the change, not the champion (``names``: the data dictionary naming the guardrail columns)."""
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
                f"Arms of {counts[0]:,} and {counts[1]:,} against a planned {1 - a.challenger_share:.0%}/"
                f"{a.challenger_share:.0%} split; p {_p(srm['p_value'])}.",
            ),
            "champion_challenger.ab.sample_ratio_mismatch.p_value",
        )
    )
    if f:
        out.append(f)
    return out + _guardrail_concerns(result["guardrails"], a, policy, names or Dictionary())


def _p(p: Any) -> str:
    """``= 0.29`` or ``< 0.0001``: a p-value after its name."""
    text = numbers.p_value(p)
    return text if text.startswith("<") else f"= {text}"


def _guardrail_concerns(guardrails: dict[str, Any], a: Any, policy: Any, names: Dictionary) -> list[dict[str, Any]]:
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
                f"Guardrail {names.label(c)} is worse in the challenger arm",
                f"Mean {_mean(e['mean_challenger'])} against {_mean(e['mean_champion'])} "
                f"({e['test']}); p {_p(e['p_value'])}.",
            ),
            f"champion_challenger.ab.guardrails.{column}.p_value",
        )
        if f is not None:
            out.append(f)
    return out


def _mean(value: Any) -> str:
    """A guardrail's mean at 3 significant digits, with thousands separators and without an exponent."""
    if not value:
        return "0"
    return numbers.fixed(value, max(0, 2 - int(math.floor(math.log10(abs(value))))))


# ------------------------------------------------------------------------------------------ fairness


def fairness_findings(fairness: dict[str, Any], params: Any) -> list[dict[str, Any]]:
    """Per protected attribute, the champion's own four-fifths flags: findings on the model under validation."""
    out = []
    if not fairness.get("applicable"):
        return out
    names = Dictionary.from_params(params)
    for attribute in params.data.protected:
        entry = fairness[attribute]
        impact = entry["champion"]["adverse_impact"]
        out += _champion_flags(impact, attribute, entry["reference_group"], params.policy.p_value, names)
    return out


def fairness_concerns(fairness: dict[str, Any], params: Any) -> list[dict[str, Any]]:
    """Per protected attribute, the four-fifths flags the challenger adds: concerns about the change."""
    out = []
    if not fairness.get("applicable"):
        return out
    names = Dictionary.from_params(params)
    for attribute in params.data.protected:
        entry = fairness[attribute]
        label = names.label(attribute)
        for g in entry["new_flags"]:
            out.append(
                finding(
                    WORKBOOK,
                    "red",
                    f"Challenger fails the four-fifths rule for {label} {g}",
                    "The champion does not; the challenger's adverse impact ratio is below 0.8 against "
                    f"{label} {entry['reference_group']}.",
                    metric=f"champion_challenger.fairness.{attribute}.new_flags",
                    threshold="adverse impact ratio below 0.8 (EEOC four-fifths rule)",
                )
            )
    return out


def _champion_flags(
    impact: dict[str, Any], attribute: str, reference: Any, thresholds: Any, names: Dictionary | None = None
) -> list[dict[str, Any]]:
    """Every four-fifths flag of the model under validation is a finding of its own.

    Whether the challenger adds a flag is a separate decision rule; an adverse impact the champion already
    has must not hide in a detail table. Red when the approval rates also differ significantly (Fisher's
    exact p below ``policy.p_value.amber``), else amber: a ratio below 0.8 that chance could explain.
    ``names``: the data dictionary that names the attribute (default: its name in words).
    """
    names = names if names is not None else Dictionary()
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
                f"The champion fails the four-fifths rule for {names.label(attribute)} {g}",
                f"Adverse impact ratio {impact['impact_ratio'][i]:.2f} against {names.label(attribute)} {reference} "
                f"({impact['n'][i]:,} applications in the group); Fisher's exact p {_p(p)}"
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
