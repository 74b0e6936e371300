"""The supervisory map: every expectation a validation of the model's kind must address, and where it stands.

Each expectation of the kind (:mod:`mrmkit.kinds`) gets one status, in this order of precedence:

- ``OUT OF SCOPE``: the validator left it out (``validation.out_of_scope``), with the validator's reason;
- ``EVIDENCED, WITH RED FINDINGS`` / ``EVIDENCED, WITH AMBER FINDINGS``: a section that evidences it ran and
  shows a finding (the worst severity is shown);
- ``EVIDENCED``: a section that evidences it ran without an amber or red finding, or the validator recorded a
  review of it (``validation.reviews``: who, when, conclusion, reference);
- ``NOT APPLICABLE``: every section that could evidence it ran into inputs that make it moot (no application
  was declined: no adverse-action reason is owed);
- ``NOT EVIDENCED``: otherwise, with the reason: "input missing: ..." for each section that applies and lacked
  an input or data, the workbook that was not run, or, for an expectation no computation evidences
  (conceptual soundness, documentation, implementation...), that no review was recorded.

The rows are plain data for the template (``templates/report/index.html.j2``), which escapes every value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mrmkit import kinds
from mrmkit.policy import SEVERITY_ORDER
from mrmkit.present import summary
from mrmkit.registry import scope as scopes
from mrmkit.registry import workbooks

__all__ = ["STATUSES", "expectation_row", "supervisory_map", "unevidenced"]

#: Every status a row can have, and its badge's style (never green: "evidenced" is a fact, not a grade).
STATUSES = {
    "EVIDENCED": "evidenced",
    "EVIDENCED, WITH RED FINDINGS": "red",
    "EVIDENCED, WITH AMBER FINDINGS": "amber",
    "NOT EVIDENCED": "gap",
    "NOT APPLICABLE": "none",
    "OUT OF SCOPE": "none",
}


def _link(s: scopes.SectionScope, kind: kinds.ModelKind) -> dict[str, str]:
    return {
        "href": f"{s.workbook}.html#{summary.anchor(s.title)}",
        "text": f"{workbooks.get(s.workbook).title_for(kind)}: {s.title}",
    }


def _worst(ran: Sequence[scopes.SectionScope], findings: Sequence[Mapping[str, Any]]) -> str | None:
    anchors = {(s.workbook, summary.anchor(s.title)) for s in ran}
    worst = min(
        (
            SEVERITY_ORDER[f["severity"]]
            for f in findings
            if f.get("severity") in ("red", "amber")
            and (str(f.get("workbook")), summary.finding_link(f).split("#", 1)[1]) in anchors
        ),
        default=None,
    )
    return None if worst is None else ("red" if worst == SEVERITY_ORDER["red"] else "amber")


def _why_not(
    expectation: kinds.Expectation,
    by_id: Mapping[str, scopes.SectionScope],
    results: Mapping[str, Any],
    kind: kinds.ModelKind,
) -> tuple[str, bool]:
    """Why the expectation is not evidenced, and whether every reason makes it moot (not applicable)."""
    if expectation.needs_review:
        return "mrmkit cannot evidence this; no review is recorded in the parameter file's validation section", False
    reasons, moot = [], True
    for section in expectation.sections:
        workbook = section.split(".", 1)[0]
        if workbook not in results:
            reasons.append(f"input missing: the {workbooks.get(workbook).title_for(kind).lower()} workbook was not run")
            moot = False
        elif section in by_id:
            s = by_id[section]
            if s.missing:
                reasons.append(f"input missing: {s.title}: {s.reason}")
                moot = False
            else:
                reasons.append(f"not applicable: {s.title}: {s.reason}")
    return "; ".join(dict.fromkeys(reasons)), moot and bool(reasons)


def expectation_row(
    expectation: kinds.Expectation,
    scope: Sequence[scopes.SectionScope],
    findings: Sequence[Mapping[str, Any]],
    results: Mapping[str, Any],
    kind: kinds.ModelKind,
    validation: Any = None,
) -> dict[str, Any]:
    """One row of the map: id, source, evidence, status, its badge style, links and the reason or review."""
    by_id = {s.id: s for s in scope}
    ran = [by_id[s] for s in expectation.sections if s in by_id and by_id[s].ran]
    supporting = [by_id[s] for s in expectation.supporting if s in by_id and by_id[s].ran]
    review = (validation.reviews.get(expectation.id) if validation is not None else None) or None
    out_of_scope = validation.out_of_scope.get(expectation.id) if validation is not None else None
    row: dict[str, Any] = {
        "id": expectation.id,
        "source": expectation.source,
        "evidence": expectation.evidence,
        "links": [_link(s, kind) for s in ran],
        "supporting": [_link(s, kind) for s in supporting],
        "review": None,
        "why": "",
        "severity": None,
    }
    if out_of_scope:
        status, row["why"] = "OUT OF SCOPE", f"the validator's reason: {out_of_scope}"
    elif ran or review:
        worst = _worst(ran, findings)
        status = f"EVIDENCED, WITH {worst.upper()} FINDINGS" if worst else "EVIDENCED"
        row["severity"] = worst
        if review:
            row["review"] = {
                "by": review.by,
                "on": str(review.on),
                "conclusion": review.conclusion,
                "reference": review.reference or "",
            }
    else:
        why, moot = _why_not(expectation, by_id, results, kind)
        status, row["why"] = ("NOT APPLICABLE" if moot else "NOT EVIDENCED"), why
    row.update(status=status, css=STATUSES[status])
    return row


def supervisory_map(
    kind: kinds.ModelKind,
    scope: Sequence[scopes.SectionScope],
    findings: Sequence[Mapping[str, Any]],
    results: Mapping[str, Any],
    validation: Any,
) -> list[dict[str, Any]]:
    """Every expectation of the kind, in the kind's order, with its status."""
    return [expectation_row(e, scope, findings, results, kind, validation) for e in kind.expectations]


def unevidenced(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows of the map that are NOT EVIDENCED (gaps the validator must address or accept)."""
    return [r for r in rows if r["status"] == "NOT EVIDENCED"]
