"""Flattened keys and the key-by-key comparison of two metric trees (:func:`flatten`, :func:`compare_metrics`).

The key rules and the float tolerance are in the docstring of :mod:`mrmkit.compare`.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

REL_TOL = 1e-9
ABS_TOL = 1e-12
STATUS_KEYS = frozenset({"status", "psi_status", "severity", "zone", "recommendation", "outcome"})
LIST_ID_FIELDS: tuple[tuple[str, ...], ...] = (("name",), ("metric",), ("rule",), ("feature", "step"), ("id",))


# --------------------------------------------------------------------------------------------- flatten


def _label(value: Any) -> str:
    return "null" if value is None else str(value)


def _item_labels(parent: str | None, items: list[Any]) -> list[str] | None:
    """Stable labels for the items of a list of dicts, or ``None`` to index by position."""
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    if parent == "findings" and all("metric" in item for item in items):
        metrics = Counter(_label(item["metric"]) for item in items)
        labels = [
            _label(item["metric"])
            if metrics[_label(item["metric"])] == 1
            else f"{_label(item['metric'])} | {_label(item.get('title'))}"
            for item in items
        ]
        seen: Counter[str] = Counter()
        unique = []
        for label in labels:  # the same metric and title twice: number the repeats, in order
            seen[label] += 1
            unique.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
        return unique
    for fields in LIST_ID_FIELDS:
        if all(all(f in item for f in fields) for item in items):
            values = [tuple(item[f] for f in fields) for item in items]
            if not all(isinstance(v, (str, int, float)) or v is None for t in values for v in t):
                continue
            labels = ["@".join(_label(v) for v in t if v is not None) or "null" for t in values]
            if len(set(labels)) == len(labels):
                return labels
    return None


def _walk(value: Any, key: str, last: str | None) -> Iterator[tuple[str, Any, bool]]:
    """Yield ``(key, leaf value, is_status)``; ``last`` is the dict key the value sits under."""
    if isinstance(value, dict) and value:
        for name, child in value.items():
            name = str(name)
            yield from _walk(child, f"{key}.{name}" if key else name, name)
    elif isinstance(value, (list, tuple)) and value:
        labels = _item_labels(last, list(value))
        for i, child in enumerate(value):
            yield from _walk(child, f"{key}[{labels[i] if labels else i}]", None)
    else:
        yield key, value, last in STATUS_KEYS


def _flat(metrics: dict[str, Any]) -> dict[str, tuple[Any, bool]]:
    return {key: (value, status) for key, value, status in _walk(metrics, "", None)}


def flatten(metrics: dict[str, Any]) -> dict[str, Any]:
    """One dotted key per recorded value of a metrics tree (see the module docstring for the key rules).

    Parameters
    ----------
    metrics : dict
        ``metrics.json`` as loaded: ``{workbook: {...nested dicts and lists...}}``.

    Returns
    -------
    dict
        ``{"drift.features.income.psi": 0.03, "backtest.stress.rows[income_fall].mean_pd": 0.021, ...}``
        in the order of the tree.
    """
    return {key: value for key, (value, _) in _flat(metrics).items()}


# --------------------------------------------------------------------------------------------- compare


def _number(value: Any) -> float | int | None:
    """A number for comparison, with ``"inf"``/``"-inf"`` read as infinities; ``None`` if not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if value == "inf":
        return math.inf
    if value == "-inf":
        return -math.inf
    return None


def _equal(a: Any, b: Any, rel_tol: float, abs_tol: float) -> bool:
    x, y = _number(a), _number(b)
    if x is not None and y is not None:
        if isinstance(x, int) and isinstance(y, int):
            return x == y
        if math.isnan(x) or math.isnan(y):  # NaN only from an in-memory tree; metrics.json stores None
            return math.isnan(x) and math.isnan(y)
        return math.isclose(x, y, rel_tol=rel_tol, abs_tol=abs_tol)
    if type(a) is not type(b) and not (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))):
        return False
    return a == b


def _natural(key: str) -> tuple[Any, ...]:
    """Sort key that puts ``rows[2]`` before ``rows[10]``."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _signed(value: float, exact: bool = False) -> str:
    """``value`` with its sign: 4 significant digits, or in full (``repr``) when ``exact``."""
    if exact and math.isfinite(value):
        return ("+" if value >= 0 else "") + repr(value)
    return f"{value:+.4g}"


def plain(value: Any) -> Any:
    """``value`` in plain JSON types: infinities as ``"inf"``/``"-inf"`` (as ``metrics.json`` writes them),
    NaN as ``None``, NumPy scalars as Python numbers, tuples as lists, anything else JSON lacks as text."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    item = getattr(value, "item", None)  # a NumPy scalar
    if callable(item):
        try:
            return plain(item())
        except (TypeError, ValueError):
            pass
    if hasattr(value, "isoformat"):  # a date YAML read
        return value.isoformat()
    return str(value)


def workbook_of(key: str) -> str:
    """The workbook a flattened key belongs to: its first part (``drift`` of ``drift.score.psi``)."""
    return re.split(r"[.\[]", key, maxsplit=1)[0]


