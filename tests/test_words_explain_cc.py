"""The explainability and champion-challenger reports in plain words (issue 27).

Features by their labels, methods and settings in words, counterfactual values at the precision the data use,
p-values with a display floor, changes of rates in percentage points, losses with the currency; every figure
and table captioned. The slow test renders both workbooks' reports of a small demo package and reads them as
a reader sees them.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from mrmkit.text.labels import SNAKE_CASE, Dictionary
from mrmkit.workbooks.champion_challenger import decision
from mrmkit.workbooks.champion_challenger import tables as cc_tables
from mrmkit.workbooks.champion_challenger import words as cc_words
from mrmkit.workbooks.explainability import tables as xb_tables
from mrmkit.workbooks.explainability import words as xb_words
from mrmkit.workbooks.explainability.analysis import ExplainEvidence

NAMES = Dictionary(
    {
        "savings_balance": {"label": "Savings balance", "unit": "EUR"},
        "revolving_utilisation": {"label": "Revolving utilisation", "unit": "ratio"},
        "num_enquiries_6m": {"label": "Credit enquiries, last 6 months", "unit": "count"},
    }
)


def _counterfactuals(changes: list[tuple[str, str, float, float]], status: dict[str, str]) -> ExplainEvidence:
    """An explainability evidence holding one model's counterfactual result, as the search returns it."""
    rows = pd.DataFrame(
        {
            "id": list(status),
            "pd": [0.195] * len(status),
            "status": list(status.values()),
            "new_pd": [0.08 if s == "found" else float("nan") for s in status.values()],
            "distance": [1.5 if s == "found" else float("nan") for s in status.values()],
            "reason": [
                "" if s == "found" else "no single move brings the PD to 8.00% or below" for s in status.values()
            ],
        }
    )
    frame = pd.DataFrame(changes, columns=["id", "feature", "from", "to"])
    found = sum(s == "found" for s in status.values())
    result = SimpleNamespace(
        rows=rows, changes=frame, n_found=found, n_declined=len(status), share_found=found / len(status), cutoff=0.08
    )
    return ExplainEvidence(
        applicable=True,
        reason=None,
        counterfactuals={"champion": {"applicable": True, "result": result}},
        names=NAMES,
        steps={"savings_balance": 0.01, "revolving_utilisation": 0.0001, "num_enquiries_6m": 1.0},
    )


class _Cells(HTMLParser):
    """The header and body cells of one rendered table, as text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def _shown(styler) -> pd.DataFrame:
    """The cells of a styled table as they are printed."""
    cells = _Cells()
    cells.feed(styler.to_html())
    header, *body = [r for r in cells.rows if r]
    return pd.DataFrame(body, columns=header)


def test_a_counterfactual_move_below_the_data_precision_is_no_change():
    """The issue's "savings_balance: 0 -> 2.69e-06" (a combination the search shrank to nothing): the data record
    savings to the cent, so that move is no change and is not shown as advice; the real moves are shown at the
    data's precision with the feature's label and unit."""
    ev = _counterfactuals(
        [
            ("A1", "revolving_utilisation", 1.003, 0.0),
            ("A1", "savings_balance", 0.0, 2.69e-06),
            ("A2", "savings_balance", 585.9, 104021.372),
            ("A2", "num_enquiries_6m", 3, 1),
        ],
        {"A1": "found", "A2": "found", "A3": "not_found"},
    )
    shown = _shown(xb_tables.counterfactual_frame(ev, "champion"))
    changes = dict(zip(shown["application"], shown["change that brings the PD to the cut-off"], strict=True))
    assert changes["A1"] == "Revolving utilisation (ratio): 1.0030 → 0.0000"
    assert changes["A2"] == (
        "Savings balance (EUR): 585.90 → 104,021.37; Credit enquiries, last 6 months (count): 3 → 1"
    )
    assert "8.00%" in changes["A3"]
    assert list(shown["outcome"]) == ["change found", "change found", "no change found"]  # never "not_found"
    text = " ".join(str(v) for v in shown.to_numpy().ravel())
    assert not SNAKE_CASE.search(text) and "e-0" not in text


def test_the_explainer_is_named_in_plain_words():
    """ "TreeExplainer on the LGBMClassifier" (issue 27) is the method and the model family in words."""
    ev = ExplainEvidence(
        applicable=True,
        reason=None,
        models={"challenger": {"explainer": "TreeExplainer", "estimator": "LGBMClassifier"}},
    )
    heading = xb_tables.model_heading(ev, "challenger").data.replace("\\", "")  # Markdown escapes off
    assert "exact tree SHAP on the gradient-boosted trees model" in heading
    assert "Explainer" not in heading and "Classifier" not in heading
    assert xb_words.method("LinearExplainer") == "exact linear SHAP"
    assert xb_words.estimator("SomethingNew") == "model"


@pytest.mark.parametrize(
    ("fits", "phrase"),
    [([0.17, 0.49], "rough guide only"), ([0.3, 0.8], "below 0.5"), ([0.7, 0.9], "fair local summary")],
)
def test_the_lime_fit_says_what_it_means_for_reliability(fits, phrase):
    """R² of LIME's local straight-line fit: below 0.5 it explains less than half of the local variation."""
    note = xb_words.lime_fit_note(fits)
    assert phrase in note and note.startswith(f"LIME local fit (R²) {fits[0]:.2f} to {fits[1]:.2f}")


