"""The champion-challenger decision: the pre-registered rules of ``champion_challenger.rules`` applied.

A decision is a recommendation about a change, not a finding on the model under validation: it never sets
the model's rating. Each rule has one of four outcomes: ``pass``, ``fail``, ``inconclusive`` (its data is
there but too few to judge, below ``policy.min_sample`` or ``fairness.min_group_size``) and ``not
applicable`` (its data is absent by design: no outcome column, no protected attribute). The decision rests
on the rules that applied: any failed rule gives DO NOT PROMOTE, else any inconclusive rule INCONCLUSIVE,
else, when no performance rule passed, INCONCLUSIVE (a promotion never rests on no evidence of
performance), else PROMOTE. Nothing here reads data or computes a statistic.
"""

from __future__ import annotations

from typing import Any

from mrmkit.policy import NOT_ENOUGH_DATA, not_enough_data
from mrmkit.text import numbers
from mrmkit.text.labels import Dictionary
from mrmkit.workbooks.champion_challenger.words import limit_pp, plain, pp, pp_interval

__all__ = [
    "NOT_APPLICABLE",
    "OUTCOMES",
    "DECISION_RULE",
    "decide",
    "metric",
    "interval_decision",
    "gain_decision",
]

NOT_APPLICABLE = "not applicable"
OUTCOMES = ("pass", "fail", "inconclusive", NOT_APPLICABLE)
PERFORMANCE, FAIRNESS = "performance", "fairness"
DECISION_RULE = (
    "any failed rule: DO NOT PROMOTE; else any inconclusive rule: INCONCLUSIVE; else, when no performance rule "
    "passed: INCONCLUSIVE; else PROMOTE (rules not applicable are left out)"
)


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


def gain_decision(gain: float, p: float, upper: float, min_gain: float, max_p: float) -> str:
    """A rule "the challenger is better by more than ``min_gain``": pass when the gain exceeds it with one-sided
    p below ``max_p``; fail when there is no gain or the interval's upper end is below ``min_gain``."""
    if gain > min_gain and p < max_p:
        return "pass"
    if gain <= 0 or upper < min_gain:
        return "fail"
    return "inconclusive"


def _rule(name: str, outcome: str, evidence: str, family: str = PERFORMANCE) -> dict[str, str]:
    return {"rule": name, "outcome": outcome, "evidence": evidence, "family": family}


# ------------------------------------------------------------------------------------------ performance


def _performance_names(rules_cfg: Any, alerting: bool) -> list[str]:
    """The kind's performance rules, named the same whether or not their data is there."""
    r = rules_cfg
    if alerting:
        return [
            f"catch rate at the same alert rate rises by more than {limit_pp(r.min_catch_rate_gain)} with one-sided "
            f"McNemar p below {r.max_p_value:g}",
            f"false-positive rate at the same alert rate rises by at most {limit_pp(r.max_false_positive_rate_increase)}",
        ]
    return [
        f"AUC gain above {r.min_auc_gain:g} with one-sided DeLong p below {r.max_p_value:g}",
        f"bad rate among the approved at the matched cut-off rises by at most {limit_pp(r.max_bad_rate_increase)}",
        f"approval rate at the policy cut-off falls by at most {limit_pp(r.max_approval_rate_decrease)}",
    ]


def _unjudged(params: Any, offline: dict[str, Any]) -> tuple[str, str] | None:
    """Why the performance rules cannot be judged, as (outcome, reason), or None when they can."""
    labelled = offline.get("labelled", {})
    if not labelled.get("applicable"):
        outcome = NOT_APPLICABLE if labelled.get("absent") else "inconclusive"
        return outcome, plain(labelled.get("reason", "no labelled mature data"))
    events = min(labelled["defaults"], labelled["n"] - labelled["defaults"])
    words = params.model_kind.vocabulary
    too_few = not_enough_data(events, params.policy.min_sample.events, f"{words.events} or non-{words.events}")
    if too_few:  # a comparison on a handful of events decides nothing either way
        return "inconclusive", f"{NOT_ENOUGH_DATA}: {too_few}"
    if params.model_kind.alerting and not offline["alerts"]["applicable"]:
        return "inconclusive", plain(offline["alerts"]["reason"])
    return None


