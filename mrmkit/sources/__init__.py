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

import re
from pathlib import Path
from typing import Any

from mrmkit.params import Parameters
from mrmkit.sources.cache import SOURCES_ENV, cached, using

__all__ = ["SOURCES_ENV", "cached", "changed", "describe", "shown_path", "snapshot", "using"]


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


def shown_path(path: str | Path, base: Path | None = None) -> str:
    """A file as a report shows it: relative to ``base`` (the parameter file's folder) when it lies under it,
    else its name alone. No report shows a machine's absolute path; the manifest keeps the full one."""
    text = str(path)
    if "://" in text:  # a URL: a file or SQLite URL names a path, any other (a registry, a server) stays as it is
        scheme, _, rest = text.partition("://")
        scheme = scheme.split("+")[0].lower()
        if scheme not in ("file", "sqlite"):
            return text
        text = rest[1:] if scheme == "sqlite" else rest  # sqlite:///a.db is a.db, sqlite:////a.db is /a.db
    elif re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", text):  # a URI without a host (models:/name/1) stays as it is
        return text
    file = Path(text)
    if not file.is_absolute():
        return file.as_posix()
    if base is not None:
        try:
            return file.relative_to(Path(base)).as_posix()
        except ValueError:
            pass
    return file.name or text


def describe(record: dict[str, Any], base: Path | None = None) -> str:
    """Where an input of a manifest came from, in one line: its file (relative to ``base``, the parameter
    file's folder, or its name alone: :func:`shown_path`), its registry URI, or its query."""
    if "path" in record:
        return shown_path(record["path"], base)
    if "uri" in record:
        return str(record["uri"])
    if "query" in record:
        database = shown_path(record.get("database") or "the database", base)
        return f"query on {database}: {' '.join(str(record['query']).split())}"
    return "(unknown source)"
