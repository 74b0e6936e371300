"""The data-quality and drift workbook's analysis: statistics, policy statuses, findings, metrics.

Everything the notebook shows comes from :func:`analyse`; the notebook records ``DriftEvidence.metrics()``
and plots the frames. Conventions (all recorded in the metrics under ``drift.settings``):

- feature drift: :func:`mrmkit.stats.drift_table` (PSI on reference deciles, KS, Wasserstein, JS for
  numeric features; PSI and chi-square for categorical ones);
- the KS and chi-square p-values of all features form one family, adjusted by the method in
  ``drift.p_value_adjustment`` (Holm by default);
- a feature's status is its PSI against ``policy.psi``; the retraining signal fires when PSI exceeds
  ``policy.retraining.psi`` on at least ``policy.retraining.min_features`` features, or on the score;
- drift over time: PSI of each feature and of the score in each monitoring window (``data.time`` cut
  into months or quarters) against the whole reference sample;
- every comparison reads the reference through its profile (:mod:`mrmkit.profiles`): each reference
  column is sorted or counted once for the pooled sample and all windows, and reused from
  ``<out>/.profiles`` by every later run on the same reference data; the profiles' sha256 are recorded
  under ``drift.settings.reference_profile``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mrmkit import stats
from mrmkit.params import Thresholds
from mrmkit.policy import NOT_ENOUGH_DATA, classify, finding, not_enough_data, threshold_text
from mrmkit.workbooks import Context, display

__all__ = ["DriftEvidence", "analyse"]

WORKBOOK = "drift"


@dataclass(frozen=True)
class DriftEvidence:
    """Everything the drift workbook reports."""

    features: pd.DataFrame  # one row per feature: statistics, adjusted p-values, status
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

    def status_counts(self) -> dict[str, int]:
        counts = self.features["status"].value_counts()
        return {s: int(counts.get(s, 0)) for s in ("green", "amber", "red", "n/a", NOT_ENOUGH_DATA)}

    def metrics(self) -> dict[str, Any]:
        """The workbook's entry in ``metrics.json`` (keys documented in the README)."""
        features = {}
        for name, row in self.features.iterrows():
            entry = {k: _plain(v) for k, v in row.items() if k not in ("column",)}
            entry["psi_table"] = [r for r in self.feature_results.columns[name].psi.to_dict()["table"]]
            features[name] = entry
        quality = {
            name: {k: _plain(v) for k, v in row.items() if k != "column"} for name, row in self.quality.iterrows()
        }
        windows = {
            str(window): {
                "n": int(self.window_sizes[window]),
                "judged": str(window) in self.judged_windows,
                "score_psi": _plain(row.get("score")),
                "features": {c: _plain(v) for c, v in row.items() if c != "score"},
            }
            for window, row in self.windows.iterrows()
        }
        return {
            "summary": {
                "n_features": int(len(self.features)),
                "status_counts": self.status_counts(),
                "retraining_signal": self.retraining["signal"],
            },
            "features": features,
            "quality": {"features": quality, "duplicate_ids": self.duplicate_ids},
            "score": self.score,
            "grade": self.grade,
            "windows": windows,
            "retraining": self.retraining,
            "settings": self.settings,
            "sizes": self.sizes,
            "findings": self.findings,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if value is pd.NA or value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _psi_entry(result: Any, thresholds: Any) -> dict[str, Any]:
    d = result.to_dict()
    return {"psi": d["value"], "psi_status": classify(d["value"], thresholds), "psi_table": d["table"]}


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _window_labels(dates: pd.Series, window: str) -> pd.Series:
    period = dates.dt.to_period("M" if window == "month" else "Q")
    return period.astype(str)


def _feature_frame(table: Any, ctx: Context) -> pd.DataFrame:
    """The drift table with adjusted p-values and each feature's PSI status."""
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
    frame["status"] = [classify(v, ctx.params.policy.psi) for v in frame["psi"]]
    reason = _too_small(len(ctx.inputs.reference), len(ctx.inputs.current), ctx)
    frame["status_reason"] = reason
    if reason:  # too few rows: no status, no significance (the numbers are still shown)
        frame["status"] = NOT_ENOUGH_DATA
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


def _quality_frame(ctx: Context) -> tuple[pd.DataFrame, dict[str, int | None]]:
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
    if _too_small(len(inp.reference), len(inp.current), ctx):
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
    frame = _feature_frame(table, ctx)
    quality, duplicates = _quality_frame(ctx)

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
        few = _too_small(len(inp.reference), len(inp.current), ctx)
        grade = {**_psi_entry(grade_psi, policy.psi), **({"psi_status": NOT_ENOUGH_DATA, "status_reason": few}
                                                         if few else {})}  # fmt: skip
    windows, sizes = _windows(ctx, profile, score_profile)
    judged_windows = _judged_windows(windows, sizes, ctx)

    judged = frame["status"] != NOT_ENOUGH_DATA
    retraining = _retraining(
        frame.loc[judged, "psi"], score_psi.value if not small else float("nan"), judged_windows, policy.retraining,
    )  # fmt: skip
    if small:
        retraining["not_judged"] = small
    evidence_findings = _findings(frame, quality, duplicates, score, grade, retraining, judged_windows, ctx)
    return DriftEvidence(
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
        findings=evidence_findings,
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
            "reference_profile": {
                "sha256": profile.sha256,
                "score_sha256": score_profile.sha256,
                "features": {f: profile[f].sha256 for f in features},
            },
        },
        sizes={"reference": int(len(inp.reference)), "current": int(len(inp.current)), "features": len(features)},
    )


