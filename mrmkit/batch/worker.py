"""What runs for each model (see :mod:`mrmkit.batch`): :func:`run_one`, the worker function of both back ends,
which never raises; the result records of models that did not complete; the thread settings of a worker; and
the body of a local model's own process.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["run_one", "THREAD_VARIABLES"]


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "MRMKIT_THREADS")


def _passive_omp() -> None:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _worker_init(threads: int | None = None) -> None:
    """Initializer of a local worker process: passive OpenMP waits and ``threads`` threads per library."""
    _passive_omp()
    if threads is not None:
        for name in THREAD_VARIABLES:
            os.environ.setdefault(name, str(threads))


def _model_id(params: Path) -> str | None:
    """The model id of a parameter file, best effort (for reporting a model whose run raised)."""
    try:
        from mrmkit.params.yamlfile import read_yaml_file

        raw = read_yaml_file(params)  # bounded: a hostile file costs no more here than in the run itself
        value = raw["model"]["id"]
        return str(value) if value is not None else None
    except Exception:
        return None


def run_one(params: str, out: str, inventory: str | None = None) -> dict[str, Any]:
    """Run one parameter file in this process; never raises. The worker function of both back ends
    (``inventory``: the inventory file the model comes from, for its report's document control)."""
    _passive_omp()
    t0 = time.perf_counter()
    path = Path(params)
    record = _record(path, "error", None)
    try:
        from mrmkit.errors import MrmkitError
        from mrmkit.run.runner import run

        try:
            result = run(path, out=Path(out), inventory=inventory)
        except MrmkitError as exc:
            record.update(error=str(exc), exit_code=exc.exit_code)
        else:
            record.update(
                model_id=result.package.parent.parent.name,
                package=str(result.package),
                status=result.status,
                failed_workbooks=list(result.failed_workbooks),
                red_findings=int(result.red_findings),
                rating=result.rating,
                exit_code=0 if result.status == "complete" else 1,
                error=(f"workbooks failed: {', '.join(result.failed_workbooks)}" if result.failed_workbooks else None),
            )
            record.update(_log_to_mlflow(path, result))
    except Exception as exc:  # one model never stops the others
        record.update(error=f"{type(exc).__name__}: {exc}", exit_code=1)
    if record["model_id"] is None:
        record["model_id"] = _model_id(path)
    record["seconds"] = round(time.perf_counter() - t0, 3)
    return record


def _log_to_mlflow(path: Path, result: Any) -> dict[str, Any]:
    """``mlflow.log: true`` in the parameter file: log the published package as ``mrmkit run`` does.

    A failure leaves the package as published; the record says why and gets exit code 4, as ``mrmkit run``
    would exit, so the batch reports the model as not done.
    """
    from mrmkit.errors import MrmkitError
    from mrmkit.params import load_parameters

    params = load_parameters(path)
    if not params.mlflow.log:
        return {}
    from mrmkit.export.mlflow_log import log_package

    try:
        return {"mlflow_run": log_package(result.package, params, result.rating)}
    except MrmkitError as exc:
        return {"error": f"{str(exc).rstrip('.')}; the package is published and unchanged", "exit_code": 4}


def _record(params: Path, status: str, error: str | None) -> dict[str, Any]:
    """A model's result record with nothing published: what a model reports unless its run completes."""
    return {
        "params": str(params),
        "model_id": None,
        "package": None,
        "status": status,
        "failed_workbooks": [],
        "red_findings": 0,
        "rating": None,
        "error": error,
        "exit_code": 1,
        "seconds": 0.0,
    }


def _unfinished(params: Path, status: str, error: str) -> dict[str, Any]:
    """The record of a model whose run never reported (its process died, or the batch was interrupted)."""
    return {**_record(params, status, error), "model_id": _model_id(params)}


def _died(params: Path, detail: str) -> dict[str, Any]:
    return _unfinished(params, "error", f"worker died ({detail})")


def _child(fn: Callable[[str, str], dict[str, Any]], params: str, out: str, conn: Any, threads: int) -> None:
    """Body of a model's own process: run it, send the record back, exit.

    The process leaves the terminal's process group, so a Ctrl-C reaches only the batch, which then stops
    each model deliberately (SIGTERM, raised here as KeyboardInterrupt so the run removes its staging
    folder exactly as an interrupted ``mrmkit run`` does).
    """
    try:
        os.setsid()
    except OSError:  # already a session leader: the terminal's Ctrl-C cannot reach it anyway
        pass
    signal.signal(signal.SIGTERM, _raise_interrupt)
    _worker_init(threads)
    try:
        record = fn(params, out)
    except KeyboardInterrupt:
        os._exit(130)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # finished: the record must reach the batch
    conn.send(record)
    conn.close()


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _exit_text(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code} without a result"
