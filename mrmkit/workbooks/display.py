"""Tables and text for the workbook reports: formatting only, no statistics.

Every table is a pandas ``Styler`` with values HTML-escaped (category names come from data), shares as
percentages, p-values in significant digits (a p-value of 1e-167 must not print as 0.0000), and status
cells coloured green, amber or red.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from mrmkit.params import Thresholds
from mrmkit.policy import classify, finding_order

__all__ = ["styled", "findings_table", "STATUS_CSS"]

STATUS_CSS = {
    "green": "background-color: #d9f2d9; color: #14521f",
    "amber": "background-color: #fdebc8; color: #6b4500",
    "red": "background-color: #f9d0d0; color: #7a0c0c",
}


def _num(fmt: str) -> Callable[[Any], str]:
    def apply(value: Any) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return ""
        if isinstance(value, str):
            return value
        return fmt.format(value)

    return apply


PERCENT = _num("{:.1%}")
SIGNED_PERCENT = _num("{:+.1%}")
P_VALUE = _num("{:.3g}")
FIXED4 = _num("{:.4f}")
GENERAL = _num("{:.4g}")
INTEGER = _num("{:,.0f}")


def styled(
    frame: pd.DataFrame,
    formats: dict[str, Callable[[Any], str]] | None = None,
    status_columns: Iterable[str] = ("status",),
    labels: dict[str, str] | None = None,
    index: bool = True,
) -> Any:
    """Format, colour and label a frame for display; text is left-aligned."""
    formats = dict(formats or {})
    shown = frame.rename(columns=labels or {})
    rename = labels or {}
    formatter = {rename.get(c, c): f for c, f in formats.items() if c in frame.columns}
    styler = shown.style.format(formatter=formatter, precision=4, escape="html", na_rep="")
    status = [rename.get(c, c) for c in status_columns if c in frame.columns]
    if status:
        styler = styler.map(lambda v: STATUS_CSS.get(v, ""), subset=status)
    text = [c for c in shown.columns if shown[c].dtype == object or pd.api.types.is_string_dtype(shown[c])]
    if text:
        styler = styler.set_properties(subset=text, **{"text-align": "left"})
    styler = styler.set_table_styles([{"selector": "th", "props": "text-align: left; vertical-align: bottom;"}])
    return styler if index else styler.hide(axis="index")


def psi_coloured(frame: pd.DataFrame, thresholds: Thresholds, columns: Iterable[str]) -> Any:
    """A frame of PSI values coloured cell by cell with the policy's status."""
    styler = frame.style.format(formatter={c: FIXED4 for c in columns}, escape="html", na_rep="")
    styler = styler.format(formatter={c: INTEGER for c in frame.columns if c not in set(columns)})
    return styler.map(
        lambda v: STATUS_CSS.get(classify(v, thresholds), "") if isinstance(v, float) else "", subset=list(columns)
    )


def psi_table(result: Any) -> Any:
    """A PSI bin table: counts, shares and each bin's contribution."""
    frame = pd.DataFrame(result.to_dict()["table"]).drop(columns=["lower", "upper"], errors="ignore")
    return styled(
        frame,
        {
            "reference_count": INTEGER,
            "current_count": INTEGER,
            "reference_share": PERCENT,
            "current_share": PERCENT,
            "contribution": FIXED4,
        },
        labels={"label": "bin", "epsilon_applied": "empty share replaced"},
        index=False,
    )


def findings_table(findings: list[dict[str, Any]]) -> Any:
    """A workbook's findings, worst first, severity coloured."""
    rows = sorted(findings, key=finding_order)
    frame = pd.DataFrame(rows, columns=["severity", "title", "detail", "threshold", "metric"])
    return styled(frame, status_columns=("severity",), index=False)
