"""Reading a data file a parameter file names: Parquet by columns, CSV through pyarrow's bounded reader.

Every problem becomes one ``InvalidInput`` sentence naming the file and the field; the checks of what the
columns hold are in :mod:`mrmkit.io.checks`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from mrmkit.errors import InvalidInput, shorten

__all__ = ["sha256_file", "read_frame", "MAX_CSV_BYTES"]

_READERS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


#: the largest data or model file read or hashed (bytes); ``$MRMKIT_MAX_DATA_BYTES`` changes it
MAX_DATA_BYTES = 64 * 1024**3


def _data_limit() -> int:
    try:
        return int(os.environ.get("MRMKIT_MAX_DATA_BYTES", MAX_DATA_BYTES))
    except ValueError:
        return MAX_DATA_BYTES


def sha256_file(path: Path, chunk: int = 1 << 20, what: str = "The input") -> str:
    """SHA-256 of a regular file's bytes, read in chunks (never a FIFO or a device: one sentence naming it)."""
    from mrmkit.files import open_regular

    digest = hashlib.sha256()
    with open_regular(path, what, _data_limit()) as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


#: the largest CSV file read (bytes); ``$MRMKIT_MAX_CSV_BYTES`` changes it. Parquet is read by columns.
MAX_CSV_BYTES = 4 * 1024**3
_CSV_BLOCK = 16 * 1024 * 1024


def _csv_limit() -> int:
    import os

    try:
        return int(os.environ.get("MRMKIT_MAX_CSV_BYTES", MAX_CSV_BYTES))
    except ValueError:
        return MAX_CSV_BYTES


def _reason(exc: BaseException) -> str:
    return shorten(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, 200)


def _read_csv(path: Path, field: str, columns: Sequence[str] | None) -> pd.DataFrame:
    """A CSV file through pyarrow's streaming reader: header checked first, NUL bytes refused, bounded."""
    from mrmkit.files import open_regular

    size = path.stat().st_size
    if size > _csv_limit():
        raise InvalidInput(
            f"{field}: {path} is {size:,} bytes, more than the {_csv_limit():,} bytes a CSV may have "
            "(set MRMKIT_MAX_CSV_BYTES, or give the data as Parquet)."
        )

    def opened() -> Any:  # each reader gets its own descriptor: pyarrow reads ahead in threads
        return open_regular(path, f"{field}: data file", _csv_limit())

    with opened() as fh:
        head = fh.read(1 << 16)
    try:
        return _csv_table(path, opened, head, field, columns)
    except OSError as exc:
        raise InvalidInput(f"{field}: {path} cannot be read as csv: {_reason(exc)}.") from None


def _csv_table(path: Path, opened: Any, head: bytes, field: str, columns: Sequence[str] | None) -> pd.DataFrame:
    """The CSV of the regular file ``path`` (each ``opened()`` a new reader of it) whose first bytes are ``head``."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    if b"\x00" in head:
        raise InvalidInput(f"{field}: {path} contains NUL bytes; it is not a CSV text file.")
    header = head.split(b"\n", 1)[0].rstrip(b"\r")
    if not header.strip():
        raise InvalidInput(f"{field}: {path} has no header line.")
    try:
        names = next(iter(__import__("csv").reader([header.decode("utf-8-sig")])))
    except (UnicodeDecodeError, StopIteration, __import__("csv").Error) as exc:
        raise InvalidInput(
            f"{field}: {path} cannot be read as csv: its header is not UTF-8 text ({_reason(exc)})."
        ) from None
    seen: set[str] = set()
    dup = sorted({n for n in names if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
    if dup:
        raise InvalidInput(
            f"{field}: {path} has duplicated column names: {', '.join(shorten(d) for d in dup)}; "
            "every column needs its own name."
        )
    wanted = [c for c in names if c in set(columns)] if columns is not None else None
    options = csv.ReadOptions(block_size=_CSV_BLOCK)
    try:
        # dates stay text, as pandas would read them, so that parse_dates applies one rule to every source
        # (pyarrow would turn offsets into UTC silently, hiding mixed time zones)
        with opened() as fh:
            first = csv.open_csv(fh, read_options=options, convert_options=csv.ConvertOptions(include_columns=wanted))
            as_text = {f.name: pa.string() for f in first.schema if pa.types.is_temporal(f.type)}
            first.close()
        convert = csv.ConvertOptions(include_columns=wanted, strings_can_be_null=True, column_types=as_text)
        with opened() as fh:
            reader = csv.open_csv(fh, read_options=options, convert_options=convert)
            batches = []
            for batch in reader:
                for column in batch.columns:
                    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                        if pc.any(pc.match_substring(column, "\x00")).as_py():
                            raise InvalidInput(
                                f"{field}: {path} contains NUL bytes inside values; it is not a CSV text file."
                            )
                batches.append(batch)
            table = pa.Table.from_batches(batches, schema=reader.schema)
    except InvalidInput:
        raise
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError, OSError) as exc:
        raise InvalidInput(f"{field}: {path} cannot be read as csv: {_reason(exc)}.") from None
    return table.to_pandas()


def read_frame(path: Path | Any, field: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a .parquet or .csv data file named by parameter ``field``; refuse missing, odd or empty files.

    ``path`` may also be a :class:`~mrmkit.params.Query`: its rows come from the run's snapshot (or from the
    database, outside a run) through the same Parquet reader and the same checks (:mod:`mrmkit.sources.sql`).

    ``columns``, when given, are the only ones read (a file of thousands of columns costs what its used
    columns cost); the others are never parsed. CSV files are read with pyarrow: a repeated header name, a
    NUL byte, a ragged row or a file over :data:`MAX_CSV_BYTES` is refused, never silently renamed or
    truncated.
    """
    if not isinstance(path, (str, os.PathLike)):  # {query: ...} on data.database (mrmkit.sources.sql)
        from mrmkit.sources import sql

        with sql.rows_file(path, field) as rows:
            return _checked(_read_parquet(rows, field, columns), field, path)
    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"{field}: data file {path} does not exist.")
    if not path.is_file():
        raise InvalidInput(f"{field}: {path} is not a file.")
    kind = _READERS.get(path.suffix.lower())
    if kind is None:
        raise InvalidInput(
            f"{field}: {path} is not a data file mrmkit reads; use .parquet or .csv (got {path.suffix or 'no suffix'!r})."
        )
    if kind == "csv":
        frame = _read_csv(path, field, columns)
    else:
        frame = _read_parquet(path, field, columns)
    return _checked(frame, field, path)


