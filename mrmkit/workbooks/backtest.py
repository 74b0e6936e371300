"""The backtest and stress-test workbook's analysis: PD outcome analysis, VaR backtesting, stress, sensitivity.

Conventions (recorded in ``backtest.settings``):

- outcome tests use the current sample's mature windows only (``backtest.maturity_months`` before
  ``backtest.as_of``); immature windows are shown and left out, with the reason;
- grades: the scale of ``backtest.grades``, else the ``data.grade`` column (grades ordered by label, best
  first), else ``backtest.n_grades`` equal-population grades cut on the reference sample's PDs;
- a grade's status is the Jeffreys test's p-value against ``policy.p_value`` (ECB instructions 2019);
- the ECB current-against-initial AUC test uses the DeLong standard error of the current AUC;
- VaR: an exception is a loss larger than VaR (pnl < -VaR, VaR a positive amount); the Basel traffic
  light covers the latest ``backtest.var.traffic_light_days`` days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from mrmkit import stats
from mrmkit.errors import InvalidInput
from mrmkit.io import parse_dates, read_frame, require_columns
from mrmkit.params import BacktestSection
from mrmkit.policy import NOT_ENOUGH_DATA, classify_low, finding, low_threshold_text, not_enough_data, p_value_finding
from mrmkit.stats._base import jsonable
from mrmkit.workbooks import Context, alerts, display

__all__ = ["BacktestEvidence", "analyse", "preflight", "window_maturity", "grade_table"]

WORKBOOK = "backtest"

#: A monotonicity violation is a finding only when the mean PD moves at least this much (0.01 percentage
#: point); smaller movements are numerical noise of the model, shown in the table but not flagged.
MATERIAL_PD_CHANGE = 1e-4


@dataclass(frozen=True)
class BacktestEvidence:
    """Everything the backtest workbook reports; ``metrics()`` is its entry in ``metrics.json``."""

    pd: dict[str, Any]
    classifier: dict[str, Any] | None
    grade_table: pd.DataFrame
    window_table: pd.DataFrame
    var: dict[str, Any] | None
    var_series: pd.DataFrame | None
    stress: dict[str, Any] | None
    stress_table: pd.DataFrame | None
    sensitivity: dict[str, Any] | None
    sensitivity_table: pd.DataFrame | None
    findings: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    def metrics(self) -> dict[str, Any]:
        return {
            "pd": self.pd,
            "classifier": self.classifier,
            "var": self.var,
            "stress": self.stress,
            "sensitivity": self.sensitivity,
            "settings": self.settings,
            "findings": self.findings,
        }


_plain = jsonable  # results and numpy values to plain JSON types


# ------------------------------------------------------------------------------------------ PD backtest


def _window_labels(dates: pd.Series) -> pd.Series:
    return dates.dt.to_period("M").astype(str)


def window_maturity(ctx: Context) -> tuple[np.ndarray, dict[str, dict[str, Any]], str]:
    """Mask of current rows whose outcome is mature, each window's maturity, and the rule as text."""
    cfg, inp = ctx.params.backtest, ctx.inputs
    n = len(inp.current)
    if not ctx.params.data.time:
        return np.ones(n, dtype=bool), {}, "no data.time: the whole current sample is treated as mature"
    labels = _window_labels(inp.current[ctx.params.data.time])
    windows: dict[str, dict[str, Any]] = {}
    if cfg.as_of is None:
        rule = "backtest.as_of not given: every window is treated as mature"
        mature_windows = set(labels.unique())
    else:
        as_of = pd.Timestamp(cfg.as_of)
        mature_windows = set()
        for label in sorted(labels.unique()):
            end = pd.Period(label, freq="M").end_time.normalize()
            matures = end + pd.DateOffset(months=cfg.maturity_months)
            ok = matures <= as_of
            windows[label] = {"mature": ok, "matures_on": matures.date().isoformat()}
            if ok:
                mature_windows.add(label)
        rule = (
            f"a window is mature when its last day plus {cfg.maturity_months} months is on or before "
            f"{cfg.as_of.isoformat()}"
        )
    for label in sorted(labels.unique()):
        windows.setdefault(label, {"mature": label in mature_windows, "matures_on": None})
    return labels.isin(mature_windows).to_numpy(), windows, rule


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


def grade_table(y: np.ndarray, score: np.ndarray, grades: np.ndarray, order: list[str], ctx: Context) -> pd.DataFrame:
    frame = pd.DataFrame({"grade": grades, "y": y, "pd": score})
    grouped = frame.groupby("grade", sort=False).agg(n=("y", "size"), defaults=("y", "sum"), mean_pd=("pd", "mean"))
    table = grouped.reindex(order)
    table["n"] = table["n"].fillna(0).astype(int)
    table["defaults"] = table["defaults"].fillna(0).astype(int)
    table["observed_rate"] = np.where(table["n"] > 0, table["defaults"] / table["n"].where(table["n"] > 0, 1), np.nan)
    populated = table["n"] > 0
    p_bin = np.full(len(table), np.nan)
    p_jef = np.full(len(table), np.nan)
    lo = np.full(len(table), np.nan)
    hi = np.full(len(table), np.nan)
    if populated.any():
        n, d, p = (
            table.loc[populated, "n"].to_numpy(),
            table.loc[populated, "defaults"].to_numpy(),
            table.loc[populated, "mean_pd"].to_numpy(),
        )
        binom = stats.binomial_test(n, d, p)
        jeff = stats.jeffreys_test(n, d, p)
        p_bin[populated.to_numpy()] = np.atleast_1d(binom.p_value)
        p_jef[populated.to_numpy()] = np.atleast_1d(jeff.p_value)
        lo[populated.to_numpy()] = np.atleast_1d(jeff.ci_lower)
        hi[populated.to_numpy()] = np.atleast_1d(jeff.ci_upper)
    table["binomial_p_value"] = p_bin
    table["jeffreys_p_value"] = p_jef
    table["jeffreys_ci_lower"] = lo
    table["jeffreys_ci_upper"] = hi
    minimum = ctx.params.policy.min_sample.events
    table["status"] = [
        "n/a" if n == 0 else NOT_ENOUGH_DATA if n < minimum else classify_low(v, ctx.params.policy.p_value)
        for v, n in zip(p_jef, table["n"], strict=True)
    ]
    table["status_reason"] = [not_enough_data(n, minimum, "loans") if 0 < n < minimum else None for n in table["n"]]
    table.index.name = None
    return table


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
        if ctx.params.model.kind == "classifier":  # the catch-rate trend at the operating point
            point = alerts.sample_metrics(y, s, ctx.params.policy) if disc else {}
            rows[label].update(recall=point.get("recall", np.nan),
                               false_positive_rate=point.get("false_positive_rate", np.nan))  # fmt: skip
    return pd.DataFrame.from_dict(rows, orient="index")


