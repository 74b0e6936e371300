"""The validation report as a document: identity on every page, findings linked to their evidence,
conclusions per workbook, findings grouped by severity, and a sign-off block from ``validation``."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mrmkit.evidence import schema
from mrmkit.present import summary
from mrmkit.present.pdf import find_chromium
from mrmkit.run.runner import run
from tests.conftest import write_params

HOSTILE = '<img src=x onerror=alert(1)> "Q" & Co'


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        if d.get("id"):
            self.ids.add(d["id"])
        if tag == "a" and d.get("href"):
            self.links.append(d["href"])


def _parse(path: Path) -> _Ids:
    p = _Ids()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.fixture(scope="module")
def packages(tmp_path_factory):
    """Two runs of the tiny project: one with a validation section (a hostile name), one without."""
    import numpy as np

    from tests.conftest import make_frame

    out = {}
    for name, validation in (
        (
            "named",
            {
                "validator": HOSTILE,
                "reviewer": "R. Viewer (head of validation)",
                "scope": "Drift and backtest of the Q4 sample",
                "reference": "MRM-2026-17",
                "validated_on": "2026-12-01",
            },
        ),
        ("blank", None),
    ):
        root = tmp_path_factory.mktemp(name)
        rng = np.random.default_rng(20261123)
        (root / "data").mkdir()
        make_frame(rng, 3000, 0.0, "2024-01-01").to_parquet(root / "data" / "reference.parquet", index=False)
        make_frame(rng, 2000, 0.15, "2025-01-01").to_parquet(root / "data" / "current.parquet", index=False)
        overrides = {"backtest": {"as_of": "2026-01-01", "maturity_months": 6}}
        if validation:
            overrides["validation"] = validation
        params = write_params(root, **overrides)
        out[name] = run(params, out=root / "out", record_audit=False).package
    return out


def test_every_workbook_report_opens_with_the_identity_block(packages):
    package = packages["named"]
    for report in sorted((package / "reports").glob("*.html")):
        if report.name == "index.html":
            continue
        text = report.read_text(encoding="utf-8")
        body = text.index("<body")
        head = text[body : body + 3000]
        assert 'class="mrmkit-identity"' in head, report.name
        for value in ("tiny-pd", "1.0", package.name, "complete", 'href="index.html"'):
            assert value in head, (report.name, value)


def test_every_finding_links_to_a_section_that_exists(packages):
    package = packages["named"]
    index = _parse(package / "reports" / "index.html")
    links = [h for h in index.links if re.match(r"^[a-z_]+\.html#", h)]
    assert len(links) >= 3
    for href in links:
        page, _, frag = href.partition("#")
        assert frag in _parse(package / "reports" / page).ids, href
    assert any(not h.endswith("#Findings") for h in links)  # findings go to their evidence, not the top


def test_every_declared_section_is_a_heading_of_its_notebook():
    root = Path(__file__).resolve().parents[1] / "notebooks"
    for workbook, names in schema.sections().items():
        source = (root / f"{workbook}.py").read_text(encoding="utf-8")
        for name in names:
            assert f"# ## {name}\n" in source or f"# ### {name}\n" in source, (workbook, name)


def test_summary_conclusions_and_issues(packages):
    """The summary's issues read high before medium, each with its id, and match the package's issues.json."""
    package = packages["named"]
    text = (package / "reports" / "index.html").read_text(encoding="utf-8")
    summary_part = text[text.index('id="executive-summary"') : text.index(">Workbooks</h2>")]
    for word in ("Tested:", "Found:", "Means:", "Data quality and drift", "Backtest and stress test"):
        assert word in summary_part
    shown = re.findall(
        r'<div class="issue" id="issue-([A-Z]+-\d+)"><h3>[^<]* <span class="badge (red|amber)">', summary_part
    )
    recorded = json.loads((package / "issues.json").read_text(encoding="utf-8"))["issues"]
    assert shown and [i for i, _ in shown] == [r["id"] for r in recorded]
    badges = [b for _, b in shown]
    assert badges == sorted(badges, key=("red", "amber").index)
    assert "GREEN</span>" not in summary_part[summary_part.index('id="issues"') :]  # passed checks are no issue


def test_sign_off_block_from_the_parameter_file_escaped(packages):
    text = (packages["named"] / "reports" / "index.html").read_text(encoding="utf-8")
    block = text[text.index('id="sign-off"') :]
    assert "&lt;img src=x onerror=alert(1)&gt; &#34;Q&#34; &amp; Co" in block and "<img src=x" not in block
    assert "R. Viewer (head of validation)" in block and "Drift and backtest of the Q4 sample" in block
    assert "MRM-2026-17" in block
    rows = block[: block.index("</table>")]
    assert "<td>Validator</td>" in rows and "<td>2026-12-01</td></tr>" in rows  # the validator's date, as given
    assert rows.count('class="blank"') == 3  # two signatures and the reviewer's date, left for the pen


def test_sign_off_date_that_is_not_a_date_is_refused(tmp_path):
    from mrmkit.errors import InvalidParameters
    from mrmkit.params import parameters_from_dict

    raw = {
        "model": {"id": "m", "version": "1"},
        "data": {"reference": "r.parquet", "current": "c.parquet", "score": "pd"},
        "drift": {},
        "validation": {"reviewed_on": "next Tuesday"},
    }
    with pytest.raises(InvalidParameters, match=r"validation\.reviewed_on") as info:
        parameters_from_dict(raw, tmp_path, "p.yaml")
    assert "\n" not in str(info.value)


def test_sign_off_is_blank_for_a_hand_signature_without_names(packages):
    text = (packages["blank"] / "reports" / "index.html").read_text(encoding="utf-8")
    block = text[text.index('id="sign-off"') : text.index("</section>", text.index('id="sign-off"'))]
    assert block.count('class="blank"') == 7  # scope, two names, two signatures, two dates
    assert "Validator" in block and "Reviewer" in block


def test_finding_links_fall_back_to_the_findings_section():
    assert summary.finding_link({"workbook": "drift", "metric": "drift.features.x.psi"}) == "drift.html#Feature-drift"
    assert summary.finding_link({"workbook": "drift", "metric": None}) == "drift.html#Findings"
    assert summary.finding_link(
        {"workbook": "backtest", "metric": "backtest.var.levels.v.kupiec_pof.p_value"}
    ).endswith("#VaR-backtesting")


class _Visible(HTMLParser):
    """Visible text cells, column headers and images of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str]] = []
        self.skip = 0
        self.cells: list[str] = []
        self.headers: list[str] = []
        self.alts: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        if tag in ("style", "script", "title"):
            self.skip += 1
        if tag == "img":
            self.alts.append(d.get("alt"))
            return
        self.stack.append((tag, d.get("class") or ""))

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self.skip -= 1
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        text = data.strip()
        if self.skip or not text:
            return
        self.cells.append(text)
        tags = [t for t, _ in self.stack]
        if tags and tags[-1] == "th" and "thead" in tags and "row_heading" not in self.stack[-1][1]:
            self.headers.append(text)


