"""Data inputs given as a query against a SQL database (``data.database``): read once, read-only, hashed.

A data input (``data.reference``, ``data.current``, ``backtest.var.data``, ``champion_challenger.shadow.data``,
``champion_challenger.ab.data``) may be ``{query: "SELECT ..."}`` instead of a file. ``data.database`` is a
SQLAlchemy URL: ``sqlite:///relative/or/absolute.db`` (resolved against the parameter file's folder and kept
inside ``data.roots`` like every path) or ``postgresql+psycopg://user@host:port/db``.

Why each rule is what it is, as a validator would ask:

- **Credentials never come from the parameter file**, which is copied into every evidence package: a URL
  with a password is refused. The password comes from the environment: libpq's ``PGPASSWORD`` or
  ``PGPASSFILE`` (psycopg reads them itself), or the variable named by ``data.database_password_env``. What
  is recorded and printed is the URL as written, which therefore holds no password.
- **The tool cannot change the bank's database.** Three guards, the last one being the real one: the query
  must be a single ``SELECT`` or ``WITH`` statement without any statement keyword that writes
  (:func:`check_query`, refused when the parameters are read); it runs in a transaction that is always
  rolled back; and the database itself is in read-only mode (PostgreSQL: ``default_transaction_read_only``
  for the session and ``SET TRANSACTION READ ONLY``; SQLite: the file is opened with ``mode=ro`` and
  ``PRAGMA query_only``). Giving mrmkit a database role that may only read is still the right set-up.
- **Bounded**: ``MRMKIT_SQL_TIMEOUT`` seconds per query (default 600; PostgreSQL ``statement_timeout`` on
  each statement, SQLite a progress handler, and the whole fetch checked between chunks), ``MRMKIT_SQL_CONNECT_TIMEOUT`` seconds to connect (default 5), and at most
  ``MRMKIT_MAX_ROWS`` rows (default 20,000,000; more is refused, never truncated). Rows are fetched in chunks
  of :data:`CHUNK_ROWS` (a server-side cursor on PostgreSQL) and turned into Arrow columns chunk by chunk.
- **The same typing as a file**: the rows become an Arrow table (integers as int64, floats and decimals as
  float64, text as text, dates and times as the driver gives them), written as Parquet and read back by the
  Parquet reader of :mod:`mrmkit.io.frames`; every column check of a file input then applies unchanged
  (ISO 8601 text dates from SQLite, timestamps from PostgreSQL, both through ``parse_dates``).

**The rows hash** (``sha256`` in the manifest) is the SHA-256 of the result's schema line (``name:type``
per column) followed by the rows as a canonical CSV (pyarrow's writer, header, every valid value quoted,
a null left empty), **in the order the database returned them**: the workbooks see that order, and
bootstrap resamples and ties depend on it, so the same rows in another order are not the same input.
``sha256_unordered`` hashes the rows sorted by every column: when only the order changed, ``reproduce``
says so and asks for an ORDER BY (PostgreSQL returns a query without ORDER BY in no guaranteed order).
The hash depends on the values and their types, not on the connection or the driver's row objects.

Within a run the rows are fetched once (:func:`snapshot`, called by :func:`mrmkit.sources.snapshot`) and
every workbook reads the snapshot; outside a run :func:`rows_file` queries directly. ``reproduce`` calls
:func:`changed`, which runs the query again and compares the hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mrmkit.errors import InvalidInput, shorten
from mrmkit.params.database import check_query, check_url, sqlite_path
from mrmkit.sources.cache import cached

__all__ = [
    "CHUNK_ROWS",
    "changed",
    "check_query",
    "check_url",
    "fetch",
    "handles",
    "rows_file",
    "rows_sha256",
    "snapshot",
    "sqlite_path",
]

#: rows fetched per round trip; each chunk becomes Arrow columns at once
CHUNK_ROWS = 50_000
_DEFAULTS = {"MRMKIT_MAX_ROWS": 20_000_000, "MRMKIT_SQL_TIMEOUT": 600, "MRMKIT_SQL_CONNECT_TIMEOUT": 5}


def _limit(name: str) -> int:
    try:
        return max(1, int(os.environ.get(name, _DEFAULTS[name])))
    except ValueError:
        return _DEFAULTS[name]


# ----------------------------------------------------------------------------------- connecting
def _sqlalchemy(field: str) -> Any:
    try:
        import sqlalchemy
    except ImportError:
        raise InvalidInput(
            f"{field}: reading a query needs SQLAlchemy; install mrmkit's sql extra (pip install 'mrmkit[sql]')."
        ) from None
    return sqlalchemy


def _reason(exc: BaseException) -> str:
    """The database's own first line, without SQLAlchemy's statement echo and links."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).strip().splitlines() if line.strip()]
    return shorten(lines[0].rstrip("."), 240) if lines else type(orig).__name__


