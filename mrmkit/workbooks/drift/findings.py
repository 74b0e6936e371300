"""The drift workbook's findings: the evidence judged against the policy's thresholds, with their prose.

Every ``finding(...)`` of the workbook is made here, from a :class:`~mrmkit.workbooks.drift.analysis.DriftEvidence`
and the parameter file's ``policy``; nothing here reads data or computes a statistic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from mrmkit.policy import NOT_ENOUGH_DATA, classify, finding, threshold_text
from mrmkit.text import numbers
from mrmkit.workbooks.drift.drivers import RANK, rule_text
from mrmkit.workbooks.drift.tables import _plain
from mrmkit.workbooks.wording import p_is, value_label, words

if TYPE_CHECKING:
    from mrmkit.workbooks.drift.analysis import DriftEvidence

__all__ = ["WORKBOOK", "evidence_findings"]

WORKBOOK = "drift"


def _window_findings(evidence: DriftEvidence, policy: Any) -> list[dict[str, Any]]:
    """Features and the score whose PSI in the latest judged window is worse than over the whole current sample."""
    if not evidence.judged_windows:
        return []
    window = evidence.judged_windows[-1]
    row, frame, score = evidence.windows.loc[window], evidence.features, evidence.score
    rank = {"n/a": -1, NOT_ENOUGH_DATA: -1, "green": 0, "amber": 1, "red": 2}
    out = []
    for name, value in row.items():
        status = classify(value, policy.psi)
        pooled = score["psi_status"] if name == "score" else frame.at[name, "psi_status"]
        if status in ("amber", "red") and rank[status] > rank[pooled]:
            what = "The score" if name == "score" else f"Feature {evidence.names.label(name)}"
            metric = (
                f"drift.windows.{window}.score_psi" if name == "score" else f"drift.windows.{window}.features.{name}"
            )
            out.append(
                finding(
                    WORKBOOK,
                    status,
                    f"{what} has shifted in the latest window {window} (PSI {value:.3f})",
                    f"PSI {value:.3f} in {window} against the reference, {status} while its PSI over the whole "
                    f"current sample is {pooled}: the shift is recent.",
                    metric=metric,
                    value=float(value),
                    threshold=threshold_text("PSI", policy.psi),
                )
            )
    return out


def _ordinal(rank: int) -> str:
    words = {1: "strongest", 2: "second strongest", 3: "third strongest"}
    return words.get(rank, f"{rank}th strongest")


def _change(row: pd.Series) -> str:
    """What moved, in words: a share for a binary or categorical feature, the mean for a numeric one."""
    kind, level = row["effect_kind"], row["effect_level"]
    if kind in ("binary", "categorical"):
        a, b = row["effect_reference_share"], row["effect_current_share"]
        what = "its share of value" if kind == "binary" else "the share of its category"
        return f"{what} {value_label(level)} {'rose' if b > a else 'fell'} from {a:.1%} to {b:.1%}"
    a, b = row["effect_reference_mean"], row["effect_current_mean"]
    return f"its distribution moved (mean {a:.4g} in the reference, {b:.4g} now)"


def _driver_sentence(name: str, row: pd.Series, evidence: DriftEvidence) -> str:
    """Why the top-driver rule fired: the driver, the change, its effect size and test."""
    importance = evidence.settings["importance"]
    adjustment = evidence.settings["driver_shift"]["p_value_adjustment"].capitalize().replace("Fdr_bh", "BH")
    label = evidence.names.label(name)
    if pd.isna(row["importance"]):
        who = f"{label} shifted materially (no importance to the model could be measured, so every feature counts)"
    else:
        who = (
            f"{label} is the model's {_ordinal(int(row['importance_rank']))} driver "
            f"({numbers.share(row['importance'], 0)} of the importance, by {words(importance['method'])})"
        )
    return (
        f"{who}; {_change(row)}, {row['effect_measure']} {row['effect_size']:.2f} (material from "
        f"{row['effect_threshold']:g}), {adjustment}-adjusted p {p_is(row['p_value_adjusted'])}."
    )


def _driver_finding(name: str, row: pd.Series, evidence: DriftEvidence, policy: Any) -> dict[str, Any]:
    """The top-driver rule's finding for a feature whose PSI alone would not have raised one."""
    psi_alone = f" PSI {row['psi']:.3f} alone would be {row['psi_status']}." if not pd.isna(row["psi"]) else ""
    return finding(
        WORKBOOK,
        row["status"],
        f"Feature {evidence.names.label(name)}, a top driver of the model, has shifted materially ({row['effect_measure']} "
        f"{row['effect_size']:.2f})",
        _driver_sentence(name, row, evidence) + psi_alone,
        metric=f"drift.features.{name}.effect_size",
        value=float(row["effect_size"]),
        threshold=words(rule_text(policy, evidence.settings["importance"]["method"] != "none")),
    )


