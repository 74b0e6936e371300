"""Shared pieces of the parameter models: the base of every section (unknown keys are errors, values are
frozen), path resolution against the parameter file's folder, the artifact fields of the model and of the
challenger, and the pairs of amber and red thresholds the policy is made of.

A model artifact is a file, or a model in an MLflow registry named by URI (``models:/<name>/<version>``,
``models:/<name>@<alias>``, ``runs:/<run_id>/<path>``). A URI is checked for its form here, without any
network, and stays a plain string (it is not a path: no containment in ``data.roots``, and the resolved
``parameters.yaml`` keeps it as written, so ``mrmkit reproduce`` asks the registry again);
:mod:`mrmkit.sources.registry` fetches it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from mrmkit.registry import workbooks

__all__ = [
    "WORKBOOKS",
    "ArtifactSection",
    "Query",
    "Thresholds",
    "LowThresholds",
    "is_registry_uri",
    "check_tracking_uri",
]

#: Workbooks known to this version, in the order they run (the registry, :mod:`mrmkit.workbooks`). A section of
#: this name enables it.
WORKBOOKS: tuple[str, ...] = workbooks.names()

_SAFE_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def _resolve(value: Path | None, info: ValidationInfo) -> Path | None:
    """Resolve a path relative to the parameter file's folder (``context['base_dir']``)."""
    if value is None:
        return None
    base = (info.context or {}).get("base_dir")
    path = Path(value).expanduser()
    if not path.is_absolute():
        if base is None:
            raise ValueError("a relative path needs the parameter file's folder to resolve against")
        path = Path(base) / path
    return path.resolve()


class Query(_Section):
    """A data input given as a query against ``data.database`` instead of a file: ``{query: "SELECT ..."}``.

    The text stays in the parameter file (and so in the package's ``parameters.yaml``), so ``reproduce`` runs
    the same query again. Only one ``SELECT`` or ``WITH`` statement is accepted (:func:`mrmkit.params.database.check_query`);
    the database's read-only mode is the real guard. The parameters set ``_role`` and ``_database`` once the
    whole file is known (:class:`~mrmkit.params.Parameters`): a loader needs no other object to run it.
    """

    query: str = Field(min_length=1, description="One SELECT (or WITH ... SELECT) statement; add ORDER BY.")
    _role: str = PrivateAttr("")
    _database: str | None = PrivateAttr(None)
    _password_env: str | None = PrivateAttr(None)

    @field_validator("query", mode="after")
    @classmethod
    def _one_select(cls, value: str) -> str:
        from mrmkit.params.database import check_query

        return check_query(value)

    def __str__(self) -> str:  # how messages written for files name the input ("column 'x' not found in ...")
        return f"the rows of the {self._role} query" if self._role else "the rows of the query"


def path_or_query(value: Any) -> Any:
    """Before validation of a data input: a mapping is a :class:`Query`, anything else must be a path."""
    if isinstance(value, dict):
        from pydantic import ValidationError

        try:
            return Query.model_validate(value)
        except ValidationError as exc:  # one clause, as for any other key: the first problem of the mapping
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            if first["type"] == "extra_forbidden":
                raise ValueError(f"unknown key {where!r} in a query (allowed here: query)") from None
            if first["type"] == "missing":
                raise ValueError("a query is given as {query: 'SELECT ...'}; the key 'query' is missing") from None
            msg = str(first["msg"]).removeprefix("Value error, ")
            raise ValueError(f"{where}: {msg}") from None
    if value is not None and not isinstance(value, (str, Path, Query)):
        raise ValueError(f"give a file path, or a query as {{query: 'SELECT ...'}}; got {type(value).__name__}")
    return value


def resolve_input(value: Path | Query | None, info: ValidationInfo) -> Path | Query | None:
    """A data input after validation: a path resolved against the parameter file's folder, a query as given."""
    return value if isinstance(value, Query) else _resolve(value, info)


#: any ``scheme:/`` prefix (two letters at least, so ``C:/`` stays a Windows path)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")
_MODELS = re.compile(r"^models:/(?P<name>[^/@]+)(?:/(?P<version>[^/@]*)|@(?P<alias>[^/@]*))?$")
_RUNS = re.compile(r"^runs:/(?P<run_id>[^/]*)(?:/(?P<path>.*))?$")


def is_registry_uri(value: object) -> bool:
    """Whether an artifact value names a model in a registry (``models:/`` or ``runs:/``), not a file."""
    return isinstance(value, str) and value.startswith(("models:/", "runs:/"))