def _pd_backtest(ctx: Context) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame, list[dict[str, Any]]]:
    inp, cfg = ctx.inputs, ctx.params.backtest
    if ctx.params.model.kind == "var":
        reason = "model.kind var: a VaR engine is backtested on its P&L, VaR and ES series (below), not on defaults"
        return {"applicable": False, "reason": reason}, pd.DataFrame(), pd.DataFrame(), []
    if ctx.params.model.kind == "classifier":
        return {"applicable": False, "reason": alerts.CALIBRATION_REASON}, pd.DataFrame(), pd.DataFrame(), []
    if inp.current_target is None:
        reason = "no target column (data.target): outcome analysis needs observed defaults"
        return {"applicable": False, "reason": reason}, pd.DataFrame(), pd.DataFrame(), []
    mature, windows, maturity_rule = window_maturity(ctx)
    ref_grades, cur_grades, order, grade_source = _grades(ctx)
    y_cur, s_cur = inp.current_target[mature], inp.current_score[mature]
    if y_cur.size == 0:
        raise InvalidInput("backtest.as_of: no current window is mature yet, so no outcome can be tested.")
    development = _discrimination(inp.reference_target, inp.reference_score)
    current = _discrimination(y_cur, s_cur)
    auc_test = _auc_initial(cfg.initial_auc, development, current, y_cur, s_cur, ctx.params.policy.min_sample.events)
    table = grade_table(y_cur, s_cur, cur_grades[mature], order, ctx)
    populated = table[table["n"] > 0]
    hl = stats.hosmer_lemeshow(
        populated["n"].to_numpy(), populated["defaults"].to_numpy(), populated["mean_pd"].to_numpy()
    )
    spiegel = stats.spiegelhalter_test(y_cur, s_cur)
    brier = stats.brier_score(y_cur, s_cur)
    portfolio = stats.jeffreys_test(int(y_cur.size), int(y_cur.sum()), math.fsum(s_cur) / s_cur.size)
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
            "hosmer_lemeshow": _plain(hl),
            "spiegelhalter": _plain(spiegel),
            "brier": _plain(brier),
            "portfolio_jeffreys": _plain(portfolio),
        },
        "concentration": concentration,
        "migration": migration,
        "windows": {w: _plain(r.to_dict()) for w, r in windows_frame.iterrows()},
    }
    out = _pd_findings(metrics, table, ctx)
    return metrics, table, windows_frame, out


def _classifier_backtest(ctx: Context) -> tuple[dict[str, Any] | None, pd.DataFrame, list[dict[str, Any]]]:
    """An alerting model's outcome analysis: AUC and the ECB test, and everything at the operating point."""
    inp, cfg, policy = ctx.inputs, ctx.params.backtest, ctx.params.policy
    if ctx.params.model.kind != "classifier":
        return None, pd.DataFrame(), []
    if inp.current_target is None:
        reason = "no target column (data.target): outcome analysis needs observed events"
        return {"applicable": False, "reason": reason}, pd.DataFrame(), []
    mature, windows, maturity_rule = window_maturity(ctx)
    y_cur, s_cur = inp.current_target[mature], inp.current_score[mature]
    if y_cur.size == 0:
        raise InvalidInput("backtest.as_of: no current window is mature yet, so no outcome can be tested.")
    y_ref, s_ref = inp.reference_target, inp.reference_score
    development, current = _discrimination(y_ref, s_ref), _discrimination(y_cur, s_cur)
    if development is None or current is None:  # a sample with no event (or only events) has no catch rate
        one_class = "reference" if development is None else "current (mature)"
        point: dict[str, Any] = {"rule": alerts.operating_text(policy), "applicable": False,
                                 "reason": f"the {one_class} sample holds a single class, so no catch rate or "
                                 "false-positive rate can be measured"}  # fmt: skip
    else:
        reference_point = alerts.sample_metrics(y_ref, s_ref, policy)
        current_point = alerts.sample_metrics(y_cur, s_cur, policy)
        point = {"rule": alerts.operating_text(policy), "applicable": True, "reference": reference_point,
                 "current": current_point, "tests": alerts.outcome_tests(reference_point, current_point, policy)}  # fmt: skip
        if policy.alert_rate is not None:  # the alert volume a threshold frozen on the reference sample gives today
            frozen = reference_point["threshold"]
            point["current_at_reference_threshold"] = alerts.sample_metrics(y_cur, s_cur, policy, threshold=frozen)
    windows_frame = _window_table(ctx, mature, windows)
    metrics = {
        "applicable": True,
        "maturity": {"rule": maturity_rule, "windows": windows, "n_mature": int(mature.sum()),
                     "n_immature": int((~mature).sum())},  # fmt: skip
        "discrimination": {"development": development, "current": current,
                           "auc_initial_test": _auc_initial(cfg.initial_auc, development, current, y_cur, s_cur,
                                                            policy.min_sample.events)},  # fmt: skip
        "operating_point": point,
        "calibration": {"applicable": False, "reason": alerts.CALIBRATION_REASON},
        "windows": {w: _plain(r.to_dict()) for w, r in windows_frame.iterrows()},
    }
    out = _auc_finding(metrics["discrimination"]["auc_initial_test"], ctx, "classifier")
    out += alerts.findings(metrics, policy, WORKBOOK)
    return metrics, windows_frame, out


IN_SAMPLE = "development sample (in-sample)"


