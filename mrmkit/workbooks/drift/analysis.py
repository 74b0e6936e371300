"""The drift workbook's analysis: the context's samples in, one frozen :class:`DriftEvidence` out.

The statistics, the policy statuses (each feature's PSI against ``policy.psi``, the data-quality checks,
the retraining trigger) and the sizes they rest on; the findings are made from this evidence by
:mod:`mrmkit.workbooks.drift.findings`, and everything shown or recorded by
:mod:`mrmkit.workbooks.drift.tables`. Whether the samples are too small to be judged
(``policy.min_sample.rows``) is decided once here and carried in the evidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from mrmkit import stats
from mrmkit.policy import NOT_ENOUGH_DATA, classify, not_enough_data
from mrmkit.text.labels import Dictionary
from mrmkit.workbooks.context import Context
from mrmkit.workbooks.drift import findings as rules
from mrmkit.workbooks.drift import tables
from mrmkit.workbooks.drift.drivers import driver_columns, rule_settings
from mrmkit.workbooks.drift.importance import feature_importance

__all__ = ["DriftEvidence", "analyse", "latest_window"]


@dataclass(frozen=True)
class DriftEvidence:
    """Everything the drift workbook reports."""

    features: pd.DataFrame  # one row per feature: statistics, adjusted p-values, effect size, importance, statuses
    quality: pd.DataFrame  # one row per feature: data-quality checks and their statuses
    duplicate_ids: dict[str, int | None]
    feature_results: Any  # the DriftTable, for the PSI bin tables
    score: dict[str, Any]
    score_psi: Any  # PsiResult of the score
    grade_psi: Any  # PsiResult of the rating grades, or None
    grade: dict[str, Any] | None  # the grades' PSI, status (and status_reason) and bin table, or None
    windows: pd.DataFrame  # rows: window; columns: features and "score"; values: PSI
    window_sizes: pd.Series
    judged_windows: tuple[str, ...]  # the windows with enough rows to be judged (policy.min_sample.rows)
    findings: list[dict[str, Any]]
    retraining: dict[str, Any]
    settings: dict[str, Any]
    sizes: dict[str, int]
    too_small: str | None  # why the reference and current samples get no status (policy.min_sample.rows), or None
    score_too_small: str | None  # the same for the reference and current scores
    names: Dictionary = field(default_factory=Dictionary)  # the columns' labels and units, for the report's words

    def status_counts(self) -> dict[str, int]:
        counts = self.features["status"].value_counts()
        return {s: int(counts.get(s, 0)) for s in ("green", "amber", "red", "n/a", NOT_ENOUGH_DATA)}

    def metrics(self) -> dict[str, Any]:
        """The workbook's entry in ``metrics.json`` (keys documented in the README; made in :mod:`.tables`)."""
        return tables.metrics(self)


def _psi_entry(result: Any, thresholds: Any) -> dict[str, Any]:
    d = result.to_dict()
    return {"psi": d["value"], "psi_status": classify(d["value"], thresholds), "psi_table": d["table"]}


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _window_labels(dates: pd.Series, window: str) -> pd.Series:
    period = dates.dt.to_period("M" if window == "month" else "Q")
    return period.astype(str)


def _feature_frame(table: Any, ctx: Context, reason: str | None) -> pd.DataFrame:
    """The drift table with adjusted p-values and each feature's PSI status (none when ``reason``: too few rows)."""
    frame = table.to_frame().set_index("column", drop=False).rename_axis(None)
    method = ctx.params.drift.p_value_adjustment
    tests = pd.concat([frame["ks_p_value"].dropna(), frame["chi2_p_value"].dropna()])
    adjusted = pd.Series(stats.adjust_pvalues(tests.to_numpy(), method=method).adjusted, index=tests.index)
    frame["test"] = np.where(frame["kind"] == "categorical", "chi-square", "KS")
    discrete = _discrete_features(frame, ctx)
    for name, result in discrete.items():  # counts and statuses: their tied values make KS very conservative
        tests[name] = result.p_value
        frame.loc[name, "test"] = "chi-square (discrete values)"
    adjusted = pd.Series(stats.adjust_pvalues(tests.to_numpy(), method=method).adjusted, index=tests.index)
    frame["p_value"] = tests.reindex(frame.index)
    frame["p_value_adjusted"] = adjusted.reindex(frame.index)
    frame["significant"] = frame["p_value_adjusted"] < ctx.params.drift.alpha
    frame["psi_status"] = [classify(v, ctx.params.policy.psi) for v in frame["psi"]]
    frame["status_reason"] = reason
    if reason:  # too few rows: no status, no significance (the numbers are still shown)
        frame["psi_status"] = NOT_ENOUGH_DATA
        frame["significant"] = False
    return frame


def _too_small(n_reference: int, n_current: int, ctx: Context) -> str | None:
    """Why a comparison of samples of these sizes gets no status, or None (``policy.min_sample.rows``)."""
    minimum = ctx.params.policy.min_sample.rows
    small = [(what, n) for what, n in (("reference", n_reference), ("current", n_current)) if n < minimum]
    if not small:
        return None
    what, n = small[-1]
    return f"{what} sample: {not_enough_data(n, minimum)}"


