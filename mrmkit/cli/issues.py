"""``mrmkit issue``: the remediation register of each model (:mod:`mrmkit.remediation`): list it, change an issue."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from mrmkit.cli._console import _guard, cell, out, table_console
from mrmkit.errors import InvalidInput, printable

issue_app = typer.Typer(
    help="The remediation register: each model's validation issues with owner, due date and status.",
    no_args_is_help=True,
)

STATUS_HELP = "open, in-progress (remediation in progress), remediated, risk-accepted (needs --approver) or closed."


@issue_app.command("update")
@_guard
def issue_update(
    folder: Annotated[Path, typer.Argument(metavar="OUT", help="The folder the packages are published in (--out).")],
    model_id: Annotated[str, typer.Argument(metavar="MODEL_ID", help="The model's id.")],
    issue_id: Annotated[str, typer.Argument(metavar="ISSUE_ID", help="The issue's id, e.g. CAL-01.")],
    status: Annotated[str | None, typer.Option("--status", metavar="STATUS", help=STATUS_HELP)] = None,
    owner: Annotated[str | None, typer.Option("--owner", metavar="NAME", help="Who remediates it.")] = None,
    due: Annotated[str | None, typer.Option("--due", metavar="DATE", help="Remediation due date, YYYY-MM-DD.")] = None,
    approver: Annotated[
        str | None, typer.Option("--approver", metavar="NAME", help="Who approved the risk acceptance.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", help="Why (recorded).")] = None,
) -> None:
    """Change one issue of a model's register: one audit-trail line, then the register file.

    Exit 0 changed; 2 bad input (unknown model or issue, bad status or date, risk accepted without an approver),
    nothing written; 1 the register does not match its audit trail."""
    from mrmkit.remediation import update

    entry = update(folder, model_id, issue_id, status=status, owner=owner, due=due, approver=approver, note=note)
    due_text = entry.due.isoformat() if entry.due else "no due date"
    out.print(
        Text(f"{model_id} {entry.id}: {entry.status}, owner {entry.owner or '-'}, {due_text}"),
        soft_wrap=True,
    )


@issue_app.command("list")
@_guard
def issue_list(
    folder: Annotated[Path, typer.Argument(metavar="OUT", help="The folder the packages are published in (--out).")],
    model_id: Annotated[str | None, typer.Argument(metavar="[MODEL_ID]", help="Only this model.")] = None,
) -> None:
    """List the register: model, issue, severity, status, owner, due date, overdue, title."""
    from rich.table import Table

    from mrmkit.evidence.audit.chain import AUDIT_LOG
    from mrmkit.remediation.state import STATUS_WORDS, derive_all, load

    if not folder.is_dir():
        raise InvalidInput(f"OUT: {printable(folder)} is not a folder of evidence packages.")
    log = folder / AUDIT_LOG
    models = sorted(derive_all(log)) if log.exists() else []
    if model_id is not None:
        if model_id not in models:
            raise InvalidInput(
                f"MODEL_ID: the model {printable(model_id)!r} has no issue in the register of {printable(folder)}."
            )
        models = [model_id]
    if not models:
        out.print(f"no issues in the register of {folder}")
        return
    today = date.today()
    table = Table(show_edge=False, box=None, pad_edge=False)
    for column in ("model", "issue", "severity", "status", "owner", "due", "", "title"):
        table.add_column(column)
    for model in models:
        for e in load(folder, model).ordered():
            values = (
                model,
                e.id,
                e.severity,
                STATUS_WORDS[e.status] + (f" by {e.approver}" if e.status == "risk-accepted" else ""),
                e.owner or "-",
                e.due.isoformat() if e.due else "-",
                "OVERDUE" if e.overdue(today) else "",
                e.title,
            )
            table.add_row(*map(cell, values))
    table_console(140).print(table)