def _auc_initial(given: Any, development: dict[str, Any] | None, current: dict[str, Any] | None, y: np.ndarray,
                 s: np.ndarray, min_events: int) -> dict[str, Any] | None:  # fmt: skip
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
    ecb = stats.auc_initial_test(value, y, s)
    out = {**_plain(ecb), "initial_auc_source": source, "initial_standard_error": se,
           "ecb_statistic": ecb.statistic, "ecb_p_value": ecb.p_value}  # fmt: skip
    if se is not None:
        total = math.sqrt(ecb.standard_error**2 + se**2)
        z = (value - ecb.auc_current) / total
        out.update(statistic=z, standard_error=total, p_value=float(sps.norm.sf(z)),
                   method="Current against initial AUC, both standard errors (independent samples)")  # fmt: skip
    else:
        out["method"] = "ECB current-against-initial AUC test (initial AUC taken as exact)"
    reason = not_enough_data(min(int(y.sum()), int(y.size - y.sum())), min_events, "defaults or non-defaults")
    if reason:
        out.update(status=NOT_ENOUGH_DATA, status_reason=reason)
    return out


def _concentration(ref_grades: np.ndarray, cur_grades: np.ndarray, cur_counts: np.ndarray, ref_counts: np.ndarray,
                   grade_source: str, ctx: Context) -> dict[str, Any]:  # fmt: skip
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
        hi["ecb_note"] = ("the grades were cut to equal shares of the reference sample, so its concentration is "
                          "minimal by construction and the ECB test is not informative")  # fmt: skip
    minimum = ctx.params.policy.min_sample.rows
    reason = not_enough_data(min(len(ref_grades), len(cur_grades)), minimum)
    if reason:
        test = {"status": NOT_ENOUGH_DATA, "status_reason": reason}
    else:
        chi = stats.chi2_test(pd.Series(ref_grades).astype(str), pd.Series(cur_grades).astype(str))
        test = {"statistic": chi.statistic, "df": chi.df, "p_value": chi.p_value,
                "test": "chi-square test of homogeneity of the grade counts (reference against current)",
                "status": classify_low(chi.p_value, ctx.params.policy.p_value)}  # fmt: skip
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


def _auc_finding(test: dict[str, Any] | None, ctx: Context, section: str) -> list[dict[str, Any]]:
    """The current-against-initial AUC finding (none when green or not judged)."""
    if test is None or test.get("status") == NOT_ENOUGH_DATA:
        return []
    in_sample = test["initial_auc_source"] == IN_SAMPLE
    f = p_value_finding(
        WORKBOOK,
        test["p_value"],
        ctx.params.policy.p_value,
        lambda: (
            f"Discrimination has deteriorated (AUC {test['auc_current']:.3f} against "
            f"{'the in-sample development AUC ' if in_sample else ''}{test['auc_initial']:.3f})",
            f"{test['method']}: S = {test['statistic']:.2f}, one-sided p = {test['p_value']:.3g}"
            + (". The initial AUC was measured on the development (training) sample itself, which is "
               "optimistic; give backtest.initial_auc from the original validation." if in_sample else "."),
        ),  # fmt: skip
        f"backtest.{section}.discrimination.auc_initial_test.p_value",
    )
    return [f] if f is not None else []


def _pd_findings(metrics: dict[str, Any], table: pd.DataFrame, ctx: Context) -> list[dict[str, Any]]:
    policy = ctx.params.policy.p_value
    rule = low_threshold_text("p-value", policy)
    out = _auc_finding(metrics["discrimination"]["auc_initial_test"], ctx, "pd")
    for grade, row in table.iterrows():
        if row["status"] in ("amber", "red"):
            out.append(
                finding(
                    WORKBOOK,
                    row["status"],
                    f"PD underestimated in grade {grade}",
                    f"{int(row['defaults'])} defaults in {int(row['n'])} loans ({row['observed_rate']:.2%}) against a mean PD of "
                    f"{row['mean_pd']:.2%}; Jeffreys p = {row['jeffreys_p_value']:.3g}, binomial p = {row['binomial_p_value']:.3g}.",
                    metric=f"backtest.pd.calibration.grades.{grade}.jeffreys_p_value",
                    value=float(row["jeffreys_p_value"]),
                    threshold=rule,
                    worse="lower",
                )
            )
        if row["n"] == 0:
            out.append(
                finding(
                    WORKBOOK,
                    "amber",
                    f"Grade {grade} has no mature observations",
                    "No loan of this grade in the mature current sample: its calibration cannot be tested.",
                    metric=f"backtest.pd.calibration.grades.{grade}.n",
                    value=0,
                    threshold="an empty grade is amber",
                )
            )
    cal = metrics["calibration"]
    n_mature = metrics["maturity"]["n_mature"]
    for key, label in (
        ("portfolio_jeffreys", "Portfolio PD underestimated (Jeffreys)"),
        ("hosmer_lemeshow", "Grades miscalibrated (Hosmer-Lemeshow)"),
    ):
        reason = not_enough_data(n_mature, ctx.params.policy.min_sample.events, "mature loans")
        if reason:
            cal[key].update(status=NOT_ENOUGH_DATA, status_reason=reason)
            continue
        p = cal[key]["p_value"]
        out.append(
            p_value_finding(
                WORKBOOK,
                p,
                policy,
                lambda label=label, p=p: (label, f"p = {p:.3g}."),
                f"backtest.pd.calibration.{key}.p_value",
            )
        )
    conc = metrics["concentration"]
    shift = conc["distribution_test"]
    if shift.get("status") in ("amber", "red"):
        out.append(
            finding(
                WORKBOOK, shift["status"], "The distribution over the grades has changed",
                f"Chi-square test of homogeneity of the grade counts, reference against current: chi-square "
                f"{shift['statistic']:.2f}, df {shift['df']}, p = {shift['p_value']:.3g}; Herfindahl index "
                f"{conc['hi']:.3f} against {conc['hi_initial']:.3f} initially"
                + ("" if conc["ecb_test_informative"] else " (the ECB concentration test is not informative here: "
                   "the grades were cut to equal shares of the reference)") + ".",
                metric="backtest.pd.concentration.distribution_test.p_value", value=float(shift["p_value"]),
                threshold=rule, worse="lower",
            )
        )  # fmt: skip
    return [f for f in out if f is not None]


# ------------------------------------------------------------------------------------------ VaR


