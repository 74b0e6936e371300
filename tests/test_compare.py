"""mrmkit.compare: flattened keys, tolerant comparison, package diff and model history.

Packages are built by hand (a metrics.json and a manifest written by ``write_manifest``); no notebook runs.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mrmkit.compare import (
    HISTORY_KEYS,
    compare_metrics,
    diff_packages,
    flatten,
    history,
)
from mrmkit.errors import PackageError
from mrmkit.evidence.manifest import write_manifest


def metrics_tree() -> dict[str, Any]:
    return {
        "drift": {
            "score": {"psi": 0.05, "psi_status": "green"},
            "features": {"income": {"psi": 0.12, "psi_status": "amber", "n": 1000}},
            "summary": {"status_counts": {"red": 0, "amber": 1, "green": 3}},
            "findings": [
                {"severity": "amber", "title": "Income shifted", "metric": "drift.features.income.psi", "value": 0.12},
                {"severity": "red", "title": "Window A", "metric": "drift.windows", "value": 0.3},
                {"severity": "amber", "title": "Window B", "metric": "drift.windows", "value": 0.2},
            ],
            "edges": [0.0, 0.5, "inf"],
        },
        "backtest": {
            "stress": {
                "rows": [
                    {"name": "baseline", "mean_pd": 0.02},
                    {"name": "income_fall", "mean_pd": 0.025},
                ]
            },
            "sensitivity": {
                "rows": [
                    {"feature": "income", "step": "sd", "change_up": 0.001},
                    {"feature": "income", "step": "iqr", "change_up": 0.002},
                ]
            },
            "rules": [{"rule": "monotone", "outcome": "pass"}],
            "var": {"kupiec_pof": {"p_value": 0.4, "exceptions": 3}, "traffic_light": {"zone": "green"}},
            "pd": {"discrimination": {"current": {"auc": 0.75}}},
            "empty": {},
            "nothing": [],
        },
    }


# --------------------------------------------------------------------------------------------- flatten


def test_flatten_keys() -> None:
    flat = flatten(metrics_tree())
    assert flat["drift.features.income.psi"] == 0.12
    assert flat["drift.edges[2]"] == "inf"
    assert flat["backtest.stress.rows[income_fall].mean_pd"] == 0.025
    assert flat["backtest.sensitivity.rows[income@iqr].change_up"] == 0.002
    assert flat["backtest.rules[monotone].outcome"] == "pass"
    assert flat["drift.findings[drift.features.income.psi].severity"] == "amber"
    # a repeated metric is told apart by its title
    assert flat["drift.findings[drift.windows | Window A].severity"] == "red"
    assert flat["drift.findings[drift.windows | Window B].value"] == 0.2
    # empty containers are kept as values
    assert flat["backtest.empty"] == {}
    assert flat["backtest.nothing"] == []


def test_positional_when_no_identifier_or_duplicates() -> None:
    flat = flatten({"w": {"t": [{"a": 1}, {"a": 2}], "d": [{"name": "x", "v": 1}, {"name": "x", "v": 2}]}})
    assert flat == {"w.t[0].a": 1, "w.t[1].a": 2, "w.d[0].name": "x", "w.d[0].v": 1, "w.d[1].name": "x", "w.d[1].v": 2}


def test_reordered_keyed_lists_compare_equal() -> None:
    a = metrics_tree()
    b = copy.deepcopy(a)
    b["backtest"]["stress"]["rows"].reverse()
    b["backtest"]["sensitivity"]["rows"].reverse()
    b["drift"]["findings"].reverse()
    assert flatten(a) == flatten(b)
    assert compare_metrics(a, b).identical
    # a positional list that is reordered is a change
    b["drift"]["edges"].reverse()
    assert not compare_metrics(a, b).identical


# --------------------------------------------------------------------------------------------- compare


def test_ints_exact_floats_tolerant() -> None:
    x = 0.123456789
    base = {"w": {"n": 1000, "f": x}}
    assert compare_metrics(base, {"w": {"n": 1000, "f": x * (1 + 1e-15)}}).identical
    diff = compare_metrics(base, {"w": {"n": 1000, "f": x * (1 + 1e-6)}})
    [change] = diff.changes
    assert change.key == "w.f" and change.kind == "changed"
    assert change.abs_change == pytest.approx(x * 1e-6)
    assert change.rel_change == pytest.approx(1e-6)
    diff = compare_metrics(base, {"w": {"n": 1001, "f": x}})
    [change] = diff.changes
    assert (change.key, change.old, change.new, change.abs_change) == ("w.n", 1000, 1001, 1.0)
    # values that should be zero: within abs_tol
    assert compare_metrics({"w": {"e": 1e-17}}, {"w": {"e": 3e-17}}).identical
    # an int and an equal float are the same number; a bool is not a number
    assert compare_metrics({"w": {"v": 2}}, {"w": {"v": 2.0}}).identical
    assert not compare_metrics({"w": {"v": 1}}, {"w": {"v": True}}).identical


def test_inf_and_none() -> None:
    assert compare_metrics({"w": {"v": "inf", "m": None}}, {"w": {"v": "inf", "m": None}}).identical
    diff = compare_metrics({"w": {"v": "inf", "m": None}}, {"w": {"v": 3.0, "m": 0.5}})
    by_key = {c.key: c for c in diff.changes}
    assert by_key["w.v"].abs_change == -math.inf and by_key["w.v"].rel_change is None
    assert by_key["w.m"].old is None and by_key["w.m"].abs_change is None
    assert by_key["w.v"].to_dict()["abs_change"] == "-inf"
    json.dumps(diff.to_dict(), allow_nan=False)


def test_status_changes_first_then_sorted() -> None:
    a = metrics_tree()
    b = copy.deepcopy(a)
    b["drift"]["features"]["income"]["psi"] = 0.3
    b["drift"]["features"]["income"]["psi_status"] = "red"
    b["backtest"]["var"]["traffic_light"]["zone"] = "amber"
    b["backtest"]["pd"]["discrimination"]["current"]["auc"] = 0.7
    b["drift"]["findings"][0]["severity"] = "red"
    diff = compare_metrics(a, b)
    keys = [c.key for c in diff.changes]
    assert keys == [
        "backtest.var.traffic_light.zone",
        "drift.features.income.psi_status",
        "drift.findings[drift.features.income.psi].severity",
        "backtest.pd.discrimination.current.auc",
        "drift.features.income.psi",
    ]
    assert [c.is_status for c in diff.changes] == [True, True, True, False, False]
    assert diff.summary["status_changes"] == 3 and diff.summary["changed"] == 5


def test_numeric_order_of_keys() -> None:
    a = {"w": {"t": list(range(12))}}
    b = {"w": {"t": [v + 1 for v in range(12)]}}
    assert [c.key for c in compare_metrics(a, b).changes][:3] == ["w.t[0]", "w.t[1]", "w.t[2]"]
    assert compare_metrics(a, b).changes[-1].key == "w.t[11]"


def test_added_and_removed() -> None:
    a = {"drift": {"psi": 0.1, "old": 1}}
    b = {"drift": {"psi": 0.1, "new": 2}, "backtest": {"auc": 0.8}}
    diff = compare_metrics(a, b)
    assert [(c.key, c.kind) for c in diff.added] == [("backtest.auc", "added"), ("drift.new", "added")]
    assert [(c.key, c.kind, c.old) for c in diff.removed] == [("drift.old", "removed", 1)]
    assert diff.summary == {"added": 2, "removed": 1, "changed": 0, "equal": 1, "status_changes": 0, "compared": 4}


def test_negative_tolerance_rejected() -> None:
    with pytest.raises(ValueError, match="rel_tol"):
        compare_metrics({}, {}, rel_tol=-1)


json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["inf", "-inf", "green", "amber", "red"]),
    st.text(max_size=5),
)
names = st.sampled_from(["name", "metric", "status", "severity", "psi", "rows", "findings", "id", "a", "b"])
nested = st.recursive(
    json_leaf,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(names, children, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["drift", "backtest", "explainability"]), nested, max_size=3))
def test_compare_with_itself_has_no_changes(metrics: dict[str, Any]) -> None:
    diff = compare_metrics(metrics, copy.deepcopy(metrics))
    assert diff.identical
    assert diff.summary["equal"] == len(flatten(metrics))


# --------------------------------------------------------------------------------------------- packages


def make_package(
    root: Path,
    model: str,
    version: str,
    run: str,
    started: str,
    metrics: dict[str, Any] | None,
    status: str = "complete",
    red: int = 0,
) -> Path:
    folder = root / model / version / run
    folder.mkdir(parents=True)
    if metrics is not None:
        (folder / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    write_manifest(
        folder,
        {
            "model_id": model,
            "model_version": version,
            "run_id": run,
            "status": status,
            "started": started,
            "red_findings": red,
            "workbooks": {w: {"status": status, "error": None} for w in (metrics or {})},
        },
    )
    return folder


def test_package_against_itself(tmp_path: Path) -> None:
    pkg = make_package(tmp_path, "m", "1.0", "r1", "2026-01-01T00:00:00+00:00", metrics_tree())
    diff = diff_packages(pkg, pkg)
    assert diff.identical and diff.metrics.identical and not diff.status_changes
    text = "\n".join(diff.to_lines())
    assert "no differences" in text and "r1" in text
    assert diff.metrics.equal == len(flatten(metrics_tree()))


def test_package_diff(tmp_path: Path) -> None:
    a = make_package(tmp_path, "m", "1.0", "r1", "2026-01-01T00:00:00+00:00", metrics_tree())
    changed = metrics_tree()
    changed["drift"]["features"]["income"]["psi"] = 0.31
    changed["drift"]["features"]["income"]["psi_status"] = "red"
    changed["drift"]["findings"][0]["severity"] = "red"
    del changed["drift"]["findings"][1]
    changed["drift"]["findings"].append({"severity": "red", "title": "AUC fell", "metric": "backtest.auc"})
    changed["backtest"]["var"]["kupiec_pof"]["exceptions"] = 5
    b = make_package(tmp_path, "m", "1.1", "r2", "2026-02-01T00:00:00+00:00", changed, status="failed", red=2)
    diff = diff_packages(a, b)
    assert not diff.identical
    assert [(c.key, c.old, c.new) for c in diff.package_status_changes] == [
        ("package.status", "complete", "failed"),
        ("package.workbooks.backtest.status", "complete", "failed"),
        ("package.workbooks.drift.status", "complete", "failed"),
    ]
    assert [f["title"] for f in diff.findings_added] == ["AUC fell"]
    assert [f["title"] for f in diff.findings_removed] == ["Window A"]
    lines = diff.to_lines()
    text = "\n".join(lines)
    order = [
        text.index(s)
        for s in (
            "A: m 1.0 run r1",
            "B: m 1.1 run r2",
            "status changes",
            "findings added",
            "findings removed",
            "metric changes",
            "changed,",
        )
    ]
    assert order == sorted(order)
    assert '  package.status: "complete" -> "failed"' in lines
    assert '  drift.features.income.psi_status: "amber" -> "red"' in lines
    assert "  backtest.var.kupiec_pof.exceptions: 3 -> 5 (+2, +66.7%)" in lines
    assert "  drift.features.income.psi: 0.12 -> 0.31 (+0.19, +158%)" in lines
    assert any(line.startswith("  [red] AUC fell (backtest.auc)") for line in lines)
    json.dumps(diff.to_dict(), allow_nan=False)
    assert len(diff.to_lines(limit=1)) < len(lines)
    assert any("more" in line for line in diff.to_lines(limit=1))


def test_package_errors(tmp_path: Path) -> None:
    good = make_package(tmp_path, "m", "1.0", "r1", "2026-01-01T00:00:00+00:00", metrics_tree())
    (tmp_path / "plain").mkdir()
    with pytest.raises(PackageError, match="not an evidence package"):
        diff_packages(good, tmp_path / "plain")
    bare = make_package(tmp_path, "m", "1.0", "r2", "2026-01-02T00:00:00+00:00", None)
    with pytest.raises(PackageError, match=r"r2 has no metrics\.json"):
        diff_packages(good, bare)


# --------------------------------------------------------------------------------------------- history


def test_history(tmp_path: Path) -> None:
    m1 = metrics_tree()
    m2 = metrics_tree()
    m2["drift"]["score"]["psi"] = 0.2
    m2["drift"]["summary"]["status_counts"]["red"] = 2
    m3 = metrics_tree()
    m3["champion_challenger"] = {"decision": {"recommendation": "keep champion"}}
    del m3["backtest"]
    # created out of order on purpose; the same start time for r3a and r3b is ordered by run id
    make_package(tmp_path, "pd-model", "1.1", "r3b", "2026-03-01T00:00:00+00:00", m3, red=1)
    make_package(tmp_path, "pd-model", "1.0", "r1", "2026-01-01T00:00:00+00:00", m1)
    make_package(tmp_path, "pd-model", "1.1", "r3a", "2026-03-01T00:00:00+00:00", m2, status="failed", red=2)
    make_package(tmp_path, "other-model", "2.0", "x1", "2025-12-01T00:00:00+00:00", m1, red=5)
    (tmp_path / ".staging" / "a" / "b").mkdir(parents=True)

    frame = history("pd-model", tmp_path)
    assert list(frame.columns) == ["version", "run", "status", "started", "red_findings", *HISTORY_KEYS]
    assert frame["run"].tolist() == ["r1", "r3a", "r3b"]
    assert frame["version"].tolist() == ["1.0", "1.1", "1.1"]
    assert frame["status"].tolist() == ["complete", "failed", "complete"]
    assert frame["red_findings"].tolist() == [0, 2, 1]
    assert frame["drift.score.psi"].tolist() == [0.05, 0.2, 0.05]
    assert frame["drift.summary.status_counts.red"].tolist() == [0, 2, 0]
    assert frame["backtest.var.kupiec_pof.p_value"].tolist() == [0.4, 0.4, None]
    assert frame["champion_challenger.decision.recommendation"].tolist() == [None, None, "keep champion"]
    assert frame["explainability.shap.additivity_max_abs_error"].isna().all()
    assert frame.attrs["paths"][0].endswith("r1")

    custom = history("pd-model", tmp_path, keys=["backtest.stress.rows[income_fall].mean_pd"])
    assert custom["backtest.stress.rows[income_fall].mean_pd"].tolist() == [0.025, 0.025, None]


def test_history_errors(tmp_path: Path) -> None:
    make_package(tmp_path, "pd-model", "1.0", "r1", "2026-01-01T00:00:00+00:00", metrics_tree())
    make_package(tmp_path, "lgd-model", "1.0", "r1", "2026-01-01T00:00:00+00:00", metrics_tree())
    with pytest.raises(PackageError, match=r"'ead-model'.*models found: lgd-model, pd-model"):
        history("ead-model", tmp_path)
    with pytest.raises(PackageError, match="no evidence packages there"):
        history("pd-model", tmp_path / "lgd-model" / "1.0")
    with pytest.raises(PackageError, match="not a folder"):
        history("pd-model", tmp_path / "missing")
