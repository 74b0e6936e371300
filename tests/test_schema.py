"""The metrics schema (mrmkit/metrics_schema.yaml) and the tables a package keeps beside metrics.json.

Every package the suite builds is validated by the runner against the models built from the schema (the
suite turns the refusal's warning into an error), so an undeclared key fails the test that made it; these
tests check the checker, the keys written in code, the README's key table, and the round trip of the tables.
"""

from __future__ import annotations

import ast
import copy
import json
import math
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mrmkit import evidence
from mrmkit.compare import HISTORY_KEYS, flatten, read_metrics
from mrmkit.errors import PackageError
from mrmkit.evidence import schema, tables

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = ("drift", "backtest", "champion_challenger", "explainability")


def test_unknown_key_wrong_type_and_undeclared_finding_metric_are_reported():
    metrics = {
        "drift": {
            "summary": {"n_features": 3, "n_featurez": 3},
            "features": {"income": {"psi": "high"}, "a.b": {"psi": 0.1}},
            "findings": [
                {
                    "workbook": "drift",
                    "severity": "red",
                    "title": "t",
                    "detail": "d",
                    "metric": "drift.features.income.psy",
                    "value": 1.0,
                    "threshold": None,
                }
            ],
        },
        "nowhere": {},
    }
    problems = evidence.validate(metrics)
    assert "drift.summary.n_featurez: not in the schema" in problems
    assert any(p.startswith("drift.features.income.psi:") and "number" in p for p in problems)
    assert any("drift.features.income.psy" in p for p in problems)
    assert "nowhere: not in the schema" in problems
    assert len(problems) == 4  # a feature named "a.b" is a name from the data, not an unknown key


def test_declared_keys_wildcards_and_dotted_names():
    assert schema.declared("backtest.var.kupiec_pof.p_value")
    assert schema.declared("drift.features.income.psi")
    assert schema.declared("drift.features.a.b.c.psi")  # a feature called "a.b.c"
    assert not schema.declared("drift.features.a.b.c.psi", dotted_names=False)
    assert not schema.declared("backtest.var.kupiec.p_value")
    assert schema.key("explainability.models.*.reason_codes.n_rows", dotted_names=False)
    with pytest.raises(KeyError, match="drift.nope"):
        schema.key("drift.nope")


def test_history_keys_are_declared():
    for key in HISTORY_KEYS:
        assert schema.declared(key, dotted_names=False), key


def _metric_args(tree: ast.AST):
    """The ``metric`` argument of every finding(...) / p_value_finding(...) call written in code."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        if name not in ("finding", "p_value_finding"):
            continue
        for kw in node.keywords:
            if kw.arg == "metric":
                yield kw.value
        if name == "p_value_finding" and len(node.args) >= 5:
            yield node.args[4]


def _pattern(value: ast.AST) -> str | None:
    """A literal key, with each ``{...}`` of an f-string as one name from the data (``*``)."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    if isinstance(value, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "*" for v in value.values)
    return None


def test_every_finding_metric_written_in_code_is_declared():
    checked, problems = 0, []
    for path in sorted((ROOT / "mrmkit").rglob("*.py")):
        for arg in _metric_args(ast.parse(path.read_text(encoding="utf-8"))):
            key = _pattern(arg)
            if key is None or not key.startswith(tuple(f"{w}." for w in WORKBOOKS)):
                continue  # built from a variable: checked in every package the suite records
            checked += 1
            if not schema.declared(key, dotted_names=False):
                problems.append(f"{path.relative_to(ROOT)}:{arg.lineno}: {key}")
    assert checked >= 30, checked  # the scan does find the findings' keys
    assert not problems, problems


def test_report_key_figures_refuse_an_undeclared_key():
    from mrmkit.present import keyfigures

    assert keyfigures._m({"score": {"psi": 0.2}}, "drift", "score.psi") == 0.2
    with pytest.raises(KeyError):
        keyfigures._m({}, "drift", "score.psy")


def test_readme_key_table_is_generated_from_the_schema():
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_readme_keys.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _leaves(node: schema.Node, covered: bool, depth: int, out: list[str]) -> None:
    covered = covered or (bool(node.doc) and depth >= 2)
    if node.kind in ("leaf", "table"):
        if not covered:
            out.append(node.path)
        return
    if node.kind == "records":
        return
    follows = False  # a leaf's meaning covers the undocumented leaves right after it
    for child in node.children.values():
        flat = child.kind in ("leaf", "table")
        if flat and child.doc:
            follows = True
        elif not flat:
            follows = False
        _leaves(child, covered or (follows and flat), depth + 1, out)


def test_every_key_has_a_meaning_below_its_workbook():
    missing: list[str] = []
    _leaves(schema.load(), False, 0, missing)
    assert not missing, missing[:20]


# ------------------------------------------------------------------------------------------ tables


