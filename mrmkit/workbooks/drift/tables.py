"""What the drift notebook displays and records: frames, text and the ``metrics.json`` entry, from evidence only.

Formatting goes through :mod:`mrmkit.workbooks.display`; nothing here computes a statistic or a status.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mrmkit.params import Thresholds
from mrmkit.policy import NOT_ENOUGH_DATA, classify
from mrmkit.text import numbers
from mrmkit.workbooks import display, wording

if TYPE_CHECKING:
    from mrmkit.workbooks.drift.analysis import DriftEvidence

__all__ = [
    "metrics",
    "summary_markdown",
    "findings_frame",
    "quality_frame_for_display",
    "features_frame_for_display",
    "feature_tests_for_display",
    "most_drifted",
    "psi_bars",
    "rule_text",
    "distribution_caption",
    "psi_table_caption",
    "score_frame_for_display",
    "psi_table_frame",
    "windows_frame_for_display",
    "heatmap_frame",
    "settings_frame",
]


def metrics(evidence: DriftEvidence) -> dict[str, Any]:
    """The workbook's entry in ``metrics.json`` (keys documented in the README)."""
    features = {}
    for name, row in evidence.features.iterrows():
        entry = {k: _plain(v) for k, v in row.items() if k not in ("column",)}
        entry["psi_table"] = [r for r in evidence.feature_results.columns[name].psi.to_dict()["table"]]
        features[name] = entry
    quality = {
        name: {k: _plain(v) for k, v in row.items() if k != "column"} for name, row in evidence.quality.iterrows()
    }
    windows = {
        str(window): {
            "n": int(evidence.window_sizes[window]),
            "judged": str(window) in evidence.judged_windows,
            "score_psi": _plain(row.get("score")),
            "features": {c: _plain(v) for c, v in row.items() if c != "score"},
        }
        for window, row in evidence.windows.iterrows()
    }
    return {
        "summary": {
            "n_features": int(len(evidence.features)),
            "status_counts": evidence.status_counts(),
            "retraining_signal": evidence.retraining["signal"],
        },
        "features": features,
        "quality": {"features": quality, "duplicate_ids": evidence.duplicate_ids},
        "score": evidence.score,
        "grade": evidence.grade,
        "windows": windows,
        "retraining": evidence.retraining,
        "settings": evidence.settings,
        "sizes": evidence.sizes,
        "findings": evidence.findings,
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


def summary_markdown(evidence: DriftEvidence) -> Any:
    counts = evidence.status_counts()
    s = evidence.settings
    latest = evidence.retraining.get("latest_window")
    lines = [
        display.text(
            "- **{} features** compared: {} green, {} amber, {} red (PSI amber from {:g}, red from {:g}; "
            "or amber by the top-driver rule).",
            evidence.sizes["features"],
            counts["green"],
            counts["amber"],
            counts["red"],
            s["psi_thresholds"]["amber"],
            s["psi_thresholds"]["red"],
        ),
        _drivers_line(evidence),
    ]
    if counts[NOT_ENOUGH_DATA]:
        reason = evidence.features["status_reason"].dropna()
        lines.append(
            display.text(
                "- **{} features not judged** ({}).",
                counts[NOT_ENOUGH_DATA],
                reason.iloc[0] if len(reason) else NOT_ENOUGH_DATA,
            )
        )
    lines += [
        display.text(
            "- Reference sample: {:,} rows; current sample: {:,} rows.",
            evidence.sizes["reference"],
            evidence.sizes["current"],
        ),
        display.text("- Score PSI: {} ({}).", numbers.fixed(evidence.score["psi"], 3), evidence.score["psi_status"]),
        _significance_line(evidence),
    ]
    if latest is not None:
        lines.append(
            display.text(
                "- Latest judged window {}: PSI above {:g} on {} features.",
                latest["window"],
                s["retraining"]["psi"],
                len(latest["features_over_threshold"]),
            )
        )
    unjudged = [str(w) for w in evidence.windows.index if str(w) not in evidence.judged_windows]
    if unjudged:
        lines.append(
            display.text(
                "- Windows with fewer than {:,} rows, shown but not judged: {}.", s["min_rows"], ", ".join(unjudged)
            )
        )
    lines.append(
        display.text(
            "- Retraining signal: **{}** (rule: {}).",
            "YES" if evidence.retraining["signal"] else "no",
            wording.words(evidence.retraining["rule"], evidence.names),
        )
    )
    return display.join(lines)


def _drivers_line(evidence: DriftEvidence) -> Any:
    """The model's top drivers, how their importance was measured, and the features the top-driver rule raised."""
    f, importance = evidence.features, evidence.settings["importance"]
    raised = [str(n) for n in f.index[f["driver_status"] == "amber"]]
    label = evidence.names.label
    if importance["method"] == "none":
        note = wording.words(importance["note"], evidence.names)
        who = f"no importance measured ({note}): every feature is judged by its effect size"
    else:
        top = f[f["top_driver"]].sort_values("importance_rank")
        names = ", ".join(f"{label(n)} ({numbers.share(v, 0)})" for n, v in top["importance"].items()) or "none"
        who = "top drivers {} by {} importance".format(names, wording.words(importance["method"]))
    return display.text(
        "- Top-driver rule: {}; a significant, material shift in {}: **{}**.",
        who,
        "one of them" if importance["method"] != "none" else "a feature",
        ", ".join(label(n) for n in raised) or "none",
    )


def _significance_line(evidence: DriftEvidence) -> Any:
    """How many features differ significantly, beside how many by a material effect size: on large samples a
    test finds shifts too small to matter, so significance alone says little."""
    f = evidence.features
    significant = f["significant"].fillna(False).astype(bool)
    material = significant & (f["effect_size"] >= f["effect_threshold"]).fillna(False).astype(bool)
    return display.text(
        "- {} of {} features differ significantly (adjusted p below {:g}); only {} of them by a material effect "
        "size (Cohen's h, Cramér's V or KS distance at or above the rule's threshold). With {:,} current rows a "
        "test detects shifts too small to matter: judge a shift by its effect size and its PSI, not by its p-value.",
        int(significant.sum()),
        len(f),
        evidence.settings["alpha"],
        int(material.sum()),
        evidence.sizes["current"],
    )


def findings_frame(evidence: DriftEvidence) -> Any:
    return wording.findings_frame(evidence.findings, "Findings of the data-quality and drift workbook, worst first.")


def _cell(format_: Any) -> Any:
    """A table cell by one of :mod:`mrmkit.text.numbers`' formats, blank when there is no value."""
    return lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else format_(v)


_P = _cell(numbers.p_value)
_SHARE = _cell(numbers.share)
_POINTS = _cell(numbers.points)
_FIXED3 = _cell(lambda v: numbers.fixed(v, 3))
_FIXED2 = _cell(lambda v: numbers.fixed(v, 2))


def _labelled(frame: pd.DataFrame, evidence: DriftEvidence) -> pd.DataFrame:
    """A frame indexed by column names, indexed by the columns' labels instead (named "feature")."""
    return frame.set_axis([evidence.names.label(str(n)) for n in frame.index], axis=0).rename_axis(None)


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
            "unseen_examples": [", ".join(str(wording.value_label(x)) for x in v) for v in q["unseen_examples"]],
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
        _labelled(frame, evidence),
        {
            "missing_share_reference": _SHARE,
            "missing_share_current": _SHARE,
            "missing_share_change": _POINTS,
            "out_of_range_share": _SHARE,
            "unseen_share": _SHARE,
        },
        status_columns=("missing_status", "range_status", "unseen_status"),
        labels={
            "kind": "type",
            "missing_share_reference": "missing (ref)",
            "missing_share_current": "missing (cur)",
            "missing_share_change": "change (pp)",
            "missing_status": "status",
            "out_of_range_share": "outside ref range",
            "range_status": "status ",
            "unseen_share": "unseen categories",
            "unseen_examples": "examples",
            "unseen_status": "status  ",
            "type": "type changed (ref / cur)",
        },
    )
    caption = (
        "Data quality of each feature: missing values (reference, current, change in percentage points), current "
        "values outside the reference range, categories unseen in the reference, type changes and constants."
    )
    d = evidence.duplicate_ids
    if d.get("reference") is not None:
        caption += (
            f" Duplicate ids: {numbers.count(d['reference'])} in the reference, {numbers.count(d['current'])} in "
            f"the current sample; {numbers.count(d['across'])} current ids also occur in the reference."
        )
    return styler.set_caption(caption)


