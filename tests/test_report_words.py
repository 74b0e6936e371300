"""Issue 27: the validation report in a reader's words: inputs without machine paths, key figures and
conventions through mrmkit.text.numbers, columns by their labels, a glossary of the sections that ran."""

from __future__ import annotations

from pathlib import Path

from mrmkit import kinds
from mrmkit.present import glossary, keyfigures, report, summary
from mrmkit.sources import describe, shown_path
from mrmkit.text.labels import SNAKE_CASE, Dictionary


def test_a_file_is_shown_relative_to_the_parameter_files_folder_or_by_its_name() -> None:
    base = Path("/srv/validation/q4")
    assert shown_path("/srv/validation/q4/data/current.parquet", base) == "data/current.parquet"
    assert shown_path("/home/someone/mrmkit/notebooks/drift.ipynb", base) == "drift.ipynb"
    assert shown_path("sqlite:////srv/validation/q4/loans.db", base) == "loans.db"
    assert shown_path("file:///srv/validation/q4/mlruns", base) == "mlruns"
    assert shown_path("models:/retail-pd/3") == "models:/retail-pd/3"  # a registry URI names no machine path
    assert shown_path("postgresql://db.bank/loans") == "postgresql://db.bank/loans"
    query = describe({"query": "select *\n  from loans", "database": "sqlite:////srv/validation/q4/loans.db"}, base)
    assert query == "query on loans.db: select * from loans"


def test_the_inputs_appendix_names_each_input_in_words_and_no_absolute_path() -> None:
    inputs = {
        "parameters": {"path": "/srv/q4/params.yaml", "sha256": "a"},
        "data.current": {"path": "/srv/q4/data/current.parquet", "sha256": "b"},
        "champion_challenger.ab.data": {"path": "/srv/q4/data/ab_log.parquet", "sha256": "c"},
        "notebooks.champion_challenger": {"path": "/opt/mrmkit/notebooks/champion_challenger.ipynb", "sha256": "d"},
    }
    rows = report.inputs_appendix(inputs, kinds.get("pd"))
    assert rows == [
        ("A/B test log", "data/ab_log.parquet", "c"),
        ("Current sample", "data/current.parquet", "b"),
        ("Parameter file", "params.yaml", "a"),
        ("Workbook: Champion and challenger", "champion_challenger.ipynb", "d"),
    ]
    assert not any(text.startswith("/") for row in rows for text in row)


def test_key_figures_print_p_values_with_the_floor_and_statistics_at_one_precision() -> None:
    assert keyfigures.fmt(1.43e-252, "p") == "< 0.0001"  # was "1.43e-252"
    assert keyfigures.fmt(0.000452, "p") == "0.00045"
    assert keyfigures.fmt(0.8343, "g") == "0.834"  # was "0.8343" beside "0.825"
    assert keyfigures.fmt(0.9796, "pct") == "97.96%"
    assert keyfigures.fmt(33, "g") == "33"
    metrics = {  # the explainability workbook's metrics
        "models": {"champion": {"explainer": "LinearExplainer"}, "challenger": {"explainer": "TreeExplainer"}},
        "shap": {"additivity_max_abs_error": 7.994e-15},
    }
    rows = dict(keyfigures.key_figures(["explainability.global", "explainability.checks"], metrics, None))
    assert rows["explanation method"] == "champion: linear SHAP (exact), challenger: tree SHAP (exact)"
    assert rows["largest SHAP additivity error (log-odds)"].startswith("below 0.000001")
    assert "Explainer" not in " ".join(rows.values()) and "e-15" not in " ".join(rows.values())


def test_an_es_series_is_named_by_its_coverage() -> None:
    metrics = {"var": {"es": {"es_975": {"coverage": 0.975, "statistic": -1.0683, "critical_value": -0.475}}}}
    assert keyfigures.key_figures(["backtest.es"], metrics, None) == [
        ("97.5% ES: Z2 (critical value)", "-1.068 (-0.475)")
    ]


def test_column_names_in_the_issue_list_become_their_labels() -> None:
    words = Dictionary({"revolving_utilisation": {"label": "Revolving utilisation"}})
    text = "Feature revolving_utilisation has shifted (PSI 0.156); categories unseen (card_not_present)"
    assert summary.plain(text, words) == (
        "Feature Revolving utilisation has shifted (PSI 0.156); categories unseen (card not present)"
    )
    cited = "until each group expects at least 5 defaults (policy.min_sample.expected_events)."
    assert summary.plain(cited, words) == "until each group expects at least 5 defaults."
    assert summary.plain("p = 0.03 (two-sided)", None) == "p = 0.03 (two-sided)"
    assert not SNAKE_CASE.search(summary.plain(text, None))


def test_the_glossary_lists_the_terms_of_the_sections_that_ran_only() -> None:
    var = dict(glossary.terms(["backtest.var", "backtest.es", "backtest.findings"]))
    pd_terms = dict(glossary.terms(["drift.features", "backtest.pd_calibration", "explainability.global"]))
    assert "Kupiec test" in var and "SHAP" not in var and "PSI (population stability index)" not in var
    assert {"SHAP", "Jeffreys test", "PSI (population stability index)"} <= set(pd_terms)
    assert any(term.startswith("Multiple-testing adjustment (Holm") for term in pd_terms)
    assert "Kupiec test" not in pd_terms
    for term, meaning, _ in glossary.TERMS:
        assert not SNAKE_CASE.search(term + " " + meaning), term


def test_an_expected_cost_is_an_amount_in_the_models_currency() -> None:
    """Issue 27: "expected cost per 1,000 cases 3,132.600" had no currency and a spurious precision."""
    metrics = {"classifier": {"operating_point": {"current": {"expected_cost": {"per_1000": 3132.6}}}}}
    rows = dict(keyfigures.key_figures(["backtest.classifier_operating_point"], metrics, None, "EUR"))
    assert rows["expected cost per 1,000 cases, current"] == "EUR 3,133"
