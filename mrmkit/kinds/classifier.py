"""``model.kind: classifier``: a binary alerting model (fraud-style), judged at its operating point.

Judged on its ranking (AUC) and at ``policy.alert_rate`` or ``policy.threshold``: catch rate, false-positive
rate, precision and cost; calibration by grade does not apply, and the favourable decision is to clear.
"""

from mrmkit.kinds.expectations import CONCEPTUAL_SOUNDNESS_ROWS, DATA_QUALITY, MONITORING, REVIEW_ONLY
from mrmkit.kinds.pd import ROW_SECTIONS
from mrmkit.kinds.registry import Expectation, ModelKind, Vocabulary, register

_PD_ONLY = "concerns PD models (rating grades, PD stress, credit losses, credit decisions); the operating point is policy.alert_rate or policy.threshold"

CLASSIFIER = register(
    ModelKind(
        name="classifier",
        noun="alerting classifier",
        label="binary alerting classifier (fraud-style), judged at its operating point",
        vocabulary=Vocabulary(
            unit="case",
            units="cases",
            event="event",
            events="events",
            favourable="clear",
            adverse="alert",
            score="score",
            favourable_rate="share not alerted",
            adverse_cases="alerted cases",
            threshold="operating point",
        ),
        scored_on_rows=True,
        calibrated_pd=False,
        decision="operating_point",
        sections=ROW_SECTIONS
        | {"backtest.classifier_operating_point", "backtest.over_time", "champion_challenger.alerts"},
        expectations=(
            CONCEPTUAL_SOUNDNESS_ROWS,
            DATA_QUALITY,
            MONITORING,
            Expectation(
                "SR 11-7 / SR 26-2 §V: outcomes analysis, including back-testing",
                "AUC, and catch rate, false-positive rate, precision and cost at the operating point",
                ("backtest.classifier_operating_point",),
                id="SR11-7.OUTCOMES",
            ),
            Expectation(
                "SR 11-7 / SR 26-2 §V: sensitivity testing",
                "one-at-a-time sensitivity of the score and the alerts",
                ("backtest.sensitivity",),
                id="SR11-7.SENSITIVITY",
            ),
            Expectation(
                "SR 11-7 / SR 26-2 §V: benchmarking",
                "champion against challenger on the same cases at the same alert rate",
                ("champion_challenger.offline", "champion_challenger.alerts"),
                id="SR11-7.BENCHMARKING",
            ),
            Expectation(
                "Alert reasons for the reviewing analyst",
                "reason codes of alerted cases",
                ("explainability.reason_codes",),
                id="ALERT-REASONS",
            ),
            Expectation(
                "Fairness of alerts (customer friction by protected group)",
                "four-fifths rule on the share not alerted, parity differences",
                ("champion_challenger.fairness",),
                id="ALERT-FAIRNESS",
            ),
            *REVIEW_ONLY,
        ),
        workbook_titles=(("backtest", "Backtest and sensitivity"),),
        required=(
            ("data.reference", "a classifier is compared on a reference and a current sample"),
            ("data.current", "a classifier is compared on a reference and a current sample"),
        ),
        refused=(
            ("policy.cutoff", _PD_ONLY),
            ("data.grade", _PD_ONLY),
            ("data.exposure", _PD_ONLY),
            ("data.lgd", _PD_ONLY),
            ("backtest.grades", _PD_ONLY),
            ("backtest.n_grades", _PD_ONLY),
            ("backtest.stress", _PD_ONLY),
            ("backtest.var", "a P&L, VaR and ES series belongs to a VaR engine's parameter file (model.kind var)"),
            ("explainability.actionable", _PD_ONLY),
            *(
                (f"champion_challenger.rules.{rule}", _PD_ONLY)
                for rule in ("min_auc_gain", "max_bad_rate_increase", "max_approval_rate_decrease")
            ),
        ),
    )
)