def test_reports_show_no_python_literals_and_every_image_is_described(packages):
    from mrmkit.workbooks.display import HEADER_LABELS

    for report in sorted((packages["named"] / "reports").glob("*.html")):
        page = _Visible()
        page.feed(report.read_text(encoding="utf-8"))
        assert page.cells, report.name
        for cell in page.cells:
            assert "{'" not in cell and "['" not in cell, (report.name, cell[:80])
            assert cell not in ("True", "False", "None") and not re.fullmatch(r"-0\.0+%?", cell), (report.name, cell)
        assert not set(page.headers) & set(HEADER_LABELS), (report.name, set(page.headers) & set(HEADER_LABELS))
        assert all(alt and "No description" not in alt for alt in page.alts), (report.name, page.alts)


@pytest.mark.skipif(find_chromium() is None and not os.environ.get("CI"), reason="needs Chromium (CI installs it)")
def test_the_browser_measurement_sees_a_table_wider_than_the_page(tmp_path):
    """The instrument of the demo's screen test: a table too wide for the window is reported, one that fits
    is not, and so are a missing identity block and an image without alt text."""
    from tests.browser import measure

    cells = "".join(f"<td>column{i:02d}</td>" for i in range(12))
    page = tmp_path / "p.html"
    page.write_text(
        f"<html><body><table id=narrow><tr>{cells}</tr></table><div style='width:600px'><table><tr>"
        f"{cells * 3}</tr></table></div><img src='x.png'></body></html>"
    )
    seen = measure(page)
    assert [w["index"] for w in seen["wide"]] == [1] and seen["wide"][0]["width"] > 600
    assert not seen["identity"] and seen["alts"] == [""] and "column11" in seen["cells"]


