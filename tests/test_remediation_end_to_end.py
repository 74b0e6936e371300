"""Remediation across two validations of the demo PD model (slow: two backtest runs, about a minute).

The first validation of the demo champion finds calibration (CAL-01), discrimination (DIS-01) and sensitivity
(SEN-01) issues. The validator records owners and due dates with `mrmkit issue update`, DIS-01's due date in
the past. The "remediation" is a recalibrated champion: Platt scaling of its score on the mature sample the
first backtest used, and the driver that moved against its expected direction (savings_balance) taken out.
The second validation, into the same --out, must show SEN-01 no longer observed, CAL-01 and DIS-01 still
observed with their ids, and DIS-01's overdue remediation as a high-severity issue REM-01; `mrmkit audit
verify` must find the register's history intact, and catch a forged register and a tampered issue line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import skops.io as sio
import yaml
from scipy.special import logit
from sklearn.linear_model import LogisticRegression
from typer.testing import CliRunner

from mrmkit.cli import app
from mrmkit.compare import read_metrics
from mrmkit.conclude.record import read
from mrmkit.demo import build_demo
from mrmkit.evidence import audit
from mrmkit.remediation import follow_up, load
from mrmkit.remediation.state import register_path
from mrmkit.run.runner import run

pytestmark = pytest.mark.slow
runner = CliRunner()
MODEL = "demo-retail-pd"


def _recalibrated(params_path: Path, first: Path) -> Path:
    """The demo champion recalibrated on the first backtest's mature cohorts, as version 1.1.0."""
    root = params_path.parent
    params = yaml.safe_load(params_path.read_text())
    model = sio.load(root / params["model"]["artifact"], trusted=params["model"]["trusted_types"])
    current = pd.read_parquet(root / params["data"]["current"])
    windows = read_metrics(first, with_tables=False)["backtest"]["pd"]["windows"]
    months = [name for name, w in windows.items() if w["mature"]]
    mature = pd.to_datetime(current[params["data"]["time"]]).dt.strftime("%Y-%m").isin(months).to_numpy()
    z = logit(model.predict_proba(current.loc[mature, params["data"]["features"]])[:, 1])
    platt = LogisticRegression(C=1e6).fit(z.reshape(-1, 1), current.loc[mature, params["data"]["target"]].to_numpy())
    step = model.named_steps["model"]
    step.coef_ = step.coef_ * platt.coef_[0, 0]
    step.intercept_ = step.intercept_ * platt.coef_[0, 0] + platt.intercept_[0]
    names = model.named_steps["prep"].get_feature_names_out()
    step.coef_[0, ["savings_balance" in n for n in names]] = 0.0
    (root / "models" / "champion_recalibrated.skops").write_bytes(sio.dumps(model))
    params["model"].update(artifact="models/champion_recalibrated.skops", version="1.1.0")
    target = root / "recalibrated.yaml"
    target.write_text(yaml.safe_dump(params, sort_keys=False))
    return target


def _issue(out: Path, *args: str) -> None:
    done = runner.invoke(app, ["issue", "update", str(out), MODEL, *args])
    assert done.exit_code == 0, done.output


def test_second_validation_follows_up_the_register(tmp_path: Path) -> None:
    demo = build_demo(tmp_path / "demo", seed=7, n_reference=3000, n_per_window=800, n_windows=4)
    out = tmp_path / "out"
    first = run(demo.parameters, ["backtest"], out=out)
    issues = {i.key: i for i in read(first.package).issues}
    assert {k: i.id for k, i in issues.items()} == {"CAL": "CAL-01", "DIS": "DIS-01", "SEN": "SEN-01"}
    assert {e.status for e in load(out, MODEL).entries.values()} == {"open"}

    _issue(out, "CAL-01", "--status", "in-progress", "--owner", "Retail modelling", "--due", "2099-12-31")
    _issue(out, "DIS-01", "--owner", "Retail modelling", "--due", "2020-01-31", "--note", "redevelopment planned")
    _issue(out, "SEN-01", "--status", "remediated", "--owner", "Retail modelling")

    second = run(_recalibrated(demo.parameters, first.package), ["backtest"], out=out)
    recorded = read(second.package)
    rows = {r["id"]: r for r in follow_up(second.package)}
    assert rows["SEN-01"]["observation"] == "no longer observed" and rows["SEN-01"]["status"] == "remediated"
    # the recalibration brings the Hosmer-Lemeshow test (CAL-01's only test in the first run) within the policy
    assert rows["CAL-01"]["observation"] == "no longer observed" and rows["CAL-01"]["status"] == "in-progress"
    assert rows["DIS-01"]["observation"] == "still observed" and rows["DIS-01"]["overdue"] is True
    assert not rows["CAL-01"]["overdue"]
    ids = {i.key: i.id for i in recorded.issues}
    assert ids == {"DIS": "DIS-01", "REM:issue=DIS-01": "REM-01"}
    rem = next(i for i in recorded.issues if i.type == "REM")
    assert rem.severity == "high" and "due 2020-01-31" in rem.title and rem.scope == ["DIS-01"]
    assert recorded.proposed_rating == "red" and second.rating == "red"
    assert load(out, MODEL).entries["REM-01"].status == "open"  # the overdue remediation is tracked too

    _issue(out, "SEN-01", "--status", "closed", "--note", "sensitivity passes on the recalibrated model")
    verified = runner.invoke(app, ["audit", "verify", str(out / audit.AUDIT_LOG)])
    assert verified.exit_code == 0 and verified.output.startswith("intact"), verified.output
    assert load(out, MODEL).entries["SEN-01"].status == "closed"
    listed = runner.invoke(app, ["issue", "list", str(out), MODEL], terminal_width=220)
    assert listed.exit_code == 0 and "OVERDUE" in listed.output and "REM-01" in listed.output

    # a register closed by hand, and an issue line edited in the log, are both caught
    path = register_path(out, MODEL)
    honest = path.read_text()
    body = json.loads(honest)
    for entry in body["issues"]:
        if entry["id"] == "DIS-01":
            entry["status"] = "closed"
    path.write_text(json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    forged = runner.invoke(app, ["audit", "verify", str(out / audit.AUDIT_LOG)])
    assert forged.exit_code == 1 and "DIS-01" in forged.output and "differs from its audit trail" in forged.output
    path.write_text(honest)
    log = out / audit.AUDIT_LOG
    lines = log.read_text().splitlines()
    at = next(i for i, text in enumerate(lines) if '"issue_id":"DIS-01"' in text and '"change":"updated"' in text)
    lines[at] = lines[at].replace("2020-01-31", "2030-01-31")
    log.write_text("\n".join(lines) + "\n")
    tampered = runner.invoke(app, ["audit", "verify", str(log)])
    assert tampered.exit_code == 1 and f"line {at + 1}: edited" in tampered.output