def test_errors_and_tolerances_print_without_exponents():
    assert xb_words.small(9.8e-15) == "< 0.000001" and xb_words.small(0.0) == "0"
    assert xb_words.small(0.00123) == "0.0012" and xb_words.small(1e-6, 0) == "0.000001"
    assert xb_words.within(1e-12) == "less than 0.000001"
    assert xb_words.setting_value("operating_point", "alert the riskiest 2.00% of cases (policy.alert_rate)") == (
        "alert the riskiest 2.00% of cases"
    )
    rule = "top_k features with the largest positive SHAP values among declined applications (PD > cutoff)"
    assert xb_words.setting_value("reason_rule", rule, 4).startswith("the 4 features with")


def test_changes_of_rates_are_percentage_points_and_losses_carry_the_currency():
    """ "expected loss 5,706,343" with no currency and rate changes as "+0.0447" (issue 27)."""
    loss = {"value_a": 5706343.4, "value_b": 5650000.0, "difference": -56343.4, "ci_difference": [-80000.0, 1200.0]}
    assert cc_tables._business_values("expected_loss_approved", loss, "EUR") == (
        "EUR 5,706,343",
        "EUR 5,650,000",
        "-EUR 56,343",
        "-EUR 80,000 to +EUR 1,200",
    )
    rate = {"value_a": 0.865, "value_b": 0.9097, "difference": 0.0447, "ci_difference": [0.03697, 0.05302]}
    assert cc_tables._business_values("approval_rate", rate, "EUR") == (
        "86.50%",
        "90.97%",
        "+4.47 pp",
        "+3.70 to +5.30 pp",
    )
    assert cc_words.limit_pp(0.0) == "0.0 pp" and cc_words.limit_pp(0.005) == "0.5 pp"
    assert cc_words.limit_pp(0.0025) == "0.25 pp"


def test_decision_rules_name_their_limits_in_percentage_points():
    rules = SimpleNamespace(
        min_auc_gain=0.01, max_p_value=0.05, max_bad_rate_increase=0.0025, max_approval_rate_decrease=0.0
    )
    names = decision._performance_names(rules, alerting=False)
    assert names[1].endswith("rises by at most 0.25 pp") and names[2].endswith("falls by at most 0.0 pp")


def test_settings_are_keyed_by_words_and_keys_leave_the_values():
    rules = {"min_auc_gain": 0.01, "max_p_value": 0.05, "max_bad_rate_increase": 0.0, "no_fairness_flag": True}
    shown = cc_words.setting_value("rules", rules)
    assert shown == (
        "smallest AUC gain 0.010; largest p-value 0.05; largest rise of the bad rate 0.0 pp; no new four-fifths "
        "flag required"
    )
    assert cc_words.setting_value("exposure", "column savings_balance", NAMES) == "column Savings balance"
    assert cc_words.plain("none (data.exposure not given): losses are per unit of exposure") == (
        "none given: losses are per unit of exposure"
    )
    assert set(cc_words.SETTING_WORDS) >= {"cutoff", "n_bootstrap", "ci_level", "challenger_source", "decision_rule"}


