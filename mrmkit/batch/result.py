"""The outcome of a batch (see :mod:`mrmkit.batch`): :class:`BatchResult`, every model's record in the order
of the inputs with the batch's exit code and plain lines, and :func:`write_batch_index`, the batch's
self-contained offline HTML page.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

__all__ = ["BatchResult", "write_batch_index"]


@dataclass
class BatchResult:
    """Every model's outcome, in the order of the inputs."""

    results: list[dict[str, Any]]
    seconds: float = 0.0
    interrupted: bool = False  # stopped by Ctrl-C or SIGTERM: unfinished models are "interrupted"

    @property
    def ok(self) -> bool:
        """True when every model was published with status ``complete`` (and logged, when it asks to be)."""
        return not self.interrupted and all(r["status"] == "complete" and not r.get("exit_code") for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 all complete, 1 any model not complete, 130 interrupted (as for Ctrl-C)."""
        return 130 if self.interrupted else 0 if self.ok else 1

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.results if r["status"] != "complete"]

    def to_lines(self) -> list[str]:
        """One plain line per model, then a summary (for the CLI and logs)."""
        lines = []
        for r in self.results:
            name = r.get("model_id") or r["params"]
            if r["status"] == "complete":
                lines.append(
                    f"complete  {name}  red findings: {r['red_findings']}  {r['package']}"
                    + (f"  {r['error']}" if r.get("error") else "")
                )  # a package that could not be logged
            elif r["status"] == "failed":
                lines.append(f"failed    {name}  {r['error']}  {r['package']}")
            elif r["status"] == "interrupted":
                lines.append(f"interrupted  {name}  {r['error']}")
            else:
                lines.append(f"error     {name}  {r['error']}")
        n = len(self.results)
        bad = len(self.failed)
        lines.append(
            f"{n - bad} of {n} model{'s' if n != 1 else ''} published complete"
            + (f"; {bad} failed or unfinished" if bad else "")
            + f" in {self.seconds:.1f} s."
            + (
                " Interrupted: packages published before the interruption are complete; nothing else was published."
                if self.interrupted
                else ""
            )
        )
        return lines


# --------------------------------------------------------------------------------------------- index


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1b1b1b}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.35rem .6rem;text-align:left;
vertical-align:top}th{background:#f0f0f0}.complete{color:#1a7f37;font-weight:600}
.failed,.error,.interrupted{color:#b42318;font-weight:600}.badge{padding:.1rem .45rem;border-radius:.25rem;
font-weight:600;font-size:.85rem;color:#fff}.badge.green{background:#1a7f37}.badge.amber{background:#b54708}
.badge.red,.badge.failed{background:#b42318}.badge.green,.badge.amber,.badge.red,.badge.failed{color:#fff}
td:first-child{white-space:nowrap}.red{color:#b42318;font-weight:600}td.err{font-family:monospace;
font-size:.85rem;white-space:pre-wrap}
"""


def _href(target: Path, base: Path) -> str:
    try:
        rel = os.path.relpath(target, base)
    except ValueError:  # another drive: absolute file URL
        return "file://" + quote(target.resolve().as_posix())
    return quote(Path(rel).as_posix())


_CLASSES = frozenset({"green", "amber", "red", "failed", "complete", "interrupted", "error"})


def _css_class(value: Any) -> str:
    """A class attribute from a fixed set only: a status or rating from a record never becomes markup."""
    return str(value) if str(value) in _CLASSES else ""


def write_batch_index(result: BatchResult, path: str | Path, trust: Any = None) -> Path:
    """Write a self-contained offline HTML page listing every model of the batch; return its path.

    Each package's signature is shown under ``trust`` (:func:`mrmkit.evidence.trusted.trusted_keys`)."""
    from mrmkit.evidence.trusted import package_trust
    from mrmkit.present.render import CSP_META

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    base = path.resolve().parent
    e = html.escape
    rows = []
    for r in result.results:
        name = r.get("model_id") or "(unknown)"
        if r.get("package"):
            report = Path(r["package"]) / "reports" / "index.html"
            link = f'<a href="{e(_href(report, base))}">report</a>'
        else:
            link = "not published"
        red = int(r.get("red_findings") or 0)
        rating = str(r.get("rating") or "")
        published = bool(r.get("package"))
        rows.append(
            "<tr>"
            f"<td>{e(str(name))}</td>"
            f'<td class="{_css_class(r["status"])}">{e(r["status"])}</td>'
            + (
                f'<td><span class="badge {_css_class(rating)}">{e(rating.upper())}</span></td>'
                if rating
                else "<td>-</td>"
            )
            + (f'<td class="{"red" if red else ""}">{red}</td>' if published else "<td>-</td>")
            + f"<td>{link}</td>"
            + (f"<td>{e(package_trust(Path(r['package']), trust))}</td>" if published else "<td>-</td>")
            + f"<td>{e(str(r['params']))}</td>"
            f'<td class="err">{e(str(r.get("error") or ""))}</td>'
            "</tr>"
        )
    n, bad = len(result.results), len(result.failed)
    page = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">{CSP_META}'
        "<title>mrmkit batch</title>"
        f"<style>{_CSS}</style></head><body>"
        "<h1>Batch evidence</h1>"
        f"<p>{n - bad} of {n} models published complete; {bad} failed or not published.</p>"
        + (
            '<p class="failed">The batch was interrupted: packages published before the interruption are '
            "complete; the models marked interrupted published nothing.</p>"
            if result.interrupted
            else ""
        )
        + "<p>Proposed rating: the most severe validation issue of the model's report (failed when a workbook failed).</p>"
        "<table><thead><tr><th>Model</th><th>Status</th><th>Proposed rating</th><th>Red findings</th><th>Report</th>"
        "<th>Signature</th><th>Parameter file</th><th>Error</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></body></html>\n"
    )
    path.write_text(page, encoding="utf-8")
    return path
