"""The validator's part of the report (issue 26): the opinion and its file, document control, the supervisory
map's statuses for every kind, and sections that lacked an input stated as limitations instead of skipped."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import yaml

from mrmkit import kinds
from mrmkit.errors import InvalidParameters
from mrmkit.params import load_parameters
from mrmkit.params.validation import ValidationSection
from mrmkit.present import document, supervisory
from mrmkit.registry import scope as scopes
from tests.conftest import write_params, write_var_params

OPINION = {
    "validator": "V. Alidator (second line)",
    "reviewer": "R. Viewer (head of validation)",
    "opinion": "fit for use with conditions",
    "rationale": "Discrimination holds; calibration of grade 7 is under review.",
    "conditions": ["Use only for applications up to 50,000 EUR."],
    "compensating_controls": ["Manual review of every grade-7 approval."],
    "exclusions": ["The SME portfolio."],
    "limitations": ["The current sample covers six months."],
    "validated_on": "2026-12-01",
    "reviewed_on": "2026-12-03",
    "reviews": {
        "SR11-7.CONCEPTUAL-SOUNDNESS": {
            "by": "V. Alidator",
            "on": "2026-11-20",
            "conclusion": "the variables and their signs are consistent with credit theory",
            "reference": "VAL-2026-17 §3",
        }
    },
    "out_of_scope": {"SR11-7.IMPLEMENTATION": "tested by IT audit in 2026 (IA-2026-4)"},
}


def _load(tmp_path: Path, validation: dict, kind_params=write_params) -> object:
    return load_parameters(kind_params(tmp_path, validation=validation))


# ---- the opinion and its file ------------------------------------------------------------------------------


def test_an_opinion_inline_and_from_a_file_are_the_same_parameters(tmp_path):
    inline = _load(tmp_path, OPINION).validation
    (tmp_path / "opinion.yaml").write_text(yaml.safe_dump({k: v for k, v in OPINION.items() if k != "validator"}))
    from_file = _load(tmp_path, {"validator": OPINION["validator"], "file": "opinion.yaml"}).validation
    assert from_file == inline and inline.final
    assert inline.reviews["SR11-7.CONCEPTUAL-SOUNDNESS"].reference == "VAL-2026-17 §3"
    # the resolved parameters (a package's parameters.yaml) keep the whole opinion, so reproduce needs no file
    params = load_parameters(tmp_path / "params.yaml")
    assert "file" not in yaml.safe_load(params.to_yaml())["validation"]
    assert yaml.safe_load(params.to_yaml())["validation"]["opinion"] == "fit for use with conditions"


def test_without_an_opinion_or_a_date_the_document_is_a_draft(tmp_path):
    assert not ValidationSection().final and document.document_status(ValidationSection()) == "DRAFT"
    no_review_date = {k: v for k, v in OPINION.items() if k != "reviewed_on"}
    assert document.document_status(_load(tmp_path, no_review_date).validation) == "DRAFT"
    assert document.document_status(_load(tmp_path, OPINION).validation) == "FINAL"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"opinion": "fine"}, "validation.opinion"),
        ({"rationale": None}, "rationale: state why the model is 'fit for use with conditions'"),
        ({"conditions": []}, "conditions: 'fit for use with conditions' needs at least one condition"),
        ({"opinion": "fit for use"}, "conditions: conditions of use go with the opinion"),
        ({"reviewed_on": "2026-11-01"}, "reviewed_on: the reviewer signs (2026-11-01) after the validator"),
        ({"reviews": {"SR11-7.USE": {"by": "x", "on": "2026-01-01"}}}, "validation.reviews.SR11-7.USE.conclusion"),
        ({"out_of_scope": {"SR11-7.CONCEPTUAL-SOUNDNESS": "no"}}, "is also out of scope"),
        (
            {"out_of_scope": {"BASEL.VAR-BACKTEST": "n/a"}},
            "'BASEL.VAR-BACKTEST' is not a supervisory expectation of a PD model",
        ),
        ({"document_version": ""}, "validation.document_version"),
        ({"colour": "red"}, "unknown key 'validation.colour'"),
    ],
)
def test_a_bad_opinion_is_one_sentence_naming_the_file_and_the_field(tmp_path, change, message):
    validation = {k: v for k, v in {**OPINION, **change}.items() if v is not None}
    with pytest.raises(InvalidParameters, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        _load(tmp_path, validation)
    assert str(info.value).startswith(str(tmp_path / "params.yaml")) and info.value.exit_code == 2
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("content", "where", "message"),
    [
        ({"opinion": "fit for use", "rationale": "ok", "colour": "x"}, "file", "validation.colour"),
        ({"opinion": "fit for use"}, "file", "rationale: state why"),
        (["fit for use"], "file", "a validation file is a YAML mapping"),
        ({"validator": "someone else"}, "file", "validation.validator: also given in"),
        ({"file": "other.yaml"}, "file", "cannot name another one"),
    ],
)
def test_a_bad_opinion_file_names_that_file_and_the_field(tmp_path, content, where, message):
    (tmp_path / "opinion.yaml").write_text(yaml.safe_dump(content))
    with pytest.raises(InvalidParameters, match=message) as info:
        _load(tmp_path, {"validator": "V", "file": "opinion.yaml"})
    assert str(info.value).startswith(str((tmp_path / "opinion.yaml").resolve())), str(info.value)


def test_an_opinion_file_must_be_a_regular_file_inside_the_allowed_folders(tmp_path):
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text("opinion: fit for use\nrationale: ok\n")
    with pytest.raises(InvalidParameters, match="lies outside the parameter file's folder and data.roots"):
        _load(tmp_path, {"file": str(outside)})
    with pytest.raises(InvalidParameters, match="Validation file .*missing.yaml does not exist"):
        _load(tmp_path, {"file": "missing.yaml"})
    os.mkfifo(tmp_path / "fifo.yaml")
    with pytest.raises(InvalidParameters, match="is a FIFO"):  # the bounded reader never waits on it
        _load(tmp_path, {"file": "fifo.yaml"})


# ---- document control ------------------------------------------------------------------------------------


def test_document_control_names_people_key_and_dates_never_the_os_user(tmp_path):
    from mrmkit.params.inventory import inventory_from_dict

    validation = _load(tmp_path, {**OPINION, "classification": "Confidential", "document_version": "2.1"}).validation
    rows = dict(document.document_control(validation, "SHA256:abc"))
    assert rows["Document status"] == "FINAL" and rows["Document version"] == "2.1"
    assert rows["Classification"] == "Confidential" and rows["Signing key"] == "SHA256:abc"
    assert rows["Validator"] == OPINION["validator"] and rows["Reviewer"] == OPINION["reviewer"]
    assert rows["Previous validation"] == rows["Next validation due"] == "not recorded"
    given = ValidationSection(previous_validation="2025-03-31", next_due="2026-03-31")
    rows = dict(document.document_control(given, None))
    assert rows["Previous validation"] == "2025-03-31 (validation section)" and rows["Signing key"].startswith("none")
    inventory = inventory_from_dict(
        {
            "models": [
                {
                    "id": "tiny-pd",
                    "name": "Tiny",
                    "owner": "o",
                    "risk_tier": "low",
                    "status": "production",
                    "parameters": "params.yaml",
                    "frequency": "semiannual",
                    "last_validated": "2025-08-31",
                }
            ]
        },
        tmp_path,
        "inventory.yaml",
    )
    rows = dict(document.document_control(given, None, inventory.models[0]))  # the inventory wins
    assert rows["Previous validation"] == "2025-08-31 (inventory)"
    assert rows["Next validation due"] == "2026-02-28 (inventory)"  # 31 August + 6 months: end of February


# ---- the supervisory map, every kind ---------------------------------------------------------------------


def _row(kind: str, expectation_id: str, statuses, metrics, validation=None, findings=()):
    model_kind = kinds.get(kind)
    got = scopes.package_scope(kind, statuses, metrics)
    return supervisory.expectation_row(
        model_kind.expectation(expectation_id), got, list(findings), statuses, model_kind, validation
    )


_EXPLAINED = {
    "applicable": True,
    "models": {"champion": {"reason_codes": {"applicable": True}, "counterfactuals": {"applicable": True}}},
}


def test_shap_and_lime_alone_never_evidence_conceptual_soundness():
    """Issue 26: CONCEPTUAL_SOUNDNESS was EVIDENCED by the explainability sections alone."""
    row = _row("pd", "SR11-7.CONCEPTUAL-SOUNDNESS", {"explainability": "complete"}, {"explainability": _EXPLAINED})
    assert row["status"] == "NOT EVIDENCED" and "no review is recorded" in row["why"]
    assert [link["text"] for link in row["supporting"]] == [
        "Explainability: Global explanations",
        "Explainability: Checks: additivity and stability",
    ]
    reviewed = ValidationSection(
        reviews={"SR11-7.CONCEPTUAL-SOUNDNESS": {"by": "V", "on": "2026-11-20", "conclusion": "sound"}}
    )
    row = _row("pd", "SR11-7.CONCEPTUAL-SOUNDNESS", {}, {}, reviewed)
    assert row["status"] == "EVIDENCED" and row["review"]["conclusion"] == "sound" and row["css"] != "green"


@pytest.mark.parametrize("kind", kinds.names())
def test_every_expectation_of_every_kind_has_a_status_and_review_only_ones_need_a_review(kind):
    model_kind = kinds.get(kind)
    rows = supervisory.supervisory_map(model_kind, (), [], {}, ValidationSection())
    assert [r["id"] for r in rows] == [e.id for e in model_kind.expectations]
    assert {r["status"] for r in rows} == {"NOT EVIDENCED"}  # nothing ran, nothing reviewed
    for expectation in model_kind.expectations:
        assert expectation.id and expectation.source
    review_only = {e.id for e in model_kind.expectations if e.needs_review}
    assert {
        "SR11-7.CONCEPTUAL-SOUNDNESS",
        "SR11-7.DOCUMENTATION",
        "SR11-7.IMPLEMENTATION",
        "SR11-7.DATA-LINEAGE",
    } <= review_only
    chosen = sorted(review_only)[0]
    excluded = ValidationSection(out_of_scope={chosen: "covered by the 2025 full validation"})
    row = supervisory.supervisory_map(model_kind, (), [], {}, excluded)[
        [e.id for e in model_kind.expectations].index(chosen)
    ]
    assert row["status"] == "OUT OF SCOPE" and "covered by the 2025 full validation" in row["why"]


def test_pd_map_statuses_from_what_ran():
    backtest = {
        "pd": {"applicable": True, "windows": {"2025-01": {}}},
        "stress": None,
        "sensitivity": {"applicable": False, "reason": "scores-only mode: sensitivity needs the model"},
    }
    statuses = {"backtest": "complete"}
    red = {"workbook": "backtest", "severity": "red", "metric": "backtest.pd.calibration.grades"}
    row = _row("pd", "ECB-IRB.PD-CALIBRATION", statuses, {"backtest": backtest}, findings=[red])
    assert row["status"] == "EVIDENCED, WITH RED FINDINGS" and row["css"] == "red"
    row = _row("pd", "SR11-7.SENSITIVITY", statuses, {"backtest": backtest})
    assert row["status"] == "NOT EVIDENCED"
    assert row["why"] == (
        "input missing: Stress scenarios: no stress scenario was given; input missing: Sensitivity: scores-only "
        "mode: sensitivity needs the model"
    )
    row = _row("pd", "SR11-7.BENCHMARKING", statuses, {"backtest": backtest})
    assert row["why"] == "input missing: the champion and challenger workbook was not run"


def test_reg_b_without_a_reason_code_table_is_not_evidenced_and_without_declines_not_applicable():
    no_table = {
        "applicable": True,
        "models": {
            "champion": {
                "reason_codes": {"applicable": False, "reason": "no reason-code table (explainability.reason_codes)"}
            }
        },
    }
    row = _row("pd", "REG-B.ADVERSE-ACTION", {"explainability": "complete"}, {"explainability": no_table})
    assert row["status"] == "NOT EVIDENCED"
    assert row["why"] == "input missing: Reason codes: no reason-code table (explainability.reason_codes)"
    from mrmkit.registry.builtin import NOTHING_DECLINED

    none = {
        "applicable": True,
        "models": {"champion": {"reason_codes": {"applicable": False, "reason": NOTHING_DECLINED}}},
    }
    row = _row("pd", "REG-B.ADVERSE-ACTION", {"explainability": "complete"}, {"explainability": none})
    assert row["status"] == "NOT APPLICABLE" and row["why"] == f"not applicable: Reason codes: {NOTHING_DECLINED}"


def test_classifier_map_statuses():
    cc = {
        "labelled": {"applicable": True},
        "alerts": {"applicable": True},
        "fairness": {"applicable": False, "reason": "no protected attribute (data.protected)"},
    }
    statuses = {"champion_challenger": "complete"}
    assert _row("classifier", "SR11-7.BENCHMARKING", statuses, {"champion_challenger": cc})["status"] == "EVIDENCED"
    row = _row("classifier", "ALERT-FAIRNESS", statuses, {"champion_challenger": cc})
    assert row["status"] == "NOT EVIDENCED" and row["why"].startswith("input missing: Fairness guardrails")


def test_var_map_statuses():
    statuses = {"backtest": "complete"}
    metrics = {"backtest": {"var": {"levels": {}}}}
    assert _row("var", "BASEL.VAR-BACKTEST", statuses, metrics)["status"] == "EVIDENCED"
    row = _row("var", "ES.BACKTEST", statuses, metrics)
    assert (
        row["status"] == "NOT EVIDENCED"
        and row["why"] == "input missing: Expected shortfall: no expected-shortfall series was given"
    )
    row = _row("var", "BASEL.PL-ATTRIBUTION", statuses, metrics)
    assert row["status"] == "NOT EVIDENCED" and "no review is recorded" in row["why"]
    assert "REG-B.ADVERSE-ACTION" not in [e.id for e in kinds.get("var").expectations]  # no applicants


# ---- every scope rule: moot (not applicable) or an input missing (a limitation) -----------------------------


def _missing(kind: str, workbook: str, section: str, metrics: dict) -> tuple[bool, str]:
    (s,) = [s for s in scopes.package_scope(kind, {workbook: "complete"}, {workbook: metrics}) if s.section == section]
    assert not s.ran and s.applies, (workbook, section)
    return s.missing, s.reason


_SCRIPTS = "scores-only mode: explanations need the model as an artifact (model.artifact, challenger.artifact)"


@pytest.mark.parametrize(
    ("kind", "workbook", "section", "metrics", "missing"),
    [
        ("pd", "drift", "over_time", {}, True),
        ("pd", "drift", "bin_tables", {"features": {"x": {"status": "green"}}}, False),
        (
            "pd",
            "backtest",
            "pd_discrimination",
            {"pd": {"applicable": False, "reason": "no target column (data.target)"}},
            True,
        ),
        (
            "pd",
            "backtest",
            "pd_calibration",
            {"pd": {"applicable": False, "reason": "no target column (data.target)"}},
            True,
        ),
        (
            "pd",
            "backtest",
            "concentration",
            {"pd": {"applicable": False, "reason": "no target column (data.target)"}},
            True,
        ),
        ("pd", "backtest", "over_time", {"pd": {"applicable": True}}, True),
        ("pd", "backtest", "stress", {"stress": None}, True),
        ("pd", "backtest", "stress", {"stress": {"applicable": False, "reason": "scores-only mode"}}, True),
        ("pd", "backtest", "sensitivity", {"sensitivity": {"applicable": False, "reason": "scores-only mode"}}, True),
        (
            "classifier",
            "backtest",
            "classifier_operating_point",
            {"classifier": {"applicable": False, "reason": "no target"}},
            True,
        ),
        ("var", "backtest", "var", {}, True),
        ("var", "backtest", "es", {"var": {"levels": {}}}, True),
        ("pd", "champion_challenger", "offline", {"labelled": {"applicable": False, "reason": "no target"}}, True),
        ("pd", "champion_challenger", "decisions", {"labelled": {"applicable": True}}, True),
        ("pd", "champion_challenger", "calibration", {"labelled": {"applicable": True}}, True),
        ("pd", "champion_challenger", "shadow", {}, False),
        ("pd", "champion_challenger", "ab", {}, False),
        (
            "pd",
            "champion_challenger",
            "fairness",
            {"fairness": {"applicable": False, "reason": "no protected attribute"}},
            True,
        ),
        (
            "classifier",
            "champion_challenger",
            "alerts",
            {"alerts": {"applicable": False, "reason": "single class"}},
            True,
        ),
        ("pd", "explainability", "global", {"applicable": False, "reason": _SCRIPTS}, True),
        ("pd", "explainability", "local", {"applicable": False, "reason": _SCRIPTS}, True),
        ("pd", "explainability", "checks", {"applicable": False, "reason": _SCRIPTS}, True),
        ("pd", "explainability", "reason_codes", {"applicable": False, "reason": _SCRIPTS}, True),
        (
            "pd",
            "explainability",
            "counterfactuals",
            {
                "applicable": True,
                "models": {
                    "champion": {
                        "counterfactuals": {
                            "applicable": False,
                            "reason": "no actionable features (explainability.actionable)",
                        }
                    }
                },
            },
            False,
        ),
        (
            "pd",
            "explainability",
            "counterfactuals",
            {
                "applicable": True,
                "models": {
                    "champion": {
                        "counterfactuals": {
                            "applicable": False,
                            "reason": "no feature is declared actionable in the parameter file",  # issue 27's words
                        }
                    }
                },
            },
            False,
        ),
        (
            "classifier",
            "explainability",
            "reason_codes",
            {
                "applicable": True,
                "models": {
                    "champion": {"reason_codes": {"applicable": False, "reason": "no case of the sample is alerted"}}
                },
            },
            False,
        ),
    ],
)
def test_every_scope_rule_says_whether_an_input_is_missing(kind, workbook, section, metrics, missing):
    got, reason = _missing(kind, workbook, section, metrics)
    assert got is missing, reason


def test_a_failed_workbook_is_a_limitation_and_the_record_keeps_the_flag():
    got = scopes.package_scope("pd", {"drift": "failed"}, {"drift": {}})
    assert scopes.limitations(got) and all(s.missing for s in scopes.limitations(got))
    assert scopes.from_record(scopes.to_record(got)) == got


# ---- a PD model with declines and no reason-code table: a limitation, not a silent skip -------------------------


@pytest.mark.slow
def test_missing_reason_codes_on_a_pd_model_with_declines_is_a_stated_limitation(tiny_model):
    """Issue 26: without a reason-code table the reason codes were skipped with no finding and the map called
    ECOA "not applicable", while 40% of the applications were declined. Seeded: the tiny portfolio's model,
    its cut-off at the 60th percentile of the current PD (40% declined)."""
    import pandas as pd

    from mrmkit.io import load_inputs
    from mrmkit.workbooks import explainability as xb
    from mrmkit.workbooks.context import load_context, preflight

    project = tiny_model.parent.parent
    current = pd.read_parquet(project / "data" / "current.parquet")
    import skops.io as sio

    model = sio.load(tiny_model, trusted=sio.get_untrusted_types(file=tiny_model))
    from tests.conftest import FEATURES

    pd_current = model.predict_proba(current[FEATURES])[:, 1]
    cutoff = float(np.quantile(pd_current, 0.60))
    path = write_params(
        project,
        model={"id": "tiny-pd", "version": "1.0", "artifact": "models/model.skops", "trusted_types": ["numpy.dtype"]},
        data__score=None,
        policy={"cutoff": cutoff},
        drift=None,
        explainability={
            "models": ["champion"],
            "sample_size": 200,
            "background_size": 30,
            "lime_samples": 200,
            "lime_seeds": 2,
            "n_counterfactuals": 0,
        },
    )
    params = load_parameters(path)
    preflight(params, load_inputs(params), ["explainability"])
    metrics = xb.analyse(load_context(params.model_dump(mode="json"))).metrics()
    assert 0.35 < float(np.mean(pd_current > cutoff)) < 0.45
    got = scopes.package_scope("pd", {"explainability": "complete"}, {"explainability": metrics})
    kind = kinds.get("pd")
    rows = supervisory.supervisory_map(kind, got, [], {"explainability": {"status": "complete"}}, params.validation)
    (reg_b,) = [r for r in rows if r["id"] == "REG-B.ADVERSE-ACTION"]
    assert reg_b["status"] == "NOT EVIDENCED" and reg_b["why"].startswith(
        "input missing: Reason codes: no reason-code table"
    )
    stated = document.limitations(params.validation, got, {"explainability": {}}, kind, rows)
    assert any(
        "Reason codes did not run (input missing: no reason-code table" in limitation["text"]
        and "REG-B.ADVERSE-ACTION" in limitation["text"]
        for limitation in stated
    ), stated


def test_var_params_accept_its_own_expectation_ids(tmp_path):
    var = {"data": "pnl.csv", "levels": {"var99": 0.99}}
    (tmp_path / "pnl.csv").write_text("pnl,var99\n1,2\n")
    path = write_var_params(tmp_path, var)
    raw = yaml.safe_load(path.read_text())
    raw["validation"] = {"out_of_scope": {"BASEL.PL-ATTRIBUTION": "the desk has no IMA approval"}}
    path.write_text(yaml.safe_dump(raw))
    assert load_parameters(path).validation.out_of_scope == {"BASEL.PL-ATTRIBUTION": "the desk has no IMA approval"}
    raw["validation"] = {"out_of_scope": {"REG-B.ADVERSE-ACTION": "x"}}
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(InvalidParameters, match="not a supervisory expectation of a VaR engine"):
        load_parameters(path)


def test_a_run_from_an_inventory_finds_its_entry_by_path_then_by_id(tmp_path):
    from mrmkit.run.runner import _inventory_entry

    path = write_params(tmp_path)
    params = load_parameters(path)
    entry = {"name": "T", "owner": "o", "risk_tier": "low", "status": "production", "frequency": "annual"}
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        yaml.safe_dump(
            {
                "models": [
                    {**entry, "id": "other", "parameters": "params.yaml", "last_validated": "2025-01-31"},
                    {**entry, "id": "tiny-pd", "parameters": "elsewhere.yaml", "last_validated": "2024-01-31"},
                ]
            }
        )
    )
    assert _inventory_entry(None, params, path) is None
    assert _inventory_entry(inventory, params, path).id == "other"  # the entry naming this very file
    assert _inventory_entry(inventory, params, tmp_path / "copy.yaml").id == "tiny-pd"  # else the model id
    rows = dict(document.document_control(params.validation, None, _inventory_entry(inventory, params, path)))
    assert rows["Next validation due"] == "2026-01-31 (inventory)"