def _checked(frame: pd.DataFrame, field: str, path: Any) -> pd.DataFrame:
    """What every data input must be, whatever it was read from: rows, and one name per column."""
    if len(frame) == 0:
        raise InvalidInput(f"{field}: data file {path} has no rows.")
    if frame.columns.has_duplicates:
        dup = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise InvalidInput(f"{field}: {path} has duplicated column names: {', '.join(dup)}.")
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _unusable(kind: Any) -> str | None:
    """Why a column of Arrow type ``kind`` cannot be used (lists, structs, maps, unions, bytes...), or None."""
    import pyarrow as pa

    t = pa.types
    if isinstance(kind, pa.DictionaryType):
        return _unusable(kind.value_type)
    if isinstance(kind, pa.ExtensionType):
        return _unusable(kind.storage_type)
    nested = (
        t.is_list(kind)
        or t.is_large_list(kind)
        or t.is_fixed_size_list(kind)
        or t.is_struct(kind)
        or t.is_map(kind)
        or t.is_union(kind)
        or getattr(t, "is_list_view", lambda _: False)(kind)
        or getattr(t, "is_large_list_view", lambda _: False)(kind)
    )
    if nested:
        return f"of the nested type {kind}; a column must hold one number, text, date or boolean per row"
    if t.is_binary(kind) or t.is_large_binary(kind) or t.is_fixed_size_binary(kind):
        return f"of the binary type {kind}; give text, numbers, dates or booleans"
    if getattr(t, "is_binary_view", lambda _: False)(kind):
        return f"of the binary type {kind}; give text, numbers, dates or booleans"
    return None


def _check_types(schema: Any, wanted: Sequence[str] | None, path: Path, field: str) -> None:
    """Refuse, at the edge, a column of a type mrmkit cannot use, naming the file and the column."""
    for item in schema:
        if wanted is not None and item.name not in wanted:
            continue
        if (why := _unusable(item.type)) is not None:
            raise InvalidInput(f"{field}: column {shorten(repr(item.name))} in {path} is {why}.")


def _read_parquet(path: Path, field: str, columns: Sequence[str] | None) -> pd.DataFrame:
    import pyarrow.parquet as pq

    from mrmkit.files import open_regular

    try:
        with open_regular(path, f"{field}: data file", _data_limit()) as handle:
            schema = pq.read_schema(handle)
            names = list(schema.names)
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise InvalidInput(
                    f"{field}: {path} has duplicated column names: {', '.join(shorten(d) for d in dup)}."
                )
            wanted = [c for c in names if c in set(columns)] if columns is not None else None
            _check_types(schema, wanted, path, field)
            handle.seek(0)
            return pd.read_parquet(handle, columns=wanted)
    except InvalidInput:
        raise
    except Exception as exc:  # pyarrow raises many types for a corrupt file
        raise InvalidInput(f"{field}: {path} cannot be read as parquet: {_reason(exc)}.") from None
