"""Data inputs given as a query against a SQL database (``data.database``); not yet implemented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mrmkit.params import Parameters


def snapshot(params: Parameters, folder: Path) -> dict[str, dict[str, Any]]:
    return {}


def handles(record: dict[str, Any]) -> bool:
    return "query" in record


def changed(role: str, record: dict[str, Any]) -> str | None:
    return None
