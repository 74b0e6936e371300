"""Plain words and numbers for what the champion-challenger report shows (issue 27).

The evidence (``metrics.json``) keeps its keys and numbers; the report writes settings by plain words, changes
of a rate in percentage points, amounts with the model's currency and p-values with their display floor
(:mod:`mrmkit.text.numbers`). Parameter keys named in the evidence's text are dropped or written as words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from mrmkit.text import labels, numbers

__all__ = ["SETTING_WORDS", "RULE_WORDS", "pp", "pp_interval", "limit_pp", "setting_value", "plain", "cell"]

#: A setting of ``champion_challenger.settings`` as the settings table names it.
SETTING_WORDS = {
    "cutoff": "approval cut-off (PD)",
    "operating_point": "operating point",
    "comparison": "how the alerts are compared",
    "n_bootstrap": "bootstrap resamples",
    "seed": "random seed",
    "ci_level": "confidence level of the intervals",
    "exposure": "exposure of a loan",
    "lgd": "loss given default",
    "challenger_source": "where the challenger's scores come from",
    "rules": "decision rules",
    "decision_rule": "how the rules make the recommendation",
}

#: A decision rule's parameter (``champion_challenger.rules``) in words, and how its value is written.
RULE_WORDS = {
    "min_auc_gain": ("smallest AUC gain", lambda v: numbers.fixed(v, 3)),
    "max_p_value": ("largest p-value", lambda v: f"{v:g}"),
    "max_bad_rate_increase": ("largest rise of the bad rate", lambda v: limit_pp(v)),
    "max_approval_rate_decrease": ("largest fall of the approval rate", lambda v: limit_pp(v)),
    "min_catch_rate_gain": ("smallest gain of the catch rate", lambda v: limit_pp(v)),
    "max_false_positive_rate_increase": ("largest rise of the false-positive rate", lambda v: limit_pp(v)),
    "no_fairness_flag": ("no new four-fifths flag", lambda v: "required" if v else "not required"),
}

#: A parameter key in parentheses after the words that name it: " (policy.alert_rate)".
_KNOWN = {
    "none (data.exposure not given): losses are per unit of exposure": "none given: losses are per unit of exposure",
    "1 (data.lgd not given)": "1 (none given)",
    "rating scale of backtest.grades": "the rating scale of the parameter file",
    "no outcome column (data.target)": "no outcome column was given",
    "no protected attribute (data.protected)": "no protected attribute was given",
    "group-sequential looks are planned on a credit A/B test's bad rate (model.kind pd)": "group-sequential looks "
    "are planned on the bad rate of a credit A/B test",
}


def _digits(x: float) -> int:
    """1 decimal of a percentage point when that is exact, else 2."""
    return 1 if abs(round(x * 100, 1) - x * 100) < 1e-9 else 2


def pp(delta: Any, digits: int | None = None) -> str:
    """A change of a rate in signed percentage points (``+1.2 pp``)."""
    if delta is None or not math.isfinite(float(delta)):
        return numbers.MISSING
    return numbers.points(delta, 2 if digits is None else digits)


def limit_pp(limit: Any) -> str:
    """A limit on a change of a rate, unsigned: ``0.005`` is ``0.5 pp``."""
    return numbers.points(limit, _digits(float(limit))).lstrip("+")


def pp_interval(interval: Any) -> str:
    """An interval of a change of a rate: ``-0.44 to +0.12 pp``."""
    low, high = (pp(v) for v in interval)
    return f"{low.removesuffix(' pp')} to {high}"


def plain(text: Any, names: Any = None) -> str:
    """The evidence's text as the report writes it: known phrases in words, a parameter key in parentheses
    dropped, a column name (``names``: a data dictionary) by its label."""
    out = _KNOWN.get(str(text), str(text))
    out = labels.without_cited_keys(out)
    if names is not None and out.startswith("column "):
        out = "column " + names.label(out.removeprefix("column "))
    return out


def setting_value(key: str, value: Any, names: Any = None) -> str:
    """A setting's value as the settings table shows it."""
    if value is None:
        return "none"
    if key == "cutoff":
        return numbers.share(value)
    if key == "ci_level":
        return numbers.share(value, 0)
    if key == "n_bootstrap":
        return numbers.count(value)
    if key == "rules" and isinstance(value, Mapping):
        return "; ".join(
            f"{RULE_WORDS[k][0]} {RULE_WORDS[k][1](v)}" if k in RULE_WORDS else f"{k.replace('_', ' ')} {v}"
            for k, v in value.items()
        )
    if key == "challenger_source" and value == "artifact":
        return "the challenger model, scoring the data"
    return plain(value, names)


def cell(format_: Any) -> Any:
    """A table cell by one of these formats, blank when there is no value."""
    return lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else format_(v)
