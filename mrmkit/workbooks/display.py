"""Tables and text for the workbook reports: formatting only, no statistics.

This module is the one rendering path of the workbook reports, and it escapes by default: every table is
a pandas ``Styler`` made by :func:`frame_style`, whose cells, row headers and column headers (every level)
are HTML-escaped, since names and categories come from data; every sentence that carries a value goes
through :func:`text`, which fills mrmkit's own Markdown template with values that render as exactly their
characters (HTML escaped, Markdown punctuation backslash-escaped, line breaks as spaces). Nothing else in
the workbooks builds a ``Styler`` or a ``Markdown`` object (a test checks). Shares are percentages,
p-values in significant digits (a p-value of 1e-167 must not print as 0.0000), and status cells coloured
green, amber or red.
"""

from __future__ import annotations

import html
import math
import re
import string
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

from mrmkit.params import Thresholds
from mrmkit.policy import classify, finding_order

__all__ = [
    "styled",
    "findings_table",
    "frame_style",
    "text",
    "join",
    "escape_markdown",
    "plain",
    "setting",
    "STATUS_CSS",
    "HEADER_LABELS",
]

STATUS_CSS = {
    "green": "background-color: #d9f2d9; color: #14521f",
    "amber": "background-color: #fdebc8; color: #6b4500",
    "red": "background-color: #f9d0d0; color: #7a0c0c",
}


# ASCII punctuation that Markdown (CommonMark, as rendered by nbconvert's mistune) may give a meaning to;
# ``&`` and ``;`` are left to html.escape, whose entities must stay intact.
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>=:$^\"'])")


def escape_markdown(value: Any) -> str:
    """``value`` as text that a Markdown renderer shows as exactly its characters, on one line."""
    flat = " ".join(str(value).split())
    return _MARKDOWN_ACTIVE.sub(r"\\\1", html.escape(flat, quote=False))


class _InertFields(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        return escape_markdown(super().format_field(value, format_spec))


_INERT = _InertFields()


def text(template: str, /, *args: Any, **values: Any) -> Any:
    """mrmkit's own Markdown ``template`` (a ``str.format`` template) filled with inert values.

    Only the template is Markdown; every value (a feature name, a category, an id, a model's name, a
    number) is formatted with its format spec and then escaped by :func:`escape_markdown`, so data can
    neither add markup nor change the document's structure.
    """
    from IPython.display import Markdown

    return Markdown(_INERT.vformat(template, args, values))


def join(parts: Iterable[Any], sep: str = "\n") -> Any:
    """Markdown objects made by :func:`text` (each already inert), joined into one."""
    from IPython.display import Markdown

    return Markdown(sep.join(part.data for part in parts))


class _EscapingStyler(Styler):
    """A Styler whose caption is text, never markup (pandas inserts captions verbatim)."""

    def set_caption(self, caption: Any) -> Any:
        if isinstance(caption, tuple):
            return super().set_caption(tuple(html.escape(str(c)) for c in caption))
        return super().set_caption(html.escape(str(caption)))


#: mrmkit's own field names, as a column header reads them (a name from the data is never relabelled).
HEADER_LABELS = {
    "reference_count": "reference count",
    "current_count": "current count",
    "reference_share": "reference share",
    "current_share": "current share",
    "mean_abs_shap": "mean |SHAP|",
    "share_first": "share as first reason",
    "share_of_reasons": "share of reasons",
    "share_of_declines": "share of declines",
    "new_pd": "PD after the change",
    "champion_pd": "champion PD",
    "challenger_pd": "challenger PD",
    "n_outcomes": "outcomes",
}
_NEGATIVE_ZERO = re.compile(r"^-(0(?:[.,]0*)?)(%|e[+-]?\d+)?$")


def plain(value: Any) -> Any:
    """A cell as a reader reads it: ``{'amber': 0.1, 'red': 0.25}`` as ``amber 0.1, red 0.25``, a list as
    ``a, b``, ``True``/``False`` as ``yes``/``no``; numbers and text unchanged (formatted later)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{str(k).replace('_', ' ')} {plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(plain(v)) for v in value)
    return value


def setting(value: Any) -> str:
    """A setting's value as a sentence fragment: ``none`` for no value, dicts and lists plain."""
    return "none" if value is None else str(plain(value))


_NUMBER_TEXT = re.compile(r"^[-+]?[\d.,]+(?:e[-+]?\d+)?%?(?: to [-+]?[\d.,]+(?:e[-+]?\d+)?%?)?$")


def _number_like(value: Any) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and bool(_NUMBER_TEXT.match(value.strip()))


def _no_negative_zero(text: Any) -> Any:
    """``-0.0000`` (a tiny negative number rounded) shown as ``0.0000``."""
    if isinstance(text, str):
        match = _NEGATIVE_ZERO.match(text.strip())
        if match:
            return match.group(1) + (match.group(2) or "")
    return text


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells made plain (:func:`plain`) in text columns, and mrmkit's own field names as headers."""
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].dtype == object:
            shown[column] = shown[column].map(plain)
        elif pd.api.types.is_bool_dtype(shown[column]):
            shown[column] = shown[column].map(plain)
    if not isinstance(shown.columns, pd.MultiIndex):
        shown.columns = [HEADER_LABELS.get(c, c) if isinstance(c, str) else c for c in shown.columns]
    return shown