# ------------------------------------------------------------------------------------------ rendered reports


class _Page(HTMLParser):
    """What a reader sees of a report: its text (but the findings tables' metric column, the evidence key that
    links a finding to metrics.json), its images and whether each is a captioned figure, and its tables'
    captions."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.text: list[str] = []
        self.images = self.figure_images = 0
        self.tables = self.captioned_tables = 0
        self.figures: list[bool] = []
        self.headers: list[str] = []
        self.column = -1
        self.in_caption = False
        self.skip_cell = False

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "title", "head"):
            self.hidden += 1
        elif tag == "figure":
            self.figures.append(False)
        elif tag == "img":
            self.images += 1
            self.figure_images += bool(self.figures)
        elif tag == "table":
            self.tables += 1
            self.headers = []
        elif tag == "caption":
            self.captioned_tables += 1
        elif tag == "tr":
            self.column = -1
        elif tag in ("td", "th"):
            self.column += 1
            in_body = tag == "td" or dict(attrs).get("class", "").startswith("row_heading")
            named = self.headers[self.column] if self.column < len(self.headers) else ""
            self.skip_cell = in_body and named == "metric"
        elif tag == "figcaption" and self.figures:
            self.figures[-1] = True

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title", "head"):
            self.hidden -= 1
        elif tag == "figure":
            assert self.figures.pop(), "a figure without its caption"
        elif tag in ("td", "th"):
            self.skip_cell = False

    def handle_data(self, data):
        if self.hidden or not data.strip():
            return
        if self.lasttag == "th" and not self.skip_cell and len(self.headers) <= self.column:
            self.headers.append(data.strip())
        if not self.skip_cell:
            self.text.append(data.strip())


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    from mrmkit.demo import build_demo
    from mrmkit.run.runner import run

    root = tmp_path_factory.mktemp("words")
    build = build_demo(root, n_reference=4000, n_per_window=1500, n_windows=3)
    raw = yaml.safe_load(build.parameters.read_text())
    raw["model"]["currency"] = "EUR"
    raw["data"]["dictionary"] = {c: {"label": NAMES.label(c), "unit": NAMES.unit(c)} for c in NAMES.entries}
    raw["explainability"].update(sample_size=300, background_size=50, lime_samples=500, lime_seeds=2)
    raw["champion_challenger"]["n_bootstrap"] = 100
    path = build.parameters.with_name("words.yaml")
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    result = run(path, ["explainability", "champion_challenger"], root / "out", record_audit=False)
    return {name: result.package / "reports" / f"{name}.html" for name in ("explainability", "champion_challenger")}


@pytest.mark.slow
@pytest.mark.parametrize("workbook", ["explainability", "champion_challenger"])
def test_the_reports_read_as_words_and_every_figure_and_table_is_captioned(reports, workbook):
    page = _Page()
    page.feed(reports[workbook].read_text(encoding="utf-8"))
    text = " ".join(page.text)
    assert not SNAKE_CASE.findall(text), sorted(set(SNAKE_CASE.findall(text)))
    assert not re.search(r"\d e[-+]?\d|\de[-+]\d", text), re.findall(r".{30}\de[-+]\d.{10}", text)
    assert not re.search(r"(Tree|Linear|Permutation|Exact)Explainer|LGBMClassifier|LogisticRegression", text)
    assert page.images and page.figure_images == page.images  # every image a captioned figure
    assert page.tables and page.captioned_tables == page.tables  # every table captioned
    if workbook == "champion_challenger":
        assert "EUR " in text and " pp" in text  # losses with their currency, rate changes in points
    else:
        assert "exact tree SHAP on the gradient-boosted trees model" in text and "LIME local fit (R²)" in text
