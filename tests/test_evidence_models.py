"""Typed evidence: the workbooks' pydantic models, the one serialiser and the JSON Schema of metrics.json.

Fast: no notebook runs here (the packages' schema files are checked in test_end_to_end.py and
test_demo_end_to_end.py, on the packages those modules build).
"""

from __future__ import annotations

import json
import os

import jsonschema
import pydantic
import pytest

from mrmkit import evidence
from mrmkit.evidence import metrics as evidence_metrics
from mrmkit.evidence import models, scrap, tables

BINS = [
    {"label": "(-inf, 1]", "lower": "-inf", "upper": 1.0, "reference_count": 5, "epsilon_applied": False},
    {"label": "(1, inf)", "lower": 1.0, "upper": "inf", "reference_count": 7, "epsilon_applied": True},
]


def _drift() -> dict:
    return {
        "summary": {"n_features": 2, "retraining_signal": False, "status_counts": {"green": 1, "n/a": 1}},
        "features": {"income": {"psi": 0.12, "status": "amber", "psi_table": BINS}, "a.b": {"psi": "inf"}},
        "windows": {"2025-01": {"n": 800, "judged": True, "features": {"income": 0.01}}},
        "findings": [
            {
                "workbook": "drift",
                "severity": "amber",
                "title": "t",
                "detail": "d",
                "metric": "drift.features.a.b.psi",  # a feature called "a.b", recorded above
                "value": 0.12,
                "threshold": None,
            }
        ],
    }


def test_valid_metrics_pass_and_no_switch_is_involved():
    assert not any(k.startswith("MRMKIT_SCHEMA") for k in os.environ)
    assert evidence.validate({"drift": _drift()}) == []
    assert evidence.validate({"champion_challenger": {"fairness": {"applicable": True, "sex": {}}}}) == []


def test_an_undeclared_key_fails_at_every_depth():
    tree = _drift()
    tree["summary"]["n_featurez"] = 2
    tree["features"]["income"]["psy"] = 0.1
    tree["findings"][0]["extra"] = 1
    assert evidence.validate({"drift": tree, "fraud": {}}) == [
        "drift.summary.n_featurez: not in the schema",
        "drift.features.income.psy: not in the schema",
        "drift.findings[0].extra: not in the schema",
        "fraud: not in the schema",
    ]
    # a key beside a "<name>" entry is one of those entries, typed as such
    assert evidence.validate({"champion_challenger": {"fairness": {"sex": {"nope": 1}}}}) == [
        "champion_challenger.fairness.sex.nope: not in the schema"
    ]


@pytest.mark.parametrize(
    ("where", "value", "problem"),
    [
        (("summary", "n_features"), 2.5, "drift.summary.n_features: 2.5 is not of type int"),
        (("summary", "n_features"), True, "drift.summary.n_features: True is not of type int"),
        (("features", "income", "psi"), True, "drift.features.income.psi: True is not of type number"),
        (("features", "income", "psi"), "high", "drift.features.income.psi: 'high' is not of type number"),
        (("features", "income", "psi"), float("nan"), "drift.features.income.psi: nan is not of type number"),
        (("features", "income", "status"), 3, "drift.features.income.status: 3 is not of type string"),
        (("summary", "retraining_signal"), "no", "drift.summary.retraining_signal: 'no' is not of type bool"),
        (("summary",), [1], "drift.summary: [1] should be a group of keys"),
        (("findings",), {"a": 1}, "drift.findings: {'a': 1} should be a list"),
    ],
)
def test_a_value_of_the_wrong_type_fails(where, value, problem):
    tree = _drift()
    parent = tree
    for part in where[:-1]:
        parent = parent[part]
    parent[where[-1]] = value
    assert evidence.validate({"drift": tree}) == [problem]


def test_tables_are_rows_or_their_file_reference():
    tree = _drift()
    tree["features"]["income"]["psi_table"] = [{"label": "a", "colour": "red"}, {"label": 1}]
    assert evidence.validate({"drift": tree}) == [
        "drift.features.income.psi_table[0].colour: not in the schema",
        "drift.features.income.psi_table[1].label: 1 is not of type string",
    ]
    stored, _ = tables.split({"drift": _drift()})
    assert stored["drift"]["features"]["income"]["psi_table"]["$table"].startswith("tables/")
    assert evidence.validate(stored) == []
    stored["drift"]["features"]["income"]["psi_table"]["rows"] = "2"
    assert evidence.validate(stored) == ["drift.features.income.psi_table.rows: Input should be a valid integer"]


def test_a_finding_must_name_a_declared_key():
    tree = _drift()
    tree["findings"][0]["metric"] = "drift.features.income.psy"
    assert evidence.validate({"drift": tree}) == [
        "drift.findings[0].metric: the finding's metric 'drift.features.income.psy' is not a declared key"
    ]
    tree["findings"][0]["metric"] = "drift.features.x.y.psi"  # fits "<feature>" only as a feature "x.y"...
    assert len(evidence.validate({"drift": tree})) == 1  # ...which was not recorded


