"""``mrmkit export``: package metrics for other systems; ``mrmkit export prometheus`` for Prometheus and Grafana.

:func:`write_prometheus` is shared with ``mrmkit batch --prometheus FILE``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from mrmkit.cli._console import TRUSTED_HELP, _guard, err
from mrmkit.errors import printable

export_app = typer.Typer(
    no_args_is_help=True,
    help="Export the metrics of evidence packages for other systems (prometheus).",
)

OUT_HELP = (
    "File to write, e.g. /var/lib/prometheus/node-exporter/mrmkit.prom (the textfile collector reads *.prom): "
    "written to a temporary file in the same folder and renamed over FILE, so a reader never sees half of it. "
    "Default: standard output."
)
NOW_HELP = (
    "The time ages and due days are counted to: an ISO 8601 date or time (2026-12-31, 2026-12-31T12:00:00Z; "
    "no zone means UTC). Default: now."
)


def _warn(message: str) -> None:
    err.print(Text("warning: ", style="bold yellow") + Text(printable(message)), soft_wrap=True)


def write_prometheus(
    paths: list[Path],
    out_file: Path | None,
    inventory: Path | None,
    now: str | None,
    empty_ok: bool = False,
    trusted_file: Path | None = None,
) -> int:
    """Export, write (``out_file`` atomically, else standard output) and warn; the number of unverified packages.

    On a terminal, control characters in label values (legal in the format, raw) are shown as escapes; a
    pipe or a file gets the exact text.
    """
    from mrmkit.evidence.trusted import UNCHECKED, trusted_keys
    from mrmkit.export.prometheus import export_prometheus, parse_now
    from mrmkit.export.textformat import check_target, write_atomic

    moment = parse_now(now)
    trust = trusted_keys(trusted_file)
    if out_file is not None:
        check_target(out_file)
    result = export_prometheus(paths, moment, inventory, empty_ok=empty_ok, trust=trust)
    if out_file is None:
        terminal = sys.stdout.isatty()
        sys.stdout.write("\n".join(map(printable, result.text.split("\n"))) if terminal else result.text)
        sys.stdout.flush()
    else:
        if out_file.suffix != ".prom":
            _warn(f"{out_file} does not end in .prom; node_exporter's textfile collector reads only *.prom files.")
        write_atomic(out_file, result.text)
        err.print(f"mrmkit: wrote {out_file} ({len(result.packages)} model(s))", soft_wrap=True)
    if trust is None and result.packages:
        _warn(
            f"no trusted keys (--trusted-keys FILE or MRMKIT_TRUSTED_KEYS): every package is {UNCHECKED}; "
            "mrmkit_package_verified 1 says only that its files match its manifest, not who published it."
        )
    for package in result.unverified:
        _warn(
            f"{package.path} does not verify ({package.problem}); only mrmkit_package_info and "
            "mrmkit_package_verified 0 are exported for model " + repr(package.model_id) + "."
        )
    return len(result.unverified)


@_guard
def prometheus(
    packages: Annotated[
        list[Path],
        typer.Argument(metavar="PACKAGE", help="Evidence package folders, or folders of packages such as outputs."),
    ],
    out_file: Annotated[Path | None, typer.Option("--out", metavar="FILE", help=OUT_HELP)] = None,
    inventory: Annotated[
        Path | None,
        typer.Option(
            "--inventory",
            metavar="FILE",
            help="An inventory YAML: adds each model's days to its next due date and whether it is overdue.",
        ),
    ] = None,
    now: Annotated[str | None, typer.Option("--now", metavar="TIME", help=NOW_HELP)] = None,
    trusted_file: Annotated[Path | None, typer.Option("--trusted-keys", metavar="FILE", help=TRUSTED_HELP)] = None,
) -> None:
    """Write the headline metrics of the latest package of each model in the Prometheus text format.

    Exit 0 written; 1 written, but the latest package of a model does not verify (named on standard error; only mrmkit_package_info and mrmkit_package_verified 0 are exported for it); 2 a user error, nothing written.
    """  # noqa: E501  (one line: typer keeps the line breaks of a help paragraph)
    if write_prometheus(list(packages), out_file, inventory, now, trusted_file=trusted_file):
        raise typer.Exit(1)


export_app.command("prometheus")(prometheus)