def read_var_series(v: Any) -> tuple[pd.DataFrame, pd.Series]:
    """The VaR file sorted by date, with every problem named by file and field (gaps, text, repeats)."""
    frame = read_frame(v.data, "backtest.var.data")
    require_columns(frame, [v.date, v.pnl, *v.levels, *v.es], v.data, "backtest.var")
    dates = parse_dates(frame[v.date], v.data, "backtest.var.date")
    if dates.duplicated().any():
        raise InvalidInput(
            f"backtest.var.date: {v.data} repeats {int(dates.duplicated().sum())} dates; one row per day is expected."
        )
    for key, column in (("backtest.var.pnl", v.pnl), *((f"backtest.var.levels.{c}", c) for c in v.levels),
                        *((f"backtest.var.es.{c}", c) for c in v.es)):  # fmt: skip
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            first = frame.loc[bad.to_numpy(), v.date].iloc[0]
            raise InvalidInput(
                f"{key}: column {column!r} in {v.data} has {int(bad.sum())} missing or non-numeric values "
                f"(first on {first}); a VaR backtest needs every day."
            )
        frame[column] = values.astype(float)
    order = np.argsort(dates.to_numpy(), kind="stable")
    return frame.iloc[order].reset_index(drop=True), dates.iloc[order].reset_index(drop=True)


def _var_backtest(
    cfg: BacktestSection, ctx: Context
) -> tuple[dict[str, Any] | None, pd.DataFrame | None, list[dict[str, Any]]]:
    if cfg.var is None:
        return None, None, []
    v = cfg.var
    frame, dates = read_var_series(v)
    policy = ctx.params.policy.p_value
    levels, findings_out = {}, []
    series = pd.DataFrame({"date": dates.to_numpy(), "pnl": frame[v.pnl].to_numpy()})
    too_few = not_enough_data(len(frame), ctx.params.policy.min_sample.var_days, "days")  # every test: one per day
    for column, coverage in v.levels.items():
        exc = stats.var_exceptions(frame[v.pnl], frame[column])
        hits = np.asarray(exc.hits)
        series[column] = frame[column].to_numpy()
        series[f"{column}_exception"] = hits
        entry = {
            "coverage": coverage,
            "n": int(hits.size),
            "exceptions": int(hits.sum()),
            "kupiec_pof": _plain(stats.kupiec_pof(hits, coverage)),
            "christoffersen_independence": _plain(stats.christoffersen_independence(hits)),
            "conditional_coverage": _plain(stats.conditional_coverage(hits, coverage)),
            "binomial_z": _plain(stats.binomial_z_test(hits, coverage)),
            "time_until_first_failure": _plain(stats.time_until_first_failure(hits, coverage)),
        }
        days = v.traffic_light_days
        if hits.size >= days:
            recent = hits[-days:]
            light = stats.basel_traffic_light(int(recent.sum()), n=days, coverage=coverage)
            basel = coverage == 0.99 and days == 250  # the only setting the Basel Committee defines zones for
            name = ("Basel traffic light" if basel else
                    f"binomial traffic-light zones (an extension of Basel's to {coverage:.1%} over {days} days, not a Basel zone)")  # fmt: skip
            entry["traffic_light"] = {"applicable": True, "days": days, "basel": basel, "name": name, **_plain(light)}
            zone = entry["traffic_light"]["zone"]
            if zone in ("yellow", "red"):
                findings_out.append(
                    finding(
                        WORKBOOK,
                        "amber" if zone == "yellow" else "red",
                        f"VaR {column}: {name} {zone} ({int(recent.sum())} exceptions in {days} days)",
                        f"Cumulative binomial probability {light.cumulative_probability:.4f}; plus factor "
                        f"{light.plus_factor if light.plus_factor is not None else 'n/a'}.",
                        metric=f"backtest.var.levels.{column}.traffic_light.zone",
                        threshold="green below 0.95, red from 0.9999 cumulative probability",
                    )
                )
        else:
            entry["traffic_light"] = {
                "applicable": False,
                "reason": f"only {hits.size} days; the traffic light needs {days}",
            }
        if too_few:
            entry["status"], entry["status_reason"] = NOT_ENOUGH_DATA, too_few
        for key, label in (
            ("kupiec_pof", "Kupiec proportion of failures"),
            ("christoffersen_independence", "Christoffersen independence"),
            ("conditional_coverage", "conditional coverage"),
        ):
            if too_few:
                continue
            p = entry[key]["p_value_exact"] if key == "kupiec_pof" else entry[key]["p_value"]  # Kupiec: exact
            found = p_value_finding(
                WORKBOOK,
                p,
                policy,
                lambda label=label, p=p, entry=entry, column=column, coverage=coverage: (
                    f"VaR {column}: {label} test rejects (p = {p:.3g})",
                    f"{entry['exceptions']} exceptions in {entry['n']} days at {coverage:.1%} coverage "
                    f"(expected {entry['n'] * (1 - coverage):.1f}).",
                ),
                f"backtest.var.levels.{column}.{key}.p_value" + ("_exact" if key == "kupiec_pof" else ""),
            )
            if found is not None:
                findings_out.append(found)
        levels[column] = entry
    es_tests = {}
    for es_column, var_column in v.es.items():
        coverage = v.levels[var_column]
        series[es_column] = frame[es_column].to_numpy()
        test = _plain(stats.es_backtest(frame[v.pnl], frame[var_column], frame[es_column], coverage,
                                        distribution=v.es_distribution, degrees_of_freedom=v.es_degrees_of_freedom,
                                        n_simulations=v.es_simulations, seed=ctx.params.seed))  # fmt: skip
        test["var_column"] = var_column
        if too_few:
            test["status"], test["status_reason"] = NOT_ENOUGH_DATA, too_few
        else:
            found = p_value_finding(
                WORKBOOK, test["p_value"], policy,
                lambda t=test, c=es_column, cov=coverage: (
                    f"ES {c}: Acerbi-Szekely Z2 test rejects (Z2 = {t['statistic']:.3f}, p = {t['p_value']:.3g})",
                    f"Losses beyond the {cov:.1%} VaR are larger or more frequent than the ES allows: Z2 "
                    f"{t['statistic']:.3f} against a {1 - t['test_level']:.0%} critical value of "
                    f"{t['critical_value']:.3f} ({t['distribution']} null, {t['n_simulations']:,} simulations).",
                ),
                f"backtest.var.es.{es_column}.p_value",
            )  # fmt: skip
            if found is not None:
                findings_out.append(found)
        es_tests[es_column] = test
    # contract key: backtest.var.kupiec_pof.* is the first (highest-coverage) level
    first = max(v.levels, key=lambda c: v.levels[c])
    metrics = {
        "levels": levels,
        "primary_level": first,
        **{
            k: levels[first][k]
            for k in ("kupiec_pof", "christoffersen_independence", "conditional_coverage", "traffic_light")
        },
        "es": es_tests,
        "exception_rule": "an exception is a day whose loss exceeds VaR: pnl < -VaR (VaR a positive amount)",
        "n_days": int(len(series)),
        "first_date": str(series["date"].iloc[0].date()),
        "last_date": str(series["date"].iloc[-1].date()),
    }
    return metrics, series, findings_out


