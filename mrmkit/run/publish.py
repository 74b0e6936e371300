"""Publishing a run: from the executed workbooks in the staging folder to a complete evidence package.

Order of work: render each workbook's report without the sections that did not run
(:mod:`mrmkit.registry.scope`); write ``metrics.json``, its tables and ``environment.txt``; write the
validation report (``reports/index.html``), stamp every report with the package's identity and, when asked,
print the PDF; write ``manifest.json`` and sign it; append the run's audit line; rename the staging folder
to ``<out>/<model_id>/<model_version>/<run_id>/``; add the package's new issues to the model's remediation
register (:mod:`mrmkit.remediation`), whose follow-up ``issues.json`` records. The caller removes the staging folder if any step raises.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import mrmkit
from mrmkit import conclude, evidence, remediation
from mrmkit.conclude import record as issue_record
from mrmkit.errors import MrmkitError, PublishError
from mrmkit.evidence import audit, signing, tables
from mrmkit.evidence.manifest import environment_lines, key_versions, write_manifest
from mrmkit.params import Parameters
from mrmkit.present import report, summary
from mrmkit.present.render import notebook_to_html
from mrmkit.registry import scope as scopes
from mrmkit.registry import workbooks
from mrmkit.run.execute import Executed
from mrmkit.run.staging import OWNER

__all__ = ["Run", "publish"]


@dataclass
class Run:
    """What publishing needs to know of the run: where, what, from which inputs, and how it went."""

    params: Parameters
    params_path: Path
    out: Path
    staging: Path
    started: datetime
    t0: float
    inputs: dict[str, Any]
    notebooks_dir: Path
    executed: Executed
    audit_head: tuple[int, str] | None
    signer: Any
    record_audit: bool
    pdf: bool
    paper: str
    known_issues: dict[str, str] = field(default_factory=dict)  # issue key to id, from earlier validations
    register: Any = None  # the model's remediation register when the run started (mrmkit.remediation.Register)
    inventory: Any = None  # the model's inventory entry, when the run comes from an inventory


def _render_reports(run: Run, scope: tuple[scopes.SectionScope, ...], say: Callable[[str], None]) -> None:
    for name in run.executed.results:
        say(f"rendering the {name} report")
        t = time.perf_counter()
        notebook_to_html(
            run.staging / "notebooks" / f"{name}.ipynb",
            run.staging / "reports" / f"{name}.html",
            title=workbooks.get(name).title_for(run.params.model_kind),
            drop=[s.title for s in scopes.not_run(scope, name) if run.executed.results[name]["status"] == "complete"],
        )
        run.executed.timings[f"{name}.render_s"] = round(time.perf_counter() - t, 3)


def _write_metrics(run: Run) -> None:
    stored, table_files = tables.split(run.executed.metrics)  # bin tables and per-row records: tables/*.parquet
    tables.write(table_files, run.staging)
    (run.staging / "metrics.json").write_text(evidence.dumps(stored), encoding="utf-8")
    evidence.write_schema(run.staging)  # metrics.schema.json, which metrics.json validates against
    (run.staging / "environment.txt").write_text("\n".join(environment_lines()) + "\n", encoding="utf-8")


def _identity(run: Run, status: str) -> dict[str, Any]:
    # the short hash makes the id unique per run (the staging folder's name is a random uuid)
    unique = hashlib.sha256(f"{run.started.isoformat()}|{os.getpid()}|{run.staging.name}".encode()).hexdigest()
    return {
        "model_id": run.params.model.id,
        "model_version": run.params.model.version,
        "run_id": f"{run.started.strftime('%Y%m%dT%H%M%SZ')}-{unique[:8]}",
        "status": status,
        "started": run.started.isoformat(timespec="seconds"),
        "user": _user(),
    }


def _write_reports(
    run: Run, identity: dict[str, Any], scope: Any, findings: list[Any], issues: list[Any], say: Any
) -> None:
    reports = run.staging / "reports"
    report.write_index(
        reports / "index.html",
        run.params,
        identity,
        run.executed.results,
        findings,
        metrics=run.executed.metrics,
        inputs=run.inputs,
        notebooks=run.staging / "notebooks",
        scope=scope,
        issues=issues,
        follow_up=remediation.follow_up(run.staging),
        signing_key=signing.fingerprint(run.signer.public_key()) if run.signer is not None else None,
        inventory=run.inventory,
    )
    summary.stamp_reports(reports, run.params, identity)
    if run.pdf:
        say("printing the report to PDF")
        from mrmkit.present.pdf import reports_pdf

        label = f"{run.params.model.name or run.params.model.id} {run.params.model.version}"
        reports_pdf(reports, reports / "index.pdf", identity, label, run.paper)


def _write_manifest(run: Run, identity: dict[str, Any], scope: Any, red: int) -> dict[str, Any]:
    run.executed.timings["total_s"] = round(time.perf_counter() - run.t0, 3)
    (run.staging / OWNER).unlink()  # not part of the package
    head = run.audit_head
    return write_manifest(
        run.staging,
        {
            **identity,
            "ended": datetime.now(UTC).isoformat(timespec="seconds"),
            "mrmkit_version": mrmkit.__version__,
            "model_kind": run.params.model.kind,
            "workbooks": run.executed.results,
            "scope": scopes.to_record(scope),
            "seeds": {"seed": run.params.seed},
            "inputs": run.inputs,
            "notebooks_git_commit": _git_commit(run.notebooks_dir),
            "environment": key_versions(),
            "timings": run.executed.timings,
            "reference_profiles": run.executed.profiles,
            "red_findings": red,
            # the audit log's last line before this run: anchors the log, so a later removal of lines is seen
            "audit_head": {"seq": head[0], "hash": head[1]} if head else None,
        },
    )


def _move_into_place(run: Run, identity: dict[str, Any], manifest: dict[str, Any]) -> Path:
    params = run.params
    target = run.out / params.model.id / params.model.version / identity["run_id"]
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():  # the run id carries a random part; this is a safety net, not a code path
        raise MrmkitError(f"{target} already exists; an evidence package is never overwritten.")
    if run.record_audit:
        # the run's line first, then the package: a package is never visible without its audit line (a crash
        # between the two leaves a line whose package is missing, which `audit verify` does not hide)
        _append_run(
            run.out / audit.AUDIT_LOG,
            {
                "action": "run",
                "package": str(target.resolve()),
                "model_id": params.model.id,
                "model_version": params.model.version,
                "run_id": identity["run_id"],
                "manifest_sha256": manifest["manifest_sha256"],
                "outcome": identity["status"],
                "parameters": str(run.params_path.resolve()),
            },
        )
    os.rename(run.staging, target)
    return target


def publish(run: Run, say: Callable[[str], None]) -> tuple[Path, str, list[dict[str, Any]], str]:
    """Turn the staging folder into a published package; return its path, status, findings and proposed rating."""
    executed = run.executed
    status = "failed" if executed.failed else "complete"
    statuses = {name: r["status"] for name, r in executed.results.items()}
    scope = scopes.package_scope(run.params.model.kind, statuses, executed.metrics)
    _render_reports(run, scope, say)
    _write_metrics(run)
    identity = _identity(run, status)
    findings = [f for name in executed.results for f in executed.metrics[name].get("findings", [])]
    issues = conclude.build(findings, executed.metrics, run.params.model_kind, run.known_issues)
    register = run.register or remediation.Register(run.params.model.id)
    assessed = [name for name, state in statuses.items() if state == "complete"]
    issues, follow_up = remediation.follow(register, issues, run.started.date(), assessed)
    rating = conclude.proposed_rating(issues, bool(executed.failed))
    issue_record.write(run.staging, run.params.model.id, issues, rating, follow_up)
    _write_reports(run, identity, scope, findings, issues, say)
    red = sum(1 for f in findings if f.get("severity") == "red")
    manifest = _write_manifest(run, identity, scope, red)
    if run.signer is not None:
        say(f"signed by {signing.sign_package(run.staging, run.signer)}")
    target = _move_into_place(run, identity, manifest)
    if run.record_audit:
        _record_issues(run, issues, identity["run_id"])
    return target, status, findings, rating


def _record_issues(run: Run, issues: list[Any], run_id: str) -> None:
    """New issues into the model's register as open, those observed again reopened (after the package is
    published, so a run that publishes nothing changes nothing)."""
    try:
        remediation.record(run.out, run.params.model.id, issues, run_id)
    except (OSError, MrmkitError) as exc:
        raise PublishError(
            f"The package {run_id} was published, but its issues could not be added to the register "
            f"({str(exc).rstrip('.')}); the next run of the model adds them."
        ) from None


def _append_run(log: Path, event: dict[str, Any]) -> None:
    """The run's audit line; a log that cannot grow (full disk, EFBIG, a damaged last line) publishes nothing,
    with the exit code of a package that could not be written (2), not that of a failed workbook (1)."""
    try:
        audit.append(log, event)
    except audit.AuditError as exc:
        raise PublishError(f"{str(exc).rstrip('.')}; nothing was published.") from None


def _git_commit(folder: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    if out.returncode != 0 or not commit:
        return None
    dirty = subprocess.run(
        ["git", "-C", str(folder), "status", "--porcelain", "--", "."], capture_output=True, text=True, check=False
    ).stdout.strip()
    return commit + ("-dirty" if dirty else "")


def _user() -> str:
    """Who ran it: the login name, else the numeric user id."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())
