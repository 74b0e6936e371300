"""The parts of the validation report a committee reads first, and the identity every workbook report carries.

- :func:`conclusions`: per workbook, what was tested, what was found and what it means, in three sentences
  written from the findings (never from free text in the data: titles are quoted from mrmkit's own rules);
- :func:`findings_by_severity`: the findings grouped red, amber, green and ordered by workbook, each linked
  to the section of the workbook report that holds its evidence (the schema's ``_section``);
- :func:`sign_off`: validator, reviewer, scope and dates from the parameter file's ``validation`` section,
  blank lines for a hand signature where a name is not given;
- :func:`stamp_reports`: the identity block (model, id, version, run, date, package status, a link back to
  the validation report) at the top of every workbook report, so a printed page is never anonymous.

Every value from a parameter file or the data is HTML-escaped here.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any

from mrmkit.evidence import schema
from mrmkit.policy import finding_order

__all__ = [
    "WORKBOOK_ORDER",
    "badge",
    "anchor",
    "finding_link",
    "conclusions",
    "findings_by_severity",
    "sign_off",
    "identity_block",
    "stamp_reports",
]

WORKBOOK_ORDER = ("drift", "backtest", "champion_challenger", "explainability")
SEVERITIES = ("red", "amber", "green")

#: What each workbook tests, for the executive summary.
TESTED = {
    "drift": "data quality of every feature, population stability of the features and the score, and drift per monitoring window",
    "backtest": "outcomes against predictions (discrimination, calibration by grade, concentration), VaR and ES backtests, stress scenarios and sensitivity",
    "champion_challenger": "the challenger against the champion on the same cases (discrimination, business outcome at the cut-off, shadow scoring, A/B test, fairness)",
    "explainability": "the drivers of the model's decisions (SHAP, LIME), their stability and additivity, reason codes and counterfactuals",
}
MEANS = {
    "red": "the model breaches the policy on these points: remediation, or a documented and approved acceptance, is needed before further reliance",
    "amber": "no breach of the red thresholds; the amber points need monitoring and an explanation before the next validation",
    "green": "no test breaches the policy's amber or red thresholds",
    "failed": "the workbook did not finish, so its evidence is missing: the error is in its report",
}


def anchor(section: str) -> str:
    """The id nbconvert gives a Markdown heading (spaces become hyphens)."""
    return section.strip().replace(" ", "-")


def finding_link(finding: dict[str, Any]) -> str:
    """``<workbook>.html#<section>``: the part of the workbook report that shows the finding's evidence."""
    workbook = str(finding.get("workbook", ""))
    section = schema.section_of(str(finding.get("metric") or "")) or "Findings"
    return f"{workbook}.html#{anchor(section)}"


def badge(text: str) -> str:
    """A coloured severity or status label (``red``, ``amber``, ``green``, ``complete``, ``failed``)."""
    return f'<span class="badge {escape(text)}">{escape(text.upper())}</span>'


def _order(f: dict[str, Any]) -> tuple[int, tuple[Any, ...]]:
    workbook = str(f.get("workbook", ""))
    rank = WORKBOOK_ORDER.index(workbook) if workbook in WORKBOOK_ORDER else len(WORKBOOK_ORDER)
    return rank, finding_order(f)


def conclusions(workbooks: dict[str, dict[str, Any]], findings: list[dict[str, Any]], titles: dict[str, str]) -> str:
    """One short paragraph per workbook that ran: what was tested, what was found, what it means."""
    out = []
    for name in [w for w in WORKBOOK_ORDER if w in workbooks] + [w for w in workbooks if w not in WORKBOOK_ORDER]:
        mine = sorted((f for f in findings if f.get("workbook") == name), key=finding_order)
        counts = {s: sum(1 for f in mine if f.get("severity") == s) for s in SEVERITIES}
        failed = workbooks[name].get("status") == "failed"
        worst = "failed" if failed else next((s for s in ("red", "amber") if counts[s]), "green")
        if failed:
            found = "The workbook failed before it finished."
        elif counts["red"] or counts["amber"]:
            top = [f for f in mine if f.get("severity") in ("red", "amber")][:2]
            named = "; ".join(f"“{escape(str(f.get('title', '')))}”" for f in top)
            found = f"{counts['red']} red and {counts['amber']} amber findings, the most severe: {named}."
        else:
            found = "No amber or red finding."
        out.append(
            f'<div class="conclusion"><h3>{escape(titles.get(name, name))} {badge(worst)}</h3>'
            f"<p><strong>Tested:</strong> {escape(TESTED.get(name, 'see the workbook report'))}. "
            f"<strong>Found:</strong> {found} <strong>Means:</strong> {escape(MEANS[worst])}.</p></div>"
        )
    return "".join(out)


