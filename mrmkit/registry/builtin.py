"""The four built-in workbooks and their sections, registered in the order they run.

Each section's ``scope`` rule reads the workbook's own metrics (what its analysis recorded) and says why the
section did not run, in plain words, or ``None`` when it ran. Whether a section applies to a kind of model at
all is the kind's to say (:mod:`mrmkit.kinds`); these rules cover what the inputs allow.

A reason is a gap in the evidence (an input not given, too little data: a limitation the report states) unless
the rule returns it as :class:`~mrmkit.registry.workbooks.NotApplicable`, which only the inputs making the
section moot earn: no feature drifted (no bin table to show), no application was declined (no adverse-action
reason to give), no shadow deployment or A/B test was run, no counterfactual was asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mrmkit.registry.workbooks import NotApplicable, Section, WorkbookSpec, metric, register

__all__ = [
    "DRIFT",
    "BACKTEST",
    "CHAMPION_CHALLENGER",
    "EXPLAINABILITY",
    "NOTHING_DECLINED",
    "NOTHING_ALERTED",
    "NO_ACTIONABLE",
]

Metrics = Mapping[str, Any]

#: The reasons the explainability analysis records when its sample gives the section nothing to do; the
#: analysis writes these constants, so the rules below recognise them as moot, not missing.
NOTHING_DECLINED = "no application of the sample is declined"
NOTHING_ALERTED = "no case of the sample is alerted"
NO_ACTIONABLE = "no feature is declared actionable in the parameter file"
#: The same reason as packages before issue 27 recorded it (with the parameter key), still read as moot.
_NO_ACTIONABLE_BEFORE = "no actionable features (explainability.actionable)"


def _not_applicable(m: Metrics, key: str) -> str | None:
    """The recorded reason when ``key.applicable`` is false (or the part is missing), else None."""
    part = metric(m, key)
    if not isinstance(part, Mapping):
        return "not computed in this run"
    if part.get("applicable", True):
        return None
    return str(part.get("reason") or "not applicable to these inputs")


FINDINGS = Section("findings", "Findings")
SETTINGS = Section("settings", "Settings and conventions")

# ---- data quality and drift -------------------------------------------------------------------------------


def _windows(m: Metrics) -> str | None:
    return None if metric(m, "windows") else "no time column was given, so the current sample has no windows"


def _drifted_bins(m: Metrics) -> str | None:
    features = metric(m, "features") or {}
    drifted = any(isinstance(f, Mapping) and f.get("status") in ("amber", "red") for f in features.values())
    return None if drifted else NotApplicable("no feature has an amber or red PSI")


DRIFT = register(
    WorkbookSpec(
        name="drift",
        title="Data quality and drift",
        order=10,
        package="mrmkit.workbooks.drift",
        sections=(
            FINDINGS,
            Section(
                "quality",
                "Data quality",
                "data quality of every feature (missing values, range, categories)",
                description="Missing shares in both samples and their change, the share of current values outside the reference range, categories never seen in the reference, type changes and constant columns.",
            ),
            Section(
                "features",
                "Feature drift",
                "population stability of every feature (PSI, KS, Wasserstein, chi-square)",
                description="PSI, KS, Wasserstein (raw and divided by the reference standard deviation) and Jensen-Shannon distance for numeric features; PSI and chi-square for categorical ones. p-values are adjusted for multiple testing across all features (method in the settings below).",
            ),
            Section(
                "prediction",
                "Prediction drift",
                "stability of the model's {score}",
                description="PSI of the model's {score} (reference deciles) and, when the model assigns rating grades, of the grades.",
            ),
            Section(
                "over_time",
                "Drift over time",
                "drift per monitoring window",
                _windows,
                description="PSI of each feature and of the {score} in each monitoring window against the whole reference sample.",
            ),
            Section("bin_tables", "PSI bin tables of the amber and red features", "", _drifted_bins),
            SETTINGS,
        ),
    )
)

# ---- backtest and stress test -----------------------------------------------------------------------------


def _pd_outcomes(m: Metrics) -> str | None:
    return _not_applicable(m, "pd")


def _pd_windows(m: Metrics) -> str | None:
    reason = _pd_outcomes(m)
    if reason is None:
        return None if metric(m, "pd.windows") else "no time column was given, so there are no monitoring windows"
    reason = _not_applicable(m, "classifier")
    if reason is None:
        return (
            None if metric(m, "classifier.windows") else "no time column was given, so there are no monitoring windows"
        )
    return reason


def _operating_point(m: Metrics) -> str | None:
    return _not_applicable(m, "classifier")


def _var(m: Metrics) -> str | None:
    return None if metric(m, "var") else "no P&L and VaR series was given"


def _es(m: Metrics) -> str | None:
    return _var(m) or (None if metric(m, "var.es") else "no expected-shortfall series was given")


def _stress(m: Metrics) -> str | None:
    return "no stress scenario was given" if metric(m, "stress") is None else _not_applicable(m, "stress")


BACKTEST = register(
    WorkbookSpec(
        name="backtest",
        title="Backtest and stress test",
        order=20,
        package="mrmkit.workbooks.backtest",
        sections=(
            FINDINGS,
            Section(
                "pd_discrimination",
                "PD model: discrimination",
                "discrimination against observed defaults (AUC, Gini, KS, current against initial AUC)",
                _pd_outcomes,
                description="AUC with its DeLong variance and 95% interval, Gini and KS on the development (reference) sample and on the mature part of the current sample, and the ECB test of the current against the initial AUC.",
            ),
            Section(
                "classifier_operating_point",
                "Classifier: performance at the operating point",
                "ranking (AUC) and performance at the operating point (catch rate, false-positive rate, precision, cost)",
                _operating_point,
                description="AUC on both samples and the current-against-initial test, then at the policy's operating point the alerts, the {events} caught (catch rate, recall), precision, false-positive rate, F1, lift and the expected cost of the policy's outcome costs; the catch and false-positive rates of the current sample are tested against the reference sample's. Calibration by grade does not apply to an alerting model.",
            ),
            Section(
                "pd_calibration",
                "PD model: calibration by grade",
                "calibration by grade (binomial, Jeffreys, Hosmer-Lemeshow)",
                _pd_outcomes,
                description="Observed default rate against mean PD per grade, with the one-sided binomial and Jeffreys tests (H0: the PD is not underestimated), Hosmer-Lemeshow over grades (df = number of grades), Spiegelhalter and Brier for the whole sample.",
            ),
            Section(
                "concentration",
                "Concentration and migration",
                "concentration and migration of the grades",
                _pd_outcomes,
            ),
            Section(
                "over_time",
                "Over time",
                "outcomes per monitoring window",
                _pd_windows,
                description="Per monitoring window (the month of the {unit}: the vintage view): volume, {events}, observed {event} rate, mean {score} and AUC. Immature windows are shown and left out of the outcome tests.",
            ),
            Section(
                "var",
                "VaR backtesting",
                "VaR backtests (Basel traffic light, Kupiec, Christoffersen, conditional coverage)",
                _var,
                description="Exceptions (a loss larger than VaR), Kupiec's proportion of failures, Christoffersen's independence, conditional coverage, the binomial z test, the time until first failure, and the Basel traffic light on the latest 250 days, for each VaR level.",
            ),
            Section(
                "es",
                "Expected shortfall",
                "expected-shortfall backtests (Acerbi-Szekely Z2)",
                _es,
                level=3,
                description="For each expected-shortfall series, Acerbi and Szekely's Z2 backtest against its VaR (one-sided, H0: ES not understated).",
            ),
            Section(
                "stress",
                "Stress scenarios",
                "stress scenarios",
                _stress,
                description="Each scenario shocks features of the current sample and rescores it with the model: mean PD and its change, the PD distribution, the approval rate at the policy cut-off, the grade distribution and the expected loss when exposure and LGD are given.",
            ),
            Section(
                "sensitivity",
                "Sensitivity",
                "one-at-a-time sensitivity",
                lambda m: _not_applicable(m, "sensitivity"),
                description="One feature at a time, up and down by the configured steps: the change in the mean {score}, the share of decisions that flip at the {threshold}, and whether the direction matches the declared expectation.",
            ),
            SETTINGS,
        ),
    )
)

# ---- champion and challenger ------------------------------------------------------------------------------


def _labelled(m: Metrics) -> str | None:
    return _not_applicable(m, "labelled")


def _alerts(m: Metrics) -> str | None:
    if metric(m, "alerts") is None:
        return NotApplicable("not an alerting model")
    return _not_applicable(m, "alerts")


def _decisions(m: Metrics) -> str | None:
    return _labelled(m) or (None if metric(m, "business") else "no decision cut-off was compared")


def _calibration(m: Metrics) -> str | None:
    return _labelled(m) or (None if metric(m, "calibration") else "the models were not compared on grades")


CHAMPION_CHALLENGER = register(
    WorkbookSpec(
        name="champion_challenger",
        title="Champion and challenger",
        order=30,
        package="mrmkit.workbooks.champion_challenger",
        sections=(
            Section("recommendation", "Recommendation"),
            FINDINGS,
            Section(
                "offline",
                "Offline comparison on labelled data",
                "the challenger against the champion on the same cases (paired DeLong test, bootstrap)",
                _labelled,
                description="Discrimination of both models on the same mature {units}: AUC with DeLong intervals, the paired DeLong test (two-sided, and one-sided for a better challenger), and a stratified, seeded bootstrap interval of the AUC difference.",
            ),
            Section(
                "alerts",
                "Alerts at the same alert rate",
                "catch and false-positive rates at the same alert rate (exact McNemar)",
                _alerts,
                level=3,
                description="Both models alert the same share of the {units}; the catch rate is compared on the {events} and the false-positive rate on the genuine {units}, each by the exact McNemar test with the Agresti-Min interval of the paired difference.",
            ),
            Section(
                "decisions",
                "Decisions at the cut-off",
                "decisions and business outcome at the cut-off (McNemar, swap sets)",
                _decisions,
                level=3,
                description="Business metrics at the policy cut-off and at the challenger cut-off matched to the champion's approval rate, with bootstrap intervals of the differences; McNemar's test of the paired decisions; swap sets.",
            ),
            Section(
                "calibration",
                "Calibration on the same grades",
                "calibration of both models on the same grades",
                _calibration,
                level=3,
                description="Both models on the champion's rating scale, with the backtest's one-sided Jeffreys test per grade.",
            ),
            Section(
                "shadow",
                "Shadow scoring",
                "shadow scoring (coverage, agreement, latency)",
                lambda m: None if metric(m, "shadow") else NotApplicable("no shadow-scoring log was given"),
            ),
            Section(
                "ab",
                "A/B test",
                "the A/B test (sample ratio, guardrails, primary metric)",
                lambda m: None if metric(m, "ab") else NotApplicable("no A/B log was given"),
            ),
            Section(
                "fairness",
                "Fairness guardrails",
                "fairness by protected group (adverse impact ratio, parity differences)",
                lambda m: _not_applicable(m, "fairness"),
                description="The {favourable_rate} of each protected group at the {threshold}, for both models: adverse impact ratio against the reference group with the four-fifths flag and a significance test, demographic-parity and equal-opportunity differences. Groups too small to judge are shown and marked.",
            ),
            SETTINGS,
        ),
    )
)

# ---- explainability ---------------------------------------------------------------------------------------


def _explained(m: Metrics) -> str | None:
    if metric(m, "applicable") is False:
        return str(metric(m, "reason") or "the model could not be explained")
    return None


def _per_model(part: str, moot: frozenset[str]) -> Any:
    """The rule of a part computed per explained model: it ran when it ran for one model; a reason in ``moot``
    (nothing declined, no counterfactual asked for) makes it not applicable, any other is a gap."""

    def rule(m: Metrics) -> str | None:
        reason = _explained(m)
        if reason is not None:
            return reason
        reasons = [_not_applicable(model, part) for model in (metric(m, "models") or {}).values()]
        if reasons and any(r is None for r in reasons):
            return None
        reason = next((r for r in reasons if r), "no model was explained")
        return NotApplicable(reason) if reason in moot else reason

    return rule


EXPLAINABILITY = register(
    WorkbookSpec(
        name="explainability",
        title="Explainability",
        order=40,
        package="mrmkit.workbooks.explainability",
        sections=(
            FINDINGS,
            Section(
                "global",
                "Global explanations",
                "the drivers of the model (SHAP importance)",
                _explained,
                description="Mean absolute SHAP value per feature (in the model's log-odds), against the model's own importance, and SHAP importance on the reference against the current sample (explanation drift).",
            ),
            Section(
                "local",
                "Local explanations",
                "explanations of single decisions (SHAP and LIME)",
                _explained,
                description="For the {units} named in the parameters, the highest-risk ones and those closest to the {threshold}: each feature's SHAP value, the LIME explanation with its local fit, and how well their top features agree.",
            ),
            Section(
                "checks",
                "Checks: additivity and stability",
                "additivity and stability of the explanations",
                _explained,
                description="Base value plus the sum of SHAP values must equal the model's output (log-odds); LIME is rerun over several seeds and the rank correlation of its top features reported.",
            ),
            Section(
                "reason_codes",
                "Reason codes",
                "reason codes",
                _per_model("reason_codes", frozenset({NOTHING_DECLINED, NOTHING_ALERTED})),
                description="For the {adverse_cases} in the explained sample: the features pushing most towards the decision to {adverse}, mapped through the reason-code table; a frequency table of reasons over all {adverse_cases}.",
            ),
            Section(
                "counterfactuals",
                "Counterfactuals: what would change the decision",
                "counterfactuals",
                _per_model("counterfactuals", frozenset({NOTHING_DECLINED, NO_ACTIONABLE, _NO_ACTIONABLE_BEFORE})),
                description="For declined applications, the smallest change in the actionable features (within their allowed ranges) that brings the PD to the cut-off, found by a seeded search.",
            ),
            SETTINGS,
        ),
    )
)
