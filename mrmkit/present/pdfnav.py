"""Navigation of a printed booklet, read from and written to its PDF with pypdf.

Chromium writes a named destination for every element an internal link points at (its id) on the page
the element is printed on: :func:`destination_pages` reads those pages (counted from 1, as the booklet's
footer counts), which gives the page numbers of the contents and of every link. Printed with
``--generate-pdf-document-outline``, Chromium also writes an outline of every heading, h1 to h6, each
with its place on its page (the named destinations' heights are not reliable: measured on Chromium 156,
some lie in the page's bottom margin). :func:`add_outline` replaces that outline with one mirroring the
booklet's contents, one entry per part and per section, each at its heading's place when Chromium's
outline has the heading on that page, else at the top of the page.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from mrmkit.present.contents import Entry

__all__ = ["destination_pages", "headings", "add_outline"]

# pypdf warns that Chromium's cross-reference table counts fewer objects than the file has; it reads them all
logging.getLogger("pypdf").setLevel(logging.ERROR)


def destination_pages(pdf: Path) -> dict[str, int]:
    """The page (counted from 1) of every element an internal link of ``pdf`` points at, by its id."""
    import pypdf

    reader = pypdf.PdfReader(str(pdf))
    out = {}
    for name, dest in reader.named_destinations.items():
        page = reader.get_destination_page_number(dest)
        if page is not None and page >= 0:
            out[name.removeprefix("/")] = page + 1
    return out


def _words(text: str) -> str:
    return " ".join(str(text).replace("¶", "").split())


def headings(reader: object) -> list[tuple[str, int, float | None]]:
    """Every entry of a PDF's outline, depth first: (title, page from 1, height of its place on the page)."""
    out: list[tuple[str, int, float | None]] = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
                continue
            top = item.get("/Top")
            out.append((_words(item.title), reader.get_destination_page_number(item) + 1, top and float(top)))

    walk(reader.outline)
    return out


def add_outline(pdf: Path, target: Path, contents: Sequence[Entry]) -> Path:
    """``pdf`` written to ``target`` with an outline mirroring ``contents`` (whose pages are known) in place
    of Chromium's, shown beside the pages when a PDF viewer opens it."""
    import pypdf
    from pypdf.generic import Fit

    reader = pypdf.PdfReader(str(pdf))
    places = headings(reader)
    used: set[int] = set()
    writer = pypdf.PdfWriter(clone_from=reader)
    writer.root_object.pop("/Outlines", None)

    def top(entry: Entry, page: int) -> float:
        for i, (title, at, height) in enumerate(places):
            if i not in used and at == page and title == _words(entry.text) and height is not None:
                used.add(i)
                return height
        return float(writer.pages[page - 1].mediabox.top)

    def add(entry: Entry, parent: object | None) -> None:
        if not isinstance(entry.page, int):
            return
        fit = Fit.xyz(top=top(entry, entry.page))
        item = writer.add_outline_item(title=entry.text, page_number=entry.page - 1, parent=parent, fit=fit)
        for child in entry.children:
            add(child, item)

    for entry in contents:
        add(entry, None)
    writer.page_mode = "/UseOutlines"
    with Path(target).open("wb") as fh:
        writer.write(fh)
    return Path(target)