@dataclass(frozen=True, slots=True)
class MetricChange:
    """One key that differs between two metric trees.

    ``kind`` is ``"added"`` (only in B; ``old`` is ``None``), ``"removed"`` (only in A; ``new`` is
    ``None``) or ``"changed"``. For two numbers, ``abs_change = new - old`` and
    ``rel_change = (new - old) / |old|`` (``None`` when ``old`` is 0 or either is infinite).
    """

    key: str
    kind: str
    old: Any = None
    new: Any = None
    abs_change: float | None = None
    rel_change: float | None = None
    is_status: bool = False

    def describe(self, exact: bool = False) -> str:
        """``key: old -> new (change)`` as one line of plain text.

        The values are always shown in full (floats as ``repr``); the change in brackets is rounded to 4
        significant digits (3 for the percentage) unless ``exact``, which shows it in full too.
        """
        if self.kind == "added":
            return f"{self.key}: added, {_fmt(self.new)}"
        if self.kind == "removed":
            return f"{self.key}: removed, was {_fmt(self.old)}"
        text = f"{self.key}: {_fmt(self.old)} -> {_fmt(self.new)}"
        if self.abs_change is not None:
            ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (self.old, self.new))
            extra = f"{self.new - self.old:+d}" if ints and exact else _signed(self.abs_change, exact)
            if self.rel_change is not None:
                extra += f", {_signed(self.rel_change * 100, exact) if exact else f'{self.rel_change * 100:+.3g}'}%"
            text += f" ({extra})"
        return text

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (infinities as ``"inf"``/``"-inf"``, NaN as ``None``; see :func:`plain`)."""
        return {
            "key": self.key,
            "kind": self.kind,
            "old": plain(self.old),
            "new": plain(self.new),
            "abs_change": plain(self.abs_change),
            "rel_change": plain(self.rel_change),
            "is_status": self.is_status,
        }


def _change(key: str, old: Any, new: Any, is_status: bool) -> MetricChange:
    x, y = _number(old), _number(new)
    abs_change = rel_change = None
    if x is not None and y is not None:
        delta = y - x
        if not math.isnan(delta):
            abs_change = float(delta)
            if x != 0 and math.isfinite(x) and math.isfinite(y):
                rel_change = float(delta / abs(x))
    return MetricChange(key, "changed", old, new, abs_change, rel_change, is_status)


@dataclass(frozen=True, slots=True)
class MetricDiff:
    """Every difference between two metric trees, status changes first, then by key.

    ``changes`` holds only the keys that differ; ``equal`` counts the others. ``rel_tol`` and ``abs_tol``
    are the float tolerance used (see the module docstring).
    """

    changes: tuple[MetricChange, ...]
    equal: int
    rel_tol: float
    abs_tol: float

    @property
    def identical(self) -> bool:
        """No key added, removed or changed."""
        return not self.changes

    @property
    def status_changes(self) -> list[MetricChange]:
        return [c for c in self.changes if c.is_status]

    @property
    def other_changes(self) -> list[MetricChange]:
        return [c for c in self.changes if not c.is_status]

    @property
    def added(self) -> list[MetricChange]:
        return [c for c in self.changes if c.kind == "added"]

    @property
    def removed(self) -> list[MetricChange]:
        return [c for c in self.changes if c.kind == "removed"]

    @property
    def changed(self) -> list[MetricChange]:
        return [c for c in self.changes if c.kind == "changed"]

    @property
    def summary(self) -> dict[str, int]:
        """Counts: ``added``, ``removed``, ``changed``, ``equal``, ``status_changes``, ``compared``."""
        counts = Counter(c.kind for c in self.changes)
        return {
            "added": counts["added"],
            "removed": counts["removed"],
            "changed": counts["changed"],
            "equal": self.equal,
            "status_changes": len(self.status_changes),
            "compared": self.equal + len(self.changes),
        }

    def summary_line(self) -> str:
        s = self.summary
        return (
            f"{s['changed']} changed, {s['added']} added, {s['removed']} removed, {s['equal']} equal "
            f"of {s['compared']} metrics (floats equal within rel_tol={self.rel_tol:g}, abs_tol={self.abs_tol:g})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "rel_tol": self.rel_tol,
            "abs_tol": self.abs_tol,
            "changes": [c.to_dict() for c in self.changes],
        }


def compare_metrics(
    a: dict[str, Any], b: dict[str, Any], rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL
) -> MetricDiff:
    """Compare two metric trees key by key.

    Parameters
    ----------
    a, b : dict
        Metric trees (``metrics.json`` as loaded); ``a`` is the old one.
    rel_tol, abs_tol : float
        Floats are equal when ``math.isclose(x, y, rel_tol=rel_tol, abs_tol=abs_tol)``; integers,
        booleans, strings and ``None`` are compared exactly (module docstring: why 1e-9 and 1e-12).

    Returns
    -------
    MetricDiff
        Changes with status keys (last key in :data:`STATUS_KEYS`) first, then the others, each group
        sorted by key (numbers inside keys in numeric order); and the counts in ``summary``.
    """
    if rel_tol < 0 or abs_tol < 0:
        raise ValueError(f"rel_tol and abs_tol must be non-negative; got rel_tol={rel_tol}, abs_tol={abs_tol}.")
    flat_a, flat_b = _flat(a), _flat(b)
    changes, equal = [], 0
    for key in flat_a.keys() | flat_b.keys():
        if key not in flat_b:
            old, status = flat_a[key]
            changes.append(MetricChange(key, "removed", old=old, is_status=status))
        elif key not in flat_a:
            new, status = flat_b[key]
            changes.append(MetricChange(key, "added", new=new, is_status=status))
        else:
            (old, status), (new, _) = flat_a[key], flat_b[key]
            if _equal(old, new, rel_tol, abs_tol):
                equal += 1
            else:
                changes.append(_change(key, old, new, status))
    changes.sort(key=lambda c: (not c.is_status, _natural(c.key)))
    return MetricDiff(tuple(changes), equal, rel_tol, abs_tol)
