"""The remediation register (mrmkit.remediation) without notebooks: ids kept across validations, the follow-up
of each register issue against new evidence, overdue remediation as an issue, `mrmkit issue update/list`, bad
input refused with nothing written, forged registers and tampered audit lines caught by `mrmkit audit verify`,
concurrent changes, and what `list --inventory` and the Prometheus export show."""

from __future__ import annotations

import json
import threading
from datetime import date
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from mrmkit import conclude
from mrmkit.cli import app
from mrmkit.conclude import record as issue_record
from mrmkit.evidence import audit
from mrmkit.evidence.manifest import write_manifest
from mrmkit.export.prometheus import export_prometheus, parse_now
from mrmkit.remediation import check, follow, load, record, update
from mrmkit.remediation.state import register_path

runner = CliRunner()
CAL = {
    "severity": "red",
    "metric": "backtest.pd.calibration.hosmer_lemeshow.p_value",
    "title": "HL",
    "workbook": "backtest",
}
DRF = {"severity": "amber", "metric": "drift.features.income.psi", "title": "PSI of income", "workbook": "drift"}
DIS = {"severity": "amber", "metric": "backtest.pd.discrimination.current.auc", "title": "AUC", "workbook": "backtest"}
BOTH = ["backtest", "drift"]


def validate(out: Path, findings: list[dict], when: date, run_id: str, assessed=BOTH) -> tuple[list, list]:
    """What the publisher does: ids from the register, the follow-up, then the new issues recorded."""
    register = load(out, "m")
    issues = conclude.build(findings, {}, None, register.known())
    issues, rows = follow(register, issues, when, assessed)
    (out / "m").mkdir(parents=True, exist_ok=True)
    audit.append(out / audit.AUDIT_LOG, {"action": "note", "run": run_id})  # stands for the run's own line
    record(out, "m", issues, run_id)
    return issues, rows


def by_id(rows: list[dict]) -> dict[str, dict]:
    return {r["id"]: r for r in rows}


def snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def verify_cli(out: Path):
    return runner.invoke(app, ["audit", "verify", str(out / audit.AUDIT_LOG)])


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    validate(folder, [CAL, DRF, DIS], date(2026, 1, 15), "run1")
    return folder


def test_new_issues_enter_the_register_open_and_keep_their_ids(out: Path) -> None:
    register = load(out, "m")
    assert {e.id: (e.key, e.status, e.opened_in) for e in register.entries.values()} == {
        "CAL-01": ("CAL", "open", "run1"),
        "DIS-01": ("DIS", "open", "run1"),
        "DRF-01": ("DRF", "open", "run1"),
    }
    lines = [r for r in audit.read(out / audit.AUDIT_LOG) if r["action"] == "issue"]
    assert [(r["change"], r["issue_id"], r["run_id"]) for r in lines] == [
        ("opened", i, "run1") for i in ("CAL-01", "DIS-01", "DRF-01")
    ]
    # a VaR issue per level: the second validation shows a new level before the known one in reading order;
    # the known key keeps its id, the new key takes the next free number of its code
    var = {"severity": "amber", "metric": "backtest.var.levels.var_99.kupiec_pof.p_value", "workbook": "backtest"}
    validate(out, [var], date(2026, 2, 1), "run2")
    worse = {**var, "severity": "red", "metric": "backtest.var.levels.var_975.kupiec_pof.p_value"}
    issues, _ = validate(out, [worse, var], date(2026, 3, 1), "run3")
    assert [(i.key, i.id) for i in issues if i.type == "VAR"] == [
        ("VAR:level=var_975", "VAR-02"),
        ("VAR:level=var_99", "VAR-01"),
    ]
    assert sorted(load(out, "m").entries) == ["CAL-01", "DIS-01", "DRF-01", "VAR-01", "VAR-02"]
    assert check(out) == [] and verify_cli(out).exit_code == 0


