"""Logging a published evidence package to MLflow (``mrmkit run --log-to-mlflow``, or ``mlflow.log: true``).

Why: a bank that keeps its models in MLflow wants the validation beside the model version it judged. After the
package is published (never before: the package is the evidence, MLflow a copy for discovery), one MLflow run
is created in ``mlflow.experiment`` on ``mlflow.tracking_uri`` (default ``model.tracking_uri``, else
``MLFLOW_TRACKING_URI``) with:

- **metrics**: the headline results, each exactly its value in the package's ``metrics.json`` under the same
  dotted key (:data:`HEADLINE`: score, grade and feature PSI, AUC, calibration and VaR p-values, DeLong, SHAP
  additivity, drift's red count), plus ``mrmkit.red_findings`` (the package's red findings) and
  ``mrmkit.max_psi`` (the largest PSI of the score, the grades and the features). Values that are not finite
  numbers (missing, infinite) are not logged. A name from the data (a feature) becomes a valid MLflow metric
  name deterministically: every character outside ``A-Z a-z 0-9 _ - .`` turns into ``_`` and, when anything
  changed, ``_`` and the first 8 hex characters of the name's sha256 follow, so two names never collide
  (:func:`metric_name`).
- **tags**: ``mrmkit.rating`` (the report's overall rating), ``mrmkit.decision`` (the champion-challenger
  recommendation, when that workbook ran), ``mrmkit.status``, the model id, version and run id, the manifest's
  sha256 and, for a registry model, ``mrmkit.registered_model``, ``mrmkit.registered_model_version``, the URI and
  ``mrmkit.model_run_id`` (the run that produced the model).
- **artifacts**: the whole package under ``package/`` (so ``mrmkit verify`` works on a download of it).

A model that came from the registry (``models:/``) also gets tags on its model version: ``mrmkit.rating``,
``mrmkit.run_id``, ``mrmkit.status``, ``mrmkit.validation_run`` (the MLflow run above) and
``mrmkit.validated_at``. A failure raises :class:`LoggingFailed` (the CLI exits 4: the package stays published).
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from pathlib import Path
from typing import Any

from mrmkit.errors import MrmkitError, shorten
from mrmkit.evidence.keys import KEYS, Key
from mrmkit.params import Parameters

__all__ = ["HEADLINE", "LoggingFailed", "headline_metrics", "log_package", "metric_name", "tracking_uri"]

#: metrics.json keys logged as MLflow metrics (typed keys, :mod:`mrmkit.evidence.keys`: checked at import);
#: ``*`` stands for a name from the data
_BT = KEYS.backtest
HEADLINE: tuple[Key, ...] = (
    KEYS.drift.score.psi,
    KEYS.drift.grade.psi,
    KEYS.drift.features["*"].psi,
    KEYS.drift.summary.status_counts.red,
    _BT.pd.discrimination.current.auc,
    _BT.pd.discrimination.development.auc,
    _BT.pd.discrimination.auc_initial_test.p_value,
    _BT.pd.calibration.hosmer_lemeshow.p_value,
    _BT.pd.calibration.portfolio_jeffreys.p_value,
    _BT.pd.calibration.spiegelhalter.p_value,
    _BT.classifier.discrimination.current.auc,
    _BT.var.kupiec_pof.p_value,
    _BT.var.christoffersen_independence.p_value,
    KEYS.champion_challenger.delong.p_value,
    KEYS.explainability.shap.additivity_max_abs_error,
)
DECISION_KEY = KEYS.champion_challenger.decision.recommendation
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


class LoggingFailed(MrmkitError):
    """The package was published but could not be logged to MLflow."""

    exit_code = 4


def tracking_uri(params: Parameters) -> str | None:
    """Where to log: ``mlflow.tracking_uri``, else ``model.tracking_uri``, else ``MLFLOW_TRACKING_URI``."""
    return params.mlflow.tracking_uri or params.model.tracking_uri or os.environ.get("MLFLOW_TRACKING_URI") or None


def metric_name(part: str) -> str:
    """A name from the data as one part of an MLflow metric name: deterministic, and distinct names stay distinct."""
    safe = _UNSAFE.sub("_", part)[:120]
    if safe == part and ".." not in part and part not in ("", "."):
        return part
    return f"{safe.replace('..', '__')}_{hashlib.sha256(part.encode()).hexdigest()[:8]}"


def headline_metrics(metrics: dict[str, Any]) -> dict[str, float]:
    """The MLflow metrics of a package's ``metrics.json``: :data:`HEADLINE` values under sanitized names."""
    logged: dict[str, float] = {}
    for key in HEADLINE:
        for names, value in key.values(metrics):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                continue
            from_data = iter(names)
            name = ".".join(metric_name(next(from_data)) if p == "*" else p for p in key.dotted.split("."))
            logged[name] = float(value)
    psis = [v for k, v in logged.items() if k.endswith(".psi") and k.startswith("drift.")]
    if psis:
        logged["mrmkit.max_psi"] = max(psis)
    return logged


