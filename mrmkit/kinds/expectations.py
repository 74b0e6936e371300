"""The supervisory expectations shared by several kinds of model, each with its stable id.

Where an expectation cites a text, the citation names the section of that text: SR 11-7 (Federal Reserve and
OCC, 2011; the SR 26-2 revision keeps its structure) §IV "Model development, implementation, and use", §V "Model
validation" with its three core elements (evaluation of conceptual soundness, including developmental
evidence; ongoing monitoring, including process verification and benchmarking; outcomes analysis, including
back-testing) and §VI "Governance, policies, and controls" (documentation); PRA SS1/23 (2023), Principle 3
"Model development, implementation and use", Principle 4 "Independent model validation" and Principle 5
"Model risk mitigants"; the ECB guide to internal models (TRIM), general topics, "Internal validation" and
"Model use". The kind modules add their own (ECB validation-reporting instructions for PD models, Regulation B
for credit decisions, Basel backtesting for VaR).

An expectation without sections is one no computation of mrmkit's can evidence: the report shows it NOT
EVIDENCED until the validator records a review of it in the parameter file's ``validation.reviews``.
"""

from __future__ import annotations

from mrmkit.kinds.registry import Expectation

__all__ = [
    "CONCEPTUAL_SOUNDNESS",
    "CONCEPTUAL_SOUNDNESS_ROWS",
    "DOCUMENTATION",
    "IMPLEMENTATION",
    "DATA_LINEAGE",
    "DATA_QUALITY",
    "MONITORING",
    "USE",
    "MITIGANTS",
    "REVIEW_ONLY",
]

CONCEPTUAL_SOUNDNESS = Expectation(
    "SR 11-7 / SR 26-2 §V: evaluation of conceptual soundness, including developmental evidence; PRA SS1/23 "
    "Principle 4",
    "the validator's review of the model's design, theory, assumptions and variable selection against the "
    "development evidence",
    id="SR11-7.CONCEPTUAL-SOUNDNESS",
)
#: For a model scored on rows: the explanations are material for the review, never its evidence on their own.
CONCEPTUAL_SOUNDNESS_ROWS = Expectation(
    CONCEPTUAL_SOUNDNESS.source,
    CONCEPTUAL_SOUNDNESS.evidence + "; the drivers mrmkit measures (SHAP, LIME) support that review but do not "
    "replace it",
    id=CONCEPTUAL_SOUNDNESS.id,
    supporting=("explainability.global", "explainability.checks"),
)
DOCUMENTATION = Expectation(
    "SR 11-7 / SR 26-2 §VI: model documentation; PRA SS1/23 Principle 3",
    "the validator's review of the development documentation (its completeness, so that a third party could "
    "understand and rebuild the model)",
    id="SR11-7.DOCUMENTATION",
)
IMPLEMENTATION = Expectation(
    "SR 11-7 / SR 26-2 §IV and §V: implementation testing and process verification; PRA SS1/23 Principle 3",
    "the validator's review that the model in production computes what was developed and validated (code, "
    "inputs, feeds, outputs)",
    id="SR11-7.IMPLEMENTATION",
)
DATA_LINEAGE = Expectation(
    "SR 11-7 / SR 26-2 §IV: data relevance and lineage; PRA SS1/23 Principle 3",
    "the validator's review of where the development and monitoring data come from and that they represent "
    "the population the model is used on",
    id="SR11-7.DATA-LINEAGE",
)
DATA_QUALITY = Expectation(
    "SR 11-7 / SR 26-2 §IV: rigorous assessment of data quality",
    "missing values, ranges, unseen categories and type changes of every feature in both samples",
    ("drift.quality",),
    id="SR11-7.DATA-QUALITY",
)
MONITORING = Expectation(
    "SR 11-7 / SR 26-2 §V: ongoing monitoring; PRA SS1/23 Principle 4",
    "population stability and drift of the features and of the score, overall and over time",
    ("drift.features", "drift.prediction", "drift.over_time"),
    id="SR11-7.MONITORING",
)
USE = Expectation(
    "SR 11-7 / SR 26-2 §IV: model use; ECB guide to internal models, general topics: model use; PRA SS1/23 Principle 3",
    "the validator's review that the model is used for its intended purpose and population, within its "
    "stated limitations (use test)",
    id="SR11-7.USE",
)
MITIGANTS = Expectation(
    "PRA SS1/23 Principle 5: model risk mitigants",
    "the validator's review of post-model adjustments, overlays and restrictions on use that compensate for "
    "the model's limitations",
    id="SS1-23.MITIGANTS",
)
#: The expectations every kind has that only the validator's recorded review can evidence.
REVIEW_ONLY = (DOCUMENTATION, IMPLEMENTATION, DATA_LINEAGE, USE, MITIGANTS)