def test_follow_up_still_no_longer_not_assessed_observed_again_and_overdue(out: Path) -> None:
    update(out, "m", "CAL-01", owner="Retail modelling", due="2026-03-31")
    update(out, "m", "DIS-01", status="in-progress", owner="Retail modelling", due="2026-12-31")
    update(out, "m", "DRF-01", status="closed", note="feed corrected")
    # second validation on 2026-06-30: calibration still fails, discrimination passes, drift did not run
    issues, rows = validate(out, [CAL], date(2026, 6, 30), "run2", assessed=["backtest"])
    rows = by_id(rows)
    assert rows["CAL-01"]["observation"] == "still observed" and rows["CAL-01"]["overdue"] is True
    assert rows["DIS-01"]["observation"] == "no longer observed" and rows["DIS-01"]["status"] == "in-progress"
    assert not rows["DIS-01"]["overdue"]  # due 2026-12-31
    assert "DRF-01" not in rows  # closed and not shown again
    rem = next(i for i in issues if i.type == "REM")
    assert rem.key == "REM:issue=CAL-01" and rem.id == "REM-01" and rem.scope == ["CAL-01"]
    assert rem.severity == "high"  # underlying high and still observed
    assert "due 2026-03-31, 91 days ago" in rem.title
    assert conclude.proposed_rating(issues, False) == "red"
    # a third validation: drift shows DRF again (reopened), CAL is gone but its remediation still overdue
    issues, rows = validate(out, [DRF], date(2026, 7, 31), "run3")
    rows = by_id(rows)
    assert rows["DRF-01"]["observation"] == "observed again" and rows["DRF-01"]["status"] == "open"
    assert load(out, "m").entries["DRF-01"].status == "open"
    assert rows["CAL-01"]["observation"] == "no longer observed" and rows["CAL-01"]["overdue"]
    rem = next(i for i in issues if i.type == "REM")
    assert rem.id == "REM-01" and rem.severity == "medium" and rem.observation == "still observed"
    issues, rows = validate(out, [], date(2026, 7, 31), "run4", assessed=[])
    assert by_id(rows)["DRF-01"]["observation"] == "not assessed"


def test_medium_issue_overdue_is_a_medium_remediation_issue(out: Path) -> None:
    update(out, "m", "DRF-01", due="2026-01-31")
    issues, _ = validate(out, [DRF], date(2026, 2, 1), "run2")
    rem = next(i for i in issues if i.type == "REM")
    assert rem.severity == "medium" and "due 2026-01-31, 1 day ago" in rem.title
    update(out, "m", "DRF-01", status="remediated")  # remediated: no longer owed, so not overdue
    issues, rows = validate(out, [DRF], date(2026, 3, 1), "run3")
    assert [i for i in issues if i.type == "REM"] == []
    assert by_id(rows)["REM-01"]["observation"] == "no longer observed" and not by_id(rows)["DRF-01"]["overdue"]


def test_update_cli_and_list(out: Path) -> None:
    done = runner.invoke(
        app, ["issue", "update", str(out), "m", "DRF-01", "--status", "risk-accepted", "--approver", "CRO A. Smith"]
    )
    assert done.exit_code == 0, done.output
    entry = load(out, "m").entries["DRF-01"]
    assert (entry.status, entry.approver) == ("risk-accepted", "CRO A. Smith")
    line = audit.read(out / audit.AUDIT_LOG)[-1]
    assert (line["action"], line["change"], line["issue_id"], line["entry"]["status"]) == (
        "issue",
        "updated",
        "DRF-01",
        "risk-accepted",
    )
    listed = runner.invoke(app, ["issue", "list", str(out), "m"], terminal_width=200)
    assert listed.exit_code == 0 and "risk accepted by CRO A. Smith" in listed.output and "CAL-01" in listed.output


