"""Models in an MLflow registry: ``model.artifact`` (or ``challenger.artifact``) given as ``models:/<name>/<version>``,
``models:/<name>@<alias>`` or ``runs:/<run_id>/<path>``, on the tracking server ``model.tracking_uri``.

Why a snapshot: a registry alias moves, and a version's files could be replaced; a validation must rest on
one set of bytes. :func:`snapshot` resolves an alias to its version number (both are recorded), downloads
that version's files once per run with ``mlflow.artifacts.download_artifacts`` into the run's private
folder, and records what the manifest keeps: the URI, the tracking server, the sha256 of what came back and
the registry's metadata (name, version, alias, every alias, stage, run id, source, tags, signature,
flavours). Every workbook's kernel loads the model from that folder (:func:`model_file`), so all of them
see the same model. Outside a run (a validator rerunning a notebook by hand) the model is fetched directly.

The sha256 of a model folder is one sha256 over its files: for each file, sorted by its relative path (``/``
separators), the line ``<relative path>\\0<sha256 of the file>\\n``: every file the registry serves for the
version (``MLmodel``, the model file, the environment files), so a changed flavour or requirement is seen too.
A ``runs:/`` URI naming one file (``runs:/<id>/model.skops``) is hashed as that file, like a local artifact.

The security rule of local artifacts holds (:func:`mrmkit.io.models.load_model`): a scikit-learn flavour
saved with ``serialization_format="skops"`` (MLflow's default outside Databricks) is loaded with skops and
only the types skops deems safe plus ``model.trusted_types`` (the ``skops_trusted_types`` the model's author
wrote into ``MLmodel`` are *not* trusted on their behalf); ``pickle`` or ``cloudpickle`` needs
``model.trusted: true``. Any other flavour (a generic pyfunc, LightGBM's own format) is refused: mrmkit needs
``predict_proba``, which a pyfunc's ``predict`` does not promise. A folder holding exactly one ``.skops`` file
and no scikit-learn flavour (a custom pyfunc wrapping a skops file) loads that file with skops.

mlflow-skinny is imported only when a registry URI is used, with telemetry off, no retries and a short
timeout (an unreachable server fails within seconds; ``MLFLOW_HTTP_REQUEST_MAX_RETRIES`` and
``MLFLOW_HTTP_REQUEST_TIMEOUT`` already set in the environment win). Every problem is one ``InvalidInput``
sentence naming the field.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mrmkit.errors import InvalidInput, MrmkitError, shorten
from mrmkit.params import Parameters
from mrmkit.params._base import ArtifactSection, parse_registry_uri
from mrmkit.sources.cache import cached

__all__ = ["snapshot", "handles", "changed", "model_file", "folder_sha256", "mlflow_module", "server"]

SUBDIR = "registry"
FORMATS = {".skops": "skops", ".pkl": "pickle", ".pickle": "pickle", ".joblib": "joblib"}
#: set before mlflow is imported: no telemetry ever, nothing printed on stdout (where the package path goes);
#: no retry loop and a short timeout unless the user set them
_FORCED_ENV = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT": "true",
}
_DEFAULT_ENV = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "20",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
}


def mlflow_module(field: str, need: str) -> Any:
    """``mlflow`` (mlflow-skinny), imported on first use with the network settings above; ``need`` says what
    needs it in the message when it is not installed ("a models:/ URI")."""
    os.environ.update(_FORCED_ENV)
    for key, value in _DEFAULT_ENV.items():
        os.environ.setdefault(key, value)
    try:
        import mlflow
        import mlflow.artifacts
        from mlflow import MlflowClient  # noqa: F401
    except ImportError:
        raise InvalidInput(f"{field}: {need} needs mlflow-skinny; pip install 'mrmkit[mlflow]'") from None
    return mlflow


def _sections(params: Parameters) -> list[tuple[str, ArtifactSection]]:
    pairs = [("model.artifact", params.model), ("challenger.artifact", params.challenger)]
    return [(role, s) for role, s in pairs if s is not None and s.remote]


def snapshot(params: Parameters, folder: Path) -> dict[str, dict[str, Any]]:
    """Fetch every registry model of ``params`` into ``folder``; the manifest's record of each, by role."""
    records = {}
    for role, section in _sections(params):
        record = _fetch(str(section.artifact), str(section.tracking_uri), folder / SUBDIR / role, role)
        _check_trust(section, record, role)
        (folder / SUBDIR / f"{role}.json").write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
        records[role] = record
    return records


