"""The demo's data in a SQLite database (``data/demo.db``) and ``demo_sql.yaml``, which reads it with queries.

Banks keep prediction logs and monitoring samples in a database; ``demo_sql.yaml`` is ``demo.yaml`` with every
data input given as a query on ``data/demo.db`` instead of a Parquet file (:mod:`mrmkit.sources.sql`). The
tables are written from the demo's own Parquet files, so both parameter files describe the same rows and
give the same metrics (a test checks every one). The database is written with the standard library's
``sqlite3`` (no SQLAlchemy needed to build the demo); dates become ISO 8601 text, as SQLite stores them.
"""

from __future__ import annotations

import copy
import os
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["TABLES", "QUERIES", "write_database", "sql_parameters"]

#: table of demo.db -> the demo's Parquet file it holds
TABLES = {
    "reference": "reference.parquet",
    "current": "current.parquet",
    "shadow_log": "shadow_log.parquet",
    "ab_log": "ab_log.parquet",
    "var_series": "var.parquet",
}

#: demo.yaml's data inputs as queries; each ORDER BY gives the files' own order (the workbooks see rows in
#: order) and runs unchanged on PostgreSQL, which has no rowid (the VaR series' table belongs to the VaR
#: engine, whose demo_var.yaml reads the file)
QUERIES = {
    ("data", "reference"): "SELECT * FROM reference ORDER BY application_id",
    ("data", "current"): "SELECT * FROM current ORDER BY application_id",
    ("champion_challenger", "shadow", "data"): "SELECT * FROM shadow_log ORDER BY timestamp, application_id",
    ("champion_challenger", "ab", "data"): "SELECT * FROM ab_log ORDER BY application_id",
}


def write_database(data_dir: Path) -> Path:
    """Write ``demo.db`` beside the demo's Parquet files in ``data_dir``, one table per file; return its path."""
    data_dir = Path(data_dir)
    path = data_dir / "demo.db"
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    try:
        for table, file in TABLES.items():
            frame = pd.read_parquet(data_dir / file)
            dates = frame.select_dtypes("datetime").columns
            frame[dates] = frame[dates].astype(str)  # ISO 8601 text, as exact as the column (no adapter guesses)
            frame.to_sql(table, con, index=False)
        con.commit()
    finally:
        con.close()
    os.replace(tmp, path)
    return path


def sql_parameters(file_based: dict[str, Any]) -> dict[str, Any]:
    """``demo.yaml``'s parameters with every data input read from ``data/demo.db`` by a query."""
    params = copy.deepcopy(file_based)
    params["data"]["database"] = "sqlite:///data/demo.db"
    for keys, query in QUERIES.items():
        section = params
        for key in keys[:-1]:
            section = section[key]
        section[keys[-1]] = {"query": query}
    return params
