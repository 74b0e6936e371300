"""The backtest and stress-test workbook's analysis: PD outcome analysis, VaR backtesting, stress, sensitivity.

Conventions (recorded in ``backtest.settings``):

- outcome tests use the current sample's mature windows only (``backtest.maturity_months`` before
  ``backtest.as_of``); immature windows are shown and left out, with the reason;
- grades: the scale of ``backtest.grades``, else the ``data.grade`` column (grades ordered by label, best
  first), else ``backtest.n_grades`` equal-population grades cut on the reference sample's PDs;
- a grade's status is the Jeffreys test's p-value (ECB instructions 2019) adjusted over the grades tested
  (``policy.multiplicity``, Holm by default) against ``policy.p_value``; a grade, a whole-portfolio test or a
  Hosmer-Lemeshow group (adjacent grades pooled) expecting fewer than ``policy.min_sample.expected_events``
  defaults or non-defaults is "not enough data" (:mod:`~mrmkit.workbooks.backtest.grading`);
- the ECB current-against-initial AUC test uses the DeLong standard error of the current AUC;
- VaR: an exception is a loss larger than VaR (pnl < -VaR, VaR a positive amount); the Basel traffic
  light covers the latest ``backtest.var.traffic_light_days`` days.

Layout: ``analysis_pd`` (PD and alerting-model outcome analysis), ``analysis_var`` (VaR and ES backtests)
and ``analysis_stress`` (stress scenarios, sensitivity) turn the Context into evidence; ``findings`` holds
the rules that turn that evidence and the policy into findings; ``workbook`` holds the entry points
(``preflight``, ``read_var_series``, ``analyse``) and ``tables`` what the notebook displays. This module
re-exports the names the notebook, the tests and the other workbooks use.
"""

from __future__ import annotations

from mrmkit.workbooks.backtest.analysis_pd import IN_SAMPLE
from mrmkit.workbooks.backtest.findings import MATERIAL_PD_CHANGE, WORKBOOK
from mrmkit.workbooks.backtest.tables import (
    ROC_CAPTION,
    alert_tests_frame,
    calibration_summary_frame,
    concentration_frame,
    curves,
    discrimination_frame,
    es_frame,
    findings_frame,
    grade_frame_for_display,
    maturity_text,
    migration_frame,
    migration_text,
    operating_point_frame,
    precision_recall_curves,
    sensitivity_frame_for_display,
    settings_frame,
    stress_chart_table,
    stress_frame_for_display,
    tornado_caption,
    tornado_data,
    var_frame,
    var_label,
    window_frame_for_display,
    words,
)
from mrmkit.workbooks.backtest.workbook import BacktestEvidence, analyse, preflight, read_var_series
from mrmkit.workbooks.common import grade_table, window_maturity

__all__ = [
    "BacktestEvidence",
    "analyse",
    "preflight",
    "window_maturity",
    "grade_table",
    "read_var_series",
    "IN_SAMPLE",
    "WORKBOOK",
    "MATERIAL_PD_CHANGE",
    # what the notebook displays
    "findings_frame",
    "discrimination_frame",
    "maturity_text",
    "curves",
    "grade_frame_for_display",
    "calibration_summary_frame",
    "concentration_frame",
    "migration_text",
    "migration_frame",
    "window_frame_for_display",
    "operating_point_frame",
    "alert_tests_frame",
    "precision_recall_curves",
    "var_frame",
    "es_frame",
    "stress_frame_for_display",
    "sensitivity_frame_for_display",
    "tornado_data",
    "tornado_caption",
    "stress_chart_table",
    "var_label",
    "words",
    "ROC_CAPTION",
    "settings_frame",
]
