"""One printable document of a whole validation: the report and every workbook report, for one PDF.

:func:`booklet` joins ``reports/index.html`` and the workbook reports into one HTML page: a table of
contents first, each workbook report on a new page, every id prefixed with its part (``drift--Findings``)
and every link between the reports rewritten to an internal one (``drift.html#Findings`` becomes
``#drift--Findings``), so the PDF's links work on any machine and none points at a file path. Each page
carries the model, version and run id at the top and "page n of N" at the bottom (CSS paged media margin
boxes, which Chromium prints); the paper is A4 or US letter. A draft report (``data-document-status="DRAFT"``
on the validation report's body: no opinion, or a sign-off date missing) prints DRAFT at the top of every
page and as a mark across it.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from markupsafe import Markup

from mrmkit.present.pages import render_page
from mrmkit.registry import workbooks

__all__ = ["PAPERS", "booklet", "css_string"]

PAPERS = {"a4": "A4", "letter": "letter"}
_MAIN = re.compile(r"<main>(.*)</main>", re.S)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S)
_ID = re.compile(r'\bid="([^"]*)"')
_HREF = re.compile(r'\bhref="([^"]*)"')
_H2 = re.compile(r'<h2 id="([^"]*)"[^>]*>(.*?)</h2>', re.S)
_TAGS = re.compile(r"<[^>]+>")
_MARK = re.compile(r'<div class="(?:mrmkit-)?draft-mark" aria-hidden="true">DRAFT</div>')
_STATUS = re.compile(r'<body[^>]*\bdata-document-status="([A-Z]+)"')


def css_string(text: str) -> str:
    """``text`` as a CSS string literal that cannot end the string, the rule or the style element."""
    out = []
    for ch in str(text):
        if ch.isalnum() or ch in " .,:;_-()/+":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def _part(html: str, part: str, names: set[str]) -> str:
    """The body of one report, its ids prefixed by ``part`` and its links made internal."""
    match = _MAIN.search(html) or _BODY.search(html)
    body = _MARK.sub("", match.group(1) if match else html)  # the booklet prints one mark per page itself
    # pandas Styler ids (T_<uuid>...) are unique already and its own style rules select them: kept as they are
    body = _ID.sub(lambda m: m.group(0) if m.group(1).startswith("T_") else f'id="{part}--{m.group(1)}"', body)

    def link(m: re.Match[str]) -> str:
        href = m.group(1)
        page, _, frag = href.partition("#")
        if not page and frag:
            return f'href="#{part}--{frag}"'
        stem = page[:-5] if page.endswith(".html") else None
        if stem in names:
            return f'href="#{stem}--{frag}"' if frag else f'href="#{stem}"'
        if stem == "index":
            return 'href="#report"'
        return m.group(0)

    return _HREF.sub(link, body)


_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


def _title(page: str, workbook: str) -> str:
    """A workbook report's own title (its first level-1 heading: the kind's name of the workbook)."""
    match = _H1.search(page)
    text = html.unescape(_TAGS.sub("", match.group(1)).replace("¶", "").strip()) if match else ""
    return text or workbooks.get(workbook).title


def _headings(part_html: str) -> list[tuple[str, str]]:
    return [(anchor, _TAGS.sub("", text).replace("¶", "").strip()) for anchor, text in _H2.findall(part_html)]


def booklet(reports: Path, identity: dict[str, Any], model_label: str, paper: str = "a4") -> str:
    """The whole validation as one HTML page, ready for Chromium's print to PDF."""
    from mrmkit.present.render import CSP_META
    from mrmkit.present.style import CSS

    reports = Path(reports)
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}")
    present = {p.stem for p in reports.glob("*.html") if p.name != "index.html"}
    order = [w for w in workbooks.names() if w in present]  # the registered workbooks, in their order
    names = set(order)
    index = (reports / "index.html").read_text(encoding="utf-8")
    match = _STATUS.search(index)
    draft = match is not None and match.group(1) == "DRAFT"
    parts = [("report", "Validation report", _part(index, "report", names))]
    parts += [
        (w, _title(page, w), _part(page, w, names))
        for w, page in ((w, (reports / f"{w}.html").read_text(encoding="utf-8")) for w in order)
    ]
    header = f"{model_label} · run {identity.get('run_id', '')}"
    page_css = (
        f"@page {{ size: {PAPERS[paper]}; margin: 20mm 14mm 18mm;"
        f" @top-left {{ content: {css_string(header)}; font-size: 8pt; color: #5b6570; font-family: 'DejaVu Sans', Arial, sans-serif; }}"
        f" @top-right {{ content: {css_string(str(identity.get('status', '')))}; font-size: 8pt; color: #5b6570; font-family: 'DejaVu Sans', Arial, sans-serif; }}"
        ' @bottom-right { content: "page " counter(page) " of " counter(pages); font-size: 8pt; color: #5b6570;'
        " font-family: 'DejaVu Sans', Arial, sans-serif; }"
        + (
            ' @top-center { content: "DRAFT"; font-size: 11pt; font-weight: 700; color: #7a0c0c;'
            " font-family: 'DejaVu Sans', Arial, sans-serif; }"
            if draft
            else ""
        )
        + " }"
        " .part { break-before: page; } .toc ol { list-style: none; padding-left: 1.2em; }"
        " .toc > ol > li { margin-top: 0.6em; font-weight: 600; } .toc li li { font-weight: normal; }"
    )
    title = f"Validation of {model_label}, run {identity.get('run_id', '')}"
    return render_page(
        "booklet.html.j2",
        csp_meta=Markup(CSP_META),
        css=Markup(CSS),
        page_css=Markup(page_css),  # built from css_string(), which no text can break out of
        title=title,
        draft=draft,
        parts=[
            # each part's HTML is a report mrmkit rendered itself, every value in it escaped already
            {"id": part, "title": label, "headings": _headings(html), "html": Markup(html)}
            for part, label, html in parts
        ],
    )
