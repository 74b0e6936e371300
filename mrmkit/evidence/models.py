"""Frozen pydantic models of ``metrics.json``, one per workbook, built from ``metrics_schema.yaml``.

**The YAML stays the one place to edit.** A newcomer who adds a key to a workbook writes one line in
``metrics_schema.yaml`` (its type and meaning, under the report section that shows it); the models, the
JSON Schema written into every package, the README's key table (``tools/make_readme_keys.py``), the
report's sections (:func:`mrmkit.evidence.schema.section_of`) and the checks of dotted keys written in
code (:func:`mrmkit.evidence.schema.key`) all follow from that line. The alternative, Python model
modules as the source, would have moved 1,300 meanings and the section headings into ``Field`` metadata
and rewritten every reader of the tree for the benefit of static attribute completion; the models here
are built with :func:`pydantic.create_model` at first use (about 0.1 s, once per process) instead.

How the schema's entries (:mod:`mrmkit.evidence.schema`) become types:

- a **group** is a frozen model that forbids extra keys; each child is an optional field named like the
  key (or, where the key is not an identifier, such as ``"n/a"``, a field whose alias is the key);
- a group of only ``"<name>"`` entries is ``dict[str, Child]``; a group with named children beside
  ``"<name>"`` (``champion_challenger.fairness``) is a model whose extra keys are typed as ``Child``;
- a **leaf** is a value of its type or ``None``: ``number`` is an int, a finite float, ``"inf"`` or
  ``"-inf"`` (never a bool); ``int``, ``string`` and ``bool`` are exactly that; ``list`` is a list;
  ``any`` is any JSON value;
- a **table** is a list of rows (a model of its declared columns) or, once :mod:`~mrmkit.evidence.tables`
  has moved it to Parquet, its reference ``{"$table": "tables/x.parquet", "rows": n}``;
- a **list of records** (``"[]"``) is a list of its item's type; a finding's ``metric`` must name a
  declared key (one holding a name from the data, such as a feature ``a.b``, must also be recorded).

:func:`workbook_model` and :func:`metrics_model` give the models; :mod:`mrmkit.evidence.metrics` validates,
serialises and writes the JSON Schema with them.
"""

from __future__ import annotations

import functools
import keyword
import math
import re
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    ValidationInfo,
    WithJsonSchema,
    create_model,
)

from mrmkit.evidence import schema
from mrmkit.evidence.schema import Node

__all__ = ["workbooks", "workbook_model", "metrics_model", "field_name", "TABLE_TAGS"]

_FROZEN = ConfigDict(frozen=True, extra="forbid", populate_by_name=False, defer_build=True)
TABLE_TAGS = ("[rows]", "[table file]")  # the tags of a table's two forms (left out of a problem's place)


