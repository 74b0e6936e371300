"""Opening a file whose path a user, a parameter file or an earlier run controls: the one way mrmkit reads them.

A path can name something that is no file: ``/dev/zero`` (its size is 0, and it never ends), a FIFO (opening
it waits for a writer, forever), a socket, a folder, or a file swapped for one of these between a check and
the open. So every read here

* opens with ``O_NONBLOCK`` (a FIFO opens at once instead of waiting for a writer);
* checks with ``fstat`` on the open descriptor, not the path, that it is a regular file;
* refuses a file larger than the reader's byte bound, and never reads more than that bound, even from a
  file that grows while it is read.

A problem is one sentence naming the file and what it is (``is a FIFO, not a regular file``), raised as the
caller's error class (``InvalidInput`` unless told otherwise): exit code 2 on the command line.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from mrmkit.errors import InvalidInput, MrmkitError, printable

__all__ = [
    "NotRegularFile",
    "TooLarge",
    "file_kind",
    "open_fd",
    "open_regular",
    "read_bytes",
    "read_text",
    "iter_lines",
    "problem",
]

#: flags of every read: never block on a FIFO, never leak the descriptor into a child (a kernel, Chromium)
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_CHUNK = 1 << 20


class NotRegularFile(OSError):
    """The path opened is a FIFO, a device, a socket, a folder or a link where none is allowed."""


class TooLarge(OSError):
    """The file holds more bytes than its reader accepts."""


def file_kind(mode: int) -> str:
    """What a file of ``mode`` is, in words: ``FIFO``, ``character device``, ``folder``..."""
    for test, name in (
        (stat.S_ISLNK, "symbolic link"),
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISSOCK, "socket"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISDIR, "folder"),
    ):
        if test(mode):
            return name
    return "special file"


def _a(kind: str) -> str:
    return ("an " if kind[0] in "aeiouAEIOU" else "a ") + kind


def open_fd(path: str | os.PathLike[str], limit: int | None = None, *, follow: bool = True) -> int:
    """A read-only descriptor of the regular file ``path``; ``NotRegularFile`` or ``TooLarge`` (both OSError).

    Opened non-blocking and checked with ``fstat`` after the open, so nothing swapped in between is read.
    ``follow=False`` refuses a symbolic link (``O_NOFOLLOW``).
    """
    flags = _FLAGS | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow:
            raise NotRegularFile(errno.ELOOP, "it is a symbolic link, not a regular file") from None
        if exc.errno == errno.ENXIO:  # a socket, or a FIFO opened for writing only
            raise NotRegularFile(errno.ENXIO, "it is a socket or FIFO, not a regular file") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(errno.EINVAL, f"it is {_a(file_kind(info.st_mode))}, not a regular file")
        if limit is not None and info.st_size > limit:
            raise TooLarge(errno.EFBIG, f"it is {info.st_size:,} bytes, more than the {limit:,} bytes allowed")
    except BaseException:
        os.close(fd)
        raise
    return fd


def problem(exc: OSError) -> str:
    """Why an ``OSError`` of a read happened, in a few words for a sentence."""
    if isinstance(exc, IsADirectoryError):
        return "it is a folder, not a regular file"
    if isinstance(exc, FileNotFoundError):
        return "it does not exist"
    return printable(exc.strerror or exc)


def _fail(error: type[MrmkitError], what: str, path: Any, exc: OSError) -> MrmkitError:
    return error(f"{what} {printable(path)} cannot be read: {problem(exc)}.")


class _Bounded(io.RawIOBase):
    """A raw reader of a descriptor that fails (``TooLarge``) rather than read past ``limit`` bytes."""

    def __init__(self, fd: int, limit: int) -> None:
        self._fd, self._limit = fd, limit

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return os.lseek(self._fd, offset, whence)

    def tell(self) -> int:
        return os.lseek(self._fd, 0, io.SEEK_CUR)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        left = self._limit - self.tell()
        data = os.read(self._fd, min(len(view), max(left, 0) + 1))
        if len(data) > left:
            raise TooLarge(errno.EFBIG, f"it grew past the {self._limit:,} bytes allowed while it was read")
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


@contextmanager
def open_regular(
    path: str | os.PathLike[str],
    what: str,
    limit: int,
    *,
    error: type[MrmkitError] = InvalidInput,
    follow: bool = True,
) -> Iterator[IO[bytes]]:
    """A buffered binary reader of the regular file ``path`` (for pandas, pyarrow, skops, joblib...).

    Problems opening it are one ``error`` sentence: ``{what} {path} cannot be read: it is a FIFO, not a
    regular file.`` Reads past ``limit`` bytes raise ``TooLarge`` (an OSError) inside the block.
    """
    try:
        fd = open_fd(path, limit, follow=follow)
    except OSError as exc:
        raise _fail(error, what, path, exc) from None
    with io.BufferedReader(_Bounded(fd, limit), buffer_size=_CHUNK) as handle:
        yield handle


def read_bytes(
    path: str | os.PathLike[str],
    what: str,
    limit: int,
    *,
    error: type[MrmkitError] = InvalidInput,
    follow: bool = True,
) -> bytes:
    """Every byte of the regular file ``path``, at most ``limit`` of them; one ``error`` sentence otherwise."""
    try:
        fd = open_fd(path, limit, follow=follow)
    except OSError as exc:
        raise _fail(error, what, path, exc) from None
    try:
        chunks, total = [], 0
        while block := os.read(fd, min(_CHUNK, limit - total + 1)):
            total += len(block)
            if total > limit:
                raise error(f"{what} {printable(path)} cannot be read: it holds more than the {limit:,} bytes allowed.")
            chunks.append(block)
        return b"".join(chunks)
    except OSError as exc:
        raise _fail(error, what, path, exc) from None
    finally:
        os.close(fd)


def read_text(
    path: str | os.PathLike[str],
    what: str,
    limit: int,
    *,
    error: type[MrmkitError] = InvalidInput,
    encoding: str = "utf-8",
    follow: bool = True,
) -> str:
    """The text of the regular file ``path`` (:func:`read_bytes`, decoded); not UTF-8 is one sentence too."""
    data = read_bytes(path, what, limit, error=error, follow=follow)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise error(
            f"{what} {printable(path)} cannot be read: it is not {encoding} text (byte {exc.start:,})."
        ) from None


def iter_lines(fd: int, line_limit: int, start: int = 0) -> Iterator[tuple[bytes, bool]]:
    """The lines of the open file ``fd`` from ``start``, streamed: ``(line without newline, complete)``.

    Memory stays bounded by ``line_limit``: a longer line is yielded as its first ``line_limit`` bytes
    followed by ``b"..."`` (so it never parses) and the rest of it is skipped. The last line is
    ``complete=False`` when the file does not end with a newline.
    """
    pending = bytearray()
    overlong = False
    offset = start

    def add(part: bytes) -> None:
        nonlocal overlong
        if not overlong:
            pending.extend(part[: line_limit + 1 - len(pending)])
            if len(pending) > line_limit:
                del pending[line_limit:]
                overlong = True

    while block := os.pread(fd, _CHUNK, offset):
        offset += len(block)
        begin = 0
        while (cut := block.find(b"\n", begin)) >= 0:
            add(block[begin:cut])
            yield bytes(pending) + (b"..." if overlong else b""), True
            pending.clear()
            overlong = False
            begin = cut + 1
        add(block[begin:])
    if pending or overlong:
        yield bytes(pending) + (b"..." if overlong else b""), False