def _formatters(formatter: Any, frame: pd.DataFrame, precision: int | None) -> dict[Any, Any]:
    """Every column's formatter (the given one, else ``precision`` decimals for a numeric column),
    wrapped so that no cell reads ``-0.0000``."""
    given = formatter if isinstance(formatter, dict) else {c: formatter for c in frame.columns} if formatter else {}
    digits = 4 if precision is None else precision

    def default(value: Any) -> Any:
        if isinstance(value, float) and not math.isnan(value):
            return f"{value:.{digits}f}"
        return value

    out = {}
    for column in frame.columns:
        f = given.get(column)
        if isinstance(f, str):
            f = f.format
        if f is None and pd.api.types.is_numeric_dtype(frame[column]):
            f = default
        if f is not None:
            out[column] = lambda v, f=f: _no_negative_zero(f(v))
    return out


def frame_style(frame: pd.DataFrame, **format_options: Any) -> Any:
    """The one way a frame becomes a ``Styler`` here: cells plain (no Python literals, no ``-0.0000``),
    mrmkit's field names as readable headers, and cells and every header level HTML-escaped."""
    shown = _readable(frame)
    formatter = format_options.pop("formatter", None)
    if isinstance(formatter, dict):  # keyed by the columns as given; the headers may have been relabelled
        renamed = dict(zip(frame.columns, shown.columns, strict=True))
        formatter = {renamed.get(k, k): v for k, v in formatter.items()}
    frame = shown
    wrapped = _formatters(formatter, frame, format_options.get("precision"))
    options = {"escape": "html", "na_rep": "", **format_options, "formatter": wrapped}
    styler = _EscapingStyler(frame).format(**options)
    # a number is never split across lines (a p-value 9.21e-138 must not print as "9.21e-" and "138")
    # and numbers line up on the right, text on the left
    styler = styler.map(lambda v: "white-space: nowrap; text-align: right" if _number_like(v) else "")
    for axis in (0, 1):  # row and column headers of every level, and the names of the two indexes
        styler = styler.format_index(escape="html", axis=axis).format_index_names(escape="html", axis=axis)
    return styler


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
    styler = frame_style(shown, formatter=formatter, precision=4)
    status = [HEADER_LABELS.get(rename.get(c, c), rename.get(c, c)) for c in status_columns if c in frame.columns]
    if status:
        styler = styler.map(lambda v: STATUS_CSS.get(v, ""), subset=status)
    data = styler.data  # as shown: plain cells, readable headers
    text = [c for c in data.columns if data[c].dtype == object or pd.api.types.is_string_dtype(data[c])]
    if text:
        styler = styler.set_properties(subset=text, **{"text-align": "left"})
    styler = styler.set_table_styles(
        [
            {"selector": "thead th", "props": "text-align: left; vertical-align: bottom;"},
            {"selector": "tbody th", "props": "text-align: left; vertical-align: top;"},
        ]
    )
    return styler if index else styler.hide(axis="index")


def psi_coloured(frame: pd.DataFrame, thresholds: Thresholds, columns: Iterable[str]) -> Any:
    """A frame of PSI values coloured cell by cell with the policy's status."""
    styler = frame_style(frame, formatter={c: FIXED4 for c in columns})
    styler = styler.format(formatter={c: INTEGER for c in frame.columns if c not in set(columns)}, escape="html")
    return styler.map(
        lambda v: STATUS_CSS.get(classify(v, thresholds), "") if isinstance(v, float) else "", subset=list(columns)
    )


def psi_table(result: Any, bin_names: Callable[[Any], Any] | None = None) -> Any:
    """A PSI bin table: counts, shares and each bin's contribution (``bin_names``: how a bin's label reads)."""
    frame = pd.DataFrame(result.to_dict()["table"]).drop(columns=["lower", "upper"], errors="ignore")
    if bin_names is not None and "label" in frame:
        frame["label"] = frame["label"].map(bin_names)
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
    """A workbook's findings, worst first, severity coloured.

    The finding's ``metric`` (the dotted key of its evidence in ``metrics.json``) is evidence, not prose: it
    stays in the metrics and the issue list's data, not in the table a reader reads.
    """
    rows = sorted(findings, key=finding_order)
    frame = pd.DataFrame(rows, columns=["severity", "title", "detail", "threshold"])
    return styled(frame, status_columns=("severity",), index=False)
