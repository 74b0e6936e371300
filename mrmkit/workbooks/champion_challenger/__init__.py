"""The champion-challenger workbook: offline comparison, shadow scoring, A/B test, fairness, decision.

The work is split by job: :mod:`.analysis` (the entry points :func:`preflight` and :func:`analyse`, and
the frozen evidence) with its families :mod:`.analysis_offline` (the paired comparison on the current
sample, fairness) and :mod:`.analysis_online` (the shadow-scoring and A/B logs); :mod:`.findings` (the
findings on the champion and the concerns about the change, from the evidence and the policy's thresholds),
:mod:`.decision` (the pre-registered decision rules) and :mod:`.tables` (what is
displayed and recorded, from the evidence only). This module re-exports what the notebook, the tests and
the other modules use.

Conventions (recorded in ``champion_challenger.settings``):

- both models are compared on the same applications of the current sample (rows of the same files, so
  they are matched by construction); rows without a challenger score are counted and left out;
- outcome-based comparisons use mature rows only (``backtest.as_of`` and ``backtest.maturity_months``
  when the backtest section gives them, else every row);
- decisions: approve when PD <= ``policy.cutoff``; the challenger is also judged at the cut-off that
  gives it the champion's approval rate (the matched cut-off);
- bootstrap intervals are stratified (defaulters and non-defaulters resampled separately), paired, with
  ``champion_challenger.n_bootstrap`` resamples seeded by the parameter file's ``seed``;
- the decision applies the pre-registered rules of ``champion_challenger.rules``, each ``pass``, ``fail``,
  ``inconclusive`` (data too few) or ``not applicable`` (data absent by design): any failed rule gives DO NOT
  PROMOTE, else any inconclusive rule INCONCLUSIVE, else INCONCLUSIVE when no performance rule passed, else
  PROMOTE;
- the decision is about the change, not a finding on the champion: it and its ``concerns`` (what the
  challenger adds, the shadow and A/B comparisons) never set the model's rating; the workbook's findings are
  the champion's own (its four-fifths flags, its latency).
"""

from mrmkit.workbooks.champion_challenger.analysis import ChallengerEvidence, analyse, preflight
from mrmkit.workbooks.champion_challenger.analysis_offline import curves
from mrmkit.workbooks.champion_challenger.decision import (
    NOT_APPLICABLE,
    _alert_rules,
    decide,
    gain_decision,
    interval_decision,
    metric,
)
from mrmkit.workbooks.champion_challenger.findings import WORKBOOK, _champion_flags
from mrmkit.workbooks.champion_challenger.tables import (
    ab_frame,
    agreement_frame,
    alerts_frame,
    business_frame,
    calibration_frame,
    concerns_frame,
    confusion_frame,
    disagreements_frame,
    discrimination_frame,
    fairness_frame,
    fairness_heading,
    findings_frame,
    guardrails_frame,
    recommendation_markdown,
    rules_frame,
    sequential_frame,
    settings_frame,
    shadow_frame,
    swap_frame,
)
from mrmkit.workbooks.champion_challenger.words import plain

__all__ = [
    "WORKBOOK",
    "ChallengerEvidence",
    "analyse",
    "preflight",
    "curves",
    "decide",
    "NOT_APPLICABLE",
    "metric",
    "interval_decision",
    "gain_decision",
    "_alert_rules",
    "_champion_flags",
    "ab_frame",
    "agreement_frame",
    "alerts_frame",
    "business_frame",
    "calibration_frame",
    "concerns_frame",
    "confusion_frame",
    "disagreements_frame",
    "discrimination_frame",
    "fairness_frame",
    "fairness_heading",
    "plain",
    "findings_frame",
    "guardrails_frame",
    "recommendation_markdown",
    "rules_frame",
    "sequential_frame",
    "settings_frame",
    "shadow_frame",
    "swap_frame",
]
