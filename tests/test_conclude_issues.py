"""Validation issues from findings (mrmkit.conclude): grouping, ids, severity, headline, the issues file.

The grouping rules are the ones issue 26 names: Kupiec and conditional coverage on the same exceptions are one
issue; per-grade, portfolio and Hosmer-Lemeshow calibration are one issue; a passed check and a
champion-challenger recommendation are no issue of the model.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mrmkit import conclude, kinds
from mrmkit.conclude import catalogue, record
from mrmkit.errors import MrmkitError
from mrmkit.policy import finding

PD = kinds.get("pd")
VAR = kinds.get("var")


def _f(workbook: str, severity: str, metric: str, title: str = "t", threshold: str = "rule") -> dict:
    return finding(workbook, severity, title, "detail", metric=metric, threshold=threshold)


def _var_findings() -> list[dict]:
    return [
        _f("backtest", "red", "backtest.var.levels.var_99.kupiec_pof.p_value_exact", "Kupiec 99"),
        _f("backtest", "red", "backtest.var.levels.var_99.conditional_coverage.p_value", "CC 99"),
        _f("backtest", "amber", "backtest.var.levels.var_99.traffic_light.zone", "light 99"),
        _f("backtest", "amber", "backtest.var.levels.var_975.kupiec_pof.p_value_exact", "Kupiec 97.5"),
    ]


def test_tests_on_the_same_exceptions_are_one_issue_and_each_level_its_own():
    issues = conclude.build(_var_findings(), {}, VAR)
    assert [(i.id, i.key, i.severity, len(i.tests)) for i in issues] == [
        ("VAR-01", "VAR:level=var_99", "high", 3),
        ("VAR-02", "VAR:level=var_975", "medium", 1),
    ]
    assert issues[0].scope == ["VaR var 99"]  # no coverage in the evidence: the level's name, in words
    assert [t["title"] for t in issues[0].tests] == ["CC 99", "Kupiec 99", "light 99"]  # red first
    assert issues[0].rationale.startswith("2 of its 3 tests crossed the policy's red threshold")


def test_a_var_level_is_named_by_its_coverage_not_its_column():
    """Issue 27: the affected scope and the headline say "99% VaR", never the series' column name (var_99)."""
    levels = {
        "var_99": {"coverage": 0.99, "n": 500, "exceptions": 13},
        "var_975": {"coverage": 0.975, "n": 500, "exceptions": 8},
    }
    metrics = {"backtest": {"var": {"levels": levels, "es": {"es_975": {"coverage": 0.975}}}}}
    findings = [*_var_findings(), _f("backtest", "red", "backtest.var.es.es_975.p_value", "Z2")]
    issues = conclude.build(findings, metrics, VAR)
    assert sorted(s for i in issues for s in i.scope) == ["97.5% ES", "97.5% VaR", "99% VaR"]
    (var_99,) = [i for i in issues if i.key == "VAR:level=var_99"]
    assert var_99.title.startswith("The 99% VaR is exceeded too often: 13 exceptions in 500 days")
    assert "var_99" not in var_99.title


def test_grade_portfolio_and_hosmer_lemeshow_calibration_are_one_issue():
    findings = [
        _f("backtest", "amber", "backtest.pd.calibration.grades.C.jeffreys_p_value"),
        _f("backtest", "red", "backtest.pd.calibration.grades.A.jeffreys_p_value"),
        _f("backtest", "red", "backtest.pd.calibration.portfolio_jeffreys.p_value"),
        _f("backtest", "red", "backtest.pd.calibration.hosmer_lemeshow.p_value"),
        _f("backtest", "amber", "backtest.pd.calibration.grades.B.n"),
    ]
    (issue,) = conclude.build(findings, {}, PD)
    assert (issue.id, issue.category, issue.severity) == ("CAL-01", "PD calibration", "high")
    assert issue.scope == ["grade A", "grade B", "grade C"] and len(issue.tests) == 5
    assert issue.evidence[0]["href"] == "backtest.html#PD-model:-calibration-by-grade"


def test_passed_checks_and_the_champion_challenger_decision_are_no_issue_of_the_model():
    findings = [
        _f("backtest", "green", "backtest.findings", "No backtest finding"),
        _f("champion_challenger", "red", "champion_challenger.decision.recommendation", "DO NOT PROMOTE"),
        _f("explainability", "green", "explainability.shap.additivity_max_abs_error", "Explanations add up"),
    ]
    issues = conclude.build(findings, {}, PD)
    assert issues == [] and conclude.proposed_rating(issues, failed=False) == "green"
    assert conclude.proposed_rating(issues, failed=True) == "failed"


def test_an_issue_keeps_its_id_and_a_new_one_takes_the_next_free_number():
    known = {"VAR:level=var_975": "VAR-07", "CAL": "CAL-02"}
    issues = conclude.build(_var_findings(), {}, VAR, known=known)
    assert {i.key: i.id for i in issues} == {"VAR:level=var_975": "VAR-07", "VAR:level=var_99": "VAR-08"}


def test_a_finding_no_type_names_still_makes_an_issue():
    (issue,) = conclude.build([_f("new_workbook", "amber", "new_workbook.something.odd")], {}, PD)
    assert issue.type == "OTH" and issue.severity == "medium" and issue.workbook == "new_workbook"


