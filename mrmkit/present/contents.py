"""A contents block computed from a rendered page's own headings, for the HTML report and the booklet.

:func:`entries` reads the headings of one level from the HTML (their text without tags or the "¶" anchor
marks), :func:`with_ids` first gives every such heading without an id one (a slug of its text, unique in
the page), and :func:`contents_block` renders ``templates/report/contents.html.j2``: a list of links to
the headings, each entry with its page number when the page is printed (the booklet's second pass).
:func:`add_contents` does all three for a finished page and puts the block before its first section.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from mrmkit.present.pages import render_page

__all__ = ["Entry", "entries", "with_ids", "contents_block", "add_contents"]

_TAGS = re.compile(r"<[^>]+>")
_ID = re.compile(r'\bid="([^"]*)"')


def _heading(level: int) -> re.Pattern[str]:
    return re.compile(rf"<h{level}(\s[^>]*)?>(.*?)</h{level}>", re.S)


@dataclass(frozen=True)
class Entry:
    """One line of the contents: the heading's text, its anchor, its page once printed, its sub-entries."""

    text: str
    anchor: str
    page: int | str | None = None
    children: tuple[Entry, ...] = field(default_factory=tuple)


def heading_text(inner: str) -> str:
    """The visible text of a heading's inner HTML: no tags, no "¶" anchor mark, whitespace collapsed."""
    return " ".join(html.unescape(_TAGS.sub("", inner)).replace("¶", "").split())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def with_ids(page: str, level: int = 2) -> str:
    """``page`` with an id on every level-``level`` heading that has none: a slug of its text, unique."""
    taken = set(_ID.findall(page))

    def give(match: re.Match[str]) -> str:
        attributes = match.group(1) or ""
        if _ID.search(attributes):
            return match.group(0)
        base = anchor = _slug(heading_text(match.group(2)))
        number = 2
        while anchor in taken:
            anchor, number = f"{base}-{number}", number + 1
        taken.add(anchor)
        return f'<h{level} id="{anchor}"{attributes}>{match.group(2)}</h{level}>'

    return _heading(level).sub(give, page)


def entries(page: str, level: int = 2, pages: Mapping[str, int | str] | None = None) -> list[Entry]:
    """The level-``level`` headings of ``page`` that have an id, in order, each with its page from ``pages``."""
    out = []
    for match in _heading(level).finditer(page):
        found = _ID.search(match.group(1) or "")
        text = heading_text(match.group(2))
        if found and text:
            anchor = html.unescape(found.group(1))
            out.append(Entry(text, anchor, (pages or {}).get(anchor)))
    return out


def contents_block(items: Sequence[Entry], title: str = "Contents") -> Markup:
    """The rendered ``contents.html.j2``: a navigation list of ``items`` (page numbers where known)."""
    return Markup(render_page("contents.html.j2", contents=list(items), contents_title=title))


_FIRST_H2 = re.compile(r"<h2[\s>]")


def add_contents(page: str, level: int = 2) -> str:
    """A finished HTML page with a contents block of its level-``level`` headings before the first one."""
    page = with_ids(page, level)
    items = entries(page, level)
    first = _FIRST_H2.search(page) if level == 2 else _heading(level).search(page)
    if not items or first is None:
        return page
    return page[: first.start()] + str(contents_block(items)) + page[first.start() :]
