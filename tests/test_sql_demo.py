"""The demo read from databases: demo_sql.yaml on SQLite gives exactly demo.yaml's metrics, and the same file on a
real PostgreSQL server (a throwaway cluster of Debian's postgresql, started here) gives exactly the SQLite ones;
PostgreSQL refuses every write, and its connection and query errors are one sentence naming the field."""

from __future__ import annotations

import glob
import math
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from mrmkit.cli import app
from mrmkit.compare import flatten, read_metrics
from mrmkit.demo import build_demo
from mrmkit.demo.database import TABLES
from mrmkit.errors import InvalidInput
from mrmkit.run.runner import run
from mrmkit.sources import sql
from tests.conftest import free_port

pytestmark = pytest.mark.slow
SIZES = {"n_reference": 3000, "n_per_window": 800, "n_windows": 4}  # a small demo: the same code paths, faster


def _same(a: object, b: object) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


def _metrics(params: Path, out: Path) -> dict:
    return flatten(read_metrics(run(params, None, out).package))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A small demo build and the metrics of demo.yaml (files) and demo_sql.yaml (SQLite queries)."""
    root = tmp_path_factory.mktemp("sql_demo")
    build = build_demo(root / "demo", **SIZES)
    files = _metrics(build.parameters, root / "out_files")
    sqlite = _metrics(build.sql_parameters, root / "out_sqlite")
    return build, files, sqlite


def test_sqlite_queries_give_exactly_the_metrics_of_the_files(demo) -> None:
    build, files, sqlite = demo
    assert set(sqlite) == set(files) and len(files) > 1000
    different = [k for k in files if not _same(files[k], sqlite[k])]
    assert different == []
    print(f"{len(files)} metrics identical")  # noqa: T201  (shown with -s: the size of the comparison)
    raw = yaml.safe_load(build.sql_parameters.read_text())
    assert (
        raw["data"]["database"] == "sqlite:///data/demo.db" and "query" in raw["champion_challenger"]["shadow"]["data"]
    )
    assert "query" in raw["data"]["current"] and "var" not in raw["backtest"]  # the P&L is the VaR engine's


def test_the_var_series_query_gives_exactly_the_metrics_of_the_file(demo, tmp_path: Path) -> None:
    """demo_var.yaml with its P&L series read from demo.db's var_series table instead of the Parquet file."""
    build = demo[0]
    raw = yaml.safe_load(build.var_parameters.read_text())
    raw["data"] = {"database": "sqlite:///data/demo.db"}
    raw["backtest"]["var"]["data"] = {"query": "SELECT * FROM var_series ORDER BY date"}
    params = build.out_dir / "demo_var_sql.yaml"
    params.write_text(yaml.safe_dump(raw, sort_keys=False))
    files, sqlite = _metrics(build.var_parameters, tmp_path / "files"), _metrics(params, tmp_path / "sqlite")
    assert set(sqlite) == set(files) and any(k.startswith("backtest.var.levels.var_99") for k in files)
    assert [k for k in files if not _same(files[k], sqlite[k])] == []


# ----------------------------------------------------------------------------------- a real PostgreSQL server
@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL cluster on 127.0.0.1 (trust authentication, user mrmkit), stopped afterwards.

    initdb refuses to run as root: as root, the cluster belongs to the ``postgres`` user (``runuser``).
    """
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or [shutil.which("initdb") or ""]
    if not found[-1]:
        assert not os.environ.get("CI"), "PostgreSQL is not installed: .ci/run installs it, so CI must have it"
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql; .ci/run installs it)")
    bindir = Path(found[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="mrmkit-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        import pwd

        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to own the test cluster")
        os.chown(root, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    port, data = free_port(), root / "data"
    t = time.perf_counter()
    subprocess.run(
        [
            *as_user,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "mrmkit",
            "--locale=C",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_user,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-w",
            "-o",
            f"-k {root} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    started = time.perf_counter() - t
    try:
        yield {"url": f"postgresql+psycopg://mrmkit@127.0.0.1:{port}", "port": port, "started_s": started}
    finally:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def pg_demo(demo, postgres):
    """The demo's tables in a PostgreSQL database ``demo`` (written with an ordinary read-write connection)."""
    import psycopg
    import sqlalchemy as sa

    with psycopg.connect(f"host=127.0.0.1 port={postgres['port']} user=mrmkit dbname=postgres", autocommit=True) as c:
        c.execute("CREATE DATABASE demo")
    engine = sa.create_engine(f"{postgres['url']}/demo")
    for table, file in TABLES.items():
        pd.read_parquet(demo[0].out_dir / "data" / file).to_sql(table, engine, index=False)
    engine.dispose()
    return f"{postgres['url']}/demo"


