"""Issue 26: the champion-challenger decision is a recommendation about a change, not a finding on the model.

Three grading errors seen on real data, each reproduced on seeded data:

- a weaker challenger ("DO NOT PROMOTE") became a red finding against the champion and alone made the
  package RED; the decision and what the challenger adds must not set the model's rating;
- without protected attributes the fairness rule was "inconclusive", so a challenger that dominated on every
  metric could never be promoted; a rule without its data is "not applicable", with the reason;
- the guard against the opposite error: without labelled data no performance rule applies, and a promotion
  must never rest on no evidence of performance.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.special import expit, logit

from mrmkit.io import load_inputs
from mrmkit.params import load_parameters
from mrmkit.policy import overall_rating
from mrmkit.workbooks import champion_challenger as cc
from mrmkit.workbooks.context import load_context, preflight
from tests.conftest import write_variant


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from mrmkit.demo import build_demo

    build = build_demo(tmp_path_factory.mktemp("ccd"), n_reference=4000, n_per_window=1500, n_windows=4)
    return build, yaml.safe_load(build.parameters.read_text())


@pytest.fixture(scope="module")
def fraud(tmp_path_factory):
    from mrmkit.demo.fraud import build_fraud_demo

    built = build_fraud_demo(tmp_path_factory.mktemp("ccd-fraud"), n_reference=8000, n_current=6000)
    return built, yaml.safe_load(built.parameters.read_text())


def _fast(raw) -> None:
    raw["champion_challenger"]["n_bootstrap"] = 200  # fast; the statistics are tested elsewhere


def _evidence(folder: Path, raw: dict, name: str, *edits) -> cc.ChallengerEvidence:
    params = load_parameters(write_variant(folder, raw, name, _fast, *edits))
    preflight(params, load_inputs(params), ["champion_challenger"])
    return cc.analyse(load_context(params.model_dump(mode="json")))


def _weaker_challenger(build, raw) -> dict:
    """The demo's champion PD with seeded noise on the log-odds: the same model, ranking worse."""
    cur = pd.read_parquet(build.current)
    noise = np.random.default_rng(26).normal(0.0, 1.0, len(cur))
    cur["weaker_pd"] = expit(logit(cur["champion_pd"].to_numpy()) + noise)
    cur.to_parquet(build.out_dir / "data" / "weaker.parquet", index=False)
    raw = yaml.safe_load(yaml.safe_dump(raw))
    raw["data"]["current"] = "data/weaker.parquet"
    raw["challenger"] = {"score": "weaker_pd"}
    return raw


def _outcomes(evidence: cc.ChallengerEvidence) -> dict[str, str]:
    return {r["rule"]: r["outcome"] for r in evidence.decision["rules"]}


# ------------------------------------------------------------------------------------ a weaker challenger


def test_a_weaker_challenger_is_a_decision_not_a_red_finding_on_the_champion(demo) -> None:
    """The error: "Recommendation: DO NOT PROMOTE" was a red finding and made a clean champion's rating red."""
    build, raw = demo
    ev = _evidence(build.out_dir, _weaker_challenger(build, raw), "weaker.yaml")
    assert ev.offline["challenger"]["auc"]["value"] < ev.offline["champion"]["auc"]["value"] - 0.02
    assert ev.decision["recommendation"] == "DO NOT PROMOTE"
    # the demo's champion has no four-fifths flag and keeps to its latency: nothing against the model itself
    assert overall_rating(ev.findings, failed=False) == "green"
    assert not [f for f in ev.findings if "decision" in f["metric"] or "Recommendation" in f["title"]]
    assert "Failed: AUC gain" in ev.decision["reason"] and "Concerns about the change" in ev.decision["reason"]
    assert all(f["severity"] != "red" for f in ev.findings)
    # what the comparison says against the change stays with the decision, finding-shaped
    assert all({"severity", "title", "detail", "metric"} <= set(c) for c in ev.decision["concerns"])
    assert any("Challenger latency" in c["title"] for c in ev.decision["concerns"])
    assert not any("Challenger" in f["title"] for f in ev.findings)


