"""Many evidence packages at once: local processes by default, a Dask cluster when given an address.

Each model runs ``mrmkit.runner.run(params, out=out)`` in a worker process, so each package is exactly
what ``mrmkit run`` would have produced. One model's failure never stops the others:

- bad parameters or inputs (``MrmkitError``) and any other exception are caught inside the worker and
  reported for that model (status ``error``, nothing published);
- a workbook that raises gives a published package marked ``failed`` (as with ``mrmkit run``);
- a worker process that dies: **local processes** - each model runs in its own process (forked from a
  server that imported the runner once, so starting one costs milliseconds), so a death is pinned on the
  model it was running: reported ``error`` / ``worker died (killed by signal SIGKILL)``, not retried, its
  staging folder removed; **Dask** - the scheduler's own rule applies (it reschedules a task whose worker
  died, up to ``distributed.scheduler.allowed-failures`` times, default 3), after which the model is
  reported ``worker died`` with the ``KilledWorker`` message.

Interrupting the batch (Ctrl-C, or SIGTERM through the CLI) stops the local model processes (SIGTERM, so
each run unwinds and removes its staging folder, SIGKILL after a grace period and its staging folder
removed for it), marks every unfinished model ``interrupted`` and returns; packages published before stay
as they are, and no half-built package is ever published (publication is the final rename of a complete
staging folder). On Dask, queued models are cancelled; a model already running on a worker finishes there.

Workers run with ``OMP_WAIT_POLICY=PASSIVE`` (unless set otherwise already; see TOOLCHAIN.md). Local workers
also share the cores out: each gets ``max(1, cores // jobs)`` threads for OpenMP, BLAS and mrmkit's own thread
pools (``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``, ``MRMKIT_THREADS``; a value already
set in the environment wins), which their workbook kernels inherit, so N jobs do not oversubscribe the machine.
Thread counts never change a result. On a Dask cluster ``out`` and every parameter and data file must be
reachable at the same paths from every worker (a shared file system). Results come back in the order of the
inputs.
"""

from __future__ import annotations

import html
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from multiprocessing import connection
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
        from mrmkit.yamlfile import read_yaml_file

        raw = read_yaml_file(params)  # bounded: a hostile file costs no more here than in the run itself
        value = raw["model"]["id"]
        return str(value) if value is not None else None
    except Exception:
        return None


def run_one(params: str, out: str) -> dict[str, Any]:
    """Run one parameter file in this process; never raises. The worker function of both back ends."""
    _passive_omp()
    t0 = time.perf_counter()
    path = Path(params)
    record = _record(path, "error", None)
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
                rating=result.rating,
                exit_code=0 if result.status == "complete" else 1,
                error=(f"workbooks failed: {', '.join(result.failed_workbooks)}" if result.failed_workbooks else None),
            )
    except Exception as exc:  # one model never stops the others
        record.update(error=f"{type(exc).__name__}: {exc}", exit_code=1)
    if record["model_id"] is None:
        record["model_id"] = _model_id(path)
    record["seconds"] = round(time.perf_counter() - t0, 3)
    return record


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


