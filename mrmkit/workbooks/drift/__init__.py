"""The data-quality and drift workbook: statistics, policy statuses, findings, metrics.

Everything the notebook shows comes from :func:`analyse`; the notebook records ``DriftEvidence.metrics()``
and plots the frames. The work is split by job: :mod:`.analysis` (the context in, the frozen evidence
out), :mod:`.findings` (the evidence and the policy's thresholds in, the findings out) and :mod:`.tables`
(what is displayed and recorded, from the evidence only); this module re-exports what the notebook,
the tests and the other modules use. Conventions (all recorded in the metrics under ``drift.settings``):

- feature drift: :func:`mrmkit.stats.drift_table` (PSI on reference deciles, KS, Wasserstein, JS for
  numeric features; PSI and chi-square for categorical ones);
- the KS and chi-square p-values of all features form one family, adjusted by the method in
  ``drift.p_value_adjustment`` (Holm by default);
- a feature's status is its PSI against ``policy.psi``; the retraining signal fires when PSI exceeds
  ``policy.retraining.psi`` on at least ``policy.retraining.min_features`` features, or on the score;
- drift over time: PSI of each feature and of the score in each monitoring window (``data.time`` cut
  into months or quarters) against the whole reference sample;
- every comparison reads the reference through its profile (:mod:`mrmkit.evidence.profiles`): each reference
  column is sorted or counted once for the pooled sample and all windows, and reused from
  ``<out>/.profiles`` by every later run on the same reference data; the profiles' sha256 are recorded
  under ``drift.settings.reference_profile``.
"""

from mrmkit.workbooks.drift.analysis import DriftEvidence, analyse, latest_window
from mrmkit.workbooks.drift.findings import WORKBOOK
from mrmkit.workbooks.drift.tables import (
    distribution_caption,
    feature_tests_for_display,
    features_frame_for_display,
    findings_frame,
    heatmap_frame,
    most_drifted,
    psi_bars,
    psi_table_caption,
    psi_table_frame,
    quality_frame_for_display,
    rule_text,
    score_frame_for_display,
    settings_frame,
    summary_markdown,
    windows_frame_for_display,
)

__all__ = [
    "WORKBOOK",
    "DriftEvidence",
    "analyse",
    "latest_window",
    "features_frame_for_display",
    "feature_tests_for_display",
    "findings_frame",
    "distribution_caption",
    "heatmap_frame",
    "most_drifted",
    "psi_bars",
    "psi_table_caption",
    "rule_text",
    "psi_table_frame",
    "quality_frame_for_display",
    "score_frame_for_display",
    "settings_frame",
    "summary_markdown",
    "windows_frame_for_display",
]
