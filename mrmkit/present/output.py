"""Machine-readable output of ``mrmkit diff`` and ``mrmkit history``: CSV and JSON, every value exact.

- JSON: ``json.dumps(allow_nan=False)`` of plain values (:func:`mrmkit.compare.plain`): floats in full
  precision, infinities as the strings ``"inf"``/``"-inf"`` (as ``metrics.json`` stores them), NaN as
  ``null``. Non-ASCII characters are written as ``\\u`` escapes, so no control character from a package
  (ESC, CR, a bidi override) reaches the terminal, and the text still decodes to exactly what was recorded.
- CSV: written by the :mod:`csv` module (fields quoted when they need it). Floats are ``repr`` (full
  precision; ``float(text)`` gives the same number back), infinities ``inf``/``-inf``, NaN and ``None``
  empty, booleans ``true``/``false``, empty containers ``{}``/``[]``. Text is shown with its control
  characters as escapes (:func:`mrmkit.errors.printable`), and text that starts with ``=``, ``+``,
  ``-`` or ``@`` gets a leading ``'`` so a spreadsheet does not run it as a formula (CSV injection).
  Numbers are never prefixed: ``-0.5`` stays a number. The guard is for CSV only; JSON and the tables
  show text as it is.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

from mrmkit.compare import plain
from mrmkit.errors import MrmkitError, printable

__all__ = ["FORMATS", "check_format", "csv_cell", "csv_text", "json_text"]

FORMATS = ("table", "csv", "json")
FORMULA_START = ("=", "+", "-", "@")


def check_format(value: str) -> str:
    """``value`` if it is one of :data:`FORMATS`; otherwise one sentence (exit 2)."""
    if value not in FORMATS:
        raise MrmkitError(f"--format: choose one of table, csv or json; got {printable(repr(value))}.")
    return value


def csv_cell(value: Any) -> str:
    """One CSV field: numbers exact, text printable and guarded against formula injection."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if value in ("inf", "-inf"):  # how metrics.json stores an infinity: a number, not text
        return value
    if isinstance(value, (dict, list)):
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False)
    else:
        text = str(value)
    text = printable(text)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A whole CSV document (``\\n`` line ends), header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def json_text(value: Any) -> str:
    """``value`` as indented JSON: exact floats, ``"inf"``/``"-inf"``, NaN as ``null``, ASCII only."""
    return json.dumps(plain(value), indent=2, allow_nan=False, ensure_ascii=True) + "\n"
