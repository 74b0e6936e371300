"""Typed keys of ``metrics.json``: written as attribute access on the workbooks' models, checked as written.

A consumer that reads a value names its key through :data:`KEYS` instead of a dotted string::

    from mrmkit.evidence.keys import KEYS

    KEYS.drift.score.psi                    # Key('drift.score.psi'), a number
    KEYS.drift.features["*"].psi            # every feature's PSI: "*" stands for the "<feature>" entries
    KEYS.backtest[kind].discrimination      # a name held in a variable, checked the same way
    for names, value in KEYS.drift.features["*"].psi.values(metrics):
        ...                                 # names: the feature's name, as the data spells it

Attributes are the fields of :mod:`mrmkit.evidence.models` (``KEYS.drift.summary.status_counts.k_n_a`` is
the model's field for ``"n/a"``; ``["n/a"]`` also works). A key the models do not have is an
:class:`AttributeError` or :class:`KeyError` when the line runs, at import for a module-level key, so a
typo never reaches a package. Keys navigate the schema tree the models are built from (same names, same
types): the models themselves are only built when something is validated.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mrmkit.evidence import schema
from mrmkit.evidence.models import field_name
from mrmkit.evidence.schema import Node

__all__ = ["KEYS", "Key"]


class Key:
    """One key (or pattern with ``*``) of ``metrics.json``; see the module docstring."""

    __slots__ = ("_node", "_parts")

    def __init__(self, node: Node, parts: tuple[str, ...]) -> None:
        self._node, self._parts = node, parts

    @property
    def dotted(self) -> str:
        """The dotted key, ``*`` for a name from the data (the form ``schema.key`` and the README use)."""
        return ".".join(self._parts)

    @property
    def type(self) -> str:
        """The declared type: ``number``, ``int``, ``string``, ``bool``, ``list``, ``any``, ``table``,
        ``records`` or ``group``."""
        return self._node.type

    def __str__(self) -> str:
        return self.dotted

    def __repr__(self) -> str:
        return f"Key({self.dotted!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Key) and other._parts == self._parts

    def __hash__(self) -> int:
        return hash(self._parts)

    def _child(self, key: str) -> Key:
        node = self._node
        if node.kind != "group":
            raise KeyError(f"{self.dotted} is a {node.type}, not a group of keys")
        if key == "*":
            if node.wildcard is None:
                raise KeyError(f"{self.dotted} has no entries named from the data")
            return Key(node.wildcard, (*self._parts, "*"))
        named = node.children.get(key)
        if named is None or named is node.wildcard:
            raise KeyError(f"{self.dotted}.{key} is not a key of {schema.SCHEMA_FILE.name}")
        return Key(named, (*self._parts, key))

    def __getitem__(self, key: str) -> Key:
        return self._child(key)

    def __getattr__(self, name: str) -> Key:
        if name.startswith("_"):  # dunders, and the slots before they are set
            raise AttributeError(name)
        node = self._node
        fields = {field_name(k): k for k, c in node.children.items() if c is not node.wildcard}
        if name not in fields:
            raise AttributeError(f"{self.dotted or 'metrics'} has no key {name!r} in {schema.SCHEMA_FILE.name}")
        return self._child(fields[name])

    def values(self, metrics: Any) -> Iterator[tuple[tuple[str, ...], Any]]:
        """``(names, value)`` for every value of ``metrics`` at this key, in the tree's order; ``names`` are
        the keys that each ``*`` stood for. A key absent from ``metrics`` gives nothing."""

        def walk(tree: Any, parts: tuple[str, ...], names: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
            if not parts:
                yield names, tree
            elif isinstance(tree, dict):
                head, rest = parts[0], parts[1:]
                if head == "*":
                    for name, child in tree.items():
                        yield from walk(child, rest, (*names, str(name)))
                elif head in tree:
                    yield from walk(tree[head], rest, names)

        yield from walk(metrics, self._parts, ())


class _Root(Key):
    """:data:`KEYS`: the schema is read on first use, not at import."""

    __slots__ = ()

    def __init__(self) -> None:  # noqa: D107 (no state: the node is the schema's root, read when needed)
        pass

    def __getattribute__(self, name: str) -> Any:
        if name == "_node":
            return schema.load()
        if name == "_parts":
            return ()
        return object.__getattribute__(self, name)


KEYS: Key = _Root()