_NEEDS_PDF_TOOLS = pytest.mark.skipif(
    (shutil.which("pdftotext") is None or find_chromium() is None) and not os.environ.get("CI"),
    reason="needs Chromium and pdftotext (poppler-utils); under CI their absence fails instead",
)


class _Shown(HTMLParser):
    """The words a page shows (not its styles, titles or hidden anchor marks)."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: list[bool] = []
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("img", "meta", "br", "hr", "input", "link"):
            return
        cls = dict(attrs).get("class") or ""
        self.hidden.append(tag in ("style", "script", "title", "head") or "anchor-link" in cls)

    def handle_endtag(self, tag):
        if self.hidden and tag not in ("img", "meta", "br", "hr", "input", "link"):
            self.hidden.pop()

    def handle_data(self, data):
        if not any(self.hidden):
            self.words += data.split()


def _pdf_words(pdf: Path) -> list[tuple[int, float, float, str]]:
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    out = []
    for number, body in enumerate(re.findall(r"<page [^>]*>(.*?)</page>", xml, re.S), start=1):
        for x0, x1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', body
        ):
            out.append((number, float(x0), float(x1), word))
    return out


def _column_text(pdf: Path) -> str:
    """The PDF's words column by column (page, left edge, height): a key wrapped inside a table cell, whose
    lines start at the cell's left edge, reads whole although the next cell's words lie between its lines."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words = [
        (number, float(x0), float(y0), word)
        for number, body in enumerate(re.findall(r"<page [^>]*>(.*?)</page>", xml, re.S), start=1)
        for x0, y0, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>', body
        )
    ]
    return "".join(w for *_, w in sorted(words))


def _missing_words(html: str, pdf: Path) -> list[str]:
    """Words of the page (six characters or more) that the PDF does not show: cut at a page edge (a word whose
    line breaks at its hyphen is shown when each of its parts is)."""
    from html import unescape

    shown = _Shown()
    shown.feed(html)
    printed = "".join(unescape(w) for _, _, _, w in _pdf_words(pdf)) + unescape(_column_text(pdf))
    # a line may break after a word's hyphen ("four-" / "fifths"): such a word is shown when each part is
    return sorted({w for w in shown.words if len(w) >= 6 and not all(part in printed for part in w.split("-"))})


@_NEEDS_PDF_TOOLS
def test_a_cut_table_is_detected(tmp_path):
    from mrmkit.present.pdf import html_to_pdf

    page = (
        "<html><head><style>@page{size:A4;margin:20mm 14mm}</style></head><body><table><tr>"
        '<td style="white-space:nowrap">'
        + " ".join(f"word{i:03d}" for i in range(60))
        + "</td></tr></table></body></html>"
    )
    (tmp_path / "wide.html").write_text(page)
    html_to_pdf(tmp_path / "wide.html", tmp_path / "wide.pdf")
    assert "word059" in _missing_words(page, tmp_path / "wide.pdf")  # the end of the row is clipped, and seen


