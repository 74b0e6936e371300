"""Self-contained HTML report to PDF with the system's headless Chromium, offline.

Chromium runs with the flags that keep it off the network (see TOOLCHAIN.md: without the
background-networking flags it tries to reach the network), a fresh empty profile, and prints to a
temporary file in the target folder that is renamed to the PDF only when complete, so a PDF that exists
is never half-written. ``package_pdf`` writes beside an evidence package, never inside it: a published
package does not change.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from pathlib import Path

from mrmkit.errors import InvalidParameters, MrmkitError, PackageError
from mrmkit.present.booklet import PAPERS

__all__ = [
    "PAPERS",
    "reports_pdf",
    "verify_pdf",
    "ChromiumMissing",
    "CHROMIUM_NAMES",
    "OFFLINE_FLAGS",
    "NO_DNS_FLAG",
    "find_chromium",
    "chromium_command",
    "html_to_pdf",
    "package_pdf",
]

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

# Exactly the flags measured in TOOLCHAIN.md to print without any network access.
OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

# Measured with strace on Chromium 156 (Debian): even with OFFLINE_FLAGS it still sends DNS queries for
# clients2.google.com, update.googleapis.com and accounts.google.com. Resolving every host name to
# "not found" stops those before any packet leaves; a self-contained report needs no host name anyway.
NO_DNS_FLAG = "--host-resolver-rules=MAP * ~NOTFOUND"

INSTALL_HINT = (
    "Chromium is needed for PDF output and was not found; install it with `apt-get install chromium` "
    "(Debian/Ubuntu) or set MRMKIT_CHROMIUM to its path."
)


class ChromiumMissing(MrmkitError):
    """No Chromium or Chrome executable was found for PDF output."""

    exit_code = 2


def find_chromium() -> str | None:
    """The browser to use: ``$MRMKIT_CHROMIUM`` if set, else the first Chromium or Chrome on ``PATH``.

    An ``MRMKIT_CHROMIUM`` that is set but is not an executable gives ``None`` rather than silently
    falling back to another browser than the one asked for.
    """
    configured = os.environ.get("MRMKIT_CHROMIUM", "").strip()
    if configured:
        return shutil.which(configured)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _missing_message() -> str:
    configured = os.environ.get("MRMKIT_CHROMIUM", "").strip()
    if configured:
        return f"{INSTALL_HINT} (MRMKIT_CHROMIUM is set to {configured!r}, which is not an executable file.)"
    return INSTALL_HINT


OUTLINE_FLAG = "--generate-pdf-document-outline"  # an outline of the headings (Chromium 156 has it)


def chromium_command(browser: str, html: Path, pdf: Path, profile: Path, outline: bool = False) -> list[str]:
    """The full command line that prints ``html`` to ``pdf`` with an empty profile folder, offline (with
    ``outline``: and an outline of the page's headings in the PDF)."""
    return [
        browser,
        *OFFLINE_FLAGS,
        NO_DNS_FLAG,
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        *([OUTLINE_FLAG] if outline else []),
        f"--print-to-pdf={pdf}",
        Path(html).resolve().as_uri(),
    ]


def _last_stderr_line(text: str) -> str:
    """Chromium's last meaningful stderr line (its D-Bus complaints on a headless server are noise)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    useful = [line for line in lines if "dbus/" not in line and "Failed to connect to the bus" not in line]
    chosen = (useful or lines or ["(no output on stderr)"])[-1]
    return chosen if len(chosen) <= 400 else chosen[:397] + "..."


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill Chromium and every helper process it started (they share its new session)."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def html_to_pdf(html: Path, pdf: Path, timeout: float = 120, outline: bool = False) -> Path:
    """Print the HTML file ``html`` to ``pdf`` with headless Chromium and no network access (with
    ``outline``: and Chromium's outline of its headings).

    The PDF appears atomically (written to a temporary file in the same folder, then renamed). Raises
    ``ChromiumMissing`` when no browser is found and ``MrmkitError`` when Chromium fails, times out or
    writes no PDF.
    """
    html = Path(html)
    pdf = Path(pdf)
    if not html.is_file():
        raise MrmkitError(f"{html} does not exist or is not a file; there is no HTML report to print.")
    browser = find_chromium()
    if browser is None:
        raise ChromiumMissing(_missing_message())

    pdf.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{pdf.name}.", suffix=".part", dir=pdf.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # Chromium creates it, with the usual permissions rather than mkstemp's 0600
    try:
        with tempfile.TemporaryDirectory(prefix="mrmkit-chromium-", ignore_cleanup_errors=True) as work:
            profile = Path(work) / "profile"
            profile.mkdir()
            errors = Path(work) / "stderr.txt"
            command = chromium_command(browser, html, tmp, profile, outline)
            # stderr to a file, not a pipe: helper processes may keep a pipe open after Chromium exits.
            with errors.open("wb") as err:
                try:
                    proc = subprocess.Popen(
                        command,
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL,
                        stderr=err,
                        start_new_session=True,
                    )
                except OSError as exc:
                    raise MrmkitError(f"{browser} could not be started to print {html} to PDF ({exc}).") from None
                try:
                    returncode = proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    _kill_group(proc)
                    raise MrmkitError(
                        f"Chromium did not finish printing {html} to PDF within {timeout:g} s and was stopped."
                    ) from None
                except BaseException:  # e.g. Ctrl-C: leave no browser behind
                    _kill_group(proc)
                    raise
            stderr = errors.read_text(encoding="utf-8", errors="replace")

        if returncode != 0:
            raise MrmkitError(
                f"Chromium failed to print {html} to PDF (exit code {returncode}): {_last_stderr_line(stderr)}"
            )
        if not tmp.is_file() or tmp.stat().st_size == 0:
            raise MrmkitError(f"Chromium wrote no PDF for {html}: {_last_stderr_line(stderr)}")
        with tmp.open("rb") as fh:
            if fh.read(4) != b"%PDF":
                raise MrmkitError(f"Chromium's output for {html} is not a PDF: {_last_stderr_line(stderr)}")
        os.replace(tmp, pdf)
    finally:
        tmp.unlink(missing_ok=True)
    return pdf


MAX_PASSES = 4  # the page numbers sit in fixed-width boxes, so the second print confirms the first


def _print_booklet(reports: Path, identity: dict, model_label: str, paper: str, work: Path) -> tuple[Path, dict]:
    """Print the booklet until its page numbers are those of the print they came from: the first print
    has placeholders, each next one the pages its predecessor put every linked element on."""
    from mrmkit.present.booklet import booklet
    from mrmkit.present.pdfnav import destination_pages

    html, printed, pages = work / "validation.html", work / "validation.pdf", None
    for _ in range(MAX_PASSES):
        html.write_text(booklet(reports, identity, model_label, paper, pages), encoding="utf-8")
        found = destination_pages(html_to_pdf(html, printed, outline=True))
        if found == pages:
            return printed, pages
        pages = found
    raise MrmkitError(f"the page numbers of the PDF of {reports} did not settle after {MAX_PASSES} prints.")


def reports_pdf(reports: Path, pdf: Path, identity: dict, model_label: str, paper: str = "a4") -> Path:
    """Print the whole validation (report and workbook reports, :mod:`mrmkit.present.booklet`) to one PDF
    whose contents and links give their pages and whose outline (bookmarks) mirrors the contents."""
    from mrmkit.present.booklet import booklet_contents, booklet_parts
    from mrmkit.present.pdfnav import add_outline

    if paper not in PAPERS:
        raise InvalidParameters(f"--paper {paper!r}: choose one of {', '.join(PAPERS)}.")
    pdf = Path(pdf)
    with tempfile.TemporaryDirectory(prefix="mrmkit-booklet-") as work:
        printed, pages = _print_booklet(Path(reports), identity, model_label, paper, Path(work))
        pdf.parent.mkdir(parents=True, exist_ok=True)
        part = pdf.with_name(f".{pdf.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part")  # the usual permissions
        try:
            add_outline(printed, part, booklet_contents(booklet_parts(Path(reports)), pages))
            os.replace(part, pdf)
        finally:
            part.unlink(missing_ok=True)
    return pdf


def package_pdf(package: Path, out: Path | None = None, paper: str = "a4") -> Path:
    """Print an evidence package's whole validation to one PDF beside it, with a manifest of its own.

    By default the PDF is ``<package parent>/<run_id>.pdf``; ``out`` may name a file or an existing
    folder. A path inside the package is refused: a published package never changes. Beside the PDF,
    ``<pdf>.json`` records its sha256 and the package's identity and manifest hash (:func:`verify_pdf`).
    """
    from mrmkit.evidence.manifest import read_manifest

    package = Path(package)
    manifest = read_manifest(package)
    index = package / "reports" / "index.html"
    if not index.is_file():
        raise PackageError(f"{package} has no reports/index.html; there is no validation report to print.")
    run_id = str(manifest.get("run_id") or package.resolve().name)
    if out is None:
        target = package.resolve().parent / f"{run_id}.pdf"
    else:
        target = Path(out)
        if target.is_dir():
            target = target / f"{run_id}.pdf"
    root = package.resolve()
    resolved = target.resolve()
    if resolved == root or resolved.is_relative_to(root):
        raise InvalidParameters(
            f"--out {out} is inside the package {package}; a published package is never changed, "
            "so write the PDF outside it."
        )
    label = " ".join(str(manifest.get(k) or "") for k in ("model_id", "model_version")).strip() or run_id
    identity = {"run_id": run_id, "status": manifest.get("status")}
    reports_pdf(package / "reports", target, identity, label, paper)
    _write_pdf_manifest(target, package, manifest, paper)
    return target


PDF_MANIFEST_SUFFIX = ".json"


def _write_pdf_manifest(pdf: Path, package: Path, manifest: dict, paper: str) -> Path:
    import json

    import mrmkit
    from mrmkit.io.frames import sha256_file

    side = pdf.with_name(pdf.name + PDF_MANIFEST_SUFFIX)
    content = {
        "pdf": pdf.name,
        "sha256": sha256_file(pdf),
        "size": pdf.stat().st_size,
        "paper": paper,
        "mrmkit_version": mrmkit.__version__,
        "package": {k: manifest.get(k) for k in ("model_id", "model_version", "run_id", "status", "manifest_sha256")},
        "package_path": str(Path(package).resolve()),
    }
    side.write_text(json.dumps(content, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return side


def verify_pdf(pdf: Path) -> list[str]:
    """Problems of a PDF made beside a package (none: intact): its hash against ``<pdf>.json``, and the
    package's manifest hash when the package is still where it was printed from."""
    import json

    from mrmkit.evidence.manifest import read_manifest
    from mrmkit.io.frames import sha256_file

    pdf = Path(pdf)
    side = pdf.with_name(pdf.name + PDF_MANIFEST_SUFFIX)
    from mrmkit.files import read_text

    if not side.exists() and not side.is_symlink():
        return [f"{side} is missing; the PDF has no manifest to check it against."]
    try:
        record = json.loads(read_text(side, "The PDF manifest", 16 * 1024 * 1024))
    except ValueError as exc:  # InvalidInput included: a FIFO, a device, too large, not UTF-8
        return [f"{side} cannot be read as JSON ({exc})."]
    if not isinstance(record, dict):
        return [f"{side} is not a PDF manifest."]
    problems = []
    if not pdf.is_file():
        return [f"{pdf} is missing."]
    if sha256_file(pdf) != record.get("sha256"):
        problems.append(
            f"{pdf} does not match its manifest: its sha256 differs from the one recorded when it was printed."
        )
    where = record.get("package_path")
    if isinstance(where, str) and Path(where).is_dir():
        try:
            now = read_manifest(Path(where)).get("manifest_sha256")
        except PackageError as exc:
            problems.append(str(exc))
        else:
            if now != (record.get("package") or {}).get("manifest_sha256"):
                problems.append(
                    f"the package {where} has changed since the PDF was printed (its manifest hash differs)."
                )
    return problems
