"""The workbook and model-kind registries: one object per concept, asked by every consumer.

A kind is never a string compared in the code (a test reads every module); each registered kind and workbook
is consistent with the parameter models, the notebooks and the metrics schema; a duplicate is an error; and
the scope of a package (which sections ran) is what the report, its contents and its supervisory map say.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from mrmkit import kinds
from mrmkit.evidence import schema
from mrmkit.kinds.registry import Expectation, ModelKind, Vocabulary
from mrmkit.params import Parameters
from mrmkit.params.kind_rules import given
from mrmkit.registry import scope, workbooks
from mrmkit.registry import workbooks as registry
from mrmkit.registry.workbooks import Section, WorkbookSpec

ROOT = Path(__file__).resolve().parents[1]
KIND_NAMES = set(kinds.names())


def _kind_string_tests(tree: ast.AST) -> list[int]:
    """Lines that compare something named ``kind`` (or ``model.kind``) with a model kind's name."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            parts = [node.left, *node.comparators]
            names = {p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str)}
            for p in parts:
                if isinstance(p, (ast.Tuple, ast.List, ast.Set)):
                    names |= {e.value for e in p.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
            if names & KIND_NAMES and any(_mentions_kind(p) for p in parts):
                lines.append(node.lineno)
        if isinstance(node, ast.Subscript) and _mentions_model_kind(node.slice):
            if isinstance(node.value, ast.Name) and node.value.id.isupper():  # a table keyed by kind name
                lines.append(node.lineno)
    return lines


def _mentions_kind(node: ast.AST) -> bool:
    return any(
        (isinstance(n, ast.Attribute) and n.attr == "kind") or (isinstance(n, ast.Name) and n.id == "kind")
        for n in ast.walk(node)
    )


def _mentions_model_kind(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Attribute)
        and n.attr == "kind"
        and isinstance(n.value, ast.Attribute)
        and n.value.attr == "model"
        for n in ast.walk(node)
    )


def test_no_module_outside_the_kinds_registry_tests_the_kind_by_its_name():
    found = []
    for path in sorted((ROOT / "mrmkit").rglob("*.py")):
        if "kinds" in path.relative_to(ROOT / "mrmkit").parts[:1]:
            continue
        for line in _kind_string_tests(ast.parse(path.read_text(encoding="utf-8"))):
            found.append(f"{path.relative_to(ROOT)}:{line}")
    assert not found, "ask the kind (mrmkit.kinds) instead of comparing model.kind with a name: " + ", ".join(found)


def test_the_kind_string_scan_sees_the_forms_it_forbids():
    code = (
        "a = params.model.kind == 'classifier'\nb = kind in ('pd', 'var')\nc = 'var' != ctx.params.model.kind\n"
        "d = TABLE[params.model.kind]\ne = frame['kind'] == 'categorical'\nf = TYPES[kind]\n"
    )
    assert _kind_string_tests(ast.parse(code)) == [1, 2, 3, 4]


def test_notebooks_do_not_test_the_kind_by_its_name():
    for path in sorted((ROOT / "notebooks").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"kind\s*[!=]=\s*['\"]", text), path.name


def test_registering_a_name_twice_is_an_error():
    with pytest.raises(ValueError, match="already registered"):
        kinds.register(kinds.get("pd"))
    with pytest.raises(ValueError, match="already registered"):
        registry.register(workbooks.get("drift"))
    with pytest.raises(ValueError, match="twice"):
        WorkbookSpec("x", "X", 99, "mrmkit.workbooks.drift", (Section("a", "A"), Section("a", "B")))


def test_unknown_names_list_the_known_ones():
    with pytest.raises(KeyError, match="known: pd, classifier, var"):
        kinds.get("lgd")
    with pytest.raises(KeyError, match="known: drift, backtest, champion_challenger, explainability"):
        workbooks.get("stress")


def test_an_expectation_must_cite_sections_that_apply_to_its_kind():
    words = kinds.get("pd").vocabulary
    with pytest.raises(ValueError, match="do not apply"):
        ModelKind(
            name="x",
            noun="x model",
            label="x",
            vocabulary=words,
            scored_on_rows=True,
            calibrated_pd=False,
            decision=None,
            sections=frozenset({"drift.features"}),
            expectations=(Expectation("E", "e", ("backtest.var",), id="E"),),
        )
    with pytest.raises(ValueError, match="must not be empty"):
        Vocabulary("", "", "", "", "", "", "", "", "", "")


def test_every_workbook_is_a_section_of_the_parameter_file_and_a_notebook():
    fields = set(Parameters.model_fields)
    for spec in workbooks.specs():
        assert spec.parameter_section in fields, spec.name
        assert (ROOT / "notebooks" / spec.notebook).is_file(), spec.notebook
        spec.module()  # the package the notebook calls exists and imports


def test_every_section_is_one_heading_of_its_notebook_and_no_heading_is_unregistered():
    for spec in workbooks.specs():
        source = (ROOT / "notebooks" / f"{spec.name}.py").read_text(encoding="utf-8")
        headings = re.findall(r"^# (#{2,3}) (.+)$", source, flags=re.M)
        for section in spec.sections:
            assert headings.count(("#" * section.level, section.title)) == 1, (spec.name, section.title)
        registered = {s.title for s in spec.sections}
        level2 = [title for hashes, title in headings if len(hashes) == 2]
        assert set(level2) <= registered, set(level2) - registered