@_NEEDS_PDF_TOOLS
def test_pdf_shows_every_word_and_every_page_is_attributed(packages, tmp_path):
    """Nothing is cut at the page edge (every word of the document is in the PDF, hashes whole), and every
    page names the model and run and is numbered."""
    from mrmkit.present.booklet import booklet
    from mrmkit.present.pdf import package_pdf

    package = packages["named"]
    pdf = package_pdf(package, tmp_path / "v.pdf")
    html = booklet(package / "reports", {"run_id": package.name, "status": "complete"}, "tiny-pd 1.0")
    assert not _missing_words(html, pdf)
    printed = "".join(w for *_, w in _pdf_words(pdf)) + _column_text(pdf)
    for sha in re.findall(r"\b[0-9a-f]{64}\b", html):
        assert sha in printed  # a sha256 wrapped over two lines is still whole, none loses its last character
    words = _pdf_words(pdf)
    pages = max(n for n, *_ in words)
    assert pages >= 5
    for number in range(1, pages + 1):
        text = " ".join(w for n, _, _, w in words if n == number)
        assert package.name in text and "tiny-pd" in text, number  # the page header
        assert f"page {number} of {pages}" in text, number


@pytest.mark.slow
@_NEEDS_PDF_TOOLS
def test_printed_validation_is_readable_and_navigable(packages, tmp_path):
    """Issue 27 on a real package: printed, no text and no table text is below 9 pt (computed style in
    Chromium, print rules applied; they were 7 pt) and no table is wider than the text column; the PDF's
    outline has one entry per part and per section of the booklet, and the contents' page numbers are the
    pages the headings are printed on (both read back with pypdf)."""
    import pypdf

    from mrmkit.present.booklet import booklet, booklet_parts
    from mrmkit.present.contents import entries
    from mrmkit.present.pdf import package_pdf
    from tests.browser import measure

    package = packages["named"]
    page = tmp_path / "booklet.html"
    page.write_text(booklet(package / "reports", {"run_id": package.name}, "tiny-pd 1.0"), encoding="utf-8")
    seen = measure(page, media="print")
    assert seen["smallest"]["table"]["pt"] >= 9, seen["smallest"]
    assert seen["smallest"]["all"]["pt"] >= 9, seen["smallest"]
    assert not seen["wide"], seen["wide"]

    pdf = package_pdf(package, tmp_path / "v.pdf")
    reader = pypdf.PdfReader(str(pdf))
    parts = booklet_parts(package / "reports")
    tops = [item for item in reader.outline if not isinstance(item, list)]
    subs = [item for item in reader.outline if isinstance(item, list)]
    assert [t.title for t in tops] == [p.title for p in parts]
    assert [[s.title for s in sub] for sub in subs] == [[e.text for e in entries(p.html)] for p in parts]
    assert all(len(sub) >= 2 for sub in subs)  # a part has sections
    contents = reader.pages[0].extract_text() + "\n" + reader.pages[1].extract_text()
    for sub in subs:
        for item in sub:
            number = reader.get_destination_page_number(item) + 1
            assert item.title in reader.pages[number - 1].extract_text(), (item.title, number)
            assert re.search(rf"^{re.escape(item.title)} {number}$", contents, re.M), (item.title, number)


def test_the_index_numbers_every_table_and_figure_and_shows_no_machine_path(packages):
    """Issue 27: every table of the validation report has a numbered caption, every chart is a figure with a
    numbered caption, and no absolute path of the machine appears: the inputs appendix names files relative to
    the parameter file's folder (the manifest keeps the full path)."""
    package = packages["named"]
    page = (package / "reports" / "index.html").read_text(encoding="utf-8")
    tables = re.findall(r"<table[^>]*>(.*?)</table>", page, re.S)
    assert len(tables) >= 8
    numbered = [re.match(r'\s*<caption>\s*<span class="caption-number">Table (\d+):</span> \S', t) for t in tables]
    assert all(numbered), [t[:80] for t, n in zip(tables, numbered, strict=True) if not n]
    assert [int(n.group(1)) for n in numbered] == list(range(1, len(tables) + 1))
    images = re.findall(r"<img[^>]*>", page)
    figures = re.findall(
        r'<figure class="mrmkit-figure"><img[^>]*><figcaption class="mrmkit-caption">'
        r'<span class="caption-number">Figure \d+:</span> \S',
        page,
    )
    assert images and len(figures) == len(images)
    root = str(package.parents[3])  # the project folder the parameter file is in
    assert root not in page and "/tmp/" not in page
    assert ">data/reference.parquet<" in page and "Reference sample" in page
    assert "Appendix: glossary" in page and "Jeffreys test" in page
