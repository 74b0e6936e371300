"""What the explainability workbook judges: every ``finding(...)`` of the workbook, from an
:class:`~mrmkit.workbooks.explainability.analysis.ExplainEvidence` and the parameter file's
``explainability`` section; nothing here reads data, computes a statistic or formats a table.

- no model given as an artifact (scores-only mode): one amber finding, explainability not evidenced;
- additivity: a model whose largest |base value + sum of SHAP values - log-odds output| (over the current
  and the reference sample) is not at most ``explainability.additivity_tolerance`` is a red finding, in
  the order of the models;
- otherwise one green finding with the largest additivity error over the models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mrmkit.policy import finding
from mrmkit.workbooks.explainability import words

if TYPE_CHECKING:
    from mrmkit.workbooks.explainability.analysis import ExplainEvidence

__all__ = ["WORKBOOK", "evidence_findings", "additivity_findings"]

WORKBOOK = "explainability"


def additivity_findings(evidence: ExplainEvidence, cfg: Any) -> list[dict[str, Any]]:
    """A red finding for each model whose SHAP values do not add up to its output."""
    out: list[dict[str, Any]] = []
    for name, m in evidence.models.items():
        error = m["shap"]["additivity_max_abs_error"]
        if not error <= cfg.additivity_tolerance:
            out.append(
                finding(
                    WORKBOOK,
                    "red",
                    f"{name.capitalize()}: SHAP values do not add up to the model's output",
                    f"The base value plus the SHAP values differs from the output by {words.within(error)} log-odds.",
                    metric=f"explainability.models.{name}.shap.additivity_max_abs_error",
                    value=error,
                    threshold=f"at most {words.small(cfg.additivity_tolerance, 0)} log-odds",
                )
            )
    return out


def evidence_findings(evidence: ExplainEvidence, cfg: Any) -> list[dict[str, Any]]:
    """The workbook's findings, in the order they are recorded (``cfg`` is ``params.explainability``)."""
    if not evidence.applicable:
        f = finding(
            WORKBOOK,
            "amber",
            "Explainability not evidenced",
            f"{words.reason(evidence.reason).capitalize()}.",
            metric="explainability.reason",
            threshold="explanations need the model",
        )
        return [f]
    findings_all = additivity_findings(evidence, cfg)
    if not findings_all:
        worst = max(m["shap"]["additivity_max_abs_error"] for m in evidence.models.values())
        findings_all.append(
            finding(
                WORKBOOK,
                "green",
                "Explanations add up",
                f"The base value plus the SHAP values differs from the model's output by {words.within(worst)} "
                "log-odds for every case explained.",
                metric="explainability.shap.additivity_max_abs_error",
                value=worst,
                threshold=f"at most {words.small(cfg.additivity_tolerance, 0)} log-odds",
            )
        )
    return findings_all
