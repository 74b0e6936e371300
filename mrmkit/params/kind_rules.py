"""The checks that a model's kind makes of the whole parameter file: what it requires and what it refuses.

Each kind declares them (:attr:`mrmkit.kinds.ModelKind.required` and ``refused``, as dotted fields with
the reason); this module applies them to a :class:`~mrmkit.params.Parameters`. A field counts as given when
it is set to something other than its default, so a resolved file, which spells every default out, passes
the same checks as the file a person wrote.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from mrmkit import kinds

__all__ = ["given", "check_kind"]

_MISSING = object()


def _value(root: BaseModel, dotted: str) -> tuple[Any, Any]:
    """The value at a dotted field and the field's default (``_MISSING`` where a section is absent)."""
    node: Any = root
    default: Any = None
    for name in dotted.split("."):
        if not isinstance(node, BaseModel):
            return _MISSING, None
        field = type(node).model_fields.get(name)
        if field is None:
            raise KeyError(f"{dotted}: no such parameter (a model kind names it)")
        default = field.get_default(call_default_factory=True)
        node = getattr(node, name)
    return node, default


def given(root: BaseModel, dotted: str) -> bool:
    """Whether the parameter file sets ``dotted`` to something other than its default."""
    value, default = _value(root, dotted)
    return value is not _MISSING and value is not None and value != default


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    by_reason: dict[str, list[str]] = {}
    for field, reason in pairs:
        by_reason.setdefault(reason, []).append(field)
    return by_reason


def check_kind(params: BaseModel, kind_name: str) -> None:
    """Raise ``ValueError`` naming the fields the kind requires and lacks, or has and refuses."""
    kind = kinds.get(kind_name)
    missing = [(f, reason) for f, reason in kind.required if not given(params, f)]
    for reason, fields in _grouped(missing).items():
        raise ValueError(f"{' and '.join(fields)}: required for a {kind.noun} (model.kind {kind.name}): {reason}")
    refused = [(f, reason) for f, reason in kind.refused if given(params, f)]
    sentences = [
        f"{', '.join(fields)}: {reason} (this model is kind {kind.name}); remove {', '.join(fields)}"
        for reason, fields in _grouped(refused).items()
    ]
    if sentences:
        raise ValueError("; ".join(sentences))