def log_package(package: Path, params: Parameters, rating: str) -> str:
    """Log ``package`` to MLflow as described above; the MLflow run id. Raises :class:`LoggingFailed`."""
    from mrmkit.sources import registry

    uri = tracking_uri(params)
    if uri is None:
        raise LoggingFailed(
            "mlflow.tracking_uri: no MLflow tracking server to log to; set mlflow.tracking_uri, "
            "model.tracking_uri or MLFLOW_TRACKING_URI."
        )
    mlflow = registry.mlflow_module("mlflow.log", "logging to MLflow")
    from mrmkit.compare.packages import read_metrics
    from mrmkit.evidence.manifest import read_manifest

    manifest = read_manifest(package)
    metrics = read_metrics(package, with_tables=False)
    source = (manifest.get("inputs") or {}).get("model.artifact") or {}
    meta = source.get("registry") or {}
    tags = {
        "mrmkit.rating": rating,
        "mrmkit.status": str(manifest.get("status")),
        "mrmkit.model_id": params.model.id,
        "mrmkit.model_version": params.model.version,
        "mrmkit.run_id": str(manifest.get("run_id")),
        "mrmkit.manifest_sha256": str(manifest.get("manifest_sha256")),
        "mrmkit.package": str(package.resolve()),
    }
    decision = next((value for _, value in DECISION_KEY.values(metrics)), None)
    if decision is not None:
        tags["mrmkit.decision"] = str(decision)
    if "uri" in source:
        tags["mrmkit.model_uri"] = str(source["uri"])
    if meta.get("run_id"):  # the MLflow run that produced the model (for a runs:/ URI, the only link there is)
        tags["mrmkit.model_run_id"] = str(meta["run_id"])
    if meta.get("name"):
        tags.update(
            {"mrmkit.registered_model": str(meta["name"]), "mrmkit.registered_model_version": str(meta["version"])}
        )
    values = headline_metrics(metrics)
    values["mrmkit.red_findings"] = float(manifest.get("red_findings") or 0)
    try:
        with registry.server(mlflow, uri):
            return _log(mlflow, uri, params, package, manifest, tags, values, meta, rating)
    except MrmkitError:
        raise
    except Exception as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LoggingFailed(
            f"mlflow.tracking_uri: the package could not be logged to {uri} ({shorten(text, 200)})."
        ) from None


def _log(
    mlflow: Any,
    uri: str,
    params: Parameters,
    package: Path,
    manifest: dict[str, Any],
    tags: dict[str, str],
    values: dict[str, float],
    meta: dict[str, Any],
    rating: str,
) -> str:
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiment = client.get_experiment_by_name(params.mlflow.experiment)
    experiment_id = experiment.experiment_id if experiment else client.create_experiment(params.mlflow.experiment)
    run = client.create_run(
        experiment_id, run_name=f"{params.model.id} {params.model.version} {manifest.get('run_id')}", tags=tags
    )
    run_id = run.info.run_id
    try:
        from mlflow.entities import Metric

        stamp = run.info.start_time
        batch = [Metric(k, v, stamp, 0) for k, v in sorted(values.items())]
        for start in range(0, len(batch), 1000):  # MLflow takes at most 1000 metrics per request
            client.log_batch(run_id, metrics=batch[start : start + 1000])
        client.log_artifacts(run_id, str(package), artifact_path="package")
    except BaseException:
        client.set_terminated(run_id, status="FAILED")
        raise
    client.set_terminated(run_id, status="FINISHED")
    if meta.get("name") and meta.get("version"):
        for key, value in (
            ("mrmkit.rating", rating),
            ("mrmkit.run_id", str(manifest.get("run_id"))),
            ("mrmkit.status", str(manifest.get("status"))),
            ("mrmkit.validation_run", run_id),
            ("mrmkit.validated_at", str(manifest.get("started"))),
        ):
            client.set_model_version_tag(meta["name"], meta["version"], key, value)
    return run_id
