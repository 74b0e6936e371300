"""Validate, serialise and describe ``metrics.json`` with the models of :mod:`mrmkit.evidence.models`.

- :func:`validate` lists what a metrics tree holds that the models refuse (an undeclared key, a value of
  the wrong type, a finding naming an undeclared key), one line per problem, ``[]`` when it is valid.
- :func:`dumps` is the one serialiser of ``metrics.json``: sorted keys, two-space indent, strict JSON (no
  NaN or infinity), UTF-8 text, a final newline.
- :func:`write_schema` writes ``metrics.schema.json``, the JSON Schema generated from the models, into a
  package (the manifest hashes it like every other file); the package's ``metrics.json`` validates
  against it (tables as their ``{"$table": ..., "rows": n}`` references).

**Where evidence is validated, and what happens when it is not valid.** A workbook that records an
undeclared key or a value of the wrong type is a bug of mrmkit's, never the user's. It is checked twice,
at both ends of scrapbook: :func:`mrmkit.evidence.scrap.record` refuses to record it inside the notebook
(:class:`InvalidEvidence`, so the workbook stops with the problem as its error), and the runner checks
what it reads back (:func:`admit`). Either way the package is still published, with the workbook
``failed``, its error naming the problems, and none of the refused metrics in ``metrics.json``; and
:func:`admit` emits an :class:`EvidenceWarning`, which the test suite turns into an error
(``filterwarnings`` in ``pyproject.toml``), so such a bug fails the test that ran the workbook loudly.
There is no switch: every run validates.
"""

from __future__ import annotations

import functools
import json
import warnings
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mrmkit.evidence.models import TABLE_TAGS, _show, metrics_model, workbook_model, workbooks

__all__ = [
    "SCHEMA_NAME",
    "InvalidEvidence",
    "EvidenceWarning",
    "validate",
    "admit",
    "dumps",
    "json_schema",
    "write_schema",
]

SCHEMA_NAME = "metrics.schema.json"
_SHOWN = 10  # problems named in a workbook's error (the rest are counted)


class InvalidEvidence(ValueError):
    """A workbook recorded metrics that its model refuses (a bug of mrmkit's)."""


class EvidenceWarning(UserWarning):
    """The runner refused a workbook's metrics; the test suite turns this into an error."""


def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if part in TABLE_TAGS:
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _problem(error: dict[str, Any], workbook: str) -> str:
    where, kind, value = _where((workbook, *error["loc"])), error["type"], error.get("input")
    if kind == "extra_forbidden":
        return f"{where}: not in the schema"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{where}: {_show(value)} should be a group of keys"
    if kind == "list_type":
        return f"{where}: {_show(value)} should be a list"
    if kind == "value_error":
        return f"{where}: {error['ctx']['error']}"
    if kind == "missing":
        return f"{where}: missing"
    return f"{where}: {error['msg']}"


def validate(metrics: Any) -> list[str]:
    """The problems of ``metrics`` (a whole ``metrics.json`` tree, by workbook), ``[]`` if there are none.

    Each workbook is checked with its own model, so a notebook that checks its own metrics builds only
    that workbook's model.
    """
    if not isinstance(metrics, dict):
        return [f"metrics: {_show(metrics)} should be a group of keys"]
    problems: list[str] = []
    for workbook, tree in metrics.items():
        if workbook not in workbooks():
            problems.append(f"{workbook}: not in the schema")
        elif tree is not None:
            try:
                workbook_model(workbook).model_validate(tree, context={"root": metrics}, by_alias=True)
            except ValidationError as exc:
                problems += [_problem(e, workbook) for e in exc.errors(include_url=False)]
    return problems


def refusal(workbook: str, problems: list[str]) -> str:
    """Why a workbook's metrics are refused: what was wrong, and whose bug it is."""
    more = f"; and {len(problems) - _SHOWN} more" if len(problems) > _SHOWN else ""
    return (
        f"the {workbook} workbook recorded metrics that metrics_schema.yaml does not declare (a bug of "
        f"mrmkit's; none of them were published): " + "; ".join(problems[:_SHOWN]) + more
    )


def admit(workbook: str, recorded: dict[str, Any], error: str | None) -> tuple[dict[str, Any], str | None]:
    """The runner's check of what it read back: ``(metrics to publish, the workbook's error)``.

    Valid metrics pass unchanged. Refused ones are not published and the refusal becomes the workbook's
    error. A workbook that stopped because :func:`mrmkit.evidence.scrap.record` refused its metrics keeps
    its error (and whatever it had recorded before, validated here too). Both warn with
    :class:`EvidenceWarning`.
    """
    problems = validate({workbook: recorded})
    if problems:
        recorded, error = {}, f"{InvalidEvidence.__name__}: {refusal(workbook, problems)}"
    if error is not None and error.startswith(f"{InvalidEvidence.__name__}:"):
        warnings.warn(error, EvidenceWarning, stacklevel=2)
    return recorded, error


def dumps(metrics: dict[str, Any]) -> str:
    """The text of ``metrics.json`` (see the module docstring)."""
    return json.dumps(metrics, indent=2, sort_keys=True, allow_nan=False, ensure_ascii=False) + "\n"


@functools.cache
def json_schema() -> str:
    """The text of ``metrics.schema.json``: the JSON Schema (draft 2020-12) of ``metrics.json``."""
    generated = metrics_model().model_json_schema(by_alias=True, mode="validation")
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": "Generated by mrmkit from metrics_schema.yaml; the schema of this package's metrics.json.",
        **generated,
    }
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema(folder: Path) -> Path:
    """Write ``metrics.schema.json`` into ``folder`` (a package being built); return its path."""
    path = Path(folder) / SCHEMA_NAME
    path.write_text(json_schema(), encoding="utf-8")
    return path