# ------------------------------------------------------------------------------------------ stress and sensitivity


def _not_applicable(reason: str) -> dict[str, Any]:
    return {"applicable": False, "reason": reason}


def _stress(cfg: BacktestSection, ctx: Context) -> tuple[dict[str, Any] | None, pd.DataFrame | None]:
    from mrmkit import stress

    if cfg.stress is None:
        return None, None
    inp = ctx.inputs
    if inp.model is None:
        return _not_applicable(
            "scores-only mode: stress scenarios need the model (model.artifact) to rescore shocked data"
        ), None
    s = cfg.stress
    cur = inp.current
    exposure = cur[s.exposure].to_numpy(dtype=float) if s.exposure else None
    if isinstance(s.lgd, str):
        lgd = cur[s.lgd].to_numpy(dtype=float)
    elif s.lgd is not None:
        lgd = np.full(len(cur), float(s.lgd))
    else:
        lgd = None
    scenarios = [sc.model_dump(exclude_none=True, exclude={"description"}) for sc in s.scenarios]
    for sc in scenarios:
        if "segment" in sc and not sc["segment"].get("column"):
            sc["segment"]["column"] = ctx.params.data.segment
    bounds = cfg.grades.upper_bounds if cfg.grades else None
    result = stress.run_scenarios(
        inp.model,
        cur,
        list(inp.features),
        scenarios,
        cutoff=ctx.params.policy.cutoff,
        grade_bounds=bounds,
        exposure=exposure,
        lgd=lgd,
        domains={k: tuple(v) for k, v in s.domains.items()},
        clip=s.clip,
        reference=inp.reference,
    )
    return {"applicable": True, **_plain(result)}, result.to_frame()


def _sensitivity(
    cfg: BacktestSection, ctx: Context
) -> tuple[dict[str, Any], pd.DataFrame | None, list[dict[str, Any]]]:
    from mrmkit import stress

    inp = ctx.inputs
    if ctx.params.model.kind == "var":
        return _not_applicable("model.kind var: a VaR engine has no application features to perturb"), None, []
    if inp.model is None:
        return (
            _not_applicable("scores-only mode: sensitivity needs the model (model.artifact) to rescore perturbed data"),
            None,
            [],
        )
    s = cfg.sensitivity
    result = stress.sensitivity(
        inp.model,
        inp.current,
        list(inp.features),
        list(inp.categorical),
        cutoff=(alerts.policy_threshold(ctx.params.policy, inp.current_score) if ctx.params.model.kind == "classifier"
                else ctx.params.policy.cutoff),  # a classifier's decisions flip at its alert threshold
        steps=(("sd", s.sd_step), ("relative", s.relative_step)),
        expected_direction=dict(s.expected_direction),
    )
    frame = result.to_frame()
    out = []
    word = "score" if ctx.params.model.kind == "classifier" else "PD"
    if "monotonicity" in frame.columns:
        material = frame["max_abs_change"] >= MATERIAL_PD_CHANGE
        for _, row in frame[(frame["monotonicity"] == "violated") & material].iterrows():
            out.append(
                finding(
                    WORKBOOK,
                    "amber",
                    f"Sensitivity: {row['feature']} moves the {word} against its expected direction",
                    f"Step {row['step']}: mean {word} change {row['change_up']:+.4f} up, {row['change_down']:+.4f} down.",
                    metric="backtest.sensitivity.rows",
                    threshold="a violated expected direction is amber",
                )
            )
    return {"applicable": True, **_plain(result)}, frame, out


# ------------------------------------------------------------------------------------------ entry point


def _unjudged_var(var_metrics: dict[str, Any] | None) -> list[str]:
    """The VaR levels and ES series whose tests got "not enough data"."""
    if var_metrics is None:
        return []
    entries = [*var_metrics["levels"].items(), *var_metrics.get("es", {}).items()]
    return [f"{'ES' if k in var_metrics.get('es', {}) else 'VaR'} {k}" for k, e in entries
            if e.get("status") == NOT_ENOUGH_DATA]  # fmt: skip


def preflight(params: Any, inputs: Any) -> None:
    """Check what the workbook will read before any notebook runs, so bad input is exit code 2."""
    from mrmkit import stress

    cfg = params.backtest
    for name, scores, path in (
        ("reference", inputs.reference_score, params.data.reference),
        ("current", inputs.current_score, params.data.current),
    ) if params.model.kind == "pd" else ():
        edge = (scores <= 0) | (scores >= 1)
        if edge.any():
            source = "model.artifact" if inputs.score_source == "artifact" else "data.score"
            raise InvalidInput(
                f"{source}: {int(edge.sum())} PDs of the {name} sample ({path}) are exactly 0 or 1; outcome tests need "
                "PDs strictly between 0 and 1."
            )
    if cfg.var is not None:
        read_var_series(cfg.var)
    if cfg.stress is not None and inputs.model is not None:
        s = cfg.stress
        for column, field in (
            (s.exposure, "backtest.stress.exposure"),
            (s.lgd if isinstance(s.lgd, str) else None, "backtest.stress.lgd"),
        ):
            if column:
                require_columns(inputs.current, [column], params.data.current, field)
        for sc in cfg.stress.scenarios:
            segment = sc.segment.model_dump() if sc.segment else None
            if segment and not segment.get("column"):
                segment["column"] = params.data.segment
            stress.apply_shocks(
                inputs.current, [sh.model_dump(exclude_none=True) for sh in sc.shocks], inputs.reference, segment,
                features=list(inputs.features), categorical=list(inputs.categorical),
                domains={k: tuple(v) for k, v in s.domains.items()}, clip=s.clip, scenario=sc.name,
            )  # fmt: skip