def test_what_the_challenger_adds_is_a_concern_and_the_champions_own_flags_are_findings(demo) -> None:
    """A four-fifths flag only the challenger has is evidence against the change (and fails the fairness
    rule); the champion's own flag is a finding on the model under validation."""
    build, raw = demo
    cur = pd.read_parquet(build.current)
    young = (cur["age_band"] == "18-25").to_numpy()
    cur["unfair_pd"] = np.where(young, np.minimum(cur["challenger_pd"] + 0.3, 1.0), cur["challenger_pd"])
    cur.to_parquet(build.out_dir / "data" / "unfair.parquet", index=False)

    def unfair(r):
        r["data"]["current"] = "data/unfair.parquet"
        r["challenger"] = {"score": "unfair_pd"}

    ev = _evidence(build.out_dir, raw, "unfair.yaml", unfair)
    assert ev.fairness["age_band"]["new_flags"] == ["18-25"]
    assert _outcomes(ev)["no new four-fifths flag"] == "fail" and ev.decision["recommendation"] == "DO NOT PROMOTE"
    (concern,) = [c for c in ev.decision["concerns"] if "four-fifths" in c["title"]]
    assert concern["severity"] == "red" and "18-25" in concern["title"]
    assert not [f for f in ev.findings if "four-fifths" in f["title"]]  # the champion has no flag of its own

    cur.assign(champion_pd=cur["unfair_pd"]).to_parquet(build.out_dir / "data" / "unfair_champion.parquet")

    def unfair_champion(r):  # the same scores, now those of the model under validation
        r["model"].pop("artifact")
        r.pop("explainability")
        r["data"]["current"] = "data/unfair_champion.parquet"
        r["challenger"] = {"score": "challenger_pd"}

    swapped = _evidence(build.out_dir, raw, "swapped.yaml", unfair, unfair_champion)
    flags = [f for f in swapped.findings if "four-fifths" in f["title"]]  # now the model under validation fails
    assert flags and all("The champion fails" in f["title"] for f in flags)
    assert overall_rating(swapped.findings, failed=False) in ("amber", "red")


@pytest.mark.slow
def test_a_weaker_challenger_leaves_the_package_rating_alone(demo, tmp_path) -> None:
    """The package a committee reads: the report's, the run's and Prometheus's ratings are not red."""
    from mrmkit.export.prometheus import export_prometheus, parse_now
    from mrmkit.run.runner import run

    build, raw = demo
    path = write_variant(build.out_dir, _weaker_challenger(build, raw), "weaker_run.yaml", _fast)
    result = run(path, ["champion_challenger"], out=tmp_path / "out", record_audit=False)
    assert result.status == "complete" and result.rating == "green", result.rating
    import json

    metrics = json.loads((result.package / "metrics.json").read_text())["champion_challenger"]
    assert metrics["decision"]["recommendation"] == "DO NOT PROMOTE"
    assert metrics["decision"]["concerns"] and not [f for f in metrics["findings"] if f["severity"] == "red"]
    manifest = json.loads((result.package / "manifest.json").read_text())
    assert manifest["red_findings"] == 0
    text = export_prometheus([tmp_path / "out"], parse_now("2026-12-31T12:00:00Z")).text
    (line,) = [x for x in text.splitlines() if x.startswith("mrmkit_overall_rating{")]
    assert line.endswith(" 0")  # green


# ------------------------------------------------------------------------------------ rules without their data


def _dominating(built, raw) -> dict:
    """A classifier challenger that ranks every fraud above the champion's scores: it catches more at the same
    alert rate and raises fewer false alarms."""
    cur = pd.read_parquet(built.current)
    cur["dominating_score"] = np.clip(0.5 * cur["champion_score"] + 0.5 * cur["fraud"], 0.0, 1.0)
    cur.to_parquet(built.parameters.parent / "data" / "dominating.parquet", index=False)
    raw = yaml.safe_load(yaml.safe_dump(raw))
    raw["data"]["current"] = "data/dominating.parquet"
    raw["challenger"] = {"score": "dominating_score"}
    return raw


def test_a_dominating_classifier_without_protected_attributes_is_promoted(fraud) -> None:
    """The error: with no protected attribute the fairness rule was "inconclusive", so PROMOTE was impossible."""
    built, raw = fraud

    def no_protected(r):
        r["data"].pop("protected", None)

    ev = _evidence(built.parameters.parent, _dominating(built, raw), "dominating.yaml", no_protected)
    alerts = ev.offline["alerts"]
    assert alerts["catch_rate"]["difference"] > 0.1 and alerts["false_positive_rate"]["difference"] < 0
    outcomes = _outcomes(ev)
    fairness = outcomes.pop("no new four-fifths flag")
    assert fairness == "not applicable"
    (rule,) = [r for r in ev.decision["rules"] if r["family"] == "fairness"]
    assert "no protected attribute" in rule["evidence"] and "data.protected" not in rule["evidence"]  # words
    assert list(outcomes.values()) == ["pass", "pass"]  # catch rate and false-positive rate
    assert ev.decision["recommendation"] == "PROMOTE"
    assert "Not applicable: no new four-fifths flag" in ev.decision["reason"]


