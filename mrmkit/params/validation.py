"""The validator's part of the parameter file (``validation``): opinion, document control and the map's reviews.

mrmkit proposes a rating from the findings; the validator states the opinion (``fit for use``, ``fit for use
with conditions``, ``not fit for use``) with its rationale, the conditions of use, compensating controls,
limitations and exclusions, records the reviews of the expectations no computation evidences (conceptual
soundness, documentation, implementation...) and the expectations left out of scope with the reason. The
section may name a YAML file holding any of these keys (``validation.file``), read by the bounded reader
(:mod:`mrmkit.params.yamlfile`) from inside the parameter file's folder or ``data.roots``; its keys are merged
into the section (a key given in both is an error), so a package's ``parameters.yaml`` keeps the whole opinion.

Without an opinion, or without both sign-off dates, the report is a DRAFT on every page.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationError, model_validator

from mrmkit.errors import InvalidParameters, shorten
from mrmkit.params._base import _Section
from mrmkit.params.yamlfile import read_yaml_file

__all__ = ["OPINIONS", "Review", "ValidationSection", "merge_validation_file", "check_expectation_ids"]

#: The opinions a validator may state, from the most to the least favourable.
OPINIONS = ("fit for use", "fit for use with conditions", "not fit for use")
Opinion = Literal["fit for use", "fit for use with conditions", "not fit for use"]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
ExpectationId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]


class Review(_Section):
    """The validator's review of one expectation no computation of mrmkit's evidences (``validation.reviews.<id>``)."""

    by: Text = Field(description="Who reviewed (name, role).")
    on: dt.date = Field(description="Date of the review (YYYY-MM-DD).")
    conclusion: Text = Field(description="What the review concluded.")
    reference: str | None = Field(None, description="Where the review's working papers are (document, ticket).")


class ValidationSection(_Section):
    """Who validates and reviews, the validator's opinion, document control and the reviews the map shows
    (``validation``): the report's opinion, document-control and sign-off blocks."""

    validator: str | None = Field(
        None, description="The validator (name, role); blank in the sign-off block when absent."
    )
    reviewer: str | None = Field(None, description="The reviewer who signs the validation off; blank when absent.")
    scope: str | None = Field(None, description="What this validation covers and what it leaves out.")
    reference: str | None = Field(
        None, description="The validation's reference in the model inventory or ticket system."
    )
    validated_on: dt.date | None = Field(None, description="Date the validator signs (YYYY-MM-DD); blank when absent.")
    reviewed_on: dt.date | None = Field(None, description="Date the reviewer signs (YYYY-MM-DD); blank when absent.")
    opinion: Opinion | None = Field(
        None,
        description="The validator's opinion: 'fit for use', 'fit for use with conditions' or 'not fit for use'; "
        "without it the report is a DRAFT on every page. mrmkit's proposed rating stays what the findings say.",
    )
    rationale: Text | None = Field(None, description="Why the validator holds the opinion; required with an opinion.")
    conditions: list[Text] = Field(
        default_factory=list,
        description="Conditions of use; required with 'fit for use with conditions', refused with another opinion.",
    )
    compensating_controls: list[Text] = Field(
        default_factory=list, description="Controls that compensate for the model's weaknesses."
    )
    limitations: list[Text] = Field(
        default_factory=list,
        description="Limitations the validator states; the report lists them with those mrmkit found (inputs "
        "missing for an expectation that applies).",
    )
    exclusions: list[Text] = Field(
        default_factory=list, description="Portfolios, segments or uses the opinion does not cover."
    )
    out_of_scope: dict[ExpectationId, Text] = Field(
        default_factory=dict,
        description="Supervisory expectations (by id, as the report's map lists them) this validation leaves out, "
        "each with the validator's reason: OUT OF SCOPE in the map.",
    )
    reviews: dict[ExpectationId, Review] = Field(
        default_factory=dict,
        description="The validator's review of an expectation (by id) that no computation evidences (conceptual "
        "soundness, documentation, implementation, data lineage, use): by, on, conclusion, reference.",
    )
    document_version: Annotated[str, StringConstraints(min_length=1, max_length=40)] = Field(
        "1", description="Version of the validation document."
    )
    classification: Annotated[str, StringConstraints(min_length=1, max_length=100)] = Field(
        "Internal", description="The document's classification, printed on its document-control block."
    )
    previous_validation: dt.date | None = Field(
        None,
        description="Date of the previous validation, when run without an inventory (else the inventory's "
        "last_validated); 'not recorded' when neither gives it.",
    )
    next_due: dt.date | None = Field(
        None,
        description="Date the next validation is due, when run without an inventory (else last_validated plus "
        "the inventory's frequency); 'not recorded' when neither gives it.",
    )

    @model_validator(mode="after")
    def _opinion_complete(self) -> ValidationSection:
        if self.opinion is not None and self.rationale is None:
            raise ValueError(f"rationale: state why the model is {self.opinion!r}")
        if self.opinion == "fit for use with conditions" and not self.conditions:
            raise ValueError("conditions: 'fit for use with conditions' needs at least one condition of use")
        if self.conditions and self.opinion != "fit for use with conditions":
            raise ValueError(
                f"conditions: conditions of use go with the opinion 'fit for use with conditions'; the "
                f"opinion is {self.opinion!r}"
            )
        if self.validated_on and self.reviewed_on and self.reviewed_on < self.validated_on:
            raise ValueError(
                f"reviewed_on: the reviewer signs ({self.reviewed_on}) after the validator ({self.validated_on})"
            )
        both = sorted(set(self.out_of_scope) & set(self.reviews))
        if both:
            raise ValueError(f"reviews: {', '.join(both)} is also out of scope (out_of_scope)")
        return self

    @property
    def final(self) -> bool:
        """True when the document is final: an opinion and both sign-off dates are given."""
        return self.opinion is not None and self.validated_on is not None and self.reviewed_on is not None


