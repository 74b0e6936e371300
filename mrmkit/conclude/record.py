"""``issues.json``: a package's validation issues and mrmkit's proposed rating, as written and as read back.

Written by the publisher beside ``metrics.json`` (and hashed in the manifest like every file); read by the
report, the remediation register, ``mrmkit list`` and the exports. Reading validates the shape with pydantic,
so a forged or damaged file is one clear error, never a traceback half-way through a report.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mrmkit import files
from mrmkit.conclude.issues import Issue
from mrmkit.errors import MrmkitError, printable

__all__ = ["ISSUES_FILE", "IssueRecord", "FollowUp", "IssuesFile", "write", "read"]

ISSUES_FILE = "issues.json"
FORMAT_VERSION = 1
_LIMIT = 64 * 1024 * 1024


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Link(_Strict):
    href: str
    section: str
    workbook: str


class Test(_Strict):
    title: str
    severity: Literal["red", "amber"]
    metric: str
    detail: str
    threshold: str


class IssueRecord(_Strict):
    """One issue as ``issues.json`` holds it (:class:`mrmkit.conclude.Issue`)."""

    model_config = ConfigDict(extra="allow", frozen=True)  # the register adds fields (owner, due date, status)

    id: str = Field(pattern=r"^[A-Z]{2,4}-\d{2,}$")
    key: str
    type: str
    category: str
    title: str
    severity: Literal["high", "medium"]
    rationale: str
    workbook: str
    scope: list[str]
    evidence: list[Link]
    tests: list[Test]
    remedy: str = ""
    observation: str = "new"


class FollowUp(_Strict):
    """One issue of the remediation register as this validation saw it (:mod:`mrmkit.remediation.follow`)."""

    id: str = Field(pattern=r"^[A-Z]{2,4}-\d{2,}$")
    key: str
    title: str
    severity: Literal["high", "medium"]
    workbook: str
    status: Literal["open", "in-progress", "remediated", "risk-accepted", "closed"]
    owner: str | None
    due: str | None = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    approver: str | None
    observation: Literal["new", "still observed", "observed again", "no longer observed", "not assessed"]
    overdue: bool


class IssuesFile(_Strict):
    format_version: Literal[1] = FORMAT_VERSION
    model_id: str
    proposed_rating: Literal["green", "amber", "red", "failed"]
    issues: list[IssueRecord]
    follow_up: list[FollowUp] = []  # the register's issues checked against this package (mrmkit.remediation)


def write(package: Path, model_id: str, issues: Iterable[Issue], rating: str, follow_up: Iterable[dict] = ()) -> Path:
    """Write ``issues.json`` into ``package`` (sorted keys, so the same issues give the same bytes)."""
    content = IssuesFile(
        model_id=model_id,
        proposed_rating=rating,
        issues=[IssueRecord(**i.to_record()) for i in issues],
        follow_up=[FollowUp(**row) for row in follow_up],
    )
    path = Path(package) / ISSUES_FILE
    text = json.dumps(content.model_dump(mode="json"), indent=2, sort_keys=True, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def read(package: Path) -> IssuesFile | None:
    """The issues of a package, or None for a package published before issues existed."""
    path = Path(package) / ISSUES_FILE
    if not path.exists() and not path.is_symlink():
        return None
    text = files.read_text(path, "The issues file", _LIMIT, error=MrmkitError, follow=False)
    try:
        return IssuesFile.model_validate(json.loads(text))
    except (ValueError, ValidationError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MrmkitError(f"The issues file {printable(path)} is not valid: {first}.") from None
