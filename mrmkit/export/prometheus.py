"""``mrmkit export prometheus``: the headline metrics of the latest package of each model, for Prometheus.

:func:`export_prometheus` finds the packages (package folders, or folders of packages laid out
``<model>/<version>/<run>/`` as ``mrmkit list`` and ``history`` read them), keeps the latest of each model
(by start time, then run id, as ``history`` orders them), verifies it as ``mrmkit verify PACKAGE`` does
(every file against the manifest, the signature if any, the audit line if there is an audit log) and
turns the metrics of a package that verifies into samples (:data:`FAMILIES`). A package that does not
verify gives ``mrmkit_package_info`` and ``mrmkit_package_verified 0`` and nothing read from its files:
the dashboard and the alert see that the evidence was altered, and the other models are still exported.

The metrics are read from ``metrics.json`` after its sha256 is checked against the verified manifest, so
the values exported are exactly the bytes that verified. Which keys are read is :data:`SOURCES`, typed keys
of :mod:`mrmkit.evidence.keys` (a key ``metrics_schema.yaml`` does not declare fails this module's import).
Nothing here reads the clock: the caller passes ``now``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from mrmkit.errors import InvalidParameters, PackageError, one_line
from mrmkit.evidence.keys import KEYS, Key
from mrmkit.evidence.trusted import Trust
from mrmkit.export.textformat import Family, Sample, render

__all__ = [
    "FAMILIES",
    "SOURCES",
    "ZONES",
    "RATINGS",
    "LatestPackage",
    "PrometheusExport",
    "export_prometheus",
    "find_latest",
    "parse_now",
]

PACKAGE = ("model_id", "model_version", "run_id")

#: Traffic-light zones and overall ratings as numbers: higher is worse, so max() is the worst and an
#: alert is ``> 0``; Grafana's value mappings turn them back into words and colours.
ZONES = {"green": 0, "yellow": 1, "amber": 1, "red": 2}
RATINGS = {"green": 0, "amber": 1, "red": 2, "failed": 3}
SEVERITIES = ("amber", "red")


def _gauge(name: str, help_text: str, *labels: str, package: bool = True) -> Family:
    return Family(name, "gauge", help_text, (*PACKAGE, *labels) if package else labels)


PACKAGE_INFO = _gauge(
    "mrmkit_package_info",
    "Latest evidence package of each model (always 1); status is complete, failed or unreadable, as its manifest says.",
    "status",
)
PACKAGE_VERIFIED = _gauge(
    "mrmkit_package_verified",
    "1 if the package verifies as `mrmkit verify PACKAGE` "
    "(files, manifest hash, signature, audit line) and, with trusted keys (--trusted-keys or "
    "MRMKIT_TRUSTED_KEYS), is signed by one of them; 0 if not; no other value of an "
    "unverified package is exported. Without trusted keys it is unsigned or not checked against a key.",
)
PACKAGE_TRUSTED = _gauge(
    "mrmkit_package_trusted",
    "1 if the package is signed by a key of the trust setting (--trusted-keys or MRMKIT_TRUSTED_KEYS); "
    "0 if it is unsigned, signed by another key, or the export had no trusted keys (not checked against a key).",
)
VALIDATED_AT = _gauge("mrmkit_validation_timestamp_seconds", "Start of the validation run (Unix time).")
AGE = _gauge("mrmkit_validation_age_days", "Days from the start of the validation run to the export (--now).")
RATING = _gauge(
    "mrmkit_overall_rating",
    "Overall rating of the validation: the proposed rating in issues.json (the most severe issue), else the most "
    "severe finding: green=0, amber=1, red=2, failed=3.",
)
ISSUES_OPEN = _gauge(
    "mrmkit_issues_open",
    "Issues of the model's remediation register open or in remediation when the package was published "
    "(issues.json follow_up), by severity (high, medium).",
    "severity",
)
ISSUES_OVERDUE = _gauge(
    "mrmkit_issues_overdue",
    "Issues of the model's remediation register whose remediation was overdue when the package was published.",
)
FINDINGS = _gauge("mrmkit_findings", "Findings of a workbook by severity.", "workbook", "severity")
FEATURE_PSI = _gauge(
    "mrmkit_drift_feature_psi",
    "Population stability index of a feature, current against reference sample (drift.features.<feature>.psi).",
    "feature",
)
SCORE_PSI = _gauge("mrmkit_drift_score_psi", "Population stability index of the score (drift.score.psi).")
GRADE_PSI = _gauge("mrmkit_drift_grade_psi", "Population stability index of the rating grades (drift.grade.psi).")
AUC = _gauge("mrmkit_auc", "Area under the ROC curve on the current or development sample.", "sample")
AUC_TEST = _gauge(
    "mrmkit_auc_initial_test_p_value",
    "One-sided p-value of the current-against-initial AUC test (low: the AUC has fallen).",
)
CALIBRATION = _gauge(
    "mrmkit_calibration_p_value",
    "Portfolio calibration test p-value: hosmer_lemeshow, portfolio_jeffreys or spiegelhalter.",
    "test",
)
GRADE_CALIBRATION = _gauge(
    "mrmkit_calibration_grade_p_value",
    "Calibration p-value of one rating grade (one-sided, H0: PD not underestimated): jeffreys or binomial.",
    "grade",
    "test",
)
ZONE = _gauge("mrmkit_var_traffic_light_zone", "Traffic-light zone of a VaR level: green=0, yellow=1, red=2.", "level")
EXCEPTIONS = _gauge("mrmkit_var_traffic_light_exceptions", "VaR exceptions in the traffic-light window.", "level")
VAR_TEST = _gauge(
    "mrmkit_var_backtest_p_value",
    "VaR backtest p-value of a level: kupiec_pof, kupiec_pof_exact, "
    "christoffersen_independence or conditional_coverage.",
    "level",
    "test",
)
ES_TEST = _gauge("mrmkit_es_backtest_p_value", "Acerbi-Szekely Z2 expected-shortfall backtest p-value.", "level")
DUE = _gauge(
    "mrmkit_validation_due_in_days",
    "Days from the export (--now, UTC date) to the next due date in the "
    "inventory; negative when overdue, 0 when never validated.",
    "model_id",
    package=False,
)
OVERDUE = _gauge(
    "mrmkit_validation_overdue",
    "1 if the inventory says the model is due (due date today or earlier, or never validated), else 0.",
    "model_id",
    package=False,
)
INVENTORY = _gauge(
    "mrmkit_inventory_model_info",
    "A model of the inventory (always 1).",
    "model_id",
    "name",
    "owner",
    "risk_tier",
    "status",
    "frequency",
    package=False,
)

#: Every family the exporter can write, in the README's order.
FAMILIES = (
    PACKAGE_INFO,
    PACKAGE_VERIFIED,
    PACKAGE_TRUSTED,
    VALIDATED_AT,
    AGE,
    RATING,
    ISSUES_OPEN,
    ISSUES_OVERDUE,
    FINDINGS,
    FEATURE_PSI,
    SCORE_PSI,
    GRADE_PSI,
    AUC,
    AUC_TEST,
    CALIBRATION,
    GRADE_CALIBRATION,
    ZONE,
    EXCEPTIONS,
    VAR_TEST,
    ES_TEST,
    DUE,
    OVERDUE,
    INVENTORY,
)

#: (family, typed metrics key with ``*`` for a name from the data, fixed label values); the ``*`` fills the
#: family's one label that the fixed values leave open. Each key is checked against the models as this
#: module is imported (:mod:`mrmkit.evidence.keys`).
_BT = KEYS.backtest
SOURCES: tuple[tuple[Family, Key, dict[str, str]], ...] = (
    (FEATURE_PSI, KEYS.drift.features["*"].psi, {}),
    (SCORE_PSI, KEYS.drift.score.psi, {}),
    (GRADE_PSI, KEYS.drift.grade.psi, {}),
    *(
        (AUC, _BT[kind].discrimination[sample].auc, {"sample": sample})
        for kind in ("pd", "classifier")
        for sample in ("current", "development")
    ),
    *((AUC_TEST, _BT[kind].discrimination.auc_initial_test.p_value, {}) for kind in ("pd", "classifier")),
    *(
        (CALIBRATION, _BT.pd.calibration[test].p_value, {"test": test})
        for test in ("hosmer_lemeshow", "portfolio_jeffreys", "spiegelhalter")
    ),
    *(
        (GRADE_CALIBRATION, _BT.pd.calibration.grades["*"][f"{test}_p_value"], {"test": test})
        for test in ("jeffreys", "binomial")
    ),
    (ZONE, _BT.var.levels["*"].traffic_light.zone, {}),
    (EXCEPTIONS, _BT.var.levels["*"].traffic_light.exceptions, {}),
    (VAR_TEST, _BT.var.levels["*"].kupiec_pof.p_value, {"test": "kupiec_pof"}),
    (VAR_TEST, _BT.var.levels["*"].kupiec_pof.p_value_exact, {"test": "kupiec_pof_exact"}),
    (VAR_TEST, _BT.var.levels["*"].christoffersen_independence.p_value, {"test": "christoffersen_independence"}),
    (VAR_TEST, _BT.var.levels["*"].conditional_coverage.p_value, {"test": "conditional_coverage"}),
    (ES_TEST, _BT.var.es["*"].p_value, {}),
)


@dataclass(frozen=True, slots=True)
class LatestPackage:
    """The latest package of one model, and whether it verifies (``problem`` says why not)."""

    path: Path
    model_id: str
    model_version: str
    run_id: str
    status: str
    started: datetime | None
    verified: bool
    problem: str | None = None
    trusted: bool | None = None  # signed by a trusted key; None: no trust setting (not checked against a key)

    @property
    def labels(self) -> tuple[str, str, str]:
        return (self.model_id, self.model_version, self.run_id)


@dataclass(frozen=True, slots=True)
class PrometheusExport:
    """The exposition text and the packages it was made from (one per model, by model id)."""

    text: str
    packages: tuple[LatestPackage, ...]

    @property
    def unverified(self) -> tuple[LatestPackage, ...]:
        return tuple(p for p in self.packages if not p.verified)


def parse_now(text: str | None) -> datetime:
    """``--now``: an ISO 8601 date or time (``2026-12-31``, ``2026-12-31T12:00:00Z``); no zone means UTC.

    ``None`` is the current time. :class:`~mrmkit.errors.InvalidParameters` for anything else.
    """
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidParameters(
            f"--now: expected an ISO 8601 date or time such as 2026-12-31 or 2026-12-31T12:00:00Z; got {text!r}."
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _when(value: Any, run_id: str) -> datetime | None:
    """A manifest's ``started`` as an aware time; without one, the UTC time at the head of the run id."""
    for text, form in ((value, None), (run_id.split("-", 1)[0], "%Y%m%dT%H%M%SZ")):
        try:
            moment = datetime.fromisoformat(text) if form is None else datetime.strptime(text, form)
        except (TypeError, ValueError):
            continue
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return None