def _metrics_with_tables():
    bins = [
        {
            "label": "(-inf, 1]",
            "lower": "-inf",
            "upper": 1.0,
            "reference_count": 5,
            "current_share": 0.5,
            "epsilon_applied": False,
        },
        {
            "label": "(1, inf)",
            "lower": 1.0,
            "upper": "inf",
            "reference_count": 7,
            "current_share": None,
            "epsilon_applied": True,
        },
        {
            "label": "missing",
            "lower": None,
            "upper": None,
            "reference_count": 0,
            "current_share": 0.0,
            "epsilon_applied": True,
        },
    ]
    reasons = [
        {"id": "A1", "rank": 1, "code": "R1", "feature": "income", "contribution": 0.25, "statement": "<b>x</b>"}
    ]
    return {
        "drift": {
            "features": {
                "Income": {"psi": 0.1, "psi_table": bins},
                "income": {"psi_table": copy.deepcopy(bins)},
                "../../etc": {"psi_table": copy.deepcopy(bins)},
            },
            "score": {"psi_table": []},
        },
        "explainability": {"models": {"champion": {"reason_codes": {"reasons": reasons}}}},
    }


def test_tables_round_trip_exactly_and_leave_references(tmp_path):
    metrics = _metrics_with_tables()
    stored, files = tables.split(metrics)
    assert metrics == _metrics_with_tables()  # the input is not changed
    tables.write(files, tmp_path)
    text = json.dumps(stored, sort_keys=True)
    assert 'psi_table": [{' not in text and 'reasons": [{' not in text
    assert stored["drift"]["score"]["psi_table"] == []  # an empty table stays inline
    names = sorted(files)
    assert names == [
        "tables/drift.features.______etc.psi_table.parquet",
        "tables/drift.features.income.psi_table-2.parquet",
        "tables/drift.features.income.psi_table.parquet",
        "tables/explainability.models.champion.reason_codes.reasons.parquet",
    ]
    assert all((tmp_path / n).is_file() and (tmp_path / n).resolve().is_relative_to(tmp_path) for n in names)
    assert not evidence.validate(stored)
    back = tables.resolve(json.loads(text), tmp_path)
    assert back == metrics
    assert flatten(back) == flatten(metrics)
    # the stored columns are typed: infinities are floats, counts integers
    table = pq.read_table(tmp_path / "tables/drift.features.income.psi_table.parquet")
    assert table.schema.field("lower").type == pa.float64() and table.schema.field("reference_count").type == pa.int64()
    assert math.isinf(table.column("lower")[0].as_py())


def test_table_files_are_the_same_bytes_every_time(tmp_path):
    for name in ("a", "b"):
        tables.write(tables.split(_metrics_with_tables())[1], tmp_path / name) if (
            tmp_path / name
        ).mkdir() is None else None
    a = {p.name: p.read_bytes() for p in (tmp_path / "a" / "tables").iterdir()}
    b = {p.name: p.read_bytes() for p in (tmp_path / "b" / "tables").iterdir()}
    assert a == b and len(a) == 4


def test_a_table_that_cannot_be_typed_stays_inline():
    mixed = {
        "drift": {
            "score": {"psi_table": [{"label": "a", "lower": 1.0}, {"label": "b", "lower": "x"}]},
            "grade": {"psi_table": [{"label": "a"}, {"label": "b", "lower": 1.0}]},
        }
    }
    stored, files = tables.split(mixed)
    assert files == {} and stored == mixed


@pytest.mark.parametrize(
    "ref, message",
    [
        ({"$table": "../outside.parquet", "rows": 1}, "not a table of the package"),
        ({"$table": "tables/../../x.parquet", "rows": 1}, "not a table of the package"),
        ({"$table": "/etc/passwd", "rows": 1}, "not a table of the package"),
        ({"$table": "tables/missing.parquet", "rows": 1}, "is missing"),
        ({"$table": "tables/garbage.parquet", "rows": 1}, "cannot be read as a table"),
        ({"$table": "tables/link.parquet", "rows": 1}, "cannot be read as a table"),
        ({"$table": "tables/good.parquet", "rows": 5}, "has 1 rows, not the 5"),
        ({"$table": 7, "rows": 1}, "not a table of the package"),
    ],
)
def test_forged_table_references_are_refused(tmp_path, ref, message):
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "garbage.parquet").write_bytes(b"PAR1 not really")
    (tmp_path / "tables" / "link.parquet").symlink_to("/etc/hostname")
    pq.write_table(pa.table({"label": ["a"]}), tmp_path / "tables" / "good.parquet")
    (tmp_path / "metrics.json").write_text(json.dumps({"drift": {"score": {"psi_table": ref}}}))
    with pytest.raises(PackageError, match=message):
        read_metrics(tmp_path)
    assert read_metrics(tmp_path, with_tables=False)["drift"]["score"]["psi_table"] == ref
