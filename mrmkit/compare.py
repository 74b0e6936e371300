"""Compare the metrics of evidence packages: ``mrmkit diff``, ``mrmkit history`` and ``mrmkit reproduce``.

``metrics.json`` is a tree ``{workbook: {...}}``. :func:`flatten` turns it into one dotted key per
recorded value, :func:`compare_metrics` compares two trees key by key, :func:`diff_packages` compares two
packages (identity, parameters, status, findings, metrics) and :func:`history` tabulates the key metrics of
one model across its packages.

Keys
----
Dict keys are joined with dots (``drift.features.income.psi``); a list item is ``key[i]``. A list whose
items are all dicts identified by ``name``, ``metric``, ``rule``, ``feature`` and ``step``, or ``id``
(checked in that order; the values must be unique) is keyed by that value instead of its position
(``backtest.stress.rows[income_fall].mean_pd``, ``backtest.sensitivity.rows[income@sd].change_up``), so a
diff does not change when only the order of the rows changes. A ``findings`` list is keyed by each
finding's ``metric``, with ``" | " + title`` added when a metric has more than one finding. An empty dict
or list is a value of its own (``{}``, ``[]``), so it is not lost.

Tolerance
---------
Integers, booleans, strings and ``None`` are compared exactly. Two floats (or a float and an integer) are
equal when ``math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)`` (the defaults of
:func:`compare_metrics`). JSON stores a double exactly, so the tolerance only absorbs floating-point
non-determinism: a different summation order (BLAS threads, another CPU or platform) moves a result by a
few units in the last place, about 1e-16 to 1e-13 relative, far below 1e-9, and 1e-9 is far below any
decimal a report prints. ``abs_tol`` lets values that should be zero (an additivity error of 1e-17 against
3e-17) compare equal. The strings ``"inf"`` and ``"-inf"`` (how ``metrics.json`` stores infinities) are
read as infinities; ``None`` (how it stores NaN) equals only ``None``.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mrmkit import schema, tables
from mrmkit.errors import MrmkitError, PackageError, one_line
from mrmkit.manifest import MANIFEST, read_manifest

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "STATUS_KEYS",
    "REL_TOL",
    "ABS_TOL",
    "HISTORY_KEYS",
    "flatten",
    "compare_metrics",
    "MetricChange",
    "MetricDiff",
    "PackageIdentity",
    "PackageDiff",
    "diff_packages",
    "read_metrics",
    "read_parameters",
    "plain",
    "workbook_of",
    "CSV_COLUMNS",
    "history",
]

METRICS = "metrics.json"
PARAMETERS = "parameters.yaml"
REL_TOL = 1e-9
ABS_TOL = 1e-12
STATUS_KEYS = frozenset({"status", "psi_status", "severity", "zone", "recommendation", "outcome"})
LIST_ID_FIELDS: tuple[tuple[str, ...], ...] = (("name",), ("metric",), ("rule",), ("feature", "step"), ("id",))
HISTORY_KEYS = (  # each is checked against the metrics schema when history() uses it
    "drift.score.psi",
    "drift.summary.status_counts.red",
    "backtest.pd.discrimination.current.auc",
    "backtest.var.kupiec_pof.p_value",
    "champion_challenger.decision.recommendation",
    "explainability.shap.additivity_max_abs_error",
)
PACKAGE_STATUS = "package.status"


# --------------------------------------------------------------------------------------------- flatten


def _label(value: Any) -> str:
    return "null" if value is None else str(value)


def _item_labels(parent: str | None, items: list[Any]) -> list[str] | None:
    """Stable labels for the items of a list of dicts, or ``None`` to index by position."""
    if not items or not all(isinstance(item, dict) for item in items):
        return None
    if parent == "findings" and all("metric" in item for item in items):
        metrics = Counter(_label(item["metric"]) for item in items)
        labels = [
            _label(item["metric"])
            if metrics[_label(item["metric"])] == 1
            else f"{_label(item['metric'])} | {_label(item.get('title'))}"
            for item in items
        ]
        seen: Counter[str] = Counter()
        unique = []
        for label in labels:  # the same metric and title twice: number the repeats, in order
            seen[label] += 1
            unique.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
        return unique
    for fields in LIST_ID_FIELDS:
        if all(all(f in item for f in fields) for item in items):
            values = [tuple(item[f] for f in fields) for item in items]
            if not all(isinstance(v, (str, int, float)) or v is None for t in values for v in t):
                continue
            labels = ["@".join(_label(v) for v in t if v is not None) or "null" for t in values]
            if len(set(labels)) == len(labels):
                return labels
    return None


def _walk(value: Any, key: str, last: str | None) -> Iterator[tuple[str, Any, bool]]:
    """Yield ``(key, leaf value, is_status)``; ``last`` is the dict key the value sits under."""
    if isinstance(value, dict) and value:
        for name, child in value.items():
            name = str(name)
            yield from _walk(child, f"{key}.{name}" if key else name, name)
    elif isinstance(value, (list, tuple)) and value:
        labels = _item_labels(last, list(value))
        for i, child in enumerate(value):
            yield from _walk(child, f"{key}[{labels[i] if labels else i}]", None)
    else:
        yield key, value, last in STATUS_KEYS


def _flat(metrics: dict[str, Any]) -> dict[str, tuple[Any, bool]]:
    return {key: (value, status) for key, value, status in _walk(metrics, "", None)}


def flatten(metrics: dict[str, Any]) -> dict[str, Any]:
    """One dotted key per recorded value of a metrics tree (see the module docstring for the key rules).

    Parameters
    ----------
    metrics : dict
        ``metrics.json`` as loaded: ``{workbook: {...nested dicts and lists...}}``.

    Returns
    -------
    dict
        ``{"drift.features.income.psi": 0.03, "backtest.stress.rows[income_fall].mean_pd": 0.021, ...}``
        in the order of the tree.
    """
    return {key: value for key, (value, _) in _flat(metrics).items()}


# --------------------------------------------------------------------------------------------- compare


def _number(value: Any) -> float | int | None:
    """A number for comparison, with ``"inf"``/``"-inf"`` read as infinities; ``None`` if not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if value == "inf":
        return math.inf
    if value == "-inf":
        return -math.inf
    return None


