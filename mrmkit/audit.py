"""The audit trail: an append-only, hash-chained log of every run, verify and reproduce.

``audit.jsonl`` sits next to the evidence packages. Each line is one JSON object (sorted keys, compact
separators, UTF-8) with

- ``seq``: 1 for the first line, then consecutive;
- ``time``: UTC, ISO 8601 to the second (``2026-01-31T09:15:02Z``);
- ``user`` (the login name, or the numeric uid when there is none) and ``host``;
- the event's own fields (``action``, ``package``, ``manifest_sha256``, ``outcome``, ...);
- ``prev``: the ``hash`` of the previous line, 64 zeros on the first line;
- ``hash``: the sha256 of the canonical JSON of the line without ``hash``.

``verify`` names every line that was edited, removed, reordered, inserted or left malformed (a crash in
the middle of an append leaves a last line without its newline; ``append`` refuses to extend such a log).

Limitations, stated plainly:

- The chain proves that lines were not changed *relative to each other*. Removing lines from the end, or
  editing the last line and recomputing its hash, leaves a shorter or different but valid chain, and
  whoever can write the file can rewrite the whole chain with fresh hashes. To catch that, record the
  head of the log elsewhere (``head(path)``, for instance in a package manifest or a ticket) and pass it
  back to ``verify(path, anchors={seq: hash})``.
- A hash is not a signature: the chain shows integrity, not who wrote a line.
- Concurrent appends are serialised with ``fcntl.flock`` on the log itself (POSIX; a local file system or
  one whose locks work across machines).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from mrmkit.errors import InvalidInput, InvalidParameters, MrmkitError, printable

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = [
    "AUDIT_LOG",
    "GENESIS",
    "KINDS",
    "AuditError",
    "AuditProblem",
    "AuditReport",
    "append",
    "canonical",
    "head",
    "line_hash",
    "read",
    "verify",
]

AUDIT_LOG = "audit.jsonl"
GENESIS = "0" * 64
RESERVED = ("seq", "time", "user", "host", "prev", "hash")
KINDS = ("edited", "removed", "reordered", "inserted", "malformed")
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


def _read_bytes(path: Path) -> bytes:
    path = Path(path)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"The audit trail {path} does not exist.") from None
    except IsADirectoryError:
        raise InvalidInput(f"The audit trail {path} is a folder, not a file.") from None
    except OSError as exc:
        raise InvalidInput(f"The audit trail {path} cannot be read ({exc.strerror or exc}).") from None


def _split(data: bytes) -> tuple[list[bytes], bool]:
    """The lines of ``data``, and whether the last one is complete (ends with a newline)."""
    if not data:
        return [], True
    parts = data.split(b"\n")
    complete = parts[-1] == b""
    return (parts[:-1] if complete else parts), complete


def read(path: Path) -> list[dict[str, Any]]:
    """Every record of the audit trail, in file order. Does not check the chain: use ``verify`` for that.

    Raises ``InvalidInput`` when the file is missing or unreadable and ``AuditError`` naming the first line
    that is not a well-formed audit line.
    """
    path = Path(path)
    raw_lines, complete = _split(_read_bytes(path))
    records = []
    for number, raw in enumerate(raw_lines, start=1):
        if number == len(raw_lines) and not complete:
            raise AuditError(
                f"Line {number} of {path} is incomplete (no newline at the end): an append was interrupted."
            )
        try:
            records.append(_parse(raw))
        except ValueError as exc:
            raise AuditError(f"Line {number} of {path} is malformed: {exc}.") from None
    return records


# ------------------------------------------------------------------------------------------------ append


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers without a passwd entry): fall back to the uid
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def _jsonable(value: Any) -> Any:
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _normalise(event: Mapping[str, Any]) -> dict[str, Any]:
    """``event`` as it will read back from JSON, so the hash written is the hash ``verify`` recomputes."""
    if not isinstance(event, Mapping):
        raise InvalidParameters(
            f"An audit event must be a mapping of field names to values; got {type(event).__name__}."
        )
    bad = [k for k in event if not isinstance(k, str)]
    if bad:
        raise InvalidParameters(f"Audit event field names must be strings; got {bad!r}.")
    clash = sorted(set(event) & set(RESERVED))
    if clash:
        raise InvalidParameters(f"Audit event fields {clash} are reserved (the log sets {', '.join(RESERVED)} itself).")
    try:
        text = json.dumps(dict(event), default=_jsonable, allow_nan=False, ensure_ascii=False, sort_keys=True)
        text.encode("utf-8")
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError (lone surrogates)
        raise InvalidParameters(f"The audit event cannot be written as JSON: {exc}.") from None
    return json.loads(text)


def _last_line(fd: int, size: int) -> bytes:
    """The last line of the open file of ``size`` bytes, with its newline; read backwards in blocks."""
    block = 65536
    end = size
    tail = b""
    while end > 0:
        start = max(0, end - block)
        tail = os.pread(fd, end - start, start) + tail
        end = start
        cut = tail.rfind(b"\n", 0, len(tail) - 1)
        if cut >= 0:
            return tail[cut + 1 :]
    return tail


def _check_last(last: bytes, path: Path) -> tuple[int, str]:
    """(seq, hash) of ``last`` (the log's last line, newline included); AuditError if it cannot be trusted."""
    fix = f"Run 'mrmkit audit verify {path}' and have the log repaired by its owner."
    if not last.endswith(b"\n"):
        raise AuditError(
            f"The last line of {path} is incomplete (no newline at the end): an append was interrupted. {fix}"
        )
    try:
        record = _parse(last[:-1])
    except ValueError as exc:
        raise AuditError(f"The last line of {path} is malformed: {exc}. {fix}") from None
    if line_hash(record) != record["hash"]:
        raise AuditError(f"The last line of {path} (seq {record['seq']}) does not match its hash: it was edited. {fix}")
    return record["seq"], record["hash"]


def append(path: Path, event: Mapping[str, Any]) -> dict[str, Any]:
    """Append one event to the audit trail at ``path`` (created when missing) and return the full record.

    The log is locked (``fcntl.flock``, exclusive) while its last line is read and the new line written, so
    appends from several processes form one chain. The line is written with a single ``os.write`` and
    ``fsync``-ed; a failed write is rolled back. A log whose last line is incomplete, malformed or edited
    is not extended (``AuditError``, exit code 1): nothing is written.
    """
    path = Path(path)
    body = _normalise(event)
    if fcntl is None:  # pragma: no cover - Windows
        raise AuditError("The audit trail needs POSIX file locks (fcntl), which this platform lacks.")
    created = not path.exists()
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o666)
    except FileNotFoundError:
        raise InvalidInput(f"Cannot create the audit trail {path}: the folder {path.parent} does not exist.") from None
    except IsADirectoryError:
        raise InvalidInput(f"The audit trail {path} is a folder, not a file.") from None
    except OSError as exc:
        raise InvalidInput(f"The audit trail {path} cannot be opened for writing ({exc.strerror or exc}).") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        last_seq, last_hash = _check_last(_last_line(fd, size), path) if size else (0, GENESIS)
        record = {
            **body,
            "seq": last_seq + 1,
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "user": _user(),
            "host": socket.gethostname(),
            "prev": last_hash,
        }
        record["hash"] = line_hash(record)
        data = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n"
        try:
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(f"only {written} of {len(data)} bytes were written")
            os.fsync(fd)
        except OSError as exc:
            try:
                os.ftruncate(fd, size)
            except OSError:
                pass
            raise AuditError(
                f"Could not append to the audit trail {path} ({exc}); the log was left as it was."
            ) from None
    finally:
        os.close(fd)  # releases the lock
    if created:
        _fsync_dir(path.parent)
    return record


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def head(path: Path) -> tuple[int, str] | None:
    """(seq, hash) of the last line of the log, to anchor elsewhere; None for an empty log.

    Raises ``AuditError`` when the last line is incomplete, malformed or edited.
    """
    path = Path(path)
    raw_lines, complete = _split(_read_bytes(path))
    if not raw_lines:
        return None
    return _check_last(raw_lines[-1] + (b"\n" if complete else b""), path)


