"""The champion-challenger workbook's analysis: offline comparison, shadow scoring, A/B test, fairness, decision.

Conventions (recorded in ``champion_challenger.settings``):

- both models are compared on the same applications of the current sample (rows of the same files, so
  they are matched by construction); rows without a challenger score are counted and left out;
- outcome-based comparisons use mature rows only (``backtest.as_of`` and ``backtest.maturity_months``
  when the backtest section gives them, else every row);
- decisions: approve when PD <= ``policy.cutoff``; the challenger is also judged at the cut-off that
  gives it the champion's approval rate (the matched cut-off);
- bootstrap intervals are stratified (defaulters and non-defaulters resampled separately), paired, with
  ``champion_challenger.n_bootstrap`` resamples seeded by the parameter file's ``seed``;
- the decision applies the pre-registered rules of ``champion_challenger.rules``: any failed rule gives
  DO NOT PROMOTE, else any inconclusive rule INCONCLUSIVE, else PROMOTE.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mrmkit import stats
from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.io import parse_dates, read_frame, require_columns
from mrmkit.params import CLASSIFIER_RULES, PD_RULES
from mrmkit.policy import NOT_ENOUGH_DATA, finding, not_enough_data, p_value_finding
from mrmkit.stats._base import jsonable
from mrmkit.workbooks import Context, alerts, display

__all__ = ["ChallengerEvidence", "analyse", "preflight"]

WORKBOOK = "champion_challenger"
_plain = jsonable
#: The A/B log's decision labels per model kind: the favourable decision first.
_AB_DECISIONS = {"pd": ("approve", "decline"), "classifier": ("clear", "alert")}


@dataclass(frozen=True)
class ChallengerEvidence:
    """Everything the champion-challenger workbook reports."""

    decision: dict[str, Any]
    offline: dict[str, Any]
    shadow: dict[str, Any] | None
    ab: dict[str, Any] | None
    fairness: dict[str, Any]
    findings: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)

    def metrics(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            **self.offline,
            "shadow": self.shadow,
            "ab": self.ab,
            "fairness": self.fairness,
            "settings": self.settings,
            "findings": self.findings,
        }


# ------------------------------------------------------------------------------------------ inputs


def _mature_mask(ctx: Context) -> tuple[np.ndarray, str]:
    if ctx.params.backtest is not None and ctx.params.data.time:
        from mrmkit.workbooks.backtest import window_maturity

        mask, _, rule = window_maturity(ctx)
        return mask, rule
    return np.ones(len(ctx.inputs.current), dtype=bool), "no maturity rule (backtest.as_of): every row is used"


def _read_log(section: Any, columns: list[str], field: str) -> pd.DataFrame:
    frame = read_frame(section.data, f"{field}.data")
    require_columns(frame, [c for c in columns if c], section.data, field)
    for key in ("timestamp", "date"):  # the shadow log's timestamps, the A/B log's decision dates
        column = getattr(section, key, None)
        if column and column in frame.columns:
            frame[column] = parse_dates(frame[column], section.data, f"{field}.{key}")
    return frame


def preflight(params: Any, inputs: Any) -> None:
    """Check the challenger and the logs before any notebook runs (bad input is exit code 2)."""
    cc = params.champion_challenger
    scores = inputs.challenger_score
    if np.isnan(scores).all():
        raise InvalidInput(f"challenger.score: no application of {params.data.current} has a challenger score.")
    if params.policy.cutoff is None and params.model.kind != "classifier":
        raise InvalidInput("policy.cutoff: the champion-challenger comparison needs the PD cut-off of the decision.")
    for attribute, reference in cc.fairness.reference_groups.items():
        if attribute not in params.data.protected:
            raise InvalidParameters(
                f"champion_challenger.fairness.reference_groups: {attribute!r} is not a protected attribute "
                f"(data.protected: {', '.join(params.data.protected) or 'none'})."
            )
        groups = set(inputs.current[attribute].astype("string").dropna())
        if reference not in groups:
            raise InvalidParameters(
                f"champion_challenger.fairness.reference_groups.{attribute}: group {reference!r} does not occur in "
                f"{params.data.current}; its groups are {', '.join(sorted(groups))}."
            )
    if cc.shadow is not None:
        s = cc.shadow
        _read_log(
            s,
            [s.id, s.timestamp, s.champion_score, s.challenger_score, s.champion_latency, s.challenger_latency],
            "champion_challenger.shadow",
        )
    if cc.ab is not None:
        a = cc.ab
        frame = _read_log(a, [a.id, a.arm, a.decision, a.outcome, a.date, *a.guardrails], "champion_challenger.ab")
        arms = set(frame[a.arm].dropna().astype(str))
        if not arms <= {"champion", "challenger"} or len(arms) < 2:
            raise InvalidInput(
                f"champion_challenger.ab.arm: column {a.arm!r} in {a.data} must hold 'champion' and 'challenger'; found {sorted(arms)}."
            )
        decisions = set(frame[a.decision].dropna().astype(str))
        allowed = _AB_DECISIONS[params.model.kind]
        if not decisions <= set(allowed):
            raise InvalidInput(
                f"champion_challenger.ab.decision: column {a.decision!r} in {a.data} must hold '{allowed[0]}' or "
                f"'{allowed[1]}'; found {sorted(decisions)[:5]}."
            )
        for arm in ("champion", "challenger"):
            observed = frame[a.arm] == arm  # a classifier's outcome is known for every case; a loan's once approved
            observed &= frame[a.decision] == "approve" if params.model.kind != "classifier" else True
            if frame.loc[observed, a.outcome].notna().sum() == 0:
                raise InvalidInput(
                    f"champion_challenger.ab.outcome: the {arm} arm of {a.data} has no observed outcome."
                )
        for column in a.guardrails:
            values = pd.to_numeric(frame[column], errors="coerce")
            bad = int((values.isna() & frame[column].notna()).sum() + (~np.isfinite(values.dropna())).sum())
            if bad:
                raise InvalidInput(f"champion_challenger.ab.guardrails: column {column!r} in {a.data} has {bad} "
                                   "values that are not finite numbers.")  # fmt: skip


# ------------------------------------------------------------------------------------------ offline


def _offline(
    ctx: Context, champion: np.ndarray, challenger: np.ndarray
) -> tuple[dict[str, Any], dict[str, pd.DataFrame], list[dict[str, Any]]]:
    params, inp = ctx.params, ctx.inputs
    cc, cutoff = params.champion_challenger, params.policy.cutoff
    scored = ~np.isnan(challenger)
    mature, maturity_rule = _mature_mask(ctx)
    ids = inp.current[params.data.id].to_numpy() if params.data.id else np.arange(len(champion))
    coverage = {
        "n": int(len(champion)),
        "challenger_missing": int((~scored).sum()),
        "duplicated_ids": int(pd.Series(ids).duplicated().sum()),
        "maturity": maturity_rule,
    }
    out_findings = []
    if coverage["challenger_missing"]:
        out_findings.append(finding(WORKBOOK, "amber", f"{coverage['challenger_missing']} applications have no challenger score",
                                    "They are left out of every paired comparison.", metric="champion_challenger.matching.challenger_missing",
                                    value=coverage["challenger_missing"], threshold="any unscored application is amber"))  # fmt: skip
    if coverage["duplicated_ids"]:
        out_findings.append(finding(WORKBOOK, "amber", f"{coverage['duplicated_ids']} duplicated application ids",
                                    "Duplicated ids are kept as separate rows in the comparison.",
                                    metric="champion_challenger.matching.duplicated_ids", value=coverage["duplicated_ids"],
                                    threshold="any duplicated id is amber"))  # fmt: skip
    use = scored & mature
    y = inp.current_target[use] if inp.current_target is not None else None
    a, b = champion[use], challenger[use]
    result: dict[str, Any] = {"matching": coverage, "n_compared": int(use.sum())}
    frames: dict[str, pd.DataFrame] = {}
    agreement = stats.score_agreement(champion[scored], challenger[scored])
    result["agreement"] = _plain(agreement)
    order = np.argsort(-np.abs(challenger[scored] - champion[scored]), kind="stable")[: cc.top_disagreements]
    top = pd.DataFrame(
        {"id": ids[scored][order], "champion_pd": champion[scored][order], "challenger_pd": challenger[scored][order]}
    )
    if cc.show_rows:
        top = pd.concat([top, inp.current.loc[scored].iloc[order][list(inp.features)].reset_index(drop=True)], axis=1)
    result["largest_disagreements"] = [str(i) for i in top["id"]]
    frames["disagreements"] = top
    if y is None or y.min() == y.max():
        result["labelled"] = {"applicable": False, "reason": "no target or a single class among mature rows"}
        return result, frames, out_findings
    seed = params.seed
    result["champion"] = {
        "auc": _plain(stats.auc(y, a, ci_level=cc.ci_level)),
        "gini": stats.gini(y, a).value,
        "ks": stats.ks_statistic(y, a).value,
    }
    result["challenger"] = {
        "auc": _plain(stats.auc(y, b, ci_level=cc.ci_level)),
        "gini": stats.gini(y, b).value,
        "ks": stats.ks_statistic(y, b).value,
    }
    result["delong"] = _plain(stats.delong_test(y, a, b, alternative="two-sided"))
    # delong_test's 'less' is H1: AUC_a < AUC_b, i.e. the challenger (b) discriminates better
    result["delong_one_sided"] = _plain(stats.delong_test(y, a, b, alternative="less"))
    result["bootstrap_auc"] = _plain(
        stats.bootstrap_auc_difference(y, a, b, n_resamples=cc.n_bootstrap, seed=seed, ci_level=cc.ci_level)
    )
    if params.model.kind == "classifier":
        result["alerts"] = _alert_comparison(ctx, y, a, b)
        result["labelled"] = {"applicable": True, "n": int(y.size), "defaults": int(y.sum())}
        return result, frames, out_findings
    exposure, lgd = _loss_inputs(ctx, use)
    matched = stats.matched_cutoff(a, cutoff, b)
    result["matched_cutoff"] = _plain(matched)
    cut_b = matched.cutoff_b
    result["business"] = _plain(
        stats.bootstrap_metric_difference(
            y, a, b, cutoff, cutoff, n_resamples=cc.n_bootstrap, seed=seed, ci_level=cc.ci_level
        )
    )
    result["business_matched"] = _plain(
        stats.bootstrap_metric_difference(
            y, a, b, cutoff, cut_b, n_resamples=cc.n_bootstrap, seed=seed, ci_level=cc.ci_level
        )
    )
    result["confusion"] = {
        label: {
            model: _confusion(y, scores <= cut)
            for model, scores, cut in (("champion", a, cutoff), ("challenger", b, cb))
        }
        for label, cb in (("policy_cutoff", cutoff), ("matched_cutoff", cut_b))
    }
    dec_a = (a <= cutoff).astype(int)
    for label, cut in (("policy_cutoff", cutoff), ("matched_cutoff", cut_b)):
        dec_b = (b <= cut).astype(int)
        result[f"mcnemar_{label}"] = _plain(stats.mcnemar_test(dec_a, dec_b))
        result[f"swap_set_{label}"] = _plain(stats.swap_set(y, a, cutoff, b, cut))
    result["calibration"] = _calibration(ctx, y, a, b, frames)
    result["labelled"] = {"applicable": True, "n": int(y.size), "defaults": int(y.sum())}
    return result, frames, out_findings


def _alert_comparison(ctx: Context, y: np.ndarray, a: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    """Both classifiers at the same alert rate: catch and false-positive rates (paired), alerts, cost.

    The champion is at the policy's operating point; the challenger alerts as many cases (the champion's
    achieved alert rate), so the two are compared at the volume operations can review. Catch rates are
    compared on the events, false-positive rates on the non-events, each by the exact McNemar test with
    the Agresti-Min interval of the paired difference.
    """
    policy, level = ctx.params.policy, ctx.params.champion_challenger.ci_level
    threshold_a = alerts.policy_threshold(policy, a)
    rate = float(np.mean(a >= threshold_a))
    if not 0 < rate < 1:  # policy.threshold above (or below) every champion score: nothing to compare at
        return {"rule": alerts.operating_text(policy), "applicable": False, "alert_rate": rate,
                "reason": f"the champion alerts {rate:.0%} of the compared cases at {alerts.operating_text(policy)}"}
    threshold_b = stats.operating_point(b, alert_rate=rate).threshold
    alert_a, alert_b = a >= threshold_a, b >= threshold_b
    event = y.astype(bool)
    models = {name: alerts.sample_metrics(y, scores, policy, threshold=cut)
              for name, scores, cut in (("champion", a, threshold_a), ("challenger", b, threshold_b))}  # fmt: skip
    out: dict[str, Any] = {
        "rule": alerts.operating_text(policy),
        "applicable": True,
        "alert_rate": rate,
        **models,
        "catch_rate": _plain(stats.paired_proportions(alert_a[event], alert_b[event], alternative="greater", ci_level=level)),
        "false_positive_rate": _plain(stats.paired_proportions(alert_a[~event], alert_b[~event], alternative="greater",
                                                               ci_level=level)),
        "alerts_mcnemar": _plain(stats.mcnemar_test(alert_a.astype(int), alert_b.astype(int), exact=True)),
        "both_alerted": int((alert_a & alert_b).sum()),
    }  # fmt: skip
    if policy.costs is not None:
        cost_a, cost_b = (models[m]["expected_cost"]["per_1000"] for m in ("champion", "challenger"))
        out["cost_per_1000_difference"] = cost_b - cost_a
    return out


def _confusion(y: np.ndarray, approved: np.ndarray) -> dict[str, int]:
    """Decisions against outcomes: approved or declined, good (no default) or bad."""
    bad = y.astype(bool)
    return {
        "approved_good": int((approved & ~bad).sum()),
        "approved_bad": int((approved & bad).sum()),
        "declined_good": int((~approved & ~bad).sum()),
        "declined_bad": int((~approved & bad).sum()),
    }


def _loss_inputs(ctx: Context, rows: np.ndarray) -> tuple[np.ndarray | None, Any]:
    """Exposure and LGD of the compared rows from backtest.stress when it names them (else 1 and 1)."""
    bt = ctx.params.backtest
    stress = bt.stress if bt is not None else None
    if stress is None or stress.exposure is None:
        return None, None
    exposure = pd.to_numeric(ctx.inputs.current[stress.exposure], errors="coerce").to_numpy(dtype=float)[rows]
    if isinstance(stress.lgd, str):
        lgd = pd.to_numeric(ctx.inputs.current[stress.lgd], errors="coerce").to_numpy(dtype=float)[rows]
    else:
        lgd = stress.lgd
    return exposure, lgd


def _calibration(
    ctx: Context, y: np.ndarray, a: np.ndarray, b: np.ndarray, frames: dict[str, pd.DataFrame]
) -> dict[str, Any]:
    """Both models on the champion's rating scale, with the backtest's per-grade tests."""
    from mrmkit.workbooks.backtest import grade_table

    bt = ctx.params.backtest
    if bt is not None and bt.grades is not None:
        bounds, labels = (
            bt.grades.upper_bounds,
            bt.grades.labels or [str(i + 1) for i in range(len(bt.grades.upper_bounds))],
        )
        source = "rating scale of backtest.grades"
    else:
        bounds = stats.equal_population_bounds(ctx.inputs.reference_score, bt.n_grades if bt else 10)
        labels = [str(i + 1) for i in range(len(bounds))]
        source = "equal-population grades of the champion's reference PDs"
    out = {"grade_source": source}
    for model, scores in (("champion", a), ("challenger", b)):
        grades = np.asarray(stats.grades_from_bands(scores, bounds, labels).grades)
        table = grade_table(y, scores, grades, list(labels), ctx)
        frames[f"calibration_{model}"] = table
        out[model] = {g: _plain(row.to_dict()) for g, row in table.iterrows()}
    return out


# ------------------------------------------------------------------------------------------ shadow


def _shadow(ctx: Context) -> tuple[dict[str, Any] | None, pd.DataFrame | None, list[dict[str, Any]]]:
    cc, policy = ctx.params.champion_challenger, ctx.params.policy
    if cc.shadow is None:
        return None, None, []
    s = cc.shadow
    log = _read_log(
        s,
        [s.id, s.timestamp, s.champion_score, s.challenger_score, s.champion_latency, s.challenger_latency],
        "champion_challenger.shadow",
    )
    champ = pd.to_numeric(log[s.champion_score], errors="coerce").to_numpy(dtype=float)
    chall = pd.to_numeric(log[s.challenger_score], errors="coerce").to_numpy(dtype=float)
    scored = ~np.isnan(chall)
    # each model's decision at the policy (approve at the cut-off; or not alerted at the operating point)
    same = alerts.favourable(ctx.params, champ) == alerts.favourable(ctx.params, chall)
    agree = same[scored]
    when = pd.to_datetime(log[s.timestamp], errors="coerce")
    week = when.dt.to_period("W").astype(str)
    over_time = pd.DataFrame({"week": week, "scored": scored, "agree": np.where(scored, same, np.nan)})
    weekly = over_time.groupby("week").agg(
        applications=("scored", "size"), coverage=("scored", "mean"), agreement=("agree", "mean")
    )
    latency = {}
    for model, column in (("champion", s.champion_latency), ("challenger", s.challenger_latency)):
        if column:
            values = pd.to_numeric(log[column], errors="coerce").dropna().to_numpy(dtype=float)
            latency[model] = dict(
                zip(("p50", "p95", "p99"), (float(v) for v in np.quantile(values, [0.5, 0.95, 0.99])), strict=True)
            )
            weekly[f"{model}_p99_ms"] = (
                pd.Series(pd.to_numeric(log[column], errors="coerce").to_numpy(), index=log.index)
                .groupby(week.to_numpy())
                .quantile(0.99)
            )
    result = {
        "n": int(len(log)),
        "coverage": float(scored.mean()),
        "decision_agreement": float(agree.mean()) if agree.size else None,
        "psi": stats.psi(champ, chall[scored]).value if scored.any() else None,
        "latency_ms": latency,
        "weeks": {w: _plain(r.to_dict()) for w, r in weekly.iterrows()},
    }
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
    minimum = policy.min_sample.rows
    too_few = not_enough_data(len(log), minimum, "shadow applications")
    if too_few:
        result["not_judged"] = too_few
    for key, value, limit, _, label in checks:
        if value is not None and value < limit and not too_few:
            out.append(finding(WORKBOOK, "amber", f"{label} {value:.2%} is below the policy's minimum of {limit:.2%}",
                               "Over the whole shadow period.", metric=f"champion_challenger.shadow.{key}", value=value,
                               threshold=f"{label.lower()} of at least {limit:.0%}", worse="lower"))  # fmt: skip
    # a week's 99th percentile needs enough requests to mean anything: of 5 requests it is their maximum
    judged_weeks = [w for w in weekly.index if weekly.at[w, "applications"] >= minimum]
    result["weeks_not_judged"] = [w for w in weekly.index if w not in judged_weeks]
    for model, lat in latency.items():
        breach = [w for w in judged_weeks if weekly.at[w, f"{model}_p99_ms"] > policy.latency_p99_ms]
        overall = lat["p99"] > policy.latency_p99_ms and not too_few
        if overall or breach:
            # name the part that breached and show its value: a headline p99 within the policy beside a breach
            # in one week would read as a contradiction
            weeks = ", ".join(f"{w} ({weekly.at[w, f'{model}_p99_ms']:.0f} ms)" for w in breach)
            if overall:
                title = f"{model.capitalize()} latency breaches the policy: p99 {lat['p99']:.0f} ms over the whole period"
            else:
                title = (f"{model.capitalize()} latency breaches the policy in {len(breach)} of {len(judged_weeks)} weeks "
                         f"(worst p99 {max(weekly.loc[breach, f'{model}_p99_ms']):.0f} ms)")  # fmt: skip
            out.append(finding(WORKBOOK, "amber", title,
                               f"p99 {lat['p99']:.0f} ms over the whole period; weeks with p99 above "
                               f"{policy.latency_p99_ms:g} ms: {weeks or 'none'}.",
                               metric=f"champion_challenger.shadow.latency_ms.{model}.p99", value=lat["p99"],
                               threshold=f"99th percentile latency at most {policy.latency_p99_ms:g} ms, overall and "
                               "in every week"))  # fmt: skip
    result["flags"] = [f["title"] for f in out]
    return result, weekly, out


# ------------------------------------------------------------------------------------------ A/B


def _ab(ctx: Context) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    cc = ctx.params.champion_challenger
    if cc.ab is None:
        return None, []
    a = cc.ab
    log = _read_log(a, [a.id, a.arm, a.decision, a.outcome, a.date, *a.guardrails], "champion_challenger.ab")
    arm = log[a.arm].astype(str).to_numpy()
    approved = (log[a.decision].astype(str) == _AB_DECISIONS[ctx.params.model.kind][0]).to_numpy()
    outcome = pd.to_numeric(log[a.outcome], errors="coerce").to_numpy(dtype=float)
    result: dict[str, Any] = {"maturity": "every recorded outcome is used (no backtest.as_of)"}
    bt = ctx.params.backtest
    if bt is not None and bt.as_of is not None and a.date:
        # the same rule as the backtest: a decision month is mature when its last day plus the outcome
        # window is on or before as_of; outcomes of younger loans are treated as not yet observed
        month_end = pd.to_datetime(log[a.date]).dt.to_period("M").dt.end_time.dt.normalize()
        mature = (month_end + pd.DateOffset(months=bt.maturity_months) <= pd.Timestamp(bt.as_of)).to_numpy()
        outcome = np.where(mature, outcome, np.nan)
        result["maturity"] = (
            f"outcomes of decisions in months that end less than {bt.maturity_months} months before "
            f"{bt.as_of.isoformat()} are left out ({int((~mature).sum())} decisions)"
        )
    ratio = (1 - a.challenger_share) / a.challenger_share
    if a.design is not None:
        d = a.design
        size = stats.sample_size_two_proportions(
            d.baseline_rate, d.target_rate, alpha=d.alpha, power=d.power, ratio=1 / ratio
        )
        result["design"] = _plain(size)
        if d.daily_volume:
            result["design"]["expected_days"] = float(np.ceil(size.total / d.daily_volume))
    counts = [int((arm == "champion").sum()), int((arm == "challenger").sum())]
    result["sample_ratio_mismatch"] = _plain(
        stats.sample_ratio_mismatch(counts, [1 - a.challenger_share, a.challenger_share])
    )
    policy = ctx.params.policy
    if ctx.params.model.kind == "classifier":
        alerted = (log[a.decision].astype(str) == "alert").to_numpy()
        result.update(_ab_alerts(arm, alerted, outcome, cc.ci_level))
        ch, cl = result["arms"]["champion"], result["arms"]["challenger"]
        small = {"alert_rate": not_enough_data(min(ch["n"], cl["n"]), policy.min_sample.rows, "cases in an arm"),
                 **dict.fromkeys(("catch_rate", "false_positive_rate"), not_enough_data(
                     min(ch["events"], cl["events"], ch["with_outcome"] - ch["events"], cl["with_outcome"] - cl["events"]),
                     policy.min_sample.events, "events or non-events in an arm"))}  # fmt: skip
        result["sequential"] = {"applicable": False, "reason": "group-sequential looks are planned on a credit A/B "
                                "test's bad rate (model.kind pd)"}  # fmt: skip
    else:
        arms = {}
        for name in ("champion", "challenger"):
            m = arm == name
            observed = m & approved & ~np.isnan(outcome)
            arms[name] = {
                "n": int(m.sum()),
                "approved": int((m & approved).sum()),
                "with_outcome": int(observed.sum()),
                "defaults": int(outcome[observed].sum()),
            }
        result["arms"] = arms
        ch, cl = arms["champion"], arms["challenger"]
        result["approval_rate"] = _plain(
            stats.two_proportion_test(ch["approved"], ch["n"], cl["approved"], cl["n"], ci_level=cc.ci_level)
        )
        result["bad_rate"] = _plain(
            stats.two_proportion_test(
                ch["defaults"], ch["with_outcome"], cl["defaults"], cl["with_outcome"], ci_level=cc.ci_level
            )
        )
        bounds = stats.group_sequential_bounds(a.looks, alpha=a.design.alpha if a.design else 0.05)
        result["sequential"] = {"bounds": _plain(bounds), "looks": _looks(log, a, arm, approved, outcome, bounds)}
        small = {
            "approval_rate": not_enough_data(min(ch["n"], cl["n"]), policy.min_sample.rows, "applications in an arm"),
            "bad_rate": not_enough_data(min(ch["defaults"], cl["defaults"], ch["with_outcome"] - ch["defaults"],
                                            cl["with_outcome"] - cl["defaults"]),
                                        policy.min_sample.events, "defaults or non-defaults in an arm"),
        }  # fmt: skip
    arms = result["arms"]
    small["sample_ratio_mismatch"] = not_enough_data(sum(counts), policy.min_sample.rows, "A/B applications")
    guardrails, f_guard = _guardrails(log, a, arm, ctx)
    result["guardrails"] = guardrails
    out = []
    if "design" in result:
        need = (result["design"]["n1"], result["design"]["n2"])
        have = (arms["champion"]["n"], arms["challenger"]["n"])
        if have[0] < need[0] or have[1] < need[1]:
            out.append(finding(WORKBOOK, "amber", "The A/B test has not reached its planned size",
                               f"{have[0]:,} champion and {have[1]:,} challenger applications against {need[0]:,} and {need[1]:,} "
                               f"needed to detect {a.design.baseline_rate:.2%} against {a.design.target_rate:.2%} with power "
                               f"{a.design.power:.0%}: a difference in the primary metric may go undetected.",
                               metric="champion_challenger.ab.design", threshold="the planned sample size per arm"))  # fmt: skip
    srm = result["sample_ratio_mismatch"]
    for key, reason in small.items():
        if reason:
            result[key] = {**(result[key] or {}), "status": NOT_ENOUGH_DATA, "status_reason": reason}
    f = None if small["sample_ratio_mismatch"] else p_value_finding(WORKBOOK, srm["p_value"], ctx.params.policy.p_value,
                        lambda: ("A/B sample ratio mismatch", f"Arms of {counts[0]} and {counts[1]} against a planned {1 - a.challenger_share:.0%}/{a.challenger_share:.0%} split; p = {srm['p_value']:.3g}."),
                        "champion_challenger.ab.sample_ratio_mismatch.p_value")  # fmt: skip
    if f:
        out.append(f)
    return result, out + f_guard


def _ab_alerts(arm: np.ndarray, alerted: np.ndarray, outcome: np.ndarray, level: float) -> dict[str, Any]:
    """A classifier's A/B arms: alert rate (friction), catch rate on the events, false-positive rate."""
    arms = {}
    for name in ("champion", "challenger"):
        m = arm == name
        known = m & ~np.isnan(outcome)
        event = known & (outcome == 1)
        arms[name] = {"n": int(m.sum()), "alerts": int((m & alerted).sum()), "with_outcome": int(known.sum()),
                      "events": int(event.sum()), "caught": int((event & alerted).sum()),
                      "false_alarms": int((known & ~event & alerted).sum())}  # fmt: skip
    ch, cl = arms["champion"], arms["challenger"]
    test = stats.two_proportion_test
    return {
        "arms": arms,
        "alert_rate": _plain(test(ch["alerts"], ch["n"], cl["alerts"], cl["n"], ci_level=level)),
        "catch_rate": _plain(test(ch["caught"], ch["events"], cl["caught"], cl["events"], ci_level=level)),
        "false_positive_rate": _plain(test(ch["false_alarms"], ch["with_outcome"] - ch["events"], cl["false_alarms"],
                                           cl["with_outcome"] - cl["events"], ci_level=level)),
    }  # fmt: skip