def _discrete_features(frame: pd.DataFrame, ctx: Context) -> dict[str, Any]:
    """The discrete test of every numeric feature with at most ``drift.discrete_max_values`` distinct values."""
    limit, inp, out = ctx.params.drift.discrete_max_values, ctx.inputs, {}
    for name in frame.index[frame["kind"] != "categorical"]:
        ref = inp.reference[name].to_numpy(dtype=float, na_value=np.nan)
        cur = inp.current[name].to_numpy(dtype=float, na_value=np.nan)
        pooled = np.concatenate([ref[~np.isnan(ref)], cur[~np.isnan(cur)]])
        if pooled.size == 0 or np.isnan(cur).all() or np.isnan(ref).all():
            continue
        if np.unique(pooled[:10_000]).size > limit:  # most continuous features are ruled out on a slice
            continue
        if np.unique(pooled).size <= limit:
            out[name] = stats.discrete_test(ref, cur)
    return out


def _quality_frame(ctx: Context, too_small: str | None) -> tuple[pd.DataFrame, dict[str, int | None]]:
    inp, policy = ctx.inputs, ctx.params.policy
    result = stats.data_quality(
        inp.reference[list(inp.features)],
        inp.current[list(inp.features)],
        categorical=inp.categorical,
        id_column=None,
    )
    frame = result.to_frame().set_index("column", drop=False).rename_axis(None)
    frame["missing_status"] = [classify(abs(v), policy.missing_share_change) for v in frame["missing_share_change"]]
    frame["range_status"] = [classify(v, policy.out_of_range_share) for v in frame["out_of_range_share"]]
    frame["unseen_status"] = [classify(v, policy.unseen_category_share) for v in frame["unseen_share"]]
    if too_small:
        for column in ("missing_status", "range_status", "unseen_status"):
            frame[column] = NOT_ENOUGH_DATA
    duplicates: dict[str, int | None] = {"reference": None, "current": None}
    id_col = ctx.params.data.id
    if id_col:
        duplicates = {
            "reference": int(inp.reference[id_col].duplicated().sum()),
            "current": int(inp.current[id_col].duplicated().sum()),
            "across": int(inp.current[id_col].isin(inp.reference[id_col]).sum()),
        }
    return frame, duplicates


def _windows(ctx: Context, profile: Any, score_profile: Any) -> tuple[pd.DataFrame, pd.Series]:
    inp, params = ctx.inputs, ctx.params
    if not params.data.time:
        return pd.DataFrame(), pd.Series(dtype=int)
    labels = _window_labels(inp.current[params.data.time], params.drift.window)
    rows, sizes = {}, {}
    bins = params.drift.bins
    for window in sorted(labels.unique()):
        mask = (labels == window).to_numpy()
        sizes[window] = int(mask.sum())
        # every window against the same reference profiles: the reference is sorted and counted once
        row = {f: stats.psi(profile[f], inp.current.loc[mask, f], bins=bins).value for f in inp.features}
        row["score"] = stats.psi(score_profile, inp.current_score[mask], bins=bins).value
        rows[window] = row
    return pd.DataFrame.from_dict(rows, orient="index"), pd.Series(sizes)


def _over(psi: pd.Series, score_psi: float, threshold: float) -> dict[str, Any]:
    names = sorted(psi.index[psi > threshold], key=lambda f: (-psi[f], f))
    return {"features_over_threshold": list(names), "score_over_threshold": bool(score_psi > threshold)}


def _retraining(psi: pd.Series, score_psi: float, windows: pd.DataFrame, trigger: Any) -> dict[str, Any]:
    """The policy's trigger on the whole current sample and on the latest monitoring window.

    Pooling all windows dilutes drift that builds up over time, so the latest window is judged too; the
    signal fires when either comparison meets the rule.
    """
    whole = _over(psi, score_psi, trigger.psi)
    checks = {"current": whole}
    if not windows.empty:
        latest = windows.index[-1]
        row = windows.loc[latest]
        checks["latest_window"] = {"window": str(latest), **_over(row.drop("score"), float(row["score"]), trigger.psi)}
    fired = [
        name
        for name, c in checks.items()
        if len(c["features_over_threshold"]) >= trigger.min_features or c["score_over_threshold"]
    ]
    return {
        "signal": bool(fired),
        "fired_on": fired,
        **whole,
        "latest_window": checks.get("latest_window"),
        "rule": f"PSI above {trigger.psi:g} on {trigger.min_features} or more features, or on the score, "
        "in the whole current sample or in the latest monitoring window",
    }


