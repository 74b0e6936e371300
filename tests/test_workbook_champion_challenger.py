"""The champion-challenger analysis on a small demo build: statistics equality, decision rules, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mrmkit import stats
from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.io import load_inputs
from mrmkit.params import load_parameters
from mrmkit.workbooks import champion_challenger as cc
from mrmkit.workbooks.context import load_context, preflight
from tests.conftest import write_variant


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from mrmkit.demo import build_demo

    root = tmp_path_factory.mktemp("cc")
    build = build_demo(root, n_reference=4000, n_per_window=1500, n_windows=4)
    return build, yaml.safe_load(build.parameters.read_text())


def _fast(raw) -> None:
    raw["champion_challenger"]["n_bootstrap"] = 200  # fast; the statistics are tested elsewhere


def _params(demo, name: str, edit=None) -> Path:
    return write_variant(demo[0].out_dir, demo[1], name, _fast, edit)


def _evidence(path: Path) -> cc.ChallengerEvidence:
    params = load_parameters(path)
    preflight(params, load_inputs(params), ["champion_challenger"])
    return cc.analyse(load_context(params.model_dump(mode="json")))


@pytest.fixture(scope="module")
def evidence(demo):
    return _evidence(_params(demo, "base.yaml"))


def _mature(build) -> pd.DataFrame:
    cur = pd.read_parquet(build.current)
    return cur[cur["application_date"] < "2025-04-01"]  # the last of four windows is immature (as_of)


def test_delong_equals_the_statistic_on_mature_rows(demo, evidence) -> None:
    m = _mature(demo[0])
    expected = stats.delong_test(m["default_12m"], m["champion_pd"], m["challenger_pd"])
    assert evidence.offline["delong"]["p_value"] == expected.p_value
    assert evidence.offline["n_compared"] == len(m)
    one_sided = stats.delong_test(m["default_12m"], m["champion_pd"], m["challenger_pd"], alternative="less")
    assert evidence.offline["delong_one_sided"]["p_value"] == one_sided.p_value
    assert evidence.metrics()["delong"]["p_value"] == expected.p_value  # contract key champion_challenger.delong


def test_model_against_itself_is_no_promotion(demo) -> None:
    def itself(raw):
        raw["challenger"].pop("artifact")
        raw["challenger"]["score"] = "champion_pd"

    ev = _evidence(_params(demo, "itself.yaml", itself))
    assert ev.offline["delong"]["z"] == 0.0 and ev.offline["delong"]["p_value"] == 1.0
    assert ev.offline["mcnemar_policy_cutoff"]["b"] == 0 and ev.offline["mcnemar_policy_cutoff"]["c"] == 0
    assert ev.offline["bootstrap_auc"]["difference"] == 0.0
    assert ev.decision["recommendation"] == "DO NOT PROMOTE"
    assert ev.decision["rules"][0]["outcome"] == "fail"


def test_challenger_from_its_score_column_equals_the_artifact(demo, evidence) -> None:
    def column(raw):
        raw["challenger"].pop("artifact")

    ev = _evidence(_params(demo, "column.yaml", column))
    assert ev.offline["challenger"]["auc"] == evidence.offline["challenger"]["auc"]


def test_rules_decide(demo, evidence) -> None:
    gain = evidence.offline["challenger"]["auc"]["value"] - evidence.offline["champion"]["auc"]["value"]
    upper = evidence.offline["bootstrap_auc"]["ci"][1]

    def demanding(raw):
        raw["champion_challenger"]["rules"] = {"min_auc_gain": float(upper) + 0.01}

    assert _evidence(_params(demo, "demanding.yaml", demanding)).decision["recommendation"] == "DO NOT PROMOTE"

    def lenient(raw):
        raw["champion_challenger"]["rules"] = {
            "min_auc_gain": float(gain) / 2,
            "max_p_value": 0.5,
            "max_bad_rate_increase": 1.0,
            "max_approval_rate_decrease": 1.0,
            "no_fairness_flag": False,
        }

    ev = _evidence(_params(demo, "lenient.yaml", lenient))
    if evidence.offline["delong_one_sided"]["p_value"] < 0.5 and gain > 0:
        assert ev.decision["recommendation"] == "PROMOTE"


def test_shadow_figures_equal_the_log(demo, evidence) -> None:
    log = pd.read_parquet(demo[0].shadow_log)
    assert evidence.shadow["coverage"] == pytest.approx(log["challenger_pd"].notna().mean(), abs=1e-15)
    assert evidence.shadow["latency_ms"]["challenger"]["p99"] == pytest.approx(
        np.quantile(log["challenger_latency_ms"].dropna(), 0.99), rel=1e-12
    )
    scored = log["challenger_pd"].notna()
    agree = ((log["champion_pd"] <= 0.08) == (log["challenger_pd"] <= 0.08))[scored].mean()
    assert evidence.shadow["decision_agreement"] == pytest.approx(agree, abs=1e-15)


def test_ab_counts_and_sample_ratio(demo, evidence) -> None:
    log = pd.read_parquet(demo[0].ab_log)
    counts = [int((log["arm"] == "champion").sum()), int((log["arm"] == "challenger").sum())]
    assert [evidence.ab["arms"][a]["n"] for a in ("champion", "challenger")] == counts
    srm = stats.sample_ratio_mismatch(counts, [0.9, 0.1])
    assert evidence.ab["sample_ratio_mismatch"]["p_value"] == srm.p_value
    assert len(evidence.ab["sequential"]["looks"]) == 4


def test_fairness_reports_both_models(demo, evidence) -> None:
    for attribute in ("sex", "age_band"):
        entry = evidence.fairness[attribute]
        assert set(entry) >= {"reference_group", "champion", "challenger", "new_flags"}
    assert evidence.fairness["sex"]["reference_group"] == "male"


@pytest.mark.parametrize(
    ("edit", "error", "fragment"),
    [
        (lambda raw: raw["policy"].pop("cutoff"), InvalidInput, "policy.cutoff"),
        (
            lambda raw: raw["champion_challenger"]["fairness"].update(reference_groups={"sex": "other"}),
            InvalidParameters,
            "group 'other' does not occur",
        ),
        (
            lambda raw: raw["champion_challenger"]["fairness"].update(reference_groups={"income": "high"}),
            InvalidParameters,
            "'income' is not a protected attribute",
        ),
    ],
)
def test_bad_parameters_are_caught_before_running(demo, edit, error, fragment) -> None:
    with pytest.raises(error, match=fragment):
        _evidence(_params(demo, "bad.yaml", edit))


def test_bad_ab_logs_are_refused(demo) -> None:
    build = demo[0]
    log = pd.read_parquet(build.ab_log)
    wrong_arm = log.assign(arm=log["arm"].replace({"challenger": "B"}))
    wrong_arm.to_parquet(build.out_dir / "data" / "ab_arm.parquet")
    no_outcome = log.copy()
    no_outcome.loc[no_outcome["arm"] == "challenger", "default_12m"] = pd.NA
    no_outcome.to_parquet(build.out_dir / "data" / "ab_none.parquet")
    for name, fragment in (
        ("ab_arm", "must hold 'champion' and 'challenger'"),
        ("ab_none", "challenger arm .* has no observed outcome"),
    ):

        def use(raw, name=name):
            raw["champion_challenger"]["ab"]["data"] = f"data/{name}.parquet"

        with pytest.raises(InvalidInput, match=fragment):
            _evidence(_params(demo, f"{name}.yaml", use))


def test_missing_challenger_scores_are_a_concern_about_the_change(demo) -> None:
    build = demo[0]
    cur = pd.read_parquet(build.current)
    cur.loc[:9, "challenger_pd"] = np.nan
    cur.to_parquet(build.out_dir / "data" / "partial.parquet")

    def partial(raw):
        raw["challenger"].pop("artifact")
        raw["data"]["current"] = "data/partial.parquet"

    ev = _evidence(_params(demo, "partial.yaml", partial))
    assert ev.offline["matching"]["challenger_missing"] == 10
    assert any(f["title"] == "10 applications have no challenger score" for f in ev.decision["concerns"])
    assert not any("challenger score" in f["title"] for f in ev.findings)  # not a finding on the champion


def test_a_latency_breach_in_one_week_names_that_week(demo, tmp_path) -> None:
    """Issue 12: "latency breaches the policy" beside a p99 within the policy, when one week breached.

    The finding must name the breaching weeks with their p99, and its title the part that breached.
    """
    log = pd.read_parquet(demo[0].shadow_log)
    when = pd.to_datetime(log["timestamp"])
    week = when.dt.to_period("W").astype(str)
    target = sorted(week.unique())[1]
    in_week = np.flatnonzero((week == target).to_numpy() & log["challenger_latency_ms"].notna().to_numpy())
    slow = in_week[: max(2, len(in_week) // 25)]  # 4% of one week: that week's p99 is 900 ms, the period's is not
    log.loc[log.index[slow], "challenger_latency_ms"] = 900.0
    path = tmp_path / "shadow.parquet"
    log.to_parquet(path, index=False)

    def slow_week(raw) -> None:
        raw["data"]["roots"] = [*raw["data"].get("roots", ["."]), str(tmp_path)]
        raw["champion_challenger"]["shadow"]["data"] = str(path)

    ev = _evidence(_params(demo, "slow.yaml", slow_week))
    found = [f for f in ev.decision["concerns"] if "latency" in f["title"].lower() and "Challenger" in f["title"]]
    assert len(found) == 1, [f["title"] for f in ev.decision["concerns"]]
    assert not [f for f in ev.findings if "Challenger" in f["title"]]  # the challenger's latency is not the model's
    f = found[0]
    assert ev.shadow["latency_ms"]["challenger"]["p99"] <= 250
    assert "weeks" in f["title"] and "900 ms" in f["title"]
    assert "900 ms" in f["detail"]


def test_a_week_with_a_handful_of_requests_is_not_judged_for_latency(demo, tmp_path) -> None:
    """Issue 12, tiny samples: the 99th percentile of five requests is their maximum, no evidence of a breach."""
    log = pd.read_parquet(demo[0].shadow_log)
    extra = log.head(5).copy()
    extra["timestamp"] = log["timestamp"].max() + (
        pd.Timedelta(days=14) if log["timestamp"].dtype.kind == "M" else 14 * 86_400
    )
    extra["challenger_latency_ms"] = 5_000.0
    path = tmp_path / "shadow_small_week.parquet"
    pd.concat([log, extra], ignore_index=True).to_parquet(path, index=False)

    def edit(raw) -> None:
        raw["data"]["roots"] = [*raw["data"].get("roots", ["."]), str(tmp_path)]
        raw["champion_challenger"]["shadow"]["data"] = str(path)

    ev = _evidence(_params(demo, "small_week.yaml", edit))
    late = sorted(ev.shadow["weeks"])[-1]
    assert ev.shadow["weeks"][late]["applications"] == 5 and late in ev.shadow["weeks_not_judged"]
    flagged = [*ev.findings, *ev.decision["concerns"]]
    assert not [f for f in flagged if "latency" in f["title"].lower() and late in f["detail"]]


def test_a_tiny_ab_test_is_not_judged(demo, tmp_path) -> None:
    """Issue 12, tiny samples: 30 A/B decisions give no sample-ratio finding and tests marked not judged."""
    log = pd.read_parquet(demo[0].ab_log)
    small = pd.concat([log[log["arm"] == "champion"].head(29), log[log["arm"] == "challenger"].head(1)])
    path = tmp_path / "ab_small.parquet"
    small.to_parquet(path, index=False)

    def edit(raw) -> None:
        raw["data"]["roots"] = [*raw["data"].get("roots", ["."]), str(tmp_path)]
        raw["champion_challenger"]["ab"]["data"] = str(path)

    ev = _evidence(_params(demo, "small_ab.yaml", edit))
    for key in ("sample_ratio_mismatch", "approval_rate", "bad_rate"):
        assert ev.ab[key]["status"] == "not enough data" and "fewer than the policy" in ev.ab[key]["status_reason"]
    assert not [f for f in [*ev.findings, *ev.decision["concerns"]] if "sample ratio" in f["title"]]
    assert "not judged" in cc.ab_frame(ev).to_html()


@pytest.mark.parametrize(
    ("interval", "limit", "outcome"),
    [
        ((-0.02, -0.001), 0.0, "pass"),
        ((-0.01, 0.0), 0.0, "pass"),
        ((-0.01, 0.01), 0.0, "inconclusive"),
        ((0.001, 0.02), 0.0, "fail"),
        ((0.0, 0.02), 0.0, "inconclusive"),
        ((0.004, 0.02), 0.005, "inconclusive"),
        ((0.006, 0.02), 0.005, "fail"),
    ],
)
def test_business_rules_are_judged_on_the_interval(interval, limit, outcome) -> None:
    """Issue 12: "rises at most L" passes when the whole interval is at most L, fails when it is all above L."""
    assert cc.interval_decision(interval, limit) == outcome
