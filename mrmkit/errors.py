"""One family of errors for everything a user can cause.

Every error that reaches the command line is one sentence naming the file and the field; the CLI turns
``MrmkitError`` subclasses into exit codes and never shows a traceback for them.
"""

from __future__ import annotations


class MrmkitError(Exception):
    """Base class of every error mrmkit raises on purpose."""

    exit_code = 2

    def _render_traceback_(self) -> list[str]:
        """How IPython shows it in a notebook: the one sentence, not a traceback of mrmkit's internals."""
        return [f"{type(self).__name__}: {self}"]


class InvalidParameters(MrmkitError, ValueError):
    """A parameter file, or an argument of a public function, is not acceptable."""


class InvalidInput(MrmkitError, ValueError):
    """A data file, a column or a model artifact is not acceptable."""


class InsufficientData(InvalidInput):
    """There is too little data to compute a statistic honestly."""


class WorkbookFailed(MrmkitError):
    """A workbook raised while it ran; the package is published with status ``failed``."""

    exit_code = 1


class PublishError(MrmkitError):
    """A package could not be written (a full disk, an unwritable audit trail); nothing was published."""


class PackageError(MrmkitError):
    """An evidence package is missing, unreadable or not a package."""


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is a write refused for lack of room (ENOSPC, EFBIG, EDQUOT)."""
    import errno

    codes = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, OSError) and exc.errno in codes:
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


# ----------------------------------------------------------------------------------------- termination

_TERMINATING: list[int] = []


def terminating(signum: int | None = None) -> bool:
    """Whether a SIGTERM (or Ctrl-C) asked this process to stop; ``terminating(signum)`` records that it did.

    An interrupt that lands inside a library (a kernel starting, ZeroMQ sockets closing) may surface as that
    library's own error instead of ``KeyboardInterrupt``; the command line and the runner ask this first, so
    the run still ends as interrupted (exit 130, nothing published), never with a traceback.
    """
    if signum is not None:
        _TERMINATING.append(signum)
    return bool(_TERMINATING)


# ------------------------------------------------------------------------------------- message hygiene

#: the longest a value is shown inside a message, and the longest a whole message may be
VALUE_LIMIT = 80
MESSAGE_LIMIT = 600


def printable(text: object) -> str:
    """``text`` with every control or format character (ESC, CR, BEL, NUL, bidi overrides...) shown as an escape.

    Such characters in a name from a data or parameter file could otherwise move the cursor, rewrite a
    line, open a terminal hyperlink or forge an output line; line breaks are shown as ``\\n`` too.
    """
    import unicodedata

    s = str(text)
    if s.isprintable():
        return s
    return "".join(
        ch if ch.isprintable() or ch == " " else (repr(ch)[1:-1] if unicodedata.category(ch)[0] == "C" else ch)
        for ch in s
    )


def shorten(value: object, limit: int = VALUE_LIMIT) -> str:
    """A value for a message: its ``repr`` for non-strings, printable, at most ``limit`` characters."""
    s = printable(value if isinstance(value, str) else repr(value))
    if len(s) <= limit:
        return s
    return f"{s[: limit - 1]}… ({len(s):,} characters)"


def one_line(message: object, limit: int = MESSAGE_LIMIT) -> str:
    """A whole message on one line of at most ``limit`` characters (the CLI's safety net)."""
    s = printable(" ".join(str(message).split()))
    return s if len(s) <= limit else f"{s[: limit - 1]}…"
