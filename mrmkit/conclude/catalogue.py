"""The catalogue of validation issue types: which findings show one problem, and what that problem is called.

A finding is one test that crossed a policy threshold; an issue is the problem a validator reports, with a
stable id (``CAL-01``), a severity and the tests that show it. An :class:`IssueType` claims findings by the
dotted metric path the finding names (its evidence in ``metrics.json``): every finding whose path matches one
of the type's patterns belongs to it, and the values of the type's ``split`` placeholders make separate issues
(one per VaR level: Kupiec and conditional coverage on the same exceptions are one issue, two levels are two).

Pattern syntax: dot-separated segments; ``*`` is one segment; ``{name}`` captures one or more segments (the
shortest when ``**`` follows, else the longest before the literal suffix); a trailing ``**`` matches the path
itself or anything below it. Types are tried in registration order; the first match wins, so specific types
register before the per-workbook fallbacks. A pattern may claim a path for no type (``IGNORED``): a
champion-challenger decision is a recommendation about a change, not a problem of the model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["IssueType", "register", "get", "types", "match", "IGNORED"]

#: A headline: the package's metrics (all workbooks), the issue's captures and the model kind in; a sentence that
#: states the problem by its impact out, or None when the numbers it needs are not there.
Headline = Callable[[Mapping[str, Any], Mapping[str, str], Any], "str | None"]


@dataclass(frozen=True)
class IssueType:
    """One kind of validation issue.

    Attributes
    ----------
    code
        Two to four capital letters, the prefix of the issue ids (``CAL`` gives ``CAL-01``).
    title
        What the problem is, in a committee's words ("PD calibration").
    workbook
        The workbook whose evidence shows it.
    patterns
        Metric paths of the findings it claims (module docstring).
    split
        Placeholders whose values make separate issues (for example ``("level",)``).
    scope
        Placeholder name to the words for its value in the issue's affected scope: a format ("grade {}"), or a
        function of the package's metrics and the value (a VaR level named by its coverage).
    rank
        Priority among issues of one severity (lower first): model performance before data and process.
    headline
        The problem stated by its impact, from the metrics (optional).
    remedy
        What remediation of this problem usually means, for the issue's rationale.
    """

    code: str
    title: str
    workbook: str
    patterns: tuple[str, ...]
    split: tuple[str, ...] = ()
    scope: Mapping[str, str | Callable[[Mapping[str, Any], str], str]] = field(default_factory=dict)
    rank: int = 50
    headline: Headline | None = None
    remedy: str = ""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z]{2,4}", self.code):
            raise ValueError(f"issue type code must be 2-4 capital letters; got {self.code!r}")
        object.__setattr__(self, "_compiled", tuple(_compile(p) for p in self.patterns))

    def captures(self, metric: str, metrics: Mapping[str, Any] | None = None) -> dict[str, str] | None:
        """The placeholders' values if ``metric`` matches one of the patterns, else None.

        A name with dots in it (a feature ``income.v2``) is ambiguous in a dotted path; with ``metrics`` given,
        a capture is widened to the longest key the evidence holds at that place.
        """
        for regex in self._compiled:  # type: ignore[attr-defined]
            found = regex.fullmatch(metric)
            if found is not None:
                out = {k: v for k, v in found.groupdict().items() if v is not None}
                if metrics is not None:
                    for name in out:
                        out[name] = _widen(metric, found.start(name), out[name], metrics)
                return out
        return None


#: The pseudo-type of paths that make no issue (a champion-challenger decision, a passed check).
IGNORED = "-"
_TYPES: dict[str, IssueType] = {}
_IGNORED_PATTERNS: list[re.Pattern[str]] = []


def _compile(pattern: str) -> re.Pattern[str]:
    parts = pattern.split(".")
    out = []
    for i, part in enumerate(parts):
        tail = i == len(parts) - 1
        if part == "**":
            if not tail:
                raise ValueError(f"'**' must end a pattern: {pattern!r}")
            out.append(r"(?:\..+)?")
            continue
        sep = "" if i == 0 else r"\."
        if part == "*":
            out.append(sep + r"[^.]+")
        elif part.startswith("{") and part.endswith("}"):
            lazy = i + 1 < len(parts) and parts[i + 1] == "**"
            out.append(sep + f"(?P<{part[1:-1]}>.+{'?' if lazy else ''})")
        else:
            out.append(sep + re.escape(part))
    return re.compile("".join(out))


def _widen(metric: str, start: int, captured: str, metrics: Mapping[str, Any]) -> str:
    """The longest key at the capture's place in ``metrics`` that the path continues with (else as captured)."""
    node: Any = metrics
    for part in metric[: max(start - 1, 0)].split(".") if start else []:
        node = node.get(part) if isinstance(node, Mapping) else None
    if not isinstance(node, Mapping):
        return captured
    rest = metric[start:].split(".")
    keys = [".".join(rest[:j]) for j in range(len(rest), 0, -1)]
    return next((k for k in keys if k in node), captured)


def register(issue_type: IssueType) -> IssueType:
    """Add a type to the catalogue; a code registered twice is an error."""
    if issue_type.code in _TYPES:
        raise ValueError(f"issue type {issue_type.code!r} is registered twice")
    _TYPES[issue_type.code] = issue_type
    return issue_type


def ignore(*patterns: str) -> None:
    """Paths whose findings make no issue (tried before every type)."""
    _IGNORED_PATTERNS.extend(_compile(p) for p in patterns)


def get(code: str) -> IssueType:
    return _TYPES[code]


def types() -> tuple[IssueType, ...]:
    return tuple(_TYPES.values())


def match(metric: str, metrics: Mapping[str, Any] | None = None) -> tuple[IssueType | None, dict[str, str]]:
    """The type that claims a finding's metric path and its captures (widened against ``metrics``, the package's
    evidence, when given); ``(None, {})`` for an ignored path."""
    if any(p.fullmatch(metric) for p in _IGNORED_PATTERNS):
        return None, {}
    for issue_type in _TYPES.values():
        captures = issue_type.captures(metric, metrics)
        if captures is not None:
            return issue_type, captures
    raise LookupError(f"no issue type claims the finding metric {metric!r}")