def _alert_rules(comparison: dict[str, Any], rules_cfg: Any, level: float) -> list[dict[str, str]]:
    """A classifier's promotion rules, at the same alert rate: more events caught, not more false alarms."""
    catch, fpr = comparison["catch_rate"], comparison["false_positive_rate"]
    gain, p, upper = catch["difference"], catch["p_value"], catch["ci"][1]
    at = f"at alert rate {numbers.share(comparison['alert_rate'], 2)}"
    names = _performance_names(rules_cfg, alerting=True)
    return [
        _rule(
            names[0],
            gain_decision(gain, p, upper, rules_cfg.min_catch_rate_gain, rules_cfg.max_p_value),
            f"{at}: {numbers.share(catch['rate_a'], 2)} to {numbers.share(catch['rate_b'], 2)} (change {pp(gain)}), "
            f"exact p {_p(p)}, {level:.0%} interval {pp_interval(catch['ci'])}",
        ),
        _rule(
            names[1],
            interval_decision(fpr["ci"], rules_cfg.max_false_positive_rate_increase),
            f"{at}: {numbers.share(fpr['rate_a'], 3)} to {numbers.share(fpr['rate_b'], 3)} (change "
            f"{pp(fpr['difference'], 3)}), {level:.0%} interval {pp_interval(fpr['ci'])}",
        ),
    ]


def _pd_rules(params: Any, offline: dict[str, Any]) -> list[dict[str, str]]:
    """A PD model's promotion rules: better ranking, no worse bad rate at the same approvals, no fewer approvals."""
    r, level = params.champion_challenger.rules, params.champion_challenger.ci_level
    names = _performance_names(r, alerting=False)
    gain = offline["challenger"]["auc"]["value"] - offline["champion"]["auc"]["value"]
    p, upper = offline["delong_one_sided"]["p_value"], offline["bootstrap_auc"]["ci"][1]
    bad = metric(offline["business_matched"], "bad_rate_approved")
    appr = metric(offline["business"], "approval_rate")
    low, high = appr["ci_difference"]
    return [
        _rule(
            names[0],
            gain_decision(gain, p, upper, r.min_auc_gain, r.max_p_value),
            f"gain {gain:+.4f}, p {_p(p)}, bootstrap {level:.0%} interval of the gain up to {upper:+.4f}",
        ),
        _rule(
            names[1],
            interval_decision(bad["ci_difference"], r.max_bad_rate_increase),
            f"change {pp(bad['difference'])}, bootstrap {level:.0%} interval {pp_interval(bad['ci_difference'])}",
        ),
        _rule(
            names[2],
            interval_decision((-high, -low), r.max_approval_rate_decrease),
            f"change {pp(appr['difference'])}, bootstrap {level:.0%} interval {pp_interval(appr['ci_difference'])}",
        ),
    ]


def _p(p: Any) -> str:
    """``= 0.29`` or ``< 0.0001``: a p-value after its name."""
    text = numbers.p_value(p)
    return text if text.startswith("<") else f"= {text}"


def performance_rules(params: Any, offline: dict[str, Any]) -> list[dict[str, str]]:
    """Every performance rule of the kind, judged, inconclusive or not applicable, with the reason."""
    unjudged = _unjudged(params, offline)
    if unjudged is not None:
        return [
            _rule(name, unjudged[0], unjudged[1])
            for name in _performance_names(params.champion_challenger.rules, params.model_kind.alerting)
        ]
    if params.model_kind.alerting:
        return _alert_rules(offline["alerts"], params.champion_challenger.rules, params.champion_challenger.ci_level)
    return _pd_rules(params, offline)


# ------------------------------------------------------------------------------------------ fairness

FAIRNESS_RULE = "no new four-fifths flag"


def _judged_groups(impact: dict[str, Any], reference: Any) -> list[str]:
    """The groups the four-fifths rule could judge: large enough, against a large enough reference group with
    approvals (an undefined ratio judges nothing)."""
    groups = [str(g) for g in impact["groups"]]
    ref = groups.index(str(reference))
    if impact["too_small"][ref] or impact["impact_ratio"][ref] is None:
        return []
    return [g for i, g in enumerate(groups) if i != ref and not impact["too_small"][i]]