def handles(record: dict[str, Any]) -> bool:
    return "uri" in record


def changed(role: str, record: dict[str, Any]) -> str | None:
    """Why the registry no longer serves what a run used: the alias moved, the version is gone, other bytes."""
    uri = str(record["uri"])
    with tempfile.TemporaryDirectory(prefix="mrmkit-registry-") as tmp:
        try:
            now = _fetch(uri, str(record.get("tracking_uri")), Path(tmp) / "model", role)
        except MrmkitError as exc:
            return f"{role} ({uri}) can no longer be fetched as recorded: {_after_field(str(exc), role)}"
    was, new = (record.get("registry") or {}).get("version"), (now.get("registry") or {}).get("version")
    if was != new:
        return f"{role} ({uri}) now resolves to version {new}; the run used version {was}"
    if now["sha256"] != record.get("sha256"):
        return f"{role} ({uri}) now serves other files: sha256 {now['sha256']}, the run used {record.get('sha256')}"
    return None


def model_file(section: ArtifactSection, field: str) -> tuple[Path, str]:
    """The model file to load for a registry artifact and its format: from the run's snapshot when there is one
    (:func:`mrmkit.sources.cached`), else fetched now into a temporary folder removed when the process exits."""
    uri = str(section.artifact)
    folder = cached()
    saved = folder / SUBDIR / f"{field}.json" if folder is not None else None
    if saved is not None and saved.is_file():
        record = json.loads(saved.read_text(encoding="utf-8"))
        if record.get("uri") != uri:
            raise InvalidInput(f"{field}: the run's snapshot holds {record.get('uri')}, not {uri}.")
        base = saved.parent / field
    else:
        base = Path(tempfile.mkdtemp(prefix="mrmkit-registry-"))
        atexit.register(shutil.rmtree, base, True)
        base = base / "model"
        record = _fetch(uri, str(section.tracking_uri), base, field)
    _check_trust(section, record, field)
    return base / record["file"], record["format"]


# --------------------------------------------------------------------------------------------- fetching


def _fetch(uri: str, tracking_uri: str, dest: Path, field: str) -> dict[str, Any]:
    """Resolve, download and hash one registry artifact into ``dest`` (created); the manifest record."""
    try:
        parts = parse_registry_uri(uri)  # checked with the parameters already; again for a manifest's record
    except ValueError as exc:
        raise InvalidInput(f"{field}: {exc}.") from None
    mlflow = mlflow_module(field, f"a {uri.split(':', 1)[0]}:/ URI")
    client = mlflow.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with _reported(field, uri, tracking_uri), server(mlflow, tracking_uri):
        if parts["run_id"] is None:
            meta, pinned = _version(client, parts, field, tracking_uri)
        else:
            run = client.get_run(parts["run_id"])
            meta = {"run_id": run.info.run_id, "experiment_id": run.info.experiment_id, "path": parts["path"]}
            pinned = uri
        part = dest.with_name(dest.name + ".part")
        local = Path(
            mlflow.artifacts.download_artifacts(
                artifact_uri=pinned, dst_path=str(part), tracking_uri=tracking_uri, registry_uri=tracking_uri
            )
        )
    # MLflow puts a download under its own name inside the folder: keep one layout, dest holds the model
    if local.is_file():  # runs:/<id>/model.skops: one file, hashed as a local artifact is
        dest.mkdir(parents=True, exist_ok=True)
        shutil.move(str(local), str(dest / local.name))
        file, fmt, flavours, signature = local.name, _file_format(local.name, field, uri), [], None
        digest = folder_sha256(dest / file)
    else:
        shutil.move(str(local), str(dest))
        file, fmt, flavours, signature = _flavour(dest, field, uri)
        digest = folder_sha256(dest)
    shutil.rmtree(part, ignore_errors=True)
    meta.update(flavors=flavours, signature=signature)
    return {"uri": uri, "tracking_uri": tracking_uri, "sha256": digest, "format": fmt, "file": file, "registry": meta}


