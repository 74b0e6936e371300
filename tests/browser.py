"""Reports as a browser shows them: headless Chromium renders a page and reports what a reader sees.

:func:`measure` copies the page, adds a script that runs after layout (the copy drops the report's
Content-Security-Policy, which forbids scripts, so the original stays untouched) and reads the result
back from the DOM Chromium dumps: whether the identity block is there, the visible text, the text of
every table cell, every table that reaches past the page's text column or must be scrolled sideways, and every image's alt text;
``prose``, the visible text less the elements marked ``technical`` (the glossary and the inputs' files, where
column names and file names belong), and ``uncaptioned``, every table without a numbered caption ("Table 2: ...")
and every image outside a figure with a numbered caption ("Figure 3: ...").

With ``media="print"`` the page is laid out as on paper: its ``@media print`` rules apply (the copy makes them
unconditional; Chromium's --dump-dom has no print emulation) in a window as wide as an A4 page's text column
(210 mm less the 14 mm margins, at 96 px per inch), and the measurement also gives the smallest computed font
size, in points, of the visible text in tables and of all visible text, with the text that has it.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import tempfile
from pathlib import Path

from mrmkit.present.pdf import NO_DNS_FLAG, OFFLINE_FLAGS, find_chromium

SCREEN = (1280, 900)  # a laptop's browser window; the stylesheet's page is 1,100 px wide within it
PRINT = (round((210 - 2 * 14) / 25.4 * 96), 1123)  # an A4 page's text column (688 px) and the page's height

_SCRIPT = r"""<script>
window.addEventListener('load', () => {
  const page = document.documentElement.clientWidth;
  const body = document.body.getBoundingClientRect();
  const edge = Math.min(page, body.right - parseFloat(getComputedStyle(document.body).paddingRight || 0));
  const r = {page, identity: !!document.querySelector('.mrmkit-identity, table.identity'),
             text: document.body.innerText, cells: [], wide: [], alts: []};
  document.querySelectorAll('table').forEach((t, i) => {
    const box = t.getBoundingClientRect();
    const over = Math.max(box.right - edge, t.scrollWidth - t.clientWidth);
    if (over > 1) r.wide.push({index: i, width: t.scrollWidth, shown: t.clientWidth,
                               start: (t.innerText || '').slice(0, 80)});
    t.querySelectorAll('td, th').forEach(c => r.cells.push(c.innerText.trim()));
  });
  document.querySelectorAll('img').forEach(im => r.alts.push(im.getAttribute('alt') || ''));
  // every table and figure numbered and captioned ("Table 2: ...", "Figure 3: ...")
  r.uncaptioned = [];
  document.querySelectorAll('table').forEach((t, i) => {
    const c = t.querySelector(':scope > caption');
    if (!c || !/^Table \d+: \S/.test(c.innerText.trim())) r.uncaptioned.push('table ' + i + ': ' + (t.innerText || '').slice(0, 60));
  });
  document.querySelectorAll('img').forEach((im, i) => {
    const f = im.closest('figure'), c = f && f.querySelector('figcaption');
    if (!c || !/^Figure \d+: \S/.test(c.innerText.trim())) r.uncaptioned.push('image ' + i + ': ' + (im.getAttribute('alt') || ''));
  });
  // the prose: the visible text less the technical appendices (the glossary, the inputs' files), marked .technical
  const technical = [...document.querySelectorAll('.technical')];
  technical.forEach(e => { e.dataset.display = e.style.display; e.style.display = 'none'; });
  r.prose = document.body.innerText;
  technical.forEach(e => { e.style.display = e.dataset.display; });
  r.smallest = {table: {pt: null, text: ''}, all: {pt: null, text: ''}};
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || !el.getClientRects().length) continue;  // blank, or not displayed
    if (getComputedStyle(el).visibility !== 'visible') continue;
    const pt = parseFloat(getComputedStyle(el).fontSize) * 0.75;
    for (const where of el.closest('table') ? ['table', 'all'] : ['all']) {
      const s = r.smallest[where];
      if (s.pt === null || pt < s.pt) { s.pt = pt; s.text = n.textContent.trim().slice(0, 60); }
    }
  }
  const out = document.createElement('pre'); out.id = 'mrmkit-measure'; out.textContent = JSON.stringify(r);
  document.body.appendChild(out);
});
</script>"""
_CSP = re.compile(r"<meta http-equiv=\"Content-Security-Policy\"[^>]*>", re.I)
_RESULT = re.compile(r'<pre id="mrmkit-measure">(.*?)</pre>', re.S)
_PRINT_RULES = re.compile(r"@media\s+print\b")


def measure(page: Path, size: tuple[int, int] | None = None, media: str = "screen") -> dict:
    """What Chromium shows of ``page`` in a window of ``size`` pixels, on screen or as printed (``media``
    "print", in a window of :data:`PRINT` unless ``size`` says otherwise; see the module docstring)."""
    assert media in ("screen", "print"), media
    browser = find_chromium()
    assert browser is not None, "Chromium is needed"
    size = size or (PRINT if media == "print" else SCREEN)
    text = _CSP.sub("", page.read_text(encoding="utf-8"))
    if media == "print":
        text = _PRINT_RULES.sub("@media all", text)
    text = text.replace("</body>", _SCRIPT + "</body>") if "</body>" in text else text + _SCRIPT
    with tempfile.TemporaryDirectory(prefix="mrmkit-screen-") as tmp:
        copy = Path(tmp) / page.name
        copy.write_text(text, encoding="utf-8")
        for image in page.parent.glob("*.png"):  # a page's own images, if any lie beside it
            (Path(tmp) / image.name).write_bytes(image.read_bytes())
        proc = subprocess.run(
            [
                browser,
                *OFFLINE_FLAGS,
                NO_DNS_FLAG,
                f"--user-data-dir={tmp}/profile",
                f"--window-size={size[0]},{size[1]}",
                "--virtual-time-budget=10000",
                "--dump-dom",
                copy.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
    found = _RESULT.search(proc.stdout)
    assert found, f"Chromium gave no measurement of {page.name}: {proc.stderr[-300:]}"
    return json.loads(html.unescape(found.group(1)))