def _found(paths: Sequence[Path], empty_ok: bool = False) -> dict[Path, tuple[Path, dict[str, Any]]]:
    """Every package under the given paths (a package folder or a folder of packages), by resolved path.

    A folder that holds no package is an error unless ``empty_ok`` (a batch whose every model failed).
    """
    from mrmkit.compare.packages import _scan
    from mrmkit.evidence.manifest import MANIFEST, read_manifest

    found: dict[Path, tuple[Path, dict[str, Any]]] = {}
    for given in map(Path, paths):
        if not given.exists():
            raise PackageError(f"{given} does not exist; give evidence package folders or folders of packages.")
        if (given / MANIFEST).exists() or (given / MANIFEST).is_symlink():
            try:
                entries = [(given, read_manifest(given))]
            except PackageError:
                entries = [(given, {"status": "unreadable"})]
        elif given.is_dir():
            entries = _scan(given)
            if not entries and not empty_ok:
                raise PackageError(
                    f"{given} is not an evidence package and holds none (no manifest.json in it or "
                    "in <model>/<version>/<run>/ below it)."
                )
        else:
            raise PackageError(f"{given} is not an evidence package: it is a file, not a package folder.")
        found.update({path.resolve(): (path, manifest) for path, manifest in entries})
    return found


def _verify(path: Path, trust: Trust | None = None) -> tuple[str | None, bool | None]:
    """Why ``path`` does not verify as ``mrmkit verify PACKAGE`` checks it (with the trusted keys, if any), or
    ``None`` if it does; and whether it is signed by a trusted key (``None`` without a trust setting)."""
    from mrmkit.evidence.check import check_package

    try:
        check = check_package(path, list(trust.keys) if trust is not None else None)
    except PackageError as exc:
        return one_line(exc), False if trust is not None else None
    trusted = None if trust is None else bool(check.signature.trusted and check.signature.state == "valid")
    return check.problem(), trusted


