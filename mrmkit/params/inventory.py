"""The model inventory: a YAML file listing every model a bank validates, and which ones are due.

```yaml
models:
  - id: retail-pd
    name: Retail PD scorecard
    owner: credit-risk
    risk_tier: high
    status: production          # development | production | retired
    parameters: retail/params.yaml   # relative to the inventory file
    frequency: annual           # monthly | quarterly | semiannual | annual
    last_validated: 2025-03-31  # or null: never validated
```

Unknown keys are errors at every level and ids must be unique; every problem is one ``InvalidParameters``
sentence naming the file and the field, like the parameter file's. ``due`` never reads the clock: the
caller passes ``today``.
"""

from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from mrmkit.errors import InvalidParameters
from mrmkit.params.parameters import read_yaml

__all__ = ["Inventory", "InventoryEntry", "load_inventory", "inventory_from_dict", "due", "next_due", "MONTHS"]

#: Months between validations for each frequency.
MONTHS: dict[str, int] = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InventoryEntry(_Section):
    """One model of the inventory."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", description="Model id, unique in the inventory.")
    name: str = Field(description="Human-readable model name.")
    owner: str = Field(description="Accountable owner.")
    risk_tier: str = Field(description="Risk tier (for example high, medium, low).")
    status: Literal["development", "production", "retired"]
    parameters: Path = Field(description="Parameter file, relative to the inventory file.")
    frequency: Literal["monthly", "quarterly", "semiannual", "annual"]
    last_validated: date | None = Field(None, description="Date of the last approved validation; null if never.")

    @field_validator("parameters", mode="after")
    @classmethod
    def _resolve(cls, value: Path, info: ValidationInfo) -> Path:
        path = Path(value).expanduser()
        base = (info.context or {}).get("base_dir")
        if not path.is_absolute() and base is not None:
            path = Path(base) / path
        return path.resolve()


class Inventory(_Section):
    """Every model of the inventory, in file order."""

    models: list[InventoryEntry]


def _add_months(day: date, months: int) -> date:
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_due(entry: InventoryEntry) -> date | None:
    """The date the next validation is due; ``None`` when never validated (due now) or retired (never due)."""
    if entry.status == "retired" or entry.last_validated is None:
        return None
    return _add_months(entry.last_validated, MONTHS[entry.frequency])


def due(inventory: Inventory, today: date) -> list[InventoryEntry]:
    """Production and development models never validated, or whose last validation + frequency <= today."""
    chosen = []
    for entry in inventory.models:
        if entry.status == "retired":
            continue
        when = next_due(entry)
        if when is None or when <= today:
            chosen.append(entry)
    return chosen


def _where(loc: tuple, raw: dict) -> str:
    """``models[2] (id 'x').field`` for a pydantic error location."""
    parts: list[str] = []
    for i, part in enumerate(loc):
        if isinstance(part, int) and i > 0 and loc[i - 1] == "models":
            parts[-1] += f"[{part}]"
            models = raw.get("models")
            if isinstance(models, list) and part < len(models) and isinstance(models[part], dict):
                if "id" in models[part]:
                    parts[-1] += f" (id {models[part]['id']!r})"
        else:
            parts.append(str(part))
    return ".".join(parts) or "(top level)"


def inventory_from_dict(raw: object, base_dir: Path, source: str) -> Inventory:
    """Validate a parsed inventory mapping; ``source`` names the file in error messages."""
    if not isinstance(raw, dict):
        raise InvalidParameters(f"{source}: the inventory must be a YAML mapping with a 'models' list.")
    try:
        inventory = Inventory.model_validate(raw, context={"base_dir": Path(base_dir)})
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        where = _where(first["loc"], raw)
        prefix = f"{_where(first['loc'][:-1], raw)}: " if len(first["loc"]) > 1 else ""
        key = str(first["loc"][-1]) if first["loc"] else ""
        if first["type"] == "extra_forbidden":
            allowed = InventoryEntry.model_fields if len(first["loc"]) > 1 else Inventory.model_fields
            text = f"{prefix}unknown key {key!r} (allowed here: {', '.join(allowed)})"
        elif first["type"] == "missing":
            text = f"{prefix}required key {key!r} is missing"
        else:
            text = f"{where}: {first['msg']} (got {first.get('input')!r})"
        more = len(errors) - 1
        suffix = f"; and {more} more problem{'s' if more > 1 else ''}" if more else ""
        raise InvalidParameters(f"{source}: {text}{suffix}.") from None
    seen: dict[str, int] = {}
    for i, entry in enumerate(inventory.models):
        if entry.id in seen:
            raise InvalidParameters(
                f"{source}: models[{i}].id: duplicate model id {entry.id!r} (first at models[{seen[entry.id]}])."
            )
        seen[entry.id] = i
    return inventory


def load_inventory(path: str | Path) -> Inventory:
    """Read and validate an inventory file; every problem is one ``InvalidParameters`` sentence."""
    path = Path(path)
    raw = read_yaml(path, "Inventory file")
    return inventory_from_dict(raw, path.resolve().parent, str(path))
