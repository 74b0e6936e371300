"""Executing the workbooks of a run: each notebook in its own kernel, then what it recorded, read back.

:func:`execute_workbooks` runs the chosen workbooks in their registered order into the staging folder's
``notebooks/``; a workbook that raises, or that finishes without recording its metrics, is ``failed`` with
the error text, and the others still run. Nothing here writes outside the staging folder.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mrmkit import evidence
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


def _kernel_manager(env: dict[str, str] | None = None) -> type:
    """A kernel manager talking to the kernel over local IPC sockets instead of TCP on localhost.

    The sockets sit beside the kernel's connection file in Jupyter's runtime folder (not in the package),
    no port is opened, and ipykernel has no reason to warn about unencrypted TCP on every run. ``env`` is
    added to the kernel's environment only (this run's snapshot of remote inputs, :mod:`mrmkit.sources`), so
    two runs in one process never see each other's.
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
            return await super()._async_pre_start_kernel(**kw)

    return IPCKernelManager


def execute_notebook(
    notebook: Path, output: Path, parameters: dict[str, Any], cwd: Path, env: dict[str, str] | None = None
) -> str | None:
    """Run one notebook in its own kernel; return the error text if it raised."""
    import papermill as pm

    try:
        pm.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            cwd=str(cwd),
            kernel_manager_class=_kernel_manager(env),
        )
    except pm.PapermillExecutionError as exc:
        return f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # a dead kernel or a broken notebook file is a failed workbook too
        if not output.exists():
            shutil.copyfile(notebook, output)
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    return None


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
