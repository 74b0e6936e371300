"""Many evidence packages at once: local worker processes by default, a Dask cluster when given an address.

Each model runs ``mrmkit.runner.run(params, out=out)`` in a worker process, so each package is exactly
what ``mrmkit run`` would have produced. One model's failure never stops the others:

- bad parameters or inputs (``MrmkitError``) and any other exception are caught inside the worker and
  reported for that model (status ``error``, nothing published);
- a workbook that raises gives a published package marked ``failed`` (as with ``mrmkit run``);
- a worker process that dies: **local processes** - every model the broken pool had not finished is
  resubmitted once, each in its own fresh one-process pool (at most ``jobs`` at a time), so a second death
  is pinned on the model that caused it, which is reported ``error`` / ``worker died``; **Dask** - the
  scheduler's own rule applies (it reschedules a task whose worker died, up to
  ``distributed.scheduler.allowed-failures`` times, default 3), after which the model is reported
  ``worker died`` with the ``KilledWorker`` message.

Workers run with ``OMP_WAIT_POLICY=PASSIVE`` (unless set otherwise already; see TOOLCHAIN.md). Local workers
also share the cores out: each gets ``max(1, cores // jobs)`` threads for OpenMP, BLAS and mrmkit's own thread
pools (``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``, ``MRMKIT_THREADS``; a value already
set in the environment wins), which their workbook kernels inherit, so N jobs do not oversubscribe the machine.
Thread counts never change a result. On a Dask
cluster ``out`` and every parameter and data file must be reachable at the same paths from every worker
(a shared file system). Results come back in the order of the inputs.
"""

from __future__ import annotations

import html
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

__all__ = ["BatchResult", "run_batch", "run_one", "write_batch_index", "inventory_params"]

Progress = Callable[[int, int, dict[str, Any]], None]


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
        import yaml

        raw = yaml.safe_load(params.read_text(encoding="utf-8"))
        value = raw["model"]["id"]
        return str(value) if value is not None else None
    except Exception:
        return None


def run_one(params: str, out: str) -> dict[str, Any]:
    """Run one parameter file in this process; never raises. The worker function of both back ends."""
    _passive_omp()
    t0 = time.perf_counter()
    path = Path(params)
    record: dict[str, Any] = {
        "params": str(path),
        "model_id": None,
        "package": None,
        "status": "error",
        "failed_workbooks": [],
        "red_findings": 0,
        "error": None,
        "exit_code": 1,
        "seconds": 0.0,
    }
    try:
        from mrmkit.errors import MrmkitError
        from mrmkit.runner import run

        try:
            result = run(path, out=Path(out))
        except MrmkitError as exc:
            record.update(error=str(exc), exit_code=exc.exit_code)
        else:
            record.update(
                model_id=result.package.parent.parent.name,
                package=str(result.package),
                status=result.status,
                failed_workbooks=list(result.failed_workbooks),
                red_findings=int(result.red_findings),
                exit_code=0 if result.status == "complete" else 1,
                error=(f"workbooks failed: {', '.join(result.failed_workbooks)}" if result.failed_workbooks else None),
            )
    except Exception as exc:  # one model never stops the others
        record.update(error=f"{type(exc).__name__}: {exc}", exit_code=1)
    if record["model_id"] is None:
        record["model_id"] = _model_id(path)
    record["seconds"] = round(time.perf_counter() - t0, 3)
    return record


def _died(params: Path, detail: str) -> dict[str, Any]:
    return {
        "params": str(params),
        "model_id": _model_id(params),
        "package": None,
        "status": "error",
        "failed_workbooks": [],
        "red_findings": 0,
        "error": f"worker died ({detail})",
        "exit_code": 1,
        "seconds": 0.0,
    }


