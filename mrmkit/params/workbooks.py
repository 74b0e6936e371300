"""The sections of the four workbooks, in the order they run: ``drift``, ``backtest`` (with its VaR, stress
and sensitivity parts), ``champion_challenger`` (shadow scoring, A/B test, fairness, decision rules) and
``explainability``. A section's presence enables its workbook.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from mrmkit.params._base import Query, _Section, path_or_query, resolve_input

__all__ = [
    "DriftSection",
    "GradeScale",
    "VarSection",
    "Shock",
    "SegmentFilter",
    "Scenario",
    "StressSection",
    "SensitivitySection",
    "InitialAuc",
    "BacktestSection",
    "ShadowSection",
    "AbDesign",
    "AbSection",
    "DecisionRules",
    "FairnessSection",
    "ChampionChallengerSection",
    "ReasonCode",
    "ExplainabilitySection",
]


class DriftSection(_Section):
    """The data-quality and drift workbook (``drift``); its presence enables it."""

    bins: int = Field(10, ge=2, le=100, description="PSI and JS bins: reference quantiles.")
    p_value_adjustment: Literal["holm", "bonferroni", "fdr_bh"] = Field(
        "holm", description="Multiple-testing adjustment of the KS and chi-square p-values."
    )
    alpha: float = Field(0.05, gt=0, lt=1, description="Significance level for adjusted p-values.")
    window: Literal["month", "quarter"] = Field(
        "month", description="Monitoring window length when data.time is given."
    )
    top_features: int = Field(
        6,
        ge=1,
        le=50,
        description="Most drifted features whose distributions are plotted; only features that moved (PSI at or above "
        "the amber threshold, over the whole sample or in the latest window, or amber by the top-driver rule) are shown.",
    )
    discrete_max_values: int = Field(
        20,
        ge=0,
        le=1000,
        description="A numeric feature with at most this many distinct values (both samples pooled) is tested as "
        "discrete (chi-square on its values, stats.discrete_test) instead of by KS; 0 never.",
    )
    importance_rows: int = Field(
        2000,
        ge=100,
        le=100_000,
        description="Reference rows (a seeded sample, `seed`) on which the permutation importance of each feature "
        "to the model artifact's score is measured, for the top-driver rule (policy.driver_shift).",
    )


class GradeScale(_Section):
    """A rating scale: upper PD bounds of the grades, best grade first, right-closed."""

    upper_bounds: list[float] = Field(min_length=2, description="Increasing upper PD bounds; the last must be 1.")
    labels: list[str] | None = Field(None, description="Grade labels, one per bound; default 1, 2, ...")

    @model_validator(mode="after")
    def _valid(self) -> GradeScale:
        b = self.upper_bounds
        if any(not 0 < x <= 1 for x in b) or any(y <= x for x, y in zip(b, b[1:], strict=False)) or b[-1] != 1:
            raise ValueError("upper_bounds must increase strictly within (0, 1] and end at 1")
        if self.labels is not None and (len(self.labels) != len(b) or len(set(self.labels)) != len(b)):
            raise ValueError(f"labels must be {len(b)} distinct names, one per bound")
        return self


class VarSection(_Section):
    """Daily P&L and VaR for VaR backtesting (``backtest.var``)."""

    data: Path | Query = Field(
        description="File of the daily series (.parquet or .csv), or {query: ...} on data.database."
    )
    date: str = Field("date", description="Date column.")
    pnl: str = Field("pnl", description="Daily profit and loss column (a loss is negative).")
    levels: dict[str, float] = Field(
        min_length=1,
        description="VaR column -> coverage, e.g. {var_99: 0.99}; VaR is reported as a positive loss amount.",
    )
    traffic_light_days: int = Field(250, ge=250, description="Days of the Basel traffic light (the latest ones).")
    es: dict[str, str] = Field(
        default_factory=dict,
        description="ES column -> the VaR column of the same coverage, e.g. {es_975: var_975}; each pair gets "
        "Acerbi and Szekely's Z2 backtest. ES is a positive loss amount.",
    )
    es_distribution: Literal["normal", "t"] = Field(
        "normal", description="Shape of the standardised P&L under H0 for the Z2 critical value and p-value."
    )
    es_degrees_of_freedom: float = Field(3.0, gt=1, description="Degrees of freedom when es_distribution is t.")
    es_simulations: int = Field(10_000, ge=1000, le=200_000, description="Samples simulated under H0 for Z2.")

    _data = field_validator("data", mode="before")(path_or_query)

    @field_validator("data", mode="after")
    @classmethod
    def _resolve_data(cls, value: Path | Query, info: ValidationInfo) -> Path | Query:
        return resolve_input(value, info)

    @model_validator(mode="after")
    def _es_pairs(self) -> VarSection:
        unknown = {es: var for es, var in self.es.items() if var not in self.levels}
        if unknown:
            es, var = next(iter(unknown.items()))
            raise ValueError(
                f"es.{es} pairs with {var!r}, which is not a VaR column of levels ({', '.join(self.levels)})"
            )
        return self

    @field_validator("levels", mode="after")
    @classmethod
    def _coverages(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in value.items() if not 0.5 <= v < 1}
        if bad:
            raise ValueError(f"coverages must lie in [0.5, 1); got {bad}")
        return value


class Shock(_Section):
    """One shock of a stress scenario: exactly one of multiply, add, set, quantile."""

    feature: str
    multiply: float | None = None
    add: float | None = None
    set: float | str | None = None
    quantile: float | None = Field(None, ge=-1, le=1)

    @model_validator(mode="after")
    def _one_operation(self) -> Shock:
        given = [k for k in ("multiply", "add", "set", "quantile") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"shock on {self.feature!r} needs exactly one of multiply, add, set, quantile; got {given}"
            )
        return self


class SegmentFilter(_Section):
    column: str | None = Field(None, description="Segment column; default data.segment.")
    values: list[str] = Field(min_length=1)


class Scenario(_Section):
    name: str
    description: str | None = None
    shocks: list[Shock] = Field(min_length=1)
    segment: SegmentFilter | None = None


class StressSection(_Section):
    """Stress scenarios (``backtest.stress``); they need a model artifact. Their expected loss uses
    ``data.exposure`` and ``data.lgd`` (read from here by earlier versions: see :class:`~mrmkit.params.Parameters`)."""

    scenarios: list[Scenario] = Field(min_length=1)
    domains: dict[str, tuple[float | None, float | None]] = Field(
        default_factory=dict, description="Allowed range per feature, e.g. {revolving_utilisation: [0, null]}."
    )
    clip: bool = Field(False, description="Clip shocked values to their domain instead of refusing them.")

    @model_validator(mode="after")
    def _unique_names(self) -> StressSection:
        names = [s.name for s in self.scenarios]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"scenario names must be unique; repeated: {dup}")
        return self


class SensitivitySection(_Section):
    """One-at-a-time sensitivity (``backtest.sensitivity``); needs a model artifact."""

    sd_step: float = Field(1.0, gt=0, description="Perturbation in standard deviations of each feature.")
    relative_step: float = Field(0.10, gt=0, lt=1, description="Relative perturbation (0.10 = plus and minus 10%).")
    expected_direction: dict[str, Literal[1, -1]] = Field(
        default_factory=dict, description="Feature -> +1 if PD should rise with it, -1 if it should fall."
    )


class InitialAuc(_Section):
    value: float = Field(gt=0, lt=1, description="AUC at the initial validation.")
    standard_error: float | None = Field(
        None, gt=0, lt=0.5, description="Its standard error (e.g. DeLong's) on the initial validation sample."
    )


class BacktestSection(_Section):
    """The backtest and stress-test workbook (``backtest``); its presence enables it."""

    grades: GradeScale | None = Field(
        None, description="Rating scale; default: data.grade if given, else equal-population grades."
    )
    n_grades: int = Field(10, ge=2, le=50, description="Equal-population grades cut on the reference sample.")
    initial_auc: float | InitialAuc | None = Field(
        None,
        description="AUC at initial validation: a number, or `{value, standard_error}` from the original validation "
        "report; default: the reference (development) sample's AUC, measured in-sample, which is optimistic.",
    )

    @field_validator("initial_auc", mode="after")
    @classmethod
    def _auc_in_range(cls, value: Any) -> Any:
        if isinstance(value, float) and not 0 < value < 1:
            raise ValueError(f"an AUC lies strictly between 0 and 1; got {value}")
        return value

    maturity_months: int = Field(12, ge=0, le=120, description="Outcome window of the target, in months.")
    as_of: date | None = Field(
        None,
        description="Date outcomes were observed; windows that end less than maturity_months before it "
        "are immature. Default: every window is treated as mature (stated in the report).",
    )
    var: VarSection | None = None
    stress: StressSection | None = None
    sensitivity: SensitivitySection = Field(default_factory=SensitivitySection)


class ShadowSection(_Section):
    """A shadow-scoring log: the champion decides, the challenger is scored alongside."""

    data: Path | Query = Field(description="The log (.parquet or .csv), or {query: ...} on data.database.")
    id: str = Field(
        "application_id",
        description="Application id column: must exist; it identifies the log's rows for its reader, no figure uses it.",
    )
    timestamp: str = Field("timestamp", description="Time of scoring.")
    champion_score: str = Field("champion_pd", description="Champion's PD.")
    challenger_score: str = Field("challenger_pd", description="Challenger's PD; missing when not scored.")
    champion_latency: str | None = Field("champion_latency_ms", description="Champion's latency in ms.")
    challenger_latency: str | None = Field("challenger_latency_ms", description="Challenger's latency in ms.")

    _data = field_validator("data", mode="before")(path_or_query)

    @field_validator("data", mode="after")
    @classmethod
    def _resolve_data(cls, value: Path | Query, info: ValidationInfo) -> Path | Query:
        return resolve_input(value, info)


class AbDesign(_Section):
    """The A/B test's design: minimum detectable change of the primary rate."""

    baseline_rate: float = Field(
        gt=0, lt=1, description="Primary metric's rate under the champion (e.g. bad rate 0.030)."
    )
    target_rate: float = Field(gt=0, lt=1, description="Rate the test must be able to detect (e.g. 0.026).")
    alpha: float = Field(0.05, gt=0, lt=1)
    power: float = Field(0.8, gt=0, lt=1)
    daily_volume: int | None = Field(None, ge=1, description="Applications a day, for the expected duration.")


