"""PD and alerting-model outcome analysis: maturity, grades, discrimination, calibration, concentration, migration.

Context in, evidence out: every test the backtest workbook runs on observed defaults (``model.kind: pd``) or
observed events (``model.kind: classifier``), with each test's status where the policy's minimum sample
decides it. The findings are made from this evidence by :mod:`mrmkit.workbooks.backtest.findings`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mrmkit import stats
from mrmkit.errors import InsufficientData, InvalidInput
from mrmkit.policy import NOT_ENOUGH_DATA, classify_low, not_enough_data
from mrmkit.stats._base import jsonable
from mrmkit.workbooks import alerts
from mrmkit.workbooks.backtest import grading
from mrmkit.workbooks.common import _window_labels, grade_table, window_maturity
from mrmkit.workbooks.context import Context

__all__ = [
    "PdBacktest",
    "ClassifierBacktest",
    "pd_backtest",
    "classifier_backtest",
    "window_maturity",
    "grade_table",
    "IN_SAMPLE",
]

_plain = jsonable  # results and numpy values to plain JSON types


@dataclass(frozen=True)
class PdBacktest:
    """``backtest.pd``: a PD model's outcome analysis, its grade table and its window table."""

    metrics: dict[str, Any]
    grade_table: pd.DataFrame
    window_table: pd.DataFrame


@dataclass(frozen=True)
class ClassifierBacktest:
    """``backtest.classifier``: an alerting model's outcome analysis (None for another kind) and its windows."""

    metrics: dict[str, Any] | None
    window_table: pd.DataFrame


def _grades(ctx: Context) -> tuple[np.ndarray, np.ndarray, list[str], str]:
    """Grades of the reference and current rows, the grade order (best first) and how they were made."""
    cfg, inp, data = ctx.params.backtest, ctx.inputs, ctx.params.data
    if cfg.grades is not None:
        bounds = cfg.grades.upper_bounds
        labels = cfg.grades.labels or [str(i + 1) for i in range(len(bounds))]
        ref = stats.grades_from_bands(inp.reference_score, bounds, labels).grades
        cur = stats.grades_from_bands(inp.current_score, bounds, labels).grades
        return np.asarray(ref), np.asarray(cur), list(labels), "rating scale of backtest.grades"
    if data.grade:
        ref = inp.reference[data.grade].astype(str).to_numpy()
        cur = inp.current[data.grade].astype(str).to_numpy()
        order = sorted(set(ref) | set(cur))
        return ref, cur, order, f"column {data.grade} (grades ordered by label, best first)"
    bounds = stats.equal_population_bounds(inp.reference_score, cfg.n_grades)
    labels = [str(i + 1) for i in range(len(bounds))]
    ref = stats.grades_from_bands(inp.reference_score, bounds, labels).grades
    cur = stats.grades_from_bands(inp.current_score, bounds, labels).grades
    return (
        np.asarray(ref),
        np.asarray(cur),
        labels,
        f"{len(labels)} equal-population grades cut on the reference sample's PDs",
    )


def _discrimination(y: np.ndarray, score: np.ndarray) -> dict[str, Any] | None:
    if y.size == 0 or y.min() == y.max():
        return None
    a = stats.auc(y, score)
    return {
        "auc": a.value,
        "auc_variance": a.variance,
        "auc_ci": list(a.ci),
        "gini": stats.gini(y, score).value,
        "ks": stats.ks_statistic(y, score).value,
        "n": int(y.size),
        "defaults": int(y.sum()),
    }


def _window_table(ctx: Context, mature: np.ndarray, windows: dict[str, dict[str, Any]]) -> pd.DataFrame:
    inp = ctx.inputs
    if not ctx.params.data.time:
        return pd.DataFrame()
    labels = _window_labels(inp.current[ctx.params.data.time]).to_numpy()
    rows = {}
    for label in sorted(set(labels)):
        mask = labels == label
        y, s = inp.current_target[mask], inp.current_score[mask]
        disc = _discrimination(y, s)
        rows[label] = {
            "n": int(mask.sum()),
            "defaults": int(y.sum()),
            "observed_rate": float(y.mean()),
            "mean_pd": math.fsum(s) / s.size,
            "auc": disc["auc"] if disc else np.nan,
            "mature": bool(windows[label]["mature"]),
            "matures_on": windows[label]["matures_on"],
        }
        if ctx.params.model_kind.alerting:  # the catch-rate trend at the operating point
            point = alerts.sample_metrics(y, s, ctx.params.policy) if disc else {}
            rows[label].update(
                recall=point.get("recall", np.nan), false_positive_rate=point.get("false_positive_rate", np.nan)
            )
    return pd.DataFrame.from_dict(rows, orient="index")