@dataclass
class BatchResult:
    """Every model's outcome, in the order of the inputs."""

    results: list[dict[str, Any]]
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every model was published with status ``complete``."""
        return all(r["status"] == "complete" for r in self.results)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.results if r["status"] != "complete"]

    def to_lines(self) -> list[str]:
        """One plain line per model, then a summary (for the CLI and logs)."""
        lines = []
        for r in self.results:
            name = r.get("model_id") or r["params"]
            if r["status"] == "complete":
                lines.append(f"complete  {name}  red findings: {r['red_findings']}  {r['package']}")
            elif r["status"] == "failed":
                lines.append(f"failed    {name}  {r['error']}  {r['package']}")
            else:
                lines.append(f"error     {name}  {r['error']}")
        n = len(self.results)
        bad = len(self.failed)
        lines.append(
            f"{n - bad} of {n} model{'s' if n != 1 else ''} published complete"
            + (f"; {bad} failed" if bad else "")
            + f" in {self.seconds:.1f} s."
        )
        return lines


# --------------------------------------------------------------------------------------------- back ends


def _local(
    params: list[Path],
    out: Path,
    jobs: int,
    report: Callable[[int, dict[str, Any]], None],
    fn: Callable[[str, str], dict[str, Any]] = run_one,
) -> None:
    ctx = multiprocessing.get_context("spawn")
    retry: list[int] = []
    threads = max(1, (os.cpu_count() or 1) // jobs)
    init = {"initializer": _worker_init, "initargs": (threads,)}
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, **init)
    try:
        futures: dict[Future, int] = {pool.submit(fn, str(p), str(out)): i for i, p in enumerate(params)}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                i = futures[future]
                try:
                    report(i, future.result())
                except BrokenProcessPool:
                    retry.append(i)
                except Exception as exc:  # the worker function never raises: this is the pool itself
                    report(i, _died(params[i], f"{type(exc).__name__}: {exc}"))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    if not retry:
        return

    def isolated(i: int) -> dict[str, Any]:
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx, **init) as single:
            try:
                return single.submit(fn, str(params[i]), str(out)).result()
            except BrokenProcessPool as exc:
                return _died(params[i], f"its pool broke, and it died again when resubmitted alone: {exc}")

    with ThreadPoolExecutor(max_workers=jobs) as threads:
        second = {threads.submit(isolated, i): i for i in sorted(retry)}
        pending = set(second)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                report(second[future], future.result())


def _dask(params: list[Path], out: Path, scheduler: str, report: Callable[[int, dict[str, Any]], None]) -> None:
    from distributed import Client, as_completed

    with Client(scheduler) as client:
        futures = {client.submit(run_one, str(p), str(out), pure=False): i for i, p in enumerate(params)}
        try:
            for future in as_completed(list(futures)):
                i = futures[future]
                try:
                    report(i, future.result())
                except Exception as exc:  # KilledWorker and other scheduler errors
                    report(i, _died(params[i], f"{type(exc).__name__}: {exc}"))
        except BaseException:
            client.cancel(list(futures))
            raise


def run_batch(
    param_files: Sequence[str | Path],
    out: str | Path,
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> BatchResult:
    """Run every parameter file; ``progress(done, total, last_result)`` is called after each model."""
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

    if params:
        _passive_omp()
        if scheduler:
            _dask([p.resolve() for p in params], out, scheduler, report)
        else:
            workers = min(jobs or os.cpu_count() or 1, len(params))
            _local([p.resolve() for p in params], out, workers, report)
    missing = [i for i, r in enumerate(results) if r is None]
    for i in missing:  # cannot happen unless a back end lost a future; never report silence as success
        results[i] = _died(params[i], "no result came back")
    return BatchResult(results=[r for r in results if r is not None], seconds=round(time.perf_counter() - t0, 3))


def inventory_params(inventory_path: str | Path, today: date, all_models: bool = False) -> list[Path]:
    """Parameter files of an inventory's models: those due on ``today``, or all but retired ones."""
    from mrmkit.inventory import due, load_inventory

    inventory = load_inventory(inventory_path)
    entries = [e for e in inventory.models if e.status != "retired"] if all_models else due(inventory, today)
    return [e.parameters for e in entries]


# --------------------------------------------------------------------------------------------- index


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1b1b1b}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.35rem .6rem;text-align:left;
vertical-align:top}th{background:#f0f0f0}.complete{color:#1a7f37;font-weight:600}
.failed,.error{color:#b42318;font-weight:600}.red{color:#b42318;font-weight:600}td.err{font-family:monospace;
font-size:.85rem;white-space:pre-wrap}
"""


def _href(target: Path, base: Path) -> str:
    try:
        rel = os.path.relpath(target, base)
    except ValueError:  # another drive: absolute file URL
        return "file://" + quote(target.resolve().as_posix())
    return quote(Path(rel).as_posix())


def write_batch_index(result: BatchResult, path: str | Path) -> Path:
    """Write a self-contained offline HTML page listing every model of the batch; return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    base = path.resolve().parent
    e = html.escape
    rows = []
    for r in result.results:
        name = r.get("model_id") or "(unknown)"
        if r.get("package"):
            report = Path(r["package"]) / "reports" / "index.html"
            link = f'<a href="{e(_href(report, base))}">report</a>'
        else:
            link = "not published"
        red = int(r.get("red_findings") or 0)
        rows.append(
            "<tr>"
            f"<td>{e(str(name))}</td>"
            f'<td class="{e(r["status"])}">{e(r["status"])}</td>'
            f'<td class="{"red" if red else ""}">{red}</td>'
            f"<td>{link}</td>"
            f"<td>{e(str(r['params']))}</td>"
            f'<td class="err">{e(str(r.get("error") or ""))}</td>'
            "</tr>"
        )
    n, bad = len(result.results), len(result.failed)
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>mrmkit batch</title>"
        f"<style>{_CSS}</style></head><body>"
        "<h1>Batch evidence</h1>"
        f"<p>{n - bad} of {n} models published complete; {bad} failed or not published.</p>"
        "<table><thead><tr><th>Model</th><th>Status</th><th>Red findings</th><th>Report</th>"
        "<th>Parameter file</th><th>Error</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></body></html>\n"
    )
    path.write_text(page, encoding="utf-8")
    return path
