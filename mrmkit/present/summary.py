"""The parts of the validation report a committee reads first, as data for the report's template.

- :func:`conclusions`: per workbook that ran, what it tested (the sections that ran, :mod:`mrmkit.registry.scope`),
  the validation issues it raised and what that means (never free text from the data: titles are mrmkit's own);
- :func:`issue_list`: the validation issues (:mod:`mrmkit.conclude`) in reading order, each with its tests and
  links to the sections of the workbook reports that hold its evidence (the schema's ``_section``);
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

from mrmkit.conclude import Issue
from mrmkit.conclude.issues import anchor, evidence_link
from mrmkit.present.pages import render_page
from mrmkit.registry import scope as scopes
from mrmkit.registry import workbooks
from mrmkit.text import labels
from mrmkit.text.labels import SNAKE_CASE, Dictionary

__all__ = [
    "anchor",
    "finding_link",
    "conclusions",
    "issue_list",
    "plain",
    "sign_off",
    "identity_block",
    "stamp_reports",
]

#: What a workbook's worst issue means for the reader (``failed``: the workbook did not finish).
MEANS = {
    "red": "at least one high-severity issue: remediation, or a documented and approved acceptance of the risk, is "
    "needed before further reliance on these points",
    "amber": "no high-severity issue; the medium-severity issues need remediation or an explanation before the next "
    "validation",
    "green": "no test crossed the policy's amber or red thresholds",
    "failed": "the workbook did not finish, so its evidence is missing: the error is in its report",
}
_RATING = {"high": "red", "medium": "amber"}


def finding_link(finding: Mapping[str, Any]) -> str:
    """``<workbook>.html#<section>``: the part of the workbook report that shows the finding's evidence."""
    return evidence_link(finding)["href"]


def _title(name: str, kind: Any) -> str:
    try:
        return workbooks.get(name).title_for(kind)
    except KeyError:
        return name


def _found(mine: list[Issue], words: Dictionary | None = None) -> str:
    if not mine:
        return "No issue: every test is within the policy's thresholds or was not judged for want of data."
    high = sum(1 for i in mine if i.severity == "high")
    count = f"{len(mine)} issue{'' if len(mine) == 1 else 's'}, {high} of high severity"
    others = "; ".join(f"{i.id} {i.category} ({i.severity})" for i in mine[1:4])
    more = f" and {len(mine) - 4} more" if len(mine) > 4 else ""
    lead = f"{count}. First {mine[0].id} ({mine[0].severity}): {plain(mine[0].title, words).rstrip('.')}."
    return f"{lead} Also: {others}{more}." if others else lead


def conclusions(
    results: Mapping[str, Mapping[str, Any]],
    issues: Iterable[Issue],
    scope: Iterable[scopes.SectionScope],
    kind: Any,
    words: Dictionary | None = None,
) -> list[dict[str, str]]:
    """One short conclusion per workbook that ran: what it tested, which issues it raised, what that means
    (column names in the issues' titles by their labels, ``words``)."""
    scope, issues = tuple(scope), list(issues)
    out = []
    for name in [w for w in workbooks.names() if w in results]:
        mine = [i for i in issues if i.workbook == name]
        failed = results[name].get("status") == "failed"
        worst = "failed" if failed else _RATING.get(mine[0].severity, "green") if mine else "green"
        found = "The workbook failed before it finished." if failed else _found(mine, words)
        tested = "the workbook did not finish" if failed else scopes.tested_sentence(scope, name, kind.vocabulary)
        out.append(
            {"title": _title(name, kind), "worst": worst, "tested": tested, "found": found, "means": MEANS[worst]}
        )
    return out


#: A parameter key cited in parentheses ("(policy.min_sample.expected_events)"): a pointer for the settings, not prose.


def plain(text: str, words: Dictionary | None) -> str:
    """``text`` (a finding's title, detail or threshold, an issue's headline) as the report's prose shows it:
    a column of the data dictionary by its label ("loan_amount" is "Loan amount"), a parameter key cited in
    parentheses left out (the workbook report's settings give it), and any other machine name (a category
    value such as ``card_not_present``) in words ("card not present"). The evidence keeps the names."""
    if not text:
        return text
    entries = words.entries if words is not None else {}

    def word(match: re.Match[str]) -> str:
        name = match.group(0)
        return words.label(name) if words is not None and name in entries else name.replace("_", " ")

    return SNAKE_CASE.sub(word, labels.without_cited_keys(text))


def _plain_test(test: Mapping[str, Any], words: Dictionary | None) -> dict[str, Any]:
    return {**test, **{k: plain(str(test.get(k) or ""), words) for k in ("title", "detail", "threshold")}}


def issue_list(issues: Iterable[Issue], kind: Any, words: Dictionary | None = None) -> list[dict[str, Any]]:
    """The validation issues in reading order, each with its tests and the links to its evidence; column
    names in their text are given by their labels (``words``, the data dictionary)."""
    return [
        {
            "id": i.id,
            "severity": i.severity,
            "badge": _RATING[i.severity],
            "category": i.category,
            "title": plain(i.title, words),
            "rationale": plain(i.rationale, words),
            "scope": ", ".join(plain(s, words) for s in i.scope),
            "remedy": i.remedy,
            "observation": i.observation,
            "workbook": _title(i.workbook, kind) if i.workbook else "",
            "links": [
                {"href": link["href"], "text": f"{_title(link['workbook'], kind)}: {link['section']}"}
                for link in i.evidence
            ],
            "tests": [_plain_test(t, words) for t in i.tests],
        }
        for i in issues
    ]


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
