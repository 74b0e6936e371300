"""The local back end (see :mod:`mrmkit.batch`): each model in its own process, forked from a server that
imported the runner once, at most ``jobs`` at a time; a process that dies fails only its model, and an
interrupt stops the running models and clears their staging folders.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import connection
from pathlib import Path
from typing import Any

from mrmkit.batch.worker import _child, _died, _exit_text, run_one

# --------------------------------------------------------------------------------------------- back ends


def _context() -> Any:
    """Fork from a server that imported the runner once: a model's process starts in milliseconds."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["mrmkit.batch._preload"])
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


@dataclass
class _Running:
    index: int
    process: Any
    conn: Any


def _local(
    params: list[Path],
    out: Path,
    jobs: int,
    report: Callable[[int, dict[str, Any]], None],
    fn: Callable[[str, str], dict[str, Any]] = run_one,
    grace: float = 60.0,
) -> list[int]:
    """Each model in its own process, at most ``jobs`` at a time; returns the indices left unfinished.

    A process that dies without a result (killed, out of memory) fails only its model: ``worker died``
    with the signal or exit code, not retried. On KeyboardInterrupt the running models are stopped (see
    :func:`_stop`) and the indices of every model without a result are returned.
    """
    ctx = _context()
    threads = max(1, (os.cpu_count() or 1) // jobs)
    queue = list(range(len(params)))
    running: list[_Running] = []
    try:
        while queue or running:
            while queue and len(running) < jobs:
                i = queue.pop(0)
                recv, send = ctx.Pipe(duplex=False)
                process = ctx.Process(
                    target=_child, args=(fn, str(params[i]), str(out), send, threads), name=f"mrmkit-batch-{i}"
                )
                process.start()
                send.close()
                running.append(_Running(i, process, recv))
            ready = set(connection.wait([r.conn for r in running] + [r.process.sentinel for r in running]))
            for r in [r for r in running if r.conn in ready or r.process.sentinel in ready]:
                record = _receive(r)
                r.process.join(timeout=grace)
                if r.process.is_alive():  # closed its end without a result but did not exit
                    r.process.kill()
                    r.process.join()
                r.conn.close()
                running.remove(r)
                if record is None:  # it died mid-run: clear what it was building
                    from mrmkit.run.runner import remove_staging

                    remove_staging(out, r.process.pid)
                    record = _died(params[r.index], _exit_text(r.process.exitcode))
                report(r.index, record)
    except KeyboardInterrupt:
        finished = _stop(running, out, grace)
        for i, record in finished.items():  # models that completed as the interruption came
            report(i, record)
        return sorted([r.index for r in running if r.index not in finished] + queue)
    except BaseException:  # a failing progress callback, say: never leave model processes running
        _stop(running, out, grace=5.0)
        raise
    return []


def _receive(r: _Running) -> dict[str, Any] | None:
    """The record a model's process sent, or None when it sent none (died, or was stopped)."""
    try:
        return r.conn.recv() if r.conn.poll() else None
    except (EOFError, OSError):
        return None


def _stop(running: list[_Running], out: Path, grace: float) -> dict[int, dict[str, Any]]:
    """Stop running models: SIGTERM, up to ``grace`` seconds to unwind, then SIGKILL.

    A model stopped in time removes its own staging folder; for one that had to be killed, its staging
    folder (named after its process id) is removed here. Nothing half-built is ever published: a package
    appears only by the final rename of a complete staging folder. A second Ctrl-C skips the wait. Returns
    the records of models that finished regardless (they completed as the interruption came).
    """
    from mrmkit.run.runner import remove_staging

    finished: dict[int, dict[str, Any]] = {}
    try:
        for r in running:
            if r.process.is_alive():
                os.kill(r.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for r in running:
            r.process.join(timeout=max(0.0, deadline - time.monotonic()))
    except KeyboardInterrupt:
        pass
    finally:
        for r in running:
            if r.process.is_alive():
                r.process.kill()
            r.process.join()
            record = _receive(r)
            r.conn.close()
            if record is not None:
                finished[r.index] = record
            else:
                remove_staging(out, r.process.pid)
    return finished
