"""The comparison of two evidence packages (:func:`diff_packages`) and its text, CSV and JSON output."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mrmkit.compare.metrics import (
    ABS_TOL,
    REL_TOL,
    MetricChange,
    MetricDiff,
    _label,
    _natural,
    compare_metrics,
    plain,
    workbook_of,
)
from mrmkit.compare.packages import (
    PACKAGE_STATUS,
    PARAMETERS,
    PackageIdentity,
    _findings,
    _manifest_statuses,
    _match_findings,
    _parameter_changes,
    read_metrics,
)
from mrmkit.evidence.manifest import read_manifest


def _describe_finding(finding: dict[str, Any]) -> str:
    severity = finding.get("severity", "?")
    where = finding.get("workbook")
    title = finding.get("title", "")
    metric = finding.get("metric")
    text = f"[{severity}] " + (f"{where}: " if where else "") + str(title)
    return text + (f" ({metric})" if metric else "")


CSV_COLUMNS = ("section", "workbook", "key", "kind", "old", "new", "abs_change", "rel_change")


def _counts(changes: Sequence[MetricChange]) -> dict[str, int]:
    counts = Counter(c.kind for c in changes)
    return {"changed": counts["changed"], "added": counts["added"], "removed": counts["removed"]}


def _finding_workbook(finding: dict[str, Any]) -> str:
    return str(finding.get("workbook") or workbook_of(_label(finding.get("metric"))))


@dataclass(frozen=True, slots=True)
class PackageDiff:
    """The comparison of package A (old) with package B (new).

    ``parameter_changes`` compare the two packages' ``parameters.yaml`` (flattened like metrics, compared
    exactly); when either cannot be read they are empty and ``parameters_note`` says why.
    ``package_status_changes`` are from the manifests (the package status and each workbook's status);
    ``findings_added``/``findings_removed`` are findings present in only one package, matched by workbook
    and metric, then by title when a metric has several; a finding in both whose severity moved is not
    added or removed: it is a status change of ``metrics`` (``...findings[metric].severity``).
    ``workbooks`` are the workbooks of either package's metrics, in name order.
    """

    a: PackageIdentity
    b: PackageIdentity
    package_status_changes: tuple[MetricChange, ...]
    findings_added: tuple[dict[str, Any], ...]
    findings_removed: tuple[dict[str, Any], ...]
    metrics: MetricDiff
    parameter_changes: tuple[MetricChange, ...] = ()
    parameters_note: str | None = None
    workbooks: tuple[str, ...] = ()

    @property
    def status_changes(self) -> list[MetricChange]:
        """Package and workbook status changes, then status changes within the metrics."""
        return [*self.package_status_changes, *self.metrics.status_changes]

    @property
    def identical(self) -> bool:
        return (
            not (self.parameter_changes or self.package_status_changes or self.findings_added or self.findings_removed)
            and self.metrics.identical
        )

    @property
    def same_model(self) -> bool:
        return self.a.model_id == self.b.model_id

    def model_warning(self) -> str | None:
        """One sentence when A and B are packages of different models (``model_id`` differs), else ``None``."""
        if self.same_model:
            return None
        return (
            f"A and B are packages of different models (A: {self.a.model_id}, B: {self.b.model_id}); "
            "their differences are between models, not between runs of one model."
        )

    def metric_groups(self) -> dict[str, list[MetricChange]]:
        """The metric changes that are not status changes, by workbook (every workbook, even unchanged)."""
        groups: dict[str, list[MetricChange]] = {w: [] for w in self.workbooks}
        for change in self.metrics.other_changes:
            groups.setdefault(workbook_of(change.key), []).append(change)
        return groups

    def _unchanged(self) -> list[str]:
        touched = {workbook_of(c.key) for c in self.metrics.changes}
        touched |= {c.key.split(".")[2] for c in self.package_status_changes if c.key.startswith("package.workbooks.")}
        touched |= {_finding_workbook(f) for f in (*self.findings_added, *self.findings_removed)}
        return [w for w in self.workbooks if w not in touched]

    def to_lines(self, limit: int | None = None, summary: bool = False, exact: bool = False) -> list[str]:
        """Plain text for the command line.

        Parameter changes first, then status changes, findings added and removed, then the other metric
        changes grouped by workbook, each group headed by its counts (``drift: 12 changed, 3 added, 1
        removed``). ``limit`` caps the metric changes listed (``None``: all); ``summary`` lists no metric
        or finding, only the counts (and every parameter and status change); ``exact`` shows the changes
        in brackets in full precision too (the values always are).
        """
        lines = [f"A: {self.a.describe()}", f"B: {self.b.describe()}", ""]
        if self.identical:
            same = (
                "same parameters, status and findings" if self.parameters_note is None else "same status and findings"
            )
            lines.append(
                f"no differences: {self.metrics.equal} metrics equal (floats within "
                f"rel_tol={self.metrics.rel_tol:g}, abs_tol={self.metrics.abs_tol:g}), {same}."
            )
            if self.parameters_note is not None:
                lines.append(f"parameters not compared ({self.parameters_note}).")
            return lines
        if self.parameters_note is not None:
            lines.append(f"parameter changes: not compared ({self.parameters_note})")
        else:
            params = self.parameter_changes
            lines.append(f"parameter changes ({len(params)}):" if params else "parameter changes: none")
            lines += [f"  {c.describe(exact)}" for c in params]
        status = self.status_changes
        lines.append(f"status changes ({len(status)}):" if status else "status changes: none")
        lines += [f"  {c.describe(exact)}" for c in status]
        for title, found in (("findings added", self.findings_added), ("findings removed", self.findings_removed)):
            lines.append(f"{title} ({len(found)}){'' if summary else ':'}" if found else f"{title}: none")
            if not summary:
                lines += [f"  {_describe_finding(f)}" for f in found]
        other = self.metrics.other_changes
        lines.append(f"metric changes ({len(other)}), by workbook:" if other else "metric changes: none")
        budget = limit
        for workbook, changes in self.metric_groups().items():
            if not changes:
                continue
            counts = _counts(changes)
            lines.append(
                f"{workbook}: {counts['changed']} changed, {counts['added']} added, {counts['removed']} removed"
            )
            if summary:
                continue
            shown = changes if budget is None else changes[: max(budget, 0)]
            budget = None if budget is None else budget - len(shown)
            lines += [f"  {c.describe(exact)}" for c in shown]
            if len(shown) < len(changes):
                lines.append(f"  ... and {len(changes) - len(shown)} more in {workbook}")
        if unchanged := self._unchanged():
            lines.append(f"unchanged: {', '.join(unchanged)}")
        lines += ["", self.metrics.summary_line()]
        return lines

    def to_dict(self, summary: bool = False) -> dict[str, Any]:
        """Plain JSON types: identities, parameter changes, status changes, findings, metric changes by workbook.

        ``summary`` leaves out the lists of findings and of metric changes (their counts stay).
        """
        warning = self.model_warning()
        workbooks = {}
        for workbook, changes in self.metric_groups().items():
            workbooks[workbook] = _counts(changes)
            if not summary:
                workbooks[workbook]["changes"] = [c.to_dict() for c in changes]
        findings: dict[str, Any] = {
            "added_count": len(self.findings_added),
            "removed_count": len(self.findings_removed),
        }
        if not summary:
            findings["added"] = plain(list(self.findings_added))
            findings["removed"] = plain(list(self.findings_removed))
        return {
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "same_model": self.same_model,
            "warnings": [warning] if warning else [],
            "identical": self.identical,
            "parameters": {
                "compared": self.parameters_note is None,
                "note": self.parameters_note,
                "changes": [c.to_dict() for c in self.parameter_changes],
            },
            "status_changes": [c.to_dict() for c in self.status_changes],
            "findings": findings,
            "metrics": {
                "summary": self.metrics.summary,
                "rel_tol": self.metrics.rel_tol,
                "abs_tol": self.metrics.abs_tol,
                "workbooks": workbooks,
            },
        }

    def to_rows(self, summary: bool = False) -> list[tuple[Any, ...]]:
        """One row per change, in the order of :meth:`to_lines`, with the columns :data:`CSV_COLUMNS`.

        ``section`` is ``parameter``, ``status``, ``finding`` or ``metric``; a finding's ``old`` (removed)
        or ``new`` (added) is the finding as compact JSON. With ``summary`` the metric rows are replaced by
        ``count`` rows: per workbook one for each of ``changed``, ``added`` and ``removed`` (``new`` holds
        the count), and two for the findings. Values are plain (floats as floats; see :func:`plain`).
        """

        def row(section: str, workbook: str, c: MetricChange) -> tuple[Any, ...]:
            d = c.to_dict()
            return (section, workbook, c.key, c.kind, d["old"], d["new"], d["abs_change"], d["rel_change"])

        rows: list[tuple[Any, ...]] = []
        if self.parameters_note is not None:
            rows.append(("parameter", "", PARAMETERS, "not compared", None, self.parameters_note, None, None))
        rows += [row("parameter", "", c) for c in self.parameter_changes]
        rows += [row("status", workbook_of(c.key), c) for c in self.status_changes]
        for kind, found in (("added", self.findings_added), ("removed", self.findings_removed)):
            for f in found:
                text = json.dumps(plain(f), sort_keys=True, ensure_ascii=False, allow_nan=False)
                old, new = (None, text) if kind == "added" else (text, None)
                rows.append(("finding", _finding_workbook(f), _label(f.get("metric")), kind, old, new, None, None))
        groups = self.metric_groups()
        if not summary:
            rows += [row("metric", workbook, c) for workbook, changes in groups.items() for c in changes]
            return rows
        rows.append(("count", "", "findings", "added", None, len(self.findings_added), None, None))
        rows.append(("count", "", "findings", "removed", None, len(self.findings_removed), None, None))
        for workbook, changes in groups.items():
            rows += [("count", workbook, "", kind, None, n, None, None) for kind, n in _counts(changes).items()]
        return rows


def diff_packages(a: Path, b: Path, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL) -> PackageDiff:
    """Compare two evidence packages: identities, parameters, statuses, findings and every metric.

    Raises
    ------
    PackageError
        A folder is not a package (no readable ``manifest.json``) or has no readable ``metrics.json``. A
        missing or unreadable ``parameters.yaml`` is not an error: ``parameters_note`` says so.
    """
    a, b = Path(a), Path(b)
    manifest_a, manifest_b = read_manifest(a), read_manifest(b)
    metrics_a, metrics_b = read_metrics(a), read_metrics(b)
    statuses_a, statuses_b = _manifest_statuses(manifest_a), _manifest_statuses(manifest_b)
    package_changes = []
    for key in sorted(statuses_a.keys() | statuses_b.keys(), key=lambda k: (k != PACKAGE_STATUS, _natural(k))):
        if key not in statuses_b:
            package_changes.append(MetricChange(key, "removed", old=statuses_a[key], is_status=True))
        elif key not in statuses_a:
            package_changes.append(MetricChange(key, "added", new=statuses_b[key], is_status=True))
        elif statuses_a[key] != statuses_b[key]:
            package_changes.append(MetricChange(key, "changed", statuses_a[key], statuses_b[key], is_status=True))
    findings_added, findings_removed = _match_findings(_findings(metrics_a), _findings(metrics_b))
    parameter_changes, parameters_note = _parameter_changes(a, b)
    return PackageDiff(
        a=PackageIdentity.from_manifest(a, manifest_a),
        b=PackageIdentity.from_manifest(b, manifest_b),
        package_status_changes=tuple(package_changes),
        findings_added=tuple(findings_added),
        findings_removed=tuple(findings_removed),
        metrics=compare_metrics(metrics_a, metrics_b, rel_tol=rel_tol, abs_tol=abs_tol),
        parameter_changes=parameter_changes,
        parameters_note=parameters_note,
        workbooks=tuple(sorted({str(w) for w in (*metrics_a, *metrics_b)})),
    )
