"""Run a parameter file's workbooks with Papermill and publish one evidence package atomically.

Order of work: validate the parameters and every input (a problem here raises ``InvalidParameters`` or
``InvalidInput`` and nothing is written); build the package in ``<out>/.staging/``; execute each workbook
in its own kernel (:mod:`mrmkit.run.execute`); publish (:mod:`mrmkit.run.publish`): render the reports,
write the metrics and the manifest, rename the staging folder to ``<out>/<model_id>/<model_version>/<run_id>/``.
A workbook that raises still gives a package, marked ``failed``, with its partially executed notebook.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import mrmkit
from mrmkit import remediation, sources
from mrmkit.errors import InvalidInput, InvalidParameters, MrmkitError, PublishError
from mrmkit.evidence import audit, signing
from mrmkit.evidence.profiles import STORE_DIR
from mrmkit.io import load_inputs, sha256_file
from mrmkit.params import Parameters, load_parameters
from mrmkit.registry import workbooks
from mrmkit.run.execute import execute_workbooks
from mrmkit.run.publish import Run, publish
from mrmkit.run.staging import _prepare_out, _tidy_staging, remove_staging
from mrmkit.workbooks.context import preflight

__all__ = ["RunResult", "run", "notebook_dir", "remove_staging"]


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
    rating: str = ""  # mrmkit's proposed rating: the most severe issue (mrmkit.conclude), or "failed"


def _select(params: Parameters, chosen: Sequence[str] | None, source: str) -> list[str]:
    known = workbooks.names()
    enabled = params.enabled_workbooks()
    if chosen is None:
        selected = enabled
    else:
        unknown = [w for w in chosen if w not in known]
        if unknown:
            raise InvalidParameters(
                f"--workbooks: unknown workbook {', '.join(map(repr, unknown))}; known: {', '.join(known)}."
            )
        off = [w for w in chosen if w not in enabled]
        if off:
            raise InvalidParameters(
                f"{source}: workbook {', '.join(map(repr, off))} has no section in the parameter file; add one to enable it."
            )
        selected = [w for w in known if w in chosen]
    if not selected:
        raise InvalidParameters(f"{source}: no workbook is enabled; add at least one section of: {', '.join(known)}.")
    return selected


def run(
    params_path: str | Path,
    workbooks: Sequence[str] | None = None,
    out: str | Path = "outputs",
    progress: Callable[[str], None] | None = None,
    *,
    pdf: bool = False,
    paper: str = "a4",
    record_audit: bool = True,
    inventory: str | Path | None = None,
) -> RunResult:
    """Validate, execute, render and publish; see the module docstring. ``inventory``: the inventory file that
    lists the model, whose last validation and frequency the report's document control shows."""
    say = progress or (lambda message: None)
    with tempfile.TemporaryDirectory(prefix="mrmkit-sources-") as snapshots:  # remote inputs, fetched once
        prepared = _prepare(Path(params_path), workbooks, Path(snapshots), say)
        prepared.inventory = _inventory_entry(inventory, prepared.params, Path(params_path))
        return _execute_and_publish(prepared, Path(out), say, pdf=pdf, paper=paper, record_audit=record_audit)


@dataclass
class _Prepared:
    """A run whose parameters and inputs have been checked: nothing has been written yet."""

    params: Parameters
    params_path: Path
    chosen: list[str]
    notebooks: dict[str, Path]
    notebooks_dir: Path
    kernel_env: dict[str, str] | None
    signer: Any
    inputs: dict[str, Any]
    started: datetime
    t0: float
    inventory: Any = None


def _prepare(
    params_path: Path, selected: Sequence[str] | None, snapshots: Path, say: Callable[[str], None]
) -> _Prepared:
    """Every check a user's mistake can fail, before any write (a failing query or registry included)."""
    started, t0 = datetime.now(UTC), time.perf_counter()
    params = load_parameters(params_path)
    chosen = _select(params, selected, str(params_path))
    nb_dir = notebook_dir()
    notebooks = {w: nb_dir / workbooks.get(w).notebook for w in chosen}
    for name, path in notebooks.items():
        if not path.is_file():
            raise MrmkitError(f"The {name} workbook {path} is missing from this installation; set MRMKIT_NOTEBOOKS.")
    say("checking inputs")
    try:
        remote = sources.snapshot(params, snapshots)
        with sources.using(snapshots if remote else None):
            preflight(params, load_inputs(params, chosen), chosen)
    except InvalidInput as exc:  # the message names the field; the parameter file that names it comes first
        raise type(exc)(str(exc) if str(exc).startswith(str(params_path)) else f"{params_path}: {exc}") from None
    signer = signing.load_private_key()  # a key that cannot be used is refused now, not after the workbooks ran
    return _Prepared(
        params=params,
        params_path=params_path,
        chosen=chosen,
        notebooks=notebooks,
        notebooks_dir=nb_dir,
        kernel_env={sources.SOURCES_ENV: str(snapshots)} if remote else None,
        signer=signer,
        inputs=_input_record(params, params_path, remote, notebooks),
        started=started,
        t0=t0,
    )


