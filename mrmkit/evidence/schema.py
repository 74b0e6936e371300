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

The frozen pydantic models of :mod:`mrmkit.evidence.models` are built from this tree, and
:func:`mrmkit.evidence.metrics.validate` checks every package's metrics with them on every run;
:func:`key` returns a dotted key only if it is declared, so the report, ``history`` and the findings name
nothing the schema does not know.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "Node",
    "load",
    "in_tree",
    "declared",
    "key",
    "tables",
    "documented",
    "section_of",
    "sections",
    "TABLE_REF",
]

SCHEMA_FILE = Path(__file__).with_name("metrics_schema.yaml")
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


def in_tree(tree: Any, dotted: str) -> bool:
    """Whether ``dotted`` leads to a value of ``tree`` (its keys may hold dots)."""
    if not isinstance(tree, dict):
        return False
    for name, value in tree.items():
        name = str(name)
        if dotted == name or (dotted.startswith(name + ".") and in_tree(value, dotted[len(name) + 1 :])):
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