def _equal(a: Any, b: Any, rel_tol: float, abs_tol: float) -> bool:
    x, y = _number(a), _number(b)
    if x is not None and y is not None:
        if isinstance(x, int) and isinstance(y, int):
            return x == y
        if math.isnan(x) or math.isnan(y):  # NaN only from an in-memory tree; metrics.json stores None
            return math.isnan(x) and math.isnan(y)
        return math.isclose(x, y, rel_tol=rel_tol, abs_tol=abs_tol)
    if type(a) is not type(b) and not (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))):
        return False
    return a == b


def _natural(key: str) -> tuple[Any, ...]:
    """Sort key that puts ``rows[2]`` before ``rows[10]``."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _signed(value: float, exact: bool = False) -> str:
    """``value`` with its sign: 4 significant digits, or in full (``repr``) when ``exact``."""
    if exact and math.isfinite(value):
        return ("+" if value >= 0 else "") + repr(value)
    return f"{value:+.4g}"


def plain(value: Any) -> Any:
    """``value`` in plain JSON types: infinities as ``"inf"``/``"-inf"`` (as ``metrics.json`` writes them),
    NaN as ``None``, NumPy scalars as Python numbers, tuples as lists, anything else JSON lacks as text."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    item = getattr(value, "item", None)  # a NumPy scalar
    if callable(item):
        try:
            return plain(item())
        except (TypeError, ValueError):
            pass
    if hasattr(value, "isoformat"):  # a date YAML read
        return value.isoformat()
    return str(value)


def workbook_of(key: str) -> str:
    """The workbook a flattened key belongs to: its first part (``drift`` of ``drift.score.psi``)."""
    return re.split(r"[.\[]", key, maxsplit=1)[0]