BAD = [
    (["m", "CAL-01", "--status", "done"], "--status: choose one of"),
    (["m", "CAL-01", "--status", "risk-accepted"], "--approver:"),
    (["m", "CAL-01", "--due", "31/03/2027"], "--due: expected a date YYYY-MM-DD"),
    (["m", "CAL-01", "--due", "2027-02-30"], "--due: expected a date YYYY-MM-DD"),
    (["m", "XYZ-09", "--status", "closed"], "ISSUE_ID: the model 'm' has no issue 'XYZ-09'"),
    (["nope", "CAL-01", "--status", "closed"], "MODEL_ID: no validation of the model 'nope'"),
    (["../m", "CAL-01", "--status", "closed"], "MODEL_ID: no validation of the model '../m'"),
    (["m", "CAL-01"], "nothing to change"),
    (["m", "CAL-01", "--owner", "  "], "--owner: is empty"),
    (["m", "CAL-01", "--status", "open"], "already records these values"),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_is_one_sentence_exit_2_nothing_written(out: Path, args: list[str], message: str) -> None:
    before = snapshot(out)
    done = runner.invoke(app, ["issue", "update", str(out), *args])
    assert done.exit_code == 2, done.output
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], done.stderr
    assert snapshot(out) == before


def test_update_in_a_folder_without_packages(tmp_path: Path) -> None:
    done = runner.invoke(app, ["issue", "update", str(tmp_path), "m", "CAL-01", "--status", "closed"])
    assert done.exit_code == 2 and "OUT:" in done.stderr and "no audit trail" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_hand_edited_register_is_caught(out: Path) -> None:
    path = register_path(out, "m")
    body = json.loads(path.read_text())
    body["issues"][0]["status"] = "closed"  # CAL-01 closed by hand
    path.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n")
    done = verify_cli(out)
    assert done.exit_code == 1 and "differs from its audit trail" in done.output and "CAL-01" in done.output
    before = snapshot(out)
    refused = runner.invoke(app, ["issue", "update", str(out), "m", "DRF-01", "--owner", "X"])
    assert refused.exit_code == 1 and "changed outside mrmkit" in refused.stderr
    assert snapshot(out) == before
    with pytest.raises(audit.AuditError, match="differs from its audit trail"):
        load(out, "m")
    # the log is the record: without the file, mrmkit writes it again from the log at the next change
    path.unlink()
    update(out, "m", "DRF-01", owner="X")
    assert json.loads(path.read_text())["issues"][0]["status"] == "open" and verify_cli(out).exit_code == 0


def test_forged_register_of_a_model_without_lines_and_added_issue(out: Path) -> None:
    (out / "other").mkdir()
    register_path(out, "other").write_text(register_path(out, "m").read_text().replace('"m"', '"other"'))
    done = verify_cli(out)
    assert done.exit_code == 1 and "which its audit trail does not record" in done.output


def test_tampered_issue_line_is_caught(out: Path) -> None:
    log = out / audit.AUDIT_LOG
    lines = log.read_text().splitlines()
    number = next(i for i, text in enumerate(lines) if '"issue_id":"CAL-01"' in text)
    lines[number] = lines[number].replace('"status":"open"', '"status":"closed"')
    log.write_text("\n".join(lines) + "\n")
    done = verify_cli(out)
    assert done.exit_code == 1 and f"line {number + 1}: edited" in done.output


def test_well_chained_but_invalid_change_is_caught(out: Path) -> None:
    # a line a forger appends through the writer (the chain is intact): risk accepted with no approver
    entry = {**load(out, "m").entries["CAL-01"].record(), "status": "risk-accepted"}
    audit.append(out / audit.AUDIT_LOG, {"action": "issue", "model_id": "m", "issue_id": "CAL-01", "entry": entry})
    done = verify_cli(out)
    assert done.exit_code == 1 and "not a valid register change" in done.output and "approver" in done.output


