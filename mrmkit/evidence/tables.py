"""Tables of a package: the bin tables and per-row records that ``metrics.json`` points to.

The schema (:mod:`mrmkit.evidence.schema`) declares which entries are tables. :func:`split` takes them out of a
metrics tree and leaves ``{"$table": "tables/<name>.parquet", "rows": n}`` in their place; :func:`write`
stores them as Parquet files in the package (hashed in the manifest like every other file);
:func:`resolve` puts them back, so ``diff``, ``history`` and ``reproduce`` compare the same tree as before.

Conventions
-----------
- A column whose values are numbers, ``"inf"`` and ``"-inf"`` (how ``metrics.json`` writes infinities)
  is a float column holding the infinities; integers stay integers; ``null`` stays null. Reading back
  turns infinities into the same strings, so a resolved tree equals the recorded one.
- A table whose columns cannot be typed (a column mixing strings and numbers, rows with different keys)
  stays inline in ``metrics.json``: nothing is coerced.
- File names are the dotted key, lower-cased, with any character outside ``[a-z0-9_-]`` replaced by
  ``_`` and each part cut to 60 characters; a name that would repeat (two features differing only in
  case or punctuation) gets ``-2``, ``-3`` in key order. The name is recorded, so nothing is inferred.
- Files are written without pandas metadata, so the same table gives the same bytes.
"""

from __future__ import annotations

import copy
import math
import os
import re
import stat
from pathlib import Path
from typing import Any

from mrmkit.errors import PackageError
from mrmkit.evidence import schema

__all__ = ["TABLES_DIR", "split", "write", "resolve", "is_ref"]

TABLES_DIR = "tables"
MAX_TABLE_BYTES = 256 * 1024 * 1024
_NAME = re.compile(r"^tables/[a-z0-9_.\-]{1,400}\.parquet$")
_INF = {"inf": math.inf, "-inf": -math.inf}


def is_ref(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {schema.TABLE_REF, "rows"}


def _columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]] | None:
    names = list(rows[0])
    if any(list(r) != names for r in rows):
        return None  # rows with different keys: keep them as recorded
    return {name: [r[name] for r in rows] for name in names}


def _arrow_column(values: list[Any]) -> Any:
    import pyarrow as pa

    present = [v for v in values if v is not None]
    numeric = present and all(
        (isinstance(v, (int, float)) and not isinstance(v, bool)) or (isinstance(v, str) and v in _INF) for v in present
    )
    if numeric and any(isinstance(v, str) or isinstance(v, float) for v in present):
        if not any(not isinstance(v, str) for v in present):
            return None  # only "inf" strings: a label column, not a number
        return pa.array(
            [_INF.get(v, v) if isinstance(v, str) else (None if v is None else float(v)) for v in values],
            type=pa.float64(),
        )
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError, ValueError, OverflowError):
        return None


def _file_name(path: tuple[str, ...], taken: set[str]) -> str:
    parts = [re.sub(r"[^a-z0-9_\-]", "_", part.lower())[:60] or "_" for part in path]
    base = ".".join(parts)
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return f"{TABLES_DIR}/{name}.parquet"


def split(metrics: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(metrics with references, {file name: pyarrow.Table})``; ``metrics`` itself is not changed."""
    import pyarrow as pa

    out = copy.deepcopy(metrics)
    files: dict[str, Any] = {}
    taken: set[str] = set()
    for path, rows in schema.tables(metrics):
        columns = _columns(rows)
        if columns is None:
            continue
        arrays = {name: _arrow_column(values) for name, values in columns.items()}
        if any(a is None for a in arrays.values()):
            continue
        name = _file_name(path, taken)
        files[name] = pa.table(arrays)
        parent = out
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = {schema.TABLE_REF: name, "rows": len(rows)}
    return out, files


def write(files: dict[str, Any], package: Path) -> None:
    """Write the tables of :func:`split` into ``package/tables/``."""
    import pyarrow.parquet as pq

    if not files:
        return
    (Path(package) / TABLES_DIR).mkdir(exist_ok=True)
    for name, table in files.items():
        pq.write_table(table, Path(package) / name, compression="zstd", store_schema=False)


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
    return value


def _read(package: Path, name: Any, where: str) -> list[dict[str, Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
        raise PackageError(f"{package}/metrics.json: {where} points to {name!r}, which is not a table of the package.")
    path = Path(package) / name
    from mrmkit.files import open_regular

    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            raise OSError("it is not a regular file")
        with open_regular(path, "The table", MAX_TABLE_BYTES, error=PackageError, follow=False) as handle:
            table = pq.read_table(handle)
    except FileNotFoundError:
        raise PackageError(f"{path} is missing; {where} cannot be read.") from None
    except (OSError, pa.ArrowException) as exc:
        raise PackageError(f"{path} cannot be read as a table ({exc}).") from None
    columns = {name: [_cell(v) for v in table.column(name).to_pylist()] for name in table.column_names}
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def resolve(metrics: dict[str, Any], package: Path) -> dict[str, Any]:
    """``metrics`` with every table reference replaced by the table's records, read from ``package``."""

    def walk(value: Any, where: str) -> Any:
        if is_ref(value):
            rows = _read(package, value[schema.TABLE_REF], where)
            if len(rows) != value["rows"]:
                raise PackageError(
                    f"{package}/{value[schema.TABLE_REF]} has {len(rows)} rows, not the {value['rows']} "
                    f"that metrics.json records for {where}."
                )
            return rows
        if isinstance(value, dict):
            return {k: walk(v, f"{where}.{k}" if where else str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, f"{where}[{i}]") for i, v in enumerate(value)]
        return value

    return walk(metrics, "")