def _version(client: Any, parts: dict[str, Any], field: str, tracking_uri: str) -> tuple[dict[str, Any], str]:
    """The model version a ``models:/`` URI names now (an alias resolved), its metadata and a pinned URI."""
    from mlflow.exceptions import MlflowException

    name = parts["name"]
    try:
        client.get_registered_model(name)
    except MlflowException as exc:
        if _missing(exc):
            raise InvalidInput(
                f"{field}: the registry {tracking_uri} has no registered model named {name!r}."
            ) from None
        raise
    try:
        if parts["alias"] is not None:
            mv = client.get_model_version_by_alias(name, parts["alias"])
        else:
            mv = client.get_model_version(name, parts["version"])
    except MlflowException as exc:
        if _missing(exc) or "alias" in str(exc).lower():
            what = f"alias {parts['alias']!r}" if parts["alias"] is not None else f"version {parts['version']}"
            raise InvalidInput(f"{field}: registered model {name!r} has no {what} on {tracking_uri}.") from None
        raise
    meta = {
        "name": mv.name,
        "version": str(mv.version),
        "alias": parts["alias"],
        "aliases": sorted(mv.aliases or []),
        "stage": mv.current_stage,
        "run_id": mv.run_id,
        "source": mv.source,
        "status": mv.status,
        "tags": dict(sorted((mv.tags or {}).items())),
        "description": mv.description or None,
    }
    if str(mv.status).upper() != "READY":
        raise InvalidInput(f"{field}: version {mv.version} of {name!r} is {mv.status}, not READY.")
    # the files of the version just resolved (an alias could move between resolving it and downloading)
    return meta, client.get_model_version_download_uri(name, mv.version)


@contextlib.contextmanager
def server(mlflow: Any, tracking_uri: str) -> Iterator[None]:
    """MLflow's process-wide tracking and registry URIs set to ``tracking_uri`` while fetching (some of its
    artifact repositories build their own client from them), then restored."""
    before = os.environ.get("MLFLOW_TRACKING_URI"), os.environ.get("MLFLOW_REGISTRY_URI")
    from mlflow.tracking._model_registry import utils as registry_utils
    from mlflow.tracking._tracking_service import utils as tracking_utils

    tracking_before = tracking_utils._tracking_uri  # None when never set: restored as such
    registry_before = registry_utils._registry_uri
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    try:
        yield
    finally:
        mlflow.set_tracking_uri(tracking_before)
        mlflow.set_registry_uri(registry_before)
        for key, value in zip(("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI"), before, strict=True):
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _missing(exc: Any) -> bool:
    return getattr(exc, "error_code", "") in ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND") or "not found" in str(exc).lower()


class _reported:
    """Turn what MLflow or the network raises into one sentence naming the field (an unreachable server, a
    refused request); mrmkit's own errors pass through."""

    def __init__(self, field: str, uri: str, tracking_uri: str) -> None:
        self.field, self.uri, self.tracking_uri = field, uri, tracking_uri

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> bool:
        if exc is None or isinstance(exc, MrmkitError) or not isinstance(exc, Exception):
            return False
        text = str(exc)
        if any(
            s in text
            for s in (
                "Connection refused",
                "Max retries exceeded",
                "Failed to establish",
                "timed out",
                "Name or service not known",
                "NewConnectionError",
            )
        ):
            raise InvalidInput(
                f"{self.field}: the MLflow tracking server {self.tracking_uri} could not be reached ({_reason(text)})."
            ) from None
        if _missing(exc):
            raise InvalidInput(
                f"{self.field}: {self.uri} was not found on {self.tracking_uri} ({shorten(_first_line(text), 200)})."
            ) from None
        raise InvalidInput(
            f"{self.field}: {self.uri} could not be fetched from {self.tracking_uri} "
            f"({shorten(_first_line(text), 200)})."
        ) from None


