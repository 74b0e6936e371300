"""What a parameter file may say about a database: its URL (:func:`check_url`, :func:`sqlite_path`) and a
query (:func:`check_query`), checked when the parameters are read.

Pure text checks, with no database driver: :mod:`mrmkit.sources.sql`, which connects and fetches, uses
them too (and documents why each rule is what it is).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from mrmkit.errors import shorten

__all__ = ["check_query", "check_url", "sqlite_path"]

_SQLITE = re.compile(r"^sqlite(\+pysqlite)?://(?P<rest>.*)$", re.S)
_POSTGRES = re.compile(r"^postgresql(\+psycopg)?://", re.S)
# statement keywords that write, lock or change the session; refused anywhere outside literals and comments
_WRITES = (
    "INSERT",
    "UPDATE",
    "DELETE",
    "MERGE",
    "DROP",
    "CREATE",
    "ALTER",
    "TRUNCATE",
    "GRANT",
    "REVOKE",
    "COPY",
    "ATTACH",
    "DETACH",
    "PRAGMA",
    "VACUUM",
    "REINDEX",
    "ANALYZE",
    "COMMIT",
    "ROLLBACK",
    "SAVEPOINT",
    "RELEASE",
    "BEGIN",
    "LOCK",
    "EXECUTE",
    "PREPARE",
    "LISTEN",
    "NOTIFY",
    "INTO",
    "SET_CONFIG",
)
_LITERALS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|\$(\w*)\$.*?\$\1\$", re.S)


def check_url(value: str, base_dir: Path | str | None) -> str:
    """``data.database`` as recorded: a SQLite file resolved to an absolute path, a PostgreSQL URL for psycopg.

    Refused (``ValueError``, which the parameter loader turns into one sentence naming ``data.database``): a
    password in the URL, another dialect, an in-memory SQLite database, options in a SQLite URL.
    """
    value = value.strip()
    m = _SQLITE.match(value)
    if m:
        rest = m.group("rest")
        if not rest.startswith("/") or rest in ("/", "/:memory:") or "?" in rest:
            raise ValueError(
                "a SQLite database is given as sqlite:///relative/path.db or sqlite:////absolute/path.db, "
                "without options (mrmkit opens the file read-only itself)"
            )
        path = Path(rest[1:]).expanduser()
        if not path.is_absolute():
            if base_dir is None:
                raise ValueError("a relative SQLite path needs the parameter file's folder to resolve against")
            path = Path(base_dir) / path
        return f"sqlite:///{path.resolve()}"
    if _POSTGRES.match(value):
        parts = urlsplit(value)
        if parts.password is not None or "password" in {k.lower() for k in parse_qs(parts.query)}:
            raise ValueError(
                "the URL contains a password, and the parameter file is copied into every evidence "
                "package; remove it and give the password in PGPASSWORD, a PGPASSFILE, or the environment "
                "variable named by data.database_password_env"
            )
        if not parts.hostname and "host" not in parse_qs(parts.query):
            raise ValueError("give the PostgreSQL server, e.g. postgresql+psycopg://user@host:5432/database")
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    raise ValueError(
        "give a SQLAlchemy URL of a SQLite file (sqlite:///data/logs.db) or of a PostgreSQL database "
        f"(postgresql+psycopg://user@host:5432/database); got {shorten(value.split('://', 1)[0])}://..."
    )


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL as :func:`check_url` resolved it, else ``None``."""
    m = _SQLITE.match(url)
    return Path(m.group("rest")[1:]) if m else None


def check_query(text: str) -> str:
    """``text`` when it is one statement that only reads (``SELECT`` or ``WITH``); else ``ValueError``.

    Literals, quoted names and comments are blanked out first, so a ``;`` or a keyword inside a string does
    not count. This refuses mistakes and obvious attempts early; the database's read-only mode is the guard.
    """
    code = _LITERALS.sub(" ", text).strip()
    if code.endswith(";"):
        code = code[:-1].rstrip()
    if ";" in code:
        raise ValueError("give one statement; ';' joins several, and only a single SELECT is run")
    words = re.findall(r"[A-Za-z_]+", code)
    if not words or words[0].upper() not in ("SELECT", "WITH"):
        raise ValueError(f"a query starts with SELECT or WITH; got {shorten(words[0] if words else code)}")
    found = sorted({w.upper() for w in words} & set(_WRITES))
    if found:
        raise ValueError(f"a query may only read, and {', '.join(found)} would write, lock or change the session")
    return text
