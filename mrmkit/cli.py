"""The ``mrmkit`` command line (contract section 3).

Every error a user can cause is printed as one sentence on standard error with exit code 2 (1 for a
failed workbook or a package that does not verify); a traceback is shown only for a bug in mrmkit.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from mrmkit.errors import MrmkitError, PackageError, one_line, printable

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Independent model validation evidence: run workbooks, publish and verify evidence packages.",
)
WORKBOOK_NAMES = "drift, backtest, champion_challenger, explainability"


def _plain_help() -> None:
    """Help names what to type, not Python types: typer 0.29 prints ``<bool>`` beside every flag and
    ``<path>`` beside every argument; a flag gets no label, an option its metavar (``--out DIR``)."""
    from typer import core

    def option_label(self: Any, ctx: Any) -> str | None:
        return None if self.is_flag or self.count else self.metavar or self.name.upper()

    core.TyperOption.display_type_rich = option_label
    core.TyperArgument.display_type_rich = lambda self, ctx: None


_plain_help()


def _version(value: bool) -> None:
    if value:
        import mrmkit

        print(f"mrmkit {mrmkit.__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print mrmkit's version and exit.")
    ] = False,
) -> None:
    """Independent model validation evidence: run workbooks, publish and verify evidence packages."""


class SafeConsole(Console):
    """A console for text that may carry names from data or parameter files.

    Rich markup (``[bold]``, ``[link=...]``), emoji codes and highlighting are off for every print, and
    control characters in text (ESC sequences, carriage returns, bells) are shown as escapes, so a name can
    neither style, hide, link nor rewrite what the terminal shows. Styled output is built as ``Text``.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(markup=False, emoji=False, highlight=False, **kwargs)

    def print(self, *objects: Any, **kwargs: Any) -> None:
        for option in ("markup", "emoji", "highlight"):
            kwargs[option] = False
        if all(isinstance(o, (str, Text)) for o in objects):
            kwargs.setdefault("soft_wrap", True)  # a message is one line however narrow the terminal
        super().print(*(printable(o) if isinstance(o, str) else o for o in objects), **kwargs)


def table_console(min_width: int) -> SafeConsole:
    """A console wide enough for a table of full values (a pipe or a file gets the full width too)."""
    return SafeConsole(width=max(min_width, out.width))


def cell(value: Any) -> Text:
    """A table cell shown literally: rich tables would otherwise read markup in plain strings."""
    return Text(printable("" if value is None else value))


err = SafeConsole(stderr=True)
out = SafeConsole()


