"""Models in an MLflow registry (``models:/`` and ``runs:/`` artifacts); not yet implemented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mrmkit.params import Parameters


def snapshot(params: Parameters, folder: Path) -> dict[str, dict[str, Any]]:
    return {}


def handles(record: dict[str, Any]) -> bool:
    return "uri" in record


def changed(role: str, record: dict[str, Any]) -> str | None:
    return None