def pd_backtest(ctx: Context) -> PdBacktest:
    """A PD model's outcome analysis on the mature current sample (not applicable to another kind)."""
    inp, cfg = ctx.inputs, ctx.params.backtest
    if not ctx.params.model_kind.scored_on_rows:
        reason = "model.kind var: a VaR engine is backtested on its P&L, VaR and ES series (below), not on defaults"
        return PdBacktest({"applicable": False, "reason": reason}, pd.DataFrame(), pd.DataFrame())
    if ctx.params.model_kind.alerting:
        return PdBacktest({"applicable": False, "reason": alerts.CALIBRATION_REASON}, pd.DataFrame(), pd.DataFrame())
    if inp.current_target is None:
        reason = "no target column (data.target): outcome analysis needs observed defaults"
        return PdBacktest({"applicable": False, "reason": reason}, pd.DataFrame(), pd.DataFrame())
    mature, windows, maturity_rule = window_maturity(ctx)
    ref_grades, cur_grades, order, grade_source = _grades(ctx)
    y_cur, s_cur = inp.current_target[mature], inp.current_score[mature]
    if y_cur.size == 0:
        raise InvalidInput("backtest.as_of: no current window is mature yet, so no outcome can be tested.")
    development = _discrimination(inp.reference_target, inp.reference_score)
    current = _discrimination(y_cur, s_cur)
    auc_test = _auc_initial(cfg.initial_auc, development, current, y_cur, s_cur, ctx.params.policy.min_sample.events)
    policy = ctx.params.policy
    table, family = grading.judge_grades(grade_table(y_cur, s_cur, cur_grades[mature], order, ctx), policy)
    hl = grading.pooled_hosmer_lemeshow(table, policy.min_sample.expected_events, policy.min_sample.events)
    spiegel = _plain(stats.spiegelhalter_test(y_cur, s_cur))
    brier = stats.brier_score(y_cur, s_cur)
    portfolio = _plain(stats.jeffreys_test(int(y_cur.size), int(y_cur.sum()), math.fsum(s_cur) / s_cur.size))
    _judge_portfolio_tests(portfolio, spiegel, hl, math.fsum(s_cur), int(y_cur.size), ctx)
    ref_counts = pd.Series(ref_grades).value_counts().reindex(order, fill_value=0).to_numpy()
    cur_counts = table["n"].to_numpy()
    concentration = _concentration(ref_grades, cur_grades[mature], cur_counts, ref_counts, grade_source, ctx)
    migration = _migration(ctx, ref_grades, cur_grades, order)
    windows_frame = _window_table(ctx, mature, windows)
    metrics = {
        "applicable": True,
        "grade_source": grade_source,
        "maturity": {
            "rule": maturity_rule,
            "windows": windows,
            "n_mature": int(mature.sum()),
            "n_immature": int((~mature).sum()),
        },
        "discrimination": {"development": development, "current": current, "auc_initial_test": auc_test},
        "calibration": {
            "grades": {g: _plain(row.to_dict()) for g, row in table.iterrows()},
            "grade_family": family,
            "untested_grades": grading.untested_grades(table),
            "hosmer_lemeshow": hl,
            "spiegelhalter": spiegel,
            "brier": _plain(brier),
            "portfolio_jeffreys": portfolio,
            "portfolio_rates": _portfolio_rates(inp.reference_target, inp.reference_score, y_cur, s_cur),
        },
        "concentration": concentration,
        "migration": migration,
        "windows": {w: _plain(r.to_dict()) for w, r in windows_frame.iterrows()},
    }
    return PdBacktest(metrics, table, windows_frame)


def _judge_portfolio_tests(
    portfolio: dict[str, Any],
    spiegel: dict[str, Any],
    hl: dict[str, Any],
    expected_defaults: float,
    n: int,
    ctx: Context,
) -> None:
    """Each whole-sample calibration test's status: "not enough data" below the policy's minimum of mature
    loans or of expected defaults and non-defaults (then computed, not judged), else its p-value's status."""
    policy = ctx.params.policy
    reason = not_enough_data(n, policy.min_sample.events, "mature loans") or grading.expected_events_reason(
        expected_defaults, n, policy.min_sample.expected_events
    )
    for test in (portfolio, spiegel):
        if reason:
            test.update(status=NOT_ENOUGH_DATA, status_reason=reason)
        else:
            test["status"] = classify_low(test["p_value"], policy.p_value)
    if hl.get("status") != NOT_ENOUGH_DATA:
        hl["status"] = classify_low(hl["p_value"], policy.p_value)


