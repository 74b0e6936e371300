"""The explainability workbook: global and local explanations, checks, reason codes, counterfactuals.

The work is split by job: :mod:`.analysis` (the entry points :func:`preflight` and :func:`analyse`: the
context in, the frozen evidence out) and :mod:`.tables` (the findings, from the evidence and the
``explainability`` section's tolerance, and what is displayed and recorded, from the evidence only; the
findings are too few for a module of their own). This module re-exports what the notebook, the tests and
the other modules use.

Conventions (recorded in ``explainability.settings``):

- SHAP values are in the model's log-odds; the explainer is chosen from the model type and recorded
  (:func:`mrmkit.explain.explain_shap`); the background is ``background_size`` reference rows and the
  global sample ``sample_size`` current rows, both drawn with the parameter file's ``seed``;
- additivity: the largest |base value + sum of SHAP values - log-odds output| must stay below
  ``explainability.additivity_tolerance``; a breach is a red finding, never a silent number;
- reason codes: for declined applications of the sample (PD above ``policy.cutoff``), the ``top_k``
  features with the largest positive SHAP values, mapped through ``explainability.reason_codes``;
- counterfactuals: for declined applications, the smallest scaled change of the actionable features
  within their ranges that brings the PD to the cut-off; an open bound (null) is the reference sample's
  minimum or maximum.
"""

from mrmkit.workbooks.explainability.analysis import (
    LOCAL_STABILITY_ROWS,
    ExplainEvidence,
    analyse,
    decision_cut,
    preflight,
)
from mrmkit.workbooks.explainability.findings import WORKBOOK, additivity_findings, evidence_findings
from mrmkit.workbooks.explainability.tables import (
    checks_frame,
    counterfactual_frame,
    findings_frame,
    importance_frame,
    local_frame,
    model_heading,
    reasons_summary,
    settings_frame,
)

__all__ = [
    "WORKBOOK",
    "LOCAL_STABILITY_ROWS",
    "ExplainEvidence",
    "analyse",
    "preflight",
    "decision_cut",
    "checks_frame",
    "counterfactual_frame",
    "findings_frame",
    "importance_frame",
    "local_frame",
    "model_heading",
    "reasons_summary",
    "settings_frame",
    "evidence_findings",
    "additivity_findings",
]