class AbSection(_Section):
    """An A/B log: each application's arm, the decision and, when matured, the outcome."""

    data: Path | Query = Field(description="The log (.parquet or .csv), or {query: ...} on data.database.")
    id: str = Field(
        "application_id",
        description="Application id column: must exist; it identifies the log's rows for its reader, no figure uses it.",
    )
    arm: str = Field("arm", description="Arm column with values 'champion' and 'challenger'.")
    decision: str = Field(
        "decision",
        description="Decision column: 'approve' or 'decline' ('alert' or 'clear' for model.kind classifier).",
    )
    outcome: str = Field(
        "default_12m",
        description="Outcome of approved loans (1 = default; for a classifier, of every "
        "case: 1 = event); missing otherwise.",
    )
    guardrails: list[str] = Field(
        default_factory=list,
        description="Further numeric columns compared between the arms (e.g. complaints, "
        "review minutes): a higher value is worse; 0/1 columns by a two-proportion test, others by Welch's t-test.",
    )
    date: str | None = Field("decision_date", description="Decision date, for looks over time.")
    challenger_share: float = Field(0.10, gt=0, lt=1, description="Planned share of the challenger arm.")
    design: AbDesign | None = None
    looks: list[float] = Field(
        default_factory=lambda: [0.25, 0.5, 0.75, 1.0],
        description="Information fractions of the group-sequential looks (increasing, ending at 1).",
    )

    _data = field_validator("data", mode="before")(path_or_query)

    @field_validator("data", mode="after")
    @classmethod
    def _resolve_data(cls, value: Path | Query, info: ValidationInfo) -> Path | Query:
        return resolve_input(value, info)

    @field_validator("looks", mode="after")
    @classmethod
    def _looks(cls, value: list[float]) -> list[float]:
        if (
            not value
            or any(not 0 < t <= 1 for t in value)
            or any(b <= a for a, b in zip(value, value[1:], strict=False))
            or value[-1] != 1
        ):
            raise ValueError("looks must increase strictly within (0, 1] and end at 1")
        return value


