"""Issue 27, the drift and backtest reports' words: no machine name in their visible text, every figure and
table captioned, numbers written one way (p-values with a display floor, changes of shares in percentage points,
the Brier score beside the base rate's), settings keyed by plain words."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mrmkit.text.labels import SNAKE_CASE, Dictionary
from mrmkit.workbooks import wording

# --- unit tests of the wording (fast) ------------------------------------------------------------


def test_words_turns_parameter_keys_and_column_names_into_words() -> None:
    names = Dictionary({"annual_income": {"label": "Annual income", "unit": "EUR"}})
    text = "at least 100 rows (policy.min_sample.rows); annual_income and num_enquiries_6m moved; pnl < -VaR"
    out = wording.words(text, names)
    assert out == (
        "at least 100 rows (the minimum number of rows); Annual income and Num enquiries 6m moved; P&L < -VaR"
    )
    assert not SNAKE_CASE.search(out)
    assert wording.words("backtest.unknown_key.more_here is gone") == "more here is gone"
    assert wording.words("e.g. one, i.e. two, v1.2") == "e.g. one, i.e. two, v1.2"  # not keys


def test_settings_are_keyed_by_plain_words_and_never_show_a_key() -> None:
    settings = {
        "p_value_thresholds": {"amber": 0.05, "red": 0.01},
        "min_expected_events": "fewer than 5 expected (policy.min_sample.expected_events)",
        "some_new_setting": "value_with_underscores",
    }
    frame = wording.settings_frame(settings, "Settings.").data
    assert list(frame["setting"]) == [
        "p-value thresholds",
        "fewest expected defaults for a calibration test",
        "Some new setting",
    ]
    assert frame["value"].iloc[0] == "amber 0.05; red 0.01"
    assert not any(SNAKE_CASE.search(str(v)) for v in frame.to_numpy().ravel())


def test_a_p_value_reads_p_equals_or_p_below_the_floor() -> None:
    assert f"p {wording.p_is(0.0342)}" == "p = 0.034"
    assert f"p {wording.p_is(1.43e-252)}" == "p < 0.0001"


def test_a_category_named_like_a_column_reads_as_words() -> None:
    assert wording.value_label("card_not_present") == "card not present"
    assert wording.value_label("Card_Present") == "Card_Present" and wording.value_label(3) == 3  # not snake_case


def test_var_columns_are_named_by_their_label_or_their_coverage() -> None:
    names = Dictionary({"var_99": {"label": "Desk VaR, 99%, 1 day"}})
    assert wording.measure_label(names, "var_99", "VaR", 0.99) == "Desk VaR, 99%, 1 day"
    assert wording.measure_label(names, "var_975", "VaR", 0.975) == "VaR at 97.5%"
    assert wording.measure_label(Dictionary(), "es_975", "ES", 0.975) == "ES at 97.5%"


def test_brier_score_is_shown_beside_the_base_rate_brier() -> None:
    from mrmkit.workbooks.backtest.tables import brier_text

    # base rate o = 0.05: the base rate's Brier score is o (1 - o) = 0.0475 (Murphy 1973, the uncertainty term)
    text = brier_text({"value": 0.0400, "uncertainty": 0.05 * 0.95})
    assert text.startswith("0.0400 against 0.0475 for the base rate alone (skill 15.8%: better")
    worse = brier_text({"value": 0.0500, "uncertainty": 0.0475})
    assert "skill -5.3%: no better" in worse


# --- rendered reports (slow: papermill runs) ------------------------------------------------------


class _Visible(HTMLParser):
    """The visible text of a report (no script, style, or glossary), its images, figures and tables."""

    VOID = {"br", "img", "meta", "link", "hr", "input", "col", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.hidden = 0
        self.text: list[str] = []
        self.images_outside_figures = 0
        self.figures: list[dict[str, bool]] = []
        self.tables: list[dict[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        marker = f"{a.get('id') or ''} {a.get('class') or ''}"
        if tag == "img":
            if "figure" not in self.stack:
                self.images_outside_figures += 1
            return
        if tag in self.VOID:
            return
        hidden = tag in ("script", "style", "head") or "glossary" in marker
        self.stack.append(tag)
        self.hidden += hidden
        self._hidden_flags = getattr(self, "_hidden_flags", []) + [hidden]
        if tag == "figure":
            self.figures.append({"caption": False})
        elif tag == "figcaption" and self.figures:
            self.figures[-1]["caption"] = True
        elif tag == "table":
            self.tables.append({"caption": False})
        elif tag == "caption" and self.tables:
            self.tables[-1]["caption"] = True

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or tag not in self.stack:
            return
        while self.stack:
            closed = self.stack.pop()
            self.hidden -= self._hidden_flags.pop()
            if closed == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.text.append(data)


def _visible(path: Path) -> _Visible:
    parser = _Visible()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _pd_project(root: Path) -> Path:
    """The tiny PD project with snake_case columns (one described in the data dictionary) and a currency."""
    from tests.conftest import make_frame, write_params

    rng = np.random.default_rng(20261207)
    (root / "data").mkdir()
    rename = {"income": "annual_income", "utilisation": "revolving_utilisation", "enquiries": "num_enquiries_6m"}
    snake = {"north": "north_east", "west": "south_west"}  # categories from the data, named like columns
    reference = make_frame(rng, 3000, 0.0, "2024-01-01").rename(columns=rename)
    reference["region"] = reference["region"].replace(snake)
    reference.to_parquet(root / "data" / "reference.parquet")
    current = make_frame(rng, 2000, 0.25, "2025-01-01").rename(columns=rename)
    current["region"] = current["region"].replace(snake)
    current.loc[current.index[:300], "region"] = "south_west"  # the region moves: its PSI bin table is shown
    current.loc[current.index[:40], "annual_income"] = np.nan  # a missing-share change, in percentage points
    current.to_parquet(root / "data" / "current.parquet")
    path = write_params(root)
    raw = yaml.safe_load(path.read_text())
    raw["data"]["features"] = [rename.get(f, f) for f in raw["data"]["features"]]
    raw["data"]["dictionary"] = {"annual_income": {"label": "Annual income", "unit": "EUR"}}
    raw["model"]["currency"] = "EUR"
    raw["backtest"] = {"maturity_months": 3}
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def _var_project(root: Path) -> Path:
    rng = np.random.default_rng(4)
    (root / "data").mkdir(parents=True)
    days = 300
    sigma = rng.uniform(0.8, 1.2, days) * 1e4
    pd.DataFrame(
        {
            "date": pd.bdate_range("2024-01-01", periods=days).strftime("%Y-%m-%d"),
            "pnl": rng.standard_normal(days) * sigma * 1.3,  # VaR understated: exceptions and findings
            "var_99": 2.326 * sigma,
            "var_975": 1.960 * sigma,
            "es_975": 2.338 * sigma,
        }
    ).to_csv(root / "data" / "var.csv", index=False)
    raw = {
        "seed": 3,
        "model": {"id": "desk-var", "version": "1.0", "kind": "var", "currency": "EUR"},
        "backtest": {
            "var": {"data": "data/var.csv", "levels": {"var_99": 0.99, "var_975": 0.975}, "es": {"es_975": "var_975"}}
        },
    }
    path = root / "var.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def _run(params: Path, out: Path) -> Path:
    from typer.testing import CliRunner

    from mrmkit.cli import app

    result = CliRunner().invoke(app, ["run", str(params), "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return Path([line for line in result.stdout.splitlines() if line.strip()][-1])


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    pd_root, var_root = tmp_path_factory.mktemp("words-pd"), tmp_path_factory.mktemp("words-var")
    pd_package = _run(_pd_project(pd_root), pd_root / "out")
    var_package = _run(_var_project(var_root), var_root / "out")
    return {
        "pd drift": pd_package / "reports" / "drift.html",
        "pd backtest": pd_package / "reports" / "backtest.html",
        "var backtest": var_package / "reports" / "backtest.html",
    }


@pytest.mark.slow
@pytest.mark.parametrize("report", ["pd drift", "pd backtest", "var backtest"])
def test_no_machine_name_in_the_visible_text(reports, report) -> None:
    text = " ".join(_visible(reports[report]).text)
    tokens = sorted(set(SNAKE_CASE.findall(text)))
    assert tokens == [], f"{report}: {tokens}"
    assert not re.search(r"\b(?:policy|backtest|data|model)\.[a-z_]+", text), report  # no parameter key
    assert not re.search(r"\d\.\d+e-\d+", text), report  # no p-value like 1.43e-252
    assert "= <" not in text, report  # "p < 0.0001", never "p = < 0.0001"


@pytest.mark.slow
@pytest.mark.parametrize("report", ["pd drift", "pd backtest", "var backtest"])
def test_every_figure_and_table_has_a_caption(reports, report) -> None:
    seen = _visible(reports[report])
    assert seen.images_outside_figures == 0, report
    assert seen.figures and all(f["caption"] for f in seen.figures), report
    assert seen.tables and all(t["caption"] for t in seen.tables), report


@pytest.mark.slow
def test_features_by_their_label_and_numbers_one_way(reports) -> None:
    drift = " ".join(" ".join(_visible(reports["pd drift"]).text).split())
    assert "Annual income" in drift and "Revolving utilisation" in drift
    assert "south west" in drift  # the category in the PSI bin table
    assert " pp" in drift  # the missing share's change in percentage points
    assert "differ significantly" in drift and "effect size" in drift  # significance beside the effect size
    backtest = " ".join(" ".join(_visible(reports["pd backtest"]).text).split())
    assert "for the base rate alone" in backtest  # Brier beside the base rate's
    var = " ".join(" ".join(_visible(reports["var backtest"]).text).split())
    assert "VaR at 99%" in var and "ES at 97.5%" in var