@dataclass(frozen=True, slots=True)
class MetricChange:
    """One key that differs between two metric trees.

    ``kind`` is ``"added"`` (only in B; ``old`` is ``None``), ``"removed"`` (only in A; ``new`` is
    ``None``) or ``"changed"``. For two numbers, ``abs_change = new - old`` and
    ``rel_change = (new - old) / |old|`` (``None`` when ``old`` is 0 or either is infinite).
    """

    key: str
    kind: str
    old: Any = None
    new: Any = None
    abs_change: float | None = None
    rel_change: float | None = None
    is_status: bool = False

    def describe(self, exact: bool = False) -> str:
        """``key: old -> new (change)`` as one line of plain text.

        The values are always shown in full (floats as ``repr``); the change in brackets is rounded to 4
        significant digits (3 for the percentage) unless ``exact``, which shows it in full too.
        """
        if self.kind == "added":
            return f"{self.key}: added, {_fmt(self.new)}"
        if self.kind == "removed":
            return f"{self.key}: removed, was {_fmt(self.old)}"
        text = f"{self.key}: {_fmt(self.old)} -> {_fmt(self.new)}"
        if self.abs_change is not None:
            ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (self.old, self.new))
            extra = f"{self.new - self.old:+d}" if ints and exact else _signed(self.abs_change, exact)
            if self.rel_change is not None:
                extra += f", {_signed(self.rel_change * 100, exact) if exact else f'{self.rel_change * 100:+.3g}'}%"
            text += f" ({extra})"
        return text

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (infinities as ``"inf"``/``"-inf"``, NaN as ``None``; see :func:`plain`)."""
        return {
            "key": self.key,
            "kind": self.kind,
            "old": plain(self.old),
            "new": plain(self.new),
            "abs_change": plain(self.abs_change),
            "rel_change": plain(self.rel_change),
            "is_status": self.is_status,
        }


def _change(key: str, old: Any, new: Any, is_status: bool) -> MetricChange:
    x, y = _number(old), _number(new)
    abs_change = rel_change = None
    if x is not None and y is not None:
        delta = y - x
        if not math.isnan(delta):
            abs_change = float(delta)
            if x != 0 and math.isfinite(x) and math.isfinite(y):
                rel_change = float(delta / abs(x))
    return MetricChange(key, "changed", old, new, abs_change, rel_change, is_status)


@dataclass(frozen=True, slots=True)
class MetricDiff:
    """Every difference between two metric trees, status changes first, then by key.

    ``changes`` holds only the keys that differ; ``equal`` counts the others. ``rel_tol`` and ``abs_tol``
    are the float tolerance used (see the module docstring).
    """

    changes: tuple[MetricChange, ...]
    equal: int
    rel_tol: float
    abs_tol: float

    @property
    def identical(self) -> bool:
        """No key added, removed or changed."""
        return not self.changes

    @property
    def status_changes(self) -> list[MetricChange]:
        return [c for c in self.changes if c.is_status]

    @property
    def other_changes(self) -> list[MetricChange]:
        return [c for c in self.changes if not c.is_status]

    @property
    def added(self) -> list[MetricChange]:
        return [c for c in self.changes if c.kind == "added"]

    @property
    def removed(self) -> list[MetricChange]:
        return [c for c in self.changes if c.kind == "removed"]

    @property
    def changed(self) -> list[MetricChange]:
        return [c for c in self.changes if c.kind == "changed"]

    @property
    def summary(self) -> dict[str, int]:
        """Counts: ``added``, ``removed``, ``changed``, ``equal``, ``status_changes``, ``compared``."""
        counts = Counter(c.kind for c in self.changes)
        return {
            "added": counts["added"],
            "removed": counts["removed"],
            "changed": counts["changed"],
            "equal": self.equal,
            "status_changes": len(self.status_changes),
            "compared": self.equal + len(self.changes),
        }

    def summary_line(self) -> str:
        s = self.summary
        return (
            f"{s['changed']} changed, {s['added']} added, {s['removed']} removed, {s['equal']} equal "
            f"of {s['compared']} metrics (floats equal within rel_tol={self.rel_tol:g}, abs_tol={self.abs_tol:g})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "rel_tol": self.rel_tol,
            "abs_tol": self.abs_tol,
            "changes": [c.to_dict() for c in self.changes],
        }


def compare_metrics(
    a: dict[str, Any], b: dict[str, Any], rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL
) -> MetricDiff:
    """Compare two metric trees key by key.

    Parameters
    ----------
    a, b : dict
        Metric trees (``metrics.json`` as loaded); ``a`` is the old one.
    rel_tol, abs_tol : float
        Floats are equal when ``math.isclose(x, y, rel_tol=rel_tol, abs_tol=abs_tol)``; integers,
        booleans, strings and ``None`` are compared exactly (module docstring: why 1e-9 and 1e-12).

    Returns
    -------
    MetricDiff
        Changes with status keys (last key in :data:`STATUS_KEYS`) first, then the others, each group
        sorted by key (numbers inside keys in numeric order); and the counts in ``summary``.
    """
    if rel_tol < 0 or abs_tol < 0:
        raise ValueError(f"rel_tol and abs_tol must be non-negative; got rel_tol={rel_tol}, abs_tol={abs_tol}.")
    flat_a, flat_b = _flat(a), _flat(b)
    changes, equal = [], 0
    for key in flat_a.keys() | flat_b.keys():
        if key not in flat_b:
            old, status = flat_a[key]
            changes.append(MetricChange(key, "removed", old=old, is_status=status))
        elif key not in flat_a:
            new, status = flat_b[key]
            changes.append(MetricChange(key, "added", new=new, is_status=status))
        else:
            (old, status), (new, _) = flat_a[key], flat_b[key]
            if _equal(old, new, rel_tol, abs_tol):
                equal += 1
            else:
                changes.append(_change(key, old, new, status))
    changes.sort(key=lambda c: (not c.is_status, _natural(c.key)))
    return MetricDiff(tuple(changes), equal, rel_tol, abs_tol)


# --------------------------------------------------------------------------------------------- packages


@dataclass(frozen=True, slots=True)
class PackageIdentity:
    """Who a package is: model, version, run, status, start time, red findings and folder.

    ``parameters_sha256`` is the sha256 of the package's ``parameters.yaml`` as its manifest records it.
    """

    path: Path
    model_id: str | None
    model_version: str | None
    run_id: str | None
    status: str | None
    started: str | None
    red_findings: int | None
    parameters_sha256: str | None = None

    @classmethod
    def from_manifest(cls, path: Path, manifest: dict[str, Any]) -> PackageIdentity:
        entry = (manifest.get("files") or {}).get(PARAMETERS)
        return cls(
            path=Path(path),
            model_id=manifest.get("model_id"),
            model_version=manifest.get("model_version"),
            run_id=manifest.get("run_id"),
            status=manifest.get("status"),
            started=manifest.get("started"),
            red_findings=manifest.get("red_findings"),
            parameters_sha256=entry.get("sha256") if isinstance(entry, dict) else None,
        )

    def describe(self) -> str:
        def show(v: Any) -> str:
            return "-" if v is None else str(v)

        return (
            f"{show(self.model_id)} {show(self.model_version)} run {show(self.run_id)}, {show(self.status)}, "
            f"started {show(self.started)}, {show(self.red_findings)} red finding(s) ({self.path})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "model_id": self.model_id,
            "model_version": self.model_version,
            "run_id": self.run_id,
            "status": self.status,
            "started": self.started,
            "red_findings": self.red_findings,
            "parameters_sha256": self.parameters_sha256,
        }


def read_metrics(package: Path, with_tables: bool = True) -> dict[str, Any]:
    """``metrics.json`` of a package with its tables read back (:func:`mrmkit.tables.resolve`).

    :class:`~mrmkit.errors.PackageError` if it is missing or malformed, or a table cannot be read.
    """
    path = Path(package) / METRICS
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackageError(f"{package} has no {METRICS}; its metrics cannot be compared.") from None
    except (OSError, ValueError) as exc:
        raise PackageError(f"{path} cannot be read as JSON ({exc}).") from None
    if not isinstance(metrics, dict):
        raise PackageError(f"{path} is not a table of workbooks; it is not an mrmkit {METRICS}.")
    return tables.resolve(metrics, Path(package)) if with_tables else metrics


def read_parameters(package: Path) -> dict[str, Any]:
    """``parameters.yaml`` of a package (the parameters as resolved for the run), read safely.

    Read with :func:`mrmkit.yamlfile.read_yaml_file` (no aliases that expand without bound, no repeated
    keys). :class:`~mrmkit.errors.PackageError` if it is missing, unreadable or not a mapping.
    """
    from mrmkit.yamlfile import read_yaml_file

    path = Path(package) / PARAMETERS
    if not path.is_file():
        raise PackageError(f"{package} has no {PARAMETERS}")
    try:
        params = read_yaml_file(path, kind="Parameter file")
    except MrmkitError as exc:
        raise PackageError(str(exc).rstrip(".")) from None
    if not isinstance(params, dict):
        raise PackageError(f"{path} is not a mapping of parameters")
    return params


def _parameter_changes(a: Path, b: Path) -> tuple[tuple[MetricChange, ...], str | None]:
    """Changes between the two packages' ``parameters.yaml``, flattened like metrics and compared exactly.

    Returns the changes sorted by key, and ``None``, or no changes and why the files were not compared.
    """
    read, why = [], []
    for label, package in (("A", a), ("B", b)):
        try:
            read.append(read_parameters(package))
        except PackageError as exc:
            why.append(f"{label}: {one_line(exc)}")
    if why:
        return (), "; ".join(why)
    flat_a, flat_b = flatten(read[0]), flatten(read[1])
    changes = []
    for key in flat_a.keys() | flat_b.keys():
        if key not in flat_b:
            changes.append(MetricChange(key, "removed", old=flat_a[key]))
        elif key not in flat_a:
            changes.append(MetricChange(key, "added", new=flat_b[key]))
        elif not _equal(flat_a[key], flat_b[key], 0.0, 0.0):
            changes.append(_change(key, flat_a[key], flat_b[key], False))
    changes.sort(key=lambda c: _natural(c.key))
    return tuple(changes), None


def _findings(metrics: dict[str, Any]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Findings of every workbook, grouped by ``(workbook, metric)``."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for workbook, tree in metrics.items():
        items = tree.get("findings") if isinstance(tree, dict) else None
        for item in items if isinstance(items, list) else []:
            finding = item if isinstance(item, dict) else {"title": item}
            groups.setdefault((str(workbook), _label(finding.get("metric"))), []).append(finding)
    return groups


def _match_findings(
    a: dict[tuple[str, str], list[dict[str, Any]]], b: dict[tuple[str, str], list[dict[str, Any]]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Findings only in B (added) and only in A (removed).

    Findings of the same workbook and metric match when their titles are equal; a single finding left on
    each side then matches too (its title moved with its value, e.g. "PSI 0.156" to "PSI 0.160").
    """
    added, removed = [], []
    for group in sorted(a.keys() | b.keys(), key=lambda g: (g[0], _natural(g[1]))):
        left, right = list(a.get(group, [])), list(b.get(group, []))
        for finding in list(left):
            same = next((f for f in right if f.get("title") == finding.get("title")), None)
            if same is not None:
                left.remove(finding)
                right.remove(same)
        if len(left) == 1 and len(right) == 1:
            continue
        removed += left
        added += right
    return added, removed


