"""The backtest workbook's analysis on a small demo build: numbers equal the statistics, n/a rules, bad input."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from mrmkit import stats
from mrmkit.cli import app
from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.io import load_inputs
from mrmkit.params import load_parameters
from mrmkit.workbooks import backtest
from mrmkit.workbooks.context import load_context, preflight
from tests.conftest import write_variant


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from mrmkit.demo import build_demo

    root = tmp_path_factory.mktemp("bt")
    build = build_demo(root, n_reference=4000, n_per_window=1500, n_windows=4)
    return build, yaml.safe_load(build.parameters.read_text())


def _params(demo, name: str = "variant.yaml", edit=None) -> Path:
    return write_variant(demo[0].out_dir, demo[1], name, edit)


def _var_params(demo, name: str, edit=None) -> Path:
    """A variant of the VaR engine's file (the P&L series is not the PD model's)."""
    return write_variant(demo[0].out_dir, yaml.safe_load(demo[0].var_parameters.read_text()), name, edit)


def _evidence(path: Path) -> backtest.BacktestEvidence:
    params = load_parameters(path)
    return backtest.analyse(load_context(params.model_dump(mode="json")))


@pytest.fixture(scope="module")
def evidence(demo):
    return _evidence(demo[0].parameters)


def test_discrimination_equals_the_statistics(demo, evidence) -> None:
    build = demo[0]
    ref = pd.read_parquet(build.reference)
    # the artifact rescoring reproduces the recorded champion column exactly (checked by the demo build)
    dev = stats.auc(ref["default_12m"], ref["champion_pd"])
    got = evidence.pd["discrimination"]["development"]
    assert got["auc"] == dev.value and got["auc_variance"] == dev.variance
    assert got["gini"] == pytest.approx(2 * dev.value - 1, abs=1e-15)


def test_immature_window_is_left_out(demo, evidence) -> None:
    build = demo[0]
    cur = pd.read_parquet(build.current)
    maturity = evidence.pd["maturity"]
    assert maturity["windows"]["2025-04"]["mature"] is False
    assert all(maturity["windows"][w]["mature"] for w in ("2025-01", "2025-02", "2025-03"))
    mature = cur["application_date"] < "2025-04-01"
    assert maturity["n_mature"] == int(mature.sum()) and maturity["n_immature"] == int((~mature).sum())
    assert evidence.grade_table["n"].sum() == int(mature.sum())
    assert evidence.grade_table["defaults"].sum() == int(cur.loc[mature, "default_12m"].sum())
    assert evidence.pd["discrimination"]["current"]["n"] == int(mature.sum())


def test_grade_tests_equal_the_statistics(demo, evidence) -> None:
    build = demo[0]
    cur = pd.read_parquet(build.current)
    cur = cur[cur["application_date"] < "2025-04-01"]
    g = cur.groupby("champion_grade").agg(
        n=("default_12m", "size"), d=("default_12m", "sum"), p=("champion_pd", "mean")
    )
    table = evidence.grade_table.loc[g.index]
    jeff = stats.jeffreys_test(g["n"].to_numpy(), g["d"].to_numpy(), g["p"].to_numpy())
    np.testing.assert_allclose(table["jeffreys_p_value"].to_numpy(), np.asarray(jeff.p_value), rtol=1e-12)
    # Hosmer-Lemeshow over groups of adjacent grades, each expecting at least 5 defaults and non-defaults
    groups = evidence.pd["calibration"]["hosmer_lemeshow"]["groups"]
    assert sorted(grade for group in groups for grade in group) == sorted(g.index)
    position = {grade: i for i, group in enumerate(groups) for grade in group}
    pooled = cur.groupby(cur["champion_grade"].map(position)).agg(
        n=("default_12m", "size"), d=("default_12m", "sum"), e=("champion_pd", "sum")
    )
    assert (np.minimum(pooled["e"], pooled["n"] - pooled["e"]) >= 5).all()
    hl = stats.hosmer_lemeshow(pooled["n"].to_numpy(), pooled["d"].to_numpy(), (pooled["e"] / pooled["n"]).to_numpy())
    assert evidence.pd["calibration"]["hosmer_lemeshow"]["statistic"] == pytest.approx(hl.statistic, rel=1e-10)
    assert evidence.pd["calibration"]["hosmer_lemeshow"]["df"] == len(groups)


def test_var_results_equal_the_statistics(demo) -> None:
    build = demo[0]
    evidence = _evidence(build.var_parameters)
    var = pd.read_parquet(build.var).sort_values("date")
    hits = (var["pnl"] < -var["var_99"]).to_numpy()  # an exception: the loss exceeds VaR
    expected = stats.kupiec_pof(hits, 0.99)
    got = evidence.var["levels"]["var_99"]
    assert got["exceptions"] == int(hits.sum())
    assert got["kupiec_pof"]["p_value"] == expected.p_value
    assert evidence.var["kupiec_pof"]["p_value"] == expected.p_value  # contract key backtest.var.kupiec_pof
    light = stats.basel_traffic_light(int(hits[-250:].sum()), n=250, coverage=0.99)
    assert got["traffic_light"]["zone"] == light.zone and got["traffic_light"]["plus_factor"] == light.plus_factor


def test_stress_baseline_is_the_model_on_the_current_sample(demo, evidence) -> None:
    cur = pd.read_parquet(demo[0].current)
    base = evidence.stress_table.set_index("scenario").loc["baseline"]
    assert base["mean_pd"] == pytest.approx(math.fsum(cur["champion_pd"]) / len(cur), rel=1e-12)
    income = evidence.stress_table.set_index("scenario").loc["income_fall"]
    assert income["mean_pd"] > base["mean_pd"]  # lower income and higher ratios: riskier
    assert evidence.sensitivity["applicable"] and len(evidence.sensitivity_table) > 0


def test_scores_only_mode_says_why_stress_cannot_run(demo) -> None:
    def scores_only(raw):
        raw["model"].pop("artifact")
        raw["model"]["trusted_types"] = []

    ev = _evidence(_params(demo, "scores_only.yaml", scores_only))
    assert ev.stress == {"applicable": False, "reason": ev.stress["reason"]}
    assert "scores-only mode" in ev.stress["reason"] and "scores-only mode" in ev.sensitivity["reason"]
    assert ev.pd["applicable"]


def test_without_target_outcome_analysis_is_not_applicable(demo) -> None:
    def no_target(raw):
        raw["data"].pop("target")

    ev = _evidence(_params(demo, "no_target.yaml", no_target))
    assert ev.pd == {
        "applicable": False,
        "reason": "no target column (data.target): outcome analysis needs observed defaults",
    }


def test_empty_grade_is_reported_not_divided_by_zero(demo) -> None:
    def scale(raw):
        raw["backtest"]["grades"] = {"upper_bounds": [1e-9, 0.02, 0.08, 1.0], "labels": ["AAA", "B", "C", "D"]}

    ev = _evidence(_params(demo, "empty_grade.yaml", scale))
    assert ev.grade_table.loc["AAA", "n"] == 0 and ev.grade_table.loc["AAA", "status"] == "n/a"
    assert any(f["title"] == "Grade AAA has no mature observations" for f in ev.findings)


def test_short_var_series_marks_the_traffic_light_not_applicable(demo) -> None:
    build = demo[0]
    short = build.out_dir / "data" / "var_short.parquet"
    pd.read_parquet(build.var).iloc[:200].to_parquet(short)

    def use_short(raw):
        raw["backtest"]["var"]["data"] = "data/var_short.parquet"

    ev = _evidence(_var_params(demo, "short_var.yaml", use_short))
    light = ev.var["levels"]["var_99"]["traffic_light"]
    assert light == {"applicable": False, "reason": "only 200 days; the traffic light needs 250"}


def _preflight(path: Path) -> None:
    params = load_parameters(path)
    preflight(params, load_inputs(params), params.enabled_workbooks())


def test_var_series_with_text_or_gaps_is_refused(demo) -> None:
    build = demo[0]
    var = pd.read_parquet(build.var)
    text = var.astype({"var_99": object})
    text.loc[10, "var_99"] = "n/a"
    text.to_csv(build.out_dir / "data" / "var_text.csv", index=False)
    gap = var.copy()
    gap.loc[5, "pnl"] = np.nan
    gap.to_parquet(build.out_dir / "data" / "var_gap.parquet")
    for name, fragment in (
        ("var_text.csv", "backtest.var.levels.var_99: column 'var_99'"),
        ("var_gap.parquet", "backtest.var.pnl"),
    ):

        def use(raw, name=name):
            raw["backtest"]["var"]["data"] = f"data/{name}"

        with pytest.raises(InvalidInput, match=fragment):
            _preflight(_var_params(demo, f"{name}.yaml", use))


def test_scenario_errors_are_caught_before_running(demo) -> None:
    def unknown(raw):
        raw["backtest"]["stress"]["scenarios"][0]["shocks"] = [{"feature": "salary", "multiply": 0.9}]

    with pytest.raises(InvalidParameters, match="salary"):
        _preflight(_params(demo, "unknown_feature.yaml", unknown))

    def outside(raw):
        raw["backtest"]["stress"]["scenarios"][0]["shocks"] = [{"feature": "revolving_utilisation", "add": 2.0}]

    with pytest.raises(InvalidParameters, match="revolving_utilisation"):
        _preflight(_params(demo, "outside_domain.yaml", outside))


def test_bad_backtest_input_is_exit_2_with_no_package(demo) -> None:
    def unknown(raw):
        raw["backtest"]["stress"]["scenarios"][0]["shocks"] = [{"feature": "salary", "add": 1}]

    out = demo[0].out_dir / "out-bad"
    result = CliRunner().invoke(app, ["run", str(_params(demo, "bad.yaml", unknown)), "--out", str(out)])
    assert result.exit_code == 2 and "salary" in result.output and "Traceback" not in result.output
    assert not list(out.rglob("manifest.json"))


def test_pds_of_exactly_zero_are_refused(demo) -> None:
    build = demo[0]
    cur = pd.read_parquet(build.current)
    cur.loc[:2, "champion_pd"] = 0.0
    cur.to_parquet(build.out_dir / "data" / "zero_pd.parquet")

    def zero(raw):
        raw["model"].pop("artifact")
        raw["data"]["current"] = "data/zero_pd.parquet"

    with pytest.raises(InvalidInput, match="3 PDs of the current sample .* are exactly 0 or 1"):
        _preflight(_params(demo, "zero.yaml", zero))
