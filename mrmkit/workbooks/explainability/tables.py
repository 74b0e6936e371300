"""What the explainability workbook displays and records, from the evidence only.

The ``metrics.json`` entry and the frames the notebook shows (the findings are in
:mod:`mrmkit.workbooks.explainability.findings`). Formatting goes through :mod:`mrmkit.workbooks.display`;
nothing here reads data or computes a statistic.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from mrmkit.text import numbers
from mrmkit.workbooks import display
from mrmkit.workbooks.explainability import words

if TYPE_CHECKING:
    from mrmkit.workbooks.explainability.analysis import ExplainEvidence

__all__ = [
    "metrics",
    "findings_frame",
    "model_heading",
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


def _model(model: str) -> str:
    return str(model).capitalize()


def findings_frame(evidence: ExplainEvidence) -> Any:
    return display.findings_table(evidence.findings).set_caption(
        "Findings of the explainability workbook, worst first."
    )


def model_heading(evidence: ExplainEvidence, model: str) -> Any:
    """The model and how it is explained, in words ("exact tree SHAP on the gradient-boosted trees model")."""
    m = evidence.models[model]
    return display.text(
        "### {}: {} on the {}, values in the log-odds of the model's output",
        _model(model),
        words.method(m["explainer"]),
        words.estimator(m["estimator"]),
    )


def importance_frame(evidence: ExplainEvidence, model: str) -> Any:
    imp = evidence.frames[f"{model}_importance"].head(15)
    m = evidence.models[model]
    own = m["model_importance"].get("spearman_vs_shap")
    drift = m["shap"]["explanation_drift_spearman"]
    caption = (
        f"{_model(model)}: mean absolute SHAP value per feature (log-odds), the {len(imp)} largest. Rank correlation "
        f"(Spearman, 1 = the same order) of this ranking with the model's own importance: {numbers.fixed(own, 2)}; "
        f"of the current against the reference sample's SHAP importance: {numbers.fixed(drift, 2)} "
        f"({_drift_words(drift)})."
    )
    frame = imp.assign(feature=imp["feature"].map(evidence.names.label))
    return display.styled(
        frame,
        {"mean_abs_shap": _cell(lambda v: numbers.fixed(v, 3)), "share": _cell(numbers.share), "rank": display.INTEGER},
        status_columns=(),
        index=False,
        labels={"mean_abs_shap": "mean |SHAP| (log-odds)", "share": "share of total |SHAP|"},
    ).set_caption(caption)


def _drift_words(rho: Any) -> str:
    """What a rank correlation of the current against the reference importance says about explanation drift."""
    if rho is None:
        return "not measured"
    if rho >= 0.9:
        return "the model relies on the same features as at development"
    if rho >= 0.7:
        return "the order of the features has moved somewhat since development"
    return "the model relies on different features than at development"


def _signed(value: float) -> str:
    """A SHAP value at 2 decimals with its sign, and never "-0.00"."""
    text = numbers.fixed(abs(value), 2)
    return text if float(text) == 0 else f"{'-' if value < 0 else '+'}{text}"


def _cell(format_: Any) -> Any:
    """A cell by one of :mod:`mrmkit.text.numbers`' formats, blank when there is no value."""
    return lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else format_(v)


def local_frame(evidence: ExplainEvidence, model: str) -> Any:
    rows, fits = [], []
    for rid in evidence.local[model]["ids"]:
        entry = evidence.models[model]["local"][rid]
        shap_top = sorted(entry["shap"].items(), key=lambda kv: -abs(kv[1]))[:3]
        fits.append(entry["lime"]["score"])
        rows.append(
            {
                "case": rid,
                "largest SHAP values (log-odds)": "; ".join(
                    f"{evidence.names.label(k)} {_signed(v)}" for k, v in shap_top
                ),
                "LIME local fit (R²)": entry["lime"]["score"],
                "top features shared by SHAP and LIME": entry["agreement"]["overlap_share"],
            }
        )
    caption = (
        f"{_model(model)}: the three largest SHAP values of each case explained (positive values raise the "
        f"score). {words.lime_fit_note(fits)}"
    )
    return display.styled(
        pd.DataFrame(rows),
        {
            "LIME local fit (R²)": _cell(lambda v: numbers.fixed(v, 2)),
            "top features shared by SHAP and LIME": _cell(lambda v: numbers.share(v, 0)),
        },
        status_columns=(),
        index=False,
    ).set_caption(caption)