def _manifest_statuses(manifest: dict[str, Any]) -> dict[str, Any]:
    statuses = {PACKAGE_STATUS: manifest.get("status")}
    workbooks = manifest.get("workbooks")
    if isinstance(workbooks, dict):
        for name, result in workbooks.items():
            if isinstance(result, dict):
                statuses[f"package.workbooks.{name}.status"] = result.get("status")
    return statuses


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


# --------------------------------------------------------------------------------------------- history


def _scan(root: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every package under ``root`` (``<model>/<version>/<run>/manifest.json``) with its manifest."""
    found = []
    for manifest_path in sorted(root.glob(f"*/*/*/{MANIFEST}")):
        if any(part.startswith(".") for part in manifest_path.relative_to(root).parts):
            continue  # staging folders
        try:
            manifest = read_manifest(manifest_path.parent)
        except PackageError:
            manifest = {"model_id": manifest_path.parts[-4], "status": "unreadable"}
        found.append((manifest_path.parent, manifest))
    return found


def history(model_id: str, root: Path = Path("outputs"), keys: Sequence[str] | None = None) -> pd.DataFrame:
    """Key metrics of one model across its packages under ``root``, oldest first.

    Parameters
    ----------
    model_id : str
        The model's id (``model.id`` of its parameter file).
    root : Path
        Folder of packages, laid out ``<model>/<version>/<run>/``.
    keys : sequence of str, optional
        Flattened metric keys (see :func:`flatten`); default :data:`HISTORY_KEYS`.

    Returns
    -------
    pandas.DataFrame
        One row per package, ordered by ``started`` then run id, with columns ``version``, ``run``,
        ``status``, ``started``, ``red_findings`` and one per key; a metric a package does not have is
        ``None`` (blank). ``df.attrs["paths"]`` lists the package folders in row order.

    Raises
    ------
    PackageError
        ``root`` is not a folder, no package is of ``model_id`` (the message lists the models found), or
        a package of the model has no readable ``metrics.json``.
    """
    import pandas as pd

    root = Path(root)
    keys = [schema.key(k) for k in HISTORY_KEYS] if keys is None else list(keys)
    if not root.is_dir():
        raise PackageError(f"{root} is not a folder of evidence packages.")
    packages = _scan(root)
    mine = [(path, m) for path, m in packages if m.get("model_id") == model_id]
    if not mine:
        models = sorted({str(m.get("model_id")) for _, m in packages})
        found = f"models found: {', '.join(models)}" if models else "no evidence packages there"
        raise PackageError(f"No evidence package of model {model_id!r} in {root}; {found}.")
    mine.sort(key=lambda pm: (str(pm[1].get("started") or ""), str(pm[1].get("run_id") or "")))
    rows = []
    for path, manifest in mine:
        inside = any("[" in k for k in keys)  # a key inside a table needs the table; the others do not
        flat = flatten(read_metrics(path, with_tables=inside)) if manifest.get("status") != "unreadable" else {}
        row = {
            "version": manifest.get("model_version"),
            "run": manifest.get("run_id"),
            "status": manifest.get("status"),
            "started": manifest.get("started"),
            "red_findings": manifest.get("red_findings"),
        }
        row.update({key: flat.get(key) for key in keys})
        rows.append(row)
    columns = ["version", "run", "status", "started", "red_findings", *keys]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    frame.attrs["paths"] = [str(path) for path, _ in mine]
    return frame
