"""Where the loaders find a run's snapshot of its remote inputs (see :mod:`mrmkit.sources`).

:func:`using` sets the folder for the runner's own checks (this thread), :data:`SOURCES_ENV` carries it to
the workbooks' kernels, and :func:`cached` is what a loader asks. It imports nothing of mrmkit, so the
loaders of :mod:`mrmkit.sources.sql` and :mod:`mrmkit.sources.registry` use it without importing the
package that dispatches to them.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = ["SOURCES_ENV", "cached", "using"]

SOURCES_ENV = "MRMKIT_SOURCES_DIR"
_FOLDER: contextvars.ContextVar[Path | None] = contextvars.ContextVar("mrmkit_sources", default=None)


@contextlib.contextmanager
def using(folder: Path | None) -> Iterator[None]:
    """Within the block, loaders in this thread read remote inputs from ``folder`` (the runner's own checks)."""
    token = _FOLDER.set(folder)
    try:
        yield
    finally:
        _FOLDER.reset(token)


def cached() -> Path | None:
    """The run's snapshot folder: set by :func:`using` in the runner, by :data:`SOURCES_ENV` in a workbook's
    kernel; ``None`` outside a run (fetch directly)."""
    folder = _FOLDER.get()
    if folder is not None:
        return folder
    value = os.environ.get(SOURCES_ENV)
    return Path(value) if value else None