def find_latest(paths: Sequence[Path], empty_ok: bool = False, trust: Trust | None = None) -> list[LatestPackage]:
    """The latest package of each model under ``paths``, verified (against ``trust``'s keys), sorted by model id.

    :class:`~mrmkit.errors.PackageError` if a path does not exist or (unless ``empty_ok``) holds no package.
    """
    latest: dict[str, tuple[tuple[str, str], Path, dict[str, Any]]] = {}
    for path, manifest in _found(paths, empty_ok).values():
        parts = path.resolve().parts
        run_id = str(manifest.get("run_id") or parts[-1])
        model_id = str(manifest.get("model_id") or parts[-3])
        started = _when(manifest.get("started"), run_id)
        key = (started.isoformat() if started else "", run_id)
        if model_id not in latest or key > latest[model_id][0]:
            latest[model_id] = (key, path, manifest)
    chosen = []
    for model_id in sorted(latest):
        _, path, manifest = latest[model_id]
        parts = path.resolve().parts
        run_id = str(manifest.get("run_id") or parts[-1])
        problem, trusted = _verify(path, trust)
        chosen.append(
            LatestPackage(
                path=path,
                model_id=model_id,
                model_version=str(manifest.get("model_version") or parts[-2]),
                run_id=run_id,
                status=str(manifest.get("status") or "unreadable"),
                started=_when(manifest.get("started"), run_id),
                verified=problem is None,
                problem=problem,
                trusted=trusted,
            )
        )
    return chosen


