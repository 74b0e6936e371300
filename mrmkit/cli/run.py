"""Commands that run workbooks and publish evidence packages: ``mrmkit demo``, ``run`` and ``batch``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from mrmkit.cli._console import TRUSTED_HELP, WORKBOOK_NAMES, _guard, _progress, err, out
from mrmkit.errors import MrmkitError


def _publish(
    params: Path,
    workbooks: list[str] | None,
    out_dir: Path,
    fail_on: str | None,
    pdf: bool = False,
    paper: str = "a4",
    log_to_mlflow: bool = False,
) -> None:
    from mrmkit.run.runner import run

    logging = _mlflow_logging(params, log_to_mlflow)
    update, stop = _progress()
    try:
        result = run(params, workbooks=workbooks, out=out_dir, progress=update, pdf=pdf, paper=paper)
    finally:
        stop()
    print(result.package)
    if logging is not None:  # after publishing: a failure here leaves the package as published (exit 4)
        from mrmkit.export.mlflow_log import LoggingFailed, log_package

        try:
            run_id = log_package(result.package, logging, result.rating)
        except LoggingFailed as exc:  # one line and exit 4 through _guard; the package path is already printed
            raise LoggingFailed(f"{str(exc).rstrip('.')}; the package is published and unchanged.") from None
        err.print(
            f"mrmkit: logged to MLflow run {run_id} (experiment {logging.mlflow.experiment!r})",
            markup=False,
            highlight=False,
        )
    if result.status == "failed":
        err.print(f"workbook failed: {', '.join(result.failed_workbooks)}; the package is kept, marked failed.")
        raise typer.Exit(1)
    if fail_on == "red" and result.rating == "red":
        err.print("a high-severity validation issue (proposed rating red) and --fail-on red.")
        raise typer.Exit(3)


def _mlflow_logging(params: Path, flag: bool) -> Any:
    """The parameters when the package is to be logged to MLflow (``--log-to-mlflow`` or ``mlflow.log``), else
    ``None``; a missing tracking server or mlflow-skinny is refused now (exit 2), before anything runs."""
    from mrmkit.params import load_parameters

    resolved = load_parameters(params)
    if not (flag or resolved.mlflow.log):
        return None
    from mrmkit.export.mlflow_log import tracking_uri
    from mrmkit.sources import registry

    if tracking_uri(resolved) is None:
        raise MrmkitError(
            f"{params}: mlflow.tracking_uri: --log-to-mlflow needs a tracking server; set "
            "mlflow.tracking_uri, model.tracking_uri or MLFLOW_TRACKING_URI."
        )
    registry.mlflow_module("mlflow.log", "logging to MLflow")
    return resolved


@_guard
def demo(
    out_dir: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Where evidence packages are published.")
    ] = Path("outputs"),
    data_dir: Annotated[
        Path, typer.Option("--data", metavar="DIR", help="Where the demo data, models and parameter file go.")
    ] = Path("demo"),
    seed: Annotated[int, typer.Option(metavar="N", help="Seed of the demo portfolio.")] = 20261123,
) -> None:
    """Build the demo PD portfolio, VaR engine and fraud classifier, write their parameter files, run and publish each."""
    from mrmkit.demo import build_demo

    err.print(f"mrmkit: building the demo portfolio in {data_dir}")
    built = build_demo(data_dir, seed=seed)
    err.print(
        f"mrmkit: demo parameter files {built.parameters} (PD model), {built.var_parameters} (VaR engine) and "
        f"{built.fraud_parameters} (fraud classifier)"
    )
    err.print(
        f"mrmkit: the PD model's data also in {built.database}; `mrmkit run {built.sql_parameters}` reads it "
        "with queries (needs the sql extra)"
    )
    for parameters in (built.parameters, built.var_parameters, built.fraud_parameters):
        _publish(parameters, None, out_dir, None)


@_guard
def run_command(
    params: Annotated[Path, typer.Argument(help="The model's parameter file (YAML).")],
    workbooks: Annotated[
        str | None,
        typer.Option(
            "--workbooks",
            metavar="NAMES",
            help=f"Comma-separated workbooks to run: {WORKBOOK_NAMES} (default: every one the parameter file enables).",
        ),
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Where evidence packages are published.")
    ] = Path("outputs"),
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on", metavar="SEVERITY", help="Exit 3 when the package has a finding of this severity (red)."
        ),
    ] = None,
    pdf: Annotated[
        bool,
        typer.Option(
            "--pdf",
            help="Also print the whole validation (report and workbook reports) to "
            "reports/index.pdf inside the package, hashed in its manifest.",
        ),
    ] = False,
    paper: Annotated[str, typer.Option("--paper", metavar="SIZE", help="Paper of the PDF: a4 or letter.")] = "a4",
    log_to_mlflow: Annotated[
        bool,
        typer.Option(
            "--log-to-mlflow",
            help="After publishing, log the package to an MLflow run (metrics, "
            "rating and decision tags, the package as artifacts); exit 4 if that fails.",
        ),
    ] = False,
) -> None:
    """Run the workbooks a parameter file enables and publish one evidence package."""
    if fail_on not in (None, "red"):
        raise MrmkitError(f"--fail-on: the only accepted value is 'red'; got {fail_on!r}.")
    if paper not in ("a4", "letter"):
        raise MrmkitError(f"--paper: choose a4 or letter; got {paper!r}.")
    chosen = [w.strip() for w in workbooks.split(",") if w.strip()] if workbooks else None
    _publish(params, chosen, out_dir, fail_on, pdf=pdf, paper=paper, log_to_mlflow=log_to_mlflow)


@_guard
def batch(
    params: Annotated[list[Path] | None, typer.Argument(help="Parameter files to run.")] = None,
    inventory: Annotated[
        Path | None,
        typer.Option("--inventory", metavar="FILE", help="An inventory YAML; runs the models that are due."),
    ] = None,
    all_models: Annotated[
        bool, typer.Option("--all", help="With --inventory: every model that is not retired.")
    ] = False,
    jobs: Annotated[
        int | None, typer.Option("--jobs", metavar="N", help="Models at once in local processes (default: cores).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", metavar="ADDRESS", help="Address of a Dask scheduler to run on.")
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Where evidence packages are published.")
    ] = Path("outputs"),
    prometheus: Annotated[
        Path | None,
        typer.Option(
            "--prometheus",
            metavar="FILE",
            help="After the batch, write `mrmkit export "
            "prometheus <out>` to FILE (atomically; with --inventory, the due days too).",
        ),
    ] = None,
    trusted_file: Annotated[Path | None, typer.Option("--trusted-keys", metavar="FILE", help=TRUSTED_HELP)] = None,
) -> None:
    """Run many models; one model's failure never stops the others. Writes <out>/batch-index.html."""
    from datetime import date

    from mrmkit.batch import inventory_params, run_batch, write_batch_index
    from mrmkit.evidence.trusted import trusted_keys

    if bool(params) == bool(inventory):
        raise MrmkitError("batch: give parameter files or --inventory FILE, not both and not neither.")
    trust = trusted_keys(trusted_file)  # a bad key file is refused before any model runs
    if prometheus is not None:
        from mrmkit.export.textformat import check_target

        check_target(prometheus, "--prometheus")  # before any model runs
    files = list(params) if params else inventory_params(inventory, date.today(), all_models=all_models)
    if not files:
        out.print("no model is due for validation")
        _export_after(out_dir, prometheus, inventory, trusted_file)  # the due days still change every day
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
                inventory=inventory,
            )
    else:

        def log(done: int, total: int, last: dict[str, Any]) -> None:
            err.print(f"mrmkit: {done}/{total} {last.get('model_id') or last.get('params')}: {last.get('status')}")

        result = run_batch(files, out_dir, jobs=jobs, scheduler=scheduler, progress=log, inventory=inventory)
    for line in result.to_lines():
        out.print(line, highlight=False, markup=False, soft_wrap=True)
    print(write_batch_index(result, out_dir / "batch-index.html", trust))
    _export_after(out_dir, prometheus, inventory, trusted_file)
    raise typer.Exit(result.exit_code)


def _export_after(
    out_dir: Path, prometheus: Path | None, inventory: Path | None, trusted_file: Path | None = None
) -> None:
    """``--prometheus FILE``: every model of ``out_dir`` (not only this batch's), so the file is the whole picture.

    A package that does not verify is named on standard error and leaves the batch's exit code as it is.
    """
    if prometheus is None:
        return
    from mrmkit.cli.export import write_prometheus

    write_prometheus(
        [out_dir] if out_dir.exists() else [], prometheus, inventory, None, empty_ok=True, trusted_file=trusted_file
    )
