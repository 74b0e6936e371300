"""PDF output with headless Chromium: offline flags, atomic output, errors, and packages left unchanged.

Tests marked ``needs_browser`` run the real Chromium. They are skipped when none is found, except under CI
(the ``CI`` environment variable set), where CI installs Chromium and a missing browser must fail. The
other tests use small fake browsers and run everywhere.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from mrmkit.errors import InvalidParameters, MrmkitError, PackageError
from mrmkit.evidence.manifest import verify_package, write_manifest
from mrmkit.present.pdf import (
    NO_DNS_FLAG,
    OFFLINE_FLAGS,
    ChromiumMissing,
    find_chromium,
    html_to_pdf,
    package_pdf,
)
from mrmkit.present.render import external_references

BROWSER = find_chromium()
needs_browser = pytest.mark.skipif(
    BROWSER is None and not os.environ.get("CI"),
    reason="no Chromium on this machine (under CI a missing browser fails instead)",
)


# --- helpers -------------------------------------------------------------------------------------------


def _png(width: int = 96, height: int = 64) -> bytes:
    """A small RGB gradient PNG, built with zlib only."""
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 255 // width, y * 255 // height, 128))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _report_html(title: str = "Validation report") -> str:
    image = base64.b64encode(_png()).decode()
    rows = "".join(
        f"<tr><td>{b}</td><td>{0.01 * b:.3f}</td><td>{'green' if b < 7 else 'amber'}</td></tr>" for b in range(1, 11)
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + title + "</title>"
        "<style>table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}</style></head>"
        f"<body><h1>{title}</h1><p>Calibration by grade.</p>"
        f"<table><tr><th>grade</th><th>PD</th><th>RAG</th></tr>{rows}</table>"
        f"<p><img alt='gradient' src='data:image/png;base64,{image}'></p></body></html>"
    )


def _fake_browser(folder: Path, body: str) -> Path:
    """An executable Python script standing in for Chromium; ``body`` sees ``args`` and ``out`` (the PDF path)."""
    script = folder / "fake-chromium"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys, time\n"
        "args = sys.argv[1:]\n"
        "out = next((a.split('=', 1)[1] for a in args if a.startswith('--print-to-pdf=')), None)\n" + body
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


def _hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _package(tmp_path: Path) -> Path:
    """A minimal published evidence package: a report, metrics and a manifest."""
    run_id = "20250101T000000Z-abcdef12"
    root = tmp_path / "out" / "pd-model" / "1.0" / run_id
    (root / "reports").mkdir(parents=True)
    (root / "reports" / "index.html").write_text(_report_html("PD model 1.0"), encoding="utf-8")
    (root / "metrics.json").write_text('{"calibration": {"brier": 0.07}}\n')
    write_manifest(root, {"run_id": run_id, "status": "complete"})
    return root


# --- find_chromium and a missing browser ---------------------------------------------------------------


def test_find_chromium_prefers_the_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _fake_browser(tmp_path, "")
    on_path = tmp_path / "bin"
    on_path.mkdir()
    shutil.copy2(fake, on_path / "google-chrome")
    monkeypatch.setenv("PATH", str(on_path))
    monkeypatch.delenv("MRMKIT_CHROMIUM", raising=False)
    assert find_chromium() == str(on_path / "google-chrome")
    shutil.copy2(fake, on_path / "chromium")
    assert find_chromium() == str(on_path / "chromium")  # chromium comes first
    monkeypatch.setenv("MRMKIT_CHROMIUM", str(fake))
    assert find_chromium() == str(fake)
    monkeypatch.setenv("MRMKIT_CHROMIUM", str(tmp_path / "no-such-browser"))
    assert find_chromium() is None  # a wrong explicit choice is reported, not replaced by another browser


def test_missing_chromium_raises_with_install_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    html = tmp_path / "r.html"
    html.write_text(_report_html())
    monkeypatch.setenv("MRMKIT_CHROMIUM", str(tmp_path / "nonexistent" / "chromium"))
    monkeypatch.setenv("PATH", "")
    with pytest.raises(ChromiumMissing) as info:
        html_to_pdf(html, tmp_path / "r.pdf")
    error = info.value
    assert isinstance(error, MrmkitError) and error.exit_code == 2
    message = str(error)
    assert "apt-get install chromium" in message and "MRMKIT_CHROMIUM" in message
    assert "nonexistent" in message
    assert not list(tmp_path.glob("*.pdf*")) and not list(tmp_path.glob(".r.pdf*"))

    monkeypatch.delenv("MRMKIT_CHROMIUM")
    with pytest.raises(ChromiumMissing) as info:
        html_to_pdf(html, tmp_path / "r.pdf")
    assert str(info.value) == (
        "Chromium is needed for PDF output and was not found; install it with `apt-get install chromium` "
        "(Debian/Ubuntu) or set MRMKIT_CHROMIUM to its path."
    )


# --- the command line and error handling, with fake browsers -------------------------------------------


def test_command_has_the_offline_flags_a_fresh_profile_and_a_temp_file_beside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = tmp_path / "args.json"
    fake = _fake_browser(
        tmp_path,
        "profile = next(a.split('=', 1)[1] for a in args if a.startswith('--user-data-dir='))\n"
        "info = {'args': args, 'profile_empty': os.listdir(profile) == [], 'profile': profile}\n"
        f"open({str(record)!r}, 'w').write(json.dumps(info))\n"
        "open(out, 'wb').write(b'%PDF-1.4 fake' + b' ' * 2000)\n",
    )
    monkeypatch.setenv("MRMKIT_CHROMIUM", str(fake))
    html = tmp_path / "my report.html"
    html.write_text(_report_html())
    target = tmp_path / "pdfs" / "report.pdf"
    assert html_to_pdf(html, target) == target
    assert target.read_bytes().startswith(b"%PDF")
    info = json.loads(record.read_text())
    args = info["args"]
    assert args[: len(OFFLINE_FLAGS)] == list(OFFLINE_FLAGS)
    assert NO_DNS_FLAG in args and "--no-pdf-header-footer" in args
    assert args[-1] == html.resolve().as_uri() and args[-1].startswith("file:///")
    assert info["profile_empty"] and not Path(info["profile"]).exists()  # fresh, and removed afterwards
    printed = Path(next(a.split("=", 1)[1] for a in args if a.startswith("--print-to-pdf=")))
    assert printed.parent == target.parent and printed != target  # a temporary file beside, renamed after
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.pdf"]


def test_browser_failure_names_the_file_and_the_last_stderr_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_browser(
        tmp_path,
        "sys.stderr.write('starting\\nERROR:dbus/bus.cc Failed to connect to the bus\\nfatal: cannot open display\\n')\n"
        "sys.stderr.write('ERROR:dbus/bus.cc:405] Failed to connect to the bus\\n')\n"
        "sys.exit(3)\n",
    )
    monkeypatch.setenv("MRMKIT_CHROMIUM", str(fake))
    html = tmp_path / "report.html"
    html.write_text(_report_html())
    with pytest.raises(MrmkitError, match=r"report\.html.*exit code 3.*fatal: cannot open display"):
        html_to_pdf(html, tmp_path / "report.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-chromium", "report.html"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("sys.stderr.write('nothing printed\\n')\n", "wrote no PDF.*nothing printed"),
        ("open(out, 'wb').close()\n", "wrote no PDF"),
        ("open(out, 'w').write('<html>not a pdf</html>')\n", "not a PDF"),
    ],
)
def test_missing_empty_or_wrong_output_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, expected: str
) -> None:
    monkeypatch.setenv("MRMKIT_CHROMIUM", str(_fake_browser(tmp_path, body)))
    html = tmp_path / "report.html"
    html.write_text(_report_html())
    with pytest.raises(MrmkitError, match=expected):
        html_to_pdf(html, tmp_path / "report.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-chromium", "report.html"]


def test_timeout_stops_the_browser_and_its_children(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "child.pid"
    fake = _fake_browser(
        tmp_path,
        "import subprocess\n"
        "child = subprocess.Popen(['sleep', '60'])\n"
        f"open({str(marker)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(60)\n",
    )
    monkeypatch.setenv("MRMKIT_CHROMIUM", str(fake))
    html = tmp_path / "report.html"
    html.write_text(_report_html())
    started = time.perf_counter()
    with pytest.raises(MrmkitError, match=r"report\.html.*within 1 s"):
        html_to_pdf(html, tmp_path / "report.pdf", timeout=1)
    assert time.perf_counter() - started < 10
    child = int(marker.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        # a killed child of the killed fake browser is a zombie until init reaps it
        state = Path(f"/proc/{child}/stat")
        if state.exists() and state.read_text().split(")")[-1].split()[0] == "Z":
            break
        time.sleep(0.05)
    else:
        pytest.fail("the browser's helper process survived the timeout")
    assert not list(tmp_path.glob("*.pdf*")) and not list(tmp_path.glob(".report.pdf*"))


def test_missing_html_and_not_a_package(tmp_path: Path) -> None:
    with pytest.raises(MrmkitError, match="nope.html"):
        html_to_pdf(tmp_path / "nope.html", tmp_path / "x.pdf")
    with pytest.raises(PackageError):
        package_pdf(tmp_path)
    package = _package(tmp_path)
    (package / "reports" / "index.html").unlink()
    with pytest.raises(PackageError, match="reports/index.html"):
        package_pdf(package)


def test_out_inside_the_package_is_refused(tmp_path: Path) -> None:
    package = _package(tmp_path)
    before = _hashes(package)
    for inside in (package / "report.pdf", package / "reports" / "x.pdf", package):
        with pytest.raises(InvalidParameters, match="never changed"):
            package_pdf(package, inside)
    assert _hashes(package) == before


# --- the real browser ----------------------------------------------------------------------------------


@needs_browser
def test_table_and_inline_png_print_to_a_pdf(tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    html.write_text(_report_html(), encoding="utf-8")
    started = time.perf_counter()
    pdf = html_to_pdf(html, tmp_path / "report.pdf")
    elapsed = time.perf_counter() - started
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 1024
    assert b"/Image" in data  # the inline PNG made it into the PDF
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.pdf"]
    print(f"PDF of a small report: {elapsed:.2f} s, {len(data)} bytes")


@needs_browser
def test_package_pdf_writes_beside_the_package_and_never_inside(tmp_path: Path) -> None:
    package = _package(tmp_path)
    before = _hashes(package)
    parent_before = sorted(p.name for p in package.parent.iterdir())
    pdf = package_pdf(package)
    assert pdf == package.parent / f"{package.name}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert _hashes(package) == before
    assert verify_package(package).intact
    assert sorted(p.name for p in package.parent.iterdir()) == sorted([*parent_before, pdf.name, pdf.name + ".json"])

    elsewhere = package_pdf(package, tmp_path / "exports" / "pd.pdf")
    assert elsewhere == tmp_path / "exports" / "pd.pdf" and elsewhere.read_bytes().startswith(b"%PDF")
    folder = tmp_path / "folder"
    folder.mkdir()
    assert package_pdf(package, folder) == folder / f"{package.name}.pdf"
    assert _hashes(package) == before


def _works(command: list[str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@needs_browser
def test_self_contained_html_prints_without_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No network needed, and none tried: run in a namespace without network, or under strace, or plainly."""
    html = tmp_path / "report.html"
    html.write_text(_report_html(), encoding="utf-8")
    assert external_references(html.read_text()) == []
    browser = find_chromium()
    if browser is None:  # under CI: fail with the install message
        html_to_pdf(html, tmp_path / "report.pdf")
    trace = tmp_path / "trace.txt"
    wrapper = tmp_path / "offline-chromium"
    if shutil.which("strace") and _works(["strace", "-f", "-qq", "-o", os.devnull, "true"]):
        wrapper.write_text(
            f'#!/bin/sh\nexec strace -f -qq -s 80 -e trace=connect,sendto,sendmmsg -o "{trace}" "{browser}" "$@"\n'
        )
    elif shutil.which("unshare") and _works(["unshare", "-rn", "true"]):
        wrapper.write_text(f'#!/bin/sh\nexec unshare -rn "{browser}" "$@"\n')
    else:
        wrapper.write_text(f'#!/bin/sh\nexec "{browser}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("MRMKIT_CHROMIUM", str(wrapper))
    pdf = html_to_pdf(html, tmp_path / "report.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    if trace.exists():
        lines = trace.read_text(errors="replace").splitlines()
        inet = [line for line in lines if "connect(" in line and ("AF_INET" in line)]
        # Chromium probes IPv6 reachability by connect()ing a UDP socket to Google's DNS address, which sends
        # no packet; anything else (a DNS query, a TCP connection) is network access.
        tried = [line for line in inet if "2001:4860:4860::8888" not in line]
        assert tried == [], "Chromium tried the network:\n" + "\n".join(tried[:10])
        assert not [line for line in lines if "google" in line and "send" in line]


def test_a_browser_that_cannot_start_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "broken-chromium"
    broken.write_bytes(b"\x7fELF not really")
    broken.chmod(0o755)
    monkeypatch.setenv("MRMKIT_CHROMIUM", str(broken))
    html = tmp_path / "report.html"
    html.write_text(_report_html())
    with pytest.raises(MrmkitError, match=r"could not be started.*report\.html"):
        html_to_pdf(html, tmp_path / "report.pdf")
    assert not list(tmp_path.glob("*.pdf*")) and not list(tmp_path.glob(".report.pdf*"))


# --- the whole validation as one PDF (mrmkit.present.booklet) ------------------------------------------------------


def _reports(tmp_path: Path) -> Path:
    reports = tmp_path / "reports"
    reports.mkdir(parents=True)
    (reports / "index.html").write_text(
        '<html><body><h1>Report</h1><h2 id="executive-summary">Executive summary</h2>'
        '<a href="drift.html#Feature-drift">drift</a> <a href="drift.html">all of it</a>'
        '<a href="https://example.org/x">outside</a></body></html>',
        encoding="utf-8",
    )
    (reports / "drift.html").write_text(
        '<html><body><header><a href="index.html">back</a></header><main><h2 id="Findings">Findings</h2>'
        '<a href="#Findings">up</a><h2 id="Feature-drift">Feature drift</h2><table id="T_abc_row0_col0"></table>'
        '<a href="index.html">report</a></main></body></html>',
        encoding="utf-8",
    )
    return reports


def test_booklet_links_are_internal_and_ids_unique(tmp_path: Path) -> None:
    from mrmkit.present.booklet import booklet

    html = booklet(_reports(tmp_path), {"run_id": "r1", "status": "complete"}, "m 1.0")
    assert 'href="#drift--Feature-drift"' in html and 'href="#drift"' in html and 'href="#drift--Findings"' in html
    assert 'id="drift--Findings"' in html and 'id="report--executive-summary"' in html
    assert 'id="T_abc_row0_col0"' in html  # pandas Styler ids keep their own style rules
    assert 'href="#report"' in html and "index.html" not in html and "drift.html" not in html
    contents = html[html.index('<nav class="contents"') : html.index("</nav>")]
    assert re.findall(r'href="#([^"]+)"', contents) == [
        "report",
        "report--executive-summary",
        "drift",
        "drift--Findings",
        "drift--Feature-drift",
    ]
    assert ">Data quality and drift</a>" in contents and contents.count("000</span>") == 5  # pages to come
    assert "size: A4" in html and "counter(pages)" in html


def test_booklet_header_cannot_escape_its_css_string(tmp_path: Path) -> None:
    from mrmkit.present.booklet import booklet, css_string

    hostile = '"; } body { display: none } </style><script>alert(1)</script> \\'
    html = booklet(_reports(tmp_path), {"run_id": "r1", "status": "complete"}, hostile, paper="letter")
    style = html[html.index("<style>") : html.index("</style>")]
    assert "<script>" not in style and "body { display: none }" not in style
    assert css_string(hostile).count('"') == 2 and "size: letter" in style
    with pytest.raises(ValueError):
        booklet(_reports(tmp_path / "x"), {}, "m", paper="a3")


def _size(pdf: Path) -> tuple[int, int]:
    """The first page's size in points, rounded."""
    import pypdf

    box = pypdf.PdfReader(str(pdf)).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


@needs_browser
def test_package_pdf_is_one_document_with_its_own_manifest(tmp_path: Path) -> None:
    from mrmkit.present.pdf import verify_pdf

    package = _package(tmp_path)
    (package / "reports" / "drift.html").write_text(
        '<html><body><main><h2 id="Findings">Findings</h2><p>drift evidence page</p></main></body></html>',
        encoding="utf-8",
    )
    write_manifest(
        package, {"run_id": package.name, "status": "complete", "model_id": "pd-model", "model_version": "1.0"}
    )
    pdf = package_pdf(package, paper="letter")
    data = pdf.read_bytes()
    assert _size(pdf) == (612, 792)  # US letter
    assert b"file:" not in data and b"/URI" not in data  # every link is internal
    assert verify_pdf(pdf) == []
    with pdf.open("ab") as fh:
        fh.write(b"%")
    assert any("does not match its manifest" in p for p in verify_pdf(pdf))
    pdf.unlink()
    a4 = package_pdf(package)
    assert _size(a4) == (595, 842)  # A4
    write_manifest(package, {"run_id": package.name, "status": "failed"})  # the package changes afterwards
    assert any("has changed since the PDF was printed" in p for p in verify_pdf(a4))
    with pytest.raises(InvalidParameters, match="--paper"):
        package_pdf(package, tmp_path / "x.pdf", paper="a3")


def test_booklet_links_and_contents_carry_their_pages(tmp_path: Path) -> None:
    """On paper a link cannot be clicked: each internal link and contents entry gives its target's page, in
    a box of fixed width so the numbers of the second print do not move anything."""
    from mrmkit.present.booklet import booklet

    pages = {"report": 2, "report--executive-summary": 2, "drift": 3, "drift--Findings": 3, "drift--Feature-drift": 4}
    html = booklet(_reports(tmp_path), {"run_id": "r1", "status": "complete"}, "m 1.0", pages=pages)
    assert '<a href="#drift--Feature-drift">drift</a><span class="page-ref">p.&nbsp;4</span>' in html
    assert '<a href="#drift">all of it</a><span class="page-ref">p.&nbsp;3</span>' in html
    assert '<a href="#report">report</a><span class="page-ref">p.&nbsp;2</span>' in html
    assert re.search(
        r'href="#drift--Feature-drift">Feature drift</a><span class="contents-fill"></span>'
        r'<span class="contents-page">4</span>',
        html,
    )
    assert "000" not in html  # no placeholder left once the pages are known
    assert 'href="https://example.org/x">outside</a><span' not in html  # not an internal link: no page


def test_contents_from_the_headings_of_a_page() -> None:
    from mrmkit.present.contents import add_contents, entries, with_ids

    page = (
        '<h1>Report</h1><p>cover</p><h2 id="summary">Summary</h2><h2>Model card</h2>'
        '<h2 class="x">Model <em>card</em>¶</h2><h2 id="model-card-2">Taken</h2><h3 id="deep">Deep</h2>'
    )
    named = with_ids(page)
    assert '<h2 id="model-card">Model card</h2>' in named
    assert '<h2 id="model-card-3" class="x">' in named  # unique: model-card-2 is taken already
    assert [(e.text, e.anchor) for e in entries(named)] == [
        ("Summary", "summary"),
        ("Model card", "model-card"),
        ("Model card", "model-card-3"),
        ("Taken", "model-card-2"),
    ]
    full = add_contents(page)
    nav = full.index('<nav class="contents"')
    assert full.index("<p>cover</p>") < nav < full.index('<h2 id="summary">')
    assert re.findall(r'href="#([^"]+)"', full[nav:]) == ["summary", "model-card", "model-card-3", "model-card-2"]
    assert "contents-page" not in full  # on screen no page numbers
    assert add_contents("<h1>No sections</h1>") == "<h1>No sections</h1>"


def _long_reports(tmp_path: Path) -> Path:
    """Reports whose sections fall on known pages: 60 paragraphs of body text push each next section on."""
    reports = _reports(tmp_path)
    filler = "".join(
        f"<p>Paragraph {i} of the evidence, long enough to fill a line or so of text.</p>" for i in range(60)
    )
    (reports / "drift.html").write_text(
        '<html><body><main><h1>Data quality and drift</h1><h2 id="Findings">Findings</h2>'
        + filler
        + '<h2 id="Feature-drift">Feature drift</h2><p>see <a href="#Findings">the findings</a></p>'
        + filler
        + '<h2 id="Settings">Settings</h2><table><tr><th>setting</th><td>value</td></tr></table></main></body></html>',
        encoding="utf-8",
    )
    return reports


@needs_browser
def test_booklet_pdf_has_an_outline_of_its_contents_and_right_page_numbers(tmp_path: Path) -> None:
    """Issue 27: the PDF's outline has one entry per part and per section, and every page number the
    contents and the links print is the page the heading is on (read back from the PDF with pypdf)."""
    import pypdf

    from mrmkit.present.pdf import reports_pdf

    pdf = reports_pdf(_long_reports(tmp_path), tmp_path / "v.pdf", {"run_id": "r1", "status": "complete"}, "m 1.0")
    reader = pypdf.PdfReader(str(pdf))
    outline = reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles == ["Validation report", "Data quality and drift"]
    children = [[c.title for c in item] for item in outline if isinstance(item, list)]
    assert children == [["Executive summary"], ["Findings", "Feature drift", "Settings"]]
    assert reader.page_mode == "/UseOutlines"
    texts = [page.extract_text() for page in reader.pages]
    parts = {item.title: reader.get_destination_page_number(item) + 1 for item in outline if not isinstance(item, list)}
    on = {
        c.title: reader.get_destination_page_number(c) + 1 for item in outline if isinstance(item, list) for c in item
    }
    assert parts == {"Validation report": 2, "Data quality and drift": 3}  # each part on a new page
    assert on["Findings"] == 3 and 3 < on["Feature drift"] < on["Settings"]  # the filler spreads them over pages
    for title, page in (parts | on).items():
        assert re.search(rf"^{re.escape(title)} {page}$", texts[0], re.M), (title, page)  # the contents' number
    for title, page in on.items():
        assert title in texts[page - 1].splitlines(), (title, page)  # is the page the heading is on
        assert title not in texts[page - 2].splitlines(), (title, page)
    assert f"the findings p. {on['Findings']}" in " ".join(texts[on["Feature drift"] - 1].split())
    assert "000" not in texts[0]
