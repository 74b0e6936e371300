"""The parameter file: pydantic models, loading, path resolution and containment.

One YAML file per model (contract section 5). Unknown keys are errors at every level. Paths are relative
to the parameter file and must resolve (symbolic links followed) inside one of the folders named by
``data.roots`` (by default the parameter file's own folder). Every default lives here, in one place, and
the README's parameter reference is checked against these models by a test.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from mrmkit.errors import InvalidParameters, shorten

__all__ = ["Parameters", "load_parameters", "parameters_from_dict", "read_yaml", "WORKBOOKS"]

#: Workbooks known to this version, in the order they run. A section of this name enables it.
WORKBOOKS: tuple[str, ...] = ("drift", "backtest", "champion_challenger", "explainability")

_SAFE_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def _resolve(value: Path | None, info: ValidationInfo) -> Path | None:
    """Resolve a path relative to the parameter file's folder (``context['base_dir']``)."""
    if value is None:
        return None
    base = (info.context or {}).get("base_dir")
    path = Path(value).expanduser()
    if not path.is_absolute():
        if base is None:
            raise ValueError("a relative path needs the parameter file's folder to resolve against")
        path = Path(base) / path
    return path.resolve()


class ArtifactSection(_Section):
    """How a model artifact is loaded."""

    artifact: Path | None = Field(None, description="Model file (skops by default); omit for scores-only mode.")
    format: Literal["skops", "pickle", "joblib"] | None = Field(
        None, description="Artifact format; inferred from the file suffix (.skops, .pkl/.pickle, .joblib)."
    )
    trusted: bool = Field(
        False, description="Must be true to load a pickle or joblib file, which can run arbitrary code."
    )
    trusted_types: list[str] = Field(
        default_factory=list,
        description="Types a skops file may contain beyond skops' own safe list (e.g. LightGBM's).",
    )

    @field_validator("artifact", mode="after")
    @classmethod
    def _resolve_artifact(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return _resolve(value, info)

    @model_validator(mode="after")
    def _infer_format(self) -> ArtifactSection:
        if self.artifact is not None and self.format is None:
            suffix = self.artifact.suffix.lower()
            inferred = {".skops": "skops", ".pkl": "pickle", ".pickle": "pickle", ".joblib": "joblib"}
            if suffix not in inferred:
                raise ValueError(
                    f"cannot tell the format of {self.artifact.name!r} from its suffix; "
                    "set format to one of skops, pickle, joblib"
                )
            object.__setattr__(self, "format", inferred[suffix])
        if self.format in ("pickle", "joblib") and not self.trusted:
            raise ValueError(
                f"a {self.format} artifact can run arbitrary code when loaded; save the model with skops, "
                "or set trusted: true if you trust its origin"
            )
        return self


class ModelSection(ArtifactSection):
    """Identity of the model under validation (``model``)."""

    id: Annotated[str, Field(pattern=_SAFE_NAME, description="Model id; used as a folder name.")]
    version: Annotated[str, Field(pattern=_SAFE_NAME, description="Model version; a folder name.")]
    name: str | None = Field(None, description="Human-readable model name.")
    owner: str | None = Field(None, description="Model owner (first line).")
    purpose: str | None = Field(None, description="What the model is used for.")
    risk_tier: str | None = Field(None, description="Model risk tier in the inventory.")
    intended_use: str | None = Field(None, description="Model card: the decisions and population it is meant for.")
    limitations: str | None = Field(None, description="Model card: known limitations and conditions of use.")
    data_description: str | None = Field(None, description="Model card: the development data.")
    kind: Literal["pd", "var", "classifier"] = Field(
        "pd",
        description="pd: a probability-of-default model on application data (every workbook); var: a market-risk "
        "VaR/ES engine, validated on its P&L, VaR and ES series alone (the backtest workbook's VaR part); "
        "classifier: a binary alerting model (fraud, AML) judged at policy.alert_rate or policy.threshold.",
    )

    @field_validator("id", "version", mode="before")
    @classmethod
    def _written_as_text(cls, value: Any, info: ValidationInfo) -> Any:
        # YAML reads `version: 1.10` as the float 1.1 and `version: 010` as the integer 8: the digits as written
        # cannot be recovered, so a number is refused rather than published under another name
        if isinstance(value, (bool, int, float)):
            raise ValueError(
                f"YAML read {value!r} as a {type(value).__name__}, which may not be what was written; put the "
                f"{info.field_name} in quotes (for example '{value}' or '1.10')"
            )
        return value


class ChallengerSection(ArtifactSection):
    """A challenger model (``challenger``), for comparison workbooks."""

    score: str | None = Field(None, description="Column holding the challenger's scores.")


class DataSection(_Section):
    """Where the data are and what the columns mean (``data``)."""

    roots: list[Path] = Field(
        default_factory=lambda: [Path(".")],
        description="Folders every path in the file must lie inside; default: the file's own folder.",
    )
    reference: Path | None = Field(None, description="Reference (development) sample: .parquet or .csv (required "
                                   "unless model.kind is var).")
    current: Path | None = Field(None, description="Current (monitoring) sample: .parquet or .csv (required unless "
                                 "model.kind is var).")
    id: str | None = Field(None, description="Application id column (duplicates are reported).")
    target: str | None = Field(None, description="Binary outcome column (1 = default).")
    score: str | None = Field(
        None, description="Column with the model's probability of default; required without an artifact."
    )
    grade: str | None = Field(None, description="Rating-grade column, when the model assigns grades.")
    features: list[str] | None = Field(
        None, description="Model features; default: every column not named elsewhere in this section."
    )
    categorical: list[str] = Field(
        default_factory=list, description="Features to treat as categorical (text columns always are)."
    )
    time: str | None = Field(None, description="Date column; splits the current sample into windows.")
    segment: str | None = Field(None, description="Segment column (e.g. product).")
    protected: list[str] = Field(
        default_factory=list, description="Protected attributes; never model features, kept for fairness."
    )

    @field_validator("reference", "current", mode="after")
    @classmethod
    def _resolve_paths(cls, value: Path, info: ValidationInfo) -> Path:
        return _resolve(value, info)

    @field_validator("roots", mode="after")
    @classmethod
    def _resolve_roots(cls, value: list[Path], info: ValidationInfo) -> list[Path]:
        if not value:
            raise ValueError("name at least one folder")
        return [_resolve(v, info) for v in value]

    @model_validator(mode="after")
    def _consistent(self) -> DataSection:
        named = [self.id, self.target, self.score, self.grade, self.time, self.segment, *self.protected]
        if self.features is not None:
            if not self.features:
                raise ValueError("features: give at least one feature, or leave the key out")
            clash = sorted({f for f in self.features if f in named})
            if clash:
                raise ValueError(f"features: {clash} are also named as id, target, score or protected")
            dup = sorted({f for f in self.features if self.features.count(f) > 1})
            if dup:
                raise ValueError(f"features: {dup} listed more than once")
            unknown = sorted(set(self.categorical) - set(self.features))
            if unknown:
                raise ValueError(f"categorical: {unknown} are not in features")
        return self


class Thresholds(_Section):
    """An amber and a red threshold: a value at or above ``red`` is red, at or above ``amber`` amber."""

    amber: float = Field(ge=0)
    red: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.red < self.amber:
            raise ValueError(f"red ({self.red}) must not be below amber ({self.amber})")
        return self


class LowThresholds(_Section):
    """Thresholds where a low value is bad (p-values): below ``amber`` is amber, below ``red`` red."""

    amber: float = Field(gt=0, lt=1)
    red: float = Field(gt=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> LowThresholds:
        if self.red > self.amber:
            raise ValueError(f"red ({self.red}) must not be above amber ({self.amber})")
        return self


class RetrainingTrigger(_Section):
    psi: float = Field(0.20, ge=0, description="PSI above which a feature counts towards retraining.")
    min_features: int = Field(3, ge=1, description="Features above `psi` that signal retraining.")


class MinimumSample(_Section):
    """Smallest samples a test is judged on; below them the status is "not enough data" with the count."""

    rows: int = Field(
        100,
        ge=1,
        description="Rows of each sample (reference, current, or a monitoring window) for a distribution comparison "
        "(PSI, KS, chi-square, Jensen-Shannon, quality shares) to get a status.",
    )
    events: int = Field(
        10,
        ge=1,
        description="Defaults and non-defaults, each at least, for a discrimination test (AUC, Gini, KS) of a sample "
        "or window to get a status; also the least rows of a calibration test of a grade or a portfolio.",
    )
    var_days: int = Field(
        100, ge=1, description="Days of P&L for a VaR backtest (Kupiec, Christoffersen, conditional coverage) to get a status."
    )


class Costs(_Section):
    """Cost of each outcome of an alert decision, in one currency per case (``policy.costs``)."""

    false_positive: float = Field(ge=0, description="Cost of alerting a legitimate case (review, customer friction).")
    false_negative: float = Field(ge=0, description="Cost of missing an event (the fraud loss).")
    true_positive: float = Field(0.0, ge=0, description="Cost of alerting an event (review cost; default 0).")


class PolicySection(_Section):
    """Thresholds for green, amber and red (``policy``); every one has a default."""

    psi: Thresholds = Field(
        default_factory=lambda: Thresholds(amber=0.10, red=0.25),
        description="Population stability index of a feature, the score or the grades.",
    )
    retraining: RetrainingTrigger = Field(
        default_factory=RetrainingTrigger,
        description="Retraining signal: PSI above `psi` on `min_features` features, or on the score.",
    )
    missing_share_change: Thresholds = Field(
        default_factory=lambda: Thresholds(amber=0.05, red=0.20),
        description="Absolute change in a feature's missing share, current minus reference.",
    )
    out_of_range_share: Thresholds = Field(
        default_factory=lambda: Thresholds(amber=0.01, red=0.05),
        description="Share of current values outside the reference range.",
    )
    unseen_category_share: Thresholds = Field(
        default_factory=lambda: Thresholds(amber=0.01, red=0.05),
        description="Share of current rows whose category never occurs in the reference.",
    )
    p_value: LowThresholds = Field(
        default_factory=lambda: LowThresholds(amber=0.05, red=0.01),
        description="Outcome tests (calibration, AUC deterioration, VaR backtests): a p-value below `amber` is "
        "amber, below `red` red.",
    )
    cutoff: float | None = Field(
        None, gt=0, lt=1, description="PD cut-off of the credit decision: approve when PD <= cutoff."
    )
    alert_rate: float | None = Field(
        None, gt=0, lt=1, description="model.kind classifier: share of cases alerted (the riskiest), e.g. 0.02."
    )
    threshold: float | None = Field(
        None, gt=0, lt=1, description="model.kind classifier: alert when the score is at or above this threshold."
    )
    costs: Costs | None = Field(
        None, description="model.kind classifier: cost of each outcome, for the expected cost at the operating point."
    )
    shadow_coverage: float = Field(
        0.98, gt=0, le=1, description="Shadow scoring: share of applications the challenger scored, at least."
    )
    shadow_agreement: float = Field(
        0.90, gt=0, le=1, description="Shadow scoring: share of equal decisions of champion and challenger, at least."
    )
    latency_p99_ms: float = Field(250.0, gt=0, description="Shadow scoring: 99th percentile latency, at most (ms).")
    min_sample: MinimumSample = Field(
        default_factory=MinimumSample,
        description='Smallest samples a test is judged on; below them its status is "not enough data" with the count.',
    )


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
    top_features: int = Field(6, ge=1, le=50, description="Most drifted features whose distributions are plotted.")
    discrete_max_values: int = Field(
        20,
        ge=0,
        le=1000,
        description="A numeric feature with at most this many distinct values (both samples pooled) is tested as "
        "discrete (chi-square on its values, stats.discrete_test) instead of by KS; 0 never.",
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

    data: Path = Field(description="File of the daily series (.parquet or .csv).")
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

    @field_validator("data", mode="after")
    @classmethod
    def _resolve_data(cls, value: Path, info: ValidationInfo) -> Path:
        return _resolve(value, info)

    @model_validator(mode="after")
    def _es_pairs(self) -> VarSection:
        unknown = {es: var for es, var in self.es.items() if var not in self.levels}
        if unknown:
            es, var = next(iter(unknown.items()))
            raise ValueError(f"es.{es} pairs with {var!r}, which is not a VaR column of levels ({', '.join(self.levels)})")
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
    """Stress scenarios (``backtest.stress``); they need a model artifact."""

    scenarios: list[Scenario] = Field(min_length=1)
    exposure: str | None = Field(None, description="Exposure-at-default column, for expected loss.")
    lgd: float | str | None = Field(None, description="Loss given default: a number, or a column.")
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

    data: Path = Field(description="The log (.parquet or .csv).")
    id: str = Field("application_id", description="Application id column.")
    timestamp: str = Field("timestamp", description="Time of scoring.")
    champion_score: str = Field("champion_pd", description="Champion's PD.")
    challenger_score: str = Field("challenger_pd", description="Challenger's PD; missing when not scored.")
    champion_latency: str | None = Field("champion_latency_ms", description="Champion's latency in ms.")
    challenger_latency: str | None = Field("challenger_latency_ms", description="Challenger's latency in ms.")

    @field_validator("data", mode="after")
    @classmethod
    def _resolve_data(cls, value: Path, info: ValidationInfo) -> Path:
        return _resolve(value, info)


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

    data: Path = Field(description="The log (.parquet or .csv).")
    id: str = Field("application_id")
    arm: str = Field("arm", description="Arm column with values 'champion' and 'challenger'.")
    decision: str = Field("decision", description="Decision column: 'approve' or 'decline' ('alert' or 'clear' for "
                          "model.kind classifier).")
    outcome: str = Field("default_12m", description="Outcome of approved loans (1 = default; for a classifier, of every "
                         "case: 1 = event); missing otherwise.")
    guardrails: list[str] = Field(
        default_factory=list, description="Further numeric columns compared between the arms (e.g. complaints, "
        "review minutes): a higher value is worse; 0/1 columns by a two-proportion test, others by Welch's t-test."
    )
    date: str | None = Field("decision_date", description="Decision date, for looks over time.")
    challenger_share: float = Field(0.10, gt=0, lt=1, description="Planned share of the challenger arm.")
    design: AbDesign | None = None
    looks: list[float] = Field(
        default_factory=lambda: [0.25, 0.5, 0.75, 1.0],
        description="Information fractions of the group-sequential looks (increasing, ending at 1).",
    )

    @field_validator("data", mode="after")
    @classmethod
    def _resolve_data(cls, value: Path, info: ValidationInfo) -> Path:
        return _resolve(value, info)

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
        0.0, ge=0, lt=1, description="model.kind classifier: catch rate at the alert rate must rise by more than this "
        "(one-sided McNemar p below max_p_value)."
    )
    max_false_positive_rate_increase: float = Field(
        0.0, ge=0, lt=1, description="model.kind classifier: false-positive rate at the alert rate may rise at most "
        "this much (paired interval)."
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


#: Decision rules that concern credit decisions (a PD cut-off) and those that concern alerts (a classifier).
PD_RULES = ("min_auc_gain", "max_bad_rate_increase", "max_approval_rate_decrease")
CLASSIFIER_RULES = ("min_catch_rate_gain", "max_false_positive_rate_increase")


def _changed(section: BaseModel | None, names: tuple[str, ...]) -> list[str]:
    """The settings of ``names`` that differ from their defaults (a resolved file spells every default out)."""
    if section is None:
        return []
    return [k for k in names if getattr(section, k) != type(section).model_fields[k].default]


class Parameters(_Section):
    """A whole parameter file."""

    seed: int = Field(
        0, ge=0, le=2**32 - 1, strict=True, description="Seed of every random step (0 to 2**32 - 1); recorded in the manifest."
    )
    model: ModelSection
    challenger: ChallengerSection | None = None
    data: DataSection
    policy: PolicySection = Field(default_factory=PolicySection)
    drift: DriftSection | None = None
    backtest: BacktestSection | None = None
    champion_challenger: ChampionChallengerSection | None = None
    explainability: ExplainabilitySection | None = None

    @model_validator(mode="after")
    def _challenger_given(self) -> Parameters:
        if self.champion_challenger is not None and (
            self.challenger is None or (self.challenger.artifact is None and self.challenger.score is None)
        ):
            raise ValueError(
                "champion_challenger: give the challenger as challenger.artifact or challenger.score (a column)"
            )
        return self

    @model_validator(mode="before")
    @classmethod
    def _var_needs_no_data(cls, raw: Any) -> Any:
        # a VaR engine has no application data: its data section (the roots) may be left out
        model = raw.get("model") if isinstance(raw, dict) else None
        if isinstance(model, dict) and model.get("kind") == "var" and "data" not in raw:
            return {**raw, "data": {}}
        return raw

    @model_validator(mode="after")
    def _kind_sections(self) -> Parameters:
        kind, policy = self.model.kind, self.policy
        alerting = [f"policy.{k}" for k in ("alert_rate", "threshold", "costs") if getattr(policy, k) is not None]
        cc = self.champion_challenger
        alerting += [f"champion_challenger.rules.{k}" for k in _changed(cc.rules if cc else None, CLASSIFIER_RULES)
                     if kind != "classifier"]  # fmt: skip
        if kind != "classifier" and alerting:
            raise ValueError(f"{', '.join(alerting)}: only for model.kind classifier (this model is kind {kind})")
        if kind in ("pd", "classifier"):
            label = {"pd": "a PD model (model.kind pd, the default)", "classifier": "a classifier (model.kind classifier)"}
            missing = [f"data.{k}" for k in ("reference", "current") if getattr(self.data, k) is None]
            if missing:
                raise ValueError(f"{' and '.join(missing)}: required for {label[kind]}")
            return self if kind == "pd" else self._classifier_sections()
        # model.kind var: the P&L, VaR and ES series are the whole evidence
        if self.backtest is None or self.backtest.var is None:
            raise ValueError("model.kind var: give the P&L and VaR series as backtest.var")
        named = [k for k in ("reference", "current", "id", "target", "score", "grade", "time", "segment")
                 if getattr(self.data, k) is not None] + (["features"] if self.data.features else [])  # fmt: skip
        refused = [f"data.{k}" for k in named]
        refused += [name for name in ("drift", "champion_challenger", "explainability", "challenger")
                    if getattr(self, name) is not None]  # fmt: skip
        refused += [f"backtest.{k}" for k in ("stress", "initial_auc", "grades", "as_of")
                    if getattr(self.backtest, k) is not None]  # fmt: skip
        refused += ["model.artifact"] if self.model.artifact is not None else []
        if refused:
            raise ValueError(f"model.kind var: a VaR engine is validated on its P&L, VaR and ES series only; remove "
                             f"{', '.join(refused)}")  # fmt: skip
        return self

    def _classifier_sections(self) -> Parameters:
        policy = self.policy
        if (policy.alert_rate is None) == (policy.threshold is None):
            raise ValueError("model.kind classifier: give exactly one operating point, policy.alert_rate (the share "
                             "of cases alerted) or policy.threshold (alert when the score is at or above it)")  # fmt: skip
        refused = ["policy.cutoff"] if policy.cutoff is not None else []
        refused += ["data.grade"] if self.data.grade is not None else []
        if self.backtest is not None:
            refused += [f"backtest.{k}" for k in ("grades", "var", "stress") if getattr(self.backtest, k) is not None]
            refused += [f"backtest.{k}" for k in _changed(self.backtest, ("n_grades",))]
        if self.explainability is not None and self.explainability.actionable:
            refused.append("explainability.actionable")
        if self.champion_challenger is not None:
            refused += [f"champion_challenger.rules.{k}" for k in _changed(self.champion_challenger.rules, PD_RULES)]
        if refused:
            raise ValueError(f"model.kind classifier: {', '.join(refused)} concern PD models (rating grades, PD "
                             "stress, credit decisions) or VaR engines; remove them, the operating point is "
                             "policy.alert_rate or policy.threshold")  # fmt: skip
        return self

    @model_validator(mode="after")
    def _model_given(self) -> Parameters:
        if self.model.kind == "var":
            return self
        if self.model.artifact is None and self.data.score is None:
            raise ValueError("model: give the model as model.artifact, or its scores as data.score (scores-only mode)")
        return self

    def enabled_workbooks(self) -> list[str]:
        return [name for name in WORKBOOKS if getattr(self, name) is not None]

    def input_paths(self) -> dict[str, Path]:
        """Every input file by role, for containment checks and the manifest."""
        paths = {k: p for k, p in (("data.reference", self.data.reference), ("data.current", self.data.current))
                 if p is not None}  # fmt: skip
        if self.model.artifact is not None:
            paths["model.artifact"] = self.model.artifact
        if self.challenger is not None and self.challenger.artifact is not None:
            paths["challenger.artifact"] = self.challenger.artifact
        if self.backtest is not None and self.backtest.var is not None:
            paths["backtest.var.data"] = self.backtest.var.data
        cc = self.champion_challenger
        if cc is not None and cc.shadow is not None:
            paths["champion_challenger.shadow.data"] = cc.shadow.data
        if cc is not None and cc.ab is not None:
            paths["champion_challenger.ab.data"] = cc.ab.data
        return paths

    def to_yaml(self) -> str:
        """The parameters as resolved (absolute paths, defaults filled in)."""
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


def _location(loc: tuple[Any, ...]) -> str:
    return shorten(".".join(str(part) for part in loc), 160) or "(top level)"


def _message(error: dict[str, Any]) -> str:
    """One clause for the first pydantic error: the field and what is wrong with it."""
    loc = _location(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key {loc!r}"
    if kind == "missing":
        return f"required key {loc!r} is missing"
    msg = error["msg"]
    msg = re.sub(r"^(Value error|Assertion failed), ", "", msg)
    return f"{loc}: {shorten(msg, 200)} (got {shorten(error.get('input'))})" if kind != "value_error" else f"{loc}: {msg}"


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Keys allowed at the level of an unknown key, for the error message."""
    model: Any = Parameters
    for part in loc[:-1]:
        field = model.model_fields.get(str(part)) if hasattr(model, "model_fields") else None
        if field is None:
            return []
        annotation = field.annotation
        candidates = [a for a in getattr(annotation, "__args__", (annotation,)) if hasattr(a, "model_fields")]
        if not candidates:
            return []
        model = candidates[0]
    return list(model.model_fields)


def parameters_from_dict(raw: Any, base_dir: Path, source: str) -> Parameters:
    """Validate a parsed parameter mapping; ``source`` names the file in error messages."""
    if not isinstance(raw, dict):
        raise InvalidParameters(f"{source}: the file must be a YAML mapping of sections; got {type(raw).__name__}.")
    try:
        params = Parameters.model_validate(raw, context={"base_dir": Path(base_dir)})
    except ValidationError as exc:
        first = exc.errors()[0]
        text = _message(first)
        if first["type"] == "extra_forbidden":
            allowed = _allowed_keys(first["loc"])
            if allowed:
                text += f" (allowed here: {', '.join(allowed)})"
        more = len(exc.errors()) - 1
        suffix = f"; and {more} more problem{'s' if more > 1 else ''}" if more else ""
        raise InvalidParameters(f"{source}: {text}{suffix}.") from None
    _check_containment(params, source)
    return params


def _check_containment(params: Parameters, source: str) -> None:
    roots = params.data.roots
    for role, path in params.input_paths().items():
        if not any(path.is_relative_to(root) for root in roots):
            shown = ", ".join(str(r) for r in roots)
            raise InvalidParameters(
                f"{source}: {role} ({path}) lies outside the folders the parameter file allows (data.roots: {shown})."
            )


def read_yaml(path: str | Path, kind: str = "Parameter file") -> Any:
    """A YAML file's content; a missing, unreadable, malformed, hostile or empty file is one ``InvalidParameters``
    sentence (see :mod:`mrmkit.yamlfile`: size, depth, alias expansion and duplicate keys are bounded).

    ``kind`` names the file in messages ("Parameter file", "Inventory file").
    """
    from mrmkit.yamlfile import read_yaml_file

    return read_yaml_file(path, kind)


def load_parameters(path: str | Path) -> Parameters:
    """Read, validate and resolve a parameter file; every problem is one ``InvalidParameters`` sentence."""
    path = Path(path)
    raw = read_yaml(path, "Parameter file")
    return parameters_from_dict(raw, path.resolve().parent, str(path))
