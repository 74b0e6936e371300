"""How the demo writes its files: atomically (a temporary file renamed into place), Parquet without time stamps.

Shared by :mod:`mrmkit.demo.writing`, :mod:`mrmkit.demo.fraud` and :mod:`mrmkit.demo.logs`, so that none of
them imports another for it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

__all__ = ["write_bytes", "write_parquet"]


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, so a reader never sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` (without its index) as zstd-compressed Parquet, atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    write_bytes(path, sink.getvalue().to_pybytes())
