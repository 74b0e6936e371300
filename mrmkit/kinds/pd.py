"""``model.kind: pd``: a probability-of-default model scored on application data (the default kind).

Judged on discrimination and calibration against observed defaults, by rating grade; decisions are taken at
``policy.cutoff`` (approve when the PD is at or below it); adverse-action reasons go to declined applicants.
"""

from mrmkit.kinds.registry import Expectation, ModelKind, Vocabulary, register

_ALERTING = "only for model.kind classifier, an alerting model judged at an operating point"

MONITORING = Expectation(
    "SR 11-7 / SR 26-2: ongoing monitoring",
    "data quality, population stability and drift over time",
    ("drift.quality", "drift.features", "drift.prediction", "drift.over_time"),
)
CONCEPTUAL_SOUNDNESS = Expectation(
    "SR 11-7 / SR 26-2: conceptual soundness",
    "drivers of the decisions (SHAP, LIME) and their stability",
    ("explainability.global", "explainability.local", "explainability.checks"),
)
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
            MONITORING,
            Expectation(
                "SR 11-7 / SR 26-2: outcomes analysis",
                "discrimination and calibration against observed defaults",
                ("backtest.pd_discrimination", "backtest.pd_calibration"),
            ),
            Expectation(
                "ECB PD backtesting (instructions for validation reporting, 2019)",
                "Jeffreys test per grade, current-against-initial AUC, concentration",
                ("backtest.pd_calibration", "backtest.pd_discrimination", "backtest.concentration"),
            ),
            Expectation(
                "SR 11-7 / SR 26-2: sensitivity and stress testing",
                "stress scenarios and one-at-a-time sensitivity",
                ("backtest.stress", "backtest.sensitivity"),
            ),
            Expectation(
                "SR 11-7 / SR 26-2: benchmarking",
                "champion against challenger on the same applications",
                ("champion_challenger.offline",),
            ),
            CONCEPTUAL_SOUNDNESS,
            Expectation(
                "ECOA / Regulation B: adverse-action reasons",
                "reason codes of declined applications",
                ("explainability.reason_codes",),
            ),
            Expectation(
                "Fair-lending screens (ECOA disparate impact)",
                "adverse impact ratio, four-fifths rule, parity differences",
                ("champion_challenger.fairness",),
            ),
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
