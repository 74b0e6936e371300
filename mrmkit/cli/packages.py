"""Commands on published packages: ``mrmkit reproduce``, ``diff``, ``history``, ``open``, ``report``, ``list``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from mrmkit.cli._console import (
    TRUSTED_HELP,
    WORKBOOK_NAMES,
    SafeConsole,
    _guard,
    _progress,
    cell,
    err,
    out,
    table_console,
)
from mrmkit.cli.trust import _audit, say_trust
from mrmkit.errors import MrmkitError, PackageError, printable


@_guard
def reproduce(package: Annotated[Path, typer.Argument(help="An evidence package folder.")]) -> None:
    """Rerun a package from its recorded inputs, parameters and seeds, and compare every metric."""
    from mrmkit.run.reproduce import reproduce as rerun

    update, stop = _progress()
    update("re-performing the package")
    try:
        report = rerun(package)
    finally:
        stop()
    for line in report.lines():
        out.print(line, highlight=False, markup=False, soft_wrap=True)
    _audit(package, "reproduce", "reproduced" if report.reproduced else "not reproduced")
    if not report.reproduced:
        raise typer.Exit(1)


FORMAT_HELP = (
    "table, csv or json. table (the default): on a terminal, {terminal}; piped or redirected to a file, every "
    "value in full and nothing cut. csv and json are exact whatever the output: floats in full "
    "precision, infinities inf/-inf, NaN empty (csv) or null (json). In csv only, a text value that starts with "
    "=, +, - or @ gets a leading ' so a spreadsheet does not run it as a formula (numbers are never prefixed)."
)
DIFF_FORMAT_HELP = (
    FORMAT_HELP.format(terminal="the changes in brackets rounded to 4 significant digits (the values always in full)")
    + " json is one object: both packages, parameter, status and findings changes, metric changes by workbook."
)
HISTORY_FORMAT_HELP = (
    FORMAT_HELP.format(terminal="fitted to its width with floats rounded to 4 significant digits")
    + " csv and json add each package's path; json is a list of rows."
)
SUMMARY_HELP = (
    "Only the counts per workbook and of findings, with every parameter and status change; no metric or finding "
    "is listed one by one."
)


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):  # no stdout, or a closed one
        return False


def _write(text: str) -> None:
    """Machine-readable output (CSV or JSON, already safe to show: see mrmkit.present.output), written as it is."""
    sys.stdout.write(text)
    sys.stdout.flush()


@_guard
def diff(
    package_a: Annotated[Path, typer.Argument(help="The first package (e.g. last quarter's).")],
    package_b: Annotated[Path, typer.Argument(help="The second package.")],
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help=DIFF_FORMAT_HELP)] = "table",
    summary: Annotated[bool, typer.Option("--summary", help=SUMMARY_HELP)] = False,
    trusted_file: Annotated[Path | None, typer.Option("--trusted-keys", metavar="FILE", help=TRUSTED_HELP)] = None,
) -> None:
    """Compare two packages: parameter changes and status changes first, then findings, then the metric changes by
    workbook with their counts. Warns (exit 0) when the packages are of different models."""
    from mrmkit.compare import CSV_COLUMNS, diff_packages
    from mrmkit.present.output import check_format, csv_text, json_text

    check_format(fmt)
    result = diff_packages(package_a, package_b)
    say_trust([package_a, package_b], trusted_file)
    if warning := result.model_warning():
        err.print(Text("warning: ", style="bold yellow") + Text(printable(warning)), soft_wrap=True)
    if fmt == "json":
        _write(json_text(result.to_dict(summary=summary)))
    elif fmt == "csv":
        _write(csv_text(CSV_COLUMNS, result.to_rows(summary=summary)))
    else:
        for line in result.to_lines(summary=summary, exact=not _stdout_is_terminal()):
            out.print(line, soft_wrap=True)


def _history_value(value: Any, exact: bool) -> Any:
    from mrmkit.compare import plain

    value = plain(value)
    if isinstance(value, float):
        return repr(value) if exact else f"{value:.4g}"
    return value


def _fit(values: list[int], headers: list[int], total: int) -> list[int]:
    """Column widths: each column's widest value, then the spare width shared out to headers that are longer."""
    widths = list(values)
    spare = total - sum(widths)
    while spare > 0:
        short = [i for i, h in enumerate(headers) if widths[i] < h]
        if not short:
            break
        for i in short[:spare]:
            widths[i] += 1
        spare -= min(len(short), spare)
    return widths