def _judged_windows(windows: pd.DataFrame, sizes: pd.Series, ctx: Context) -> pd.DataFrame:
    """The monitoring windows with enough rows to be judged (``policy.min_sample.rows``); the others are shown only."""
    if windows.empty:
        return windows
    minimum = ctx.params.policy.min_sample.rows
    keep = [w for w in windows.index if int(sizes[w]) >= minimum and len(ctx.inputs.reference) >= minimum]
    return windows.loc[keep]


def _window_findings(frame, score, windows: pd.DataFrame, ctx: Context) -> list[dict[str, Any]]:
    """Features and the score whose PSI in the latest judged window is worse than over the whole current sample."""
    if windows.empty:
        return []
    window, row = str(windows.index[-1]), windows.iloc[-1]
    rank = {"n/a": -1, NOT_ENOUGH_DATA: -1, "green": 0, "amber": 1, "red": 2}
    policy = ctx.params.policy
    out = []
    for name, value in row.items():
        status = classify(value, policy.psi)
        pooled = score["psi_status"] if name == "score" else frame.at[name, "status"]
        if status in ("amber", "red") and rank[status] > rank[pooled]:
            what = "The score" if name == "score" else f"Feature {name}"
            metric = (
                f"drift.windows.{window}.score_psi" if name == "score" else f"drift.windows.{window}.features.{name}"
            )
            out.append(
                finding(
                    WORKBOOK,
                    status,
                    f"{what} has shifted in the latest window {window} (PSI {value:.3f})",
                    f"PSI {value:.3f} in {window} against the reference, {status} while the whole current sample "
                    f"is {pooled}: the shift is recent.",
                    metric=metric,
                    value=float(value),
                    threshold=threshold_text("PSI", policy.psi),
                )
            )
    return out


