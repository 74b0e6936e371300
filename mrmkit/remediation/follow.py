"""At each validation: the register's issues checked against the new evidence, and overdue remediation as issues.

:func:`follow` takes the register as it stood when the run started, the package's issues (built with the
register's ids, :meth:`Register.known`) and the run's date, and returns

- the package's issues, each with its register fields (``status``, ``owner``, ``due``, ``approver``) and its
  observation: ``new`` (not in the register), ``still observed`` (in the register, not closed) or ``observed
  again`` (closed in the register, shown again: it is reopened);
- one remediation-overdue issue (type ``REM``) per register issue whose remediation is owed (open or in
  progress) and whose due date is before the run's date. Severity: high when the underlying issue is high and
  still observed, else medium. Its key is ``REM:issue=<id>``, so it keeps its id across validations too;
- the follow-up rows: one per register issue (closed ones only when shown again) and per new issue, with the
  observation ``no longer observed`` for a register issue whose workbook ran and did not show it, and ``not
  assessed`` when its workbook did not run (or failed) in this package.

:func:`record` then adds the new issues to the register as open and reopens those observed again, one audit
line each, after the package is published.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from mrmkit.conclude.catalogue import get as issue_type
from mrmkit.conclude.issues import Issue
from mrmkit.remediation.state import Entry, Register
from mrmkit.remediation.store import Change, transact

__all__ = ["follow", "record", "overdue_issue", "OBSERVATIONS"]

OBSERVATIONS = ("new", "still observed", "observed again", "no longer observed", "not assessed")
_ID = re.compile(r"^(?P<code>[A-Z]{2,4})-(?P<number>\d{2,})$")


def _observation(entry: Entry | None) -> str:
    if entry is None:
        return "new"
    return "observed again" if entry.status == "closed" else "still observed"


def _register_fields(entry: Entry | None, today: date) -> dict[str, Any]:
    if entry is None or entry.status == "closed":  # new, or reopened by this validation
        return {"status": "open", "owner": entry.owner if entry else None, "due": None, "approver": None}
    return {
        "status": entry.status,
        "owner": entry.owner,
        "due": entry.due.isoformat() if entry.due else None,
        "approver": entry.approver,
    }


def _next_id(code: str, taken: Iterable[str]) -> str:
    numbers = [int(m["number"]) for m in map(_ID.match, taken) if m and m["code"] == code]
    return f"{code}-{max(numbers, default=0) + 1:02d}"


def overdue_issue(entry: Entry, observed: Issue | None, today: date, ident: str) -> Issue:
    """The remediation-overdue issue of ``entry`` (see the module docstring for its severity)."""
    still = observed is not None
    severity = "high" if entry.severity == "high" and still else "medium"
    days = (today - entry.due).days if entry.due else 0
    seen = "is still observed" if still else "is not observed in this validation"
    owner = f", owner {entry.owner}" if entry.owner else ", no owner recorded"
    why = (
        "the underlying issue is high severity and still observed"
        if severity == "high"
        else "the underlying issue is medium severity"
        if entry.severity == "medium"
        else "the underlying issue is not observed in this validation"
    )
    rem = issue_type("REM")
    return Issue(
        id=ident,
        key=f"REM:issue={entry.id}",
        type=rem.code,
        category=rem.title,
        title=(
            f"The remediation of {entry.id} was due {entry.due}, {days:,} day{'s' * (days != 1)} ago (status "
            f"{entry.status}{owner}); the issue {seen}: {entry.title.rstrip('.')}."
        ),
        severity=severity,
        rationale=f"{why}, and its remediation was due on {entry.due}.",
        workbook=entry.workbook,
        scope=[entry.id],
        evidence=list(observed.evidence) if observed is not None else [],
        tests=[],
        remedy=rem.remedy,
    )


def _overdue(register: Register, by_key: Mapping[str, Issue], today: date) -> list[Issue]:
    known = register.known()
    taken = set(register.entries)
    issues = []
    for entry in register.ordered():
        if entry.type == "REM" or not entry.overdue(today):
            continue  # an overdue remediation issue is not itself followed by another
        key = f"REM:issue={entry.id}"
        ident = known.get(key) or _next_id("REM", taken)
        taken.add(ident)
        issues.append(overdue_issue(entry, by_key.get(entry.key), today, ident))
    return issues


def _row(entry: Entry | None, issue: Issue | None, observation: str, today: date) -> dict[str, Any]:
    source: Issue | Entry = issue if issue is not None else entry  # type: ignore[assignment]
    overdue = entry is not None and entry.overdue(today)
    return {
        "id": source.id,
        "key": source.key,
        "title": source.title,
        "severity": source.severity,
        "workbook": source.workbook,
        **_register_fields(entry, today),
        "observation": observation,
        "overdue": bool(overdue),
    }


def follow(
    register: Register, issues: list[Issue], today: date, assessed: Iterable[str]
) -> tuple[list[Issue], list[dict[str, Any]]]:
    """The package's issues with their register fields and the overdue issues added, and the follow-up rows."""
    entries = register.by_key()
    by_key = {i.key: i for i in issues}
    added = _overdue(register, by_key, today)
    everything = [*issues, *added]
    rows = []
    for issue in everything:
        entry = entries.get(issue.key)
        observation = _observation(entry)
        issue.observation = observation
        issue.extra.update(_register_fields(entry, today))
        rows.append(_row(entry, issue, observation, today))
    ran, shown = set(assessed), {i.key for i in everything}
    for entry in register.ordered():
        if entry.key in shown or entry.status == "closed":
            continue
        # an overdue-remediation issue is assessed by every run; another issue only when its workbook ran
        observation = "no longer observed" if entry.type == "REM" or entry.workbook in ran else "not assessed"
        rows.append(_row(entry, None, observation, today))
    order = {"high": 0, "medium": 1}
    rows.sort(key=lambda r: (not r["overdue"], r["observation"] == "no longer observed", order[r["severity"]], r["id"]))
    return everything, rows


def record(out: Path, model_id: str, issues: Iterable[Issue], run_id: str) -> list[dict[str, Any]]:
    """Add the package's new issues to the register as open and reopen those observed again; the audit lines."""
    shown = list(issues)

    def plan(register: Register) -> list[Change]:
        entries = register.by_key()
        taken = set(register.entries)
        changes = []
        for issue in shown:
            entry = entries.get(issue.key)
            context = {"run_id": run_id}
            if entry is None:
                if issue.id in taken:
                    continue  # a concurrent run gave this id to another key first; the next run numbers it anew
                taken.add(issue.id)
                new = Entry(
                    id=issue.id,
                    key=issue.key,
                    type=issue.type,
                    title=issue.title,
                    severity=issue.severity,
                    workbook=issue.workbook,
                    opened_in=run_id,
                )
                changes.append(Change("opened", new, context))
            elif entry.status == "closed":
                note = f"observed again in the validation {run_id}"
                reopened = entry.model_copy(update={"status": "open", "due": None, "approver": None, "note": note})
                changes.append(Change("reopened", reopened, context))
        return changes

    _, lines = transact(Path(out), model_id, plan)
    return lines
