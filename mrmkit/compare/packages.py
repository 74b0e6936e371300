"""Reading evidence packages: metrics, parameters, identity, and one model's history across its packages.

:func:`read_metrics` and :func:`read_parameters` read a package's files safely; :class:`PackageIdentity`
is who a package is; the private helpers gather what :func:`mrmkit.compare.diff_packages` compares;
:func:`history` tabulates the key metrics of one model across a folder of packages.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mrmkit.compare.metrics import MetricChange, _change, _equal, _label, _natural, flatten
from mrmkit.errors import MrmkitError, PackageError, one_line
from mrmkit.evidence import tables
from mrmkit.evidence.keys import KEYS
from mrmkit.evidence.manifest import MANIFEST, read_manifest

if TYPE_CHECKING:
    import pandas as pd

METRICS = "metrics.json"
PARAMETERS = "parameters.yaml"
HISTORY_KEYS = tuple(  # history's default columns: typed keys, checked as this module is imported
    key.dotted
    for key in (
        KEYS.drift.score.psi,
        KEYS.drift.summary.status_counts.red,
        KEYS.backtest.pd.discrimination.current.auc,
        KEYS.backtest.var.kupiec_pof.p_value,
        KEYS.champion_challenger.decision.recommendation,
        KEYS.explainability.shap.additivity_max_abs_error,
    )
)
PACKAGE_STATUS = "package.status"


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
    """``metrics.json`` of a package with its tables read back (:func:`mrmkit.evidence.tables.resolve`).

    :class:`~mrmkit.errors.PackageError` if it is missing or malformed, or a table cannot be read.
    """
    from mrmkit.evidence.manifest import MANIFEST_LIMIT
    from mrmkit.files import read_bytes

    path = Path(package) / METRICS
    if not path.exists() and not path.is_symlink():
        raise PackageError(f"{package} has no {METRICS}; its metrics cannot be compared.")
    try:
        metrics = json.loads(read_bytes(path, "The metrics file", MANIFEST_LIMIT, error=PackageError, follow=False))
    except ValueError as exc:
        raise PackageError(f"{path} cannot be read as JSON ({exc}).") from None
    if not isinstance(metrics, dict):
        raise PackageError(f"{path} is not a table of workbooks; it is not an mrmkit {METRICS}.")
    return tables.resolve(metrics, Path(package)) if with_tables else metrics


def read_parameters(package: Path) -> dict[str, Any]:
    """``parameters.yaml`` of a package (the parameters as resolved for the run), read safely.

    Read with :func:`mrmkit.params.yamlfile.read_yaml_file` (no aliases that expand without bound, no repeated
    keys). :class:`~mrmkit.errors.PackageError` if it is missing, unreadable or not a mapping.
    """
    from mrmkit.params.yamlfile import read_yaml_file

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

    A setting that only one package records, at its default value, is not a change: the version of mrmkit
    that made the other package had no such setting and behaved as its default does (``mlflow.log: false``,
    ``data.database: null``), so listing it would bury the real changes among settings no one made.

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
            if not _at_default(key, flat_a[key]):
                changes.append(MetricChange(key, "removed", old=flat_a[key]))
        elif key not in flat_a:
            if not _at_default(key, flat_b[key]):
                changes.append(MetricChange(key, "added", new=flat_b[key]))
        elif not _equal(flat_a[key], flat_b[key], 0.0, 0.0):
            changes.append(_change(key, flat_a[key], flat_b[key], False))
    changes.sort(key=lambda c: _natural(c.key))
    return tuple(changes), None


def _at_default(key: str, value: Any) -> bool:
    """Whether ``value`` is the default of setting ``key`` in this version (same type and value)."""
    from mrmkit.params.parameters import setting_default

    known, default = setting_default(key)
    return known and type(default) is type(value) and default == value


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
    keys = list(HISTORY_KEYS) if keys is None else list(keys)
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
    inside = any("[" in k for k in keys)  # a key inside a table needs the table; the others do not
    for path, manifest in mine:
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
