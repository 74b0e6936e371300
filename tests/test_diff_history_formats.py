"""`mrmkit diff` and `mrmkit history`: --format table|csv|json, exact values off a terminal, --summary.

Packages are built by hand as in test_compare.py (a metrics.json, a parameters.yaml and a manifest written
by ``write_manifest``); no notebook runs. CliRunner's output is not a terminal, which is the case these
tests are about: a pipe or a file must get every value in full.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from mrmkit import cli
from mrmkit.cli import app
from mrmkit.compare import CSV_COLUMNS, diff_packages
from mrmkit.evidence.manifest import write_manifest
from mrmkit.present.output import csv_cell

runner = CliRunner()
EXACT = 0.1234567890123
NEW = 0.98765432109876543


def metrics(psi: float = EXACT) -> dict[str, Any]:
    return {
        "drift": {
            "score": {"psi": psi, "psi_status": "green"},
            "features": {"income": {"psi": 0.02, "n": 1000}, "age": {"psi": 0.01, "n": 1000}},
            "summary": {"status_counts": {"red": 0, "amber": 0, "green": 2}},
            "findings": [{"severity": "amber", "title": "Income shifted", "metric": "drift.features.income.psi"}],
        },
        "backtest": {
            "var": {"kupiec_pof": {"p_value": 0.4, "exceptions": 3}},
            "pd": {"discrimination": {"current": {"auc": 0.75}}},
            "edge": "inf",
        },
        "explainability": {"shap": {"additivity_max_abs_error": 1.234567890123e-15}},
    }


def parameters(model: str = "m", bins: int = 10) -> dict[str, Any]:
    return {"seed": 7, "model": {"id": model, "version": "1.0"}, "drift": {"bins": bins, "psi_amber": 0.1}}


def package(
    root: Path,
    tree: dict[str, Any],
    model: str = "m",
    run: str = "r1",
    started: str = "2026-01-01T00:00:00+00:00",
    params: dict[str, Any] | None = None,
    status: str = "complete",
) -> Path:
    folder = root / model / "1.0" / run
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text(json.dumps(tree, indent=2, sort_keys=True) + "\n")
    (folder / "parameters.yaml").write_text(yaml.safe_dump(params or parameters(model), sort_keys=False))
    write_manifest(
        folder,
        {
            "model_id": model,
            "model_version": "1.0",
            "run_id": run,
            "status": status,
            "started": started,
            "red_findings": 0,
            "workbooks": {w: {"status": status, "error": None} for w in tree},
        },
    )
    return folder


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """A and B of one model: a parameter, a status, three drift metrics, a backtest metric and a finding differ."""
    a = package(tmp_path, metrics())
    tree = metrics(psi=NEW)
    tree["drift"]["score"]["psi_status"] = "amber"
    tree["drift"]["features"]["income"]["psi"] = 0.05
    tree["drift"]["features"]["region"] = {"psi": 0.2, "n": 1000}  # added
    del tree["drift"]["features"]["age"]  # removed: psi and n
    tree["drift"]["findings"].append(
        {"severity": "red", "title": "Region shifted", "metric": "drift.features.region.psi"}
    )
    tree["backtest"]["var"]["kupiec_pof"]["exceptions"] = 5
    b = package(tmp_path, tree, run="r2", started="2026-02-01T00:00:00+00:00", params=parameters(bins=12))
    return a, b


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False, terminal_width=60)


# --------------------------------------------------------------------------------------------- diff


def test_diff_table_leads_with_parameters_then_status_then_workbooks(pair) -> None:
    done = invoke("diff", *map(str, pair))
    assert done.exit_code == 0, done.output
    assert "warning" not in done.stderr  # same model: no warning (only the note that no key was given)
    lines = done.stdout.splitlines()
    text = done.stdout
    order = [
        text.index(s)
        for s in (
            "parameter changes (1):",
            "status changes (",
            "findings added (1):",
            "metric changes (",
            "backtest: 1 changed, 0 added, 0 removed",
            "drift: 2 changed, 4 added, 2 removed",
        )
    ]
    assert order == sorted(order)
    assert "  drift.bins: 10 -> 12 (+2, +20.0%)" in lines  # exact off a terminal
    assert '  drift.score.psi_status: "green" -> "amber"' in lines
    assert f"  backtest.var.kupiec_pof.exceptions: 3 -> 5 (+2, +{2 / 3 * 100!r}%)" in lines
    assert "  drift.features.age.psi: removed, was 0.01" in lines
    assert "  drift.features.region.n: added, 1000" in lines
    # the full value and the full change, even at a width of 60
    [psi] = [line for line in lines if line.startswith("  drift.score.psi:")]
    assert psi == f"  drift.score.psi: {EXACT!r} -> {NEW!r} (+{NEW - EXACT!r}, +{(NEW - EXACT) / EXACT * 100!r}%)"
    assert "unchanged: explainability" in lines
    assert lines[-1].startswith("4 changed, 5 added, 2 removed, 11 equal")


def test_diff_on_a_terminal_rounds_only_the_changes(pair) -> None:
    lines = diff_packages(*pair).to_lines()  # what a terminal shows
    assert f"  drift.score.psi: {EXACT!r} -> {NEW!r} (+0.8642, +700%)" in lines


def test_diff_summary_lists_no_metric(pair) -> None:
    done = invoke("diff", *map(str, pair), "--summary")
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert "drift: 2 changed, 4 added, 2 removed" in lines and "backtest: 1 changed, 0 added, 0 removed" in lines
    assert "  drift.bins: 10 -> 12 (+2, +20.0%)" in lines  # parameter changes stay
    assert '  drift.score.psi_status: "green" -> "amber"' in lines  # status changes stay
    assert "findings added (1)" in lines and not any("Region shifted" in line for line in lines)
    assert not any(line.startswith(("  drift.features.", "  drift.score.psi:", "  backtest.")) for line in lines)
    assert len(lines) < len(invoke("diff", *map(str, pair)).stdout.splitlines())


def test_diff_json_is_exact_and_grouped(pair) -> None:
    done = invoke("diff", *map(str, pair), "--format", "json")
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["a"]["run_id"] == "r1" and data["b"]["run_id"] == "r2" and data["same_model"] is True
    assert data["a"]["parameters_sha256"] and data["a"]["parameters_sha256"] != data["b"]["parameters_sha256"]
    assert data["warnings"] == [] and data["identical"] is False
    assert [(c["key"], c["old"], c["new"]) for c in data["parameters"]["changes"]] == [("drift.bins", 10, 12)]
    assert [c["key"] for c in data["status_changes"]] == [
        "drift.findings[drift.features.region.psi].severity",
        "drift.score.psi_status",
    ]
    assert [f["title"] for f in data["findings"]["added"]] == ["Region shifted"]
    drift = data["metrics"]["workbooks"]["drift"]
    assert (drift["changed"], drift["added"], drift["removed"]) == (2, 4, 2)
    [psi] = [c for c in drift["changes"] if c["key"] == "drift.score.psi"]
    assert psi["old"] == EXACT and psi["new"] == NEW and psi["abs_change"] == NEW - EXACT
    assert data["metrics"]["workbooks"]["explainability"] == {"changed": 0, "added": 0, "removed": 0, "changes": []}
    summary = json.loads(invoke("diff", *map(str, pair), "--format", "json", "--summary").stdout)
    assert "changes" not in summary["metrics"]["workbooks"]["drift"] and "added" not in summary["findings"]
    assert summary["metrics"]["workbooks"]["drift"]["removed"] == 2 and summary["parameters"]["changes"]


def test_diff_csv_is_exact(pair) -> None:
    done = invoke("diff", *map(str, pair), "--format", "csv")
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0]) == list(CSV_COLUMNS)
    sections = [r["section"] for r in rows]
    assert sorted(set(sections), key=sections.index) == ["parameter", "status", "finding", "metric"]
    [psi] = [r for r in rows if r["key"] == "drift.score.psi"]
    assert (psi["section"], psi["workbook"], psi["kind"]) == ("metric", "drift", "changed")
    assert float(psi["old"]) == EXACT and float(psi["new"]) == NEW and float(psi["abs_change"]) == NEW - EXACT
    [finding] = [r for r in rows if r["section"] == "finding"]
    assert json.loads(finding["new"])["title"] == "Region shifted" and finding["workbook"] == "drift"
    summary = list(csv.DictReader(io.StringIO(invoke("diff", *map(str, pair), "--format", "csv", "--summary").stdout)))
    assert not [r for r in summary if r["section"] == "metric"]
    counts = {(r["workbook"], r["key"], r["kind"]): int(r["new"]) for r in summary if r["section"] == "count"}
    assert counts[("drift", "", "changed")] == 2 and counts[("drift", "", "removed")] == 2
    assert counts[("explainability", "", "added")] == 0 and counts[("", "findings", "added")] == 1


def test_diff_of_different_models_warns_once_and_exits_0(tmp_path: Path) -> None:
    a = package(tmp_path, metrics(), model="pd-model")
    b = package(tmp_path, metrics(), model="var-engine", run="r2")
    for args in ([], ["--format", "json"], ["--format", "csv"], ["--summary"]):
        done = invoke("diff", str(a), str(b), *args)
        assert done.exit_code == 0, done.output
        warnings = [line for line in done.stderr.splitlines() if not line.startswith("note: signatures not checked")]
        assert len(warnings) == 1 and warnings[0].startswith("warning: ") and "different models" in warnings[0]
        assert "pd-model" in warnings[0] and "var-engine" in warnings[0]
    data = json.loads(invoke("diff", str(a), str(b), "--format", "json").stdout)
    assert data["same_model"] is False and len(data["warnings"]) == 1
    assert [c["key"] for c in data["parameters"]["changes"]] == ["model.id"]


def test_diff_of_a_package_with_itself(pair) -> None:
    done = invoke("diff", str(pair[0]), str(pair[0]))
    assert done.exit_code == 0 and "no differences" in done.stdout and "same parameters" in done.stdout
    rows = list(csv.reader(io.StringIO(invoke("diff", str(pair[0]), str(pair[0]), "--format", "csv").stdout)))
    assert rows == [list(CSV_COLUMNS)]
    assert json.loads(invoke("diff", str(pair[0]), str(pair[0]), "--format", "json").stdout)["identical"] is True


def test_diff_without_parameters_yaml_says_so(pair) -> None:
    (pair[0] / "parameters.yaml").unlink()
    done = invoke("diff", *map(str, pair))
    assert done.exit_code == 0, done.output
    assert any(
        line.startswith("parameter changes: not compared (A: ") and "has no parameters.yaml" in line
        for line in done.stdout.splitlines()
    )
    data = json.loads(invoke("diff", *map(str, pair), "--format", "json").stdout)
    assert data["parameters"]["compared"] is False and "no parameters.yaml" in data["parameters"]["note"]


def test_a_setting_new_in_this_version_at_its_default_is_not_a_parameter_change(tmp_path: Path) -> None:
    """A package of an older mrmkit has no mlflow, data.database or validation.validated_on key; a newer one
    records them at their defaults. That is the same behaviour, not a change; a non-default value is one,
    in either direction, and so is a key of unknown default."""
    older = parameters()
    newer = {
        **parameters(),
        "mlflow": {"log": False, "experiment": "model-validation", "tracking_uri": None},
        "data": {"database": None},
        "validation": {"validated_on": None},
    }
    a = package(tmp_path, metrics(), params=older)
    b = package(tmp_path, metrics(), run="r2", params=newer)
    assert diff_packages(a, b).parameter_changes == ()
    assert diff_packages(b, a).parameter_changes == ()
    logged = {
        **newer,
        "mlflow": {**newer["mlflow"], "log": True},
        "data": {"database": "sqlite:///x.db"},
        "extra_unknown": 0,
    }
    c = package(tmp_path, metrics(), run="r3", params=logged)
    assert {(x.key, x.kind) for x in diff_packages(a, c).parameter_changes} == {
        ("mlflow.log", "added"),
        ("data.database", "added"),
        ("extra_unknown", "added"),
    }
    assert {(x.key, x.kind) for x in diff_packages(c, a).parameter_changes} == {
        ("mlflow.log", "removed"),
        ("data.database", "removed"),
        ("extra_unknown", "removed"),
    }


def test_setting_defaults_are_read_from_the_parameter_models() -> None:
    from mrmkit.params.parameters import setting_default

    assert setting_default("mlflow.log") == (True, False)
    assert setting_default("mlflow.experiment") == (True, "model-validation")
    assert setting_default("data.database") == (True, None)
    assert setting_default("drift.bins")[0] and setting_default("seed")[0]
    assert setting_default("model.id") == (False, None)  # required: no default
    assert setting_default("data.roots[0]") == (False, None) and setting_default("no.such.key") == (False, None)


def test_csv_guards_against_formula_injection(tmp_path: Path) -> None:
    hostile = '=HYPERLINK("http://evil.example","x")'
    tree = metrics()
    tree["drift"]["score"]["psi_status"] = "@SUM(A1)"
    b_tree = metrics()
    b_tree["drift"]["score"]["psi_status"] = hostile
    b_tree["drift"]["findings"][0]["title"] = "+cmd|' /C calc'!A0"
    b_tree["backtest"]["var"]["kupiec_pof"]["p_value"] = -0.5
    a = package(tmp_path, tree)
    b = package(tmp_path, b_tree, run="r2")
    text = invoke("diff", str(a), str(b), "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    [status] = [r for r in rows if r["key"] == "drift.score.psi_status"]
    assert status["old"] == "'@SUM(A1)" and status["new"] == "'" + hostile
    [p_value] = [r for r in rows if r["key"] == "backtest.var.kupiec_pof.p_value"]
    assert p_value["new"] == "-0.5" and float(p_value["abs_change"]) == -0.9  # numbers are never prefixed
    assert not any(cell.startswith(("=", "+", "@")) for r in rows for cell in r.values())
    # JSON and the table show the text as it is
    data = json.loads(invoke("diff", str(a), str(b), "--format", "json").stdout)
    assert data["status_changes"][0]["new"] == hostile
    assert json.dumps(hostile) in invoke("diff", str(a), str(b)).stdout
    assert csv_cell("-inf") == "-inf" and csv_cell(float("-inf")) == "-inf" and csv_cell("-x") == "'-x"
    assert csv_cell(float("nan")) == "" and csv_cell(None) == "" and csv_cell(True) == "true"


def test_control_characters_never_reach_the_output(tmp_path: Path) -> None:
    a = package(tmp_path, metrics(), model="m\x1b]8;;http://e\x1b\\x")
    b = package(tmp_path, metrics(psi=0.3), model="n\x1b[2J", run="r2")
    for fmt in ("table", "csv", "json"):
        done = invoke("diff", str(a), str(b), "--format", fmt)
        assert done.exit_code == 0, done.output
        assert "\x1b" not in done.stdout and "\x1b" not in done.stderr, fmt
    assert json.loads(invoke("diff", str(a), str(b), "--format", "json").stdout)["b"]["model_id"] == "n\x1b[2J"


@pytest.mark.parametrize("command", ["diff", "history"])
def test_bad_format_is_one_sentence_exit_2(pair, command) -> None:
    args = [str(p) for p in pair] if command == "diff" else ["m", str(pair[0].parents[2])]
    done = invoke(command, *args, "--format", "xml")
    assert done.exit_code == 2 and done.stdout == ""
    assert done.stderr == "error: --format: choose one of table, csv or json; got 'xml'.\n"


# --------------------------------------------------------------------------------------------- history


@pytest.fixture
def history_root(pair) -> Path:
    return pair[0].parents[2]


def test_history_table_off_a_terminal_is_not_cut(history_root) -> None:
    done = invoke("history", "m", str(history_root))  # a width of 60: a terminal's table would be squeezed
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0].split() == [
        "version",
        "run",
        "status",
        "started",
        "red_findings",
        "drift.score.psi",
        "drift.summary.status_counts.red",
        "backtest.pd.discrimination.current.auc",
        "backtest.var.kupiec_pof.p_value",
        "champion_challenger.decision.recommendation",
        "explainability.shap.additivity_max_abs_error",
    ]
    assert len(lines) == 3 and "…" not in done.stdout
    first = lines[1].split()
    assert first[:5] == ["1.0", "r1", "complete", "2026-01-01T00:00:00+00:00", "0"]
    assert first[5] == repr(EXACT) and first[-1] == repr(1.234567890123e-15)
    assert lines[2].split()[5] == repr(NEW)


def test_history_table_on_a_terminal_rounds(history_root, monkeypatch) -> None:
    monkeypatch.setattr(cli.packages, "_stdout_is_terminal", lambda: True)
    done = runner.invoke(app, ["history", "m", str(history_root)], terminal_width=200)
    assert done.exit_code == 0 and "0.1235" in done.stdout and repr(EXACT) not in done.stdout


def test_history_csv_and_json_are_exact(history_root) -> None:
    done = invoke("history", "m", str(history_root), "--format", "csv")
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["run"] for r in rows] == ["r1", "r2"]
    assert float(rows[0]["drift.score.psi"]) == EXACT and float(rows[1]["drift.score.psi"]) == NEW
    assert float(rows[0]["explainability.shap.additivity_max_abs_error"]) == 1.234567890123e-15
    assert rows[0]["champion_challenger.decision.recommendation"] == ""  # a metric the package does not have
    assert rows[0]["path"].endswith("r1") and rows[0]["red_findings"] == "0"
    data = json.loads(invoke("history", "m", str(history_root), "--format", "json").stdout)
    assert isinstance(data, list) and [r["run"] for r in data] == ["r1", "r2"]
    assert data[0]["drift.score.psi"] == EXACT and data[1]["drift.score.psi"] == NEW
    assert data[0]["champion_challenger.decision.recommendation"] is None and data[0]["red_findings"] == 0
    assert data[0]["path"] == rows[0]["path"]


def test_help_names_the_formats() -> None:
    for command in ("diff", "history"):
        text = " ".join(runner.invoke(app, [command, "--help"], terminal_width=200).output.replace("│", " ").split())
        assert "--format FORMAT" in text and "table, csv or json" in text, command
        assert "leading '" in text, command
    assert "--summary" in runner.invoke(app, ["diff", "--help"], terminal_width=200).output
