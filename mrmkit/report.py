"""``reports/index.html``: the validation report that leads to each workbook's evidence.

Plain HTML with inline styles; every value that comes from parameters or data is escaped; nothing is
loaded from another host.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import mrmkit
from mrmkit.params import Parameters
from mrmkit.policy import finding_order

__all__ = ["write_index", "overall_rating", "SEVERITY_ORDER"]

SEVERITY_ORDER = {"red": 0, "amber": 1, "green": 2}

_CSS = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; color: #1d2329;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1.4em; font-size: 0.93em; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e3e7eb; vertical-align: top; }
th { background: #f3f5f7; }
table.identity th { width: 14em; background: none; font-weight: 600; }
.badge { display: inline-block; min-width: 4.2em; text-align: center; padding: 1px 8px; border-radius: 9px;
         font-weight: 600; font-size: 0.9em; }
.red { background: #f9d0d0; color: #7a0c0c; } .amber { background: #fdebc8; color: #6b4500; }
.green { background: #d9f2d9; color: #14521f; } .failed { background: #444; color: #fff; }
.complete { background: #d9f2d9; color: #14521f; }
.muted { color: #5b6570; font-size: 0.9em; } pre { white-space: pre-wrap; background: #f6f8fa; padding: 8px; }
@media print { a { color: inherit; text-decoration: none; } tr { break-inside: avoid; } }
"""


def overall_rating(findings: list[dict[str, Any]], failed: bool) -> str:
    """The worst severity among the findings (``green`` when there are none); ``failed`` wins."""
    if failed:
        return "failed"
    worst = min((SEVERITY_ORDER.get(f.get("severity"), 2) for f in findings), default=2)
    return {v: k for k, v in SEVERITY_ORDER.items()}[worst]


def _badge(text: str) -> str:
    return f'<span class="badge {escape(text)}">{escape(text.upper())}</span>'


def _rows(pairs: list[tuple[str, Any]]) -> str:
    return "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in pairs if v not in (None, ""))


def write_index(
    path: Path,
    params: Parameters,
    identity: dict[str, Any],
    workbooks: dict[str, dict[str, Any]],
    findings: list[dict[str, Any]],
) -> None:
    """Write the package's validation report."""
    from mrmkit.runner import WORKBOOK_TITLES

    m = params.model
    failed = any(r["status"] == "failed" for r in workbooks.values())
    rating = overall_rating(findings, failed)
    ordered = sorted(findings, key=finding_order)
    counts = {s: sum(1 for f in findings if f.get("severity") == s) for s in ("red", "amber", "green")}

    finding_rows = (
        "".join(
            "<tr>"
            f"<td>{_badge(str(f.get('severity', '')))}</td>"
            f'<td><a href="{escape(str(f.get("workbook", "")))}.html">{escape(WORKBOOK_TITLES.get(f.get("workbook", ""), str(f.get("workbook", ""))))}</a></td>'
            f'<td><strong>{escape(str(f.get("title", "")))}</strong><br><span class="muted">{escape(str(f.get("detail", "")))}</span></td>'
            f"<td>{escape(str(f.get('threshold', '')))}</td>"
            f"<td><code>{escape(str(f.get('metric', '')))}</code></td>"
            "</tr>"
            for f in ordered
        )
        or '<tr><td colspan="5">No findings were recorded.</td></tr>'
    )

    workbook_rows = "".join(
        "<tr>"
        f'<td><a href="{escape(name)}.html">{escape(WORKBOOK_TITLES.get(name, name))}</a></td>'
        f"<td>{_badge(r['status'])}</td>"
        f"<td>{escape(r['error'] or '')}</td>"
        "</tr>"
        for name, r in workbooks.items()
    )
    model_rows = _rows(
        [
            ("Model id", m.id),
            ("Name", m.name),
            ("Version", m.version),
            ("Owner", m.owner),
            ("Purpose", m.purpose),
            ("Risk tier", m.risk_tier),
            ("Scores from", "model artifact " + m.artifact.name if m.artifact else f"column {params.data.score}"),
        ]
    )
    run_rows = _rows(
        [
            ("Run id", identity["run_id"]),
            ("Started (UTC)", identity["started"]),
            ("Status", identity["status"]),
            ("mrmkit version", mrmkit.__version__),
            ("Seed", params.seed),
        ]
    )
    title = f"Validation report: {m.name or m.id} {m.version}"
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{_CSS}</style></head>
<body>
<h1>{escape(title)}</h1>
<p>Overall rating: {_badge(rating)} &nbsp; <span class="muted">{counts["red"]} red, {counts["amber"]} amber,
{counts["green"]} green findings; the rating is the most severe finding.</span></p>
<h2>Model</h2><table class="identity">{model_rows}</table>
<h2>Run</h2><table class="identity">{run_rows}</table>
<p class="muted">The manifest (manifest.json) lists the sha256 of every file in this package and of every input;
<code>mrmkit verify</code> re-checks them.</p>
<h2>Findings</h2>
<table><thead><tr><th>Severity</th><th>Workbook</th><th>Finding</th><th>Threshold</th><th>Metric</th></tr></thead>
<tbody>{finding_rows}</tbody></table>
<h2>Workbooks</h2>
<table><thead><tr><th>Workbook</th><th>Status</th><th>Error</th></tr></thead><tbody>{workbook_rows}</tbody></table>
</body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
