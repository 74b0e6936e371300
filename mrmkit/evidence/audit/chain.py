"""The format of the audit trail's lines (see :mod:`mrmkit.evidence.audit`): the constants, the errors and results of
reading and verifying, the canonical JSON and hash of a line, and parsing and reading the log.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from mrmkit.errors import InvalidInput, MrmkitError

__all__ = [
    "AUDIT_LOG",
    "GENESIS",
    "RESERVED",
    "KINDS",
    "AuditError",
    "AuditProblem",
    "AuditReport",
    "canonical",
    "line_hash",
    "read",
    "records",
    "lines",
    "MAX_LINE",
]

AUDIT_LOG = "audit.jsonl"
GENESIS = "0" * 64
RESERVED = ("seq", "time", "user", "host", "prev", "hash")
KINDS = ("edited", "removed", "reordered", "inserted", "malformed", "duplicated", "missing", "unsigned", "checkpoint")
_HEX = frozenset("0123456789abcdef")


class AuditError(MrmkitError):
    """The audit trail is broken: ``append`` will not continue a chain from a damaged last line."""

    exit_code = 1


class AuditProblem(NamedTuple):
    """One finding of ``verify``: the line number (1-based) where it is seen, its kind and a sentence."""

    line: int
    kind: str
    message: str


@dataclass(frozen=True, slots=True)
class AuditReport:
    """What ``verify`` found.

    ``n_lines`` counts every line of the file, malformed ones included. ``last_seq`` and ``last_hash`` are
    the head of the log (the last well-formed line), to be anchored elsewhere. ``problems`` are in line
    order; a problem about lines removed from the end (found only through an anchor) carries line
    ``n_lines + 1``.
    """

    path: Path
    n_lines: int
    problems: tuple[AuditProblem, ...] = ()
    last_seq: int | None = None
    last_hash: str | None = None
    tail: str = ""  # what the signed checkpoint proves of the log's end (verify_with_packages), in one line

    @property
    def intact(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """One line per problem, for the command line."""
        return [f"line {p.line}: {p.kind}: {p.message}" for p in self.problems]

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "intact": self.intact,
            "n_lines": self.n_lines,
            "last_seq": self.last_seq,
            "last_hash": self.last_hash,
            "problems": [p._asdict() for p in self.problems],
            "tail": self.tail,
        }


# ----------------------------------------------------------------------------------------------- hashing


def canonical(record: Mapping[str, Any]) -> bytes:
    """The canonical UTF-8 JSON of ``record`` without its ``hash``: what ``hash`` is the sha256 of."""
    body = {k: v for k, v in record.items() if k != "hash"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def line_hash(record: Mapping[str, Any]) -> str:
    """sha256 (hex) of ``canonical(record)``."""
    return hashlib.sha256(canonical(record)).hexdigest()


# ------------------------------------------------------------------------------------------------ parsing


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice")
        out[key] = value
    return out


def _is_hash(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX


def _parse(raw: bytes) -> dict[str, Any]:
    """One line as a record; ValueError with a short reason when it is not a well-formed audit line."""
    try:
        record = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise ValueError("it is not UTF-8") from None
    except ValueError as exc:
        raise ValueError(f"it is not JSON ({getattr(exc, 'msg', exc)})") from None
    if not isinstance(record, dict):
        raise ValueError("it is not a JSON object")
    missing = [k for k in RESERVED if k not in record]
    if missing:
        raise ValueError(f"it lacks the field(s) {', '.join(missing)}")
    seq = record["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise ValueError(f"its seq is not a positive integer (got {seq!r})")
    for key in ("prev", "hash"):
        if not _is_hash(record[key]):
            raise ValueError(f"its {key} is not 64 lowercase hex digits")
    return record


#: the longest line the log may hold (bytes); a longer one is malformed, and never held in memory whole
MAX_LINE = 1 << 20


def _open(path: Path) -> int:
    """A read-only descriptor of the log (a regular file, opened without blocking); one sentence otherwise."""
    from mrmkit.files import open_fd, problem

    path = Path(path)
    try:
        return open_fd(path)
    except FileNotFoundError:
        raise InvalidInput(f"The audit trail {path} does not exist.") from None
    except OSError as exc:
        raise InvalidInput(f"The audit trail {path} cannot be read: {problem(exc)}.") from None


def lines(path: Path) -> Iterator[tuple[int, bytes, bool]]:
    """``(line number, line without its newline, complete)`` of the log, streamed with a bound per line.

    A line longer than :data:`MAX_LINE` comes back cut (and so malformed); the last line is incomplete
    when the file does not end with a newline. Memory never holds more than one line.
    """
    from mrmkit.files import iter_lines

    fd = _open(path)
    try:
        for number, (raw, complete) in enumerate(iter_lines(fd, MAX_LINE), start=1):
            yield number, raw, complete
    except OSError as exc:
        raise InvalidInput(f"The audit trail {path} cannot be read ({exc.strerror or exc}).") from None
    finally:
        os.close(fd)


def _read_bytes(path: Path) -> bytes:
    """The whole log (kept for callers of the former module; the log is read with :func:`lines`)."""
    return b"".join(raw + (b"\n" if complete else b"") for _, raw, complete in lines(path))


def _split(data: bytes) -> tuple[list[bytes], bool]:
    """The lines of ``data``, and whether the last one is complete (ends with a newline)."""
    if not data:
        return [], True
    parts = data.split(b"\n")
    complete = parts[-1] == b""
    return (parts[:-1] if complete else parts), complete


def records(path: Path) -> Iterator[dict[str, Any]]:
    """Every record of the audit trail, in file order, streamed. Does not check the chain (``verify`` does).

    Raises ``InvalidInput`` when the file is missing, not a regular file or unreadable and ``AuditError``
    naming the first line that is not a well-formed audit line.
    """
    path = Path(path)
    for number, raw, complete in lines(path):
        if not complete:
            raise AuditError(
                f"Line {number} of {path} is incomplete (no newline at the end): an append was interrupted."
            )
        try:
            yield _parse(raw)
        except ValueError as exc:
            raise AuditError(f"Line {number} of {path} is malformed: {exc}.") from None


def read(path: Path) -> list[dict[str, Any]]:
    """Every record of the audit trail, in file order (:func:`records` as a list)."""
    return list(records(path))