def analyse(ctx: Context) -> BacktestEvidence:
    """Run every part of the backtest workbook the parameters enable."""
    cfg = ctx.params.backtest
    pd_metrics, grades_frame, window_table, pd_findings = _pd_backtest(ctx)
    classifier_metrics, classifier_windows, classifier_findings = _classifier_backtest(ctx)
    if classifier_metrics is not None:
        window_table, pd_findings = classifier_windows, classifier_findings
    var_metrics, var_series, var_findings = _var_backtest(cfg, ctx)
    stress_metrics, stress_table = _stress(cfg, ctx)
    sens_metrics, sens_table, sens_findings = _sensitivity(cfg, ctx)
    findings_all = pd_findings + var_findings + sens_findings
    unjudged = _unjudged_var(var_metrics)
    if unjudged:  # a backtest left unjudged is a limitation of the validation, never part of a green "no finding"
        findings_all.append(finding(
            WORKBOOK, "amber", f"Not enough data to backtest {', '.join(unjudged)}",
            f"{var_metrics['n_days']:,} days of P&L, fewer than the policy's minimum of "
            f"{ctx.params.policy.min_sample.var_days:,}: these tests were computed but not judged.",
            metric="backtest.var.n_days", value=var_metrics["n_days"],
            threshold=f"at least {ctx.params.policy.min_sample.var_days:,} days (policy.min_sample.var_days)",
            worse="lower",
        ))  # fmt: skip
    if not findings_all:
        findings_all.append(
            finding(
                WORKBOOK,
                "green",
                "No backtest finding",
                "Every outcome test is above the policy's p-value thresholds.",
                metric="backtest.findings",
                threshold=low_threshold_text("p-value", ctx.params.policy.p_value),
            )
        )
    classifier = ctx.params.model.kind == "classifier"
    settings = {
        "p_value_thresholds": {"amber": ctx.params.policy.p_value.amber, "red": ctx.params.policy.p_value.red},
        **({"operating_point": alerts.operating_text(ctx.params.policy),
            "alert_performance_tests": "catch rate and false-positive rate, current against reference: one-sided "
            "two-proportion z tests"} if classifier else {"cutoff": ctx.params.policy.cutoff}),
        "maturity_months": cfg.maturity_months,
        "as_of": cfg.as_of.isoformat() if cfg.as_of else None,
        **({} if classifier else {"grade_status_test": "Jeffreys (one-sided, H0: PD not underestimated)"}),
        "sensitivity_materiality": f"a monotonicity violation is a finding when the mean {'score' if classifier else 'PD'} "
        f"moves by {MATERIAL_PD_CHANGE:g} or more",
        "auc_initial_test": "ECB (2019): S = (AUC_initial - AUC_current) / DeLong standard error of AUC_current; one-sided",
    }
    return BacktestEvidence(
        pd=pd_metrics,
        classifier=classifier_metrics,
        grade_table=grades_frame,
        window_table=window_table,
        var=var_metrics,
        var_series=var_series,
        stress=stress_metrics,
        stress_table=stress_table,
        sensitivity=sens_metrics,
        sensitivity_table=sens_table,
        findings=findings_all,
        settings=settings,
    )


# --- presentation: what the notebook displays (formatting in mrmkit.workbooks.display) --------------


def findings_frame(evidence: BacktestEvidence) -> Any:
    return display.findings_table(evidence.findings)


def discrimination_frame(evidence: BacktestEvidence) -> Any:
    classifier = evidence.classifier is not None
    d = (evidence.classifier if classifier else evidence.pd)["discrimination"]
    cases, events = ("cases", "events") if classifier else ("loans", "defaults")
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
                f"{m['auc_ci'][0]:.4f} to {m['auc_ci'][1]:.4f}",
                m["gini"],
                m["ks"],
                "",
            )
        )
    frame = pd.DataFrame(
        rows, columns=["sample", cases, events, "AUC", "AUC 95% CI (DeLong)", "Gini", "KS", "note"]
    )
    t = d["auc_initial_test"]
    styler = display.styled(
        frame,
        {
            cases: display.INTEGER,
            events: display.INTEGER,
            "AUC": display.FIXED4,
            "Gini": display.FIXED4,
            "KS": display.FIXED4,
        },
        status_columns=(),
        index=False,
    )
    if t is not None:
        judged = (f"S = {t['statistic']:.3f}, one-sided p = {t['p_value']:.3g}" if t.get("status") != NOT_ENOUGH_DATA
                  else f"not judged: {t['status_reason']}")  # fmt: skip
        warning = "; measured in-sample, so optimistic" if t["initial_auc_source"] == IN_SAMPLE else ""
        styler = styler.set_caption(
            f"{t['method']}: initial AUC {t['auc_initial']:.4f} ({t['initial_auc_source']}{warning}), {judged}"
        )
    return styler


def maturity_text(evidence: BacktestEvidence) -> Any:
    m = (evidence.classifier or evidence.pd)["maturity"]
    immature = [w for w, v in m["windows"].items() if not v["mature"]]
    if immature:
        return display.text(
            "Maturity: {}. {:,} loans are mature; {:,} loans in windows {} are not yet mature and are left out of "
            "the outcome tests.", m["rule"], m["n_mature"], m["n_immature"], ", ".join(immature),
        )  # fmt: skip
    return display.text("Maturity: {}. {:,} loans are mature.", m["rule"], m["n_mature"])


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
            "observed_rate",
            "mean_pd",
            "binomial_p_value",
            "jeffreys_p_value",
            "jeffreys_ci_lower",
            "jeffreys_ci_upper",
            "status",
        ]
    ]
    return display.styled(
        t,
        {
            "n": display.INTEGER, "defaults": display.INTEGER, "observed_rate": display.PERCENT, "mean_pd": display.PERCENT,
            "binomial_p_value": display.P_VALUE, "jeffreys_p_value": display.P_VALUE,
            "jeffreys_ci_lower": display.PERCENT, "jeffreys_ci_upper": display.PERCENT,
        },
        labels={"n": "loans", "observed_rate": "observed DR", "mean_pd": "mean PD", "binomial_p_value": "binomial p",
                "jeffreys_p_value": "Jeffreys p", "jeffreys_ci_lower": "Jeffreys 95% low", "jeffreys_ci_upper": "Jeffreys 95% high"},
    )  # fmt: skip


