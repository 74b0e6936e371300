"""Run a parameter file's workbooks with Papermill and publish one evidence package atomically.

Order of work: validate the parameters and every input (a problem here raises ``InvalidParameters`` or
``InvalidInput`` and nothing is written); build the package in ``<out>/.staging/``; execute each workbook
in its own kernel; collect what it recorded; render HTML; write ``index.html``, ``metrics.json``,
``environment.txt`` and ``manifest.json``; rename the staging folder to
``<out>/<model_id>/<model_version>/<run_id>/``. A workbook that raises still gives a package, marked
``failed``, with its partially executed notebook.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import mrmkit
from mrmkit import sources
from mrmkit.errors import (
    InvalidInput,
    InvalidParameters,
    MrmkitError,
    PublishError,
    disk_full,
    shorten,
    terminating,
)
from mrmkit.evidence import audit, schema, scrap, signing, tables
from mrmkit.evidence.manifest import environment_lines, key_versions, write_manifest
from mrmkit.evidence.profiles import STORE_DIR
from mrmkit.io import load_inputs, sha256_file
from mrmkit.params import WORKBOOKS, Parameters, load_parameters
from mrmkit.present import report, summary
from mrmkit.present.render import notebook_to_html
from mrmkit.run.staging import OWNER, _prepare_out, _tidy_staging, remove_staging
from mrmkit.workbooks import preflight

# isort: off
# The staging folder's helpers live in mrmkit.run.staging; their former names stay importable from here ("x as x" marks
# a re-export).
from mrmkit.run.staging import (
    STAGING as STAGING,
    _alive as _alive,
    _inside_package as _inside_package,
    _owner as _owner,
    _stale as _stale,
    _start_time as _start_time,
    reclaim_staging as reclaim_staging,
)
# isort: on

__all__ = ["RunResult", "run", "notebook_dir", "remove_staging", "WORKBOOK_TITLES"]

WORKBOOK_TITLES = {
    "drift": "Data quality and drift",
    "backtest": "Backtest and stress test",
    "champion_challenger": "Champion and challenger",
    "explainability": "Explainability",
}


def notebook_dir() -> Path:
    """Folder of the workbook notebooks: ``$MRMKIT_NOTEBOOKS``; else the ones an installed wheel ships in
    ``mrmkit/notebooks``; else, for an editable install, the repository's ``notebooks/``."""
    env = os.environ.get("MRMKIT_NOTEBOOKS")
    if env:
        return Path(env)
    package = Path(mrmkit.__file__).resolve().parent
    shipped = package / "notebooks"
    return shipped if shipped.is_dir() else package.parent / "notebooks"


@dataclass
class RunResult:
    """Where the package went and how the run ended."""

    package: Path
    status: str
    failed_workbooks: list[str]
    red_findings: int
    timings: dict[str, float] = field(default_factory=dict)
    rating: str = ""  # the report's overall rating: the most severe finding, or "failed"