def test_every_schema_section_names_a_registered_section():
    titles = {s.title for spec in workbooks.specs() for s in spec.sections}
    declared = set(re.findall(r'_section: "([^"]+)"', schema.SCHEMA_FILE.read_text(encoding="utf-8")))
    assert declared <= titles, declared - titles


def test_every_kind_names_real_sections_and_real_parameter_fields():
    every = {f"{spec.name}.{s.id}" for spec in workbooks.specs() for s in spec.sections}
    for name in kinds.names():
        kind = kinds.get(name)
        assert kind.sections <= every, kind.sections - every
        for field, reason in (*kind.required, *kind.refused):
            assert reason, field
            assert field.split(".")[0] in Parameters.model_fields, field
        # every description of a section the kind has reads in the kind's words (no unknown field)
        for section in kind.sections:
            wb, sid = section.split(".")
            workbooks.get(wb).describe(sid, kind.vocabulary)
            scope.tested_sentence((), wb, kind.vocabulary)


def test_given_reads_defaults_from_the_models():
    p = Parameters.model_validate(
        {
            "model": {"id": "m", "version": "1"},
            "data": {"reference": "r.parquet", "current": "c.parquet", "score": "s", "roots": [str(ROOT)]},
            "backtest": {"n_grades": 10},
        },
        context={"base_dir": ROOT},
    )
    assert given(p, "data.reference") and not given(p, "backtest.var") and not given(p, "backtest.n_grades")
    assert not given(p, "champion_challenger.rules.min_auc_gain")  # a section that is absent


def _statuses(kind: str, metrics: dict) -> dict[str, tuple[bool, str | None]]:
    got = scope.package_scope(kind, dict.fromkeys(metrics, "complete"), metrics)
    return {s.id: (s.ran, s.reason) for s in got}


def test_scope_of_a_var_engine_is_its_var_and_es_sections():
    got = _statuses("var", {"backtest": {"var": {"es": {"es_975": {}}}}})
    ran = {k for k, (r, _) in got.items() if r}
    assert ran == {"backtest.findings", "backtest.var", "backtest.es", "backtest.settings"}
    got = _statuses("var", {"backtest": {"var": {"es": {}}}})
    assert got["backtest.es"] == (False, "no expected-shortfall series was given")


def test_scope_says_why_a_section_of_the_kind_did_not_run():
    metrics = {
        "backtest": {
            "pd": {"applicable": False, "reason": "no target column"},
            "stress": None,
            "sensitivity": {"applicable": True},
        }
    }
    got = _statuses("pd", metrics)
    assert got["backtest.pd_calibration"] == (False, "no target column")
    assert got["backtest.stress"] == (False, "no stress scenario was given")
    assert got["backtest.sensitivity"] == (True, None)
    assert got["backtest.var"] == (False, "does not apply to a PD model")
    left = {s.id for s in scope.left_out(scope.package_scope("pd", {"backtest": "complete"}, metrics))}
    assert "backtest.var" not in left and "backtest.stress" in left  # foreign sections are not the kind's scope


def test_tested_sentence_names_only_what_ran():
    metrics = {"backtest": {"sensitivity": {"applicable": True}, "pd": {"applicable": False}, "stress": None}}
    got = scope.package_scope("pd", {"backtest": "complete"}, metrics)
    sentence = scope.tested_sentence(got, "backtest", kinds.get("pd").vocabulary)
    assert sentence == "one-at-a-time sensitivity"
    assert scope.tested_sentence((), "backtest", kinds.get("pd").vocabulary).startswith("nothing")


def test_scope_record_round_trips_through_the_manifest():
    got = scope.package_scope("classifier", {"drift": "complete"}, {"drift": {"windows": {}}})
    assert scope.from_record(scope.to_record(got)) == got


def test_a_failed_workbook_ran_no_section():
    got = scope.package_scope("pd", {"drift": "failed"}, {"drift": {}})
    assert not scope.ran(got) and all(s.reason for s in got)


def test_an_expectation_is_evidenced_by_any_of_its_sections_that_ran():
    """Issue 24: 'sensitivity and stress testing: NOT EVIDENCED' was printed for a package whose sensitivity ran."""
    from mrmkit.present.supervisory import expectation_row as _expectation

    pd_kind = kinds.get("pd")
    (stress_and_sensitivity,) = [e for e in pd_kind.expectations if "stress" in e.source]
    metrics = {"backtest": {"pd": {"applicable": True}, "stress": None, "sensitivity": {"applicable": True}}}
    results = {"backtest": {"status": "complete"}}
    got = scope.package_scope("pd", {"backtest": "complete"}, metrics)
    row = _expectation(stress_and_sensitivity, got, [], results, pd_kind)
    assert row["status"] == "EVIDENCED" and [link["text"] for link in row["links"]] == [
        "Backtest and stress test: Sensitivity"
    ]
    amber = {"workbook": "backtest", "severity": "amber", "metric": "backtest.sensitivity.rows"}
    assert _expectation(stress_and_sensitivity, got, [amber], results, pd_kind)["status"].endswith("AMBER FINDINGS")
    metrics["backtest"]["sensitivity"] = {"applicable": False, "reason": "scores-only mode"}
    got = scope.package_scope("pd", {"backtest": "complete"}, metrics)
    row = _expectation(stress_and_sensitivity, got, [], results, pd_kind)
    assert row["status"] == "NOT EVIDENCED" and "Sensitivity: scores-only mode" in row["why"]
    (monitoring,) = [e for e in pd_kind.expectations if "monitoring" in e.source]
    assert "was not run" in _expectation(monitoring, got, [], results, pd_kind)["why"]
