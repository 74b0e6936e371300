"""Human names of the data's columns: the parameter file's data dictionary (``data.dictionary``).

Each column may have a ``label`` ("Revolving utilisation"), a ``unit`` ("%", "months", or the model's currency
for money) and a ``description``. A column without an entry is named by :func:`humanize` of its name
(``num_enquiries_6m`` is "Num enquiries 6m"); the column name itself stays in the evidence (``metrics.json``)
and in the report's glossary, never in its prose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["humanize", "Dictionary", "SNAKE_CASE", "CITED_KEY", "without_cited_keys"]

#: A machine name in text: lower-case words joined by underscores (``savings_balance``).
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
#: A parameter key cited in parentheses after the words it names ("... of cases (policy.alert_rate)"), with the
#: comma or spaces before it.
CITED_KEY = re.compile(r",?\s*\((?:[a-z][a-z0-9_]*\.)+[a-z][a-z0-9_]*\)")


def without_cited_keys(text: str) -> str:
    """``text`` without the parameter keys cited in parentheses: the settings tables and the glossary give them."""
    return CITED_KEY.sub("", text)


def humanize(name: str) -> str:
    """``revolving_utilisation`` is "Revolving utilisation"; camelCase and dots are split too."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", str(name))
    text = re.sub(r"[_.\s]+", " ", text).strip()
    return text[:1].upper() + text[1:] if text else str(name)


@dataclass(frozen=True)
class Dictionary:
    """The data dictionary: column name to label, unit and description (each optional)."""

    entries: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: Any) -> Dictionary:
        """The dictionary of a :class:`~mrmkit.params.Parameters` (``data.dictionary``), empty without one."""
        data = getattr(params, "data", None)
        raw = getattr(data, "dictionary", None) or {}
        return cls({k: (v.model_dump() if hasattr(v, "model_dump") else dict(v)) for k, v in raw.items()})

    def label(self, column: str) -> str:
        entry = self.entries.get(column) or {}
        return str(entry.get("label") or humanize(column))

    def unit(self, column: str) -> str:
        return str((self.entries.get(column) or {}).get("unit") or "")

    def description(self, column: str) -> str:
        return str((self.entries.get(column) or {}).get("description") or "")

    def with_unit(self, column: str) -> str:
        """The label with its unit in parentheses when there is one: "Loan amount (EUR)"."""
        unit = self.unit(column)
        return f"{self.label(column)} ({unit})" if unit else self.label(column)

    def glossary(self, columns: list[str]) -> list[tuple[str, str, str, str]]:
        """(label, column name, unit, description) for each column, in the order given."""
        return [(self.label(c), c, self.unit(c), self.description(c)) for c in columns]
