"""Imported once by the batch's fork server, so each model's process, forked from it, starts warm.

Everything a run imports lazily (the model loaders, parquet, Papermill, the kernel client, nbconvert,
scrapbook, the workbooks' input checks) is imported here, and the report templates are compiled, so that
forking a model's process costs milliseconds instead of the second each fresh process would spend. Nothing
here computes: no BLAS or OpenMP work runs in the server before it forks.
"""

from __future__ import annotations

import importlib

_MODULES = (
    "mrmkit.run.runner",
    "mrmkit.workbooks.drift",
    "mrmkit.workbooks.backtest",
    "mrmkit.workbooks.champion_challenger",
    "mrmkit.workbooks.explainability",
    "pyarrow.parquet",
    "sklearn.pipeline",
    "sklearn.linear_model",
    "skops.io",
    "lightgbm",
    "papermill",
    "nbclient",
    "jupyter_client.manager",
    "scrapbook",
)

for _name in _MODULES:
    try:
        importlib.import_module(_name)
    except Exception:  # an optional library missing here is imported (and reported) by the run itself
        pass

from mrmkit.present import render  # noqa: E402

try:
    render.warm()
except Exception:  # the run renders again and reports any real problem
    pass
