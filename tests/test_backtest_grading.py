"""How the PD backtest grades its calibration tests (issue 26): multiplicity over grades, tests without power.

Seeded portfolios generated here reproduce the grading errors seen on real data:

- seven grades, seven Jeffreys tests each judged alone at 1 %: one grade's p = 0.0047 was red while
  Hosmer-Lemeshow (p = 0.071) and the portfolio Jeffreys test (p = 0.34) were calm. Now the family of grades
  tested is controlled by Holm's step-down adjustment (Holm 1979, Scandinavian Journal of Statistics 6(2),
  65-70), checked against ``statsmodels.stats.multitest.multipletests`` (statsmodels 0.15);
- a grade, a portfolio or a Hosmer-Lemeshow group expecting about no defaults read green; below
  ``policy.min_sample.expected_events`` (5, Cochran 1954) it is "not enough data", left out of the family.

The workbook runs in-process (``backtest.analyse``) on parquet files written to a temporary folder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from mrmkit import stats
from mrmkit.errors import InvalidParameters
from mrmkit.params import PolicySection, load_parameters
from mrmkit.policy import NOT_ENOUGH_DATA
from mrmkit.present.keyfigures import key_figures
from mrmkit.workbooks import backtest
from mrmkit.workbooks.backtest import grading
from mrmkit.workbooks.context import load_context
from mrmkit.workbooks.wording import p_is

SEVEN = np.array([0.005, 0.01, 0.02, 0.035, 0.06, 0.10, 0.18])  # a seven-grade scale's PDs, best first


def _frame(
    rng: np.random.Generator, pds: np.ndarray, n_per: int | list[int], factor: np.ndarray, prefix: str = "r"
) -> pd.DataFrame:
    """Loans of each grade with PDs jittered +-20 % around the grade's PD; defaults at ``factor`` times the PD.
    Ids start with ``prefix``: the current sample's ("c") are other loans than the reference's."""
    g = np.repeat(np.arange(pds.size), n_per)
    p = pds[g] * rng.uniform(0.8, 1.2, g.size)
    y = (rng.random(g.size) < np.minimum(p * factor[g], 1.0)).astype(int)
    return pd.DataFrame(
        {
            "app_id": [f"{prefix}{i:06d}" for i in range(g.size)],
            "grade": np.char.add("G", (g + 1).astype(str)),
            "pd": p,
            "default": y,
            "x": np.log(p),  # a feature; no draw, so the defaults are those of the seeds quoted
        }
    )


def _analyse(
    folder: Path, reference: pd.DataFrame, current: pd.DataFrame, policy: dict | None = None
) -> backtest.BacktestEvidence:
    (folder / "data").mkdir(exist_ok=True)
    reference.to_parquet(folder / "data" / "ref.parquet", index=False)
    current.to_parquet(folder / "data" / "cur.parquet", index=False)
    params = {
        "seed": 1,
        "model": {"id": "grading", "version": "1"},
        "data": {
            "reference": "data/ref.parquet",
            "current": "data/cur.parquet",
            "id": "app_id",
            "target": "default",
            "score": "pd",
            "grade": "grade",
            "features": ["x"],
        },
        "backtest": {},
        **({"policy": policy} if policy else {}),
    }
    path = folder / "params.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return backtest.analyse(load_context(load_parameters(path).model_dump(mode="json")))


def _one_hot_grade(folder: Path, policy: dict | None = None) -> backtest.BacktestEvidence:
    """Seed 378: grade G4's defaults at 1.3 times its PD; its Jeffreys p = 0.0047, Hosmer-Lemeshow p = 0.071,
    portfolio Jeffreys p = 0.34 (the case of issue 26)."""
    rng = np.random.default_rng(378)
    reference = _frame(rng, SEVEN, 2000, np.ones(7))
    factor = np.ones(7)
    factor[3] = 1.3
    return _analyse(folder, reference, _frame(rng, SEVEN, 1500, factor, "c"), policy)


@pytest.fixture(scope="module")
def one_hot_grade(tmp_path_factory) -> backtest.BacktestEvidence:
    return _one_hot_grade(tmp_path_factory.mktemp("hot"))


def test_one_significant_grade_among_seven_is_judged_over_the_family(one_hot_grade) -> None:
    ev = one_hot_grade
    cal, table = ev.pd["calibration"], ev.grade_table
    # the case reproduced: red at 1 % alone, calm portfolio and Hosmer-Lemeshow views
    assert table.loc["G4", "jeffreys_p_value"] == pytest.approx(0.0047, abs=5e-4)
    assert cal["hosmer_lemeshow"]["p_value"] == pytest.approx(0.071, abs=5e-3)
    assert cal["portfolio_jeffreys"]["p_value"] == pytest.approx(0.34, abs=0.01)
    assert table.loc["G4", "status"] == "amber"  # red before: judged alone at 1 %
    # Holm over the seven grades tested (statsmodels as the independent reference)
    reject, expected, _, _ = multipletests(table["jeffreys_p_value"].to_numpy(), alpha=0.05, method="holm")
    np.testing.assert_allclose(table["jeffreys_p_value_adjusted"].to_numpy(), expected, rtol=1e-12)
    assert table.loc["G4", "jeffreys_p_value_adjusted"] == pytest.approx(7 * table.loc["G4", "jeffreys_p_value"])
    binomial = multipletests(table["binomial_p_value"].to_numpy(), method="holm")[1]
    np.testing.assert_allclose(table["binomial_p_value_adjusted"].to_numpy(), binomial, rtol=1e-12)
    assert cal["grade_family"] == {
        "method": "holm",
        "family_size": 7,
        "tested_grades": [f"G{i}" for i in range(1, 8)],
        "rule": "Jeffreys p-value: amber below 0.05, red below 0.01; Holm-adjusted over the 7 grades tested",
    }
    assert cal["grades"]["G4"]["jeffreys_p_value_adjusted"] == table.loc["G4", "jeffreys_p_value_adjusted"]


def test_a_grade_finding_states_the_family_and_the_portfolio_view(one_hot_grade) -> None:
    ev = one_hot_grade
    (grade,) = [f for f in ev.findings if f["title"] == "PD underestimated in grade G4"]
    assert grade["severity"] == "amber"
    assert grade["metric"] == "backtest.pd.calibration.grades.G4.jeffreys_p_value_adjusted"
    assert "Holm-adjusted over the 7 grades tested" in grade["threshold"]
    # p-values at two significant digits (issue 27): 0.00468 and 0.0328 as the evidence records them
    assert "Jeffreys p = 0.0047, Holm-adjusted over the 7 grades tested: 0.033" in grade["detail"]
    cal = ev.pd["calibration"]
    assert f"portfolio Jeffreys p {p_is(cal['portfolio_jeffreys']['p_value'])} (green)" in grade["detail"]
    assert f"Hosmer-Lemeshow p {p_is(cal['hosmer_lemeshow']['p_value'])} (green)" in grade["detail"]
    assert "Holm (1979)" in ev.settings["multiplicity"]


def test_without_multiplicity_control_the_grade_is_red_as_before(tmp_path: Path) -> None:
    ev = _one_hot_grade(tmp_path, {"multiplicity": "none"})
    t = ev.grade_table
    np.testing.assert_array_equal(t["jeffreys_p_value_adjusted"].to_numpy(), t["jeffreys_p_value"].to_numpy())
    assert t.loc["G4", "status"] == "red"
    assert ev.pd["calibration"]["grade_family"]["rule"].endswith("unadjusted: each of the 7 grades tested judged alone")


def test_bonferroni_is_the_level_divided_across_grades(tmp_path: Path) -> None:
    ev = _one_hot_grade(tmp_path, {"multiplicity": "bonferroni"})
    t = ev.grade_table
    expected = multipletests(t["jeffreys_p_value"].to_numpy(), method="bonferroni")[1]
    np.testing.assert_allclose(t["jeffreys_p_value_adjusted"].to_numpy(), expected, rtol=1e-12)


def test_a_bad_multiplicity_in_the_parameter_file_names_the_field(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameters, match="policy.multiplicity"):
        _one_hot_grade(tmp_path, {"multiplicity": "fdr"})


# ------------------------------------------------------------------------------------- tests without power

LOW_BEST = np.array([0.0004, 0.01, 0.02, 0.035, 0.06, 0.10, 0.18])  # the best grade expects about 0.6 defaults


@pytest.fixture(scope="module")
def powerless_grade(tmp_path_factory) -> backtest.BacktestEvidence:
    rng = np.random.default_rng(11)
    reference = _frame(rng, LOW_BEST, 2000, np.ones(7))
    return _analyse(tmp_path_factory.mktemp("low"), reference, _frame(rng, LOW_BEST, 1500, np.ones(7), "c"))


def test_a_grade_expecting_about_no_default_is_not_enough_data_not_green(powerless_grade) -> None:
    ev = powerless_grade
    t = ev.grade_table
    assert t.loc["G1", "n"] == 1500  # enough loans: the old rule (policy.min_sample.events loans) judged it green
    assert t.loc["G1", "status"] == NOT_ENOUGH_DATA
    assert t.loc["G1", "expected_defaults"] == pytest.approx(0.6, abs=0.05)
    assert t.loc["G1", "status_reason"].startswith("0.6")
    assert (
        "expected defaults (the sum of the PDs), fewer than the policy's minimum of 5" in t.loc["G1", "status_reason"]
    )
    assert np.isnan(t.loc["G1", "jeffreys_p_value_adjusted"])
    family = ev.pd["calibration"]["grade_family"]
    assert family["family_size"] == 6 and "G1" not in family["tested_grades"]
    # the six grades tested are adjusted among themselves only
    tested = t.loc[family["tested_grades"]]
    np.testing.assert_allclose(
        tested["jeffreys_p_value_adjusted"], multipletests(tested["jeffreys_p_value"], method="holm")[1], rtol=1e-12
    )
    (untested,) = ev.pd["calibration"]["untested_grades"]
    assert untested["grade"] == "G1" and untested["n"] == 1500
    assert untested["status_reason"] == t.loc["G1", "status_reason"]
    # a limitation, not an amber finding; the green "no finding" says what was not tested
    assert not [f for f in ev.findings if "G1" in f["title"]]
    (none,) = ev.findings
    assert none["severity"] == "green" and "not tested (not enough data): grade G1" in none["detail"]


def test_hosmer_lemeshow_pools_the_powerless_grade_with_its_neighbour(powerless_grade) -> None:
    ev = powerless_grade
    hl, t = ev.pd["calibration"]["hosmer_lemeshow"], ev.grade_table
    assert hl["groups"] == [["G1", "G2"], ["G3"], ["G4"], ["G5"], ["G6"], ["G7"]]
    pooled_n = [t.loc[["G1", "G2"], "n"].sum(), *t.loc["G3":, "n"]]
    pooled_d = [t.loc[["G1", "G2"], "defaults"].sum(), *t.loc["G3":, "defaults"]]
    pooled_e = np.array([t.loc[["G1", "G2"], "expected_defaults"].sum(), *t.loc["G3":, "expected_defaults"]])
    ref = stats.hosmer_lemeshow(pooled_n, pooled_d, pooled_e / np.array(pooled_n))
    assert hl["statistic"] == pytest.approx(ref.statistic, rel=1e-12) and hl["df"] == 6
    assert hl["status"] in ("green", "amber", "red")


def test_the_key_figures_say_not_enough_data(tmp_path: Path) -> None:
    """A portfolio of 3,000 loans at PDs of about 0.1 %: three expected defaults in all."""
    rng = np.random.default_rng(5)
    pds = np.array([0.0005, 0.001, 0.0015])
    ev = _analyse(tmp_path, _frame(rng, pds, 2000, np.ones(3)), _frame(rng, pds, 1000, np.ones(3), "c"))
    cal = ev.pd["calibration"]
    for key in ("portfolio_jeffreys", "spiegelhalter", "hosmer_lemeshow"):
        assert cal[key]["status"] == NOT_ENOUGH_DATA, key
        assert "fewer than the policy's minimum of 5" in cal[key]["status_reason"]
    assert (ev.grade_table["status"] == NOT_ENOUGH_DATA).all()
    assert not [f for f in ev.findings if f["severity"] != "green"]
    figures = dict(key_figures(["backtest.pd_calibration"], ev.metrics(), None))
    assert figures["Jeffreys p, whole portfolio"] == "not enough data"
    assert figures["Hosmer-Lemeshow p"] == "not enough data"
    assert figures["grades not tested (not enough data)"] == "G1, G2, G3"


def test_headline_rates_of_the_reference_and_current_samples(one_hot_grade) -> None:
    rates = one_hot_grade.pd["calibration"]["portfolio_rates"]
    rng = np.random.default_rng(378)
    reference = _frame(rng, SEVEN, 2000, np.ones(7))
    assert rates["reference"] == {
        "n": 14000,
        "defaults": int(reference["default"].sum()),
        "observed_rate": reference["default"].mean(),
        "mean_pd": pytest.approx(reference["pd"].mean(), rel=1e-12),
    }
    cur = rates["current"]
    pj = one_hot_grade.pd["calibration"]["portfolio_jeffreys"]
    assert (cur["n"], cur["defaults"]) == (pj["n"], pj["defaults"])
    assert cur["observed_rate"] == pj["observed_rate"] and cur["mean_pd"] == pytest.approx(pj["pd"], rel=1e-12)


# ------------------------------------------------------------------------------------------ unit and laws


def _table(n, d, p) -> pd.DataFrame:
    n, d, p = np.asarray(n), np.asarray(d), np.asarray(p, dtype=float)
    bin_p = np.asarray(stats.binomial_test(n, d, p).p_value, dtype=float)
    jef_p = np.asarray(stats.jeffreys_test(n, d, p).p_value, dtype=float)
    return pd.DataFrame(
        {
            "n": n,
            "defaults": d,
            "mean_pd": p,
            "observed_rate": d / n,
            "binomial_p_value": bin_p,
            "jeffreys_p_value": jef_p,
            "status": "",
            "status_reason": None,
        },
        index=[f"g{i}" for i in range(n.size)],
    )


def test_expected_events_reason_names_the_rarer_outcome() -> None:
    assert grading.expected_events_reason(5.0, 100, 5) is None
    assert grading.expected_events_reason(4.99, 100, 5).startswith("4.99 expected defaults (the sum of the PDs)")
    assert grading.expected_events_reason(97.0, 100, 5).startswith("3.00 expected non-defaults")


def test_adjacent_pooling_by_hand() -> None:
    # expected defaults 1, 2, 3, 8, 0.5 with 1,000 loans each: 1+2+3 = 6 >= 5; 8; 0.5 joins the last group
    groups = grading._adjacent_groups(np.array([1.0, 2.0, 3.0, 8.0, 0.5]), np.full(5, 1000), 5)
    assert groups == [[0, 1, 2], [3, 4]]
    assert grading._adjacent_groups(np.array([1.0, 1.0]), np.full(2, 1000), 5) == [[0, 1]]


POLICY = PolicySection()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(600, 5000), st.floats(0.01, 0.2), st.floats(0.5, 2.0)),
        min_size=2,
        max_size=12,
    ),
    st.randoms(use_true_random=False),
)
def test_holm_laws_and_grade_order_do_not_matter(rows, random) -> None:
    n = np.array([r[0] for r in rows])
    p = np.array([r[1] for r in rows])
    d = np.minimum(np.round(n * p * np.array([r[2] for r in rows])).astype(int), n)
    table = _table(n, d, p)
    judged, family = grading.judge_grades(table, POLICY)
    raw, adj = judged["jeffreys_p_value"].to_numpy(), judged["jeffreys_p_value_adjusted"].to_numpy()
    assert family["family_size"] == n.size  # every grade expects at least 6 defaults: all are tested
    assert (adj >= raw - 1e-15).all() and (adj <= 1).all()
    order = np.argsort(raw, kind="stable")
    assert (np.diff(adj[order]) >= -1e-15).all()  # monotone in the order of the raw p-values
    perm = list(range(n.size))
    random.shuffle(perm)
    shuffled, _ = grading.judge_grades(table.iloc[perm], POLICY)
    pd.testing.assert_frame_equal(shuffled.loc[judged.index], judged)


def test_the_new_keys_are_declared_in_the_metrics_schema(one_hot_grade, powerless_grade, tmp_path: Path) -> None:
    import json

    from mrmkit.evidence.metrics import validate
    from mrmkit.stats._base import jsonable

    rng = np.random.default_rng(5)
    pds = np.array([0.0005, 0.001, 0.0015])
    tiny = _analyse(tmp_path, _frame(rng, pds, 2000, np.ones(3)), _frame(rng, pds, 1000, np.ones(3), "c"))
    for ev in (one_hot_grade, powerless_grade, tiny):
        tree = json.loads(json.dumps(jsonable(ev.metrics()), allow_nan=True))
        assert validate({"backtest": tree}) == []


def test_a_migration_matrix_is_declared_metrics(tmp_path: Path) -> None:
    """Loans present in both samples give a migration matrix, whose keys the schema used to refuse (the
    whole workbook's metrics were then withheld)."""
    import json

    from mrmkit.evidence.metrics import validate
    from mrmkit.stats._base import jsonable

    rng = np.random.default_rng(378)
    reference = _frame(rng, SEVEN, 300, np.ones(7))
    ev = _analyse(tmp_path, reference, _frame(rng, SEVEN, 300, np.ones(7)))  # the same ids: the same loans
    assert ev.pd["migration"]["applicable"] and ev.pd["migration"]["n"] == 2100
    tree = json.loads(json.dumps(jsonable(ev.metrics())))
    assert validate({"backtest": tree}) == []


def test_the_notebook_tables_show_the_family_and_not_enough_data(one_hot_grade, powerless_grade) -> None:
    html = backtest.grade_frame_for_display(powerless_grade).to_html()
    assert "Jeffreys p, adjusted" in html and "Holm-adjusted over the 6 grades tested (G2, G3, G4, G5, G6, G7)" in html
    assert NOT_ENOUGH_DATA in html and "0.6" in html
    summary = backtest.calibration_summary_frame(one_hot_grade).data
    assert summary.set_index("test").loc["Hosmer-Lemeshow", "status"] == "green"
    assert "7 groups of adjacent grades" in summary.set_index("test").loc["Hosmer-Lemeshow", "statistic"]


def test_a_portfolio_finding_heads_with_the_observed_rate_against_the_mean_pd(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    reference = _frame(rng, SEVEN, 2000, np.ones(7))
    ev = _analyse(tmp_path, reference, _frame(rng, SEVEN, 1500, np.full(7, 1.3), "c"))
    (found,) = [f for f in ev.findings if f["title"] == "Portfolio PD underestimated (Jeffreys)"]
    cur, ref = (ev.pd["calibration"]["portfolio_rates"][k] for k in ("current", "reference"))
    assert found["severity"] == "red"
    assert (
        f"mature current sample: {cur['defaults']:,} defaults in 10,500 loans, {cur['observed_rate']:.2%} observed "
        f"against a mean PD of {cur['mean_pd']:.2%}; reference sample: {ref['defaults']:,} defaults in 14,000 loans"
    ) in found["detail"]
    (hl,) = [f for f in ev.findings if f["title"] == "Grades miscalibrated (Hosmer-Lemeshow)"]
    assert "over 7 groups of adjacent grades (adjacent grades pooled" in hl["detail"]