def checks_frame(evidence: ExplainEvidence) -> Any:
    rows = []
    tol = evidence.settings["additivity_tolerance"]
    for model, m in evidence.models.items():
        err = m["shap"]["additivity_max_abs_error"]
        rows.append(
            (
                _model(model),
                "SHAP additivity (largest error, log-odds)",
                words.small(err),
                "green" if err <= tol else "red",
            )
        )
        rows.append(
            (
                _model(model),
                "SHAP rerun with another seed (largest change, log-odds)",
                words.small(m["shap_seed_rerun_max_abs_difference"]),
                "",
            )
        )
        for rid, s in m["lime_stability"].items():
            rows.append(
                (
                    _model(model),
                    f"LIME stability over seeds, case {rid} (mean / lowest rank correlation)",
                    f"{numbers.fixed(s['spearman_mean'], 2)} / {numbers.fixed(s['spearman_min'], 2)}",
                    "",
                )
            )
    caption = (
        f"Additivity: base value plus the SHAP values must equal the model's output within "
        f"{words.setting_value('additivity_tolerance', tol)} log-odds. LIME stability: rank correlation (Spearman) "
        "of LIME's feature weights between reruns with other seeds; 1 is the same explanation every time, below "
        "0.7 the explanation depends on the seed."
    )
    frame = pd.DataFrame(rows, columns=["model", "check", "value", "status"])
    return display.styled(frame, index=False).set_caption(caption)


def reasons_summary(evidence: ExplainEvidence, model: str) -> Any:
    r = evidence.reasons[model]
    if not r.get("applicable"):
        return display.text("{}: reason codes not given: {}.", _model(model), words.reason(r["reason"]))
    rc = r["result"]
    freq = rc.frequency[rc.frequency["count"] > 0]
    alerting = "operating_point" in evidence.settings
    cases = "alerted cases" if alerting else "declined applications"
    caption = (
        f"{_model(model)}: reasons given to {numbers.count(rc.n_rows)} {cases} of the explained sample, most "
        f"frequent first; {numbers.count(rc.n_fewer_than_k)} received fewer than {rc.top_k} reasons."
    )
    fmt = {c: _cell(numbers.share) for c in ("share_of_declines", "share_first", "share_of_reasons")}
    labels = {"share_of_declines": "share of alerts"} if alerting else None
    return display.styled(freq, fmt, status_columns=(), index=False, labels=labels).set_caption(caption)


def _change(evidence: ExplainEvidence, feature: str, old: float, new: float) -> str | None:
    """A feature's change at the precision the data use ("Savings balance (EUR): 585.90 → 104,021.37"), or
    None when it is no change at that precision (the search's ``0 → 2.69e-06``)."""
    step = evidence.steps.get(feature, numbers.data_step([old, new]))
    before, after = numbers.at_step(old, step), numbers.at_step(new, step)
    if before == after:
        return None
    return f"{evidence.names.with_unit(feature)}: {before} → {after}"


def counterfactual_frame(evidence: ExplainEvidence, model: str) -> Any:
    c = evidence.counterfactuals[model]
    if not c.get("applicable"):
        return display.text("{}: counterfactuals not searched: {}.", _model(model), words.reason(c["reason"]))
    res = c["result"]
    changes: dict[str, list[str]] = {}
    for rid, feature, old, new in zip(
        res.changes["id"], res.changes["feature"], res.changes["from"], res.changes["to"], strict=True
    ):
        shown = _change(evidence, feature, old, new)
        if shown is not None:
            changes.setdefault(str(rid), []).append(shown)
    rows = pd.DataFrame(
        {
            "application": res.rows["id"].astype(str),
            "PD": res.rows["pd"],
            "outcome": res.rows["status"].map(words.OUTCOME_WORDS).fillna(res.rows["status"]),
            "PD after the change": res.rows["new_pd"],
            "distance": res.rows["distance"],
            "change that brings the PD to the cut-off": [
                "; ".join(changes.get(str(i), [])) or str(r)
                for i, r in zip(res.rows["id"], res.rows["reason"], strict=True)
            ],
        }
    )
    caption = (
        f"{_model(model)}: a change was found for {numbers.count(res.n_found)} of {numbers.count(res.n_declined)} "
        f"declined applications ({numbers.share(res.share_found, 0)}), approval at PD {numbers.share(res.cutoff)} or "
        "below. Distance: the sum of the changes, each divided by its feature's spread in the reference data (the "
        "inter-quartile range, or the standard deviation where that is 0). Values at the precision the data record "
        "them; a change smaller than that is no change."
    )
    fmt = {
        "PD": _cell(numbers.share),
        "PD after the change": _cell(numbers.share),
        "distance": _cell(lambda v: numbers.fixed(v, 2)),
    }
    return display.styled(rows, fmt, status_columns=(), index=False).set_caption(caption)


def settings_frame(evidence: ExplainEvidence) -> Any:
    rows = [
        (words.SETTING_WORDS.get(k, k.replace("_", " ")), words.setting_value(k, v, evidence.settings.get("top_k")))
        for k, v in evidence.settings.items()
    ]
    frame = pd.DataFrame(rows, columns=["setting", "value"])
    return display.styled(frame, status_columns=(), index=False).set_caption(
        "Settings and conventions of the explanations."
    )