def _findings(frame, quality, duplicates, score, grade, retraining, windows, ctx: Context) -> list[dict[str, Any]]:
    policy = ctx.params.policy
    psi_rule = threshold_text("PSI", policy.psi)
    out: list[dict[str, Any]] = []
    for name, row in frame.sort_values("psi", ascending=False).iterrows():
        if row["status"] not in ("amber", "red"):
            continue
        test = (
            f"{row['test']} adjusted p = {row['p_value_adjusted']:.3g}" if not pd.isna(row["p_value_adjusted"]) else ""
        )
        out.append(
            finding(
                WORKBOOK,
                row["status"],
                f"Feature {name} has shifted (PSI {row['psi']:.3f})",
                f"PSI {row['psi']:.3f} against the reference sample; {test}.".replace("; .", "."),
                metric=f"drift.features.{name}.psi",
                value=float(row["psi"]),
                threshold=psi_rule,
            )
        )
    sizes = {"reference": len(ctx.inputs.reference), "current": len(ctx.inputs.current)}
    for name, row in quality.iterrows():
        checks = [
            (
                "missing_status",
                f"missing share changed from {row['missing_share_reference']:.1%} to {row['missing_share_current']:.1%}",
                "missing_share_change",
                threshold_text("absolute change", policy.missing_share_change),
            ),
            (
                "range_status",
                f"{row['out_of_range_share']:.1%} of current values lie outside the reference range",
                "out_of_range_share",
                threshold_text("share", policy.out_of_range_share),
            ),
            (
                "unseen_status",
                f"{row['unseen_share']:.1%} of current rows have categories unseen in the reference "
                f"({', '.join(map(str, row['unseen_examples']))})",
                "unseen_share",
                threshold_text("share", policy.unseen_category_share),
            ),
        ]
        for status_col, text, key, rule in checks:
            if row[status_col] in ("amber", "red"):
                out.append(
                    finding(
                        WORKBOOK,
                        row[status_col],
                        f"Data quality: {name}",
                        text,
                        metric=f"drift.quality.features.{name}.{key}",
                        value=_plain(row[key]),
                        threshold=rule,
                    )
                )
        if row["type_mismatch"]:
            out.append(
                finding(
                    WORKBOOK,
                    "red",
                    f"Data quality: {name} changed type",
                    f"{name} is {row['reference_type']} in the reference and {row['current_type']} in the current sample.",
                    metric=f"drift.quality.features.{name}.type_mismatch",
                    threshold="any type change is red",
                )
            )
        constant = [w for w in ("reference", "current") if row[f"constant_{w}"]
                    and sizes[w] >= policy.min_sample.rows]  # fmt: skip  # a handful of rows is often constant
        if constant:
            where = constant[0]
            out.append(
                finding(
                    WORKBOOK,
                    "amber",
                    f"Data quality: {name} is constant",
                    f"{name} has at most one distinct value in the {where} sample.",
                    metric=f"drift.quality.features.{name}.constant_{where}",
                    threshold="a constant feature is amber",
                )
            )
    for sample in ("reference", "current"):
        n = duplicates.get(sample)
        if n:
            out.append(
                finding(
                    WORKBOOK,
                    "red",
                    f"Duplicate application ids in the {sample} sample",
                    f"{n} rows repeat an id already seen in the {sample} sample.",
                    metric=f"drift.quality.duplicate_ids.{sample}",
                    value=n,
                    threshold="any duplicate is red",
                )
            )
    if score["psi_status"] in ("amber", "red"):
        out.append(
            finding(
                WORKBOOK,
                score["psi_status"],
                f"Score distribution has shifted (PSI {score['psi']:.3f})",
                f"Mean score {score['mean_reference']:.4f} in the reference, {score['mean_current']:.4f} now.",
                metric="drift.score.psi",
                value=score["psi"],
                threshold=psi_rule,
            )
        )
    if grade is not None and grade["psi_status"] in ("amber", "red"):
        out.append(
            finding(
                WORKBOOK,
                grade["psi_status"],
                f"Rating-grade distribution has shifted (PSI {grade['psi']:.3f})",
                "Grade shares differ between the reference and current samples.",
                metric="drift.grade.psi",
                value=float(grade["psi"]),
                threshold=psi_rule,
            )
        )
    out += _window_findings(frame, score, windows, ctx)
    if retraining["signal"]:
        parts = []
        for where in retraining["fired_on"]:
            c = retraining if where == "current" else retraining["latest_window"]
            label = "the whole current sample" if where == "current" else f"the latest window ({c['window']})"
            names = ", ".join(c["features_over_threshold"]) or "no feature"
            score_text = " and on the score" if c["score_over_threshold"] else ""
            parts.append(f"in {label}: {len(c['features_over_threshold'])} features ({names}){score_text}")
        out.append(
            finding(
                WORKBOOK,
                "red",
                "Retraining signal",
                f"PSI above {policy.retraining.psi:g} " + "; ".join(parts) + ".",
                metric="drift.retraining.signal",
                threshold=retraining["rule"],
            )
        )
    few = _too_small(len(ctx.inputs.reference), len(ctx.inputs.current), ctx)
    if few:  # nothing was judged: a limitation of the validation, never a green "no drift"
        out.append(
            finding(
                WORKBOOK,
                "amber",
                "Not enough data to judge drift",
                f"The {few}: no feature, score or grade distribution was given a status, and the retraining "
                "rule was not applied.",
                metric="drift.summary.status_counts",
                threshold=f"at least {policy.min_sample.rows:,} rows in each sample (policy.min_sample.rows)",
            )
        )
    if not out:
        out.append(
            finding(
                WORKBOOK,
                "green",
                "No drift or data-quality issue",
                f"All {len(frame)} features and the score are below the amber thresholds.",
                metric="drift.summary.status_counts",
                threshold=psi_rule,
            )
        )
    return out


