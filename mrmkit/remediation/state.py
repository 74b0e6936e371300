"""The register's state: one entry per issue of a model, derived from the audit trail's ``issue`` lines.

Every change to the register is one line of ``<out>/audit.jsonl`` (``"action": "issue"``) carrying the issue's
whole entry after the change, so the register's state is the last entry of each issue id in the log, and the
file ``<out>/<model_id>/issue-register.json`` is a copy of that state for people and tools, bound to the log
by the seq and hash of the model's last issue line. :func:`derive` folds the log; :func:`load` reads the file
and refuses one that is not the log's state (hand-edited, or left behind by an interrupted write).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mrmkit import files
from mrmkit.errors import MrmkitError, printable
from mrmkit.evidence.audit.chain import AUDIT_LOG, AuditError, records

__all__ = [
    "ACTION",
    "REGISTER_FILE",
    "STATUSES",
    "OUTSTANDING",
    "STATUS_WORDS",
    "Entry",
    "Register",
    "RegisterError",
    "derive",
    "derive_all",
    "difference",
    "load",
    "register_path",
    "to_json",
]

ACTION = "issue"
REGISTER_FILE = "issue-register.json"
#: A register status, as typed on the command line and stored.
STATUSES = ("open", "in-progress", "remediated", "risk-accepted", "closed")
#: What each status means, in a committee's words.
STATUS_WORDS = {
    "open": "open",
    "in-progress": "remediation in progress",
    "remediated": "remediated (to be confirmed by the next validation)",
    "risk-accepted": "risk accepted",
    "closed": "closed",
}
#: Statuses whose remediation is still owed: these are counted as open and can be overdue.
OUTSTANDING = ("open", "in-progress")
_LIMIT = 64 * 1024 * 1024


class RegisterError(AuditError):
    """The register does not match its audit trail (exit code 1, as a broken audit trail)."""


class Entry(BaseModel):
    """One issue of a model as the register records it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Z]{2,4}-\d{2,}$")
    key: str = Field(min_length=1)
    type: str
    title: str
    severity: Literal["high", "medium"]
    workbook: str = ""
    status: Literal["open", "in-progress", "remediated", "risk-accepted", "closed"] = "open"
    owner: str | None = None
    due: date | None = None
    approver: str | None = None
    note: str | None = None
    opened_in: str | None = None  # the run whose package first showed the issue

    def model_post_init(self, context: Any) -> None:
        if self.status == "risk-accepted" and not self.approver:
            raise ValueError(f"issue {self.id}: risk accepted without an approver")

    def overdue(self, today: date) -> bool:
        """Remediation owed and its due date passed."""
        return self.status in OUTSTANDING and self.due is not None and self.due < today

    def record(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


@dataclass
class Register:
    """The register of one model: its entries by id, and the audit line that last changed it."""

    model_id: str
    entries: dict[str, Entry] = field(default_factory=dict)
    seq: int | None = None
    hash: str | None = None

    def known(self) -> dict[str, str]:
        """Issue key to id, for :func:`mrmkit.conclude.build`: an issue keeps its id across validations."""
        return {e.key: e.id for e in self.entries.values()}

    def by_key(self) -> dict[str, Entry]:
        return {e.key: e for e in self.entries.values()}

    def ordered(self) -> list[Entry]:
        return sorted(self.entries.values(), key=lambda e: (e.type, int(e.id.split("-")[1])))


def register_path(out: Path, model_id: str) -> Path:
    """``<out>/<model_id>/issue-register.json``: beside the model's versions, never inside a package."""
    return Path(out) / model_id / REGISTER_FILE


def _entry(line: Mapping[str, Any]) -> Entry:
    """The entry an issue line records; ValueError naming what is wrong with it."""
    try:
        entry = Entry.model_validate(line.get("entry"))
    except ValidationError as exc:
        first = str(exc).splitlines()
        raise ValueError(" ".join(first[:3])) from None
    if entry.id != line.get("issue_id"):
        raise ValueError(f"its entry is issue {entry.id} but the line names {line.get('issue_id')!r}")
    return entry


def _apply(register: Register, line: Mapping[str, Any]) -> None:
    entry = _entry(line)
    other = register.by_key().get(entry.key)
    if other is not None and other.id != entry.id:
        raise ValueError(f"issue {entry.id} has the key {entry.key!r} of issue {other.id}")
    register.entries[entry.id] = entry
    register.seq, register.hash = line["seq"], line["hash"]


def _issue_lines(log: Path) -> Iterable[dict[str, Any]]:
    if not log.exists():
        return ()
    return (r for r in records(log) if r.get("action") == ACTION)


def derive_all(log: Path) -> dict[str, Register]:
    """Every model's register as the audit trail's issue lines make it (RegisterError naming a bad line)."""
    registers: dict[str, Register] = {}
    for line in _issue_lines(Path(log)):
        model_id = line.get("model_id")
        if not isinstance(model_id, str) or not model_id:
            raise RegisterError(f"{log}: the issue line seq {line['seq']} names no model.")
        register = registers.setdefault(model_id, Register(model_id))
        try:
            _apply(register, line)
        except ValueError as exc:
            raise RegisterError(
                f"{log}: the issue line seq {line['seq']} is not a valid register change: {exc}."
            ) from None
    return registers


def derive(out: Path, model_id: str) -> Register:
    """One model's register as the audit trail ``<out>/audit.jsonl`` makes it (empty without lines)."""
    return derive_all(Path(out) / AUDIT_LOG).get(model_id) or Register(model_id)


def to_json(register: Register) -> str:
    """The register file's text: sorted keys, one entry per issue in id order."""
    body = {
        "format_version": 1,
        "model_id": register.model_id,
        "audit_line": {"seq": register.seq, "hash": register.hash},
        "issues": [e.record() for e in register.ordered()],
    }
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def difference(register: Register, path: Path) -> str | None:
    """Why the file at ``path`` is not ``register`` (the log's state), or None when it is."""
    if not path.exists() and not path.is_symlink():
        return None  # the log is the record: a missing copy is rewritten from it at the next change
    text = files.read_text(path, "The issue register", _LIMIT, error=MrmkitError, follow=False)
    if text == to_json(register):
        return None
    try:
        found = {str(i.get("id")): i for i in json.loads(text).get("issues", [])}
    except (ValueError, AttributeError, TypeError):
        return f"the register {printable(path)} is not the JSON mrmkit writes"
    for entry in register.ordered():
        record = found.pop(entry.id, None)
        if record is None:
            return f"the register {printable(path)} lacks issue {entry.id}, which its audit trail records"
        changed = sorted(k for k, v in entry.record().items() if record.get(k) != v)
        if changed or set(record) != set(entry.record()):
            field_name = changed[0] if changed else "fields"
            return (
                f"the register {printable(path)} differs from its audit trail (seq {register.seq}) in the "
                f"{field_name} of issue {entry.id}"
            )
    if found:
        return f"the register {printable(path)} holds issue {sorted(found)[0]}, which its audit trail does not record"
    return f"the register {printable(path)} differs from its audit trail (seq {register.seq})"


def load(out: Path, model_id: str) -> Register:
    """The model's register, from the audit trail, checked against its file (RegisterError when they differ)."""
    register = derive(out, model_id)
    problem = difference(register, register_path(out, model_id))
    if problem is not None:
        raise RegisterError(
            f"{problem[0].upper()}{problem[1:]}: it was changed outside mrmkit, and the audit trail is the "
            "record; delete the file and mrmkit writes it again from the audit trail at the next change."
        )
    return register