@_guard
def history(
    model_id: Annotated[str, typer.Argument(help="The model's id.")],
    directory: Annotated[Path, typer.Argument(help="Folder of packages.")] = Path("outputs"),
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help=HISTORY_FORMAT_HELP)] = "table",
    trusted_file: Annotated[Path | None, typer.Option("--trusted-keys", metavar="FILE", help=TRUSTED_HELP)] = None,
) -> None:
    """Key metrics of one model across its packages, oldest first."""
    from rich.table import Table

    from mrmkit.compare import history as model_history
    from mrmkit.present.output import check_format, csv_text, json_text

    check_format(fmt)
    frame = model_history(model_id, directory)
    say_trust([Path(p) for p in frame.attrs["paths"]], trusted_file)
    columns = [*map(str, frame.columns), "path"]
    rows = [[*row, path] for row, path in zip(frame.itertuples(index=False), frame.attrs["paths"], strict=True)]
    if fmt == "json":
        _write(json_text([dict(zip(columns, row, strict=True)) for row in rows]))
        return
    if fmt == "csv":
        _write(csv_text(columns, rows))
        return
    exact = not _stdout_is_terminal()
    header = [cell(c) for c in columns[:-1]]
    body = [[cell(_history_value(v, exact)) for v in row[:-1]] for row in rows]
    values = [max(1, *(row[i].cell_len for row in body)) for i in range(len(header))]
    heads = [h.cell_len for h in header]
    if exact:  # every value and header in full on one line: a pipe or a file gets the whole table
        widths = [max(v, h) for v, h in zip(values, heads, strict=True)]
    else:  # a terminal: floats rounded, every value whole, headers fold when the width runs out (never "…")
        widths = _fit(values, heads, max(160, out.width) - 2 * (len(values) - 1))
    table = Table(show_edge=False, box=None, pad_edge=False)
    for text, width in zip(header, widths, strict=True):
        table.add_column(text, no_wrap=exact, overflow="fold", width=width)
    for texts in body:
        table.add_row(*texts)
    needed = sum(widths) + 2 * len(widths)
    (SafeConsole(width=needed) if exact else table_console(needed)).print(table)


@_guard
def open_command(
    package: Annotated[Path, typer.Argument(help="An evidence package folder.")],
    workbook: Annotated[
        str | None, typer.Argument(help=f"One of {WORKBOOK_NAMES} (default: every one it holds).")
    ] = None,
    directory: Annotated[
        Path | None,
        typer.Option("--dir", metavar="DIR", help="Working folder (default: mrmkit-open/<model>/<version>/<run>)."),
    ] = None,
    browser: Annotated[bool, typer.Option("--browser/--no-browser", help="Open a browser tab on JupyterLab.")] = True,
    lab: Annotated[bool, typer.Option("--lab/--no-lab", help="Start JupyterLab once the copy is made.")] = True,
    port: Annotated[
        int | None, typer.Option("--port", metavar="PORT", help="JupyterLab's port (default: its own choice).")
    ] = None,
    trusted_file: Annotated[Path | None, typer.Option("--trusted-keys", metavar="FILE", help=TRUSTED_HELP)] = None,
) -> None:
    """Copy a package's executed notebook into a working folder (inputs checked by hash) and open it in JupyterLab."""
    from mrmkit.evidence.trusted import package_trust, trusted_keys
    from mrmkit.run.workbench import lab_command, prepare, start_lab

    trust = trusted_keys(trusted_file)
    if trust is not None and package.is_dir() and (phrase := package_trust(package, trust)).startswith("UNTRUSTED"):
        raise PackageError(f"{package} is not opened: {phrase}.")
    bench = prepare(package, workbook, directory)
    for line in bench.lines():
        out.print(line)
    out.print(Text(f"signature: {package_trust(package, trust)}"), soft_wrap=True)
    if not lab:
        return
    lab_command(bench, browser, port)  # JupyterLab missing: the copy is made, the message says how to install it
    code = start_lab(bench, browser, port)
    if code not in (0, 130):
        raise typer.Exit(code)


@_guard
def report(
    package: Annotated[Path, typer.Argument(help="An evidence package folder.")],
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Print the whole validation to one PDF with headless Chromium.")
    ] = False,
    out_file: Annotated[
        Path | None, typer.Option("--out", metavar="PATH", help="PDF file or folder (default: beside the package).")
    ] = None,
    paper: Annotated[str, typer.Option("--paper", metavar="SIZE", help="Paper of the PDF: a4 or letter.")] = "a4",
) -> None:
    """Print the package's whole validation (report and workbook reports) to one PDF beside the package,
    with <pdf>.json, its own manifest, which `mrmkit verify PDF` checks (a published package never changes)."""
    from mrmkit.present.pdf import package_pdf

    if not pdf:
        raise MrmkitError("report: say which format to write; the only one is --pdf.")
    if paper not in ("a4", "letter"):
        raise MrmkitError(f"--paper: choose a4 or letter; got {paper!r}.")
    print(package_pdf(package, out_file, paper=paper))