class DecisionRules(_Section):
    """Pre-registered rules of the promotion decision."""

    min_auc_gain: float = Field(0.01, description="Challenger AUC minus champion AUC must exceed this.")
    max_p_value: float = Field(0.05, gt=0, lt=1, description="One-sided DeLong p-value must be below this.")
    max_bad_rate_increase: float = Field(
        0.0, ge=0, description="At the matched cut-off, bad rate among approved may rise at most this much."
    )
    max_approval_rate_decrease: float = Field(
        0.0, ge=0, description="At the policy cut-off, approval rate may fall at most this much."
    )
    min_catch_rate_gain: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="model.kind classifier: catch rate at the alert rate must rise by more than this "
        "(one-sided McNemar p below max_p_value).",
    )
    max_false_positive_rate_increase: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="model.kind classifier: false-positive rate at the alert rate may rise at most "
        "this much (paired interval).",
    )
    no_fairness_flag: bool = Field(
        True, description="No four-fifths flag for the challenger where the champion has none."
    )


class FairnessSection(_Section):
    reference_groups: dict[str, str] = Field(
        default_factory=dict, description="Protected attribute -> its reference group (default: the largest group)."
    )
    min_group_size: int = Field(30, ge=1, description="Groups smaller than this are reported as too small to judge.")