def test_concurrent_updates_form_one_chain_and_one_register(out: Path) -> None:
    errors = []

    def change(i: int) -> None:
        try:
            update(out, "m", ("CAL-01", "DRF-01", "DIS-01")[i % 3], note=f"note {i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=change, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert audit.verify(out / audit.AUDIT_LOG).intact
    assert sum(r["action"] == "issue" for r in audit.read(out / audit.AUDIT_LOG)) == 3 + 12
    assert check(out) == [] and not list((out / "m").glob(".*.tmp"))


def _package(out: Path, follow_up: list[dict], issues: list, rating: str) -> Path:
    folder = out / "m" / "1.0" / "20260701T000000Z-00000001"
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text(json.dumps({"backtest": {"findings": []}}))
    issue_record.write(folder, "m", issues, rating, follow_up)
    write_manifest(
        folder,
        {"model_id": "m", "model_version": "1.0", "run_id": folder.name, "status": "complete", "red_findings": 0},
    )
    return folder


def test_prometheus_reads_open_and_overdue_issues_and_the_proposed_rating(out: Path, tmp_path: Path) -> None:
    update(out, "m", "CAL-01", due="2026-03-31")
    update(out, "m", "DIS-01", status="remediated")
    issues, rows = validate(out, [CAL, DRF], date(2026, 6, 30), "run2")
    # the champion-challenger decision is no finding on the model: the rating comes from the issues
    exported = tmp_path / "export"
    _package(exported, rows, issues, conclude.proposed_rating(issues, False))
    text = export_prometheus([exported], parse_now("2026-07-01")).text
    values = {
        (s.name, s.labels.get("severity")): s.value for f in text_string_to_metric_families(text) for s in f.samples
    }
    # open: CAL-01 (high), REM-01 (high, the overdue CAL-01), DRF-01 (medium); DIS-01 remediated is not open
    assert values[("mrmkit_issues_open", "high")] == 2 and values[("mrmkit_issues_open", "medium")] == 1
    assert values[("mrmkit_issues_overdue", None)] == 1
    assert values[("mrmkit_overall_rating", None)] == 2  # red from the issues although metrics.json has no finding


def test_list_inventory_shows_open_and_overdue_issues(out: Path, tmp_path: Path) -> None:
    update(out, "m", "CAL-01", due="2020-01-31")
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "models:\n"
        "  - {id: m, name: M, owner: O, risk_tier: high, status: production, parameters: m.yaml,"
        " frequency: annual, last_validated: 2026-01-15}\n"
    )
    done = runner.invoke(app, ["list", str(out), "--inventory", str(inventory)], terminal_width=200)
    assert done.exit_code == 0, done.output
    header, row = done.output.splitlines()[:2]
    assert "open issues" in header and "overdue issues" in header
    assert "3 (1 high)" in row and row.split("3 (1 high)")[1].split()[0] == "1"


def test_report_partial_shows_the_follow_up_escaped(out: Path, tmp_path: Path) -> None:
    from mrmkit.present.pages import render_page
    from mrmkit.remediation import follow_up

    update(out, "m", "CAL-01", owner="<b>Team</b>", due="2026-01-31")
    hostile = {**CAL, "title": "<script>x</script>"}
    issues, rows = validate(out, [hostile], date(2026, 6, 30), "run2")
    folder = _package(tmp_path / "pkg", rows, issues, "red")
    shown = follow_up(folder)
    assert [(r["id"], r["observation"], r["overdue"]) for r in shown][:1] == [("CAL-01", "still observed", True)]
    assert {r["status_words"] for r in shown} >= {"open"}
    page = render_page("register.html.j2", follow_up=shown)
    assert "OVERDUE" in page and "&lt;b&gt;Team&lt;/b&gt;" in page and "<b>Team" not in page
    assert "no longer observed" in page and "DIS-01" in page
    assert render_page("register.html.j2", follow_up=[]).strip() == ""


def test_prometheus_rating_is_the_proposed_rating_not_the_worst_finding(tmp_path: Path) -> None:
    # a weaker challenger ("DO NOT PROMOTE") is a red finding of the decision, not an issue of the model: the
    # exported rating is issues.json's proposed rating (green), where the findings alone made it red (2)
    decision = {"severity": "red", "metric": "champion_challenger.decision.recommendation", "workbook": "cc"}
    issues = conclude.build([decision], {}, None)
    folder = _package(tmp_path / "out", [], issues, conclude.proposed_rating(issues, False))
    metrics = {"champion_challenger": {"findings": [decision]}}
    (folder / "metrics.json").write_text(json.dumps(metrics))
    write_manifest(
        folder,
        {"model_id": "m", "model_version": "1.0", "run_id": folder.name, "status": "complete", "red_findings": 1},
    )
    text = export_prometheus([tmp_path / "out"], parse_now("2026-07-01")).text
    values = {
        s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples if not s.labels.get("severity")
    }
    assert issues == [] and values["mrmkit_overall_rating"] == 0 and values["mrmkit_issues_overdue"] == 0