# --- presentation: what the notebook displays (formatting in mrmkit.workbooks.display) --------------


def summary_markdown(evidence: DriftEvidence) -> Any:
    counts = evidence.status_counts()
    s = evidence.settings
    latest = evidence.retraining.get("latest_window")
    lines = [
        display.text(
            "- **{} features** compared: {} green, {} amber, {} red (PSI amber from {:g}, red from {:g}).",
            evidence.sizes["features"], counts["green"], counts["amber"], counts["red"],
            s["psi_thresholds"]["amber"], s["psi_thresholds"]["red"],
        ),
    ]  # fmt: skip
    if counts[NOT_ENOUGH_DATA]:
        reason = evidence.features["status_reason"].dropna()
        lines.append(
            display.text("- **{} features not judged** ({}).", counts[NOT_ENOUGH_DATA],
                         reason.iloc[0] if len(reason) else NOT_ENOUGH_DATA)
        )  # fmt: skip
    lines += [
        display.text("- Reference sample: {:,} rows; current sample: {:,} rows.",
                     evidence.sizes["reference"], evidence.sizes["current"]),
        display.text("- Score PSI: {:.4f} ({}).", evidence.score["psi"], evidence.score["psi_status"]),
    ]  # fmt: skip
    if latest is not None:
        lines.append(
            display.text(
                "- Latest judged window {}: PSI above {:g} on {} features.",
                latest["window"], s["retraining"]["psi"], len(latest["features_over_threshold"]),
            )
        )  # fmt: skip
    unjudged = [str(w) for w in evidence.windows.index if str(w) not in evidence.judged_windows]
    if unjudged:
        lines.append(
            display.text("- Windows with fewer than {:,} rows, shown but not judged: {}.",
                         s["min_rows"], ", ".join(unjudged))
        )  # fmt: skip
    lines.append(
        display.text(
            "- Retraining signal: **{}** (rule: {}).",
            "YES" if evidence.retraining["signal"] else "no", evidence.retraining["rule"],
        )
    )  # fmt: skip
    return display.join(lines)


def findings_frame(evidence: DriftEvidence) -> Any:
    return display.findings_table(evidence.findings)


