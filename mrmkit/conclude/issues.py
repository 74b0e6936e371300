"""Validation issues from findings: the tests that show one problem grouped under a stable id, a severity and
the rationale for it, the affected scope, the evidence links, and a headline that states the problem by its
impact.

:func:`build` is the only entry point. Ids are ``<code>-<nn>`` (``CAL-01``); an issue keeps its id across
packages of the same model when the caller passes the ids already given (``known``: issue key to id, from the
remediation register or the previous package), and a new issue takes the next free number of its code. The
order is the order a committee should read: high before medium, then by the type's rank (model performance
first), then by the number of tests that show the problem.

Passed checks (green findings) and recommendations about a change (the champion-challenger decision) are not
issues. The proposed rating is the worst severity among the issues: it is mrmkit's proposal, the validator
states the opinion.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mrmkit.conclude import builtin as _builtin  # noqa: F401  (registers the issue types)
from mrmkit.conclude import catalogue
from mrmkit.evidence import schema
from mrmkit.policy import finding_order

__all__ = ["Issue", "build", "proposed_rating", "SEVERITY_OF", "RATING_OF"]

#: A red finding makes a high-severity issue, an amber one a medium-severity issue.
SEVERITY_OF = {"red": "high", "amber": "medium"}
RATING_OF = {v: k for k, v in SEVERITY_OF.items()}
_ID = re.compile(r"^(?P<code>[A-Z]{2,4})-(?P<number>\d{2,})$")


@dataclass
class Issue:
    """One validation issue, as recorded in ``issues.json`` and shown in the report's issue list."""

    id: str
    key: str
    type: str
    category: str
    title: str
    severity: str
    rationale: str
    workbook: str
    scope: list[str]
    evidence: list[dict[str, str]]
    tests: list[dict[str, Any]]
    remedy: str = ""
    observation: str = "new"
    extra: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        record = {k: v for k, v in self.__dict__.items() if k != "extra"}
        record.update(self.extra)
        return record


def _key(issue_type: catalogue.IssueType, captures: Mapping[str, str]) -> str:
    """The issue's stable identity: its code and its split placeholders' values (``VAR:level=var_99``)."""
    parts = [issue_type.code, *(f"{name}={captures.get(name, '')}" for name in issue_type.split)]
    return ":".join(parts)


def _group(
    findings: Iterable[Mapping[str, Any]], metrics: Mapping[str, Any]
) -> dict[str, tuple[catalogue.IssueType, list[Any]]]:
    groups: dict[str, tuple[catalogue.IssueType, list[Any]]] = {}
    for f in findings:
        if f.get("severity") not in SEVERITY_OF:
            continue  # a passed check is not an issue
        issue_type, captures = catalogue.match(str(f.get("metric") or ""), metrics)
        if issue_type is None:
            continue
        key = _key(issue_type, captures)
        groups.setdefault(key, (issue_type, []))[1].append((f, captures))
    return groups


def anchor(section: str) -> str:
    """The id nbconvert gives a Markdown heading (spaces become hyphens)."""
    return section.strip().replace(" ", "-")


def evidence_link(finding: Mapping[str, Any]) -> dict[str, str]:
    """Where a finding's evidence is: its workbook, the report section that shows it (the schema's ``_section``)
    and ``href``, ``<workbook>.html#<section>``."""
    section = schema.section_of(str(finding.get("metric") or "")) or "Findings"
    workbook = str(finding.get("workbook", ""))
    return {"href": f"{workbook}.html#{anchor(section)}", "section": section, "workbook": workbook}


def _scope(issue_type: catalogue.IssueType, members: list[Any], metrics: Mapping[str, Any]) -> list[str]:
    labels = []
    for _, captures in members:
        for name, words in issue_type.scope.items():
            if name in captures:
                labels.append(words(metrics, captures[name]) if callable(words) else words.format(captures[name]))
    return sorted(dict.fromkeys(labels), key=_natural)


def _natural(text: str) -> list[Any]:
    """Sort key that puts "grade 2" before "grade 10"."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)]


def _rationale(severity: str, tests: list[Mapping[str, Any]]) -> str:
    rating = RATING_OF[severity]
    decisive = [t for t in tests if t["severity"] == rating]
    rule = next((str(t.get("threshold") or "") for t in decisive if t.get("threshold")), "")
    count = f"{len(decisive)} of its {len(tests)} tests" if len(tests) > 1 else "its test"
    text = f"{count} crossed the policy's {rating} threshold"
    return f"{text} ({rule})." if rule else f"{text}."


def _test(f: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "title": str(f.get("title", "")),
        "severity": str(f.get("severity")),
        "metric": str(f.get("metric") or ""),
        "detail": str(f.get("detail", "")),
        "threshold": str(f.get("threshold") or ""),
    }


def _issue(key: str, issue_type: catalogue.IssueType, members: list[Any], metrics: Any, kind: Any) -> Issue:
    ordered = sorted(members, key=lambda m: finding_order(m[0]))
    tests = [_test(f) for f, _ in ordered]
    severity = SEVERITY_OF[tests[0]["severity"]]
    headline = issue_type.headline(metrics, ordered[0][1], kind) if issue_type.headline else None
    links = list({link["href"]: link for link in (evidence_link(f) for f, _ in ordered)}.values())
    return Issue(
        id="",
        key=key,
        type=issue_type.code,
        category=issue_type.title,
        title=headline or tests[0]["title"],
        severity=severity,
        rationale=_rationale(severity, tests),
        workbook=issue_type.workbook or str(ordered[0][0].get("workbook", "")),
        scope=_scope(issue_type, ordered, metrics),
        evidence=links,
        tests=tests,
        remedy=issue_type.remedy,
    )


def _order(issue: Issue) -> tuple[int, int, int, str]:
    rank = catalogue.get(issue.type).rank
    return (0 if issue.severity == "high" else 1, rank, -len(issue.tests), issue.key)


def _assign_ids(issues: list[Issue], known: Mapping[str, str]) -> None:
    """Known keys keep their ids; new keys take the next free number of their code, in reading order."""
    taken: dict[str, int] = {}
    for ident in known.values():
        found = _ID.match(ident)
        if found:
            taken[found["code"]] = max(taken.get(found["code"], 0), int(found["number"]))
    for issue in issues:
        if issue.key in known:
            issue.id = known[issue.key]
            continue
        taken[issue.type] = taken.get(issue.type, 0) + 1
        issue.id = f"{issue.type}-{taken[issue.type]:02d}"


def build(
    findings: Iterable[Mapping[str, Any]],
    metrics: Mapping[str, Any],
    kind: Any,
    known: Mapping[str, str] | None = None,
) -> list[Issue]:
    """The validation issues of a package, in reading order, with ids (``known``: key to id already given)."""
    groups = _group(findings, metrics)
    issues = sorted((_issue(k, t, m, metrics, kind) for k, (t, m) in groups.items()), key=_order)
    _assign_ids(issues, known or {})
    return issues


def proposed_rating(issues: Iterable[Issue | Mapping[str, Any]], failed: bool) -> str:
    """mrmkit's proposed rating: ``failed`` when a workbook failed, else red with a high-severity issue, amber
    with a medium one, green with none."""
    if failed:
        return "failed"
    severities = {i.severity if isinstance(i, Issue) else i.get("severity") for i in issues}
    return "red" if "high" in severities else "amber" if "medium" in severities else "green"