def findings_by_severity(findings: list[dict[str, Any]], titles: dict[str, str]) -> str:
    """The findings table, grouped by severity (red first) and ordered by workbook within each group."""
    if not findings:
        return "<p>No findings were recorded.</p>"
    parts = []
    for severity in SEVERITIES:
        group = sorted((f for f in findings if f.get("severity") == severity), key=_order)
        if not group:
            continue
        rows = "".join(
            "<tr>"
            f'<td><a href="{escape(finding_link(f))}">{escape(titles.get(str(f.get("workbook")), str(f.get("workbook", ""))))}</a></td>'
            f'<td><strong>{escape(str(f.get("title", "")))}</strong><br><span class="muted">{escape(str(f.get("detail", "")))}</span></td>'
            f"<td>{escape(str(f.get('threshold') or ''))}</td>"
            f'<td class="key">{escape(str(f.get("metric") or "")).replace(".", ".<wbr>")}</td>'
            "</tr>"
            for f in group
        )
        parts.append(
            f'<h3 class="severity">{badge(severity)} {len(group)} {escape(severity)} finding{"s" if len(group) != 1 else ""}</h3>'
            '<table class="findings"><thead><tr><th>Workbook</th><th>Finding</th><th>Threshold</th><th>Metric key</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    return "".join(parts)


def sign_off(validation: Any, run_date: str) -> str:
    """The sign-off block: names and dates from ``validation``, blank lines for a hand signature (and for a
    name or date not given)."""
    blank = '<span class="blank"></span>'

    def name(value: Any) -> str:
        return escape(str(value)) if value else blank

    scope = escape(validation.scope) if validation.scope else blank
    reference = f"<p><strong>Reference:</strong> {escape(validation.reference)}</p>" if validation.reference else ""
    return (
        '<section class="sign-off" id="sign-off"><h2>Sign-off</h2>'
        f"<p><strong>Scope:</strong> {scope}</p>{reference}"
        "<table><thead><tr><th>Role</th><th>Name</th><th>Signature</th><th>Date</th></tr></thead><tbody>"
        f"<tr><td>Validator</td><td>{name(validation.validator)}</td><td>{blank}</td><td>{name(validation.validated_on)}</td></tr>"
        f"<tr><td>Reviewer</td><td>{name(validation.reviewer)}</td><td>{blank}</td><td>{name(validation.reviewed_on)}</td></tr>"
        f'</tbody></table><p class="muted">Evidence generated on {escape(run_date)} (UTC); the signatures '
        "attest to the review of this package, whose files the manifest lists by sha256.</p></section>"
    )


def identity_block(params: Any, identity: dict[str, Any], workbook_title: str) -> str:
    """The block at the top of a workbook report: whose evidence it is, from which run, in which state."""
    m = params.model
    pairs = [
        ("Model", m.name or m.id),
        ("Model id", m.id),
        ("Version", m.version),
        ("Run id", identity["run_id"]),
        ("Run date (UTC)", str(identity["started"])[:10]),
        ("Package status", identity["status"]),
    ]
    cells = "".join(f"<div><span>{escape(k)}</span> {escape(str(v))}</div>" for k, v in pairs)
    return (
        f'<header class="mrmkit-identity" role="banner"><p class="mrmkit-kicker">{escape(workbook_title)}: evidence of '
        f'a model validation</p><div class="mrmkit-fields">{cells}</div>'
        '<p><a href="index.html">Back to the validation report</a></p></header>'
    )


_IDENTITY_CSS = (
    ".mrmkit-identity{border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;margin:0 0 18px;"
    "font-family:-apple-system,'Segoe UI',Helvetica,Arial,'DejaVu Sans',sans-serif;font-size:0.92em;background:#f8f9fa}.mrmkit-identity p{margin:4px 0}"
    ".mrmkit-kicker{font-weight:600}.mrmkit-fields{display:flex;flex-wrap:wrap;gap:4px 22px}"
    ".mrmkit-fields span{color:#5b6570}@media print{.mrmkit-identity{background:none}}"
)
_BODY = re.compile(r"<body[^>]*>")


def stamp_reports(reports: Path, params: Any, identity: dict[str, Any], titles: dict[str, str]) -> None:
    """Put the identity block at the top of every workbook report in ``reports`` (index.html excluded)."""
    for path in sorted(Path(reports).glob("*.html")):
        if path.name == "index.html":
            continue
        text = path.read_text(encoding="utf-8")
        match = _BODY.search(text)
        if match is None:
            continue
        block = identity_block(params, identity, titles.get(path.stem, path.stem))
        text = text[: match.end()] + block + text[match.end() :]
        text = text.replace("</head>", f"<style>{_IDENTITY_CSS}</style></head>", 1)
        path.write_text(text, encoding="utf-8")