def _guardrails(log: pd.DataFrame, a: Any, arm: np.ndarray, ctx: Context) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Each guardrail column, challenger arm against champion arm; a higher value is worse (one-sided tests).

    A 0/1 column (complaints, a manual review) is compared by the two-proportion z test, any other
    numeric column (review minutes, customer contacts) by Welch's t test; missing values are left out.
    """
    from scipy import stats as sps

    policy, out, result = ctx.params.policy, [], {}
    for column in a.guardrails:
        values = pd.to_numeric(log[column], errors="coerce").to_numpy(dtype=float)
        x, z = (values[(arm == name) & ~np.isnan(values)] for name in ("champion", "challenger"))
        entry: dict[str, Any] = {"n_champion": int(x.size), "n_challenger": int(z.size),
                                 "mean_champion": float(x.mean()) if x.size else None,
                                 "mean_challenger": float(z.mean()) if z.size else None}  # fmt: skip
        reason = not_enough_data(min(x.size, z.size), policy.min_sample.rows, "values in an arm")
        if reason:
            result[column] = {**entry, "status": NOT_ENOUGH_DATA, "status_reason": reason}
            continue
        if np.isin(values[~np.isnan(values)], (0.0, 1.0)).all():
            r = stats.two_proportion_test(int(x.sum()), x.size, int(z.sum()), z.size, alternative="greater")
            entry.update(test="two-proportion z test, one-sided (H1: higher in the challenger arm)",
                         difference=r.difference, statistic=r.z, p_value=r.p_value)  # fmt: skip
        else:
            r = sps.ttest_ind(z, x, equal_var=False, alternative="greater")
            entry.update(test="Welch's t test, one-sided (H1: higher in the challenger arm)",
                         difference=float(z.mean() - x.mean()), statistic=float(r.statistic), p_value=float(r.pvalue))  # fmt: skip
        result[column] = entry
        f = p_value_finding(WORKBOOK, entry["p_value"], policy.p_value,
                            lambda c=column, e=entry: (f"Guardrail {c} is worse in the challenger arm",
                                                       f"Mean {e['mean_challenger']:.4g} against {e['mean_champion']:.4g} "
                                                       f"({e['test']}); p = {e['p_value']:.3g}."),
                            f"champion_challenger.ab.guardrails.{column}.p_value")  # fmt: skip
        if f is not None:
            out.append(f)
    return result, out


def _looks(
    log: pd.DataFrame, a: Any, arm: np.ndarray, approved: np.ndarray, outcome: np.ndarray, bounds: Any
) -> list[dict[str, Any]]:
    """z of the bad-rate difference at each look, with outcomes accumulated in decision-date order."""
    observed = approved & ~np.isnan(outcome)
    order = np.argsort(pd.to_datetime(log[a.date]).to_numpy(), kind="stable") if a.date else np.arange(len(log))
    obs = observed[order]
    total = int(obs.sum())
    looks = []
    for t, z_bound in zip(a.looks, bounds.boundaries, strict=True):
        k = int(np.searchsorted(np.cumsum(obs), int(np.ceil(t * total))) + 1)
        idx = order[:k]
        m_obs = observed[idx]
        arm_k, out_k = arm[idx][m_obs], outcome[idx][m_obs]
        x1, n1 = int(out_k[arm_k == "champion"].sum()), int((arm_k == "champion").sum())
        x2, n2 = int(out_k[arm_k == "challenger"].sum()), int((arm_k == "challenger").sum())
        test = stats.two_proportion_test(x1, n1, x2, n2) if min(n1, n2) > 0 else None
        z = test.z if test is not None else None
        looks.append({"information": t, "n_outcomes": int(m_obs.sum()), "z": z, "boundary": float(z_bound),
                      "crossed": bool(z is not None and abs(z) >= z_bound)})  # fmt: skip
    return looks


# ------------------------------------------------------------------------------------------ fairness


def _fairness(
    ctx: Context, champion: np.ndarray, challenger: np.ndarray
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    params, inp = ctx.params, ctx.inputs
    cc = params.champion_challenger
    scored = ~np.isnan(challenger)
    result: dict[str, Any] = {}
    out = []
    if not params.data.protected:
        return {"applicable": False, "reason": "no protected attribute (data.protected)"}, []
    y_good = (1 - inp.current_target[scored]) if inp.current_target is not None else None
    for attribute in params.data.protected:
        group = inp.current[attribute].astype("string").fillna("<missing>").to_numpy()[scored]
        reference = cc.fairness.reference_groups.get(attribute) or pd.Series(group).value_counts().index[0]
        entry = {"reference_group": reference}
        for model, scores in (("champion", champion[scored]), ("challenger", challenger[scored])):
            approved = alerts.favourable(params, scores).astype(int)  # approved, or not alerted
            impact = stats.adverse_impact(approved, group, reference, min_group_size=cc.fairness.min_group_size)
            entry[model] = {
                "adverse_impact": _plain(impact),
                "demographic_parity": _plain(stats.demographic_parity(approved, group, reference)),
                "equal_opportunity": _plain(stats.equal_opportunity(approved, y_good, group, reference))
                if y_good is not None
                else None,
            }
        out += _champion_flags(entry["champion"]["adverse_impact"], attribute, reference, params.policy.p_value)
        entry["new_flags"] = sorted(set(_flagged(entry["challenger"])) - set(_flagged(entry["champion"])))
        for g in entry["new_flags"]:
            out.append(finding(WORKBOOK, "red", f"Challenger fails the four-fifths rule for {attribute} = {g}",
                               "The champion does not; the challenger's adverse impact ratio is below 0.8 against "
                               f"{attribute} = {reference}.", metric=f"champion_challenger.fairness.{attribute}.new_flags",
                               threshold="adverse impact ratio below 0.8 (EEOC four-fifths rule)"))  # fmt: skip
        result[attribute] = entry
    return {"applicable": True, **result}, out


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
        out.append(finding(
            WORKBOOK, "red" if significant else "amber",
            f"The champion fails the four-fifths rule for {attribute} = {g}",
            f"Adverse impact ratio {impact['impact_ratio'][i]:.2f} against {attribute} = {reference} "
            f"({impact['n'][i]:,} applications in the group); Fisher's exact p = {p:.3g}"
            + ("" if significant else ", so the difference could be chance") + ".",
            metric=f"champion_challenger.fairness.{attribute}.champion.adverse_impact.impact_ratio",
            value=float(impact["impact_ratio"][i]),
            threshold="adverse impact ratio below 0.8 (EEOC four-fifths rule); red when Fisher's p is below "
            f"{thresholds.amber:g}", worse="lower",
        ))  # fmt: skip
    return out


def _flagged(model_entry: dict[str, Any]) -> list[str]:
    impact = model_entry["adverse_impact"]
    return [
        str(g)
        for g, flag, small in zip(impact["groups"], impact["four_fifths_flag"], impact["too_small"], strict=True)
        if flag and not small
    ]


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


def _interval(interval: Any) -> str:
    return f"{float(interval[0]):+.4f} to {float(interval[1]):+.4f}"


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
        _rule(f"catch rate {at} rises by more than {rules_cfg.min_catch_rate_gain:g} with one-sided McNemar p below "
              f"{rules_cfg.max_p_value:g}", outcome,
              f"{catch['rate_a']:.2%} to {catch['rate_b']:.2%} (change {gain:+.4f}), exact p = {p:.3g}, "
              f"{level:.0%} interval {_interval(catch['ci'])}"),
        _rule(f"false-positive rate {at} rises at most {rules_cfg.max_false_positive_rate_increase:g}",
              interval_decision(fpr["ci"], rules_cfg.max_false_positive_rate_increase),
              f"{fpr['rate_a']:.3%} to {fpr['rate_b']:.3%} (change {fpr['difference']:+.5f}), {level:.0%} interval "
              f"{_interval(fpr['ci'])}"),
    ]  # fmt: skip


def _decide(ctx: Context, offline: dict[str, Any], fairness: dict[str, Any]) -> dict[str, Any]:
    rules_cfg = ctx.params.champion_challenger.rules
    rules = []
    labelled = offline.get("labelled", {})
    events = min(labelled.get("defaults", 0), labelled.get("n", 0) - labelled.get("defaults", 0))
    too_few = not_enough_data(events, ctx.params.policy.min_sample.events, "defaults or non-defaults")
    if not labelled.get("applicable"):
        rules.append(_rule("AUC gain", "inconclusive", "no labelled mature data to compare discrimination"))
    elif too_few:  # a comparison of AUCs on a handful of defaults decides nothing either way
        rules.append(_rule("AUC gain", "inconclusive", f"{NOT_ENOUGH_DATA}: {too_few}"))
    elif ctx.params.model.kind == "classifier" and not offline["alerts"]["applicable"]:
        rules.append(_rule("catch rate at the same alert rate", "inconclusive", offline["alerts"]["reason"]))
    elif ctx.params.model.kind == "classifier":
        rules += _alert_rules(offline["alerts"], rules_cfg, ctx.params.champion_challenger.ci_level)
    else:
        gain = offline["challenger"]["auc"]["value"] - offline["champion"]["auc"]["value"]
        p = offline["delong_one_sided"]["p_value"]
        upper = offline["bootstrap_auc"]["ci"][1]
        outcome = gain_decision(gain, p, upper, rules_cfg.min_auc_gain, rules_cfg.max_p_value)
        rules.append(_rule(f"AUC gain above {rules_cfg.min_auc_gain:g} with one-sided DeLong p below {rules_cfg.max_p_value:g}",
                           outcome, f"gain {gain:+.4f}, p = {p:.3g}, bootstrap {ctx.params.champion_challenger.ci_level:.0%} interval of the gain up to {upper:+.4f}"))  # fmt: skip
        level = ctx.params.champion_challenger.ci_level
        bad = metric(offline["business_matched"], "bad_rate_approved")
        rules.append(_rule(f"bad rate among approved at the matched cut-off rises at most {rules_cfg.max_bad_rate_increase:g}",
                           interval_decision(bad["ci_difference"], rules_cfg.max_bad_rate_increase),
                           f"change {bad['difference']:+.4f}, bootstrap {level:.0%} interval {_interval(bad['ci_difference'])}"))  # fmt: skip
        appr = metric(offline["business"], "approval_rate")
        low, high = appr["ci_difference"]
        rules.append(_rule(f"approval rate at the policy cut-off falls at most {rules_cfg.max_approval_rate_decrease:g}",
                           interval_decision((-high, -low), rules_cfg.max_approval_rate_decrease),
                           f"change {appr['difference']:+.4f}, bootstrap {level:.0%} interval {_interval(appr['ci_difference'])}"))  # fmt: skip
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


# ------------------------------------------------------------------------------------------ entry point


def analyse(ctx: Context) -> ChallengerEvidence:
    params, inp = ctx.params, ctx.inputs
    champion = np.asarray(inp.current_score, dtype=float)
    challenger = inp.challenger_score
    offline, frames, f_offline = _offline(ctx, champion, challenger)
    shadow, weekly, f_shadow = _shadow(ctx)
    ab, f_ab = _ab(ctx)
    fairness, f_fair = _fairness(ctx, champion, challenger)
    decision = _decide(ctx, offline, fairness)
    if weekly is not None:
        frames["shadow_weekly"] = weekly
    severity = {"PROMOTE": "green", "INCONCLUSIVE": "amber", "DO NOT PROMOTE": "red"}[decision["recommendation"]]
    lead = finding(WORKBOOK, severity, f"Recommendation: {decision['recommendation']}",
                   "; ".join(f"{r['rule']}: {r['outcome']} ({r['evidence']})" for r in decision["rules"]),
                   metric="champion_challenger.decision.recommendation", threshold="pre-registered rules (champion_challenger.rules)")  # fmt: skip
    settings = {
        **({"operating_point": alerts.operating_text(params.policy), "comparison": "both models at the champion's "
            "alert rate; catch and false-positive rates by the exact McNemar test with Agresti-Min intervals"}
           if params.model.kind == "classifier" else {"cutoff": params.policy.cutoff}),
        "n_bootstrap": params.champion_challenger.n_bootstrap,
        "seed": params.seed,
        "ci_level": params.champion_challenger.ci_level,
        "challenger_source": "artifact"
        if params.challenger.artifact is not None
        else f"column {params.challenger.score}",
        "rules": params.champion_challenger.rules.model_dump(exclude=set(PD_RULES if params.model.kind == "classifier"
                                                                         else CLASSIFIER_RULES)),
        "decision_rule": "any failed rule: DO NOT PROMOTE; else any inconclusive rule: INCONCLUSIVE; else PROMOTE",
    }
    return ChallengerEvidence(
        decision=decision, offline=offline, shadow=shadow, ab=ab, fairness=fairness,
        findings=[lead, *f_offline, *f_shadow, *f_ab, *f_fair], settings=settings, frames=frames,
    )  # fmt: skip


# --- presentation: what the notebook displays (formatting in mrmkit.workbooks.display) --------------


def recommendation_markdown(evidence: ChallengerEvidence) -> Any:
    d = evidence.decision
    counts = {o: sum(r["outcome"] == o for r in d["rules"]) for o in ("pass", "fail", "inconclusive")}
    return display.text(
        "### {}\n\n{} rules pass, {} fail, {} inconclusive. {}.",
        d["recommendation"], counts["pass"], counts["fail"], counts["inconclusive"], evidence.settings["decision_rule"],
    )  # fmt: skip


def rules_frame(evidence: ChallengerEvidence) -> Any:
    frame = pd.DataFrame(evidence.decision["rules"])
    css = {
        "pass": display.STATUS_CSS["green"],
        "fail": display.STATUS_CSS["red"],
        "inconclusive": display.STATUS_CSS["amber"],
    }
    return display.styled(frame, status_columns=(), index=False).map(lambda v: css.get(v, ""), subset=["outcome"])


def findings_frame(evidence: ChallengerEvidence) -> Any:
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


def curves(evidence: ChallengerEvidence, ctx: Context) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    inp = ctx.inputs
    challenger = inp.challenger_score
    mature, _ = _mature_mask(ctx)
    use = mature & ~np.isnan(challenger)
    y = inp.current_target[use]
    return {"champion": (y, inp.current_score[use]), "challenger": (y, challenger[use])}


def business_frame(evidence: ChallengerEvidence) -> Any:
    o = evidence.offline
    rows = []
    for label, key in (("policy cut-off", "business"), ("matched cut-off", "business_matched")):
        r = o[key]
        for m in r["metrics"]:
            rows.append((label, f"{r['cutoff_a']:.4f} / {r['cutoff_b']:.4f}", m["metric"], m["value_a"], m["value_b"], m["difference"],
                         f"{m['ci_difference'][0]:+.4g} to {m['ci_difference'][1]:+.4g}"))  # fmt: skip
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
        rows.append((label, s["swap_ins"], s["swap_in_bad_rate"], s["swap_outs"], s["swap_out_bad_rate"], s["net_approvals"],
                     s["bad_rate_approved_a"], s["bad_rate_approved_b"]))  # fmt: skip
    frame = pd.DataFrame(rows, columns=["cut-off", "swap-ins", "swap-in bad rate", "swap-outs", "swap-out bad rate", "net approvals",
                                        "bad rate approved, champion", "bad rate approved, challenger"])  # fmt: skip
    fmt = {c: display.PERCENT for c in frame.columns if "rate" in c}
    fmt.update({c: display.INTEGER for c in ("swap-ins", "swap-outs", "net approvals")})
    return display.styled(frame, fmt, status_columns=(), index=False)


def agreement_frame(evidence: ChallengerEvidence) -> Any:
    a = evidence.offline["agreement"]
    rows = [("Spearman", a["spearman"], a["spearman_p_value"]), ("Kendall tau-b", a["kendall_tau_b"], a["kendall_p_value"]),
            ("mean difference (challenger - champion)", a["mean_difference"], None),
            ("mean absolute difference", a["mean_absolute_difference"], None)]  # fmt: skip
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
    labels = ({"champion_pd": "champion score", "challenger_pd": "challenger score"}
              if "operating_point" in evidence.settings else None)  # fmt: skip
    return display.styled(frame, fmt, status_columns=(), index=False, labels=labels).set_caption(caption)


def shadow_frame(evidence: ChallengerEvidence) -> Any:
    s = evidence.shadow
    rows = [("applications", f"{s['n']:,}"), ("coverage", f"{s['coverage']:.2%}"), ("decision agreement", f"{s['decision_agreement']:.2%}"),
            ("PSI, challenger against champion scores", f"{s['psi']:.4f}")]  # fmt: skip
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
    tested = ((("alert rate", "alert_rate"), ("catch rate among events (primary)", "catch_rate"),
               ("false-positive rate among genuine cases", "false_positive_rate")) if classifier else
              (("approval rate", "approval_rate"), ("bad rate among approved (primary)", "bad_rate")))  # fmt: skip
    for label, key in tested:
        t = ab[key]
        rows.append((f"{label}: champion, challenger, difference", f"{t['p1']:.2%}, {t['p2']:.2%}, {t['difference']:+.2%} "
                     f"(interval {t['ci_newcombe'][0]:+.2%} to {t['ci_newcombe'][1]:+.2%}); z = {t['z']:.2f}, p = {t['p_value']:.3g}"
                     + _not_judged(t)))  # fmt: skip
    return display.styled(pd.DataFrame(rows, columns=["measure", "value"]), status_columns=(), index=False)


def guardrails_frame(evidence: ChallengerEvidence) -> Any:
    """Each A/B guardrail column: both arms' means, the difference and its one-sided test (higher is worse)."""
    rows = [{"guardrail": column, "champion mean": g["mean_champion"], "challenger mean": g["mean_challenger"],
             "values (champion / challenger)": f"{g['n_champion']:,} / {g['n_challenger']:,}",
             "test": g.get("test", f"not judged: {g.get('status_reason')}"), "p": g.get("p_value")}
            for column, g in evidence.ab["guardrails"].items()]  # fmt: skip
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
        rows.append({"model": model, "threshold": m["threshold"], "alerts": m["true_positives"] + m["false_positives"],
                     "caught": m["true_positives"], "catch rate (recall)": m["recall"], "precision": m["precision"],
                     "false-positive rate": m["false_positive_rate"], "F1": m["f1"], "lift": m["lift"],
                     "average precision": m["average_precision"],
                     **({"expected cost per 1,000 cases": cost["per_1000"]} if cost else {})})  # fmt: skip
    fmt = {"threshold": display.FIXED4, "alerts": display.INTEGER, "caught": display.INTEGER,
           "catch rate (recall)": display.PERCENT, "precision": display.PERCENT, "false-positive rate": _pct2,
           "F1": display.FIXED4, "lift": _two, "average precision": display.FIXED4,
           "expected cost per 1,000 cases": display.INTEGER}  # fmt: skip
    catch, fpr, both = c["catch_rate"], c["false_positive_rate"], c["alerts_mcnemar"]
    caption = (f"{c['rule']}; the challenger alerts the same share ({c['alert_rate']:.2%}). Catch rate change "
               f"{catch['difference']:+.2%} ({_interval(catch['ci'])}, exact McNemar one-sided p = {catch['p_value']:.3g}); "
               f"false-positive rate change {fpr['difference']:+.3%} ({_interval(fpr['ci'])}, p = {fpr['p_value']:.3g}); "
               f"{c['both_alerted']:,} cases alerted by both; McNemar of the alerts p = {both['p_value']:.3g}.")  # fmt: skip
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
            rows.append({
                "model": model, "group": g, "n": ai["n"][i], "approval rate": ai["approval_rate"][i],
                "impact ratio": ai["impact_ratio"][i], "four-fifths": "FLAG" if ai["four_fifths_flag"][i] and not ai["too_small"][i] else "",
                "p": ai["p_value"][i], "too small": "yes" if ai["too_small"][i] else "",
                "equal-opportunity difference": eo["difference"][i] if eo else None,
            })  # fmt: skip
    frame = pd.DataFrame(rows)
    if "operating_point" in evidence.settings:  # a classifier's favourable outcome is not being alerted
        frame = frame.rename(columns={"approval rate": "share not alerted"})
    fmt = {"n": display.INTEGER, "approval rate": display.PERCENT, "share not alerted": display.PERCENT,
           "impact ratio": display.FIXED4, "p": display.P_VALUE, "equal-opportunity difference": _signed_pct}  # fmt: skip
    return display.styled(frame, fmt, status_columns=(), index=False).map(
        lambda v: display.STATUS_CSS["red"] if v == "FLAG" else "", subset=["four-fifths"]
    )