def _reason(text: str) -> str:
    for s in ("Connection refused", "timed out", "Name or service not known"):
        if s in text:
            return s.lower()
    return shorten(_first_line(text), 120)


def _first_line(text: str) -> str:
    text = text.strip()
    return text.splitlines()[0] if text else "no message"


def _after_field(message: str, field: str) -> str:
    return message[len(field) + 2 :] if message.startswith(field + ": ") else message


# ------------------------------------------------------------------------------------ flavour and trust


def _file_format(name: str, field: str, uri: str) -> str:
    fmt = FORMATS.get(Path(name).suffix.lower())
    if fmt is None:
        raise InvalidInput(
            f"{field}: {uri} is the file {name!r}; mrmkit loads .skops, .pkl, .pickle or .joblib "
            "files, or an MLflow model folder of the scikit-learn flavour."
        )
    return fmt


def _flavour(path: Path, field: str, uri: str) -> tuple[str, str, list[str], Any]:
    """Which file of a downloaded model folder mrmkit loads, and how: (relative file, format, flavours, signature)."""
    mlmodel = path / "MLmodel"
    flavours: dict[str, Any] = {}
    signature = None
    if mlmodel.is_file():
        from mrmkit.errors import InvalidParameters
        from mrmkit.params.yamlfile import read_yaml_file

        try:  # the one bounded YAML reader: a regular file, no alias bombs
            meta = read_yaml_file(mlmodel, kind="MLmodel file") or {}
        except InvalidParameters as exc:
            raise InvalidInput(
                f"{field}: the MLmodel file of {uri} is not readable YAML ({_first_line(str(exc))})."
            ) from None
        flavours = meta.get("flavors") or {} if isinstance(meta, dict) else {}
        signature = meta.get("signature") if isinstance(meta, dict) else None
    names = sorted(flavours)
    sk = flavours.get("sklearn")
    if isinstance(sk, dict) and sk.get("pickled_model"):
        file = str(sk["pickled_model"])
        target = (path / file).resolve()
        if not target.is_relative_to(path.resolve()) or not target.is_file():
            raise InvalidInput(f"{field}: the scikit-learn flavour of {uri} names {file!r}, which is not in the model.")
        fmt = str(sk.get("serialization_format") or "cloudpickle")  # MLflow's old default
        if fmt not in ("skops", "pickle", "cloudpickle"):
            raise InvalidInput(f"{field}: {uri} was saved as {fmt!r}; skops, pickle and cloudpickle are known.")
        return Path(file).as_posix(), fmt, names, signature
    skops_files = sorted(p for p in path.rglob("*.skops") if p.is_file())
    if len(skops_files) == 1:
        return skops_files[0].relative_to(path).as_posix(), "skops", names, signature
    shown = ", ".join(names) or "none"
    raise InvalidInput(
        f"{field}: {uri} has the MLflow flavour(s) {shown}; mrmkit loads a scikit-learn flavour (saved "
        "with serialization_format='skops', or pickle with trusted: true) or a folder with one .skops "
        "file, because it needs predict_proba."
    )


def _check_trust(section: ArtifactSection, record: dict[str, Any], field: str) -> None:
    fmt = record["format"]
    if fmt != "skops" and not section.trusted:
        key = field.rsplit(".", 1)[0] + ".trusted"
        raise InvalidInput(
            f"{field}: {record['uri']} is a {fmt} model, which can run arbitrary code when loaded; set "
            f"{key}: true if you trust its origin, or register it with serialization_format='skops'."
        )


def folder_sha256(path: Path) -> str:
    """sha256 of a file, or of a folder as documented above (sorted relative paths with their files' sha256)."""
    if path.is_file():
        return _file_sha256(path)
    lines = hashlib.sha256()
    files = sorted((p.relative_to(path).as_posix(), p) for p in path.rglob("*") if p.is_file())
    for rel, file in files:
        lines.update(f"{rel}\0{_file_sha256(file)}\n".encode())
    return lines.hexdigest()


def _file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