def _guard(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn mrmkit's own errors into one line on stderr and the contract's exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except MrmkitError as exc:
            err.print(Text("error: ", style="bold red") + Text(one_line(exc)), soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted; nothing was published for the run in progress.")
            raise typer.Exit(130) from None

    return wrapper


def _progress() -> tuple[Callable[[str], None], Callable[[], None]]:
    """A spinner on a terminal, plain lines otherwise."""
    if err.is_terminal:
        status = err.status("starting")
        status.start()
        return (lambda message: status.update(message)), status.stop
    return (lambda message: err.print(f"mrmkit: {message}", highlight=False)), (lambda: None)


def _publish(params: Path, workbooks: list[str] | None, out_dir: Path, fail_on: str | None, pdf: bool = False) -> None:
    from mrmkit.runner import run

    update, stop = _progress()
    try:
        result = run(params, workbooks=workbooks, out=out_dir, progress=update, pdf=pdf)
    finally:
        stop()
    if result.status == "failed":
        err.print(f"workbook failed: {', '.join(result.failed_workbooks)}; the package is kept, marked failed.")
        print(result.package)
        raise typer.Exit(1)
    print(result.package)
    if fail_on == "red" and result.red_findings:
        err.print(f"{result.red_findings} red finding(s) and --fail-on red.")
        raise typer.Exit(3)


@app.command()
@_guard
def demo(
    out_dir: Annotated[Path, typer.Option("--out", metavar="DIR", help="Where evidence packages are published.")] = Path("outputs"),
    data_dir: Annotated[Path, typer.Option("--data", metavar="DIR", help="Where the demo data, models and parameter file go.")] = Path(
        "demo"
    ),
    seed: Annotated[int, typer.Option(metavar="N", help="Seed of the demo portfolio.")] = 20261123,
) -> None:
    """Build the demo PD portfolio, VaR engine and fraud classifier, write their parameter files, run and publish each."""
    from mrmkit.demo import build_demo

    err.print(f"mrmkit: building the demo portfolio in {data_dir}")
    built = build_demo(data_dir, seed=seed)
    err.print(f"mrmkit: demo parameter files {built.parameters} (PD model), {built.var_parameters} (VaR engine) and "
              f"{built.fraud_parameters} (fraud classifier)")  # fmt: skip
    for parameters in (built.parameters, built.var_parameters, built.fraud_parameters):
        _publish(parameters, None, out_dir, None)


@app.command("run")
@_guard
def run_command(
    params: Annotated[Path, typer.Argument(help="The model's parameter file (YAML).")],
    workbooks: Annotated[
        str | None, typer.Option("--workbooks", metavar="NAMES",
                     help=f"Comma-separated workbooks to run: {WORKBOOK_NAMES} (default: every one the parameter file enables).")
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", metavar="DIR", help="Where evidence packages are published.")] = Path("outputs"),
    fail_on: Annotated[
        str | None, typer.Option("--fail-on", metavar="SEVERITY", help="Exit 3 when the package has a finding of this severity (red).")
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print the report to reports/index.pdf inside the package.")
    ] = False,
) -> None:
    """Run the workbooks a parameter file enables and publish one evidence package."""
    if fail_on not in (None, "red"):
        raise MrmkitError(f"--fail-on: the only accepted value is 'red'; got {fail_on!r}.")
    chosen = [w.strip() for w in workbooks.split(",") if w.strip()] if workbooks else None
    _publish(params, chosen, out_dir, fail_on, pdf=pdf)


@app.command()
@_guard
def verify(
    package: Annotated[Path, typer.Argument(help="An evidence package folder.")],
    key: Annotated[
        str | None, typer.Option("--key", metavar="KEY", help="A public key you trust (file or 'mrmkit-ed25519 ...' text).")
    ] = None,
) -> None:
    """Re-hash every file of a package against its manifest; check its signature and its audit line."""
    from mrmkit.audit import package_trail
    from mrmkit.manifest import read_manifest, verify_package
    from mrmkit.signing import check_signature, fingerprint, load_public_key

    trusted = load_public_key(key) if key is not None else None
    if not package.exists() and not package.is_symlink():
        raise PackageError(f"{package} does not exist.")
    try:
        report = verify_package(package)
        manifest = read_manifest(package)
    except PackageError as exc:  # a folder that is no package: the file under test is bad, not the command
        err.print(Text("not a package: ") + Text(one_line(exc)))
        raise typer.Exit(1) from None
    signature = check_signature(package, trusted)
    trail_ok, trail_line = package_trail(package, manifest)
    if report.intact:
        out.print(f"intact: {report.checked} files match the manifest of {package}")
    for line in report.lines():
        out.print(line, soft_wrap=True)
    out.print(signature.line(fingerprint(trusted) if trusted is not None else None), soft_wrap=True)
    out.print(trail_line, soft_wrap=True)
    good = report.intact and signature.ok and trail_ok is not False
    outcome = "intact" if good else "altered: " + "; ".join([*report.lines(), signature.line(), trail_line])
    try:
        _audit(package, "verify", outcome)
    except MrmkitError as exc:  # what was found about the package is already printed
        err.print(Text("error: ", style="bold red") + Text(one_line(exc)), soft_wrap=True)
        raise typer.Exit(1 if not good else exc.exit_code) from None
    if not good:
        err.print(f"{package} does not verify.")
        raise typer.Exit(1)


def _audit(package: Path, action: str, outcome: str) -> None:
    """Record a verify or reproduce in the audit log next to the packages (``<out>/audit.jsonl``), if any."""
    from mrmkit import audit
    from mrmkit.manifest import read_manifest

    parents = Path(package).resolve().parents
    if len(parents) < 3 or not (log := parents[2] / audit.AUDIT_LOG).exists():
        return  # not inside <out>/<model>/<version>/, or no audit log there
    manifest = read_manifest(package)
    audit.append(log, {"action": action, "package": str(Path(package).resolve()), "run_id": manifest.get("run_id"),
                       "manifest_sha256": manifest.get("manifest_sha256"), "outcome": outcome})  # fmt: skip


@app.command()
@_guard
def reproduce(package: Annotated[Path, typer.Argument(help="An evidence package folder.")]) -> None:
    """Rerun a package from its recorded inputs, parameters and seeds, and compare every metric."""
    from mrmkit.reproduce import reproduce as rerun

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
DIFF_FORMAT_HELP = FORMAT_HELP.format(
    terminal="the changes in brackets rounded to 4 significant digits (the values always in full)"
) + " json is one object: both packages, parameter, status and findings changes, metric changes by workbook."
HISTORY_FORMAT_HELP = FORMAT_HELP.format(
    terminal="fitted to its width with floats rounded to 4 significant digits"
) + " csv and json add each package's path; json is a list of rows."
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
    """Machine-readable output (CSV or JSON, already safe to show: see mrmkit.output), written as it is."""
    sys.stdout.write(text)
    sys.stdout.flush()


@app.command()
@_guard
def diff(
    package_a: Annotated[Path, typer.Argument(help="The first package (e.g. last quarter's).")],
    package_b: Annotated[Path, typer.Argument(help="The second package.")],
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help=DIFF_FORMAT_HELP)] = "table",
    summary: Annotated[bool, typer.Option("--summary", help=SUMMARY_HELP)] = False,
) -> None:
    """Compare two packages: parameter changes and status changes first, then findings, then the metric changes by
    workbook with their counts. Warns (exit 0) when the packages are of different models."""
    from mrmkit.compare import CSV_COLUMNS, diff_packages
    from mrmkit.output import check_format, csv_text, json_text

    check_format(fmt)
    result = diff_packages(package_a, package_b)
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


@app.command()
@_guard
def history(
    model_id: Annotated[str, typer.Argument(help="The model's id.")],
    directory: Annotated[Path, typer.Argument(help="Folder of packages.")] = Path("outputs"),
    fmt: Annotated[str, typer.Option("--format", metavar="FORMAT", help=HISTORY_FORMAT_HELP)] = "table",
) -> None:
    """Key metrics of one model across its packages, oldest first."""
    from rich.table import Table

    from mrmkit.compare import history as model_history
    from mrmkit.output import check_format, csv_text, json_text

    check_format(fmt)
    frame = model_history(model_id, directory)
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


@app.command("open")
@_guard
def open_command(
    package: Annotated[Path, typer.Argument(help="An evidence package folder.")],
    workbook: Annotated[
        str | None, typer.Argument(help=f"One of {WORKBOOK_NAMES} (default: every one it holds).")
    ] = None,
    directory: Annotated[
        Path | None, typer.Option("--dir", metavar="DIR", help="Working folder (default: mrmkit-open/<model>/<version>/<run>).")
    ] = None,
    browser: Annotated[bool, typer.Option("--browser/--no-browser", help="Open a browser tab on JupyterLab.")] = True,
    lab: Annotated[bool, typer.Option("--lab/--no-lab", help="Start JupyterLab once the copy is made.")] = True,
    port: Annotated[int | None, typer.Option("--port", metavar="PORT", help="JupyterLab's port (default: its own choice).")] = None,
) -> None:
    """Copy a package's executed notebook into a working folder (inputs checked by hash) and open it in JupyterLab."""
    from mrmkit.workbench import lab_command, prepare, start_lab

    bench = prepare(package, workbook, directory)
    for line in bench.lines():
        out.print(line)
    if not lab:
        return
    lab_command(bench, browser, port)  # JupyterLab missing: the copy is made, the message says how to install it
    code = start_lab(bench, browser, port)
    if code not in (0, 130):
        raise typer.Exit(code)


@app.command()
@_guard
def report(
    package: Annotated[Path, typer.Argument(help="An evidence package folder.")],
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Print the validation report to PDF with headless Chromium.")
    ] = False,
    out_file: Annotated[
        Path | None, typer.Option("--out", metavar="PATH", help="PDF file or folder (default: beside the package).")
    ] = None,
) -> None:
    """Write the package's validation report as PDF beside the package (a published package never changes)."""
    from mrmkit.pdf import package_pdf

    if not pdf:
        raise MrmkitError("report: say which format to write; the only one is --pdf.")
    print(package_pdf(package, out_file))