def _engine(database: str, password_env: str | None, deadline: list[float]) -> Any:
    """An engine of one connection that can only read (see the module docstring)."""
    sa = _sqlalchemy("data.database")
    from sqlalchemy.pool import NullPool

    path = sqlite_path(database)
    if path is not None:
        import sqlite3

        from mrmkit.files import open_regular

        if not path.exists():
            raise InvalidInput(f"data.database: the SQLite database {path} does not exist.")
        with open_regular(path, "data.database: the SQLite database", 1 << 62) as fh:  # a regular file, never a FIFO
            head = fh.read(16)
        if head and head != b"SQLite format 3\x00":
            raise InvalidInput(f"data.database: {path} is not a SQLite database.")

        def connect() -> Any:
            con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, check_same_thread=False)
            con.execute("PRAGMA query_only = ON")
            con.set_progress_handler(lambda: time.monotonic() > deadline[0], 10_000)  # nonzero: interrupt
            return con

        return sa.create_engine("sqlite://", creator=connect, poolclass=NullPool)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise InvalidInput(
            "data.database: reading PostgreSQL needs psycopg; install mrmkit's sql extra (pip install 'mrmkit[sql]')."
        ) from None
    url = sa.engine.make_url(database)
    if password_env:
        if not os.environ.get(password_env):
            raise InvalidInput(f"data.database_password_env: the environment variable {password_env} is not set.")
        url = url.set(password=os.environ[password_env])
    ms = _limit("MRMKIT_SQL_TIMEOUT") * 1000
    options = f"-c default_transaction_read_only=on -c statement_timeout={ms}"
    args = {
        "connect_timeout": max(2, _limit("MRMKIT_SQL_CONNECT_TIMEOUT")),
        "options": options,
        "application_name": "mrmkit",
    }
    return sa.create_engine(url, poolclass=NullPool, connect_args=args)


def fetch(database: str, query: str, field: str, password_env: str | None = None) -> Any:
    """Run ``query`` once, read-only, and return its rows as an Arrow table of canonical types.

    ``field`` is the input's role (``data.current``): errors of the query name ``<field>.query``, errors of
    the connection ``data.database``; each is one sentence with the database's own first line.
    """
    import pyarrow as pa

    sa = _sqlalchemy(field)
    timeout = _limit("MRMKIT_SQL_TIMEOUT")
    deadline = [float("inf")]
    engine = _engine(database, password_env, deadline)
    postgres = sqlite_path(database) is None
    try:
        try:
            conn = engine.connect()
        except sa.exc.SQLAlchemyError as exc:
            raise InvalidInput(f"data.database: cannot connect to {database}: {_reason(exc)}.") from None
        with conn:
            try:
                if postgres:
                    conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                deadline[0] = time.monotonic() + timeout
                opts = {"stream_results": True, "max_row_buffer": CHUNK_ROWS} if postgres else {}
                result = conn.execution_options(**opts).exec_driver_sql(query.strip().removesuffix(";"))
                if not result.returns_rows:
                    raise InvalidInput(f"{field}.query: the statement returns no result set; give a SELECT.")
                names = [str(n) for n in result.keys()]
                chunks, n, limit = [], 0, _limit("MRMKIT_MAX_ROWS")
                while rows := result.fetchmany(CHUNK_ROWS):
                    n += len(rows)
                    if n > limit:
                        raise InvalidInput(
                            f"{field}.query: the query returns more than {limit:,} rows (set "
                            "MRMKIT_MAX_ROWS to allow more, or select less)."
                        )
                    if time.monotonic() > deadline[0]:  # the whole fetch, not only each statement, is bounded
                        raise InvalidInput(
                            f"{field}.query: the database refused or stopped the query: stopped "
                            f"after {timeout} s (MRMKIT_SQL_TIMEOUT)."
                        )
                    chunks.append(_columns(rows, names, field))
            except sa.exc.SQLAlchemyError as exc:
                why = _reason(exc)
                if why == "interrupted" and time.monotonic() > deadline[0]:
                    why = f"stopped after {timeout} s (MRMKIT_SQL_TIMEOUT)"
                raise InvalidInput(f"{field}.query: the database refused or stopped the query: {why}.") from None
            finally:
                deadline[0] = float("inf")
                try:
                    conn.rollback()  # nothing is ever committed
                except sa.exc.SQLAlchemyError:  # a broken connection: closing it discards the transaction
                    pass
    finally:
        engine.dispose()
    dup = sorted({x for x in names if names.count(x) > 1})
    if dup:
        raise InvalidInput(
            f"{field}.query: the result has duplicated column names ({', '.join(map(shorten, dup))}); "
            "name each column once (AS ...)."
        )
    if not chunks:
        raise InvalidInput(f"{field}.query: the query returned no rows from {database}.")
    table = pa.concat_tables(chunks, promote_options="permissive")
    return _canonical(table, field)


def _columns(rows: list[Any], names: list[str], field: str) -> Any:
    """One chunk of rows as Arrow columns: the rows are transposed at once, each column converted by Arrow."""
    import pyarrow as pa

    arrays = []
    for name, values in zip(names, zip(*rows, strict=True), strict=True):
        try:
            arrays.append(pa.array(values))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
            raise InvalidInput(
                f"{field}.query: column {shorten(name)!r} holds values of mixed or unsupported types "
                f"({_reason(exc)}); cast it in the query, e.g. CAST(... AS TEXT)."
            ) from None
    return pa.Table.from_arrays(arrays, names=names)


