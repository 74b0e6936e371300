"""The parts of the validation report a committee reads first, as data for the report's template.

- :func:`conclusions`: per workbook that ran, what it tested (the sections that ran, :mod:`mrmkit.registry.scope`),
  what it found and what that means, written from the findings (never from free text in the data: titles are
  quoted from mrmkit's own rules);
- :func:`finding_groups`: the findings grouped red, amber, green and ordered by workbook, each linked to the
  section of the workbook report that holds its evidence (the schema's ``_section``);
- :func:`sign_off`: validator, reviewer, scope and dates from the parameter file's ``validation`` section;
- :func:`stamp_reports`: the identity block (model, id, version, run, date, package status, document status,
  a link back to the validation report) at the top of every workbook report, so a printed page is never
  anonymous; a draft (no opinion, or a sign-off date missing) says DRAFT there and in a mark on every printed
  page.

HTML is written by the templates in ``templates/report/`` (:mod:`mrmkit.present.pages`), which escape every
value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mrmkit.evidence import schema
from mrmkit.policy import finding_order
from mrmkit.present.pages import render_page
from mrmkit.registry import scope as scopes
from mrmkit.registry import workbooks

__all__ = ["anchor", "finding_link", "conclusions", "finding_groups", "sign_off", "identity_block", "stamp_reports"]

SEVERITIES = ("red", "amber", "green")
MEANS = {
    "red": "the model breaches the policy on these points: remediation, or a documented and approved acceptance, is needed before further reliance",
    "amber": "no breach of the red thresholds; the amber points need monitoring and an explanation before the next validation",
    "green": "no test breaches the policy's amber or red thresholds",
    "failed": "the workbook did not finish, so its evidence is missing: the error is in its report",
}


def anchor(section: str) -> str:
    """The id nbconvert gives a Markdown heading (spaces become hyphens)."""
    return section.strip().replace(" ", "-")


def finding_link(finding: Mapping[str, Any]) -> str:
    """``<workbook>.html#<section>``: the part of the workbook report that shows the finding's evidence."""
    workbook = str(finding.get("workbook", ""))
    section = schema.section_of(str(finding.get("metric") or "")) or "Findings"
    return f"{workbook}.html#{anchor(section)}"


def _title(name: str, kind: Any) -> str:
    try:
        return workbooks.get(name).title_for(kind)
    except KeyError:
        return name


def _order(f: Mapping[str, Any]) -> tuple[int, tuple[Any, ...]]:
    names = workbooks.names()
    workbook = str(f.get("workbook", ""))
    return (names.index(workbook) if workbook in names else len(names)), finding_order(f)


def conclusions(
    results: Mapping[str, Mapping[str, Any]],
    findings: list[Mapping[str, Any]],
    scope: Iterable[scopes.SectionScope],
    kind: Any,
) -> list[dict[str, str]]:
    """One short conclusion per workbook that ran: what it tested, what it found, what that means."""
    scope = tuple(scope)
    out = []
    for name in [w for w in workbooks.names() if w in results]:
        mine = sorted((f for f in findings if f.get("workbook") == name), key=finding_order)
        counts = {s: sum(1 for f in mine if f.get("severity") == s) for s in SEVERITIES}
        failed = results[name].get("status") == "failed"
        worst = "failed" if failed else next((s for s in ("red", "amber") if counts[s]), "green")
        if failed:
            found = "The workbook failed before it finished."
        elif counts["red"] or counts["amber"]:
            top = [f for f in mine if f.get("severity") in ("red", "amber")][:2]
            named = "; ".join(f"“{f.get('title', '')}”" for f in top)
            found = f"{counts['red']} red and {counts['amber']} amber findings, the most severe: {named}."
        else:
            found = "No amber or red finding."
        tested = "the workbook did not finish" if failed else scopes.tested_sentence(scope, name, kind.vocabulary)
        out.append(
            {"title": _title(name, kind), "worst": worst, "tested": tested, "found": found, "means": MEANS[worst]}
        )
    return out


def finding_groups(findings: list[Mapping[str, Any]], kind: Any) -> list[dict[str, Any]]:
    """The findings grouped by severity (red first), ordered by workbook within each group."""
    groups = []
    for severity in SEVERITIES:
        group = sorted((f for f in findings if f.get("severity") == severity), key=_order)
        if group:
            groups.append({"severity": severity, "rows": [_finding_row(f, kind) for f in group]})
    return groups


def _finding_row(f: Mapping[str, Any], kind: Any) -> dict[str, Any]:
    return {
        "link": finding_link(f),
        "workbook": _title(str(f.get("workbook", "")), kind),
        "title": str(f.get("title", "")),
        "detail": str(f.get("detail", "")),
        "threshold": str(f.get("threshold") or ""),
        "metric_parts": str(f.get("metric") or "").split("."),
    }


def sign_off(validation: Any, run_date: str) -> dict[str, Any]:
    """The sign-off block's contents: names and dates as given (a blank line for a hand where not given)."""
    return {
        "scope": validation.scope or "",
        "reference": validation.reference or "",
        "rows": [
            ("Validator", validation.validator or "", str(validation.validated_on or "")),
            ("Reviewer", validation.reviewer or "", str(validation.reviewed_on or "")),
        ],
        "run_date": run_date,
    }


def identity_block(params: Any, identity: Mapping[str, Any], workbook_title: str) -> str:
    """The block at the top of a workbook report: whose evidence it is, from which run, in which state."""
    m = params.model
    status = "FINAL" if params.validation.final else "DRAFT"
    fields = [
        ("Model", m.name or m.id),
        ("Model id", m.id),
        ("Version", m.version),
        ("Run id", identity["run_id"]),
        ("Run date (UTC)", str(identity["started"])[:10]),
        ("Package status", identity["status"]),
        ("Document status", status),
    ]
    return render_page("identity.html.j2", workbook_title=workbook_title, fields=fields, document_status=status).strip()


_IDENTITY_CSS = (
    ".mrmkit-identity{border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;margin:0 0 18px;"
    "font-family:-apple-system,'Segoe UI',Helvetica,Arial,'DejaVu Sans',sans-serif;font-size:0.92em;background:#f8f9fa}.mrmkit-identity p{margin:4px 0}"
    ".mrmkit-kicker{font-weight:600}.mrmkit-fields{display:flex;flex-wrap:wrap;gap:4px 22px}"
    ".mrmkit-fields span{color:#5b6570}@media print{.mrmkit-identity{background:none}}"
    ".mrmkit-draft{color:#7a0c0c;font-weight:700}.mrmkit-draft-mark{position:fixed;top:40%;left:0;right:0;"
    "text-align:center;font-size:120px;font-weight:700;color:rgba(122,12,12,0.10);transform:rotate(-30deg);"
    "pointer-events:none;z-index:10}"
)
_BODY = re.compile(r"<body[^>]*>")


def stamp_reports(reports: Path, params: Any, identity: Mapping[str, Any]) -> None:
    """Put the identity block at the top of every workbook report in ``reports`` (index.html excluded)."""
    for path in sorted(Path(reports).glob("*.html")):
        if path.name == "index.html":
            continue
        text = path.read_text(encoding="utf-8")
        match = _BODY.search(text)
        if match is None:
            continue
        block = identity_block(params, identity, _title(path.stem, params.model_kind))
        text = text[: match.end()] + block + text[match.end() :]
        text = text.replace("</head>", f"<style>{_IDENTITY_CSS}</style></head>", 1)
        path.write_text(text, encoding="utf-8")
