"""Many evidence packages at once: local processes by default, a Dask cluster when given an address.

Each model runs ``mrmkit.run.runner.run(params, out=out)`` in a worker process, so each package is exactly
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

The package has one module per job, and this module re-exports all their names:
:mod:`~mrmkit.batch.worker` (what runs for each model: ``run_one``, its records, the body of a local
model's process), :mod:`~mrmkit.batch.local` (the local back end: one process per model),
:mod:`~mrmkit.batch.dispatch` (``run_batch``, the Dask back end and ``inventory_params``) and
:mod:`~mrmkit.batch.result` (``BatchResult`` and the HTML index of a batch).
"""

# isort: off
from mrmkit.batch.worker import run_one
from mrmkit.batch.dispatch import inventory_params, run_batch
from mrmkit.batch.result import BatchResult, write_batch_index

# The former module's other names, still importable from here ("x as x" marks a re-export).
from mrmkit.batch.worker import (
    THREAD_VARIABLES as THREAD_VARIABLES,
    _child as _child,
    _died as _died,
    _exit_text as _exit_text,
    _model_id as _model_id,
    _passive_omp as _passive_omp,
    _raise_interrupt as _raise_interrupt,
    _record as _record,
    _unfinished as _unfinished,
    _worker_init as _worker_init,
)
from mrmkit.batch.local import (
    _context as _context,
    _local as _local,
    _receive as _receive,
    _Running as _Running,
    _stop as _stop,
)
from mrmkit.batch.dispatch import Progress as Progress, _dask as _dask
from mrmkit.batch.result import _CLASSES as _CLASSES, _CSS as _CSS, _css_class as _css_class, _href as _href
# isort: on

__all__ = ["BatchResult", "run_batch", "run_one", "write_batch_index", "inventory_params"]
