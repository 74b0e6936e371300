"""Workbook tables read as a document: no Python literals, no -0.0000, mrmkit's field names as words."""

from __future__ import annotations

import pandas as pd

from mrmkit.workbooks import display


def _html(styler) -> str:
    return styler.to_html()


def test_plain_cells():
    assert display.plain({"amber": 0.1, "red": 0.25}) == "amber 0.1, red 0.25"
    assert display.plain({"min_features": 3}) == "min features 3"
    assert display.plain(["card", "loan"]) == "card, loan"
    assert display.plain(True) == "yes" and display.plain(False) == "no"
    assert display.plain(0.5) == 0.5 and display.plain("x_y") == "x_y"  # text from data is never rewritten
    assert display.setting(None) == "none" and display.setting({"a": [1, 2]}) == "a 1, 2"


def test_tables_show_no_literals_no_negative_zero_and_readable_headers():
    frame = pd.DataFrame(
        {
            "feature": ["income_band", "x"],
            "thresholds": [{"amber": 0.1, "red": 0.25}, {"amber": 0.2, "red": 0.3}],
            "segments": [["card"], ["loan", "mortgage"]],
            "epsilon": [True, False],
            "change": [-0.00000001, 0.25],
            "share_first": [0.1, 0.2],
        }
    )
    html = _html(display.styled(frame, {"change": display.FIXED4}, status_columns=(), index=False))
    for raw in ("{'", "['", "True", "False", "-0.0000"):
        assert raw not in html, raw
    assert "amber 0.1, red 0.25" in html and "loan, mortgage" in html and ">yes<" in html and ">no<" in html
    assert "share as first reason" in html and "share_first" not in html
    assert "income_band" in html  # a name from the data keeps its spelling
    assert ">0.0000<" in html and ">0.2500<" in html


def test_negative_zero_in_percent_and_default_formats():
    frame = pd.DataFrame({"a": [-0.00001], "b": [-0.0000001]})
    html = _html(display.styled(frame, {"a": display.SIGNED_PERCENT}, status_columns=(), index=False))
    assert "-0.0%" not in html and "-0.0000" not in html