def test_issues_read_high_before_medium_then_model_performance_first():
    findings = [
        _f("drift", "amber", "drift.quality.features.x.missing_share"),
        _f("drift", "red", "drift.features.x.psi"),
        _f("backtest", "amber", "backtest.pd.discrimination.auc_initial_test.p_value"),
        _f("backtest", "red", "backtest.pd.concentration.distribution_test.p_value"),
    ]
    assert [i.id for i in conclude.build(findings, {}, PD)] == ["DRF-01", "CON-01", "DIS-01", "DQ-01"]


def test_calibration_headline_states_the_gap_and_its_trend():
    """The issue's example: observed 4.2% -> 7.7% while the mean PD rose only 4.0% -> 5.5%."""
    metrics = {
        "backtest": {
            "pd": {
                "calibration": {"portfolio_jeffreys": {"observed_rate": 0.05148, "pd": 0.045485, "n": 25000}},
                "windows": {
                    "2025-01": {"n": 5000, "observed_rate": 0.0418, "mean_pd": 0.03996, "mature": True},
                    "2025-06": {"n": 5000, "observed_rate": 0.0774, "mean_pd": 0.05488, "mature": False},
                },
            }
        }
    }
    findings = [_f("backtest", "red", "backtest.pd.calibration.portfolio_jeffreys.p_value")]
    (issue,) = conclude.build(findings, metrics, PD)
    assert issue.title == (
        "Defaults are underestimated: 5.15% observed against a mean PD of 4.55% on 25,000 mature applications; "
        "the observed default rate rose from 4.2% (2025-01) to 7.7% (2025-06, not yet mature) while the mean PD "
        "rose from 4.0% to 5.5%."
    )


def test_affected_scope_reads_in_natural_order():
    findings = [_f("backtest", "red", f"backtest.pd.calibration.grades.{g}.jeffreys_p_value") for g in ("10", "2", "1")]
    assert conclude.build(findings, {}, PD)[0].scope == ["grade 1", "grade 2", "grade 10"]


def test_without_cohorts_the_headline_compares_with_the_reference_sample():
    metrics = {
        "backtest": {
            "pd": {
                "calibration": {
                    "portfolio_jeffreys": {"observed_rate": 0.012, "pd": 0.02, "n": 4000},
                    "portfolio_rates": {
                        "reference": {"observed_rate": 0.021, "mean_pd": 0.02, "n": 9000, "defaults": 189}
                    },
                },
            }
        }
    }
    findings = [_f("backtest", "amber", "backtest.pd.calibration.hosmer_lemeshow.p_value")]
    (issue,) = conclude.build(findings, metrics, PD)
    assert issue.title == (
        "Defaults are overestimated: 1.20% observed against a mean PD of 2.00% on 4,000 mature applications; on the "
        "reference sample 2.10% were observed against a mean PD of 2.00%."
    )


def test_without_the_numbers_the_issue_leads_with_its_most_severe_test():
    findings = [
        _f("backtest", "amber", "backtest.pd.calibration.grades.C.jeffreys_p_value", "grade C"),
        _f("backtest", "red", "backtest.pd.calibration.grades.A.jeffreys_p_value", "grade A"),
    ]
    (issue,) = conclude.build(findings, {}, PD)
    assert issue.title == "grade A"


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(4)))
def test_the_order_of_the_findings_changes_nothing(order):
    base = _var_findings()
    shuffled = [base[i] for i in order]
    assert [i.to_record() for i in conclude.build(shuffled, {}, VAR)] == [
        i.to_record() for i in conclude.build(base, {}, VAR)
    ]


def test_a_dotted_feature_name_is_read_from_the_evidence():
    metrics = {"drift": {"features": {"income.v2": {"psi": 0.3}, "income": {"psi": 0.0}}}}
    issue_type, captures = catalogue.match("drift.features.income.v2.psi", metrics)
    assert issue_type.code == "DRF" and captures == {"feature": "income.v2"}
    assert catalogue.match("drift.features.income.psi", metrics)[1] == {"feature": "income"}
    assert catalogue.match("drift.features.income.v2.psi")[1] == {"feature": "income"}  # without the evidence
    assert catalogue.match("drift.windows.2025-06.features.region")[1] == {"feature": "region"}
    with pytest.raises(ValueError, match="registered twice"):
        catalogue.register(catalogue.get("CAL"))


def test_issues_file_round_trip_and_forgery(tmp_path):
    issues = conclude.build(_var_findings(), {}, VAR)
    record.write(tmp_path, "m1", issues, conclude.proposed_rating(issues, False))
    read = record.read(tmp_path)
    assert read.proposed_rating == "red" and [i.id for i in read.issues] == ["VAR-01", "VAR-02"]
    first = (tmp_path / "issues.json").read_bytes()
    record.write(tmp_path, "m1", conclude.build(_var_findings(), {}, VAR), "red")
    assert (tmp_path / "issues.json").read_bytes() == first  # same issues, same bytes
    data = json.loads(first)
    data["issues"][0]["severity"] = "catastrophic"
    (tmp_path / "issues.json").write_text(json.dumps(data))
    with pytest.raises(MrmkitError, match=r"issues file .* is not valid") as info:
        record.read(tmp_path)
    assert "\n" not in str(info.value)
    (tmp_path / "issues.json").unlink()
    (tmp_path / "issues.json").symlink_to("/etc/passwd")
    with pytest.raises(MrmkitError, match="cannot be read"):
        record.read(tmp_path)
    assert record.read(tmp_path / "none") is None
