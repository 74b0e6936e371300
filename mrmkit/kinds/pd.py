"""``model.kind: pd``: a probability-of-default model scored on application data (the default kind).

Judged on discrimination and calibration against observed defaults, by rating grade; decisions are taken at
``policy.cutoff`` (approve when the PD is at or below it); adverse-action reasons go to declined applicants.
"""

from mrmkit.kinds.expectations import CONCEPTUAL_SOUNDNESS_ROWS, DATA_QUALITY, MONITORING, REVIEW_ONLY
from mrmkit.kinds.registry import Expectation, ModelKind, Vocabulary, register

_ALERTING = "only for model.kind classifier, an alerting model judged at an operating point"

#: Sections every kind scored on rows of data has (the drift and explainability workbooks, the findings and
#: settings of each workbook).
ROW_SECTIONS = frozenset(
    {
        "drift.findings",
        "drift.quality",
        "drift.features",
        "drift.prediction",
        "drift.over_time",
        "drift.bin_tables",
        "drift.settings",
        "backtest.findings",
        "backtest.sensitivity",
        "backtest.settings",
        "champion_challenger.recommendation",
        "champion_challenger.findings",
        "champion_challenger.offline",
        "champion_challenger.shadow",
        "champion_challenger.ab",
        "champion_challenger.fairness",
        "champion_challenger.settings",
        "explainability.findings",
        "explainability.global",
        "explainability.local",
        "explainability.checks",
        "explainability.reason_codes",
        "explainability.settings",
    }
)

PD = register(
    ModelKind(
        name="pd",
        noun="PD model",
        label="probability of default (application data)",
        vocabulary=Vocabulary(
            unit="application",
            units="applications",
            event="default",
            events="defaults",
            favourable="approve",
            adverse="decline",
            score="PD",
            favourable_rate="approval rate",
            adverse_cases="declined applications",
            threshold="cut-off",
        ),
        scored_on_rows=True,
        calibrated_pd=True,
        decision="cutoff",
        sections=ROW_SECTIONS
        | {
            "backtest.pd_discrimination",
            "backtest.pd_calibration",
            "backtest.concentration",
            "backtest.over_time",
            "backtest.stress",
            "champion_challenger.decisions",
            "champion_challenger.calibration",
            "explainability.counterfactuals",
        },
        expectations=(
            CONCEPTUAL_SOUNDNESS_ROWS,
            DATA_QUALITY,
            MONITORING,
            Expectation(
                "SR 11-7 / SR 26-2 §V: outcomes analysis, including back-testing",
                "discrimination and calibration against observed defaults",
                ("backtest.pd_discrimination", "backtest.pd_calibration"),
                id="SR11-7.OUTCOMES",
            ),
            Expectation(
                "ECB instructions for reporting the validation results of IRB models (2019) §2.5: PD predictive "
                "ability",
                "Jeffreys test of the PD of each grade against its observed default rate",
                ("backtest.pd_calibration",),
                id="ECB-IRB.PD-CALIBRATION",
            ),
            Expectation(
                "ECB instructions for reporting the validation results of IRB models (2019) §2.5: PD "
                "discriminatory power",
                "current AUC against the AUC at initial validation",
                ("backtest.pd_discrimination",),
                id="ECB-IRB.PD-DISCRIMINATION",
            ),
            Expectation(
                "ECB instructions for reporting the validation results of IRB models (2019) §2.5: stability "
                "(migrations, concentration)",
                "grade migration matrix and Herfindahl concentration of the grades",
                ("backtest.concentration",),
                id="ECB-IRB.PD-STABILITY",
            ),
            Expectation(
                "ECB guide to internal models (TRIM), credit risk: definition of default, rating philosophy "
                "and margin of conservatism",
                "the validator's review of the default definition used for the targets, the rating philosophy "
                "and the margin of conservatism",
                id="ECB-TRIM.PD-DEFAULT-MOC",
            ),
            Expectation(
                "SR 11-7 / SR 26-2 §V: sensitivity analysis and stress testing",
                "stress scenarios and one-at-a-time sensitivity",
                ("backtest.stress", "backtest.sensitivity"),
                id="SR11-7.SENSITIVITY",
            ),
            Expectation(
                "SR 11-7 / SR 26-2 §V: benchmarking",
                "champion against challenger on the same applications",
                ("champion_challenger.offline",),
                id="SR11-7.BENCHMARKING",
            ),
            Expectation(
                "ECOA / Regulation B, 12 CFR 1002.9: specific reasons for adverse action",
                "reason codes of declined applications",
                ("explainability.reason_codes",),
                id="REG-B.ADVERSE-ACTION",
            ),
            Expectation(
                "ECOA / Regulation B, 12 CFR 1002.4: no discrimination on a prohibited basis (disparate-impact "
                "screens)",
                "adverse impact ratio, four-fifths rule, parity differences",
                ("champion_challenger.fairness",),
                id="REG-B.FAIR-LENDING",
            ),
            *REVIEW_ONLY,
        ),
        required=(
            ("data.reference", "a PD model is compared on a reference and a current sample"),
            ("data.current", "a PD model is compared on a reference and a current sample"),
        ),
        refused=(
            ("backtest.var", "a P&L, VaR and ES series belongs to a VaR engine's parameter file (model.kind var)"),
            *((f"policy.{name}", _ALERTING) for name in ("alert_rate", "threshold", "costs")),
            *(
                (f"champion_challenger.rules.{rule}", _ALERTING)
                for rule in ("min_catch_rate_gain", "max_false_positive_rate_increase")
            ),
        ),
    )
)