def quality_frame_for_display(evidence: DriftEvidence) -> Any:
    q = evidence.quality
    frame = pd.DataFrame(
        {
            "kind": q["kind"],
            "missing_share_reference": q["missing_share_reference"],
            "missing_share_current": q["missing_share_current"],
            "missing_share_change": q["missing_share_change"],
            "missing_status": q["missing_status"],
            "out_of_range_share": q["out_of_range_share"].where(q["kind"] == "numeric"),
            "range_status": q["range_status"].where(q["kind"] == "numeric", ""),
            "unseen_share": q["unseen_share"].where(q["kind"] == "categorical"),
            "unseen_examples": [", ".join(map(str, v)) for v in q["unseen_examples"]],
            "unseen_status": q["unseen_status"].where(q["kind"] == "categorical", ""),
            "type": [
                f"{r} / {c}" if m else ""
                for r, c, m in zip(q["reference_type"], q["current_type"], q["type_mismatch"], strict=True)
            ],
            "constant": [
                ", ".join(w for w, flag in (("reference", a), ("current", b)) if flag)
                for a, b in zip(q["constant_reference"], q["constant_current"], strict=True)
            ],
        },
        index=q.index,
    )
    styler = display.styled(
        frame,
        {
            "missing_share_reference": display.PERCENT,
            "missing_share_current": display.PERCENT,
            "missing_share_change": display.SIGNED_PERCENT,
            "out_of_range_share": display.PERCENT,
            "unseen_share": display.PERCENT,
        },
        status_columns=("missing_status", "range_status", "unseen_status"),
        labels={
            "missing_share_reference": "missing (ref)",
            "missing_share_current": "missing (cur)",
            "missing_share_change": "change",
            "missing_status": "status",
            "out_of_range_share": "outside ref range",
            "range_status": "status ",
            "unseen_share": "unseen categories",
            "unseen_examples": "examples",
            "unseen_status": "status  ",
            "type": "type changed (ref / cur)",
        },
    )
    d = evidence.duplicate_ids
    if d.get("reference") is not None:
        styler = styler.set_caption(
            f"Duplicate ids: {d['reference']} in the reference, {d['current']} in the current sample; "
            f"{d['across']} current ids also occur in the reference."
        )
    return styler


def features_frame_for_display(evidence: DriftEvidence) -> Any:
    cols = [
        "kind", "psi", "status", "ks_statistic", "wasserstein", "wasserstein_normed", "js_distance",
        "chi2_statistic", "chi2_df", "test", "p_value", "p_value_adjusted", "significant",
    ]  # fmt: skip
    if evidence.features["status_reason"].notna().any():
        cols.insert(3, "status_reason")
    frame = evidence.features.sort_values(["psi", "column"], ascending=[False, True])[cols]
    frame = frame.assign(significant=frame["significant"].map({True: "yes", False: "no"}))
    return display.styled(
        frame,
        {
            "psi": display.FIXED4,
            "ks_statistic": display.FIXED4,
            "wasserstein": display.GENERAL,
            "wasserstein_normed": display.FIXED4,
            "js_distance": display.FIXED4,
            "chi2_statistic": display.GENERAL,
            "chi2_df": display.INTEGER,
            "p_value": display.P_VALUE,
            "p_value_adjusted": display.P_VALUE,
        },
        labels={
            "ks_statistic": "KS",
            "wasserstein_normed": "wasserstein / sd",
            "js_distance": "JS distance",
            "chi2_statistic": "chi-square",
            "chi2_df": "df",
            "p_value_adjusted": "adjusted p",
            "p_value": "p",
            "status_reason": "why not judged",
        },
    )


def most_drifted(evidence: DriftEvidence, n: int | None, statuses: tuple[str, ...] | None = None) -> list[str]:
    """Features by the worse of their pooled and latest judged window's PSI, largest first (ties by name)."""
    psi = evidence.features["psi"]
    if evidence.judged_windows:
        latest = evidence.windows.loc[evidence.judged_windows[-1]].drop("score").reindex(psi.index)
        psi = pd.concat([psi, latest], axis=1).max(axis=1)
    order = pd.DataFrame({"psi": psi, "name": psi.index}).sort_values(["psi", "name"], ascending=[False, True])
    names = list(order.index)
    if statuses is not None:
        names = [f for f in names if evidence.features.at[f, "status"] in statuses]
    return names if n is None else names[:n]


