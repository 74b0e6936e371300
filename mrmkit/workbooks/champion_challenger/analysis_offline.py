"""Champion against challenger on the same applications of the current sample, and fairness.

Coverage and score agreement; on the mature labelled rows, discrimination (AUC, Gini, KS, paired DeLong,
stratified bootstrap), the business comparison at the policy's and the matched cut-off (bootstrap
differences, confusion counts, McNemar, swap sets) and calibration on the champion's rating scale, or for a
classifier both models at the same alert rate; and each model's adverse impact by protected attribute.
Evidence only: the findings are made by :mod:`mrmkit.workbooks.champion_challenger.findings`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mrmkit import stats
from mrmkit.stats._base import jsonable
from mrmkit.workbooks import alerts
from mrmkit.workbooks.common import grade_table, loss_inputs, window_maturity
from mrmkit.workbooks.context import Context

if TYPE_CHECKING:
    from mrmkit.workbooks.champion_challenger.analysis import ChallengerEvidence

__all__ = ["curves"]

_plain = jsonable


def _mature_mask(ctx: Context) -> tuple[np.ndarray, str]:
    if ctx.params.backtest is not None and ctx.params.data.time:
        mask, _, rule = window_maturity(ctx)
        return mask, rule
    return np.ones(len(ctx.inputs.current), dtype=bool), "no maturity rule (backtest.as_of): every row is used"


def _offline(
    ctx: Context, champion: np.ndarray, challenger: np.ndarray
) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
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
    if y is None:  # absent by design: the decision's performance rules are not applicable
        result["labelled"] = {"applicable": False, "absent": True, "reason": "no outcome column (data.target)"}
        return result, frames
    if y.size == 0 or y.min() == y.max():  # outcomes given, but none or one class among mature rows: too few
        outcomes = "no mature row" if y.size == 0 else f"a single class among {y.size:,} mature rows"
        result["labelled"] = {
            "applicable": False,
            "absent": False,
            "reason": f"{outcomes} with a challenger score ({maturity_rule})",
            "n": int(y.size),
            "defaults": int(y.sum()),
        }
        return result, frames
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
    if params.model_kind.alerting:
        result["alerts"] = _alert_comparison(ctx, y, a, b)
        result["labelled"] = {"applicable": True, "n": int(y.size), "defaults": int(y.sum())}
        return result, frames
    exposure, lgd = loss_inputs(ctx, use)
    matched = stats.matched_cutoff(a, cutoff, b)
    result["matched_cutoff"] = _plain(matched)
    cut_b = matched.cutoff_b
    for key, cut in (("business", cutoff), ("business_matched", cut_b)):
        result[key] = _plain(
            stats.bootstrap_metric_difference(
                y, a, b, cutoff, cut, cc.n_bootstrap, seed, cc.ci_level, exposure=exposure, lgd=lgd
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
    return result, frames


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
        return {
            "rule": alerts.operating_text(policy),
            "applicable": False,
            "alert_rate": rate,
            "reason": f"the champion alerts {rate:.0%} of the compared cases at {alerts.operating_text(policy)}",
        }
    threshold_b = stats.operating_point(b, alert_rate=rate).threshold
    alert_a, alert_b = a >= threshold_a, b >= threshold_b
    event = y.astype(bool)
    models = {
        name: alerts.sample_metrics(y, scores, policy, threshold=cut)
        for name, scores, cut in (("champion", a, threshold_a), ("challenger", b, threshold_b))
    }
    out: dict[str, Any] = {
        "rule": alerts.operating_text(policy),
        "applicable": True,
        "alert_rate": rate,
        **models,
        "catch_rate": _plain(
            stats.paired_proportions(alert_a[event], alert_b[event], alternative="greater", ci_level=level)
        ),
        "false_positive_rate": _plain(
            stats.paired_proportions(alert_a[~event], alert_b[~event], alternative="greater", ci_level=level)
        ),
        "alerts_mcnemar": _plain(stats.mcnemar_test(alert_a.astype(int), alert_b.astype(int), exact=True)),
        "both_alerted": int((alert_a & alert_b).sum()),
    }
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


def _calibration(
    ctx: Context, y: np.ndarray, a: np.ndarray, b: np.ndarray, frames: dict[str, pd.DataFrame]
) -> dict[str, Any]:
    """Both models on the champion's rating scale, with the backtest's per-grade tests."""
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


def curves(evidence: ChallengerEvidence, ctx: Context) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The mature rows' outcomes and both models' scores, for the ROC and CAP curves."""
    inp = ctx.inputs
    challenger = inp.challenger_score
    mature, _ = _mature_mask(ctx)
    use = mature & ~np.isnan(challenger)
    y = inp.current_target[use]
    return {"champion": (y, inp.current_score[use]), "challenger": (y, challenger[use])}


def _fairness(ctx: Context, champion: np.ndarray, challenger: np.ndarray) -> dict[str, Any]:
    """Each model's favourable decisions by protected attribute, and the four-fifths flags the challenger adds."""
    params, inp = ctx.params, ctx.inputs
    cc = params.champion_challenger
    scored = ~np.isnan(challenger)
    result: dict[str, Any] = {}
    if not params.data.protected:
        return {"applicable": False, "reason": "no protected attribute (data.protected)"}
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
        entry["new_flags"] = sorted(set(_flagged(entry["challenger"])) - set(_flagged(entry["champion"])))
        result[attribute] = entry
    return {"applicable": True, **result}


def _flagged(model_entry: dict[str, Any]) -> list[str]:
    impact = model_entry["adverse_impact"]
    return [
        str(g)
        for g, flag, small in zip(impact["groups"], impact["four_fifths_flag"], impact["too_small"], strict=True)
        if flag and not small
    ]
