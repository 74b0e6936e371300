"""Executing the workbooks of a run: each notebook in its own kernel, then what it recorded, read back.

:func:`execute_workbooks` runs the chosen workbooks in their registered order into the staging folder's
``notebooks/``; a workbook that raises, or that finishes without recording its metrics, is ``failed`` with
the error text, and the others still run. Nothing here writes outside the staging folder.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mrmkit import evidence
from mrmkit.errors import PublishError, disk_full, shorten, terminating
from mrmkit.evidence import scrap

__all__ = ["Executed", "execute_notebook", "execute_workbooks"]


@dataclass
class Executed:
    """What the workbooks of a run left: metrics and status per workbook, timings, reference profiles used."""

    metrics: dict[str, Any] = field(default_factory=dict)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    profiles: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> list[str]:
        return [w for w, r in self.results.items() if r["status"] == "failed"]


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


def execute_notebook(
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


def _collect(name: str, executed: Path, error: str | None, done: Executed) -> None:
    """Read back what workbook ``name`` recorded into ``done``."""
    scraps = scrap.read(executed) if executed.exists() else {}
    recorded = scraps.get("metrics")
    used = scraps.get("profiles")
    if isinstance(used, dict) and (any((used.get("counts") or {}).values()) or used.get("notes")):
        done.profiles[name] = used  # only the workbooks that read reference profiles
    for key, seconds in (scraps.get("timings") or {}).items():
        done.timings[f"{name}.{key}"] = round(float(seconds), 3)
    if error is None and not isinstance(recorded, dict):
        error = "the workbook finished without recording its metrics"
    metrics = recorded if isinstance(recorded, dict) else {}
    done.metrics[name], error = evidence.admit(name, metrics, error)  # refused metrics: the workbook failed
    done.results[name] = {"status": "failed" if error else "complete", "error": error}


def execute_workbooks(
    chosen: Sequence[str],
    notebooks: dict[str, Path],
    staging: Path,
    parameters: dict[str, Any],
    kernel_env: dict[str, str] | None,
    say: Callable[[str], None],
) -> Executed:
    """Execute each chosen workbook into ``staging/notebooks`` and read back what it recorded."""
    done = Executed()
    for name in chosen:
        say(f"running the {name} workbook")
        executed = staging / "notebooks" / f"{name}.ipynb"
        t = time.perf_counter()
        error = execute_notebook(notebooks[name], executed, parameters, staging, kernel_env)
        done.timings[f"{name}.execute_s"] = round(time.perf_counter() - t, 3)
        _collect(name, executed, error, done)
    return done