def _verified_json(package: LatestPackage, name: str) -> Any:
    """A JSON file of a verified package, only if its bytes are those its manifest records; None if it has none."""
    from mrmkit.evidence.manifest import read_manifest

    entry = read_manifest(package.path)["files"].get(name)
    if not isinstance(entry, dict):
        return None  # a failed run may have recorded none; an older package has no issues.json
    from mrmkit.evidence.manifest import MANIFEST_LIMIT
    from mrmkit.files import read_bytes

    data = read_bytes(package.path / name, name, MANIFEST_LIMIT, error=PackageError, follow=False)
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        raise PackageError(f"{package.path}: {name} changed after it was verified; run the export again.")
    return json.loads(data)


def _metrics(package: LatestPackage) -> dict[str, Any]:
    """``metrics.json`` of a verified package, only if its bytes are those its manifest records."""
    metrics = _verified_json(package, "metrics.json")
    return metrics if isinstance(metrics, dict) else {}


def _issues(package: LatestPackage) -> Any:
    """``issues.json`` of a verified package (validated), or None for a package published before it existed."""
    from pydantic import ValidationError

    from mrmkit.conclude.record import IssuesFile

    raw = _verified_json(package, "issues.json")
    if raw is None:
        return None
    try:
        return IssuesFile.model_validate(raw)
    except ValidationError:
        raise PackageError(f"{package.path}: issues.json is not valid; run mrmkit verify on it.") from None


def _issue_samples(package: LatestPackage, issues: Any) -> Iterator[Sample]:
    """Open issues by severity and overdue remediations, from the follow-up the package recorded."""
    from mrmkit.remediation.view import counts

    rows = [r.model_dump() for r in issues.follow_up] or [{**i.model_dump(), "status": "open"} for i in issues.issues]
    n = counts(rows)
    for severity in ("high", "medium"):
        yield Sample(ISSUES_OPEN, (*package.labels, severity), n[severity])
    yield Sample(ISSUES_OVERDUE, package.labels, n["overdue"])


def _number(value: Any, family: Family) -> float | int | None:
    """A metrics value as a sample value: numbers as they are, "inf"/"-inf" as infinities, zones mapped."""
    if family is ZONE:
        return ZONES.get(value) if isinstance(value, str) else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return value
    return {"inf": float("inf"), "-inf": float("-inf")}.get(value) if isinstance(value, str) else None


def _rating(findings: list[dict[str, Any]], failed: bool) -> int:
    """The validation report's overall rating (:func:`mrmkit.policy.overall_rating`) as a number."""
    from mrmkit.policy import overall_rating

    return RATINGS[overall_rating(findings, failed)]


