"""The policy (``policy``): the amber and red thresholds that turn statistics into a status, the retraining
trigger, the smallest samples a test is judged on, a classifier's operating point and costs, and the limits of
shadow scoring.

Every setting has a default, so a parameter file may leave ``policy`` out; the threshold pairs
(:class:`Thresholds`, :class:`LowThresholds`) are in :mod:`mrmkit.params._base`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mrmkit.params._base import LowThresholds, Thresholds, _Section

__all__ = ["RetrainingTrigger", "MinimumSample", "Costs", "DriverShift", "PolicySection"]


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
    expected_events: float = Field(
        5.0,
        gt=0,
        description="Expected defaults (the sum of the PDs) and expected non-defaults, each at least, for a calibration "
        "test of a PD model to get a status: each grade's Jeffreys and binomial tests, the portfolio Jeffreys test, "
        "Spiegelhalter's test and each group of the Hosmer-Lemeshow test (adjacent grades are pooled until each "
        "group has this many). Below it a test has no power (a grade expecting 0.3 defaults reads green whatever "
        "its PD) and the chi-square and normal approximations behind Hosmer-Lemeshow and Spiegelhalter fail; "
        "5 is the usual rule for them (Cochran 1954, Biometrics 10(4), 417-451; Hosmer, Lemeshow and "
        "Sturdivant 2013, Applied Logistic Regression, 3rd ed., chapter 5, on the Hosmer-Lemeshow test).",
    )
    var_days: int = Field(
        100,
        ge=1,
        description="Days of P&L for a VaR backtest (Kupiec, Christoffersen, conditional coverage) to get a status.",
    )


class Costs(_Section):
    """Cost of each outcome of an alert decision, in one currency per case (``policy.costs``)."""

    false_positive: float = Field(ge=0, description="Cost of alerting a legitimate case (review, customer friction).")
    false_negative: float = Field(ge=0, description="Cost of missing an event (the fraud loss).")
    true_positive: float = Field(0.0, ge=0, description="Cost of alerting an event (review cost; default 0).")


class DriverShift(_Section):
    """A material shift in one of the model's top drivers (``policy.driver_shift``): the drift workbook's rule.

    A feature among the model's ``top_k`` most important whose importance share is at least ``min_share`` is
    amber when its shift is significant (adjusted p-value below ``policy.p_value.amber``) and material (effect
    size at or above the threshold of its kind); the defaults are Cohen's (1988) small effects.
    """

    top_k: int = Field(3, ge=1, description="A top driver is among this many features of highest importance ...")
    min_share: float = Field(
        0.10, ge=0, le=1, description="... and has at least this share of the model's importance (shares add to 1)."
    )
    cohens_h: float = Field(
        0.2, gt=0, description="Binary feature: Cohen's h of the share of one value, at least (Cohen's small: 0.2)."
    )
    cramers_v: float = Field(
        0.1,
        gt=0,
        le=1,
        description="Categorical feature: Cramér's V of the two samples weighted equally (Cohen's w), at least "
        "(Cohen's small w: 0.1).",
    )
    ks_distance: float = Field(
        0.08,
        gt=0,
        le=1,
        description="Numeric feature: Kolmogorov-Smirnov distance, at least (0.08: two normal distributions a small "
        "Cohen's d of 0.2 apart, 2 Phi(0.1) - 1 = 0.0797).",
    )


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
    multiplicity: Literal["holm", "bonferroni", "none"] = Field(
        "holm",
        description="Control of the family-wise error over a PD model's grades: each grade's Jeffreys and binomial "
        "p-values are adjusted over the grades tested (Holm 1979, Scandinavian Journal of Statistics 6(2), "
        "65-70: step-down, valid under any dependence; or Bonferroni; `none` judges each grade alone) and the "
        "grade's status is the adjusted Jeffreys p-value against `p_value`. Grades below "
        "`min_sample.expected_events` are not tested and not counted in the family.",
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
    driver_shift: DriverShift = Field(
        default_factory=DriverShift,
        description="Drift: a significant, material shift in one of the model's top drivers is amber, whatever its PSI.",
    )
