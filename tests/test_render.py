"""Offline HTML: the exporter's template loads nothing from another host, and the scanner finds loads."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from mrmkit.present.render import external_references, notebook_to_html


def test_scanner_finds_external_loads() -> None:
    assert external_references('<script src="https://cdn.example.org/x.js"></script>')
    assert external_references("<link rel=stylesheet href='//fonts.example.com/a.css'>")
    assert external_references("<style>@import url(https://x.org/a.css);</style>")
    assert external_references('<img src="http://x.org/a.png">')
    assert not external_references('<a href="drift.html">local</a> <img src="data:image/png;base64,AAAA">')
    assert not external_references("/* see https://example.org for the palette */")


def test_rendered_notebook_is_self_contained_and_hides_code(tmp_path: Path) -> None:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    code = new_code_cell("secret_code_marker = 1\nprint('visible output')")
    code.outputs = [new_output("stream", name="stdout", text="visible output\n")]
    nb.cells = [new_markdown_cell("# Title with math $x^2$"), code]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    html = tmp_path / "nb.html"
    notebook_to_html(path, html, title="Test")
    text = html.read_text()
    assert "visible output" in text
    assert "secret_code_marker" not in text
    assert external_references(text) == []
    assert "require.js" not in text and "mathjax" not in text.lower().replace("mathjax_url", "")
