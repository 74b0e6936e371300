"""Data inputs given as queries on a SQL database (issue 16, SQL part): SQLite here, the demo and PostgreSQL in
tests/test_sql_demo.py. Parameters, read-only guards, the rows hash, snapshots, reproduce, and every bad
input through the command line (one sentence naming the field, exit 2, nothing published)."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import yaml
from typer.testing import CliRunner

from mrmkit import sources
from mrmkit.cli import app
from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.io import load_inputs
from mrmkit.params import load_parameters
from mrmkit.sources import sql
from tests.conftest import write_params

runner = CliRunner()
REF = "SELECT * FROM reference ORDER BY app_id"
CUR = "SELECT * FROM current ORDER BY app_id"


def write_db(path: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """Tables in a SQLite file, dates as ISO 8601 text (how SQLite keeps them)."""
    con = sqlite3.connect(path)
    for name, frame in tables.items():
        frame = frame.copy()
        dates = frame.select_dtypes("datetime").columns
        frame[dates] = frame[dates].astype(str)
        frame.to_sql(name, con, index=False, if_exists="replace")
    con.commit()
    con.close()
    return path


@pytest.fixture
def sql_project(tiny_project: Path) -> Path:
    """The tiny project with its two samples in data/loans.db and a parameter file that queries them."""
    data = tiny_project / "data"
    write_db(data / "loans.db", {n: pd.read_parquet(data / f"{n}.parquet") for n in ("reference", "current")})
    write_params(
        tiny_project,
        data__reference={"query": REF},
        data__current={"query": CUR},
        data__database="sqlite:///data/loans.db",
    )
    return tiny_project


def _params(folder: Path, **overrides) -> Path:
    base = {
        "data__reference": {"query": REF},
        "data__current": {"query": CUR},
        "data__database": "sqlite:///data/loans.db",
    }
    return write_params(folder, **{**base, **overrides})


# ----------------------------------------------------------------------------------- parameters
@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"data__database": None}, "data.reference: a query needs data.database"),
        (
            {"data__database": "postgresql+psycopg://u:s3cret@localhost/db"},
            "data.database: the URL contains a password",
        ),
        (
            {"data__database": "postgresql://u@localhost/db?password=s3cret"},
            "data.database: the URL contains a password",
        ),
        ({"data__database": "mysql://u@localhost/db"}, "data.database: give a SQLAlchemy URL"),
        ({"data__database": "sqlite://"}, "data.database: a SQLite database is given as"),
        ({"data__database": "sqlite:///../outside.db"}, "data.database ("),
        ({"data__current": {"query": "SELECT 1; DROP TABLE current"}}, "data.current: query: give one statement"),
        ({"data__current": {"query": "DELETE FROM current"}}, "data.current: query: a query starts with SELECT"),
        (
            {"data__current": {"query": "WITH d AS (DELETE FROM current RETURNING *) SELECT * FROM d"}},
            "DELETE would write",
        ),
        ({"data__current": {"query": "SELECT * INTO copy FROM current"}}, "INTO would write"),
        ({"data__current": {"sql": CUR}}, "data.current: "),
        ({"data__current": {"query": ""}}, "data.current: "),
    ],
)
def test_parameters_refuse(sql_project: Path, overrides: dict, fragment: str) -> None:
    path = _params(sql_project, **overrides)
    with pytest.raises(InvalidParameters) as exc:
        load_parameters(path)
    assert fragment in str(exc.value)
    assert "s3cret" not in str(exc.value)  # the password is never shown


def test_query_text_and_database_are_resolved_and_kept(sql_project: Path) -> None:
    params = load_parameters(_params(sql_project, data__current={"query": "select ';' as x, * from current -- ; drop"}))
    assert params.data.database == f"sqlite:///{(sql_project / 'data' / 'loans.db').resolve()}"
    assert "data.current" not in params.input_paths() and set(params.queries()) == {"data.reference", "data.current"}
    dumped = yaml.safe_load(params.to_yaml())["data"]
    assert dumped["current"] == {"query": "select ';' as x, * from current -- ; drop"}  # reproduce reruns the text


def test_query_gives_the_same_inputs_as_the_files(sql_project: Path, tiny_project: Path) -> None:
    from_db = load_inputs(load_parameters(sql_project / "params.yaml"))
    from_files = load_inputs(load_parameters(write_params(tiny_project.parent / tiny_project.name)))
    for side in ("reference", "current"):
        a, b = getattr(from_db, side), getattr(from_files, side)
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)
    assert np.array_equal(from_db.current_score, from_files.current_score)


# ----------------------------------------------------------------------------------- read-only and bounded
def test_the_database_itself_refuses_writes(sql_project: Path) -> None:
    """Past the text check (fetch is called directly), the read-only connection is the guard."""
    db = f"sqlite:///{sql_project / 'data' / 'loans.db'}"
    for statement in ("UPDATE current SET income = 0", "SELECT 1; DROP TABLE current", "DROP TABLE current"):
        with pytest.raises(InvalidInput, match=r"^data\.current\.query: the database refused"):
            sql.fetch(db, statement, "data.current")
    con = sqlite3.connect(sql_project / "data" / "loans.db")
    assert con.execute("SELECT count(*), min(income) > 0 FROM current").fetchone() == (2000, 1)


def test_row_bound_and_timeout(sql_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = f"sqlite:///{sql_project / 'data' / 'loans.db'}"
    monkeypatch.setenv("MRMKIT_MAX_ROWS", "1999")
    with pytest.raises(InvalidInput, match="returns more than 1,999 rows"):
        sql.fetch(db, CUR, "data.current")
    monkeypatch.setenv("MRMKIT_SQL_TIMEOUT", "1")
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    t = time.perf_counter()
    with pytest.raises(InvalidInput, match=r"stopped after 1 s \(MRMKIT_SQL_TIMEOUT\)"):
        sql.fetch(db, endless, "data.current")
    assert time.perf_counter() - t < 10


# ----------------------------------------------------------------------------------- rows hash
def test_rows_hash_ordered_and_unordered() -> None:
    t = pa.table({"a": [1, 2, None], "b": ["x", None, ""], "c": [0.1, float("nan"), 2.5]})
    shuffled = t.take([2, 0, 1])
    assert sql.rows_sha256(t) != sql.rows_sha256(shuffled)
    assert sql.rows_sha256(t, ordered=False) == sql.rows_sha256(shuffled, ordered=False)
    assert sql.rows_sha256(t) == sql.rows_sha256(pa.concat_tables([t.slice(0, 1), t.slice(1)]))  # chunking
    other = pa.table({"a": [1, 2, None], "b": ["x", "", ""], "c": [0.1, float("nan"), 2.5]})  # null != ""
    assert sql.rows_sha256(t) != sql.rows_sha256(other)


def test_snapshot_is_read_instead_of_the_database(sql_project: Path, tmp_path: Path) -> None:
    """Within a run every reader sees the snapshot, even when the database changes or disappears."""
    params = load_parameters(sql_project / "params.yaml")
    folder = tmp_path / "snap"
    folder.mkdir()
    records = sources.snapshot(params, folder)
    assert records["data.current"]["rows"] == 2000 and records["data.current"]["query"] == CUR
    assert "path" not in records["data.current"] and sources.changed("data.current", records["data.current"]) is None
    (sql_project / "data" / "loans.db").unlink()
    with sources.using(folder):
        assert len(load_inputs(params).current) == 2000
    with pytest.raises(InvalidInput, match="data.database: the SQLite database .* does not exist"):
        load_inputs(params)


def test_changed_rows_and_changed_order_are_named(sql_project: Path, tmp_path: Path) -> None:
    params = load_parameters(sql_project / "params.yaml")
    records = sources.snapshot(params, tmp_path)
    record = dict(records["data.current"], query="SELECT * FROM current ORDER BY app_id DESC")
    assert "returns the same rows in another order; give the query an ORDER BY" in sources.changed(
        "data.current", record
    )
    con = sqlite3.connect(sql_project / "data" / "loans.db")
    con.execute("DELETE FROM current WHERE app_id = (SELECT min(app_id) FROM current)")
    con.commit()
    con.close()
    why = sources.changed("data.current", records["data.current"])
    assert why.startswith("data.current (query on sqlite:///") and "now returns other rows (1,999 rows" in why


# ----------------------------------------------------------------------------------- the command line
def _assert_refused(folder: Path, params: Path, *fragments: str) -> str:
    out = folder / "outputs"
    result = runner.invoke(app, ["run", str(params), "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    text = result.stderr
    errors = [line for line in text.strip().splitlines() if not line.startswith("mrmkit: ")]  # progress lines
    assert "Traceback" not in result.output and len(errors) == 1 and errors[0].startswith("error: "), text
    assert errors[0].startswith(f"error: {params}: "), text  # the parameter file first, then the field
    for fragment in fragments:
        assert fragment in " ".join(text.split()), text
    assert not list(out.rglob("manifest.json")) if out.exists() else True
    return text


@pytest.mark.parametrize(
    ("overrides", "fragments"),
    [
        ({"data__current": {"query": "SELECT * FROM loans"}}, ["data.current.query:", "no such table: loans"]),
        ({"data__current": {"query": "SELECT * FROM current WHERE FROM"}}, ["data.current.query:", "syntax error"]),
        (
            {"data__current": {"query": "SELECT * FROM current WHERE income < 0"}},
            ["data.current.query: the query returned no rows"],
        ),
        (
            {"data__current": {"query": "SELECT app_id, app_date, income FROM current"}},
            ["column", "not found in the rows of the data.current query", "its columns are: app_id, app_date, income"],
        ),
        (
            {"data__current": {"query": "SELECT * FROM current"}, "data__database": "sqlite:///data/absent.db"},
            ["data.database: the SQLite database", "absent.db does not exist"],
        ),
        (
            {"data__database": "postgresql+psycopg://u:s3cret@localhost/db"},
            ["data.database: the URL contains a password"],
        ),
        ({"data__database": None}, ["data.reference: a query needs data.database"]),
        (
            {"data__database": "postgresql+psycopg://mrmkit@127.0.0.1:1/db"},
            ["data.database: cannot connect to", "127.0.0.1"],
        ),
    ],
)
def test_cli_refuses_bad_sql_inputs(sql_project: Path, overrides: dict, fragments: list[str]) -> None:
    t = time.perf_counter()
    text = _assert_refused(sql_project, _params(sql_project, **overrides), *fragments)
    assert "s3cret" not in text
    assert time.perf_counter() - t < 15  # an unreachable server fails fast (connection refused, connect_timeout)


def test_cli_refuses_dates_a_query_gives_as_numbers(sql_project: Path) -> None:
    """The date checks of a file apply to a query's rows unchanged."""
    query = 'SELECT app_id, 20250101 AS app_date, income, utilisation, enquiries, region, "default", score, grade FROM current'
    _assert_refused(
        sql_project,
        _params(sql_project, data__current={"query": query}),
        "data.time: column 'app_date' in the rows of the data.current query holds numbers, not dates",
    )


