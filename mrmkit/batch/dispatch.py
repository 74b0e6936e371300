"""Running a batch (see :mod:`mrmkit.batch`): :func:`run_batch` sends every parameter file to a back end, local
processes (:mod:`mrmkit.batch.local`) or a Dask cluster (``_dask``, here), and collects the records in the order
of the inputs; :func:`inventory_params` picks the parameter files of an inventory's models.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from mrmkit.batch.local import _local
from mrmkit.batch.result import BatchResult
from mrmkit.batch.worker import _died, _passive_omp, _unfinished, run_one

__all__ = ["run_batch", "inventory_params", "Progress"]

Progress = Callable[[int, int, dict[str, Any]], None]


def _dask(
    params: list[Path],
    out: Path,
    scheduler: str,
    report: Callable[[int, dict[str, Any]], None],
    fn: Callable[[str, str], dict[str, Any]] = run_one,
) -> list[int]:
    """Every model as one task on the cluster; returns the indices left unfinished by a KeyboardInterrupt.

    On an interrupt, queued tasks are cancelled; a task already running on a worker cannot be stopped by
    Dask and finishes there (its package, if any, is complete: publication is an atomic rename).
    """
    from distributed import Client, as_completed

    finished: set[int] = set()
    with Client(scheduler) as client:
        futures = {client.submit(fn, str(p), str(out), pure=False): i for i, p in enumerate(params)}
        try:
            for future in as_completed(list(futures)):
                i = futures[future]
                try:
                    record = future.result()
                except Exception as exc:  # KilledWorker and other scheduler errors
                    record = _died(params[i], f"{type(exc).__name__}: {exc}")
                finished.add(i)
                report(i, record)
        except KeyboardInterrupt:
            client.cancel(list(futures))
            return sorted(set(range(len(params))) - finished)
    return []


def run_batch(
    param_files: Sequence[str | Path],
    out: str | Path,
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    inventory: str | Path | None = None,
) -> BatchResult:
    """Run every parameter file; ``progress(done, total, last_result)`` is called after each model. With
    ``inventory``, each report's document control takes the model's last validation and next due date from it."""
    import functools

    from mrmkit.errors import InvalidParameters

    params = [Path(p) for p in param_files]
    if jobs is not None and jobs < 1:
        raise InvalidParameters(f"--jobs: must be at least 1; got {jobs}.")
    out = Path(out).resolve()
    t0 = time.perf_counter()
    results: list[dict[str, Any] | None] = [None] * len(params)
    done = 0

    def report(i: int, record: dict[str, Any]) -> None:
        nonlocal done
        results[i] = record
        done += 1
        if progress is not None:
            progress(done, len(params), record)

    unfinished: list[int] = []
    fn = functools.partial(run_one, inventory=str(Path(inventory).resolve())) if inventory else run_one
    if params:
        _passive_omp()
        if scheduler:
            unfinished = _dask([p.resolve() for p in params], out, scheduler, report, fn)
        else:
            workers = min(jobs or os.cpu_count() or 1, len(params))
            unfinished = _local([p.resolve() for p in params], out, workers, report, fn)
    for i in unfinished:
        results[i] = _unfinished(params[i], "interrupted", "the batch was interrupted; nothing published for it")
    missing = [i for i, r in enumerate(results) if r is None]
    for i in missing:  # cannot happen unless a back end lost a future; never report silence as success
        results[i] = _died(params[i], "no result came back")
    return BatchResult(
        results=[r for r in results if r is not None],
        seconds=round(time.perf_counter() - t0, 3),
        interrupted=bool(unfinished),
    )


def inventory_params(inventory_path: str | Path, today: date, all_models: bool = False) -> list[Path]:
    """Parameter files of an inventory's models: those due on ``today``, or all but retired ones."""
    from mrmkit.params.inventory import due, load_inventory

    inventory = load_inventory(inventory_path)
    entries = [e for e in inventory.models if e.status != "retired"] if all_models else due(inventory, today)
    return [e.parameters for e in entries]
