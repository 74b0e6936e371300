"""What the explainability workbook displays and records, from the evidence only.

The ``metrics.json`` entry and the frames the notebook shows (the findings are in
:mod:`mrmkit.workbooks.explainability.findings`). Formatting goes through :mod:`mrmkit.workbooks.display`;
nothing here reads data or computes a statistic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from mrmkit.workbooks import display

if TYPE_CHECKING:
    from mrmkit.workbooks.explainability.analysis import ExplainEvidence

__all__ = [
    "metrics",
    "findings_frame",
    "importance_frame",
    "local_frame",
    "checks_frame",
    "reasons_summary",
    "counterfactual_frame",
    "settings_frame",
]

# --- metrics.json --------------------------------------------------------------------------------


def metrics(evidence: ExplainEvidence) -> dict[str, Any]:
    """The workbook's entry in ``metrics.json`` (keys documented in the README)."""
    errors = [m["shap"]["additivity_max_abs_error"] for m in evidence.models.values()]
    return {
        "applicable": evidence.applicable,
        "reason": evidence.reason,
        # contract key: the largest additivity error over the explained models
        "shap": {"additivity_max_abs_error": max(errors) if errors else None},
        "models": evidence.models,
        "settings": evidence.settings,
        "findings": evidence.findings,
    }


# --- presentation --------------------------------------------------------------------------------


def findings_frame(evidence: ExplainEvidence) -> Any:
    return display.findings_table(evidence.findings)


def importance_frame(evidence: ExplainEvidence, model: str) -> Any:
    imp = evidence.frames[f"{model}_importance"].head(15)
    m = evidence.models[model]
    caption = (
        f"Spearman correlation of the SHAP ranking with the model's own importance: "
        f"{m['model_importance'].get('spearman_vs_shap', float('nan')):.3f}; of current against reference SHAP "
        f"importance (explanation drift): {m['shap']['explanation_drift_spearman']:.3f}."
    )
    shares = {c: display.PERCENT for c in imp.columns if c == "share" or str(c).endswith("_share")}
    return display.styled(
        imp, shares, status_columns=(), index=False, labels={"share": "share of total |SHAP|"}
    ).set_caption(caption)


def local_frame(evidence: ExplainEvidence, model: str) -> Any:
    rows = []
    for rid in evidence.local[model]["ids"]:
        entry = evidence.models[model]["local"][rid]
        shap_top = sorted(entry["shap"].items(), key=lambda kv: -abs(kv[1]))[:3]
        rows.append(
            {
                "id": rid,
                "top SHAP features": ", ".join(f"{k} {v:+.3f}" for k, v in shap_top),
                "LIME local fit (R²)": entry["lime"]["score"],
                "top-feature overlap": entry["agreement"]["overlap_share"],
            }
        )
    return display.styled(
        pd.DataFrame(rows),
        {"LIME local fit (R²)": display.FIXED4, "top-feature overlap": display.PERCENT},
        status_columns=(),
        index=False,
    )


def checks_frame(evidence: ExplainEvidence) -> Any:
    rows = []
    tol = evidence.settings["additivity_tolerance"]
    for model, m in evidence.models.items():
        err = m["shap"]["additivity_max_abs_error"]
        rows.append(
            (model, "SHAP additivity (largest error, log-odds)", f"{err:.3g}", "green" if err <= tol else "red")
        )
        rows.append(
            (
                model,
                "SHAP rerun with another seed (largest change, log-odds)",
                f"{m['shap_seed_rerun_max_abs_difference']:.3g}",
                "",
            )
        )
        for rid, s in m["lime_stability"].items():
            rows.append(
                (
                    model,
                    f"LIME stability over seeds, application {rid} (mean / min Spearman)",
                    f"{_num(s['spearman_mean'])} / {_num(s['spearman_min'])}",
                    "",
                )
            )
    return display.styled(pd.DataFrame(rows, columns=["model", "check", "value", "status"]), index=False)


def _num(v: Any) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def reasons_summary(evidence: ExplainEvidence, model: str) -> Any:
    r = evidence.reasons[model]
    if not r.get("applicable"):
        return display.styled(
            pd.DataFrame([("reason codes", r["reason"])], columns=["part", "note"]), status_columns=(), index=False
        )
    rc = r["result"]
    freq = rc.frequency[rc.frequency["count"] > 0]
    cases = "alerted cases" if "operating_point" in evidence.settings else "declined applications"
    caption = f"{rc.n_rows} {cases} explained; {rc.n_fewer_than_k} received fewer than {rc.top_k} reasons."
    fmt = {"share_of_declines": display.PERCENT, "share_first": display.PERCENT, "share_of_reasons": display.PERCENT}
    labels = {"share_of_declines": "share of alerts"} if "operating_point" in evidence.settings else None
    return display.styled(freq, fmt, status_columns=(), index=False, labels=labels).set_caption(caption)


def counterfactual_frame(evidence: ExplainEvidence, model: str) -> Any:
    c = evidence.counterfactuals[model]
    if not c.get("applicable"):
        return display.styled(
            pd.DataFrame([("counterfactuals", c["reason"])], columns=["part", "note"]), status_columns=(), index=False
        )
    res = c["result"]
    changes = res.changes.groupby("id").apply(
        lambda g: "; ".join(
            f"{f}: {a:.4g} → {b:.4g}" for f, a, b in zip(g["feature"], g["from"], g["to"], strict=True)
        ),
        include_groups=False,
    )
    rows = res.rows.assign(changes=res.rows["id"].map(changes).fillna(""))[
        ["id", "pd", "status", "new_pd", "distance", "changes", "reason"]
    ]
    caption = (
        f"Counterfactual found for {res.n_found} of {res.n_declined} declined applications ({res.share_found:.0%})."
    )
    fmt = {"pd": display.PERCENT, "new_pd": display.PERCENT, "distance": display.FIXED4}
    return display.styled(rows, fmt, status_columns=(), index=False).set_caption(caption)


def settings_frame(evidence: ExplainEvidence) -> Any:
    rows = [(k, display.setting(v)) for k, v in evidence.settings.items()]
    return display.styled(pd.DataFrame(rows, columns=["setting", "value"]), status_columns=(), index=False)