# ------------------------------------------------------------------------------------------------ verify


@dataclass(slots=True)
class _Line:
    number: int
    record: dict[str, Any]
    sound: bool  # its hash matches its content

    @property
    def seq(self) -> int:
        return self.record["seq"]

    @property
    def hash(self) -> str:
        return self.record["hash"]

    @property
    def prev(self) -> str:
        return self.record["prev"]


def _seqs(values: list[int]) -> str:
    values = sorted(values)
    if len(values) > 3 and values[-1] - values[0] == len(values) - 1:
        return f"seqs {values[0]} to {values[-1]}"
    return ("seq " if len(values) == 1 else "seqs ") + ", ".join(map(str, values))


def _at(line: _Line) -> str:
    return f"line {line.number} (seq {line.seq})"


def verify(path: Path, anchors: Mapping[int, str] | None = None) -> AuditReport:
    """Check the hash chain of the audit trail at ``path``, naming every problem by line and seq.

    Parameters
    ----------
    path
        The ``audit.jsonl`` file. A missing file is an error (``InvalidInput``); an empty one is intact.
    anchors
        Optional ``{seq: hash}`` recorded outside the log (see ``head``). Each must still be in the log
        with that hash; this catches lines removed from the end and a chain rewritten with fresh hashes,
        which the chain alone cannot.

    Kinds of problem
    ----------------
    - ``malformed``: not UTF-8 JSON, a missing or ill-typed field, or a last line without its newline.
    - ``edited``: a line's ``hash`` does not match its content; or a line's content and hash were both
      changed, so the next line's ``prev`` no longer matches it (the edited line is named).
    - ``removed``: seq numbers are missing and the next line's ``prev`` matches no line (the missing seqs
      are named).
    - ``reordered``: a line's seq is not above every seq before it, or its ``prev`` points to a line with
      another seq.
    - ``inserted``: a line repeats the seq of another and no later line's ``prev`` points to it.
    """
    path = Path(path)
    raw_lines, complete = _split(_read_bytes(path))
    problems: list[AuditProblem] = []
    entries: list[_Line | None] = []  # None for a malformed line
    for number, raw in enumerate(raw_lines, start=1):
        if number == len(raw_lines) and not complete:
            problems.append(
                AuditProblem(
                    number,
                    "malformed",
                    f"line {number} is incomplete (no newline at the end): an append was interrupted or the file was cut",
                )
            )
            entries.append(None)
            continue
        try:
            record = _parse(raw)
        except ValueError as exc:
            problems.append(AuditProblem(number, "malformed", f"line {number} is not a well-formed audit line: {exc}"))
            entries.append(None)
            continue
        sound = line_hash(record) == record["hash"]
        entries.append(_Line(number, record, sound))
        if not sound:
            problems.append(
                AuditProblem(
                    number,
                    "edited",
                    f"line {number} (seq {record['seq']}) was edited: its content no longer matches its hash",
                )
            )

    lines = [e for e in entries if e is not None]
    referenced = {ln.prev for ln in lines}

    # Duplicated seqs: the line no later line points to was inserted (or came from an unlocked writer).
    inserted: set[int] = set()
    by_seq: dict[int, list[_Line]] = {}
    for ln in lines:
        if ln.sound:
            by_seq.setdefault(ln.seq, []).append(ln)
    for group in by_seq.values():
        if len(group) < 2:
            continue
        kept = [ln for ln in group if ln.hash in referenced]
        for ln in group:
            if ln in kept or (not kept and ln is group[0]):
                continue
            inserted.add(ln.number)
            if kept:
                why = f"repeats the seq of line {', '.join(str(k.number) for k in kept)} and no later line's prev points to it: it was inserted"
            else:
                why = f"repeats the seq of line {group[0].number} and no later line points to either: one of them was inserted"
            problems.append(AuditProblem(ln.number, "inserted", f"{_at(ln)} {why}"))

    chain = [ln for ln in lines if ln.number not in inserted]
    by_hash = {ln.hash: ln for ln in chain}
    present = {ln.seq for ln in chain}
    max_seen: _Line | None = None
    previous: _Line | None = None
    malformed_since = 0
    for entry in entries:
        if entry is None:
            malformed_since += 1
            continue
        b = entry
        if b.number in inserted:
            continue
        a, gap_lines = previous, malformed_since
        previous, malformed_since = b, 0
        if not b.sound:
            continue  # already reported; its seq and prev cannot be trusted
        if max_seen is not None and b.seq <= max_seen.seq:
            problems.append(
                AuditProblem(b.number, "reordered", f"{_at(b)} comes after {_at(max_seen)}: the lines are out of order")
            )
            continue
        max_seen = b
        if b.seq == 1:
            if b.prev != GENESIS:
                problems.append(
                    AuditProblem(b.number, "edited", f"{_at(b)} is the first line but its prev is not 64 zeros")
                )
            continue
        if any(ln.hash == b.prev and ln.seq == b.seq - 1 for ln in chain):
            continue  # linked to its predecessor, wherever that stands (misplacement is reported there)
        missing = []
        seq = b.seq - 1
        while seq >= 1 and seq not in present:
            missing.append(seq)
            seq -= 1
        target = by_hash.get(b.prev)
        where = (
            f"; the prev of {_at(b)} points to {_at(target)}" if target else f"; the prev of {_at(b)} matches no line"
        )
        if missing:
            if gap_lines >= len(missing):
                continue  # the malformed line(s) just before it stand where the missing ones were
            after = f" between {_at(a)} and {_at(b)}" if a is not None else f" before {_at(b)}"
            problems.append(
                AuditProblem(
                    b.number,
                    "removed",
                    f"{_seqs(missing)} {'is' if len(missing) == 1 else 'are'} missing{after}{where}",
                )
            )
        elif target is not None:
            problems.append(AuditProblem(b.number, "reordered", f"{_at(b)} should follow seq {b.seq - 1}{where}"))
        else:
            for pred in (ln for ln in chain if ln.seq == b.seq - 1 and ln.sound):
                problems.append(
                    AuditProblem(
                        pred.number,
                        "edited",
                        f"{_at(pred)} was changed after {_at(b)} was written: its hash was recomputed, "
                        f"so it no longer matches the prev that {_at(b)} records",
                    )
                )

    n_lines = len(raw_lines)
    for seq, expected in sorted((anchors or {}).items()):
        found = [ln for ln in chain if ln.seq == seq]
        if not found:
            problems.append(
                AuditProblem(
                    n_lines + 1,
                    "removed",
                    f"seq {seq}, anchored with hash {expected[:12]}..., is not in the log: lines were removed",
                )
            )
        elif all(ln.hash != expected for ln in found):
            problems.append(
                AuditProblem(
                    found[0].number,
                    "edited",
                    f"{_at(found[0])} has hash {found[0].hash[:12]}..., not the anchored {expected[:12]}...: "
                    "the chain was rewritten at or before this line",
                )
            )

    tip = lines[-1] if lines else None
    problems.sort(key=lambda p: (p.line, KINDS.index(p.kind)))
    return AuditReport(
        path=path,
        n_lines=n_lines,
        problems=tuple(problems),
        last_seq=tip.seq if tip else None,
        last_hash=tip.hash if tip else None,
    )