def _canonical(table: Any, field: str) -> Any:
    """Integers as int64, floats and decimals as float64 (as a CSV's numbers), everything else as given."""
    import pyarrow as pa

    fields = []
    for f in table.schema:
        t = f.type
        if pa.types.is_integer(t) and not pa.types.is_uint64(t):  # uint64 may not fit
            t = pa.int64()
        elif pa.types.is_floating(t) or pa.types.is_decimal(t):
            t = pa.float64()
        elif pa.types.is_large_string(t):
            t = pa.string()
        fields.append(pa.field(f.name, t))
    try:
        return table.cast(pa.schema(fields)).combine_chunks()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise InvalidInput(f"{field}.query: the result cannot be read as columns ({_reason(exc)}).") from None


# ----------------------------------------------------------------------------------- hashing
class _Digest(io.RawIOBase):
    """A write-only stream that hashes what is written (the canonical CSV is never held in memory)."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.sha.update(data)
        return len(data)


def rows_sha256(table: Any, ordered: bool = True) -> str:
    """The rows hash of the module docstring: schema line, then the rows as canonical CSV (sorted if not ``ordered``)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    if not ordered:
        keys = [(f.name, "ascending", "at_end") for f in table.schema if not pa.types.is_null(f.type)]
        if keys:
            table = table.take(pc.sort_indices(table, sort_keys=keys))
    digest = _Digest()
    digest.write(",".join(f"{f.name}:{f.type}" for f in table.schema).encode("utf-8") + b"\n")
    options = csv.WriteOptions(include_header=True, quoting_style="all_valid")
    with pa.PythonFile(digest, mode="w") as sink, csv.CSVWriter(sink, table.schema, write_options=options) as w:
        for batch in table.to_batches(max_chunksize=CHUNK_ROWS):
            w.write_batch(batch)
    return digest.sha.hexdigest()


# ----------------------------------------------------------------------------------- the interface of mrmkit.sources
def _record(database: str, query: str, password_env: str | None, table: Any) -> dict[str, Any]:
    record = {
        "database": database,
        "query": query,
        "sha256": rows_sha256(table),
        "sha256_unordered": rows_sha256(table, ordered=False),
        "rows": table.num_rows,
        "columns": list(table.column_names),
    }
    if password_env:
        record["password_env"] = password_env
    return record


def snapshot(params: Any, folder: Path) -> dict[str, dict[str, Any]]:
    """Run every query of ``params`` once; store its rows as ``<folder>/<role>.parquet``; the manifest's records."""
    import pyarrow.parquet as pq

    records = {}
    for role, q in params.queries().items():
        table = fetch(q._database, q.query, role, q._password_env)
        pq.write_table(table, Path(folder) / f"{role}.parquet")
        records[role] = _record(q._database, q.query, q._password_env, table)
    return records


@contextlib.contextmanager
def rows_file(query: Any, field: str) -> Iterator[Path]:
    """A Parquet file of the rows of ``query``: the run's snapshot, else the rows queried now into a temporary
    file removed when the block ends. The caller reads it with the Parquet reader of a data file
    (:func:`mrmkit.io.read_frame`), so a query's rows are typed and checked as a file's."""
    import pyarrow.parquet as pq

    role = query._role or field.removesuffix(".query")
    folder = cached()
    if folder is not None and (Path(folder) / f"{role}.parquet").is_file():
        yield Path(folder) / f"{role}.parquet"
        return
    if query._database is None:
        raise InvalidInput(f"{field}: a query needs data.database, the SQLAlchemy URL of the database it runs on.")
    table = fetch(query._database, query.query, role, query._password_env)
    with tempfile.TemporaryDirectory(prefix="mrmkit-query-") as tmp:  # the same reader as a snapshot's
        pq.write_table(table, Path(tmp) / "rows.parquet")
        yield Path(tmp) / "rows.parquet"


def handles(record: dict[str, Any]) -> bool:
    return "query" in record


def changed(role: str, record: dict[str, Any]) -> str | None:
    """Run a recorded query again: why its rows differ from the manifest's (``None``: the same rows, same order)."""
    from mrmkit.errors import MrmkitError

    where = f"{role} (query on {record.get('database')})"
    try:
        table = fetch(str(record["database"]), str(record["query"]), role, record.get("password_env"))
    except MrmkitError as exc:
        return f"{where} cannot be run again: {exc}"
    if rows_sha256(table) == record.get("sha256"):
        return None
    if rows_sha256(table, ordered=False) == record.get("sha256_unordered"):
        return f"{where} returns the same rows in another order; give the query an ORDER BY that fixes the order"
    return f"{where} now returns other rows ({table.num_rows:,} rows; the package recorded {record.get('rows')})"
