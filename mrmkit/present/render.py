"""Executed notebook to a self-contained HTML report that loads nothing from another host."""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Collection
from pathlib import Path
from typing import Any

__all__ = ["notebook_to_html", "without_sections", "external_references", "CSP_META", "with_csp"]

_TEMPLATES = Path(__file__).parent / "templates"

# Every HTML page mrmkit writes carries this policy: no script runs (not even an inline event handler that
# escaped data could never contain anyway), images only from data: URLs, nothing from any host. It is the
# second line of defence behind escaping every value from data or parameters.
CSP = (
    "default-src 'none'; script-src 'none'; object-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "font-src data:; base-uri 'none'; form-action 'none'"
)
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'

# src= / href= / url() / @import that point at another host (http, https or protocol-relative).
_EXTERNAL = re.compile(
    r"""(?:\b(?:src|href|data|poster|action)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:@import\s+["']?\s*(?:https?:)?//)""",
    re.IGNORECASE,
)


@functools.cache
def _exporter() -> Any:
    """One configured exporter per process: its Jinja templates are compiled on first use, then reused."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="mrmkit_offline",
        extra_template_basedirs=[str(_TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.mathjax_url = ""
    return exporter


def with_csp(page: str) -> str:
    """``page`` with :data:`CSP_META` as the first element of its head."""
    head = re.search(r"<head[^>]*>", page, re.IGNORECASE)
    if head is None:
        raise ValueError("an HTML report without a <head> cannot carry its content security policy")
    return page[: head.end()] + "\n" + CSP_META + page[head.end() :]


_PLACEHOLDER_ALT = 'alt="No description has been provided for this image"'
_HEADING_OR_IMAGE = re.compile(r"<h[1-4][^>]*>(.*?)</h[1-4]>|" + re.escape(_PLACEHOLDER_ALT), re.S)


def _alt_texts(body: str) -> str:
    """nbconvert's placeholder alt text replaced by what the figure is: the section it illustrates."""
    from html import escape, unescape

    heading = ["figure"]

    def swap(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            heading[0] = " ".join(unescape(re.sub(r"<[^>]+>", "", match.group(1))).replace("¶", "").split())
            return match.group(0)
        return f'alt="Chart: {escape(heading[0])}"'

    return _HEADING_OR_IMAGE.sub(swap, body)


def _render(nb: Any) -> str:
    from html import escape

    from mrmkit.present import captions
    from mrmkit.present.style import CSS

    with warnings.catch_warnings():
        # scrapbook's data outputs have no HTML form; they are meant to be invisible in the report
        warnings.filterwarnings("ignore", message=".*scrapbook.*not able to be represented")
        body, _ = _exporter().from_notebook_node(nb)
    body = captions.number(_alt_texts(body))
    title = escape(str(nb.metadata.get("title") or "mrmkit report"))
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{title}</title><style>{CSS}</style></head>\n<body class="workbook-report">\n<main>\n{body}\n</main>\n</body></html>\n'
    )
    return with_csp(page)


def _heading(cell: Any) -> tuple[int, str] | None:
    """(level, text) of a Markdown cell that opens with a heading, else None."""
    if cell.get("cell_type") != "markdown":
        return None
    first = "".join(cell.get("source", "")).lstrip().split("\n", 1)[0]
    match = re.match(r"(#{1,6})\s+(.*?)\s*#*\s*$", first)
    return (len(match.group(1)), match.group(2)) if match else None


def _retitled(cells: list[Any], title: str) -> list[Any]:
    """``cells`` with the first level-1 heading reading ``title`` (a kind may rename its workbook)."""
    import copy

    for i, cell in enumerate(cells):
        heading = _heading(cell)
        if heading is not None and heading[0] == 1:
            source = "".join(cell.get("source", "")).split("\n", 1)
            renamed = copy.deepcopy(cell)
            renamed["source"] = "# " + title + ("\n" + source[1] if len(source) > 1 else "")
            return [*cells[:i], renamed, *cells[i + 1 :]]
    return cells


def without_sections(cells: list[Any], titles: Collection[str]) -> list[Any]:
    """``cells`` less the sections headed by one of ``titles``: a section runs from its heading to the next
    heading of the same or a higher level (a level-2 section takes its level-3 subsections with it)."""
    kept, dropping = [], None  # the level of the section being dropped
    for cell in cells:
        heading = _heading(cell)
        if heading is not None and dropping is not None and heading[0] <= dropping:
            dropping = None
        if heading is not None and dropping is None and heading[1] in titles:
            dropping = heading[0]
        if dropping is None:
            kept.append(cell)
    return kept


def notebook_to_html(notebook: Path, html: Path, title: str | None = None, drop: Collection[str] = ()) -> None:
    """Render ``notebook`` to ``html`` with code cells hidden and every image inline, less the sections whose
    headings are in ``drop`` (the sections that did not run in this package)."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    if title:
        nb.metadata["title"] = title
        nb.cells = _retitled(nb.cells, title)
    if drop:
        nb.cells = without_sections(nb.cells, set(drop))
    body = _render(nb)
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(body, encoding="utf-8")


def warm() -> None:
    """Compile the report templates now (the batch's fork server does, so each model's process need not)."""
    from nbformat.v4 import new_markdown_cell, new_notebook

    _render(new_notebook(cells=[new_markdown_cell("warm-up")]))


def external_references(text: str) -> list[str]:
    """Every place in an HTML text that would load something from another host (for tests and verify)."""
    found = []
    for match in _EXTERNAL.finditer(text):
        start = max(0, match.start() - 20)
        found.append(text[start : match.end() + 60].replace("\n", " "))
    return found
