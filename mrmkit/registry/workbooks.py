"""The registry of workbooks: one frozen :class:`WorkbookSpec` per workbook, with its sections.

A workbook is a notebook in ``notebooks/`` that papermill runs when the parameter file has a section of its
name. Its spec says everything the rest of mrmkit needs to know about it: title, order, notebook,
parameter section, the Python package the notebook calls (its ``preflight`` and ``analyse``), and its
sections. A :class:`Section` is a level-2 (or level-3) heading of the notebook: the model kinds say which
sections apply to them (:meth:`mrmkit.kinds.ModelKind.applies`), and the section's own ``scope`` rule says,
from the workbook's recorded metrics, whether it ran or why not. The runner, the report, the PDF, the CLI
and the parameter models iterate over :func:`specs`; registering a name twice is an error.

This module imports nothing of mrmkit but :mod:`mrmkit.kinds`, so every layer may ask it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

__all__ = ["Section", "WorkbookSpec", "NotApplicable", "register", "get", "specs", "names", "metric", "words"]

#: A scope rule: the workbook's metrics in, ``None`` when the section ran, else why it did not (plain words).
ScopeRule = Callable[[Mapping[str, Any]], "str | None"]


class NotApplicable(str):
    """A scope rule's reason meaning the inputs make the section moot (no application was declined, no feature
    drifted, no shadow deployment was made), not that evidence is missing.

    Any other reason a rule gives for a section that applies to the model's kind is a gap in the evidence (an
    input that was not given, or too little data to test): the report states it as a limitation
    (:func:`mrmkit.registry.scope.limitations`). So a new rule that forgets to decide is never a silent skip.
    """

    __slots__ = ()


def _always(_: Mapping[str, Any]) -> str | None:
    return None


def metric(metrics: Mapping[str, Any], dotted: str) -> Any:
    """The value at a dotted key of one workbook's metrics, or None where a level is missing."""
    node: Any = metrics
    for part in dotted.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


@dataclass(frozen=True, slots=True)
class Section:
    """One section of a workbook's report.

    Attributes
    ----------
    id
        Stable identifier, unique within the workbook (``workbook.id`` names it across workbooks).
    title
        The notebook's heading text, exactly (the report links to it and drops it when it did not run).
    tests
        What the section tests, in words, for the executive summary's "Tested:" sentence; empty for the
        sections that test nothing (findings, settings).
    scope
        The rule that says, from the workbook's metrics, whether the section ran or why not.
    level
        The heading level in the notebook (2 or 3); a level-3 section ends at the next heading of level 2 or 3.
    description
        What the section shows, for the reader of its report; ``{events}``, ``{adverse_cases}`` and the other
        fields of :class:`mrmkit.kinds.Vocabulary` take the model kind's words.
    """

    id: str
    title: str
    tests: str = ""
    scope: ScopeRule = _always
    level: int = 2
    description: str = ""

    def __post_init__(self) -> None:
        if not self.id.isidentifier():
            raise ValueError(f"Section id must be an identifier; got {self.id!r}")
        if self.level not in (2, 3):
            raise ValueError(f"Section {self.id!r}: level must be 2 or 3; got {self.level}")


@dataclass(frozen=True, slots=True)
class WorkbookSpec:
    """A workbook: what it is called, where it lives, what it tests, section by section.

    ``package`` is the module the notebook calls; it defines ``analyse(ctx)`` and may define
    ``preflight(params, inputs)``, the input checks run before any notebook (:meth:`preflight`).
    """

    name: str
    title: str
    order: int
    package: str
    sections: tuple[Section, ...]

    def __post_init__(self) -> None:
        ids = [s.id for s in self.sections]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"workbook {self.name!r} declares section {', '.join(duplicated)} twice")

    def title_for(self, kind: Any) -> str:
        """The workbook's title for a model of ``kind`` (a :class:`mrmkit.kinds.ModelKind`), which may rename it."""
        return dict(kind.workbook_titles).get(self.name, self.title)

    @property
    def notebook(self) -> str:
        """The notebook's file name in the notebooks folder."""
        return f"{self.name}.ipynb"

    @property
    def parameter_section(self) -> str:
        """The top-level key of the parameter file whose presence enables the workbook."""
        return self.name

    def describe(self, section_id: str, vocabulary: Any) -> str:
        """The section's description in the words of a model kind."""
        return self.section(section_id).description.format_map(words(vocabulary))

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(f"workbook {self.name!r} has no section {section_id!r}; it has {', '.join(self.section_ids)}")

    @property
    def section_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sections)

    def module(self) -> ModuleType:
        """The workbook's package (imported on first use: it pulls in pandas and the statistics)."""
        return importlib.import_module(self.package)

    def preflight(self, params: Any, inputs: Any) -> None:
        """The workbook's input checks, before any notebook runs (a workbook may have none)."""
        check = getattr(self.module(), "preflight", None)
        if check is not None:
            check(params, inputs)


_SPECS: dict[str, WorkbookSpec] = {}


def register(spec: WorkbookSpec) -> WorkbookSpec:
    """Add a workbook; a name or an order registered twice is an error."""
    if spec.name in _SPECS:
        raise ValueError(f"workbook {spec.name!r} is already registered")
    if any(s.order == spec.order for s in _SPECS.values()):
        raise ValueError(f"workbook {spec.name!r}: order {spec.order} is already taken")
    _SPECS[spec.name] = spec
    return spec


def get(name: str) -> WorkbookSpec:
    """The registered workbook called ``name``; an unknown name lists the known ones."""
    try:
        return _SPECS[name]
    except KeyError:
        raise KeyError(f"unknown workbook {name!r}; known: {', '.join(names())}") from None


def specs() -> tuple[WorkbookSpec, ...]:
    """Every registered workbook, in the order they run."""
    return tuple(sorted(_SPECS.values(), key=lambda s: s.order))


def names() -> tuple[str, ...]:
    """The registered workbooks' names, in the order they run."""
    return tuple(s.name for s in specs())


def words(vocabulary: Any) -> dict[str, str]:
    """A kind's vocabulary as format fields (``{events}``, ``{adverse_cases}``, ...)."""
    return {name: getattr(vocabulary, name) for name in vocabulary.__slots__}