class ChampionChallengerSection(_Section):
    """The champion-challenger workbook (``champion_challenger``); its presence enables it."""

    n_bootstrap: int = Field(
        1000, ge=100, le=100_000, description="Bootstrap resamples (stratified, seeded by `seed`)."
    )
    ci_level: float = Field(0.95, gt=0.5, lt=1, description="Level of every interval.")
    top_disagreements: int = Field(10, ge=0, le=1000, description="Largest score disagreements listed (ids only).")
    show_rows: bool = Field(False, description="Show feature values of the listed disagreements (raw rows).")
    shadow: ShadowSection | None = None
    ab: AbSection | None = None
    fairness: FairnessSection = Field(default_factory=FairnessSection)
    rules: DecisionRules = Field(default_factory=DecisionRules)


class ReasonCode(_Section):
    code: str = Field(min_length=1, description="Reason code, e.g. 'R01'.")
    statement: str = Field(min_length=1, description="Statement for the adverse-action notice.")


class ExplainabilitySection(_Section):
    """The explainability workbook (``explainability``); its presence enables it. Needs model artifacts."""

    models: list[Literal["champion", "challenger"]] = Field(
        default_factory=lambda: ["champion", "challenger"], description="Models to explain (given as artifacts)."
    )
    background_size: int = Field(200, ge=10, le=5000, description="Reference rows drawn (seeded) as SHAP background.")
    sample_size: int = Field(
        2000, ge=50, le=200_000, description="Current rows drawn (seeded) for global explanations."
    )
    ids: list[str] = Field(default_factory=list, description="Applications explained locally, by data.id.")
    n_highest_risk: int = Field(3, ge=0, le=50, description="Also explain the N applications with the highest PD.")
    n_near_cutoff: int = Field(3, ge=0, le=50, description="Also explain the N applications closest to policy.cutoff.")
    additivity_tolerance: float = Field(
        1e-6, gt=0, description="Largest allowed |base + sum(SHAP) - output| (log-odds)."
    )
    lime_samples: int = Field(5000, ge=100, le=100_000, description="Perturbed samples per LIME explanation.")
    lime_seeds: int = Field(5, ge=2, le=50, description="Seeds over which LIME's stability is measured.")
    top_k: int = Field(4, ge=1, le=10, description="Reasons per declined application (ECOA / Regulation B).")
    reason_codes: dict[str, ReasonCode] = Field(
        default_factory=dict, description="Feature -> {code, statement}; without it, reason codes are not produced."
    )
    actionable: dict[str, tuple[float | None, float | None]] = Field(
        default_factory=dict, description="Features a counterfactual may change, with their allowed [low, high]."
    )
    n_counterfactuals: int = Field(20, ge=0, le=1000, description="Declined applications searched for counterfactuals.")
