"""One printable document of a whole validation: the report and every workbook report, for one PDF.

:func:`booklet` joins ``reports/index.html`` and the workbook reports into one HTML page: a table of
contents first (:mod:`mrmkit.present.contents`: each part and its sections), each workbook report on a new
page, every id prefixed with its part (``drift--Findings``) and every link between the reports rewritten to
an internal one (``drift.html#Findings`` becomes ``#drift--Findings``), so the PDF's links work on any
machine and none points at a file path. On paper a link cannot be clicked, so every internal link is
followed by the page it leads to, and every contents entry by its page: :mod:`mrmkit.present.pdf` prints
twice, the first time with placeholders of the same width, and reads the pages from the first PDF. Each
page carries the model, version and run id at the top and "page n of N" at the bottom (CSS paged media
margin boxes, which Chromium prints); the paper is A4 or US letter. A draft report
(``data-document-status="DRAFT"`` on the validation report's body: no opinion, or a sign-off date missing)
prints DRAFT at the top of every page and as a mark across it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from mrmkit.present.contents import Entry, contents_block, entries, heading_text, with_ids
from mrmkit.present.pages import render_page
from mrmkit.registry import workbooks

__all__ = ["PAPERS", "Part", "booklet", "booklet_parts", "booklet_contents", "css_string", "PLACEHOLDER"]

PAPERS = {"a4": "A4", "letter": "letter"}
PLACEHOLDER = "000"  # a page number before the first print: as wide as any real one (fixed-width boxes)
_MAIN = re.compile(r"<main>(.*)</main>", re.S)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)
_ID = re.compile(r'\bid="([^"]*)"')
_HREF = re.compile(r'\bhref="([^"]*)"')
_INTERNAL_LINK = re.compile(r'<a\b([^>]*)\bhref="#([^"]+)"([^>]*)>(.*?)</a>', re.S)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
_MARK = re.compile(r'<div class="(?:mrmkit-)?draft-mark" aria-hidden="true">DRAFT</div>')
_STATUS = re.compile(r'<body[^>]*\bdata-document-status="([A-Z]+)"')


@dataclass(frozen=True)
class Part:
    """One report in the booklet: its id (``report`` or the workbook's name), title and rewritten body."""

    id: str
    title: str
    html: str


def css_string(text: str) -> str:
    """``text`` as a CSS string literal that cannot end the string, the rule or the style element."""
    out = []
    for ch in str(text):
        if ch.isalnum() or ch in " .,:;_-()/+":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def _part(page: str, part: str, names: set[str]) -> str:
    """The body of one report, its sections given ids, its ids prefixed by ``part``, its links made internal."""
    match = _MAIN.search(page) or _BODY.search(page)
    body = _MARK.sub("", match.group(1) if match else page)  # the booklet prints one mark per page itself
    body = with_ids(body)
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


def _title(page: str, workbook: str) -> str:
    """A workbook report's own title (its first level-1 heading: the kind's name of the workbook)."""
    match = _H1.search(page)
    return (heading_text(match.group(1)) if match else "") or workbooks.get(workbook).title


def booklet_parts(reports: Path) -> list[Part]:
    """The validation report, then the registered workbooks' reports present in ``reports``, in their order."""
    reports = Path(reports)
    present = {p.stem for p in reports.glob("*.html") if p.name != "index.html"}
    order = [w for w in workbooks.names() if w in present]
    names = set(order)
    index = (reports / "index.html").read_text(encoding="utf-8")
    out = [Part("report", "Validation report", _part(index, "report", names))]
    for name in order:
        page = (reports / f"{name}.html").read_text(encoding="utf-8")
        out.append(Part(name, _title(page, name), _part(page, name, names)))
    return out


def booklet_contents(parts: list[Part], pages: Mapping[str, int] | None = None) -> list[Entry]:
    """Each part and its sections (level-2 headings), with their pages when known, else placeholders."""

    def page(anchor: str) -> int | str:
        return (pages or {}).get(anchor, PLACEHOLDER)

    return [
        Entry(p.title, p.id, page(p.id), tuple(Entry(e.text, e.anchor, page(e.anchor)) for e in entries(p.html)))
        for p in parts
    ]


def _with_page_refs(body: str, targets: set[str], pages: Mapping[str, int] | None) -> str:
    """Every internal link to an element of the booklet followed by the page it leads to (not the headings'
    own "¶" anchor marks, which are hidden)."""

    def ref(m: re.Match[str]) -> str:
        anchor = html.unescape(m.group(2))
        if anchor not in targets or "anchor-link" in m.group(1) + m.group(3):
            return m.group(0)
        number = (pages or {}).get(anchor, PLACEHOLDER)
        return f'{m.group(0)}<span class="page-ref">p.&nbsp;{number}</span>'

    return _INTERNAL_LINK.sub(ref, body)


def is_draft(reports: Path) -> bool:
    """Whether the validation report in ``reports`` is a draft (no opinion, or a sign-off date missing)."""
    match = _STATUS.search((Path(reports) / "index.html").read_text(encoding="utf-8"))
    return match is not None and match.group(1) == "DRAFT"


def _page_css(paper: str, identity: dict[str, Any], model_label: str, draft: bool) -> str:
    header = f"{model_label} · run {identity.get('run_id', '')}"
    margin_box = "font-size: 8pt; color: #5b6570; font-family: 'DejaVu Sans', Arial, sans-serif;"
    draft_box = (
        ' @top-center { content: "DRAFT"; font-size: 11pt; font-weight: 700; color: #7a0c0c;'
        " font-family: 'DejaVu Sans', Arial, sans-serif; }"
        if draft
        else ""
    )
    return (
        f"@page {{ size: {PAPERS[paper]}; margin: 20mm 14mm 18mm;"
        f" @top-left {{ content: {css_string(header)}; {margin_box} }}"
        f" @top-right {{ content: {css_string(str(identity.get('status', '')))}; {margin_box} }}"
        f"{draft_box}"
        f' @bottom-right {{ content: "page " counter(page) " of " counter(pages); {margin_box} }} }}'
        " .part { break-before: page; } .contents > ol > li { font-weight: 600; }"
    )


def booklet(
    reports: Path, identity: dict[str, Any], model_label: str, paper: str = "a4", pages: Mapping[str, int] | None = None
) -> str:
    """The whole validation as one HTML page, ready for Chromium's print to PDF; ``pages`` maps each anchor
    to its page (from a first print), else every page number is a placeholder of the same width."""
    from mrmkit.present.render import CSP_META
    from mrmkit.present.style import CSS

    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}")
    parts = booklet_parts(Path(reports))
    targets = {p.id for p in parts} | {html.unescape(i) for p in parts for i in _ID.findall(p.html)}
    title = f"Validation of {model_label}, run {identity.get('run_id', '')}"
    draft = is_draft(Path(reports))
    return render_page(
        "booklet.html.j2",
        csp_meta=Markup(CSP_META),
        css=Markup(CSS),
        page_css=Markup(_page_css(paper, identity, model_label, draft)),  # css_string(): no text can escape it
        draft=draft,
        title=title,
        contents=contents_block(booklet_contents(parts, pages)),
        # each part's HTML is a report mrmkit rendered itself, every value in it escaped already
        parts=[{"id": p.id, "html": Markup(_with_page_refs(p.html, targets, pages))} for p in parts],
    )