def find_packages(root: Path) -> list[dict[str, Any]]:
    """Every package under ``root`` (``<model>/<version>/<run>/manifest.json``), oldest first."""
    from mrmkit.evidence.manifest import read_manifest

    rows = []
    for manifest_path in sorted(root.glob("*/*/*/manifest.json")):
        if any(part.startswith(".") for part in manifest_path.relative_to(root).parts):
            continue
        try:
            manifest = read_manifest(manifest_path.parent)
        except PackageError:
            rows.append({"path": manifest_path.parent, "model_id": manifest_path.parts[-4], "status": "unreadable"})
            continue
        rows.append(
            {
                "path": manifest_path.parent,
                "model_id": manifest.get("model_id"),
                "model_version": manifest.get("model_version"),
                "run_id": manifest.get("run_id"),
                "status": manifest.get("status"),
                "started": manifest.get("started"),
                "red_findings": manifest.get("red_findings"),
            }
        )
    return sorted(rows, key=lambda r: (str(r.get("model_id")), str(r.get("started")), str(r.get("run_id"))))


@_guard
def list_command(
    directory: Annotated[Path, typer.Argument(help="Folder of packages.")] = Path("outputs"),
    inventory: Annotated[
        Path | None,
        typer.Option(
            "--inventory",
            metavar="FILE",
            help="Per model of this inventory: last package, open and overdue issues of its register, next due date.",
        ),
    ] = None,
    trusted_file: Annotated[Path | None, typer.Option("--trusted-keys", metavar="FILE", help=TRUSTED_HELP)] = None,
) -> None:
    """List the evidence packages found: model, version, run, status, date, red findings."""
    if not directory.is_dir():
        raise PackageError(f"{directory} is not a folder of evidence packages.")
    rows = find_packages(directory)
    trust = say_trust([r["path"] for r in rows], trusted_file) if rows else {}
    if inventory is not None:
        _list_inventory(inventory, rows, directory)
        return
    if not rows:
        out.print(f"no evidence packages in {directory}")
        return
    from rich.table import Table

    table = Table(show_edge=False, box=None, pad_edge=False)
    for column in ("model", "version", "run", "status", "started (UTC)", "red findings", "signature"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            *(
                cell(v if v is not None else "-")
                for v in (
                    r.get("model_id"),
                    r.get("model_version"),
                    r.get("run_id"),
                    r.get("status"),
                    r.get("started"),
                    r.get("red_findings"),
                    trust.get(r["path"]),
                )
            )
        )
    table_console(120).print(table)


def _issue_cells(folder: Path, model_id: str, today: Any) -> tuple[str, str]:
    """Open issues (high/medium) and overdue remediations of the model's live register; '-' without one."""
    from mrmkit.remediation import RegisterError, live_counts, load

    try:
        register = load(folder, model_id)
    except RegisterError:
        return "register altered", "?"
    if not register.entries:
        return "-", "-"
    n = live_counts(register, today)
    return f"{n['high'] + n['medium']} ({n['high']} high)", str(n["overdue"])


def _list_inventory(path: Path, packages: list[dict[str, Any]], folder: Path) -> None:
    """Per inventory model: its last package, status, red findings, open and overdue issues of its remediation
    register, and next due date, overdue first."""
    from datetime import date

    from rich.table import Table

    from mrmkit.params.inventory import load_inventory, next_due

    today = date.today()
    last = {}
    for row in packages:  # oldest first, so the last one wins
        last[row.get("model_id")] = row
    entries = []
    for entry in load_inventory(path).models:
        nxt = next_due(entry)
        overdue = entry.status != "retired" and (nxt is None or nxt <= today)
        rank = 0 if overdue else 2 if entry.status == "retired" else 1  # overdue, then by due date, retired last
        entries.append((rank, nxt or date.min, entry, nxt, overdue))
    table = Table(show_edge=False, box=None, pad_edge=False)
    columns = ("model", "status", "last package", "package status", "red findings", "open issues", "overdue issues")
    for column in (*columns, "next due", ""):
        table.add_column(column)
    for _, _, entry, nxt, overdue in sorted(entries, key=lambda e: (e[0], e[1], e[2].id)):
        p = last.get(entry.id, {})
        due_text = "retired" if entry.status == "retired" else ("never validated" if nxt is None else nxt.isoformat())
        table.add_row(
            *map(
                cell,
                (
                    entry.id,
                    entry.status,
                    p.get("run_id") or "-",
                    p.get("status") or "-",
                    p.get("red_findings") if p.get("red_findings") is not None else "-",
                    *_issue_cells(folder, entry.id, today),
                    due_text,
                    "OVERDUE" if overdue else "",
                ),
            )
        )
    table_console(120).print(table)