def calibration_summary_frame(evidence: BacktestEvidence) -> Any:
    c = evidence.pd["calibration"]
    policy = _p_thresholds(evidence)
    rows = [
        (
            "Hosmer-Lemeshow",
            f"chi-square {c['hosmer_lemeshow']['statistic']:.3f}, df {c['hosmer_lemeshow']['df']}",
            c["hosmer_lemeshow"]["p_value"],
        ),
        ("Spiegelhalter", f"z {c['spiegelhalter']['z']:.3f}", c["spiegelhalter"]["p_value"]),
        (
            "Jeffreys, whole portfolio",
            f"{c['portfolio_jeffreys'].get('observed_rate', float('nan')):.3%} observed",
            c["portfolio_jeffreys"]["p_value"],
        ),
        ("Brier score", f"{c['brier']['value']:.5f}", None),
    ]
    frame = pd.DataFrame(rows, columns=["test", "statistic", "p_value"])
    frame["status"] = [classify_low(p, policy) if not pd.isna(p) else "" for p in frame["p_value"]]
    return display.styled(frame, {"p_value": display.P_VALUE}, labels={"p_value": "p"}, index=False)


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
        parts.append(f"Chi-square test of homogeneity of the grade counts not judged: {shift['status_reason']}")
    else:
        parts.append(f"Chi-square test of homogeneity of the grade counts, reference against current (decides the "
                     f"finding): chi-square {shift['statistic']:.2f}, df {shift['df']}, p = {shift['p_value']:.3g}")  # fmt: skip
    if c.get("p_value") is not None:
        parts.append(f"ECB test of higher concentration than initially: statistic {c['statistic']:.3f}, one-sided "
                     f"p = {c['p_value']:.3g}" + ("" if c["ecb_test_informative"] else f" ({c['ecb_note']})"))  # fmt: skip
    return styler.set_caption(". ".join(parts) + ".")


def migration_text(evidence: BacktestEvidence) -> Any:
    m = evidence.pd["migration"]
    if not m["applicable"]:
        return display.text("Migration matrix not applicable: {}.", m["reason"])
    return display.text(
        "Migration from the reference to the current grade of the {:,} loans present in both: {:.1%} keep their "
        "grade, {:.1%} move to a better grade, {:.1%} to a worse one.",
        m.get("n", 0), m.get("diagonal_share", float("nan")), m.get("upgrade_share", float("nan")),
        m.get("downgrade_share", float("nan")),
    )  # fmt: skip


def migration_frame(evidence: BacktestEvidence) -> Any:
    m = evidence.pd["migration"]
    order = m["labels"]
    frame = pd.DataFrame(m["counts"], index=order, columns=order)
    return display.styled(frame.astype(float), {c: display.INTEGER for c in frame.columns}, status_columns=())