def evidence_findings(evidence: DriftEvidence, policy: Any) -> list[dict[str, Any]]:
    """The workbook's findings, from the evidence (its ``findings`` are not read) and the policy's thresholds."""
    frame, quality, duplicates = evidence.features, evidence.quality, evidence.duplicate_ids
    score, grade, retraining = evidence.score, evidence.grade, evidence.retraining
    psi_rule = threshold_text("PSI", policy.psi)
    name_of = evidence.names.label
    out: list[dict[str, Any]] = []
    for name, row in frame.sort_values("psi", ascending=False).iterrows():
        if row["status"] not in ("amber", "red"):
            continue
        if RANK[row["psi_status"]] < RANK[row["status"]]:  # the top-driver rule alone raised it
            out.append(_driver_finding(name, row, evidence, policy))
            continue
        test = (
            f"{row['test']} adjusted p {p_is(row['p_value_adjusted'])}" if not pd.isna(row["p_value_adjusted"]) else ""
        )
        driver = f" {_driver_sentence(name, row, evidence)}" if row["driver_status"] == "amber" else ""
        out.append(
            finding(
                WORKBOOK,
                row["status"],
                f"Feature {name_of(name)} has shifted (PSI {row['psi']:.3f})",
                f"PSI {row['psi']:.3f} against the reference sample; {test}.".replace("; .", ".") + driver,
                metric=f"drift.features.{name}.psi",
                value=float(row["psi"]),
                threshold=psi_rule,
            )
        )
    sizes = {"reference": evidence.sizes["reference"], "current": evidence.sizes["current"]}
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
                f"({', '.join(str(value_label(x)) for x in row['unseen_examples'])})",
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
                        f"Data quality: {name_of(name)}",
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
                    f"Data quality: {name_of(name)} changed type",
                    f"{name_of(name)} is {row['reference_type']} in the reference and {row['current_type']} in the current sample.",
                    metric=f"drift.quality.features.{name}.type_mismatch",
                    threshold="any type change is red",
                )
            )
        constant = [
            w for w in ("reference", "current") if row[f"constant_{w}"] and sizes[w] >= policy.min_sample.rows
        ]  # a handful of rows is often constant
        if constant:
            where = constant[0]
            out.append(
                finding(
                    WORKBOOK,
                    "amber",
                    f"Data quality: {name_of(name)} is constant",
                    f"{name_of(name)} has at most one distinct value in the {where} sample.",
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
    out += _window_findings(evidence, policy)
    if retraining["signal"]:
        parts = []
        for where in retraining["fired_on"]:
            c = retraining if where == "current" else retraining["latest_window"]
            label = "the whole current sample" if where == "current" else f"the latest window ({c['window']})"
            names = ", ".join(name_of(n) for n in c["features_over_threshold"]) or "no feature"
            score_text = " and on the score" if c["score_over_threshold"] else ""
            parts.append(f"in {label}: {len(c['features_over_threshold'])} features ({names}){score_text}")
        out.append(
            finding(
                WORKBOOK,
                "red",
                "Retraining signal",
                f"PSI above {policy.retraining.psi:g} " + "; ".join(parts) + ".",
                metric="drift.retraining.signal",
                threshold=words(retraining["rule"]),
            )
        )
    few = evidence.too_small
    if few:  # nothing was judged: a limitation of the validation, never a green "no drift"
        out.append(
            finding(
                WORKBOOK,
                "amber",
                "Not enough data to judge drift",
                f"The {words(few)}: no feature, score or grade distribution was given a status, and the retraining "
                "rule was not applied.",
                metric="drift.summary.status_counts",
                threshold=f"at least {policy.min_sample.rows:,} rows in each sample",
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