def _git_commit(folder: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    if out.returncode != 0 or not commit:
        return None
    dirty = subprocess.run(
        ["git", "-C", str(folder), "status", "--porcelain", "--", "."], capture_output=True, text=True, check=False
    ).stdout.strip()
    return commit + ("-dirty" if dirty else "")


def _select(params: Parameters, workbooks: Sequence[str] | None, source: str) -> list[str]:
    enabled = params.enabled_workbooks()
    if workbooks is None:
        chosen = enabled
    else:
        unknown = [w for w in workbooks if w not in WORKBOOKS]
        if unknown:
            raise InvalidParameters(
                f"--workbooks: unknown workbook {', '.join(map(repr, unknown))}; known: {', '.join(WORKBOOKS)}."
            )
        off = [w for w in workbooks if w not in enabled]
        if off:
            raise InvalidParameters(
                f"{source}: workbook {', '.join(map(repr, off))} has no section in the parameter file; add one to enable it."
            )
        chosen = [w for w in WORKBOOKS if w in workbooks]
    if not chosen:
        raise InvalidParameters(
            f"{source}: no workbook is enabled; add at least one section of: {', '.join(WORKBOOKS)}."
        )
    return chosen


def _kernel_manager(env: dict[str, str] | None = None, stderr: Any = None) -> type:
    """A kernel manager talking to the kernel over local IPC sockets instead of TCP on localhost.

    The sockets sit beside the kernel's connection file in Jupyter's runtime folder (not in the package),
    no port is opened, and ipykernel has no reason to warn about unencrypted TCP on every run. ``env`` is
    added to the kernel's environment only (this run's snapshot of remote inputs, :mod:`mrmkit.sources`), so
    two runs in one process never see each other's. ``stderr``, a file, receives the kernel's own messages
    (a kernel stopped by SIGTERM logs ZeroMQ errors there instead of on the user's terminal).
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    extra = dict(env or {})

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self) -> str:
            return "ipc"

        async def _async_pre_start_kernel(self, **kw: Any) -> Any:
            if extra:
                kw["env"] = {**(kw.get("env") or os.environ), **extra}
            if stderr is not None:
                kw["stderr"] = stderr
            return await super()._async_pre_start_kernel(**kw)

    return IPCKernelManager


def _execute(
    notebook: Path, output: Path, parameters: dict[str, Any], cwd: Path, env: dict[str, str] | None = None
) -> str | None:
    """Run one notebook in its own kernel; return the error text if it raised."""
    import papermill as pm

    with tempfile.TemporaryFile() as kernel_log:
        error = _papermill(pm, notebook, output, parameters, cwd, env, kernel_log)
        if error is not None and "DeadKernelError" in error:
            kernel_log.seek(0)
            said = [ln for ln in kernel_log.read().decode("utf-8", "replace").splitlines() if ln.strip()]
            error += f" (the kernel said: {shorten(said[-1], 300)})" if said else ""
    return error


def _papermill(
    pm: Any, notebook: Path, output: Path, parameters: dict[str, Any], cwd: Path, env: Any, kernel_log: Any
) -> str | None:
    try:
        pm.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            cwd=str(cwd),
            kernel_manager_class=_kernel_manager(env, kernel_log),
        )
    except pm.PapermillExecutionError as exc:
        _check_written(output)
        return f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # a dead kernel or a broken notebook file is a failed workbook too
        if terminating():  # SIGTERM while the kernel started or stopped (a ZMQError): the run is interrupted
            raise KeyboardInterrupt from None
        if disk_full(exc):  # the executed notebook could not be written: nothing can be published
            raise PublishError(
                f"{output.name}: the executed notebook could not be written ({_why(exc)}); nothing was published."
            ) from None
        if not output.exists():
            shutil.copyfile(notebook, output)
        _check_written(output)
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    _check_written(output)
    return None


def _why(exc: BaseException) -> str:
    while exc is not None and not (isinstance(exc, OSError) and exc.strerror):
        exc = exc.__cause__ or exc.__context__
    return exc.strerror if exc is not None else "the disk is full"


def _check_written(notebook: Path) -> None:
    """The executed notebook is whole JSON; a truncated one (a full disk, a file size limit) publishes nothing."""
    try:
        with open(notebook, "rb") as handle:
            json.load(handle)
    except (OSError, ValueError) as exc:
        raise PublishError(
            f"{notebook.name}: the executed notebook was cut short ({shorten(exc)}): the disk is full or a file size "
            "limit was reached; nothing was published."
        ) from None


def run(
    params_path: str | Path,
    workbooks: Sequence[str] | None = None,
    out: str | Path = "outputs",
    progress: Callable[[str], None] | None = None,
    *,
    pdf: bool = False,
    paper: str = "a4",
    record_audit: bool = True,
) -> RunResult:
    """Validate, execute, render and publish; see the module docstring."""
    with tempfile.TemporaryDirectory(prefix="mrmkit-sources-") as snapshots:  # remote inputs, fetched once
        return _run(
            params_path,
            workbooks,
            out,
            progress,
            pdf=pdf,
            paper=paper,
            record_audit=record_audit,
            snapshots=Path(snapshots),
        )


def _run(
    params_path: str | Path,
    workbooks: Sequence[str] | None,
    out: str | Path,
    progress: Callable[[str], None] | None,
    *,
    pdf: bool,
    paper: str,
    record_audit: bool,
    snapshots: Path,
) -> RunResult:
    say = progress or (lambda message: None)
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    params_path = Path(params_path)
    params = load_parameters(params_path)
    chosen = _select(params, workbooks, str(params_path))
    nb_dir = notebook_dir()
    notebooks = {w: nb_dir / f"{w}.ipynb" for w in chosen}
    for name, path in notebooks.items():
        if not path.is_file():
            raise MrmkitError(f"The {name} workbook {path} is missing from this installation; set MRMKIT_NOTEBOOKS.")
    say("checking inputs")
    try:  # every user-caused problem surfaces here, before any write (a failing query or registry included)
        remote = sources.snapshot(params, snapshots)
        with sources.using(snapshots if remote else None):
            preflight(params, load_inputs(params, chosen), chosen)
    except InvalidInput as exc:  # the message names the field; the parameter file that names it comes first
        raise type(exc)(str(exc) if str(exc).startswith(str(params_path)) else f"{params_path}: {exc}") from None
    kernel_env = {sources.SOURCES_ENV: str(snapshots)} if remote else None
    signer = signing.load_private_key()  # a key that cannot be used is refused now, not after the workbooks ran

    inputs = {"parameters": {"path": str(params_path.resolve()), "sha256": sha256_file(params_path)}}
    for role, path in params.input_paths().items():
        inputs[role] = {"path": str(path), "sha256": sha256_file(path)}
    inputs.update(remote)  # where each remote input came from, and the sha256 of what it gave
    for name, path in notebooks.items():
        inputs[f"notebooks.{name}"] = {"path": str(path), "sha256": sha256_file(path)}

    out = Path(out)
    staging = _prepare_out(out)
    log = out / audit.AUDIT_LOG
    try:
        audit_head = audit.head(log) if record_audit and log.exists() else None
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        _tidy_staging(out)
        if isinstance(exc, OSError | audit.AuditError):
            raise PublishError(
                f"{log}: the audit trail cannot be read ({getattr(exc, 'strerror', None) or exc}); nothing was published."
            ) from None
        raise
    timings: dict[str, float] = {"validation_s": round(time.perf_counter() - t0, 3)}
    try:
        resolved = params.model_dump(mode="json")
        (staging / "parameters.yaml").write_text(params.to_yaml(), encoding="utf-8")
        (staging / "notebooks").mkdir()
        (staging / "reports").mkdir()
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # kernels inherit it (TOOLCHAIN.md)
        os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

        metrics: dict[str, Any] = {}
        results: dict[str, dict[str, Any]] = {}
        store = str((out / STORE_DIR).resolve())  # reference profiles shared by every run into this folder
        profiles: dict[str, Any] = {"store": store}
        for name in chosen:
            say(f"running the {name} workbook")
            executed = staging / "notebooks" / f"{name}.ipynb"
            t = time.perf_counter()
            error = _execute(
                notebooks[name], executed, {"params": resolved, "profile_store": store}, staging, kernel_env
            )
            timings[f"{name}.execute_s"] = round(time.perf_counter() - t, 3)
            scraps = scrap.read(executed) if executed.exists() else {}
            recorded = scraps.get("metrics")
            used = scraps.get("profiles")
            if isinstance(used, dict) and (any((used.get("counts") or {}).values()) or used.get("notes")):
                profiles[name] = used  # only the workbooks that read reference profiles
            for key, seconds in (scraps.get("timings") or {}).items():
                timings[f"{name}.{key}"] = round(float(seconds), 3)
            if error is None and not isinstance(recorded, dict):
                error = "the workbook finished without recording its metrics"
            metrics[name] = recorded if isinstance(recorded, dict) else {}
            results[name] = {"status": "failed" if error else "complete", "error": error}
            say(f"rendering the {name} report")
            t = time.perf_counter()
            notebook_to_html(executed, staging / "reports" / f"{name}.html", title=WORKBOOK_TITLES.get(name, name))
            timings[f"{name}.render_s"] = round(time.perf_counter() - t, 3)

        failed = [w for w, r in results.items() if r["status"] == "failed"]
        status = "failed" if failed else "complete"
        undeclared = schema.unknown(metrics)
        if undeclared and schema.strict():  # a workbook recorded a key the schema lacks: a bug of mrmkit's
            raise RuntimeError(f"metrics not in {schema.SCHEMA_FILE.name}: " + "; ".join(undeclared[:20]))
        stored, table_files = tables.split(metrics)  # bin tables and per-row records go to tables/*.parquet
        tables.write(table_files, staging)
        (staging / "metrics.json").write_text(
            json.dumps(stored, indent=2, sort_keys=True, allow_nan=False, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
        (staging / "environment.txt").write_text("\n".join(environment_lines()) + "\n", encoding="utf-8")

        # the short hash makes the id unique per run (the staging folder's name is a random uuid)
        unique = hashlib.sha256(f"{started.isoformat()}|{os.getpid()}|{staging.name}".encode()).hexdigest()
        run_id = f"{started.strftime('%Y%m%dT%H%M%SZ')}-{unique[:8]}"
        identity = {
            "model_id": params.model.id,
            "model_version": params.model.version,
            "run_id": run_id,
            "status": status,
            "started": started.isoformat(timespec="seconds"),
            "user": _user(),
        }
        findings = [f for name in chosen for f in metrics[name].get("findings", [])]
        red = sum(1 for f in findings if f.get("severity") == "red")
        report.write_index(
            staging / "reports" / "index.html",
            params,
            identity,
            results,
            findings,
            metrics=metrics,
            inputs=inputs,
            notebooks=staging / "notebooks",
        )
        summary.stamp_reports(staging / "reports", params, identity, WORKBOOK_TITLES)
        if pdf:
            say("printing the report to PDF")
            from mrmkit.present.pdf import reports_pdf

            label = f"{params.model.name or params.model.id} {params.model.version}"
            reports_pdf(staging / "reports", staging / "reports" / "index.pdf", identity, label, paper)
        ended = datetime.now(UTC)
        timings["total_s"] = round(time.perf_counter() - t0, 3)
        (staging / OWNER).unlink()  # not part of the package
        manifest = write_manifest(
            staging,
            {
                **identity,
                "ended": ended.isoformat(timespec="seconds"),
                "mrmkit_version": mrmkit.__version__,
                "workbooks": results,
                "seeds": {"seed": params.seed},
                "inputs": inputs,
                "notebooks_git_commit": _git_commit(nb_dir),
                "environment": key_versions(),
                "timings": timings,
                "reference_profiles": profiles,
                "red_findings": red,
                # the audit log's last line before this run: anchors the log, so a later removal of lines is seen
                "audit_head": {"seq": audit_head[0], "hash": audit_head[1]} if audit_head else None,
            },
        )
        if signer is not None:
            say(f"signed by {signing.sign_package(staging, signer)}")
        target = out / params.model.id / params.model.version / run_id
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():  # the run id carries a random part; this is a safety net, not a code path
            raise MrmkitError(f"{target} already exists; an evidence package is never overwritten.")
        if record_audit:
            # the run's line first, then the package: a package is never visible without its audit line (a crash
            # between the two leaves a line whose package is missing, which `audit verify` does not hide)
            _append_run(
                log,
                {
                    "action": "run",
                    "package": str(target.resolve()),
                    "model_id": params.model.id,
                    "model_version": params.model.version,
                    "run_id": run_id,
                    "manifest_sha256": manifest["manifest_sha256"],
                    "outcome": status,
                    "parameters": str(params_path.resolve()),
                },
            )
        os.rename(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise PublishError(
            f"--out: the package could not be written in {out} ({exc.strerror or exc}); nothing was published."
        ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        _tidy_staging(out)
    return RunResult(
        package=target,
        status=status,
        failed_workbooks=failed,
        red_findings=red,
        timings=timings,
        rating=report.overall_rating(findings, bool(failed)),
    )


def _append_run(log: Path, event: dict[str, Any]) -> None:
    """The run's audit line; a log that cannot grow (full disk, EFBIG, a damaged last line) publishes nothing,
    with the exit code of a package that could not be written (2), not that of a failed workbook (1)."""
    try:
        audit.append(log, event)
    except audit.AuditError as exc:
        raise PublishError(f"{str(exc).rstrip('.')}; nothing was published.") from None


def _user() -> str:
    """Who ran it: the login name, else the numeric user id."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.getuid())