@app.command()
@_guard
def batch(
    params: Annotated[list[Path] | None, typer.Argument(help="Parameter files to run.")] = None,
    inventory: Annotated[
        Path | None, typer.Option("--inventory", metavar="FILE", help="An inventory YAML; runs the models that are due.")
    ] = None,
    all_models: Annotated[
        bool, typer.Option("--all", help="With --inventory: every model that is not retired.")
    ] = False,
    jobs: Annotated[
        int | None, typer.Option("--jobs", metavar="N", help="Models at once in local processes (default: cores).")
    ] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", metavar="ADDRESS", help="Address of a Dask scheduler to run on.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", metavar="DIR", help="Where evidence packages are published.")] = Path("outputs"),
) -> None:
    """Run many models; one model's failure never stops the others. Writes <out>/batch-index.html."""
    from datetime import date

    from mrmkit.batch import inventory_params, run_batch, write_batch_index

    if bool(params) == bool(inventory):
        raise MrmkitError("batch: give parameter files or --inventory FILE, not both and not neither.")
    files = list(params) if params else inventory_params(inventory, date.today(), all_models=all_models)
    if not files:
        out.print("no model is due for validation")
        return
    if err.is_terminal:
        from rich.progress import Progress

        with Progress(console=err, transient=True) as bar:
            task = bar.add_task("models", total=len(files))
            result = run_batch(
                files,
                out_dir,
                jobs=jobs,
                scheduler=scheduler,
                progress=lambda done, total, last: bar.update(task, completed=done),
            )
    else:

        def log(done: int, total: int, last: dict[str, Any]) -> None:
            err.print(f"mrmkit: {done}/{total} {last.get('model_id') or last.get('params')}: {last.get('status')}")

        result = run_batch(files, out_dir, jobs=jobs, scheduler=scheduler, progress=log)
    for line in result.to_lines():
        out.print(line, highlight=False, markup=False, soft_wrap=True)
    print(write_batch_index(result, out_dir / "batch-index.html"))
    raise typer.Exit(result.exit_code)