def test_the_models_are_frozen_typed_and_forbid_extra_keys():
    drift = models.workbook_model("drift")
    parsed = drift.model_validate(_drift(), by_alias=True)
    assert parsed.summary.n_features == 2 and parsed.features["income"].psi == 0.12
    assert parsed.summary.status_counts.k_n_a == 1  # "n/a" is not an identifier: a field aliased to the key
    assert parsed.features["income"].psi_table[1].upper == "inf"
    with pytest.raises(pydantic.ValidationError):
        parsed.summary.n_features = 3
    assert drift.model_config["extra"] == "forbid" and drift.model_config["frozen"]
    assert models.workbooks() == ("drift", "backtest", "champion_challenger", "explainability")
    schema = models.metrics_model().model_json_schema(by_alias=True)
    assert set(schema["properties"]) == set(models.workbooks()) and schema["additionalProperties"] is False


def test_one_serialiser_gives_todays_bytes():
    tree = {"drift": _drift(), "explainability": {"models": {"é": {"n_rows": 3}}}}
    before = json.dumps(tree, indent=2, sort_keys=True, allow_nan=False, ensure_ascii=False) + "\n"
    assert evidence.dumps(tree) == before  # the runner's json.dumps until now
    with pytest.raises(ValueError):
        evidence.dumps({"drift": {"summary": {"n_features": float("nan")}}})


def test_the_json_schema_accepts_what_the_models_accept_and_refuses_the_rest(tmp_path):
    path = evidence.write_schema(tmp_path)
    assert path.name == "metrics.schema.json" == evidence.SCHEMA_NAME
    assert path.read_text(encoding="utf-8") == evidence_metrics.json_schema()  # the same bytes every time
    validator = jsonschema.Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))
    validator.check_schema(validator.schema)
    stored, _ = tables.split({"drift": _drift()})
    assert list(validator.iter_errors(json.loads(evidence.dumps(stored)))) == []
    assert list(validator.iter_errors({"drift": _drift()})) == []  # tables inline are valid too
    undeclared, wrong = _drift(), _drift()
    undeclared["summary"]["n_featurez"] = 1
    wrong["features"]["income"]["psi"] = True
    for bad in ({"drift": undeclared}, {"drift": wrong}, {"fraud": {}}):
        assert evidence.validate(bad), bad
        assert list(validator.iter_errors(bad)), bad


def test_the_recorder_refuses_metrics_the_model_refuses():
    with pytest.raises(evidence.InvalidEvidence, match="drift.summary.n_featurez: not in the schema"):
        scrap.record("metrics", {"summary": {"n_featurez": 1}}, workbook="drift")


def test_the_runner_publishes_refused_metrics_as_a_failed_workbook():
    with pytest.warns(evidence.EvidenceWarning, match="not in the schema"):
        published, error = evidence.admit("drift", {"summary": {"n_featurez": 1}}, None)
    assert published == {}
    assert error.startswith("InvalidEvidence: the drift workbook recorded metrics")
    assert "drift.summary.n_featurez: not in the schema" in error and "bug of mrmkit's" in error
    # a workbook the recorder stopped is a refusal too, and warns the same way
    stopped = "InvalidEvidence: the drift workbook recorded metrics ..."
    with pytest.warns(evidence.EvidenceWarning):
        assert evidence.admit("drift", {}, stopped) == ({}, stopped)
    assert evidence.admit("drift", _drift(), None) == (_drift(), None)
    assert evidence.admit("drift", {}, "RuntimeError: boom") == ({}, "RuntimeError: boom")


def test_typed_keys_are_the_models_fields_and_refuse_a_typo():
    from mrmkit.evidence.keys import KEYS

    psi = KEYS.drift.features["*"].psi
    assert psi.dotted == "drift.features.*.psi" and psi.type == "number"
    assert KEYS.drift.summary.status_counts.k_n_a.dotted == "drift.summary.status_counts.n/a"  # as the model
    assert KEYS.drift.summary.status_counts["n/a"] == KEYS.drift.summary.status_counts.k_n_a
    assert KEYS.champion_challenger.fairness.applicable.type == "bool"  # a named child beside "<attribute>"
    assert KEYS.champion_challenger.fairness["*"].dotted == "champion_challenger.fairness.*"
    with pytest.raises(AttributeError, match="drift has no key 'scor'"):
        _ = KEYS.drift.scor
    with pytest.raises(KeyError, match="no entries named from the data"):
        _ = KEYS.drift.score["*"]
    with pytest.raises(KeyError, match="backtest.nope is not a key"):
        _ = KEYS.backtest["nope"]
    tree = {"drift": _drift()}
    assert list(psi.values(tree)) == [(("income",), 0.12), (("a.b",), "inf")]  # a name from the data keeps its dots
    assert list(KEYS.drift.score.psi.values(tree)) == []  # absent: nothing
    parsed = models.workbook_model("drift").model_validate(tree["drift"], by_alias=True)
    assert parsed.features["income"].psi == next(psi.values(tree))[1]  # the same field, read either way


def test_the_exports_read_typed_keys():
    from mrmkit.evidence.keys import Key
    from mrmkit.export.mlflow_log import HEADLINE
    from mrmkit.export.prometheus import SOURCES

    assert all(isinstance(key, Key) for key in HEADLINE)
    assert all(isinstance(key, Key) for _, key, _ in SOURCES)
    assert {key.type for key in HEADLINE} <= {"number", "int"}