_LABELS = {
    "kind": "type",
    "psi": "PSI",
    "psi_status": "PSI status",
    "importance": "importance",
    "top_driver": "top driver",
    "effect_measure": "effect size",
    "effect_size": "value",
    "driver_status": "top-driver rule",
    "ks_statistic": "KS",
    "wasserstein": "Wasserstein (feature units)",
    "wasserstein_normed": "Wasserstein / reference sd",
    "js_distance": "JS distance",
    "chi2_statistic": "chi-square",
    "chi2_df": "df",
    "p_value_adjusted": "adjusted p",
    "p_value": "p",
    "status_reason": "why not judged",
    "effect_threshold": "material from",
}
_FORMATS = {
    "psi": _FIXED3,
    "importance": _SHARE,
    "effect_size": _FIXED3,
    "effect_threshold": _FIXED2,
    "ks_statistic": _FIXED3,
    "wasserstein": display.GENERAL,
    "wasserstein_normed": _FIXED3,
    "js_distance": _FIXED3,
    "chi2_statistic": _cell(lambda v: numbers.fixed(v, 1)),
    "chi2_df": display.INTEGER,
    "p_value": _P,
    "p_value_adjusted": _P,
}


def _feature_rows(evidence: DriftEvidence, cols: list[str]) -> pd.DataFrame:
    frame = evidence.features.sort_values(["psi", "column"], ascending=[False, True])[cols]
    yes_no = {True: "yes", False: "no"}
    frame = frame.assign(**{c: frame[c].map(yes_no) for c in ("significant", "top_driver") if c in cols})
    if "status_reason" in cols:
        frame = frame.assign(
            status_reason=frame["status_reason"].map(lambda v: wording.words(v) if isinstance(v, str) else v)
        )
    return _labelled(frame, evidence)


