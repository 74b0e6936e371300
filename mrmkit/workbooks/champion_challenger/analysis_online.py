"""The logs of the live comparison: shadow scoring (coverage, agreement, latency) and the A/B test.

The A/B test: design size, sample-ratio mismatch, approval and bad rates (or for a classifier alert,
catch and false-positive rates) of the two arms, group-sequential looks and the guardrail columns. Evidence
only: the findings are made by :mod:`mrmkit.workbooks.champion_challenger.findings`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mrmkit import stats
from mrmkit.io import parse_dates, read_frame, require_columns
from mrmkit.policy import NOT_ENOUGH_DATA, not_enough_data
from mrmkit.stats._base import jsonable
from mrmkit.workbooks import alerts
from mrmkit.workbooks.context import Context

_plain = jsonable
#: The A/B log's decision labels per model kind: the favourable decision first.


def ab_decisions(params: Any) -> tuple[str, str]:
    """The A/B log's decision labels for the model's kind: the favourable decision first."""
    words = params.model_kind.vocabulary
    return words.favourable, words.adverse


def _read_log(section: Any, columns: list[str], field: str) -> pd.DataFrame:
    frame = read_frame(section.data, f"{field}.data")
    require_columns(frame, [c for c in columns if c], section.data, field)
    for key in ("timestamp", "date"):  # the shadow log's timestamps, the A/B log's decision dates
        column = getattr(section, key, None)
        if column and column in frame.columns:
            frame[column] = parse_dates(frame[column], section.data, f"{field}.{key}")
    return frame


def _shadow(ctx: Context) -> tuple[dict[str, Any] | None, pd.DataFrame | None]:
    """The shadow log: coverage, decision agreement, PSI and latency, overall and week by week."""
    cc, policy = ctx.params.champion_challenger, ctx.params.policy
    if cc.shadow is None:
        return None, None
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
    minimum = policy.min_sample.rows
    too_few = not_enough_data(len(log), minimum, "shadow applications")
    if too_few:
        result["not_judged"] = too_few
    # a week's 99th percentile needs enough requests to mean anything: of 5 requests it is their maximum
    judged_weeks = [w for w in weekly.index if weekly.at[w, "applications"] >= minimum]
    result["weeks_not_judged"] = [w for w in weekly.index if w not in judged_weeks]
    return result, weekly


def _ab(ctx: Context) -> dict[str, Any] | None:
    """The A/B log: design, sample ratio, both arms' rates and their tests, sequential looks, guardrails."""
    cc = ctx.params.champion_challenger
    if cc.ab is None:
        return None
    a = cc.ab
    log = _read_log(a, [a.id, a.arm, a.decision, a.outcome, a.date, *a.guardrails], "champion_challenger.ab")
    arm = log[a.arm].astype(str).to_numpy()
    approved = (log[a.decision].astype(str) == ab_decisions(ctx.params)[0]).to_numpy()
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
    if ctx.params.model_kind.alerting:
        alerted = (log[a.decision].astype(str) == ab_decisions(ctx.params)[1]).to_numpy()
        result.update(_ab_alerts(arm, alerted, outcome, cc.ci_level))
        ch, cl = result["arms"]["champion"], result["arms"]["challenger"]
        small = {
            "alert_rate": not_enough_data(min(ch["n"], cl["n"]), policy.min_sample.rows, "cases in an arm"),
            **dict.fromkeys(
                ("catch_rate", "false_positive_rate"),
                not_enough_data(
                    min(
                        ch["events"], cl["events"], ch["with_outcome"] - ch["events"], cl["with_outcome"] - cl["events"]
                    ),
                    policy.min_sample.events,
                    "events or non-events in an arm",
                ),
            ),
        }
        result["sequential"] = {
            "applicable": False,
            "reason": "group-sequential looks are planned on a credit A/B test's bad rate (model.kind pd)",
        }
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
        result["bad_rate"] = _proportions(
            ch["defaults"], ch["with_outcome"], cl["defaults"], cl["with_outcome"], cc.ci_level
        )
        bounds = stats.group_sequential_bounds(a.looks, alpha=a.design.alpha if a.design else 0.05)
        result["sequential"] = {"bounds": _plain(bounds), "looks": _looks(log, a, arm, approved, outcome, bounds)}
        small = {
            "approval_rate": not_enough_data(min(ch["n"], cl["n"]), policy.min_sample.rows, "applications in an arm"),
            "bad_rate": not_enough_data(
                min(
                    ch["defaults"],
                    cl["defaults"],
                    ch["with_outcome"] - ch["defaults"],
                    cl["with_outcome"] - cl["defaults"],
                ),
                policy.min_sample.events,
                "defaults or non-defaults in an arm",
            ),
        }
    small["sample_ratio_mismatch"] = not_enough_data(sum(counts), policy.min_sample.rows, "A/B applications")
    result["guardrails"] = _guardrails(log, a, arm, ctx)
    for key, reason in small.items():
        if reason:
            result[key] = {**(result[key] or {}), "status": NOT_ENOUGH_DATA, "status_reason": reason}
    return result


