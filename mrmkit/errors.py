"""One family of errors for everything a user can cause.

Every error that reaches the command line is one sentence naming the file and the field; the CLI turns
``MrmkitError`` subclasses into exit codes and never shows a traceback for them.
"""

from __future__ import annotations


class MrmkitError(Exception):
    """Base class of every error mrmkit raises on purpose."""

    exit_code = 2


class InvalidParameters(MrmkitError, ValueError):
    """A parameter file, or an argument of a public function, is not acceptable."""


class InvalidInput(MrmkitError, ValueError):
    """A data file, a column or a model artifact is not acceptable."""


class InsufficientData(InvalidInput):
    """There is too little data to compute a statistic honestly."""


class WorkbookFailed(MrmkitError):
    """A workbook raised while it ran; the package is published with status ``failed``."""

    exit_code = 1


class PackageError(MrmkitError):
    """An evidence package is missing, unreadable or not a package."""