def _sample_rates(y: np.ndarray | None, s: np.ndarray) -> dict[str, Any] | None:
    if y is None or y.size == 0:
        return None
    return {
        "n": int(y.size),
        "defaults": int(y.sum()),
        "observed_rate": float(y.mean()),
        "mean_pd": math.fsum(s) / s.size,
    }


def _portfolio_rates(
    y_ref: np.ndarray | None, s_ref: np.ndarray, y_cur: np.ndarray, s_cur: np.ndarray
) -> dict[str, Any]:
    """Observed default rate and mean PD of the reference sample (None without outcomes) and the mature
    current sample: the headline of a calibration issue (defaults rising faster than the PDs)."""
    return {"reference": _sample_rates(y_ref, s_ref), "current": _sample_rates(y_cur, s_cur)}


def classifier_backtest(ctx: Context) -> ClassifierBacktest:
    """An alerting model's outcome analysis: AUC and the ECB test, and everything at the operating point."""
    inp, cfg, policy = ctx.inputs, ctx.params.backtest, ctx.params.policy
    if not ctx.params.model_kind.alerting:
        return ClassifierBacktest(None, pd.DataFrame())
    if inp.current_target is None:
        reason = "no target column (data.target): outcome analysis needs observed events"
        return ClassifierBacktest({"applicable": False, "reason": reason}, pd.DataFrame())
    mature, windows, maturity_rule = window_maturity(ctx)
    y_cur, s_cur = inp.current_target[mature], inp.current_score[mature]
    if y_cur.size == 0:
        raise InvalidInput("backtest.as_of: no current window is mature yet, so no outcome can be tested.")
    y_ref, s_ref = inp.reference_target, inp.reference_score
    development, current = _discrimination(y_ref, s_ref), _discrimination(y_cur, s_cur)
    if development is None or current is None:  # a sample with no event (or only events) has no catch rate
        one_class = "reference" if development is None else "current (mature)"
        point: dict[str, Any] = {
            "rule": alerts.operating_text(policy),
            "applicable": False,
            "reason": f"the {one_class} sample holds a single class, so no catch rate or "
            "false-positive rate can be measured",
        }
    else:
        reference_point = alerts.sample_metrics(y_ref, s_ref, policy)
        current_point = alerts.sample_metrics(y_cur, s_cur, policy)
        point = {
            "rule": alerts.operating_text(policy),
            "applicable": True,
            "reference": reference_point,
            "current": current_point,
            "tests": alerts.outcome_tests(reference_point, current_point, policy),
        }
        if policy.alert_rate is not None:  # the alert volume a threshold frozen on the reference sample gives today
            frozen = reference_point["threshold"]
            point["current_at_reference_threshold"] = alerts.sample_metrics(y_cur, s_cur, policy, threshold=frozen)
    windows_frame = _window_table(ctx, mature, windows)
    metrics = {
        "applicable": True,
        "maturity": {
            "rule": maturity_rule,
            "windows": windows,
            "n_mature": int(mature.sum()),
            "n_immature": int((~mature).sum()),
        },
        "discrimination": {
            "development": development,
            "current": current,
            "auc_initial_test": _auc_initial(
                cfg.initial_auc, development, current, y_cur, s_cur, policy.min_sample.events
            ),
        },
        "operating_point": point,
        "calibration": {"applicable": False, "reason": alerts.CALIBRATION_REASON},
        "windows": {w: _plain(r.to_dict()) for w, r in windows_frame.iterrows()},
    }
    return ClassifierBacktest(metrics, windows_frame)


IN_SAMPLE = "development sample (in-sample)"