def features_frame_for_display(evidence: DriftEvidence) -> Any:
    """Each feature's status: PSI, the top-driver rule (importance, effect size) and the worse of the two."""
    cols = ["kind", "psi", "psi_status", "importance", "top_driver", "effect_measure", "effect_size", "driver_status"]
    cols.append("status")
    if evidence.features["status_reason"].notna().any():
        cols.append("status_reason")
    frame = _feature_rows(evidence, cols)
    return display.styled(
        frame, _FORMATS, status_columns=("psi_status", "status", "driver_status"), labels=_LABELS
    ).set_caption("Status of each feature: the worse of its PSI status and the top-driver rule.")


def feature_tests_for_display(evidence: DriftEvidence) -> Any:
    """Each feature's distances and its test of no change (raw and Holm-adjusted p)."""
    cols = ["ks_statistic", "wasserstein", "wasserstein_normed", "js_distance", "chi2_statistic", "chi2_df"]
    cols += ["test", "p_value", "p_value_adjusted", "significant", "effect_measure", "effect_size", "effect_threshold"]
    frame = _feature_rows(evidence, cols)
    n = numbers.count(evidence.sizes["current"])
    adjustment = wording.words(evidence.settings["p_value_adjustment"]).capitalize()
    return display.styled(frame, _FORMATS, labels=_LABELS).set_caption(
        "Distances between the reference and current distributions of each feature, the test of no change (p "
        f"adjusted by {adjustment} over the features) and the effect size beside it: on {n} current rows a "
        "significant test may mean a negligible shift; a shift is material only when its effect size reaches "
        "the threshold."
    )


def most_drifted(
    evidence: DriftEvidence, n: int | None, statuses: tuple[str, ...] | None = None, moved: bool = False
) -> list[str]:
    """Features by the worse of their pooled and latest judged window's PSI, largest first (ties by name).

    ``moved``: only the features that moved, i.e. whose PSI (pooled or in the latest judged window) reaches the
    amber threshold or whose status is amber or red (the top-driver rule); a list of "most drifted" features
    never shows one that did not drift.
    """
    psi = evidence.features["psi"]
    if evidence.judged_windows:
        latest = evidence.windows.loc[evidence.judged_windows[-1]].drop("score").reindex(psi.index)
        psi = pd.concat([psi, latest], axis=1).max(axis=1)
    order = pd.DataFrame({"psi": psi, "name": psi.index}).sort_values(["psi", "name"], ascending=[False, True])
    names = list(order.index)
    if statuses is not None:
        names = [f for f in names if evidence.features.at[f, "status"] in statuses]
    if moved:
        amber = evidence.settings["psi_thresholds"]["amber"]
        status = evidence.features["status"]
        names = [f for f in names if psi[f] >= amber or status[f] in ("amber", "red")]
    return names if n is None else names[:n]