def latest_window(evidence: DriftEvidence, ctx: Context) -> tuple[str, pd.Series] | tuple[None, None]:
    """The latest judged window's label and a boolean row mask of the current sample, or (None, None)."""
    if not evidence.judged_windows:
        return None, None
    label = evidence.judged_windows[-1]
    labels = _window_labels(ctx.inputs.current[ctx.params.data.time], ctx.params.drift.window)
    return label, (labels == label).to_numpy()


def score_frame_for_display(evidence: DriftEvidence) -> Any:
    s = evidence.score
    rows = [
        ("PSI", display.FIXED4(s["psi"]), s["psi_status"]),
        ("KS statistic", display.FIXED4(s["ks_statistic"]), ""),
        ("KS p-value", display.P_VALUE(s["ks_p_value"]), ""),
        ("mean score, reference", display.FIXED4(s["mean_reference"]), ""),
        ("mean score, current", display.FIXED4(s["mean_current"]), ""),
        ("scores from", "model artifact" if s["source"] == "artifact" else "score column", ""),
    ]
    if evidence.grade is not None:
        rows.append(("rating-grade PSI", display.FIXED4(evidence.grade["psi"]), evidence.grade["psi_status"]))
    return display.styled(pd.DataFrame(rows, columns=["measure", "value", "status"]), index=False)


def _thr(evidence: DriftEvidence) -> Thresholds:
    return Thresholds(**evidence.settings["psi_thresholds"])


def psi_table_frame(result: Any) -> Any:
    return display.psi_table(result)


def windows_frame_for_display(evidence: DriftEvidence) -> Any:
    """Windows as columns and features as rows, so many features stay readable.

    A window with fewer rows than ``policy.min_sample.rows`` is shown uncoloured and labelled "not judged".
    """
    frame = evidence.windows.T
    frame.loc["rows"] = evidence.window_sizes.astype(float)
    order = ["rows", "score"] + [c for c in frame.index if c not in ("rows", "score")]
    frame = frame.loc[order]
    judged = [str(w) in evidence.judged_windows for w in frame.columns]
    frame.columns = [str(w) if ok else f"{w} (not judged)" for w, ok in zip(frame.columns, judged, strict=True)]
    styler = display.frame_style(frame, precision=3)
    thr = _thr(evidence)
    styler = styler.format(display.INTEGER, subset=pd.IndexSlice[["rows"], :])
    coloured = [c for c, ok in zip(frame.columns, judged, strict=True) if ok]
    if not coloured:
        return styler
    return styler.map(
        lambda v: display.STATUS_CSS.get(classify(v, thr), "") if isinstance(v, float) else "",
        subset=pd.IndexSlice[order[1:], coloured],
    )


def heatmap_frame(evidence: DriftEvidence) -> tuple[pd.DataFrame, list[bool]]:
    """The windows' PSI for the heatmap, and whether each window was judged (unjudged ones are drawn grey)."""
    judged = [str(w) in evidence.judged_windows for w in evidence.windows.index]
    labels = [str(w) if ok else f"{w}\n(not judged)" for w, ok in zip(evidence.windows.index, judged, strict=True)]
    return evidence.windows.set_axis(labels, axis=0), judged


def settings_frame(evidence: DriftEvidence) -> Any:
    rows = [(k, str(v)) for k, v in evidence.settings.items() if k != "reference_profile"]
    ref = evidence.settings["reference_profile"]  # one line each: the per-feature hashes are in the metrics
    rows += [("reference profile sha256 (features)", ref["sha256"]), ("reference profile sha256 (score)",
                                                                       ref["score_sha256"])]
    return display.styled(pd.DataFrame(rows, columns=["setting", "value"]), status_columns=(), index=False)