def _ab_alerts(arm: np.ndarray, alerted: np.ndarray, outcome: np.ndarray, level: float) -> dict[str, Any]:
    """A classifier's A/B arms: alert rate (friction), catch rate on the events, false-positive rate."""
    arms = {}
    for name in ("champion", "challenger"):
        m = arm == name
        known = m & ~np.isnan(outcome)
        event = known & (outcome == 1)
        arms[name] = {
            "n": int(m.sum()),
            "alerts": int((m & alerted).sum()),
            "with_outcome": int(known.sum()),
            "events": int(event.sum()),
            "caught": int((event & alerted).sum()),
            "false_alarms": int((known & ~event & alerted).sum()),
        }
    ch, cl = arms["champion"], arms["challenger"]
    return {
        "arms": arms,
        "alert_rate": _proportions(ch["alerts"], ch["n"], cl["alerts"], cl["n"], level),
        "catch_rate": _proportions(ch["caught"], ch["events"], cl["caught"], cl["events"], level),
        "false_positive_rate": _proportions(
            ch["false_alarms"],
            ch["with_outcome"] - ch["events"],
            cl["false_alarms"],
            cl["with_outcome"] - cl["events"],
            level,
        ),
    }


def _proportions(x1: int, n1: int, x2: int, n2: int, level: float) -> dict[str, Any] | None:
    """The two-proportion test of the arms, or None when an arm has no case to count (no mature outcome, no
    event): that test is marked "not enough data" with the count by the caller."""
    if min(n1, n2) == 0:
        return None
    return _plain(stats.two_proportion_test(x1, n1, x2, n2, ci_level=level))


def _guardrails(log: pd.DataFrame, a: Any, arm: np.ndarray, ctx: Context) -> dict[str, Any]:
    """Each guardrail column, challenger arm against champion arm; a higher value is worse (one-sided tests).

    A 0/1 column (complaints, a manual review) is compared by the two-proportion z test, any other
    numeric column (review minutes, customer contacts) by Welch's t test; missing values are left out.
    """
    policy, result = ctx.params.policy, {}
    for column in a.guardrails:
        values = pd.to_numeric(log[column], errors="coerce").to_numpy(dtype=float)
        x, z = (values[(arm == name) & ~np.isnan(values)] for name in ("champion", "challenger"))
        entry: dict[str, Any] = {
            "n_champion": int(x.size),
            "n_challenger": int(z.size),
            "mean_champion": float(x.mean()) if x.size else None,
            "mean_challenger": float(z.mean()) if z.size else None,
        }
        reason = not_enough_data(min(x.size, z.size), policy.min_sample.rows, "values in an arm")
        if reason:
            result[column] = {**entry, "status": NOT_ENOUGH_DATA, "status_reason": reason}
            continue
        if np.isin(values[~np.isnan(values)], (0.0, 1.0)).all():
            r = stats.two_proportion_test(int(x.sum()), x.size, int(z.sum()), z.size, alternative="greater")
            entry.update(
                test="two-proportion z test, one-sided (H1: higher in the challenger arm)",
                difference=r.difference,
                statistic=r.z,
                p_value=r.p_value,
            )
        else:
            t = stats.welch_t_test(x, z, alternative="greater")
            entry.update(
                test="Welch's t test, one-sided (H1: higher in the challenger arm)",
                difference=t.difference,
                statistic=t.t,
                p_value=t.p_value,
            )
        result[column] = entry
    return result


def _looks(
    log: pd.DataFrame, a: Any, arm: np.ndarray, approved: np.ndarray, outcome: np.ndarray, bounds: Any
) -> list[dict[str, Any]]:
    """z of the bad-rate difference at each look (:func:`mrmkit.stats.sequential_looks`), with the outcomes of
    approved loans accumulated in decision-date order; a row of neither arm is left out."""
    order = np.argsort(pd.to_datetime(log[a.date]).to_numpy(), kind="stable") if a.date else np.arange(len(log))
    counted = approved & ((arm == "champion") | (arm == "challenger"))
    y = np.where(counted, outcome, np.nan)[order]
    result = stats.sequential_looks(y, (arm == "challenger")[order], bounds)
    return [
        {
            "information": t,
            "n_outcomes": n,
            "z": None if np.isnan(z) else z,
            "boundary": b,
            "crossed": crossed,
        }
        for t, n, z, b, crossed in zip(
            a.looks, result.n_outcomes, result.z_values, result.boundaries, result.crossed, strict=True
        )
    ]
