"""The ``mrmkit`` command line (contract section 3).

Every error a user can cause is printed as one sentence on standard error with exit code 2 (1 for a
failed workbook or a package that does not verify); a traceback is shown only for a bug in mrmkit.

The commands live by job in :mod:`mrmkit.cli.run` (demo, run, batch), :mod:`mrmkit.cli.trust` (verify and
the ``keys`` and ``audit`` groups), :mod:`mrmkit.cli.packages` (reproduce, diff, history, open, report,
list), :mod:`mrmkit.cli.export` (the ``export`` group) and :mod:`mrmkit.cli.issues` (the ``issue`` group, the
remediation register), with what they share in :mod:`mrmkit.cli._console`; they are registered here on the one ``app``, in
the order ``mrmkit --help`` lists them. A command imports the heavy modules it needs in its body, so
``import mrmkit.cli`` stays cheap.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from mrmkit.cli._console import SafeConsole, cell, table_console
from mrmkit.cli.export import export_app
from mrmkit.cli.issues import issue_app
from mrmkit.cli.packages import diff, history, list_command, open_command, report, reproduce
from mrmkit.cli.run import batch, demo, run_command
from mrmkit.cli.trust import audit_app, keys_app, verify, withdraw

__all__ = ["app", "main", "SafeConsole", "cell", "table_console"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Independent model validation evidence: run workbooks, publish and verify evidence packages.",
)


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


# Every command on the one app, in the order `mrmkit --help` lists them (the groups after the commands).
app.command()(demo)
app.command("run")(run_command)
app.command()(verify)
app.command()(reproduce)
app.command()(diff)
app.command()(history)
app.command("open")(open_command)
app.command()(report)
app.command()(batch)
app.command()(withdraw)
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(export_app, name="export")
app.add_typer(issue_app, name="issue")
app.command("list")(list_command)


def _terminate(signum: int, frame: Any) -> None:
    """SIGTERM unwinds like Ctrl-C, so a run in progress removes its staging folder and publishes nothing."""
    from mrmkit.errors import terminating

    terminating(signum)  # a library error raised while unwinding (ZMQError) still ends as interrupted
    raise KeyboardInterrupt


def main() -> None:
    """Console-script entry point."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    sys.exit(app())
