"""Issue 13: fraud-style classifiers (model.kind: classifier) are judged at an alert rate, not at a PD cut-off.

The seeded card-fraud demo (mrmkit.demo.fraud) is analysed as the notebooks do; every figure at the
operating point is recomputed here from the scores with scikit-learn, statsmodels or scipy.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats as sps
from sklearn.metrics import confusion_matrix
from statsmodels.stats.proportion import proportions_ztest

from mrmkit.errors import InvalidParameters
from mrmkit.params import load_parameters
from mrmkit.workbooks import backtest, champion_challenger, explainability
from mrmkit.workbooks.context import load_context, preflight
from tests.conftest import write_variant

MRMKIT = str(Path(sys.executable).with_name("mrmkit"))


@pytest.fixture(scope="module")
def fraud(tmp_path_factory):
    from mrmkit.demo.fraud import build_fraud_demo

    root = tmp_path_factory.mktemp("fraud")
    built = build_fraud_demo(root, n_reference=8000, n_current=6000)
    raw = yaml.safe_load(built.parameters.read_text())
    raw["explainability"].update(
        sample_size=200,
        background_size=20,
        lime_samples=300,
        lime_seeds=2,
        n_highest_risk=1,
        n_near_cutoff=1,
        models=["champion"],
    )
    raw["champion_challenger"]["n_bootstrap"] = 100
    return built, raw


def _context(folder: Path, raw: dict, *edits):
    params = load_parameters(write_variant(folder, raw, "variant.yaml", *edits))
    ctx = load_context(params.model_dump(mode="json"))
    preflight(ctx.params, ctx.inputs, ctx.params.enabled_workbooks())
    return ctx


def _alerts(score: np.ndarray, rate: float) -> np.ndarray:
    """By hand: the ceil(rate n) highest scores (and their ties) are alerted."""
    k = int(np.ceil(rate * score.size))
    return score >= np.sort(score)[::-1][k - 1]


def test_backtest_at_the_alert_rate_equals_an_independent_computation(fraud) -> None:
    built, raw = fraud
    ctx = _context(built.parameters.parent, raw)
    evidence = backtest.analyse(ctx)
    assert evidence.pd["applicable"] is False and "calibration tests" in evidence.pd["reason"]
    point = evidence.classifier["operating_point"]
    ref, cur = pd.read_parquet(built.reference), pd.read_parquet(built.current)
    counts = {}
    for name, frame in (("reference", ref), ("current", cur)):
        y, s = frame["fraud"].to_numpy(), frame["champion_score"].to_numpy()
        tn, fp, fn, tp = confusion_matrix(y, _alerts(s, 0.02)).ravel()
        m = point[name]
        assert (m["true_positives"], m["false_positives"], m["false_negatives"], m["true_negatives"]) == (
            tp,
            fp,
            fn,
            tn,
        )
        assert m["recall"] == pytest.approx(tp / (tp + fn), rel=1e-12)
        assert m["precision"] == pytest.approx(tp / (tp + fp), rel=1e-12)
        # expected cost from the demo's cost matrix: 4 per false positive, 120 per missed fraud, per 1,000 cases
        assert m["expected_cost"]["per_1000"] == pytest.approx((4.0 * fp + 120.0 * fn) / y.size * 1000, rel=1e-12)
        counts[name] = (tp, tp + fn, fp, fp + tn)
    # catch rate, current against reference: statsmodels' pooled z test, one-sided (current smaller)
    (tp_r, p_r, fp_r, n_r), (tp_c, p_c, fp_c, n_c) = counts["reference"], counts["current"]
    z, p = proportions_ztest([tp_c, tp_r], [p_c, p_r], alternative="smaller")
    assert point["tests"]["recall"]["p_value"] == pytest.approx(p, rel=1e-9)
    z, p = proportions_ztest([fp_c, fp_r], [n_c, n_r], alternative="larger")
    assert point["tests"]["false_positive_rate"]["p_value"] == pytest.approx(p, rel=1e-9)
    # with an alert rate, the current sample at the threshold frozen on the reference is shown as well
    frozen = point["current_at_reference_threshold"]
    assert frozen["threshold"] == point["reference"]["threshold"]
    assert frozen["alert_rate"] == pytest.approx(np.mean(cur["champion_score"] >= frozen["threshold"]), rel=1e-12)
    assert evidence.settings["operating_point"].startswith("alert the riskiest 2.00%")
    assert "grade_status_test" not in evidence.settings and "cutoff" not in evidence.settings


def test_a_fixed_threshold_is_the_same_on_both_samples(fraud) -> None:
    built, raw = fraud

    def threshold(r):
        r["policy"] = {"threshold": 0.2, "costs": r["policy"]["costs"]}

    evidence = backtest.analyse(_context(built.parameters.parent, raw, threshold))
    point = evidence.classifier["operating_point"]
    assert point["reference"]["threshold"] == point["current"]["threshold"] == 0.2
    assert "current_at_reference_threshold" not in point
    cur = pd.read_parquet(built.current)
    assert point["current"]["alert_rate"] == pytest.approx(np.mean(cur["champion_score"] >= 0.2), rel=1e-12)


def test_a_falling_catch_rate_with_more_fraud_is_explained(fraud) -> None:
    """At a fixed alert rate more fraud lowers the catch rate with the ranking intact: the finding says so."""
    built, raw = fraud
    ctx = _context(built.parameters.parent, raw)
    point = backtest.analyse(ctx).classifier["operating_point"]
    assert point["current"]["base_rate"] > point["reference"]["base_rate"]  # the demo's fraud grows
    from mrmkit.workbooks import alerts

    metrics = {
        "operating_point": {
            **point,
            "tests": {**point["tests"], "recall": {**point["tests"]["recall"], "p_value": 0.001}},
        },
        "discrimination": {"development": {"auc": 0.83}, "current": {"auc": 0.85}},
    }
    found = alerts.findings(metrics, ctx.params.policy, "backtest")
    (fell,) = [f for f in found if f["title"].startswith("The catch rate has fallen")]
    assert fell["severity"] == "red" and "the alert capacity may be what no longer suffices" in fell["detail"]


def test_too_few_frauds_are_a_limitation_not_a_green(fraud, tmp_path) -> None:
    built, raw = fraud
    cur = pd.read_parquet(built.current)
    small = cur[(cur["fraud"] == 0) | (cur.index.isin(cur.index[cur["fraud"] == 1][:5]))]  # 5 frauds left
    small.to_parquet(built.parameters.parent / "data" / "few_frauds.parquet")

    def few(r):
        r["data"]["current"] = "data/few_frauds.parquet"

    evidence = backtest.analyse(_context(built.parameters.parent, raw, few))
    tests = evidence.classifier["operating_point"]["tests"]
    assert tests["recall"]["status"] == tests["false_positive_rate"]["status"] == "not enough data"
    titles = [f["title"] for f in evidence.findings]
    assert "Not enough events to test the alert performance" in titles and "No backtest finding" not in titles


def test_champion_and_challenger_at_the_same_alert_rate(fraud) -> None:
    built, raw = fraud
    ctx = _context(built.parameters.parent, raw)
    evidence = champion_challenger.analyse(ctx)
    alerts = evidence.offline["alerts"]
    cur = pd.read_parquet(built.current)
    y = cur["fraud"].to_numpy().astype(bool)
    a, b = _alerts(cur["champion_score"].to_numpy(), 0.02), _alerts(cur["challenger_score"].to_numpy(), 0.02)
    only_a, only_b = int((a & ~b & y).sum()), int((~a & b & y).sum())  # frauds caught by one model only
    catch = alerts["catch_rate"]
    assert (catch["b"], catch["c"]) == (only_a, only_b)
    assert catch["p_value"] == pytest.approx(sps.binomtest(only_b, only_a + only_b, 0.5, alternative="greater").pvalue)
    assert catch["difference"] == pytest.approx(b[y].mean() - a[y].mean(), rel=1e-12)
    fpr = alerts["false_positive_rate"]
    assert fpr["difference"] == pytest.approx(b[~y].mean() - a[~y].mean(), abs=1e-15)
    rules = [r["rule"] for r in evidence.decision["rules"]]
    assert rules[0].startswith("catch rate at the same alert rate") and rules[1].startswith("false-positive rate")
    assert not any("AUC gain" in r or "bad rate" in r for r in rules)
    assert "business" not in evidence.offline and "matched_cutoff" not in evidence.offline
    assert set(evidence.settings["rules"]) == {
        "max_p_value",
        "min_catch_rate_gain",
        "max_false_positive_rate_increase",
        "no_fairness_flag",
    }


@pytest.mark.parametrize(
    ("gain", "p", "interval", "expected"),
    [
        (0.05, 0.001, (0.02, 0.08), "pass"),
        (0.01, 0.20, (-0.01, 0.03), "inconclusive"),
        (0.00, 0.50, (-0.02, 0.02), "fail"),  # no gain: nothing to promote
        (-0.03, 0.99, (-0.06, -0.01), "fail"),
    ],
)
def test_the_catch_rate_rule(gain, p, interval, expected) -> None:
    rules = SimpleNamespace(min_catch_rate_gain=0.0, max_p_value=0.05, max_false_positive_rate_increase=0.0)
    comparison = {
        "alert_rate": 0.02,
        "catch_rate": {"difference": gain, "p_value": p, "ci": interval, "rate_a": 0.2, "rate_b": 0.2 + gain},
        "false_positive_rate": {"difference": -0.001, "ci": (-0.002, 0.0), "rate_a": 0.01, "rate_b": 0.009},
    }
    catch, fpr = champion_challenger._alert_rules(comparison, rules, 0.95)
    assert catch["outcome"] == expected and fpr["outcome"] == "pass"


def test_ab_alerting_rates_and_guardrails_equal_statsmodels_and_scipy(fraud) -> None:
    built, raw = fraud
    ab = champion_challenger.analyse(_context(built.parameters.parent, raw)).ab
    log = pd.read_parquet(built.ab)
    champ, chall = log[log["arm"] == "champion"], log[log["arm"] == "challenger"]
    alerted = lambda f: (f["decision"] == "alert").to_numpy()  # noqa: E731
    assert ab["arms"]["champion"]["alerts"] == int(alerted(champ).sum())
    caught = [int((alerted(f) & (f["fraud"] == 1)).sum()) for f in (champ, chall)]
    frauds = [int((f["fraud"] == 1).sum()) for f in (champ, chall)]
    assert ab["catch_rate"]["p_value"] == pytest.approx(proportions_ztest(caught, frauds)[1], rel=1e-9)
    complaints = [int(f["complaint"].sum()) for f in (chall, champ)]
    z, p = proportions_ztest(complaints, [len(chall), len(champ)], alternative="larger")
    assert ab["guardrails"]["complaint"]["p_value"] == pytest.approx(p, rel=1e-9)
    welch = sps.ttest_ind(chall["review_minutes"], champ["review_minutes"], equal_var=False, alternative="greater")
    assert ab["guardrails"]["review_minutes"]["p_value"] == pytest.approx(welch.pvalue, rel=1e-12)
    assert ab["sequential"]["applicable"] is False


def test_a_worse_guardrail_is_a_concern_about_the_change(fraud, tmp_path) -> None:
    built, raw = fraud
    log = pd.read_parquet(built.ab)
    log.loc[log["arm"] == "challenger", "review_minutes"] += 1.0  # a minute more per case in the challenger arm
    log.to_parquet(built.parameters.parent / "data" / "slow_ab.parquet")

    def slow(r):
        r["champion_challenger"]["ab"]["data"] = "data/slow_ab.parquet"

    evidence = champion_challenger.analyse(_context(built.parameters.parent, raw, slow))
    metric = "champion_challenger.ab.guardrails.review_minutes.p_value"
    (f,) = [f for f in evidence.decision["concerns"] if f["metric"] == metric]
    assert f["severity"] == "red" and f["title"].startswith("Guardrail ") and "worse in the challenger" in f["title"]
    assert "review_minutes" not in f["title"]  # the column by its label (issue 27)
    assert not [f for f in evidence.findings if f["metric"] == metric]  # about the change, not the champion


def test_explanations_give_reasons_for_the_alerted_cases(fraud) -> None:
    built, raw = fraud
    ctx = _context(built.parameters.parent, raw)
    evidence = explainability.analyse(ctx)
    threshold = explainability.decision_cut(ctx, ctx.inputs.current_score)
    assert threshold == pytest.approx(np.sort(ctx.inputs.current_score)[::-1][int(np.ceil(0.02 * 6000)) - 1])
    reasons = evidence.reasons["champion"]
    assert reasons["applicable"], reasons
    explained = evidence.frames["champion_sample"]
    assert reasons["result"].n_rows > 0 and reasons["result"].n_rows <= len(explained)
    assert evidence.counterfactuals["champion"]["applicable"] is False
    assert "alerted cases" in evidence.settings["reason_rule"]


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (lambda r: r["policy"].update(threshold=0.3), "give exactly one operating point"),
        (lambda r: r["policy"].pop("alert_rate"), "give exactly one operating point"),
        (lambda r: r["policy"].update(cutoff=0.1), "policy.cutoff"),
        (lambda r: r["backtest"].update(n_grades=5), "backtest.n_grades"),
        (lambda r: r["backtest"].update(grades={"upper_bounds": [0.1, 1.0]}), "backtest.grades"),
        (
            lambda r: r["champion_challenger"].update(rules={"max_bad_rate_increase": 0.01}),
            "champion_challenger.rules.max_bad_rate_increase",
        ),
        (lambda r: r["explainability"].update(actionable={"amount": [0, None]}), "explainability.actionable"),
    ],
)
def test_pd_settings_are_refused_for_a_classifier(fraud, tmp_path, edit, fragment) -> None:
    built, raw = fraud
    with pytest.raises(InvalidParameters, match=fragment.replace(".", r"\.")):
        load_parameters(write_variant(built.parameters.parent, raw, "bad.yaml", edit))


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (lambda r: r["policy"].update(alert_rate=0.02), "policy.alert_rate"),
        (lambda r: r["policy"].update(costs={"false_positive": 1, "false_negative": 10}), "policy.costs"),
        (lambda r: r["champion_challenger"]["rules"].update(min_catch_rate_gain=0.01), "min_catch_rate_gain"),
    ],
)
def test_classifier_settings_are_refused_for_a_pd_model(demo_parameters, edit, fragment) -> None:
    folder, raw = demo_parameters
    raw = copy.deepcopy(raw)
    raw["champion_challenger"].setdefault("rules", {})
    with pytest.raises(InvalidParameters, match=f"{fragment}.*only for model.kind classifier"):
        load_parameters(write_variant(folder, raw, "bad.yaml", edit))


@pytest.fixture(scope="module")
def demo_parameters(tmp_path_factory):
    from mrmkit.demo import build_demo

    build = build_demo(tmp_path_factory.mktemp("pd"), n_reference=1000, n_per_window=100, n_windows=1)
    return build.out_dir, yaml.safe_load(build.parameters.read_text())


def test_the_cli_refuses_two_operating_points_with_exit_2(fraud) -> None:
    built, raw = fraud
    bad = write_variant(built.parameters.parent, raw, "two_points.yaml", lambda r: r["policy"].update(threshold=0.3))
    out = built.parameters.parent / "outputs"
    proc = subprocess.run([MRMKIT, "run", str(bad), "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "policy.alert_rate" in proc.stderr and "policy.threshold" in proc.stderr
    assert not out.exists() or not any(out.rglob("manifest.json"))


def test_a_month_without_fraud_is_an_amber_limitation(fraud) -> None:
    built, raw = fraud
    cur = pd.read_parquet(built.current)
    cur[cur["fraud"] == 0].to_parquet(built.parameters.parent / "data" / "no_fraud.parquet")

    def none(r):
        r["data"]["current"] = "data/no_fraud.parquet"

    evidence = backtest.analyse(_context(built.parameters.parent, raw, none))
    point = evidence.classifier["operating_point"]
    assert point["applicable"] is False and "single class" in point["reason"]
    assert [f["severity"] for f in evidence.findings] == ["amber"]
    assert evidence.window_table["recall"].isna().all()  # no fraud in any window: no catch rate, not 0


def test_a_threshold_above_every_score_compares_nothing(fraud) -> None:
    built, raw = fraud

    def high(r):
        r["policy"] = {"threshold": 0.999}

    evidence = champion_challenger.analyse(_context(built.parameters.parent, raw, high))
    assert evidence.offline["alerts"]["applicable"] is False and "alerts 0%" in evidence.offline["alerts"]["reason"]
    assert evidence.decision["rules"][0]["outcome"] == "inconclusive"
    assert evidence.decision["recommendation"] == "INCONCLUSIVE"
