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
from mrmkit.workbooks import display

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
        display.text("- Score PSI: {:.4f} ({}).", evidence.score["psi"], evidence.score["psi_status"]),
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
            evidence.retraining["rule"],
        )
    )
    return display.join(lines)


def _drivers_line(evidence: DriftEvidence) -> Any:
    """The model's top drivers, how their importance was measured, and the features the top-driver rule raised."""
    f, importance = evidence.features, evidence.settings["importance"]
    raised = [str(n) for n in f.index[f["driver_status"] == "amber"]]
    if importance["method"] == "none":
        who = "no importance measured ({}): every feature is judged by its effect size".format(importance["note"])
    else:
        top = f[f["top_driver"]].sort_values("importance_rank")
        names = ", ".join(f"{n} ({v:.0%})" for n, v in top["importance"].items()) or "none"
        who = "top drivers {} by {} importance".format(names, importance["method"])
    return display.text(
        "- Top-driver rule: {}; a significant, material shift in {}: **{}**.",
        who,
        "one of them" if importance["method"] != "none" else "a feature",
        ", ".join(raised) or "none",
    )


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
            "kind": "type",
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
}
_FORMATS = {
    "psi": display.FIXED4,
    "importance": display.PERCENT,
    "effect_size": display.FIXED4,
    "ks_statistic": display.FIXED4,
    "wasserstein": display.GENERAL,
    "wasserstein_normed": display.FIXED4,
    "js_distance": display.FIXED4,
    "chi2_statistic": display.GENERAL,
    "chi2_df": display.INTEGER,
    "p_value": display.P_VALUE,
    "p_value_adjusted": display.P_VALUE,
}


def _feature_rows(evidence: DriftEvidence, cols: list[str]) -> pd.DataFrame:
    frame = evidence.features.sort_values(["psi", "column"], ascending=[False, True])[cols]
    yes_no = {True: "yes", False: "no"}
    return frame.assign(**{c: frame[c].map(yes_no) for c in ("significant", "top_driver") if c in cols})


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
    cols += ["test", "p_value", "p_value_adjusted", "significant"]
    frame = _feature_rows(evidence, cols)
    return display.styled(frame, _FORMATS, labels=_LABELS).set_caption(
        "Distances between the reference and current distributions of each feature, and the test of no change "
        "(p adjusted by Holm over the features)."
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
    rows = [(k, display.setting(v)) for k, v in evidence.settings.items() if k != "reference_profile"]
    ref = evidence.settings["reference_profile"]  # one line each: the per-feature hashes are in the metrics
    rows += [
        ("reference profile sha256 (features)", ref["sha256"]),
        ("reference profile sha256 (score)", ref["score_sha256"]),
    ]
    return display.styled(pd.DataFrame(rows, columns=["setting", "value"]), status_columns=(), index=False)
