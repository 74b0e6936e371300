"""mrmkit's issue types, by workbook; specific types first, each workbook's fallback last (:mod:`.catalogue`).

Ranks: model performance (calibration, discrimination, VaR and ES coverage, alert performance) 10, overdue
remediation of an earlier validation's issue 12, fair treatment 15, drift of the model's inputs and score 20, the grade distribution and sensitivity 30, explanation
integrity 35, data quality and sufficiency 40, anything else 50.
"""

from __future__ import annotations

from mrmkit.conclude import headlines
from mrmkit.conclude.catalogue import IssueType, ignore, register

# A recommendation about a change is the decision's, not a problem of the model under validation.
ignore("champion_challenger.decision.**", "champion_challenger.recommendation.**")

_RECALIBRATE = "recalibrate the PDs (or the master scale) on recent outcomes and backtest the result"

register(
    IssueType(
        "CAL",
        "PD calibration",
        "backtest",
        ("backtest.pd.calibration.grades.{grade}.**", "backtest.pd.calibration.**"),
        scope={"grade": "grade {}"},
        rank=10,
        headline=headlines.calibration,
        remedy=_RECALIBRATE,
    )
)
register(
    IssueType(
        "DIS",
        "Discriminatory power",
        "backtest",
        ("backtest.*.discrimination.**",),
        rank=10,
        remedy="redevelop or re-estimate the model on recent data; review the drivers that lost their power",
    )
)
register(
    IssueType(
        "ALR",
        "Alert performance at the operating point",
        "backtest",
        ("backtest.classifier.operating_point.**",),
        rank=10,
        headline=headlines.alert_performance,
        remedy="re-tune the operating point or the alert capacity, or redevelop the model",
    )
)
register(
    IssueType(
        "VAR",
        "VaR backtest",
        "backtest",
        ("backtest.var.levels.{level}.**",),
        split=("level",),
        scope={"level": lambda metrics, level: headlines.level_words(metrics, "VaR", level)},
        rank=10,
        headline=headlines.var_level,
        remedy="review the VaR model's risk-factor coverage, volatility scaling and data; a multiplier add-on applies meanwhile",
    )
)
register(
    IssueType(
        "ES",
        "Expected-shortfall backtest",
        "backtest",
        ("backtest.var.es.{series}.**",),
        split=("series",),
        scope={"series": lambda metrics, series: headlines.level_words(metrics, "ES", series)},
        rank=10,
        remedy="review the tail model behind the expected shortfall",
    )
)
register(
    IssueType(
        "CON",
        "Rating-grade distribution",
        "backtest",
        ("backtest.pd.concentration.**",),
        rank=30,
        remedy="review the master scale and the population the grades are assigned to",
    )
)
register(
    IssueType(
        "SEN",
        "Sensitivity against expected directions",
        "backtest",
        ("backtest.sensitivity.**",),
        rank=30,
        remedy="review the feature's treatment in the model (binning, monotonic constraints)",
    )
)
register(
    IssueType(
        "BKT",
        "Backtest evidence",
        "backtest",
        ("backtest.**",),
        rank=40,
        remedy="provide the data the backtest needs, or record the limitation",
    )
)
register(
    IssueType(
        "FAI",
        "Adverse impact on protected groups",
        "champion_challenger",
        ("champion_challenger.fairness.{attribute}.champion.**",),
        split=("attribute",),
        scope={"attribute": "{}"},
        rank=15,
        remedy="review the drivers of the disparity and less discriminatory alternatives (Reg B, disparate impact)",
    )
)
register(
    IssueType(
        "CCE",
        "Champion-challenger evidence",
        "champion_challenger",
        ("champion_challenger.**",),
        rank=45,
        remedy="complete the comparison's evidence (coverage, design, matching) before the decision is relied on",
    )
)
register(
    IssueType(
        "DRF",
        "Drift of the model's inputs",
        "drift",
        ("drift.features.{feature}.**", "drift.windows.*.features.{feature}.**"),
        scope={"feature": "{}"},
        rank=20,
        remedy="find the cause of the shift; assess the model on the new population, or redevelop",
    )
)
register(
    IssueType(
        "STB",
        "Stability of the score and grades",
        "drift",
        ("drift.score.**", "drift.grade.**", "drift.windows.*.score_psi", "drift.retraining.**", "drift.summary.**"),
        rank=20,
        remedy="assess the model on the current population; a persistent shift calls for recalibration or redevelopment",
    )
)
register(
    IssueType(
        "DQ",
        "Data quality",
        "drift",
        ("drift.quality.features.{feature}.**", "drift.quality.**"),
        scope={"feature": "{}"},
        rank=40,
        remedy="correct the data feed or document the change in the data's definition",
    )
)
register(
    IssueType(
        "DRX",
        "Drift evidence",
        "drift",
        ("drift.**",),
        rank=45,
        remedy="provide the data the drift workbook needs, or record the limitation",
    )
)
register(
    IssueType(
        "EXP",
        "Explanations of the model's decisions",
        "explainability",
        ("explainability.**",),
        rank=35,
        remedy="correct the explanation method or the reason-code mapping before explanations are relied on",
    )
)
register(
    IssueType(
        "REM",
        "Remediation overdue",
        "",
        ("remediation.overdue.{issue}",),  # made by mrmkit.remediation from the register, never from a finding
        rank=12,
        remedy="complete the remediation, or record a new due date or the risk acceptance with its approver in the "
        "remediation register",
    )
)
register(
    IssueType(
        "OTH",
        "Other findings",
        "",
        ("{path}",),
        rank=50,
        remedy="review the finding",
    )
)