def fairness_rule(params: Any, fairness: dict[str, Any]) -> list[dict[str, str]]:
    """The rule that the challenger adds no four-fifths flag; not applicable without protected attributes,
    inconclusive for an attribute whose every group (or whose reference group) is too small to judge."""
    if not params.champion_challenger.rules.no_fairness_flag:
        return []
    if not fairness.get("applicable"):
        reason = fairness.get("reason", "no protected attribute (data.protected)")
        return [_rule(FAIRNESS_RULE, NOT_APPLICABLE, plain(reason), FAIRNESS)]
    names = Dictionary.from_params(params)
    attributes = [a for a in params.data.protected if a in fairness]
    new = {a: fairness[a]["new_flags"] for a in attributes if fairness[a]["new_flags"]}
    if new:
        flagged = "; ".join(f"{names.label(a)} {', '.join(map(str, groups))}" for a, groups in new.items())
        return [_rule(FAIRNESS_RULE, "fail", f"new flags: {flagged}", FAIRNESS)]
    minimum = params.champion_challenger.fairness.min_group_size
    unjudged = [
        a
        for a in attributes
        if not _judged_groups(fairness[a]["challenger"]["adverse_impact"], fairness[a]["reference_group"])
    ]
    if unjudged:
        return [
            _rule(
                FAIRNESS_RULE,
                "inconclusive",
                f"{NOT_ENOUGH_DATA}: no group of {', '.join(names.label(a) for a in unjudged)} could be compared "
                f"with its reference group (groups of fewer than {minimum} {params.model_kind.vocabulary.units} "
                "are not judged)",
                FAIRNESS,
            )
        ]
    judged = {
        a: _judged_groups(fairness[a]["challenger"]["adverse_impact"], fairness[a]["reference_group"])
        for a in attributes
    }
    shown = "; ".join(
        f"{names.label(a)}: {len(g)} {'group' if len(g) == 1 else 'groups'} judged" for a, g in judged.items()
    )
    return [_rule(FAIRNESS_RULE, "pass", f"none ({shown})", FAIRNESS)]


# ------------------------------------------------------------------------------------------ decision


def _recommend(rules: list[dict[str, str]]) -> tuple[str, str]:
    """The recommendation from the rules that applied, and the reason for it in one sentence."""

    def named(outcome: str) -> str:
        return "; ".join(r["rule"] for r in rules if r["outcome"] == outcome)

    outcomes = [r["outcome"] for r in rules]
    left_out = f" Not applicable: {named(NOT_APPLICABLE)}." if NOT_APPLICABLE in outcomes else ""
    if "fail" in outcomes:
        return "DO NOT PROMOTE", f"Failed: {named('fail')}.{left_out}"
    if "inconclusive" in outcomes:
        return "INCONCLUSIVE", f"Inconclusive: {named('inconclusive')}.{left_out}"
    if not any(r["outcome"] == "pass" and r["family"] == PERFORMANCE for r in rules):
        return (
            "INCONCLUSIVE",
            f"No performance rule applied, so nothing shows the challenger performs better.{left_out}",
        )
    return "PROMOTE", f"Every rule that applied passed ({outcomes.count('pass')}).{left_out}"


def decide(
    params: Any, offline: dict[str, Any], fairness: dict[str, Any], concerns: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The recommendation by the pre-registered rules of ``champion_challenger.rules``, each rule's outcome, the
    reason for the recommendation and the ``concerns`` about the change beside it (counted in the reason: they
    do not change the rules' outcome, but a committee reads them with it)."""
    rules = performance_rules(params, offline) + fairness_rule(params, fairness)
    recommendation, reason = _recommend(rules)
    concerns = list(concerns or [])
    counts = {s: sum(c["severity"] == s for c in concerns) for s in ("red", "amber")}
    if concerns:
        reason += f" Concerns about the change to weigh with it: {counts['red']} red, {counts['amber']} amber."
    return {"recommendation": recommendation, "reason": reason, "rules": rules, "concerns": concerns}