def _inventory_entry(inventory: str | Path | None, params: Parameters, params_path: Path) -> Any:
    """The inventory's entry for this parameter file (by path, else by model id), or None."""
    if inventory is None:
        return None
    from mrmkit.params.inventory import load_inventory

    entries = load_inventory(inventory).models
    by_path = [e for e in entries if e.parameters == params_path.resolve()]
    return (by_path or [e for e in entries if e.id == params.model.id] or [None])[0]


def _input_record(
    params: Parameters, params_path: Path, remote: dict[str, Any], notebooks: dict[str, Path]
) -> dict[str, Any]:
    """Every input of the run with its sha256, for the manifest."""
    inputs: dict[str, Any] = {"parameters": {"path": str(params_path.resolve()), "sha256": sha256_file(params_path)}}
    for role, path in params.input_paths().items():
        inputs[role] = {"path": str(path), "sha256": sha256_file(path)}
    inputs.update(remote)  # where each remote input came from, and the sha256 of what it gave
    for name, path in notebooks.items():
        inputs[f"notebooks.{name}"] = {"path": str(path), "sha256": sha256_file(path)}
    return inputs


def _audit_head(out: Path, staging: Path, record_audit: bool) -> tuple[int, str] | None:
    """The audit log's last line before this run (None without a log); unreadable, nothing is published."""
    log = out / audit.AUDIT_LOG
    try:
        return audit.head(log) if record_audit and log.exists() else None
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        _tidy_staging(out)
        if isinstance(exc, OSError | audit.AuditError):
            raise PublishError(
                f"{log}: the audit trail cannot be read ({getattr(exc, 'strerror', None) or exc}); nothing was published."
            ) from None
        raise


def _execute_and_publish(
    prepared: _Prepared, out: Path, say: Callable[[str], None], *, pdf: bool, paper: str, record_audit: bool
) -> RunResult:
    params = prepared.params
    # the model's remediation register, checked against the audit trail before anything is written
    register = remediation.load(out, params.model.id) if record_audit else remediation.Register(params.model.id)
    staging = _prepare_out(out)
    head = _audit_head(out, staging, record_audit)
    validation_s = round(time.perf_counter() - prepared.t0, 3)
    try:
        (staging / "parameters.yaml").write_text(params.to_yaml(), encoding="utf-8")
        (staging / "notebooks").mkdir()
        (staging / "reports").mkdir()
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # kernels inherit it (TOOLCHAIN.md)
        os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
        store = str((out / STORE_DIR).resolve())  # reference profiles shared by every run into this folder
        executed = execute_workbooks(
            prepared.chosen,
            prepared.notebooks,
            staging,
            {"params": params.model_dump(mode="json"), "profile_store": store},
            prepared.kernel_env,
            say,
        )
        executed.timings = {"validation_s": validation_s, **executed.timings}
        executed.profiles = {"store": store, **executed.profiles}
        run = Run(
            params=params,
            params_path=prepared.params_path,
            out=out,
            staging=staging,
            started=prepared.started,
            t0=prepared.t0,
            inputs=prepared.inputs,
            notebooks_dir=prepared.notebooks_dir,
            executed=executed,
            audit_head=head,
            signer=prepared.signer,
            record_audit=record_audit,
            pdf=pdf,
            paper=paper,
            known_issues=register.known(),
            register=register,
            inventory=prepared.inventory,
        )
        target, status, findings, rating = publish(run, say)
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
    failed = executed.failed
    return RunResult(
        package=target,
        status=status,
        failed_workbooks=failed,
        red_findings=sum(1 for f in findings if f.get("severity") == "red"),
        timings=executed.timings,
        rating=rating,
    )
