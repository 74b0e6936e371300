"""Writing the audit trail: :func:`append` one event under a lock, extending the hash chain, and :func:`head`,
the last line's seq and hash, to anchor elsewhere.
"""

from __future__ import annotations

import errno
import getpass
import json
import os
import socket
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.evidence.audit.chain import GENESIS, MAX_LINE, RESERVED, AuditError, _open, _parse, line_hash

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = ["append", "head"]


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
        if len(tail) > MAX_LINE + 1:  # no line is that long: what is left cannot parse, so do not read it all
            return tail
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
    from mrmkit.evidence.signing import load_private_key

    signer = load_private_key()  # with a key, every append also signs the checkpoint of the tail
    created = not path.exists()
    fd = _open_for_append(path)
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
        if len(data) > MAX_LINE:
            raise InvalidParameters(
                f"The audit event is {len(data):,} bytes; a line of the log is at most {MAX_LINE:,}."
            )
        try:
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(f"only {written} of {len(data)} bytes were written")
            os.fsync(fd)
            if signer is not None:
                from mrmkit.evidence.audit.checkpoint import write_checkpoint

                write_checkpoint(path, record["seq"], record["hash"], signer)
        except OSError as exc:
            try:
                os.ftruncate(fd, size)
            except OSError:
                pass
            raise AuditError(
                f"Could not append to the audit trail {path} ({exc.strerror or exc}); the log was left as it was."
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

    Reads the log backwards from its end (never the whole file). Raises ``InvalidInput`` when it is missing or
    not a regular file, and ``AuditError`` when the last line is incomplete, malformed or edited.
    """
    path = Path(path)
    fd = _open(path)
    try:
        size = os.fstat(fd).st_size
        return _check_last(_last_line(fd, size), path) if size else None
    finally:
        os.close(fd)


def _open_for_append(path: Path) -> int:
    """The log opened for appending (created when missing): a regular file, checked after the open."""
    import stat

    from mrmkit.files import file_kind

    flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except FileNotFoundError:
        raise InvalidInput(f"Cannot create the audit trail {path}: the folder {path.parent} does not exist.") from None
    except IsADirectoryError:
        raise InvalidInput(f"The audit trail {path} is a folder, not a file.") from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise InvalidInput(
                f"The audit trail {path} cannot be written: it is not a regular file (a socket)."
            ) from None
        raise InvalidInput(f"The audit trail {path} cannot be opened for writing ({exc.strerror or exc}).") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise InvalidInput(f"The audit trail {path} cannot be written: it is not a regular file ({file_kind(mode)}).")
    return fd
