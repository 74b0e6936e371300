"""The keys of ``metrics.json``, declared once (``metrics_schema.yaml``) and read by everything else.

The schema is a tree that mirrors ``metrics.json``. Each entry is one of

- a **group** (a mapping): its children, and optionally ``_doc``, the meaning of the group, which the
  README's key table is generated from (``tools/make_readme_keys.py``);
- a **leaf**: a type, ``number`` (an int, a float, ``"inf"`` or ``"-inf"``), ``int``, ``string``,
  ``bool``, ``list`` (of scalars) or ``any``; every leaf may also be ``null`` (NaN, or not computed);
- a **table**: ``table(column: type, ...)``, a list of records that the package keeps in
  ``tables/*.parquet`` instead of ``metrics.json`` (:mod:`mrmkit.evidence.tables`);
- a **list of records** kept inline: the key ``"[]"`` holds the schema of one record (findings, rules).

A key in angle brackets (``"<feature>"``) stands for any name taken from the data: a feature, a window,
a grade, a model, an id. A named child wins over it (``applicable`` beside ``"<attribute>"``).

:func:`unknown` lists what a metrics tree holds that the schema lacks (a test runs it on every package the
suite builds, and the runner refuses to publish undeclared keys when ``MRMKIT_SCHEMA_STRICT`` is set);
:func:`key` returns a dotted key only if it is declared, so the report, ``history`` and the findings name
nothing the schema does not know.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "Node",
    "load",
    "unknown",
    "declared",
    "key",
    "tables",
    "documented",
    "section_of",
    "sections",
    "TABLE_REF",
    "STRICT_ENV",
]

SCHEMA_FILE = Path(__file__).with_name("metrics_schema.yaml")
STRICT_ENV = "MRMKIT_SCHEMA_STRICT"
TABLE_REF = "$table"  # the key of a moved table's reference: {"$table": "tables/x.parquet", "rows": n}
LEAF_TYPES = ("number", "int", "string", "bool", "list", "any")
_TABLE = re.compile(r"^table\((.*)\)$")


@dataclass(frozen=True)
class Node:
    """One entry of the schema (see the module docstring)."""

    path: str
    kind: str  # "group", "leaf", "table" or "records"
    type: str = "any"
    doc: str | None = None
    children: dict[str, Node] = field(default_factory=dict)
    wildcard: Node | None = None
    columns: dict[str, str] = field(default_factory=dict)
    item: Node | None = None
    section: str | None = None  # the heading of the workbook report's section that shows this evidence

    def child(self, name: str) -> Node | None:
        named = self.children.get(name)
        return named if named is not None and named is not self.wildcard else self.wildcard


def _parse(value: Any, path: str) -> Node:
    if isinstance(value, str):
        kind, _, doc = (part.strip() for part in value.partition(" | "))
        table = _TABLE.match(kind)
        if table:
            columns = dict(part.split(": ", 1) for part in table.group(1).split(", ") if part)
            bad = sorted(set(columns.values()) - set(LEAF_TYPES))
            if bad:
                raise ValueError(f"{SCHEMA_FILE.name}: {path} has columns of the unknown type {bad[0]!r}")
            return Node(path, "table", "table", doc=doc or None, columns=columns)
        if kind not in LEAF_TYPES:
            raise ValueError(f"{SCHEMA_FILE.name}: {path} has the unknown type {kind!r}")
        return Node(path, "leaf", kind, doc=doc or None)
    if not isinstance(value, dict):
        raise ValueError(f"{SCHEMA_FILE.name}: {path} is neither a type nor a group")
    doc, section = value.get("_doc"), value.get("_section")
    if "[]" in value:
        return Node(path, "records", "records", doc=doc, item=_parse(value["[]"], f"{path}[]"))
    children: dict[str, Node] = {}
    wildcard = None
    for name, sub in value.items():
        if name in ("_doc", "_section"):
            continue
        node = _parse(sub, f"{path}.{name}" if path else name)
        if name.startswith("<") and name.endswith(">"):
            if wildcard is not None:
                raise ValueError(f"{SCHEMA_FILE.name}: {path} has two wildcard children")
            wildcard = node
        children[name] = node  # in file order, the wildcard too (the README lists them in this order)
    return Node(path, "group", "group", doc=doc, children=children, wildcard=wildcard, section=section)


@functools.cache
def load() -> Node:
    """The schema tree (read once per process)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10 ms instead of 100 ms
    return _parse(yaml.load(SCHEMA_FILE.read_text(encoding="utf-8"), Loader=loader), "")  # noqa: S506 (a safe loader)


def _type_ok(value: Any, kind: str) -> bool:
    if value is None or kind == "any":
        return True
    if kind == "number":
        return (isinstance(value, (int, float)) and not isinstance(value, bool)) or value in ("inf", "-inf")
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    return False


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _finding_metric_ok(metric: str, metrics: dict[str, Any]) -> bool:
    """A finding names a declared key; one with a dotted name from the data must also be recorded."""
    if declared(metric, dotted_names=False):
        return True
    return declared(metric) and _in_tree(metrics, metric)