def test_fairness_groups_too_small_to_judge_are_inconclusive_not_a_pass(fraud) -> None:
    """Data present but too few is the opposite case: every group below min_group_size judges nothing."""
    built, raw = fraud

    def huge_groups(r):
        r["champion_challenger"]["fairness"] = {"min_group_size": 1_000_000}

    ev = _evidence(built.parameters.parent, _dominating(built, raw), "tiny_groups.yaml", huge_groups)
    assert _outcomes(ev)["no new four-fifths flag"] == "inconclusive"
    assert ev.decision["recommendation"] == "INCONCLUSIVE"


# ------------------------------------------------------------------------------------ no evidence of performance


def _no_target(r) -> None:
    r["data"].pop("target")
    for section in ("backtest", "explainability", "drift"):
        r.pop(section, None)


def test_without_labelled_data_the_performance_rules_are_not_applicable_and_nothing_is_promoted(demo) -> None:
    """No outcome column: every performance rule is "not applicable", the fairness rule passes, and the
    decision must still not be PROMOTE: no rule that applied says the challenger performs better."""
    build, raw = demo
    ev = _evidence(build.out_dir, raw, "no_target.yaml", _no_target)
    performance = [r for r in ev.decision["rules"] if r["family"] == "performance"]
    assert len(performance) == 3 and {r["outcome"] for r in performance} == {"not applicable"}
    assert all(r["evidence"] == "no outcome column was given" for r in performance)  # in words, no key
    assert _outcomes(ev)["no new four-fifths flag"] == "pass"
    assert ev.decision["recommendation"] == "INCONCLUSIVE"
    assert ev.decision["reason"].startswith("No performance rule applied")


def test_without_mature_outcomes_the_performance_rules_are_inconclusive(demo) -> None:
    """Outcomes given but none mature yet (as_of before every window closes): too few, not absent."""
    build, raw = demo

    def early(r):
        r["backtest"]["as_of"] = "2025-01-15"

    ev = _evidence(build.out_dir, raw, "immature.yaml", early)
    assert ev.offline["labelled"]["applicable"] is False and ev.offline["labelled"]["n"] == 0
    performance = [r for r in ev.decision["rules"] if r["family"] == "performance"]
    assert {r["outcome"] for r in performance} == {"inconclusive"}
    assert ev.decision["recommendation"] == "INCONCLUSIVE"
    # the A/B log's outcomes are immature too: its bad-rate test is not judged, not an error
    assert ev.ab["bad_rate"]["status"] == "not enough data" and "p_value" not in ev.ab["bad_rate"]
    assert "not tested" in cc.ab_frame(ev).to_html()


@pytest.mark.slow
def test_a_package_without_labelled_data_records_the_decision(demo, tmp_path) -> None:
    """The run publishes the no-label decision (its reasons are declared keys) instead of failing the workbook."""
    import json

    from mrmkit.run.runner import run

    build, raw = demo
    path = write_variant(build.out_dir, raw, "no_target_run.yaml", _fast, _no_target)
    result = run(path, ["champion_challenger"], out=tmp_path / "out", record_audit=False)
    assert result.status == "complete", result.failed_workbooks
    decision = json.loads((result.package / "metrics.json").read_text())["champion_challenger"]["decision"]
    assert decision["recommendation"] == "INCONCLUSIVE"
    assert {r["outcome"] for r in decision["rules"] if r["family"] == "performance"} == {"not applicable"}


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ({"performance": ["not applicable"] * 3, "fairness": ["pass"]}, "INCONCLUSIVE"),
        ({"performance": ["not applicable"] * 3, "fairness": ["fail"]}, "DO NOT PROMOTE"),
        ({"performance": ["pass", "not applicable", "pass"], "fairness": ["not applicable"]}, "PROMOTE"),
        ({"performance": ["pass", "inconclusive", "pass"], "fairness": ["not applicable"]}, "INCONCLUSIVE"),
        ({"performance": ["pass", "fail"], "fairness": ["pass"]}, "DO NOT PROMOTE"),
    ],
)
def test_the_decision_rests_on_the_rules_that_applied(monkeypatch, outcomes, expected) -> None:
    from mrmkit.workbooks.champion_challenger import decision

    rules = [
        {"rule": f"{family} {i}", "outcome": o, "evidence": "", "family": family}
        for family, listed in outcomes.items()
        for i, o in enumerate(listed)
    ]
    monkeypatch.setattr(decision, "performance_rules", lambda p, o: [r for r in rules if r["family"] == "performance"])
    monkeypatch.setattr(decision, "fairness_rule", lambda p, f: [r for r in rules if r["family"] == "fairness"])
    assert decision.decide(SimpleNamespace(), {}, {})["recommendation"] == expected