def analyse(ctx: Context) -> DriftEvidence:
    """Run every check of the drift workbook on the context's data."""
    params, inp = ctx.params, ctx.inputs
    cfg, policy = params.drift, params.policy
    features = list(inp.features)
    # a feature is compared as categorical when declared so, or when either sample holds non-numbers (a type
    # mismatch, reported in the quality section): as drift_table would decide on the two raw samples
    textual = [f for f in features if f not in inp.categorical and not _numeric(inp.current[f])]
    profile = ctx.profiles.frame(inp.reference, features, [*inp.categorical, *textual])
    score_profile = ctx.profiles.column(inp.reference_score, "score")
    table = stats.drift_table(profile, inp.current[features], categorical=inp.categorical, bins=cfg.bins)
    # whether the samples are large enough to be judged: decided once, for every feature, the grades and findings
    few = _too_small(len(inp.reference), len(inp.current), ctx)
    importance = feature_importance(ctx)
    frame = driver_columns(
        _feature_frame(table, ctx, few),
        profile,
        inp.current,
        {*inp.categorical, *textual},
        importance,
        policy,
        few,
    )
    quality, duplicates = _quality_frame(ctx, few)

    score_psi = stats.psi(score_profile, inp.current_score, bins=cfg.bins)
    score_ks = stats.ks_test(score_profile, inp.current_score)
    small = _too_small(len(inp.reference_score), len(inp.current_score), ctx)
    score = {
        **_psi_entry(score_psi, policy.psi),
        **({"psi_status": NOT_ENOUGH_DATA, "status_reason": small} if small else {}),
        "ks_statistic": score_ks.statistic,
        "ks_p_value": score_ks.p_value,
        # fsum is exactly rounded, so the mean does not depend on row order
        "mean_reference": math.fsum(inp.reference_score) / len(inp.reference_score),
        "mean_current": math.fsum(inp.current_score) / len(inp.current_score),
        "source": inp.score_source,
    }
    grade_psi, grade = None, None
    if params.data.grade:
        grade_psi = stats.psi(
            inp.reference[params.data.grade].astype(str), inp.current[params.data.grade].astype(str), categorical=True
        )
        grade = {
            **_psi_entry(grade_psi, policy.psi),
            **({"psi_status": NOT_ENOUGH_DATA, "status_reason": few} if few else {}),
        }
    windows, sizes = _windows(ctx, profile, score_profile)
    judged_windows = _judged_windows(windows, sizes, ctx)

    judged = frame["status"] != NOT_ENOUGH_DATA
    retraining = _retraining(
        frame.loc[judged, "psi"],
        score_psi.value if not small else float("nan"),
        judged_windows,
        policy.retraining,
    )
    if small:
        retraining["not_judged"] = small
    evidence = DriftEvidence(
        features=frame,
        quality=quality,
        duplicate_ids=duplicates,
        feature_results=table,
        score=score,
        score_psi=score_psi,
        grade_psi=grade_psi,
        grade=grade,
        windows=windows,
        window_sizes=sizes,
        judged_windows=tuple(str(w) for w in judged_windows.index),
        findings=[],  # made from the evidence below
        retraining=retraining,
        settings={
            "bins": cfg.bins,
            "psi_binning": "reference quantiles (numpy linear), right-closed, outer edges at -inf/+inf; "
            "empty shares replaced by 1e-4; missing values in their own bin",
            "p_value_adjustment": cfg.p_value_adjustment,
            "p_value_family": "KS (numeric) and chi-square (categorical) tests of all features",
            "alpha": cfg.alpha,
            "min_rows": policy.min_sample.rows,
            "window": cfg.window if params.data.time else None,
            "psi_thresholds": {"amber": policy.psi.amber, "red": policy.psi.red},
            "retraining": {"psi": policy.retraining.psi, "min_features": policy.retraining.min_features},
            "driver_shift": rule_settings(policy, importance, cfg.p_value_adjustment),
            "importance": importance.settings(),
            "reference_profile": {
                "sha256": profile.sha256,
                "score_sha256": score_profile.sha256,
                "features": {f: profile[f].sha256 for f in features},
            },
        },
        sizes={"reference": int(len(inp.reference)), "current": int(len(inp.current)), "features": len(features)},
        too_small=few,
        score_too_small=small,
        names=Dictionary.from_params(params),
    )
    return replace(evidence, findings=rules.evidence_findings(evidence, policy))


def _judged_windows(windows: pd.DataFrame, sizes: pd.Series, ctx: Context) -> pd.DataFrame:
    """The monitoring windows with enough rows to be judged (``policy.min_sample.rows``); the others are shown only."""
    if windows.empty:
        return windows
    minimum = ctx.params.policy.min_sample.rows
    keep = [w for w in windows.index if int(sizes[w]) >= minimum and len(ctx.inputs.reference) >= minimum]
    return windows.loc[keep]


def latest_window(evidence: DriftEvidence, ctx: Context) -> tuple[str, pd.Series] | tuple[None, None]:
    """The latest judged window's label and a boolean row mask of the current sample, or (None, None)."""
    if not evidence.judged_windows:
        return None, None
    label = evidence.judged_windows[-1]
    labels = _window_labels(ctx.inputs.current[ctx.params.data.time], ctx.params.drift.window)
    return label, (labels == label).to_numpy()