def _check(value: Any, node: Node, path: str, out: list[str], root: dict[str, Any]) -> None:
    if value is None:
        return
    if node.kind == "leaf":
        if not _type_ok(value, node.type):
            out.append(f"{path}: {_show(value)} is not of type {node.type}")
    elif node.kind == "table":
        if isinstance(value, dict) and set(value) == {TABLE_REF, "rows"}:
            return
        if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
            out.append(f"{path}: a table must be a list of records")
            return
        for row in value:
            for column, cell in row.items():
                if column not in node.columns:
                    out.append(f"{path}[].{column}: not a declared column")
                elif not _type_ok(cell, node.columns[column]):
                    out.append(f"{path}[].{column}: {_show(cell)} is not of type {node.columns[column]}")
    elif node.kind == "records":
        if not isinstance(value, list):
            out.append(f"{path}: expected a list of records")
            return
        for item in value:
            _check(item, node.item, f"{path}[]", out, root)  # type: ignore[arg-type]
            if path.endswith("findings") and isinstance(item, dict) and isinstance(item.get("metric"), str):
                if not _finding_metric_ok(item["metric"], root):
                    out.append(f"{path}[]: the finding's metric {item['metric']!r} is not a declared key")
    else:
        if not isinstance(value, dict):
            out.append(f"{path}: {_show(value)} should be a group of keys")
            return
        for name, sub in value.items():
            child = node.child(str(name))
            where = f"{path}.{name}" if path else str(name)
            if child is None:
                out.append(f"{where}: not in the schema")
            else:
                _check(sub, child, where, out, root)


def unknown(metrics: dict[str, Any]) -> list[str]:
    """What ``metrics`` holds that the schema lacks or types otherwise, one line per problem."""
    out: list[str] = []
    _check(metrics, load(), "", out, metrics)
    return out


def strict() -> bool:
    return os.environ.get(STRICT_ENV, "") not in ("", "0")


def _match(node: Node, parts: list[str], dotted_names: bool) -> bool:
    if not parts:
        return True
    if node.kind != "group":
        return False
    head, rest = parts[0], parts[1:]
    if "*" in head:  # a pattern written in code: any entry whose name fits (a wildcard entry fits "*")
        return any(
            _match(child, rest, dotted_names)
            for name, child in node.children.items()
            if fnmatch.fnmatchcase(name, head) or (child is node.wildcard and head == "*")
        )
    named = node.children.get(head)
    if named is not None and named is not node.wildcard and _match(named, rest, dotted_names):
        return True
    if node.wildcard is None:
        return False
    if not dotted_names:
        return _match(node.wildcard, rest, dotted_names)
    # a name from the data may hold dots: try every split, the shortest name first
    return any(_match(node.wildcard, parts[i:], dotted_names) for i in range(1, len(parts) + 1))


def _in_tree(tree: Any, dotted: str) -> bool:
    """Whether ``dotted`` leads to a value of ``tree`` (its keys may hold dots)."""
    if not isinstance(tree, dict):
        return False
    for name, value in tree.items():
        name = str(name)
        if dotted == name or (dotted.startswith(name + ".") and _in_tree(value, dotted[len(name) + 1 :])):
            return True
    return False


@functools.lru_cache(maxsize=4096)
def declared(dotted: str, dotted_names: bool = True) -> bool:
    """Whether ``dotted`` (``drift.features.income.psi``) names a key or group of the schema.

    A name from the data (a feature called ``a.b``) may hold dots; ``dotted_names=False`` makes each
    ``<name>`` exactly one segment, for checking keys written in code with a placeholder.
    """
    return bool(dotted) and _match(load(), dotted.split("."), dotted_names)


def key(dotted: str, dotted_names: bool = True) -> str:
    """``dotted`` itself, if declared; a :class:`KeyError` names it otherwise (a programming error).

    A part with ``*`` is a pattern written in code (``constant_*``; ``*`` alone also fits ``<name>``).
    """
    if not declared(dotted, dotted_names):
        raise KeyError(f"{dotted!r} is not a key of {SCHEMA_FILE.name}")
    return dotted


def tables(metrics: dict[str, Any]) -> Iterator[tuple[tuple[str, ...], list[dict[str, Any]]]]:
    """``(path, records)`` of every non-empty table in ``metrics``, in sorted key order."""

    def walk(
        value: Any, node: Node | None, path: tuple[str, ...]
    ) -> Iterator[tuple[tuple[str, ...], list[dict[str, Any]]]]:
        if node is None or value is None:
            return
        if node.kind == "table":
            if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
                yield path, value
        elif node.kind == "group" and isinstance(value, dict):
            for name in sorted(value, key=str):
                yield from walk(value[name], node.child(str(name)), (*path, str(name)))

    yield from walk(metrics, load(), ())


def section_of(dotted: str) -> str | None:
    """The report section (``_section``) of the deepest group on the way to ``dotted`` that names one."""
    found: list[str | None] = [None]

    def walk(node: Node, parts: list[str]) -> bool:
        if node.section:
            found.append(node.section)
        if not parts:
            return True
        if node.kind != "group":
            return False
        depth = len(found)
        named = node.children.get(parts[0])
        if named is not None and named is not node.wildcard and walk(named, parts[1:]):
            return True
        del found[depth:]
        if node.wildcard is not None:
            for i in range(1, len(parts) + 1):
                if walk(node.wildcard, parts[i:]):
                    return True
                del found[depth:]
        return False

    walk(load(), dotted.split("."))
    return found[-1]


def sections() -> dict[str, set[str]]:
    """Every ``_section`` named in the schema, by workbook."""
    out: dict[str, set[str]] = {}

    def walk(node: Node, workbook: str) -> None:
        if node.section:
            out.setdefault(workbook, set()).add(node.section)
        for child in node.children.values():
            walk(child, workbook)

    for name, child in load().children.items():
        walk(child, name)
    return out


def documented() -> Iterator[Node]:
    """The schema's documented entries, in file order (the rows of the README's key table)."""

    def walk(node: Node) -> Iterator[Node]:
        if node.doc:
            yield node
        for child in node.children.values():
            yield from walk(child)
        if node.item is not None:
            yield from walk(node.item)

    yield from walk(load())
