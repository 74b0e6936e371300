"""The parts of the validation report that make it a document a validator signs: its control block, the
validator's opinion beside mrmkit's proposed rating, and the limitations of the validation.

- :func:`document_status`: ``FINAL`` when the parameter file's ``validation`` section states an opinion and
  both sign-off dates, else ``DRAFT`` (printed on every page: the report, every workbook report, the PDF);
- :func:`document_control`: status, version, classification, validator and reviewer, the fingerprint of the
  key that signs the package (never the operating-system user), the previous validation and the next due date
  (from the inventory when the run has one, else from ``validation``, else "not recorded");
- :func:`opinion`: the opinion, rationale, conditions, compensating controls and exclusions, or ``None``;
- :func:`limitations`: the validator's limitations, then those mrmkit found: every section that applies to
  the model's kind and lacked an input or data, with the expectations it leaves unevidenced, and the
  expectations only a review can evidence that no review covers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from mrmkit import kinds
from mrmkit.registry import scope as scopes
from mrmkit.registry import workbooks

__all__ = ["NOT_RECORDED", "Schedule", "document_status", "document_control", "opinion", "limitations"]

NOT_RECORDED = "not recorded"

#: (previous validation, next due date, where they come from): the inventory's or ``validation``'s dates.
Schedule = tuple["dt.date | None", "dt.date | None", str]


def document_status(validation: Any) -> str:
    """``FINAL`` with an opinion and the validator's and reviewer's sign-off dates, else ``DRAFT``."""
    return "FINAL" if validation.final else "DRAFT"


def schedule(validation: Any, inventory: Any = None) -> Schedule:
    """The previous validation and the next due date: the inventory entry's (``last_validated``, and that plus
    its frequency), else ``validation.previous_validation`` and ``validation.next_due``."""
    if inventory is not None:
        from mrmkit.params.inventory import next_due

        return inventory.last_validated, next_due(inventory), "inventory"
    return validation.previous_validation, validation.next_due, "validation section"


def _date(day: dt.date | None) -> str:
    return str(day) if day is not None else NOT_RECORDED


def document_control(validation: Any, signing_key: str | None, inventory: Any = None) -> list[tuple[str, str]]:
    """The document-control block's rows (label, value), every value a string."""
    previous, due, source = schedule(validation, inventory)
    return [
        ("Document status", document_status(validation)),
        ("Document version", validation.document_version),
        ("Classification", validation.classification),
        ("Validator", validation.validator or NOT_RECORDED),
        ("Reviewer", validation.reviewer or NOT_RECORDED),
        ("Signing key", signing_key or "none: the package is not signed"),
        ("Previous validation", _date(previous) + (f" ({source})" if previous else "")),
        ("Next validation due", _date(due) + (f" ({source})" if due else "")),
    ]


def opinion(validation: Any) -> dict[str, Any] | None:
    """The validator's opinion and what goes with it, or ``None`` when no opinion is stated (a draft)."""
    if validation.opinion is None:
        return None
    return {
        "opinion": validation.opinion,
        "css": {"fit for use": "evidenced", "fit for use with conditions": "amber", "not fit for use": "red"}[
            validation.opinion
        ],
        "rationale": validation.rationale or "",
        "conditions": list(validation.conditions),
        "compensating_controls": list(validation.compensating_controls),
        "exclusions": list(validation.exclusions),
        "validator": validation.validator or "",
        "validated_on": str(validation.validated_on or ""),
    }


def _cited_by(kind: kinds.ModelKind, section: str) -> list[kinds.Expectation]:
    return [e for e in kind.expectations if section in e.sections]


def limitations(
    validation: Any,
    scope: Sequence[scopes.SectionScope],
    results: Mapping[str, Any],
    kind: kinds.ModelKind,
    rows: Sequence[Mapping[str, Any]],
) -> list[dict[str, str]]:
    """The limitations of this validation: the validator's, then mrmkit's (``source`` says whose)."""
    out = [{"source": "validator", "text": text} for text in validation.limitations]
    excluded = set(validation.out_of_scope)
    for s in scopes.limitations(scope):
        cited = [e for e in _cited_by(kind, s.id) if e.id not in excluded]
        leaves = "; it leaves " + ", ".join(e.id for e in cited) + " without this evidence" if cited else ""
        text = (
            f"{workbooks.get(s.workbook).title_for(kind)}: {s.title} did not run (input missing: {s.reason}){leaves}."
        )
        out.append({"source": "mrmkit", "text": text})
    for name in [w for w in workbooks.names() if w not in results and kind.applies_to_workbook(w)]:
        cited = sorted(
            {e.id for e in kind.expectations if e.id not in excluded for s in e.sections if s.startswith(name + ".")}
        )
        if cited:
            title = workbooks.get(name).title_for(kind).lower()
            out.append(
                {
                    "source": "mrmkit",
                    "text": f"The {title} workbook was not run (input missing: the parameter file has no settings "
                    f"for it); it leaves {', '.join(cited)} without this evidence.",
                }
            )
    unreviewed = [r["id"] for r in rows if r["status"] == "NOT EVIDENCED" and _review_only(kind, r["id"])]
    if unreviewed:
        out.append(
            {
                "source": "mrmkit",
                "text": "No review is recorded for " + ", ".join(unreviewed) + ": mrmkit cannot evidence these, so "
                "they stay not evidenced until the validator records a review in the parameter file's validation "
                "section.",
            }
        )
    return out


def _review_only(kind: kinds.ModelKind, expectation_id: str) -> bool:
    return kind.expectation(expectation_id).needs_review
