"""Plain words for the settings and parameter names the drift and backtest workbooks show (issue 27).

The evidence (``metrics.json``) keeps its keys and its conventions' text as recorded; what a report shows is
written here: a settings table keyed by plain words (:func:`settings_frame`), and prose in which a parameter key
(``policy.min_sample.rows``) or any other machine name reads as words (:func:`words`). The technical names stay
in the evidence and in the report's glossary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from mrmkit.text import numbers
from mrmkit.text.labels import SNAKE_CASE, humanize
from mrmkit.workbooks import display

__all__ = [
    "SETTING_WORDS",
    "PARAMETER_WORDS",
    "words",
    "setting_name",
    "settings_frame",
    "findings_frame",
    "measure_label",
    "p_is",
    "value_label",
]

#: A setting's key in ``<workbook>.settings`` as the settings table names it.
SETTING_WORDS = {
    # drift
    "bins": "number of PSI bins",
    "psi_binning": "how the PSI bins are made",
    "p_value_adjustment": "adjustment of the p-values for multiple tests",
    "p_value_family": "tests adjusted together",
    "alpha": "significance level of the tests",
    "min_rows": "fewest rows a sample or window needs to be judged",
    "window": "monitoring window",
    "psi_thresholds": "PSI thresholds",
    "retraining": "retraining signal: PSI above, on at least this many features",
    "driver_shift": "top-driver rule",
    "importance": "importance of the features to the model",
    # backtest
    "p_value_thresholds": "p-value thresholds",
    "operating_point": "operating point",
    "alert_performance_tests": "tests of the alert performance",
    "cutoff": "approval cut-off (PD)",
    "maturity_months": "outcome window (months until a loan is mature)",
    "as_of": "outcomes observed up to",
    "auc_initial_test": "test of the AUC against its initial value",
    "sensitivity_materiality": "material change in the sensitivity analysis",
    "grade_status_test": "test of each grade's calibration",
    "multiplicity": "adjustment over the grades tested",
    "min_expected_events": "fewest expected defaults for a calibration test",
    "var_exception_rule": "VaR exception",
    "var_tests": "VaR tests",
    "traffic_light_days": "days of the Basel traffic light",
    "min_var_days": "fewest days for a VaR test",
    "es_test": "expected-shortfall test",
}

#: Parameter keys that conventions and reasons name, in words (longest first when substituted).
PARAMETER_WORDS = {
    "policy.min_sample.expected_events": "the minimum expected number of events",
    "policy.min_sample.var_days": "the minimum number of VaR days",
    "policy.min_sample.rows": "the minimum number of rows",
    "policy.min_sample.events": "the minimum number of events",
    "policy.threshold": "the score threshold set by policy",
    "policy.p_value": "the p-value thresholds",
    "policy.multiplicity": "the multiple-testing adjustment",
    "policy.alert_rate": "the alert rate set by policy",
    "policy.retraining.psi": "the retraining PSI",
    "policy.retraining.min_features": "the retraining minimum number of features",
    "policy.psi": "the PSI thresholds",
    "policy.cutoff": "the approval cut-off",
    "backtest.maturity_months": "the outcome window",
    "backtest.var.es": "the expected-shortfall series",
    "backtest.var": "the VaR series",
    "backtest.stress": "the stress scenarios",
    "backtest.as_of": "the as-of date",
    "data.time": "the time column",
    "data.target": "the outcome column",
    "model.kind": "the model's kind",
    "model.artifact": "the model file",
    "pnl": "P&L",
    "AUC_initial": "initial AUC",
    "AUC_current": "current AUC",
}
_PARAMETER = re.compile("|".join(re.escape(k) for k in sorted(PARAMETER_WORDS, key=len, reverse=True)) + r"\b")
#: Any other key of the parameter file (a section, then dotted fields); "e.g." or "data.csv" are not keys.
_DOTTED = re.compile(
    r"\b(?:policy|data|model|drift|backtest|champion_challenger|explainability|validation)(?:\.[a-z][a-z0-9_]*)+\b"
)


def words(text: Any, names: Any = None) -> str:
    """``text`` with each parameter key, then each column name (``names``: a
    :class:`~mrmkit.text.labels.Dictionary`), then any other machine name written as words."""
    out = _PARAMETER.sub(lambda m: PARAMETER_WORDS[m.group(0)], str(text))
    out = _DOTTED.sub(lambda m: humanize(m.group(0).split(".")[-1]).lower(), out)
    if names is not None:
        out = SNAKE_CASE.sub(lambda m: names.label(m.group(0)), out)
    return SNAKE_CASE.sub(lambda m: m.group(0).replace("_", " "), out)


def setting_name(key: str) -> str:
    """A setting's key as the settings table names it."""
    return SETTING_WORDS.get(key, humanize(key))


def _value(value: Any) -> str:
    if isinstance(value, Mapping):
        return "; ".join(f"{setting_name(str(k)).lower()} {_value(v)}" for k, v in value.items())
    return words(display.setting(value))


def settings_frame(settings: Mapping[str, Any], caption: str, skip: tuple[str, ...] = ()) -> Any:
    """The settings as a two-column table keyed by plain words, with ``caption``."""
    rows = [(setting_name(k), _value(v)) for k, v in settings.items() if k not in skip]
    frame = pd.DataFrame(rows, columns=["setting", "value"])
    return display.styled(frame, status_columns=(), index=False).set_caption(caption)


def findings_frame(findings: list[dict[str, Any]], caption: str) -> Any:
    """A workbook's findings as its report shows them (:func:`display.findings_table`), with ``caption``."""
    return display.findings_table(findings).set_caption(caption)


def measure_label(names: Any, column: str, kind: str, coverage: float) -> str:
    """A VaR or ES column as a reader names it: its label in the data dictionary, else ``VaR at 99%``."""
    entry = (getattr(names, "entries", None) or {}).get(column) or {}
    return str(entry.get("label") or f"{kind} at {coverage * 100:g}%")


def p_is(p: Any) -> str:
    """A p-value after "p": ``= 0.034``, or ``< 0.0001`` below the display floor (never "p = < 0.0001")."""
    text = numbers.p_value(p)
    return text if text.startswith("<") else f"= {text}"


def value_label(value: Any) -> Any:
    """A category of the data as a reader reads it: ``card_not_present`` as "card not present" (the value itself
    stays in the evidence); any other value unchanged."""
    return value.replace("_", " ") if isinstance(value, str) and SNAKE_CASE.fullmatch(value) else value