# ---------------------------------------------------------------------------------- packages as anchors


def packages_under(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every readable package manifest under ``folder`` (``<model>/<version>/<run>/manifest.json``)."""
    from mrmkit.errors import PackageError
    from mrmkit.manifest import read_manifest

    found = []
    for path in sorted(Path(folder).glob("*/*/*/manifest.json")):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        try:
            found.append((path.parent, read_manifest(path.parent)))
        except PackageError:
            continue
    return found


def verify_with_packages(path: Path) -> AuditReport:
    """Check the log's chain and its anchors: every package under the log's folder names it.

    Each package's manifest records ``audit_head``, the log's last line before the run, and the log must
    hold a ``run`` line for that package with the manifest's hash. So removing the last lines, emptying or
    deleting the log, rewriting the whole chain with fresh hashes, or editing a package and its run line,
    each shows as a problem naming the package, though the chain alone may be unbroken.
    """
    path = Path(path)
    packages = packages_under(path.parent)
    anchors = {}
    for _, manifest in packages:
        anchor = manifest.get("audit_head")
        if isinstance(anchor, dict) and isinstance(anchor.get("seq"), int) and _is_hash(anchor.get("hash")):
            anchors[anchor["seq"]] = anchor["hash"]
    if not path.exists():
        if not packages:
            raise InvalidInput(f"{path} does not exist.")
        return AuditReport(path, 0, (AuditProblem(1, "removed", f"the log is missing, but {len(packages)} "
                                                  f"package(s) under {path.parent} were published with it"),))  # fmt: skip
    report = verify(path, anchors)
    problems = list(report.problems)
    try:
        runs = {r.get("run_id"): r for r in read(path) if r.get("action") == "run"}
    except (AuditError, InvalidInput):
        runs = {}  # a malformed log is already a problem of the chain
    for package, manifest in packages:
        run = runs.get(manifest.get("run_id"))
        where = printable(package.relative_to(path.parent).as_posix())
        if run is None:
            problems.append(AuditProblem(report.n_lines + 1, "removed", f"no run line for the package {where}"))
        elif run.get("manifest_sha256") != manifest.get("manifest_sha256"):
            problems.append(AuditProblem(report.n_lines + 1, "edited", f"the run line (seq {run.get('seq')}) of "
                                         f"{where} records another manifest hash than the package has"))  # fmt: skip
    return AuditReport(path, report.n_lines, tuple(problems), report.last_seq, report.last_hash)


def package_trail(package: Path, manifest: Mapping[str, Any]) -> tuple[bool | None, str]:
    """The audit log next to a package on this package: (None, why) without a log, else (matches, line)."""
    log = Path(package).resolve().parent.parent.parent / AUDIT_LOG
    if not log.exists():
        return None, "audit trail: none next to the package"
    try:
        runs = [r for r in read(log) if r.get("action") == "run" and r.get("run_id") == manifest.get("run_id")]
    except (AuditError, InvalidInput) as exc:
        return False, f"audit trail: {log} cannot be read ({printable(exc)})"
    if not runs:
        return False, f"audit trail: {log} has no run line for this package"
    run = runs[-1]
    if run.get("manifest_sha256") != manifest.get("manifest_sha256"):
        return False, f"audit trail: the manifest hash differs from the run line (seq {run.get('seq')}) in {log}"
    return True, f"audit trail: matches the run line (seq {run.get('seq')}) in {log}"