keys_app = typer.Typer(help="The signing key pair that signs the packages you publish.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("init")
@_guard
def keys_init(force: Annotated[bool, typer.Option("--force", help="Replace an existing key pair.")] = False) -> None:
    """Create an Ed25519 key pair in your config folder (private key mode 0600); runs then sign their packages."""
    from mrmkit.signing import fingerprint, init_keys, public_key_text

    path, public = init_keys(force=force)
    err.print(f"mrmkit: private key {path} (keep it private); public key below, fingerprint {fingerprint(public)}")
    out.print(public_key_text(public))


def _public_key() -> Any:
    from mrmkit.signing import load_private_key, private_key_path

    key = load_private_key()
    if key is None:
        raise MrmkitError(f"keys: there is no signing key at {private_key_path()}; create one with `mrmkit keys init`.")
    return key.public_key()


@keys_app.command("show")
@_guard
def keys_show() -> None:
    """Print the fingerprint and the public key that verifiers pass to `mrmkit verify --key`."""
    from mrmkit.signing import fingerprint, public_key_text

    public = _public_key()
    out.print(f"fingerprint: {fingerprint(public)}")
    out.print(public_key_text(public))


@keys_app.command("export")
@_guard
def keys_export(
    out_file: Annotated[Path | None, typer.Option("--out", metavar="FILE", help="Write the public key here (PEM).")] = None,
) -> None:
    """Export the public key as PEM (to a file with --out, else to standard output)."""
    from cryptography.hazmat.primitives import serialization

    pem = _public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    if out_file is None:
        sys.stdout.write(pem.decode())
        return
    try:
        out_file.write_bytes(pem)
    except OSError as exc:
        raise MrmkitError(f"--out: cannot write {out_file} ({exc.strerror or exc}).") from None
    print(out_file)


audit_app = typer.Typer(help="The audit trail of runs, verifications and re-performances.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
@_guard
def audit_verify(log: Annotated[Path, typer.Argument(help="The audit log, e.g. outputs/audit.jsonl.")]) -> None:
    """Check the audit trail's hash chain and the packages anchored in it; name every problem."""
    from mrmkit.audit import verify_with_packages

    result = verify_with_packages(log)
    if result.intact:
        out.print(f"intact: {result.n_lines} lines, hash chain unbroken")
        return
    for line in result.lines():
        out.print(line, highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(1)


def find_packages(root: Path) -> list[dict[str, Any]]:
    """Every package under ``root`` (``<model>/<version>/<run>/manifest.json``), oldest first."""
    rows = []
    for manifest_path in sorted(root.glob("*/*/*/manifest.json")):
        if any(part.startswith(".") for part in manifest_path.relative_to(root).parts):
            continue
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
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


@app.command("list")
@_guard
def list_command(
    directory: Annotated[Path, typer.Argument(help="Folder of packages.")] = Path("outputs"),
    inventory: Annotated[
        Path | None, typer.Option("--inventory", metavar="FILE", help="Per model of this inventory: last package and next due date.")
    ] = None,
) -> None:
    """List the evidence packages found: model, version, run, status, date, red findings."""
    if not directory.is_dir():
        raise PackageError(f"{directory} is not a folder of evidence packages.")
    rows = find_packages(directory)
    if inventory is not None:
        _list_inventory(inventory, rows)
        return
    if not rows:
        out.print(f"no evidence packages in {directory}")
        return
    from rich.table import Table

    table = Table(show_edge=False, box=None, pad_edge=False)
    for column in ("model", "version", "run", "status", "started (UTC)", "red findings"):
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
                )
            )
        )
    table_console(120).print(table)


def _terminate(signum: int, frame: Any) -> None:
    """SIGTERM unwinds like Ctrl-C, so a run in progress removes its staging folder and publishes nothing."""
    raise KeyboardInterrupt


def _list_inventory(path: Path, packages: list[dict[str, Any]]) -> None:
    """Per inventory model: its last package, status, red findings and next due date, overdue first."""
    from datetime import date

    from rich.table import Table

    from mrmkit.inventory import load_inventory, next_due

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
    for column in ("model", "status", "last package", "package status", "red findings", "next due", ""):
        table.add_column(column)
    for _, _, entry, nxt, overdue in sorted(entries, key=lambda e: (e[0], e[1], e[2].id)):
        p = last.get(entry.id, {})
        due_text = "retired" if entry.status == "retired" else ("never validated" if nxt is None else nxt.isoformat())
        table.add_row(*map(cell, (entry.id, entry.status, p.get("run_id") or "-", p.get("status") or "-",
                                  p.get("red_findings") if p.get("red_findings") is not None else "-", due_text,
                                  "OVERDUE" if overdue else "")))  # fmt: skip
    table_console(120).print(table)


def main() -> None:
    """Console-script entry point."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    sys.exit(app())


if __name__ == "__main__":
    main()
