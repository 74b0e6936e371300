"""Changing the register: under a lock, every change an audit line first, then the register file rewritten whole.

:func:`transact` takes the model's lock (``fcntl.flock`` on ``<out>/<model_id>/.issue-register.lock``, the
mechanism the audit writer uses on the log), reads the register from the audit trail and checks its file, asks
``plan`` for the changes (``plan`` validates against that state and raises before anything is written),
appends one audit line per change (:func:`mrmkit.evidence.audit.append`, which locks the log itself) and writes
the file through a temporary file renamed over it, so a reader never sees half a register. A failure after
some lines were appended still rewrites the file from the lines that were.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mrmkit.errors import InvalidInput, printable
from mrmkit.evidence.audit.chain import AUDIT_LOG
from mrmkit.evidence.audit.writer import append
from mrmkit.remediation.state import ACTION, Entry, Register, _apply, load, register_path, to_json

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = ["Change", "transact", "write_file"]


@dataclass(frozen=True)
class Change:
    """One register change: ``opened``, ``updated`` or ``reopened``, the entry after it, and its context."""

    change: str
    entry: Entry
    context: dict[str, Any]

    def event(self, model_id: str) -> dict[str, Any]:
        return {
            "action": ACTION,
            "change": self.change,
            "model_id": model_id,
            "issue_id": self.entry.id,
            "entry": self.entry.record(),
            **self.context,
        }


@contextlib.contextmanager
def _lock(folder: Path) -> Iterator[None]:
    if fcntl is None:  # pragma: no cover - Windows
        raise InvalidInput("The issue register needs POSIX file locks (fcntl), which this platform lacks.")
    try:
        fd = os.open(folder / ".issue-register.lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as exc:
        raise InvalidInput(
            f"The issue register in {printable(folder)} cannot be locked ({exc.strerror or exc})."
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def write_file(out: Path, register: Register) -> Path:
    """Replace the register file with ``register`` atomically (temporary file, fsync, rename)."""
    path = register_path(out, register.model_id)
    data = to_json(register).encode("utf-8")
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.fchmod(handle.fileno(), 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def transact(out: Path, model_id: str, plan: Callable[[Register], list[Change]]) -> tuple[Register, list[dict]]:
    """Apply the changes ``plan`` returns for the model's current register; return the register after them and
    the audit lines written. Nothing is written when ``plan`` raises or returns no change."""
    out = Path(out)
    folder = out / model_id
    folder.mkdir(parents=True, exist_ok=True)
    with _lock(folder):
        register = load(out, model_id)
        changes = plan(register)
        lines: list[dict] = []
        if not changes:
            return register, lines
        try:
            for change in changes:
                line = append(out / AUDIT_LOG, change.event(model_id))
                _apply(register, line)
                lines.append(line)
        finally:
            if lines:
                write_file(out, register)
        return register, lines
