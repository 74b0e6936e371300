"""What the report, ``mrmkit list --inventory``, the Prometheus export and ``audit verify`` read of the register.

The report and the exports read the follow-up a package recorded in its ``issues.json`` (as the run saw the
register), never the live register, so a package's evidence does not change afterwards; ``list --inventory``
and ``mrmkit issue list`` show the live register; :func:`check` compares every register file under a folder
with the audit trail's state, for ``mrmkit audit verify``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from mrmkit.evidence.audit.chain import AUDIT_LOG, AuditError
from mrmkit.remediation.state import (
    OUTSTANDING,
    REGISTER_FILE,
    STATUS_WORDS,
    Register,
    RegisterError,
    derive_all,
    difference,
)

__all__ = ["follow_up", "counts", "live_counts", "check"]


def follow_up(package: Path | Any) -> list[dict[str, Any]]:
    """The follow-up rows of a package (a folder, or its read ``issues.json``), for the report.

    Each row: ``id``, ``key``, ``title``, ``severity`` (high or medium), ``workbook``, ``status`` (the register's:
    open, in-progress, remediated, risk-accepted, closed) and ``status_words`` (its words), ``owner``, ``due``
    (ISO date or None), ``approver``, ``observation`` (new, still observed, observed again, no longer observed,
    not assessed) and ``overdue`` (bool); overdue first, then the observed, high before medium. Empty for a
    package without ``issues.json`` or published before the register existed.
    """
    from mrmkit.conclude.record import read

    issues_file = read(package) if isinstance(package, Path | str) else package
    rows = [] if issues_file is None else [dict(r) for r in issues_file.follow_up]
    for row in rows:
        row["status_words"] = STATUS_WORDS.get(row.get("status"), row.get("status"))
    return rows


def counts(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Outstanding issues (open or in progress) by severity, and the overdue ones: ``high``, ``medium``, ``overdue``."""
    rows = [r for r in rows if r.get("status") in OUTSTANDING]
    return {
        "high": sum(r.get("severity") == "high" for r in rows),
        "medium": sum(r.get("severity") == "medium" for r in rows),
        "overdue": sum(bool(r.get("overdue")) for r in rows),
    }


def live_counts(register: Register, today: date) -> dict[str, int]:
    """:func:`counts` of the live register on ``today``."""
    return counts(
        {"status": e.status, "severity": e.severity, "overdue": e.overdue(today)} for e in register.entries.values()
    )


def check(folder: Path) -> list[tuple[str, str]]:
    """``(kind, sentence)`` for every register under ``folder`` that is not its audit trail's state, and for every
    issue line of ``<folder>/audit.jsonl`` that is not a valid register change. An unreadable log gives nothing
    here: the chain's own check names its lines."""
    folder = Path(folder)
    log = folder / AUDIT_LOG
    try:
        registers = derive_all(log) if log.exists() else {}
    except RegisterError as exc:
        return [("edited", str(exc).rstrip("."))]
    except AuditError:
        return []
    problems = []
    files = {p.parent.name: p for p in sorted(folder.glob(f"*/{REGISTER_FILE}"))}
    for model_id in sorted(set(files) | set(registers)):
        register = registers.get(model_id) or Register(model_id)
        problem = difference(register, files.get(model_id, folder / model_id / REGISTER_FILE))
        if problem is not None:
            problems.append(("edited", f"{problem}: it was changed outside mrmkit"))
    return problems