def _package_samples(package: LatestPackage, now: datetime) -> Iterator[Sample]:
    """The samples of one package: identity and verification always, values only when it verifies."""
    yield Sample(PACKAGE_INFO, (*package.labels, package.status), 1)
    yield Sample(PACKAGE_VERIFIED, package.labels, int(package.verified))
    yield Sample(PACKAGE_TRUSTED, package.labels, int(bool(package.trusted)))
    if not package.verified:
        return
    if package.started is not None:
        yield Sample(VALIDATED_AT, package.labels, package.started.timestamp())
        yield Sample(AGE, package.labels, (now - package.started).total_seconds() / 86400)
    metrics = _metrics(package)
    findings = []
    for workbook in sorted(metrics):
        items = metrics[workbook].get("findings") if isinstance(metrics[workbook], dict) else None
        items = [f for f in items if isinstance(f, dict)] if isinstance(items, list) else []
        findings += items
        for severity in SEVERITIES:
            count = sum(f.get("severity") == severity for f in items)
            yield Sample(FINDINGS, (*package.labels, str(workbook), severity), count)
    issues = _issues(package)
    if issues is None:
        yield Sample(RATING, package.labels, _rating(findings, package.status == "failed"))
    else:  # the proposed rating: a champion-challenger decision is no finding on the model (mrmkit.conclude)
        yield Sample(RATING, package.labels, RATINGS[issues.proposed_rating])
        yield from _issue_samples(package, issues)
    seen: set[tuple[str, tuple[str, ...]]] = set()  # the first source wins (backtest.pd before backtest.classifier)
    for family, key, fixed in SOURCES:
        for names, value in key.values(metrics):
            number = _number(value, family)
            if number is None:
                continue
            free = iter(names)
            extra = tuple(fixed[label] if label in fixed else next(free) for label in family.labels[len(PACKAGE) :])
            values = (*package.labels, *extra)
            if (family.name, values) not in seen:
                seen.add((family.name, values))
                yield Sample(family, values, number)


def _inventory_samples(inventory: Any, today: date) -> Iterator[Sample]:
    """Due dates from the inventory (same rule as ``mrmkit list --inventory``); retired models are never due."""
    from mrmkit.params.inventory import next_due

    for entry in inventory.models:
        yield Sample(INVENTORY, (entry.id, entry.name, entry.owner, entry.risk_tier, entry.status, entry.frequency), 1)
        if entry.status == "retired":
            continue
        due = next_due(entry)
        yield Sample(DUE, (entry.id,), 0 if due is None else (due - today).days)
        yield Sample(OVERDUE, (entry.id,), int(due is None or due <= today))


def export_prometheus(
    paths: Iterable[str | Path],
    now: datetime,
    inventory: str | Path | None = None,
    empty_ok: bool = False,
    trust: Trust | None = None,
) -> PrometheusExport:
    """The exposition text for the latest package of each model under ``paths``.

    Parameters
    ----------
    paths : iterable of path
        Package folders and folders of packages (``<model>/<version>/<run>/``).
    now : datetime
        The time the ages and due days are counted to (an aware time; see :func:`parse_now`).
    inventory : path, optional
        An inventory file; adds each model's due days (:func:`mrmkit.params.inventory.next_due`, against the UTC
        date of ``now``).
    empty_ok : bool
        A folder without packages gives no package samples instead of an error (``mrmkit batch``).
    trust : Trust, optional
        The trusted public keys (:func:`mrmkit.evidence.trusted.trusted_keys`): a package not signed by one of
        them does not verify. Without it, signatures are only checked against the key they name.

    Raises
    ------
    PackageError
        A path does not exist or holds no package.
    InvalidParameters
        The inventory file is missing or invalid.
    """
    from mrmkit.params.inventory import load_inventory

    paths = [Path(p) for p in paths]
    if not paths and not empty_ok:
        raise PackageError("export prometheus: give at least one package or folder of packages.")
    book = load_inventory(inventory) if inventory is not None else None  # a bad inventory fails before the work
    packages = find_latest(paths, empty_ok, trust)
    samples = [s for p in packages for s in _package_samples(p, now)]
    if book is not None:
        samples += _inventory_samples(book, now.astimezone(UTC).date())
    return PrometheusExport(text=render(samples), packages=tuple(packages))
