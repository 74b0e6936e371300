"""The validator's change to one issue of the register (``mrmkit issue update``), checked before anything is written.

Bad input is one sentence naming the field, exit code 2, and nothing written: an unknown model or issue id, a
status that is not one of :data:`~mrmkit.remediation.state.STATUSES`, a due date that is not ``YYYY-MM-DD``,
risk accepted without an approver (given now or recorded before), or a command that changes nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from mrmkit.errors import InvalidInput, InvalidParameters, printable, shorten
from mrmkit.evidence.audit.chain import AUDIT_LOG
from mrmkit.remediation.state import STATUSES, Entry, Register, derive
from mrmkit.remediation.store import Change, transact

__all__ = ["update", "parse_due", "TEXT_LIMIT"]

TEXT_LIMIT = 2000


def parse_due(text: str | None) -> date | None:
    """``--due``: an ISO date (``2027-03-31``)."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidParameters(
            f"--due: expected a date YYYY-MM-DD such as 2027-03-31; got {shorten(text)!r}."
        ) from None


def _text(option: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(str(value).split())
    if not value:
        raise InvalidParameters(f"{option}: is empty; give the text or leave the option out.")
    if len(value) > TEXT_LIMIT:
        raise InvalidParameters(f"{option}: is {len(value):,} characters; at most {TEXT_LIMIT:,}.")
    return value


def _model(out: Path, model_id: str) -> None:
    """The model has a register or a package under ``out``; one sentence otherwise."""
    if not Path(out).is_dir():
        raise InvalidInput(f"OUT: {printable(out)} is not a folder of evidence packages.")
    if not (Path(out) / AUDIT_LOG).exists():
        raise InvalidInput(
            f"OUT: {printable(out)} has no audit trail ({AUDIT_LOG}); no validation was published there."
        )
    if model_id in ("", ".", "..") or "/" in model_id or not (Path(out) / model_id).is_dir():
        raise InvalidInput(f"MODEL_ID: no validation of the model {printable(model_id)!r} is under {printable(out)}.")
    if not derive(out, model_id).entries:
        raise InvalidInput(f"MODEL_ID: the model {printable(model_id)!r} has no issue in its register.")


def _changed(entry: Entry, fields: dict[str, Any]) -> Entry:
    values = {**entry.record(), **{k: v for k, v in fields.items() if v is not None}}
    if fields.get("status") not in (None, "risk-accepted") and fields.get("approver") is None:
        values["approver"] = None  # an approver belongs to a risk acceptance
    if values["status"] == "risk-accepted" and not values.get("approver"):
        raise InvalidParameters(
            f"--approver: issue {entry.id} can be risk-accepted only with the name of whoever approved it."
        )
    return Entry.model_validate(values)


def update(
    out: Path,
    model_id: str,
    issue_id: str,
    *,
    status: str | None = None,
    owner: str | None = None,
    due: str | None = None,
    approver: str | None = None,
    note: str | None = None,
) -> Entry:
    """Change one issue of the model's register: one audit line, then the register file; the entry after it."""
    if status is not None and status not in STATUSES:
        raise InvalidParameters(f"--status: choose one of {', '.join(STATUSES)}; got {shorten(status)!r}.")
    fields = {
        "status": status,
        "owner": _text("--owner", owner),
        "due": parse_due(due),
        "approver": _text("--approver", approver),
        "note": _text("--note", note),
    }
    if all(v is None for v in fields.values()):
        raise InvalidParameters("issue update: nothing to change; give --status, --owner, --due, --approver or --note.")
    _model(Path(out), model_id)

    def plan(register: Register) -> list[Change]:
        entry = register.entries.get(issue_id)
        if entry is None:
            known = ", ".join(sorted(register.entries)) or "none"
            raise InvalidInput(
                f"ISSUE_ID: the model {printable(model_id)!r} has no issue {printable(issue_id)!r} (its issues: {known})."
            )
        after = _changed(entry, fields)
        if after == entry:
            raise InvalidParameters(f"issue update: issue {issue_id} already records these values; nothing to change.")
        return [Change("updated", after, {})]

    register, _ = transact(Path(out), model_id, plan)
    return register.entries[issue_id]