def _show(value: Any) -> str:
    """``value`` as a problem names it: its repr, cut to 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return value in ("inf", "-inf")


_CHECKS = {
    "number": _is_number,
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "list": lambda v: isinstance(v, list),
}
_JSON = {
    "number": {"anyOf": [{"type": "number"}, {"enum": ["inf", "-inf"]}, {"type": "null"}]},
    "int": {"type": ["integer", "null"]},
    "string": {"type": ["string", "null"]},
    "bool": {"type": ["boolean", "null"]},
    "list": {"type": ["array", "null"]},
}
_PYTHON = {"number": int | float | str | None, "int": int | None, "string": str | None, "bool": bool | None}


def _checker(kind: str):
    ok = _CHECKS[kind]

    def check(value: Any) -> Any:
        if value is not None and not ok(value):
            raise ValueError(f"{_show(value)} is not of type {kind}")
        return value

    return check


@functools.cache
def _leaf(kind: str) -> Any:
    """The annotated type of a leaf: one validator (one clear problem per value) and its JSON Schema."""
    if kind == "any":
        return Any
    return Annotated[_PYTHON.get(kind, list | None), PlainValidator(_checker(kind)), WithJsonSchema(_JSON[kind])]


def _finding_metric(value: Any, info: ValidationInfo) -> Any:
    if value is None:
        return value
    if not isinstance(value, str):
        raise ValueError(f"{_show(value)} is not of type string")
    root = (info.context or {}).get("root")
    if schema.declared(value, dotted_names=False):
        return value
    if schema.declared(value) and (root is None or schema.in_tree(root, value)):
        return value
    raise ValueError(f"the finding's metric {value!r} is not a declared key")


_FINDING_METRIC = Annotated[str | None, PlainValidator(_finding_metric), WithJsonSchema(_JSON["string"])]


def field_name(key: str) -> str:
    """The model field of ``key``: the key itself where it can be an attribute, else a safe name (aliased)."""
    if key.isidentifier() and not keyword.iskeyword(key) and not key.startswith("_") and not hasattr(BaseModel, key):
        return key
    return "k_" + re.sub(r"\W", "_", key).strip("_")


def _model_name(path: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", path.replace("[]", " item "))
    return "".join(w[:1].upper() + w[1:] for w in words) or "Metrics"


class _Builder:
    """Turns the schema tree into types, naming each model after its path (unique within the tree)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def _name(self, path: str) -> str:
        base = _model_name(path)
        name, n = base, 1
        while name in self.names:
            n += 1
            name = f"{base}{n}"
        self.names.add(name)
        return name

    def type_of(self, node: Node) -> Any:
        if node.kind == "leaf":
            return _leaf(node.type)
        if node.kind == "table":
            return self._table(node)
        if node.kind == "records":
            return list[self.type_of(node.item)] | None  # type: ignore[arg-type,misc]
        return self._group(node)

    def _table(self, node: Node) -> Any:
        columns = {
            field_name(c): (_leaf(t), Field(default=None, alias=c if field_name(c) != c else None))
            for c, t in node.columns.items()
        }
        row = create_model(self._name(f"{node.path} row"), __config__=_FROZEN, **columns)  # type: ignore[call-overload]
        ref = create_model(
            self._name(f"{node.path} file"),
            __config__=_FROZEN,
            table=(str, Field(alias=schema.TABLE_REF)),
            rows=(int, Field(strict=True, ge=0)),
        )
        rows_tag, file_tag = TABLE_TAGS
        pick = Discriminator(lambda v: file_tag if isinstance(v, dict) else rows_tag)
        return Annotated[Annotated[list[row], Tag(rows_tag)] | Annotated[ref, Tag(file_tag)], pick] | None  # type: ignore[valid-type]

    def _group(self, node: Node) -> Any:
        named = {k: c for k, c in node.children.items() if c is not node.wildcard}
        wild = self.type_of(node.wildcard) if node.wildcard is not None else None
        if not named and wild is not None:
            return dict[str, wild] | None  # type: ignore[valid-type]
        fields: dict[str, Any] = {}
        for key, child in named.items():
            kind = _FINDING_METRIC if key == "metric" and node.path.endswith("findings[]") else self.type_of(child)
            name = field_name(key)
            if name in fields:
                raise ValueError(f"{schema.SCHEMA_FILE.name}: {node.path} has two keys read as the field {name!r}")
            extra = {"x-section": child.section} if child.section else None
            fields[name] = (
                kind,
                Field(
                    default=None,
                    alias=key if name != key else None,
                    description=child.doc,
                    json_schema_extra=extra,
                ),
            )
        name = self._name(node.path)
        if wild is None:
            model = create_model(name, __config__=_FROZEN, **fields)
        else:  # named children win; every other key is one of the "<name>" entries, typed as such
            namespace = {
                "__annotations__": {"__pydantic_extra__": dict[str, wild]},  # type: ignore[valid-type]
                "model_config": ConfigDict(**{**_FROZEN, "extra": "allow"}),
            }
            model = create_model(name, __base__=type(f"{name}Base", (BaseModel,), namespace), **fields)
        model.__doc__ = node.doc
        return model | None


@functools.cache
def _workbook_type(workbook: str) -> Any:
    """``Model | None`` of one workbook (built on first use: a notebook builds only its own)."""
    node = schema.load().children.get(workbook)
    if node is None:
        raise KeyError(f"{workbook!r} is not a workbook of {schema.SCHEMA_FILE.name}")
    return _Builder()._group(node)  # model names start with the workbook's: unique across workbooks


def workbooks() -> tuple[str, ...]:
    """The workbooks the schema declares metrics for, in file order."""
    return tuple(schema.load().children)


def workbook_model(workbook: str) -> type[BaseModel]:
    """The frozen model of one workbook's metrics (a :class:`KeyError` for an unknown workbook)."""
    return _workbook_type(workbook).__args__[0]  # the model of "Model | None"


@functools.cache
def metrics_model() -> type[BaseModel]:
    """The frozen model of a whole ``metrics.json``: one optional field per workbook."""
    fields = {name: (_workbook_type(name), Field(default=None)) for name in workbooks()}
    model = create_model("Metrics", __config__=ConfigDict(frozen=True, extra="forbid"), **fields)
    model.__doc__ = "The evidence of one package (metrics.json): the metrics of each workbook that ran."
    return model