def _signed_pct(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:+.1%}"


def settings_frame(evidence: ChallengerEvidence) -> Any:
    rows = [(k, str(v)) for k, v in evidence.settings.items()]
    return display.styled(pd.DataFrame(rows, columns=["setting", "value"]), status_columns=(), index=False)


def confusion_frame(evidence: ChallengerEvidence) -> Any:
    rows = [
        {"cut-off": label.replace("_", " "), "model": model, **counts}
        for label, models in evidence.offline["confusion"].items()
        for model, counts in models.items()
    ]
    frame = pd.DataFrame(rows)
    labels = {"approved_good": "approved, good", "approved_bad": "approved, bad", "declined_good": "declined, good",
              "declined_bad": "declined, bad"}  # fmt: skip
    return display.styled(frame, {k: display.INTEGER for k in labels}, status_columns=(), labels=labels, index=False)


def calibration_frame(evidence: ChallengerEvidence) -> Any:
    cal = evidence.offline["calibration"]
    rows = []
    for model in ("champion", "challenger"):
        for grade, r in cal[model].items():
            rows.append({"grade": grade, "model": model, "loans": r["n"], "defaults": r["defaults"],
                         "observed DR": r["observed_rate"], "mean PD": r["mean_pd"], "Jeffreys p": r["jeffreys_p_value"],
                         "status": r["status"]})  # fmt: skip
    frame = pd.DataFrame(rows).sort_values(["grade", "model"], kind="stable")
    fmt = {"loans": display.INTEGER, "defaults": display.INTEGER, "observed DR": display.PERCENT, "mean PD": display.PERCENT,
           "Jeffreys p": display.P_VALUE}  # fmt: skip
    return display.styled(frame, fmt, index=False).set_caption(f"Grades: {cal['grade_source']}")