def test_postgres_gives_exactly_the_metrics_of_sqlite(demo, pg_demo, tmp_path: Path) -> None:
    build, _, sqlite = demo
    raw = yaml.safe_load(build.sql_parameters.read_text())
    raw["data"]["database"] = pg_demo
    params = build.out_dir / "demo_pg.yaml"
    params.write_text(yaml.safe_dump(raw, sort_keys=False))
    pg = _metrics(params, tmp_path / "out")
    assert set(pg) == set(sqlite)
    assert [k for k in sqlite if not _same(sqlite[k], pg[k])] == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ab_log SET arm = 'champion'",
        "SELECT 1; DROP TABLE ab_log",
        "WITH d AS (DELETE FROM ab_log RETURNING *) SELECT * FROM d",
        "SELECT * INTO stolen FROM ab_log",
        "DROP TABLE ab_log",
    ],
)
def test_postgres_refuses_every_write(demo, pg_demo, statement: str) -> None:
    """Past the text check (fetch is called directly), the read-only transaction is the guard."""
    import sqlalchemy as sa

    with pytest.raises(InvalidInput, match=r"^champion_challenger\.ab\.data\.query: the database refused"):
        sql.fetch(pg_demo, statement, "champion_challenger.ab.data")
    engine = sa.create_engine(pg_demo)
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*), count(DISTINCT arm) FROM ab_log").one() == (
            len(pd.read_parquet(demo[0].ab_log)),
            2,
        )
        assert c.exec_driver_sql("SELECT to_regclass('stolen')").scalar() is None
    engine.dispose()


def test_postgres_errors_name_the_field(demo, pg_demo, postgres, monkeypatch: pytest.MonkeyPatch) -> None:
    build = demo[0]
    cases = [
        (
            {"database": f"{postgres['url']}/nope"},
            ["data.database: cannot connect to", 'database "nope" does not exist'],
        ),
        ({"current": {"query": "SELECT * FROM loans"}}, ["data.current.query:", 'relation "loans" does not exist']),
        (
            {"current": {"query": "SELECT * FROM current WHERE annual_income < 0"}},
            ["data.current.query: the query returned no rows"],
        ),
        (
            {"database_password_env": "MRMKIT_TEST_PG_PASSWORD"},
            ["data.database_password_env: the environment variable MRMKIT_TEST_PG_PASSWORD is not set"],
        ),
    ]
    monkeypatch.delenv("MRMKIT_TEST_PG_PASSWORD", raising=False)
    for edit, fragments in cases:
        raw = yaml.safe_load(build.sql_parameters.read_text())
        raw["data"].update({"database": pg_demo, **edit})
        params = build.out_dir / "demo_bad.yaml"
        params.write_text(yaml.safe_dump(raw, sort_keys=False))
        out = build.out_dir / "bad_out"
        result = CliRunner().invoke(app, ["run", str(params), "--out", str(out)], catch_exceptions=False)
        errors = [line for line in result.stderr.strip().splitlines() if not line.startswith("mrmkit: ")]
        assert result.exit_code == 2 and len(errors) == 1, result.stderr
        for fragment in fragments:
            assert fragment in " ".join(errors[0].split()), errors[0]
        assert not list(out.rglob("manifest.json")) if out.exists() else True


def test_postgres_password_from_the_environment_is_never_recorded(pg_demo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MRMKIT_TEST_PG_PASSWORD", "n0t-in-any-file")
    table = sql.fetch(pg_demo, "SELECT * FROM var_series ORDER BY date", "backtest.var.data", "MRMKIT_TEST_PG_PASSWORD")
    record = sql._record(pg_demo, "SELECT * FROM var_series ORDER BY date", "MRMKIT_TEST_PG_PASSWORD", table)
    assert table.num_rows == 500 and "n0t-in-any-file" not in repr(record)
    assert record["password_env"] == "MRMKIT_TEST_PG_PASSWORD"
