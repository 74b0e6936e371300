"""What ran in a package, section by section, and why the rest did not.

:func:`package_scope` asks, for each workbook that ran, each of its sections: does the model's kind have it
(:meth:`mrmkit.kinds.ModelKind.applies`), and did the inputs let it run (the section's ``scope`` rule on the
workbook's metrics)? The runner records the answer in the manifest (``scope``); the workbook reports drop
the sections that did not run, and the validation report lists them once, with the reason, and builds its
"Tested" sentences, its contents and its supervisory map from the sections that did.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mrmkit import kinds
from mrmkit.registry import workbooks as registry

__all__ = [
    "SectionScope",
    "package_scope",
    "ran",
    "not_run",
    "left_out",
    "limitations",
    "tested_sentence",
    "to_record",
    "from_record",
]


@dataclass(frozen=True, slots=True)
class SectionScope:
    """One section of one workbook: whether it ran in this package, and if not, why."""

    workbook: str
    section: str
    title: str
    ran: bool
    reason: str | None = None
    applies: bool = True  # False when the section is foreign to the model's kind (never part of its scope)
    #: True when the section applies to the kind but did not run for want of an input or of enough data (a gap
    #: in the evidence: a limitation), False when it ran, is foreign to the kind, or the inputs make it moot
    missing: bool = False

    @property
    def id(self) -> str:
        return f"{self.workbook}.{self.section}"


def _section_scope(kind: kinds.ModelKind, spec: registry.WorkbookSpec, status: str, metrics: Mapping[str, Any]):
    for section in spec.sections:
        if not kind.applies(f"{spec.name}.{section.id}"):
            yield SectionScope(spec.name, section.id, section.title, False, f"does not apply to a {kind.noun}", False)
        elif status != "complete":
            yield SectionScope(
                spec.name, section.id, section.title, False, "the workbook failed before it finished", missing=True
            )
        else:
            reason = section.scope(metrics)
            gap = reason is not None and not isinstance(reason, registry.NotApplicable)
            yield SectionScope(spec.name, section.id, section.title, reason is None, reason, missing=gap)


def package_scope(
    kind: str, statuses: Mapping[str, str], metrics: Mapping[str, Mapping[str, Any]]
) -> tuple[SectionScope, ...]:
    """Every section of every workbook that ran (``statuses``: workbook name to ``complete`` or ``failed``)."""
    model_kind = kinds.get(kind)
    out: list[SectionScope] = []
    for spec in registry.specs():
        if spec.name in statuses:
            out += _section_scope(model_kind, spec, statuses[spec.name], metrics.get(spec.name) or {})
    return tuple(out)


def ran(scope: Iterable[SectionScope], workbook: str | None = None) -> list[SectionScope]:
    return [s for s in scope if s.ran and (workbook is None or s.workbook == workbook)]


def not_run(scope: Iterable[SectionScope], workbook: str | None = None) -> list[SectionScope]:
    """The sections that did not run: foreign to the kind, or applicable but not allowed by the inputs."""
    return [s for s in scope if not s.ran and (workbook is None or s.workbook == workbook)]


def left_out(scope: Iterable[SectionScope]) -> list[SectionScope]:
    """The sections that apply to the model's kind but did not run in this package (the report's Scope appendix)."""
    return [s for s in scope if s.applies and not s.ran]


def limitations(scope: Iterable[SectionScope]) -> list[SectionScope]:
    """The sections that apply to the model's kind and did not run for want of an input or of data: each is a
    limitation of the validation, stated in the executive summary (never a silent skip)."""
    return [s for s in scope if s.applies and not s.ran and s.missing]


def tested_sentence(scope: Iterable[SectionScope], workbook: str, vocabulary: Any) -> str:
    """What the workbook tested in this package: the ``tests`` words of the sections that ran, joined."""
    spec = registry.get(workbook)
    words = [spec.section(s.section).tests.format_map(registry.words(vocabulary)) for s in ran(scope, workbook)]
    words = [w for w in words if w]
    if not words:
        return "nothing: no section of this workbook ran"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def to_record(scope: Iterable[SectionScope]) -> dict[str, dict[str, dict[str, Any]]]:
    """The manifest's ``scope`` entry: workbook -> section -> title, ran, reason."""
    record: dict[str, dict[str, dict[str, Any]]] = {}
    for s in scope:
        entry = {"title": s.title, "applies": s.applies, "ran": s.ran, "reason": s.reason, "missing": s.missing}
        record.setdefault(s.workbook, {})[s.section] = entry
    return record


def from_record(record: Mapping[str, Mapping[str, Mapping[str, Any]]] | None) -> tuple[SectionScope, ...]:
    """The scope a manifest recorded (empty for a package of an mrmkit before scopes were recorded)."""
    return tuple(
        SectionScope(
            workbook,
            section,
            str(entry["title"]),
            bool(entry["ran"]),
            entry.get("reason"),
            bool(entry["applies"]),
            bool(entry.get("missing", False)),
        )
        for workbook, sections in (record or {}).items()
        for section, entry in sections.items()
    )