def psi_bars(evidence: DriftEvidence) -> tuple[pd.Series, pd.Series]:
    """Each feature's PSI and status, indexed by the features' labels (the bars of the PSI figure)."""
    f = evidence.features
    labels = [evidence.names.label(str(n)) for n in f.index]
    return f["psi"].set_axis(labels), f["status"].set_axis(labels)


def rule_text(evidence: DriftEvidence) -> Any:
    """The top-driver rule and how the features' importance was measured, in words."""
    s = evidence.settings
    return display.text(
        "Top-driver rule: {}. Importance to the model: {}.",
        wording.words(s["driver_shift"]["rule"], evidence.names),
        wording.words(s["importance"]["note"], evidence.names),
    )


def distribution_caption(evidence: DriftEvidence, name: str) -> str:
    """The caption of a drifted feature's distribution figure."""
    psi = evidence.features.at[name, "psi"]
    text = (
        f"{evidence.names.with_unit(name)}: share of rows in each bin (category), reference against current "
        f"and the latest window; PSI {numbers.fixed(psi, 3)} over the whole current sample"
    )
    if evidence.judged_windows:
        window = evidence.judged_windows[-1]
        text += f", {numbers.fixed(evidence.windows.at[window, name], 3)} in the latest window ({window})"
    return text + "."


def psi_table_caption(evidence: DriftEvidence, name: str) -> str:
    """The caption of a feature's PSI bin table."""
    return (
        f"PSI bin table of {evidence.names.label(name)}: counts and shares of each bin, reference against "
        "current, and each bin's contribution to the PSI."
    )


def score_frame_for_display(evidence: DriftEvidence) -> Any:
    s = evidence.score
    rows = [
        ("PSI", _FIXED3(s["psi"]), s["psi_status"]),
        ("KS statistic", _FIXED3(s["ks_statistic"]), ""),
        ("KS p-value", _P(s["ks_p_value"]), ""),
        ("mean score, reference", numbers.fixed(s["mean_reference"], 4), ""),
        ("mean score, current", numbers.fixed(s["mean_current"], 4), ""),
        ("scores from", "model artifact" if s["source"] == "artifact" else "score column", ""),
    ]
    if evidence.grade is not None:
        rows.append(("rating-grade PSI", _FIXED3(evidence.grade["psi"]), evidence.grade["psi_status"]))
    return display.styled(pd.DataFrame(rows, columns=["measure", "value", "status"]), index=False).set_caption(
        "Drift of the model's score (and of its rating grades): reference against the current sample."
    )


def _thr(evidence: DriftEvidence) -> Thresholds:
    return Thresholds(**evidence.settings["psi_thresholds"])


def psi_table_frame(result: Any, caption: str) -> Any:
    """A PSI bin table with its ``caption`` (which feature, score or grades it is)."""
    return display.psi_table(result, bin_names=wording.value_label).set_caption(caption)


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
    frame.index = [evidence.names.label(str(n)) if n not in ("rows", "score") else n for n in frame.index]
    order = list(frame.index)
    styler = display.frame_style(frame, precision=3).set_caption(
        "PSI of the score and of each feature in each monitoring window, against the whole reference sample "
        "(first row: the window's number of rows)."
    )
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
    columns = [evidence.names.label(str(c)) if c != "score" else "score" for c in evidence.windows.columns]
    return evidence.windows.set_axis(labels, axis=0).set_axis(columns, axis=1), judged


def settings_frame(evidence: DriftEvidence) -> Any:
    """The workbook's conventions keyed by plain words (the keys are in the evidence's ``drift.settings``)."""
    s = dict(evidence.settings)
    ref = s.pop("reference_profile")  # one line each: the per-feature hashes are in the metrics
    if "driver_shift" in s:
        s["driver_shift"] = s["driver_shift"]["rule"]
    if "importance" in s:
        s["importance"] = f"{s['importance']['method']}: {s['importance']['note']}"
    s["reference profile fingerprint (SHA-256), features"] = ref["sha256"]
    s["reference profile fingerprint (SHA-256), score"] = ref["score_sha256"]
    return wording.settings_frame(s, "Settings and conventions of the data-quality and drift workbook.")