@dataclass
class BatchResult:
    """Every model's outcome, in the order of the inputs."""

    results: list[dict[str, Any]]
    seconds: float = 0.0
    interrupted: bool = False  # stopped by Ctrl-C or SIGTERM: unfinished models are "interrupted"

    @property
    def ok(self) -> bool:
        """True when every model was published with status ``complete``."""
        return not self.interrupted and all(r["status"] == "complete" for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 all complete, 1 any model not complete, 130 interrupted (as for Ctrl-C)."""
        return 130 if self.interrupted else 0 if self.ok else 1

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
            elif r["status"] == "interrupted":
                lines.append(f"interrupted  {name}  {r['error']}")
            else:
                lines.append(f"error     {name}  {r['error']}")
        n = len(self.results)
        bad = len(self.failed)
        lines.append(
            f"{n - bad} of {n} model{'s' if n != 1 else ''} published complete"
            + (f"; {bad} failed or unfinished" if bad else "")
            + f" in {self.seconds:.1f} s."
            + (
                " Interrupted: packages published before the interruption are complete; nothing else was published."
                if self.interrupted
                else ""
            )
        )
        return lines


# --------------------------------------------------------------------------------------------- back ends


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


def _context() -> Any:
    """Fork from a server that imported the runner once: a model's process starts in milliseconds."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["mrmkit._preload"])
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
                    from mrmkit.runner import remove_staging

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
    from mrmkit.runner import remove_staging

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

    unfinished: list[int] = []
    if params:
        _passive_omp()
        if scheduler:
            unfinished = _dask([p.resolve() for p in params], out, scheduler, report)
        else:
            workers = min(jobs or os.cpu_count() or 1, len(params))
            unfinished = _local([p.resolve() for p in params], out, workers, report)
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
    from mrmkit.inventory import due, load_inventory

    inventory = load_inventory(inventory_path)
    entries = [e for e in inventory.models if e.status != "retired"] if all_models else due(inventory, today)
    return [e.parameters for e in entries]


# --------------------------------------------------------------------------------------------- index


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1b1b1b}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.35rem .6rem;text-align:left;
vertical-align:top}th{background:#f0f0f0}.complete{color:#1a7f37;font-weight:600}
.failed,.error,.interrupted{color:#b42318;font-weight:600}.badge{padding:.1rem .45rem;border-radius:.25rem;
font-weight:600;font-size:.85rem;color:#fff}.badge.green{background:#1a7f37}.badge.amber{background:#b54708}
.badge.red,.badge.failed{background:#b42318}.badge.green,.badge.amber,.badge.red,.badge.failed{color:#fff}
td:first-child{white-space:nowrap}.red{color:#b42318;font-weight:600}td.err{font-family:monospace;
font-size:.85rem;white-space:pre-wrap}
"""


def _href(target: Path, base: Path) -> str:
    try:
        rel = os.path.relpath(target, base)
    except ValueError:  # another drive: absolute file URL
        return "file://" + quote(target.resolve().as_posix())
    return quote(Path(rel).as_posix())


_CLASSES = frozenset({"green", "amber", "red", "failed", "complete", "interrupted", "error"})


def _css_class(value: Any) -> str:
    """A class attribute from a fixed set only: a status or rating from a record never becomes markup."""
    return str(value) if str(value) in _CLASSES else ""


def write_batch_index(result: BatchResult, path: str | Path) -> Path:
    """Write a self-contained offline HTML page listing every model of the batch; return its path."""
    from mrmkit.render import CSP_META
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
        rating = str(r.get("rating") or "")
        published = bool(r.get("package"))
        rows.append(
            "<tr>"
            f"<td>{e(str(name))}</td>"
            f'<td class="{_css_class(r["status"])}">{e(r["status"])}</td>'
            + (f'<td><span class="badge {_css_class(rating)}">{e(rating.upper())}</span></td>' if rating else "<td>-</td>")
            + (f'<td class="{"red" if red else ""}">{red}</td>' if published else "<td>-</td>")
            + f"<td>{link}</td>"
            f"<td>{e(str(r['params']))}</td>"
            f'<td class="err">{e(str(r.get("error") or ""))}</td>'
            "</tr>"
        )
    n, bad = len(result.results), len(result.failed)
    page = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">{CSP_META}'
        "<title>mrmkit batch</title>"
        f"<style>{_CSS}</style></head><body>"
        "<h1>Batch evidence</h1>"
        f"<p>{n - bad} of {n} models published complete; {bad} failed or not published.</p>"
        + (
            '<p class="failed">The batch was interrupted: packages published before the interruption are '
            "complete; the models marked interrupted published nothing.</p>"
            if result.interrupted
            else ""
        )
        + "<p>Overall rating: the most severe finding of the model's report (failed when a workbook failed).</p>"
        "<table><thead><tr><th>Model</th><th>Status</th><th>Overall rating</th><th>Red findings</th><th>Report</th>"
        "<th>Parameter file</th><th>Error</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></body></html>\n"
    )
    path.write_text(page, encoding="utf-8")
    return path
