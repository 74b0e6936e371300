"""What is validated: the model (``model``), a challenger (``challenger``) and the data (``data``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from mrmkit import kinds
from mrmkit.params._base import (
    _SAFE_NAME,
    ArtifactSection,
    Query,
    _resolve,
    _Section,
    check_tracking_uri,
    path_or_query,
    resolve_input,
)
from mrmkit.params.validation import ValidationSection

__all__ = [
    "ModelSection",
    "ChallengerSection",
    "ColumnDescription",
    "DataSection",
    "ValidationSection",
    "MlflowSection",
]


#: The values of model.kind: the registered kinds (:mod:`mrmkit.kinds`).
KindName = Literal[kinds.names()]  # type: ignore[valid-type]


class ModelSection(ArtifactSection):
    """Identity of the model under validation (``model``)."""

    id: Annotated[str, Field(pattern=_SAFE_NAME, description="Model id; used as a folder name.")]
    version: Annotated[str, Field(pattern=_SAFE_NAME, description="Model version; a folder name.")]
    name: str | None = Field(None, description="Human-readable model name.")
    owner: str | None = Field(None, description="Model owner (first line).")
    purpose: str | None = Field(None, description="What the model is used for.")
    risk_tier: str | None = Field(None, description="Model risk tier in the inventory.")
    intended_use: str | None = Field(None, description="Model card: the decisions and population it is meant for.")
    limitations: str | None = Field(None, description="Model card: known limitations and conditions of use.")
    data_description: str | None = Field(None, description="Model card: the development data.")
    currency: str | None = Field(
        None,
        pattern=r"^[A-Z]{3}$",
        description="ISO 4217 code of the model's amounts (exposures, losses), printed with every amount (e.g. EUR).",
    )
    kind: KindName = Field(  # type: ignore[valid-type]
        "pd",
        description="What kind of model this is; each kind decides which workbook sections apply. "
        + "; ".join(f"{k}: {kinds.get(k).label}" for k in kinds.names())
        + ".",
    )

    @field_validator("id", "version", mode="before")
    @classmethod
    def _written_as_text(cls, value: Any, info: ValidationInfo) -> Any:
        # YAML reads `version: 1.10` as the float 1.1 and `version: 010` as the integer 8: the digits as written
        # cannot be recovered, so a number is refused rather than published under another name
        if isinstance(value, (bool, int, float)):
            raise ValueError(
                f"YAML read {value!r} as a {type(value).__name__}, which may not be what was written; put the "
                f"{info.field_name} in quotes (for example '{value}' or '1.10')"
            )
        return value


class ChallengerSection(ArtifactSection):
    """A challenger model (``challenger``), for comparison workbooks."""

    score: str | None = Field(
        None,
        description="Column holding the challenger's scores (scores-only mode: not read when challenger.artifact "
        "scores the current sample).",
    )


class ColumnDescription(_Section):
    """One column of the data dictionary (``data.dictionary.<column>``): how the reports name it."""

    label: str | None = Field(
        None, max_length=200, description="Human name of the column (default: its name, underscores as spaces)."
    )
    unit: str | None = Field(None, max_length=50, description="Unit of its values (e.g. EUR, %, months).")
    description: str | None = Field(None, max_length=2000, description="What the column holds, for the glossary.")


class DataSection(_Section):
    """Where the data are and what the columns mean (``data``)."""

    roots: list[Path] = Field(
        default_factory=lambda: [Path(".")],
        description="Folders every path in the file must lie inside; default: the file's own folder.",
    )
    reference: Path | Query | None = Field(
        None,
        description="Reference (development) sample: .parquet or .csv, or "
        "{query: ...} on data.database (required unless model.kind is var).",
    )
    current: Path | Query | None = Field(
        None,
        description="Current (monitoring) sample: .parquet or .csv, or {query: "
        "...} on data.database (required unless model.kind is var).",
    )
    database: str | None = Field(
        None,
        description="SQLAlchemy URL of the database the queries run on (sqlite:///"
        "file.db, relative to this file, or postgresql+psycopg://user@host:port/db); never "
        "with a password.",
    )
    database_password_env: str | None = Field(
        None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,99}$",
        description="Environment variable holding the database password (else libpq's PGPASSWORD or PGPASSFILE).",
    )
    id: str | None = Field(None, description="Application id column (duplicates are reported).")
    target: str | None = Field(None, description="Binary outcome column (1 = default).")
    score: str | None = Field(
        None,
        description="Column with the model's probability of default; required without an artifact, not read when "
        "model.artifact scores the data.",
    )
    grade: str | None = Field(None, description="Rating-grade column, when the model assigns grades.")
    features: list[str] | None = Field(
        None, description="Model features; default: every column not named elsewhere in this section."
    )
    categorical: list[str] = Field(
        default_factory=list, description="Features to treat as categorical (text columns always are)."
    )
    time: str | None = Field(None, description="Date column; splits the current sample into windows.")
    segment: str | None = Field(None, description="Segment column (e.g. product).")
    protected: list[str] = Field(
        default_factory=list, description="Protected attributes; never model features, kept for fairness."
    )
    exposure: str | None = Field(
        None,
        description="Exposure-at-default column of the current sample (may also be a feature), for the expected "
        "and observed losses of the stress test and the champion-challenger comparison; without it, losses are "
        "per unit of exposure.",
    )
    lgd: float | str | None = Field(
        None, description="Loss given default: a number in [0, 1], or a column of the current sample; default 1."
    )
    dictionary: dict[str, ColumnDescription] = Field(
        default_factory=dict,
        description="Data dictionary: for each column, its label, unit and description; the reports name columns "
        "by their labels and list the names in a glossary.",
    )

    _inputs = field_validator("reference", "current", mode="before")(path_or_query)

    @field_validator("reference", "current", mode="after")
    @classmethod
    def _resolve_paths(cls, value: Path | Query | None, info: ValidationInfo) -> Path | Query | None:
        return resolve_input(value, info)

    @field_validator("database", mode="after")
    @classmethod
    def _database_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        from mrmkit.params.database import check_url

        return None if value is None else check_url(value, (info.context or {}).get("base_dir"))

    @field_validator("roots", mode="after")
    @classmethod
    def _resolve_roots(cls, value: list[Path], info: ValidationInfo) -> list[Path]:
        if not value:
            raise ValueError("name at least one folder")
        return [_resolve(v, info) for v in value]

    @field_validator("lgd", mode="after")
    @classmethod
    def _lgd_share(cls, value: float | str | None) -> float | str | None:
        if isinstance(value, float) and not 0 <= value <= 1:
            raise ValueError(f"a loss given default is a share between 0 and 1, or a column; got {value}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> DataSection:
        named = [self.id, self.target, self.score, self.grade, self.time, self.segment, *self.protected]
        if self.features is not None:
            if not self.features:
                raise ValueError("features: give at least one feature, or leave the key out")
            clash = sorted({f for f in self.features if f in named})
            if clash:
                raise ValueError(f"features: {clash} are also named as id, target, score or protected")
            dup = sorted({f for f in self.features if self.features.count(f) > 1})
            if dup:
                raise ValueError(f"features: {dup} listed more than once")
            unknown = sorted(set(self.categorical) - set(self.features))
            if unknown:
                raise ValueError(f"categorical: {unknown} are not in features")
        return self


class MlflowSection(_Section):
    """Logging the published package to MLflow (``mlflow``; ``mrmkit run --log-to-mlflow`` sets ``log``)."""

    log: bool = Field(False, description="Log the published package to an MLflow run (as --log-to-mlflow does).")
    experiment: str = Field(
        "model-validation", min_length=1, max_length=500, description="MLflow experiment of the validation runs."
    )
    tracking_uri: str | None = Field(
        None,
        description="Tracking server to log to; default model.tracking_uri, else the MLFLOW_TRACKING_URI "
        "environment variable; no credentials in it.",
    )

    @field_validator("tracking_uri", mode="after")
    @classmethod
    def _no_credentials(cls, value: str | None) -> str | None:
        return None if value is None else check_tracking_uri(value)
