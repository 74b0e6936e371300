"""Inputs that live elsewhere: queries against a SQL database and models in an MLflow registry.

A parameter file may name an input by where it lives instead of by a file: a data input as a query against
``data.database`` (:mod:`mrmkit.sources.sql`), a model as ``models:/<name>/<version>``,
``models:/<name>@<alias>`` or ``runs:/<run_id>/<path>`` (:mod:`mrmkit.sources.registry`).

Each remote input is fetched **once per run**. Before anything is checked, :func:`snapshot` fetches every
remote input of the parameters into a private folder (the rows of a query as Parquet, the files of a model
version as downloaded) and returns what the manifest records for each role: where it came from, and the
sha256 of what came back. The runner sets :data:`SOURCES_ENV` to that folder, so the workbooks' kernels,
which inherit the environment, read the same snapshot (:func:`cached`) instead of asking the database or the
registry again: every workbook of a run sees the same rows and the same model, even when the database
changes while the run goes on. Outside a run (a validator rerunning a notebook by hand) the loaders fetch
directly.

:func:`changed` is the re-performance check of a remote input: fetch it again and compare the sha256 with
the manifest's; ``mrmkit reproduce`` refuses to rerun when a query now returns other rows or the registry
serves other bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mrmkit.params import Parameters
from mrmkit.sources.cache import SOURCES_ENV, cached, using

__all__ = ["SOURCES_ENV", "cached", "changed", "describe", "snapshot", "using"]


def snapshot(params: Parameters, folder: Path) -> dict[str, dict[str, Any]]:
    """Fetch every remote input of ``params`` into ``folder``; the manifest's record of each, by role."""
    from mrmkit.sources import registry, sql

    records: dict[str, dict[str, Any]] = {}
    records.update(sql.snapshot(params, folder))
    records.update(registry.snapshot(params, folder))
    return records


def changed(role: str, record: dict[str, Any]) -> str | None:
    """Why a remote input recorded in a manifest no longer gives the same sha256 (``None``: it does)."""
    from mrmkit.sources import registry, sql

    for module in (sql, registry):
        if module.handles(record):
            return module.changed(role, record)
    return None


def describe(record: dict[str, Any]) -> str:
    """Where an input of a manifest came from, in one line: its path, its registry URI, or its query."""
    if "path" in record:
        return str(record["path"])
    if "uri" in record:
        return str(record["uri"])
    if "query" in record:
        return f"query on {record.get('database', 'the database')}: {' '.join(str(record['query']).split())}"
    return "(unknown source)"