@pytest.mark.slow
def test_run_records_the_queries_and_reproduce_reruns_them(sql_project: Path) -> None:
    out = sql_project / "outputs"
    result = runner.invoke(app, ["run", str(sql_project / "params.yaml"), "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (package,) = {p.parent for p in out.rglob("manifest.json") if ".staging" not in str(p)}
    manifest = json.loads((package / "manifest.json").read_text())
    entry = manifest["inputs"]["data.current"]
    assert entry["query"] == CUR and entry["rows"] == 2000 and entry["database"].startswith("sqlite:///")
    assert len(entry["sha256"]) == 64 and "app_date" in entry["columns"] and "path" not in entry
    index = (package / "reports" / "index.html").read_text()
    assert "query on data/loans.db: " in index and "sqlite:///" not in index  # no machine path (issue 27)
    again = runner.invoke(app, ["reproduce", str(package)], catch_exceptions=False)
    assert again.exit_code == 0, again.output
    con = sqlite3.connect(sql_project / "data" / "loans.db")
    con.execute("UPDATE current SET income = income + 1 WHERE app_id = (SELECT min(app_id) FROM current)")
    con.commit()
    con.close()
    refused = runner.invoke(app, ["reproduce", str(package)], catch_exceptions=False)
    assert refused.exit_code == 1 and "data.current (query on sqlite:///" in " ".join(refused.output.split())
