"""Shared pieces of the parameter models: the base of every section (unknown keys are errors, values are
frozen), path resolution against the parameter file's folder, the artifact fields of the model and of the
challenger, and the pairs of amber and red thresholds the policy is made of.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, field_validator, model_validator

__all__ = ["WORKBOOKS", "ArtifactSection", "Query", "Thresholds", "LowThresholds"]

#: Workbooks known to this version, in the order they run. A section of this name enables it.
WORKBOOKS: tuple[str, ...] = ("drift", "backtest", "champion_challenger", "explainability")

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
    the same query again. Only one ``SELECT`` or ``WITH`` statement is accepted (:func:`mrmkit.sources.sql.check_query`);
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
        from mrmkit.sources.sql import check_query

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


class ArtifactSection(_Section):
    """How a model artifact is loaded."""

    artifact: Path | None = Field(None, description="Model file (skops by default); omit for scores-only mode.")
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

    @field_validator("artifact", mode="after")
    @classmethod
    def _resolve_artifact(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        return _resolve(value, info)

    @model_validator(mode="after")
    def _infer_format(self) -> ArtifactSection:
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