def parse_registry_uri(uri: str) -> dict[str, str | None]:
    """The parts of a registry URI (name and version or alias; or run id and path), or ``ValueError`` saying
    which form is expected. Pure syntax: whether the model exists is the registry's to say."""
    if uri.startswith("models:/"):
        m = _MODELS.match(uri)
        name = m and m["name"].strip()
        if not m or not name or (m["version"] is None and m["alias"] is None):
            raise ValueError(
                f"{uri!r} is not a registry model URI; write models:/<name>/<version> or models:/<name>@<alias>"
            )
        if m["version"] is not None and not re.fullmatch(r"[1-9][0-9]{0,9}", m["version"]):
            raise ValueError(
                f"the version of {uri!r} must be a version number (1, 2, ...), or use an alias: models:/{name}@<alias>"
            )
        if m["alias"] is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,255}", m["alias"]):
            raise ValueError(f"the alias of {uri!r} must be letters, digits, '_' or '-'")
        return {"name": name, "version": m["version"], "alias": m["alias"], "run_id": None, "path": None}
    m = _RUNS.match(uri)
    path = (m["path"] or "").strip("/") if m else ""
    if not m or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", m["run_id"]) or not path or ".." in path.split("/"):
        raise ValueError(f"{uri!r} is not a run artifact URI; write runs:/<run_id>/<path inside the run>")
    return {"name": None, "version": None, "alias": None, "run_id": m["run_id"], "path": path}


def check_tracking_uri(value: str) -> str:
    """A tracking URI without credentials: it is copied into every package's ``parameters.yaml``, so user names,
    passwords and tokens come from MLflow's environment variables instead (the URI is not repeated here)."""
    parts = urlsplit(value)
    if (
        parts.username is not None
        or parts.password is not None
        or re.search(r"(?i)(token|password|secret)=", parts.query)
    ):
        raise ValueError(
            "a tracking URI must not hold credentials (the parameters are copied into every package); set "
            "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN"
        )
    return value


class ArtifactSection(_Section):
    """How a model artifact is loaded."""

    artifact: Path | str | None = Field(
        None,
        description="Model file (skops by default), or a registry URI (models:/<name>/<version>, "
        "models:/<name>@<alias>, runs:/<run_id>/<path>); omit for scores-only mode.",
    )
    tracking_uri: str | None = Field(
        None,
        description="MLflow tracking server of a registry URI; default the MLFLOW_TRACKING_URI environment "
        "variable (for the challenger: model.tracking_uri); no credentials in it.",
    )
    format: Literal["skops", "pickle", "joblib"] | None = Field(
        None, description="Artifact format; inferred from the file suffix (.skops, .pkl/.pickle, .joblib)."
    )
    trusted: bool = Field(
        False, description="Must be true to load a pickle or joblib file, which can run arbitrary code."
    )
    trusted_types: list[str] = Field(
        default_factory=list,
        description="Types a skops file may contain beyond skops' own safe list (e.g. LightGBM's).",
    )

    @field_validator("artifact", mode="plain")
    @classmethod
    def _resolve_artifact(cls, value: Any, info: ValidationInfo) -> Path | str | None:
        if value is None:
            return None
        if isinstance(value, str) and _SCHEME.match(value):
            if not is_registry_uri(value):
                raise ValueError(
                    f"{value!r}: a model is a file, or a registry URI (models:/<name>/<version>, "
                    "models:/<name>@<alias> or runs:/<run_id>/<path>)"
                )
            parse_registry_uri(value)
            return value  # a plain string: not resolved, not contained, fetched by mrmkit.sources.registry
        if not isinstance(value, (str, Path)):
            raise ValueError(f"a file path or a registry URI is expected; got {type(value).__name__}")
        return _resolve(Path(value), info)

    @field_validator("tracking_uri", mode="after")
    @classmethod
    def _no_credentials(cls, value: str | None) -> str | None:
        return None if value is None else check_tracking_uri(value)

    @property
    def remote(self) -> bool:
        """Whether the artifact is a registry URI (fetched by :mod:`mrmkit.sources.registry`)."""
        return is_registry_uri(self.artifact)

    @model_validator(mode="after")
    def _infer_format(self) -> ArtifactSection:
        if self.remote:
            if self.format is not None:  # the flavour in the model's MLmodel file decides, after download
                raise ValueError("format: a registry model's format comes from its MLflow flavour; remove format")
            return self
        if self.artifact is not None and self.format is None:
            suffix = self.artifact.suffix.lower()
            inferred = {".skops": "skops", ".pkl": "pickle", ".pickle": "pickle", ".joblib": "joblib"}
            if suffix not in inferred:
                raise ValueError(
                    f"cannot tell the format of {self.artifact.name!r} from its suffix; "
                    "set format to one of skops, pickle, joblib"
                )
            object.__setattr__(self, "format", inferred[suffix])
        if self.format in ("pickle", "joblib") and not self.trusted:
            raise ValueError(
                f"a {self.format} artifact can run arbitrary code when loaded; save the model with skops, "
                "or set trusted: true if you trust its origin"
            )
        return self


class Thresholds(_Section):
    """An amber and a red threshold: a value at or above ``red`` is red, at or above ``amber`` amber."""

    amber: float = Field(ge=0)
    red: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.red < self.amber:
            raise ValueError(f"red ({self.red}) must not be below amber ({self.amber})")
        return self


class LowThresholds(_Section):
    """Thresholds where a low value is bad (p-values): below ``amber`` is amber, below ``red`` red."""

    amber: float = Field(gt=0, lt=1)
    red: float = Field(gt=0, lt=1)

    @model_validator(mode="after")
    def _ordered(self) -> LowThresholds:
        if self.red > self.amber:
            raise ValueError(f"red ({self.red}) must not be above amber ({self.amber})")
        return self