def check_expectation_ids(validation: ValidationSection, kind: Any) -> None:
    """Raise ``ValueError`` naming an id of ``out_of_scope`` or ``reviews`` that is not an expectation of the kind."""
    known = [e.id for e in kind.expectations]
    for field in ("out_of_scope", "reviews"):
        unknown = [i for i in getattr(validation, field) if i not in known]
        if unknown:
            raise ValueError(
                f"validation.{field}: {unknown[0]!r} is not a supervisory expectation of a {kind.noun}; its ids: "
                f"{', '.join(known)}"
            )


def _inside(path: Path, raw: dict[str, Any], base_dir: Path) -> bool:
    data = raw.get("data") if isinstance(raw.get("data"), dict) else {}
    roots = data.get("roots") if isinstance(data.get("roots"), list) else ["."]
    folders = [base_dir.resolve()] + [(base_dir / str(r)).expanduser().resolve() for r in roots]
    return any(path.is_relative_to(f) for f in folders)


def _first_problem(exc: ValidationError) -> str:
    """The first problem of a validation file's keys, named as the parameter file's would be."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in ("validation", *first["loc"]))
    if first["type"] == "extra_forbidden":
        return f"unknown key {where!r} (allowed here: {', '.join(ValidationSection.model_fields)})"
    if first["type"] == "missing":
        return f"required key {where!r} is missing"
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "value_error":
        return f"{where}: {message}"
    return f"{where}: {shorten(message, 200)} (got {shorten(first.get('input'))})"


def merge_validation_file(raw: Any, base_dir: Path, source: str) -> Any:
    """``raw`` with the keys of the file ``validation.file`` names merged into its ``validation`` section.

    The file is read by the bounded YAML reader; it must lie inside the parameter file's folder or one of
    ``data.roots``, be a mapping of ``validation`` keys, and share no key with the section. Every problem is one
    ``InvalidParameters`` sentence naming the file and the field.
    """
    section = raw.get("validation") if isinstance(raw, dict) else None
    if not isinstance(section, dict) or "file" not in section:
        return raw
    given = section["file"]
    if not isinstance(given, str) or not given.strip():
        raise InvalidParameters(f"{source}: validation.file: give the path of a YAML file (got {given!r}).")
    path = Path(given).expanduser()
    path = (path if path.is_absolute() else Path(base_dir) / path).resolve()
    if not _inside(path, raw, Path(base_dir)):
        raise InvalidParameters(
            f"{source}: validation.file ({path}) lies outside the parameter file's folder and data.roots."
        )
    content = read_yaml_file(path, "Validation file")
    if not isinstance(content, dict):
        raise InvalidParameters(f"{path}: a validation file is a YAML mapping of validation keys (opinion, ...).")
    if "file" in content:
        raise InvalidParameters(f"{path}: validation.file: a validation file cannot name another one.")
    both = sorted(set(content) & (set(section) - {"file"}))
    if both:
        raise InvalidParameters(f"{path}: validation.{both[0]}: also given in {source}; keep it in one place.")
    try:
        ValidationSection.model_validate(content)
    except ValidationError as exc:
        raise InvalidParameters(f"{path}: {_first_problem(exc)}.") from None
    merged = {**{k: v for k, v in section.items() if k != "file"}, **content}
    return {**raw, "validation": merged}
