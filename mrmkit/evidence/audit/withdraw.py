"""Withdrawing a package: one ``withdraw`` line in the audit trail, so its absence is a recorded decision.

``audit verify`` reports a run line whose package is gone (deleting a red validation must not go unseen)
unless a ``withdraw`` line for that run follows it. The line names the package, its run and the reason, and is
chained and (with a signing key) covered by the signed checkpoint like every other line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mrmkit.errors import InvalidInput, InvalidParameters, printable
from mrmkit.evidence.audit.chain import AUDIT_LOG, records
from mrmkit.evidence.audit.writer import append

__all__ = ["withdraw", "REASON_LIMIT"]

REASON_LIMIT = 2000


def _runs(log: Path, run_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The run line and the withdraw line of ``run_id`` in the log (None where there is none)."""
    run = gone = None
    for record in records(log):
        if record.get("run_id") != run_id:
            continue
        if record.get("action") == "run" and run is None:
            run = record
        elif record.get("action") == "withdraw":
            gone = record
    return run, gone


def withdraw(package: str | Path, reason: str) -> dict[str, Any]:
    """Append the ``withdraw`` line of ``package`` (``<out>/<model>/<version>/<run>``, which may be deleted
    already) to ``<out>/audit.jsonl``; return it. One sentence (exit 2) for anything that cannot be withdrawn."""
    reason = " ".join(str(reason).split())
    if not reason:
        raise InvalidParameters("withdraw: --reason is empty; say why the package is withdrawn.")
    if len(reason) > REASON_LIMIT:
        raise InvalidParameters(f"withdraw: --reason is {len(reason):,} characters; at most {REASON_LIMIT:,}.")
    path = Path(os.path.abspath(package))
    if len(path.parents) < 4:
        raise InvalidInput(f"withdraw: {printable(package)} is not a package folder <out>/<model>/<version>/<run>.")
    model_id, version, run_id = path.parts[-3:]
    log = path.parents[2] / AUDIT_LOG
    if not log.exists():
        raise InvalidInput(f"withdraw: there is no audit trail {printable(log)} for {printable(package)}.")
    run, gone = _runs(log, run_id)
    if run is None or (run.get("model_id"), run.get("model_version")) != (model_id, version):
        raise InvalidInput(f"withdraw: {printable(log)} has no run line for {printable(package)}; nothing to withdraw.")
    if gone is not None:
        raise InvalidInput(f"withdraw: {printable(package)} was already withdrawn (audit line seq {gone.get('seq')}).")
    return append(
        log,
        {
            "action": "withdraw",
            "package": str(path),
            "model_id": model_id,
            "model_version": version,
            "run_id": run_id,
            "manifest_sha256": run.get("manifest_sha256"),
            "reason": reason,
        },
    )
