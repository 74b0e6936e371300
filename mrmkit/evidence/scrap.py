"""The only module that talks to scrapbook (unmaintained since 2021; kept behind this adapter).

Notebooks call :func:`record` to store a JSON result in the executed notebook; the runner calls
:func:`read` to collect them. scrapbook's ``display=True`` loses the value when read back (see
TOOLCHAIN.md), so values are always glued without display.

A workbook's metrics are validated at both ends: :func:`record` with ``workbook=`` refuses metrics its
model does not accept (:class:`~mrmkit.evidence.metrics.InvalidEvidence`, raised in the notebook), and the
runner checks what :func:`read` gives back (:func:`mrmkit.evidence.metrics.admit`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mrmkit.stats._base import jsonable

__all__ = ["record", "read"]


def record(name: str, value: Any, workbook: str | None = None) -> None:
    """Store ``value`` (made JSON-safe) under ``name`` in the running notebook.

    With ``workbook``, ``value`` is that workbook's metrics and must validate against its model.
    """
    import scrapbook as sb

    payload = jsonable(value)
    json.dumps(payload, allow_nan=False)  # fail here, in the notebook, not later in the runner
    if workbook is not None:
        from mrmkit.evidence.metrics import InvalidEvidence, refusal, validate

        problems = validate({workbook: payload})
        if problems:
            raise InvalidEvidence(refusal(workbook, problems))
    sb.glue(name, payload, encoder="json")


def read(notebook: Path) -> dict[str, Any]:
    """Every scrap recorded in an executed notebook, by name."""
    import scrapbook as sb

    book = sb.read_notebook(str(notebook))
    return {name: scrap.data for name, scrap in book.scraps.items() if scrap.data is not None}