def _auc_initial(
    given: Any,
    development: dict[str, Any] | None,
    current: dict[str, Any] | None,
    y: np.ndarray,
    s: np.ndarray,
    min_events: int,
) -> dict[str, Any] | None:
    """The current-against-initial AUC test, with the initial AUC's own sampling error when it is known.

    The ECB statistic S = (AUC_initial - AUC_current) / SE_current treats the initial AUC as exact. When the
    initial AUC has a standard error of its own (given with the parameter, or DeLong's on the development
    sample when mrmkit measures it there), the two AUCs come from independent samples and the test uses
    S = (AUC_initial - AUC_current) / sqrt(SE_current^2 + SE_initial^2) (Hanley and McNeil 1983, for AUCs of
    independent samples): treating a noisy initial AUC as exact raises false alarms, the more the larger
    the current sample (measured: 27 % at 5 % nominal with 100,000 current rows against a 20,000-row
    development sample). Both statistics are recorded; the finding uses the one with the right size.
    """
    if current is None:
        return None
    if isinstance(given, float):
        value, se, source = given, None, "backtest.initial_auc"
    elif given is not None:
        value, se, source = given.value, given.standard_error, "backtest.initial_auc"
    elif development is not None:
        value, se, source = development["auc"], math.sqrt(development["auc_variance"]), IN_SAMPLE
    else:
        return None
    reason = not_enough_data(min(int(y.sum()), int(y.size - y.sum())), min_events, "defaults or non-defaults")
    try:
        ecb = stats.auc_initial_test(value, y, s)
    except InsufficientData:  # too few defaults for DeLong's variance: not judged, and said so
        return {
            "auc_initial": value,
            "auc_current": current["auc"],
            "initial_auc_source": source,
            "initial_standard_error": se,
            "method": "ECB current-against-initial AUC test (not computed)",
            "status": NOT_ENOUGH_DATA,
            "status_reason": reason or "fewer than two defaults or non-defaults: DeLong's variance is undefined",
        }
    out = {
        **_plain(ecb),
        "initial_auc_source": source,
        "initial_standard_error": se,
        "ecb_statistic": ecb.statistic,
        "ecb_p_value": ecb.p_value,
    }
    if se is not None:
        test = stats.hanley_mcneil_test(value, se, ecb.auc_current, ecb.standard_error, alternative="greater")
        out.update(
            statistic=test.z,
            standard_error=test.standard_error,
            p_value=test.p_value,
            method="Current against initial AUC, both standard errors (independent samples)",
        )
    else:
        out["method"] = "ECB current-against-initial AUC test (initial AUC taken as exact)"
    if reason:
        out.update(status=NOT_ENOUGH_DATA, status_reason=reason)
    return out


def _concentration(
    ref_grades: np.ndarray,
    cur_grades: np.ndarray,
    cur_counts: np.ndarray,
    ref_counts: np.ndarray,
    grade_source: str,
    ctx: Context,
) -> dict[str, Any]:
    """The ECB Herfindahl index and test, and the chi-square test of homogeneity that decides the finding.

    With equal-population grades cut on the reference, the reference shares are equal by construction, so
    the initial coefficient of variation is 0 and the ECB statistic is about sqrt(K - 1) / sqrt(0.5) for any
    current sample (red in every simulated no-change sample): that test is not informative there, and in
    general it treats the initial CV as exact. The finding is the chi-square test of homogeneity of the
    2 x K table of grade counts, reference against current, whose size is right (both samples carry error).
    """
    hi = _plain(stats.herfindahl(cur_counts, ref_counts))
    equal_by_construction = "equal-population" in grade_source
    hi["ecb_test_informative"] = not equal_by_construction
    if equal_by_construction:
        hi["ecb_note"] = (
            "the grades were cut to equal shares of the reference sample, so its concentration is "
            "minimal by construction and the ECB test is not informative"
        )
    minimum = ctx.params.policy.min_sample.rows
    reason = not_enough_data(min(len(ref_grades), len(cur_grades)), minimum)
    if reason:
        test = {"status": NOT_ENOUGH_DATA, "status_reason": reason}
    else:
        chi = stats.chi2_test(pd.Series(ref_grades).astype(str), pd.Series(cur_grades).astype(str))
        test = {
            "statistic": chi.statistic,
            "df": chi.df,
            "p_value": chi.p_value,
            "test": "chi-square test of homogeneity of the grade counts (reference against current)",
            "status": classify_low(chi.p_value, ctx.params.policy.p_value),
        }
    return {**hi, "distribution_test": test}


def _migration(ctx: Context, ref_grades, cur_grades, order) -> dict[str, Any]:
    id_col = ctx.params.data.id
    if not id_col:
        return {"applicable": False, "reason": "no id column (data.id)"}
    ref_ids = pd.Series(ref_grades, index=ctx.inputs.reference[id_col].to_numpy())
    cur_ids = pd.Series(cur_grades, index=ctx.inputs.current[id_col].to_numpy())
    common = ref_ids.index.intersection(cur_ids.index)
    if len(common) == 0:
        return {"applicable": False, "reason": "no id occurs in both the reference and the current sample"}
    ref_ids = ref_ids[~ref_ids.index.duplicated()]
    cur_ids = cur_ids[~cur_ids.index.duplicated()]
    result = stats.migration_matrix(ref_ids[common].to_numpy(), cur_ids[common].to_numpy(), order)
    return {"applicable": True, **_plain(result)}
