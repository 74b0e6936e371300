"""Numbered, captioned figures and tables in the workbook reports (issue 27).

A workbook shows a figure with :func:`captioned` (``display(captioned(fig, "Share of rows by PSI bin"))``): in
the notebook it is the figure (PNG) with its caption under it, and nbconvert renders it as a ``<figure>`` with a
``<figcaption>``. A table carries its caption as pandas' ``Styler.set_caption``. When the report is rendered,
:func:`number` prefixes every caption with its number in the report, in order: "Figure 3: ...", "Table 2: ...".
The caption text is escaped: it may hold names from the data.
"""

from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Captioned", "captioned", "number", "FIGCAPTION", "TABLE_CAPTION"]

FIGCAPTION = re.compile(r'<figcaption class="mrmkit-caption">')
TABLE_CAPTION = re.compile(r"<caption(\s[^>]*)?>")
_NUMBERED = re.compile(r'<span class="caption-number">')


@dataclass
class Captioned:
    """A matplotlib figure and its caption, displayed as one output (PNG for the notebook's own views and the
    index's thumbnails, HTML with the caption for the report)."""

    figure: Any
    caption: str

    def _png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", bbox_inches="tight", dpi=self.figure.dpi)
        return buffer.getvalue()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        png = self._png()
        data = base64.b64encode(png).decode("ascii")
        # the caption holds names from the data: it is text in <figcaption>, never an attribute value
        page = (
            f'<figure class="mrmkit-figure"><img alt="Chart, described in its caption" src="data:image/png;base64,{data}">'
            f'<figcaption class="mrmkit-caption">{html.escape(self.caption)}</figcaption></figure>'
        )
        return {"text/html": page, "image/png": data, "text/plain": f"Figure: {self.caption}"}


def captioned(figure: Any, caption: str) -> Captioned:
    """``figure`` with ``caption`` (one sentence saying what it shows), closing the figure so it is shown once."""
    import matplotlib.pyplot as plt

    plt.close(figure)
    return Captioned(figure, caption)


def number(body: str) -> str:
    """Every figure and table caption of a rendered report prefixed with its number, in document order."""
    counts = {"Figure": 0, "Table": 0}

    def prefix(kind: str, opening: str) -> str:
        counts[kind] += 1
        return f'{opening}<span class="caption-number">{kind} {counts[kind]}:</span> '

    if _NUMBERED.search(body):  # numbered already (a report rendered twice)
        return body
    body = FIGCAPTION.sub(lambda m: prefix("Figure", m.group(0)), body)
    return TABLE_CAPTION.sub(lambda m: prefix("Table", m.group(0)), body)