def window_frame_for_display(evidence: BacktestEvidence) -> Any:
    t = evidence.window_table.assign(mature=evidence.window_table["mature"].map({True: "yes", False: "no"}))
    classifier = evidence.classifier is not None
    labels = {"n": "loans", "observed_rate": "observed DR", "mean_pd": "mean PD", "auc": "AUC", "matures_on": "matures on"}
    if classifier:
        labels.update(n="cases", defaults="events", observed_rate="event rate", mean_pd="mean score",
                      recall="catch rate", false_positive_rate="false-positive rate")  # fmt: skip
    return display.styled(
        t,
        {
            "n": display.INTEGER,
            "defaults": display.INTEGER,
            "observed_rate": display.PERCENT,
            "mean_pd": display.PERCENT,
            "auc": display.FIXED4,
            **({"recall": display.PERCENT, "false_positive_rate": _percent2} if classifier else {}),
        },
        status_columns=(),
        labels=labels,
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
        rows.append({"sample": label, "threshold": m["threshold"], "cases": m["n"], "events": m["positives"],
                     "alert rate": m["alert_rate"], "alerts": m["true_positives"] + m["false_positives"],
                     "caught": m["true_positives"], "catch rate (recall)": m["recall"], "precision": m["precision"],
                     "false-positive rate": m["false_positive_rate"], "F1": m["f1"], "lift": m["lift"],
                     "average precision": m["average_precision"],
                     **({"expected cost per 1,000 cases": cost["per_1000"]} if cost else {})})  # fmt: skip
    fmt = {"threshold": display.FIXED4, "cases": display.INTEGER, "events": display.INTEGER, "alerts": display.INTEGER,
           "caught": display.INTEGER, "alert rate": _percent2, "catch rate (recall)": display.PERCENT,
           "precision": display.PERCENT, "false-positive rate": _percent2, "F1": display.FIXED4, "lift": _one_decimal,
           "average precision": display.FIXED4, "expected cost per 1,000 cases": display.INTEGER}  # fmt: skip
    styler = display.styled(pd.DataFrame(rows), fmt, status_columns=(), index=False)
    return styler.set_caption(f"Operating point: {point['rule']}; a case is alerted when its score is at or above the "
                              "threshold")  # fmt: skip


def alert_tests_frame(evidence: BacktestEvidence) -> Any:
    """Catch rate and false-positive rate, current against reference, with their one-sided tests."""
    tests = evidence.classifier["operating_point"]["tests"]
    rows = []
    for label, key in (("catch rate (recall)", "recall"), ("false-positive rate", "false_positive_rate")):
        t = tests[key]
        judged = t.get("status") != NOT_ENOUGH_DATA
        rows.append({"measure": label, "reference": t["reference"], "current": t["current"], "difference": t["difference"],
                     "test": t["test"], "z": t["z"] if judged else None, "p": t["p_value"] if judged else None,
                     "status": t["status"]})  # fmt: skip
    fmt = {"reference": _percent2, "current": _percent2, "difference": lambda v: f"{v:+.2%}", "z": _two_decimals,
           "p": display.P_VALUE}  # fmt: skip
    return display.styled(pd.DataFrame(rows), fmt, index=False)


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

        rows.append({
            "VaR": column, "coverage": e["coverage"], "days": e["n"], "exceptions": e["exceptions"],
            "expected": e["n"] * (1 - e["coverage"]),
            "Kupiec p (exact)": e["kupiec_pof"]["p_value_exact"], "Kupiec": status(e["kupiec_pof"]["p_value_exact"]),
            "independence p": e["christoffersen_independence"]["p_value"],
            "independence": status(e["christoffersen_independence"]["p_value"]),
            "cond. coverage p": e["conditional_coverage"]["p_value"],
            "cond. coverage": status(e["conditional_coverage"]["p_value"]),
            "binomial z": e["binomial_z"]["z"],
            "first failure (day)": e["time_until_first_failure"].get("first_failure"),
            "traffic light": tl.get("zone", "n/a") if tl["applicable"] else "n/a",
            "plus factor": tl.get("plus_factor") if tl["applicable"] else None,
        })  # fmt: skip
    frame = pd.DataFrame(rows)
    zone_css = {
        "green": display.STATUS_CSS["green"],
        "yellow": display.STATUS_CSS["amber"],
        "red": display.STATUS_CSS["red"],
    }
    styler = display.styled(
        frame,
        {"coverage": display.PERCENT, "expected": _one_decimal, "Kupiec p (exact)": display.P_VALUE, "independence p": display.P_VALUE,
         "cond. coverage p": display.P_VALUE, "binomial z": _two_decimals, "plus factor": _two_decimals},
        status_columns=("Kupiec", "independence", "cond. coverage"),
        index=False,
    )  # fmt: skip
    return styler.map(lambda v: zone_css.get(v, ""), subset=["traffic light"]).set_caption(
        evidence.var["exception_rule"]
    )


def es_frame(evidence: BacktestEvidence) -> Any:
    """One row per ES column: Acerbi and Szekely's Z2, its critical value and p-value, and the status."""
    policy = _p_thresholds(evidence)
    rows = [{
        "ES": column, "VaR": t["var_column"], "coverage": t["coverage"], "days": t["n"], "exceptions": t["exceptions"],
        "Z2": t["statistic"], "critical value": t["critical_value"], "p": t["p_value"],
        "status": t.get("status") or classify_low(t["p_value"], policy),
        "null": f"{t['distribution']}" + (f" ({t['degrees_of_freedom']:g} df)" if t["degrees_of_freedom"] else "")
        + f", {t['n_simulations']:,} simulations",
    } for column, t in evidence.var["es"].items()]  # fmt: skip
    caption = ("Z2 = sum of P&L beyond VaR / (T (1 - coverage) ES) + 1; 0 when the ES is right, negative when "
               "it is understated. The critical value is the 5% quantile of Z2 simulated under the null.")  # fmt: skip
    return display.styled(
        pd.DataFrame(rows), {"coverage": display.PERCENT, "Z2": _three_decimals, "critical value": _three_decimals,
                             "p": display.P_VALUE}, status_columns=("status",), index=False,
    ).set_caption(caption)  # fmt: skip


def _three_decimals(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3f}"


def _one_decimal(v: Any) -> str:
    return "" if v is None else f"{v:.1f}"


def _two_decimals(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.2f}"


_STRESS_COLUMNS = {
    "scenario": "scenario", "segment": "segment", "rows_changed": "rows shocked", "mean_pd": "mean PD",
    "mean_pd_change": "change", "mean_pd_change_relative": "relative change", "approval_rate": "approval rate",
    "expected_loss": "expected loss", "expected_loss_change_relative": "EL relative change",
}  # fmt: skip


def stress_frame_for_display(evidence: BacktestEvidence) -> Any:
    t = evidence.stress_table
    cols = [c for c in _STRESS_COLUMNS if c in t.columns]
    return display.styled(
        t[cols],
        {"rows_changed": display.INTEGER, "mean_pd": display.PERCENT, "mean_pd_change": _signed_percent,
         "mean_pd_change_relative": _signed_percent, "approval_rate": display.PERCENT, "expected_loss": display.INTEGER,
         "expected_loss_change_relative": _signed_percent},
        status_columns=(),
        labels=_STRESS_COLUMNS,
        index=False,
    )  # fmt: skip


def _signed_percent(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:+.1%}"


_SENSITIVITY_COLUMNS = {
    "feature": "feature", "step": "step", "change_up": "mean PD change, up", "change_down": "mean PD change, down",
    "flip_share_up": "decisions flipped, up", "flip_share_down": "decisions flipped, down",
    "expected_direction": "expected", "monotonicity": "monotonicity", "share_against": "rows against",
}  # fmt: skip


def sensitivity_frame_for_display(evidence: BacktestEvidence) -> Any:
    t = evidence.sensitivity_table
    cols = [c for c in _SENSITIVITY_COLUMNS if c in t.columns]
    formats = {"change_up": _signed4, "change_down": _signed4, "flip_share_up": display.PERCENT,
               "flip_share_down": display.PERCENT, "share_against": display.PERCENT}  # fmt: skip
    labels = dict(_SENSITIVITY_COLUMNS)
    if evidence.classifier is not None:  # a classifier's score and its alerts, not a PD and its approvals
        labels = {k: v.replace("mean PD", "mean score").replace("decisions flipped", "alerts flipped")
                  for k, v in labels.items()}  # fmt: skip
    return display.styled(t[cols], formats, status_columns=(), labels=labels, index=False).map(
        lambda v: display.STATUS_CSS["amber"] if v == "violated" else "", subset=["monotonicity"]
    )


def _signed4(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:+.4f}"


def tornado_figure(evidence: BacktestEvidence) -> Any:
    from mrmkit import plots

    t = evidence.sensitivity_table
    first_step = t["step"].iloc[0]
    quantity = "mean score" if evidence.classifier is not None else "mean PD"
    return plots.tornado(t[t["step"] == first_step], up="change_up", down="change_down", quantity=quantity)


def settings_frame(evidence: BacktestEvidence) -> Any:
    rows = [(k, str(v)) for k, v in evidence.settings.items()]
    return display.styled(pd.DataFrame(rows, columns=["setting", "value"]), status_columns=(), index=False)
