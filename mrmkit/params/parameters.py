"""The whole parameter file: :class:`Parameters` with the checks that span sections, and its validation and
loading, where every problem becomes one ``InvalidParameters`` sentence naming the file and the key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, model_validator

from mrmkit import kinds
from mrmkit.errors import InvalidParameters, shorten
from mrmkit.params._base import WORKBOOKS, Query, _Section, check_tracking_uri
from mrmkit.params.kind_rules import check_kind
from mrmkit.params.model import ChallengerSection, DataSection, MlflowSection, ModelSection, ValidationSection
from mrmkit.params.policy import PolicySection
from mrmkit.params.validation import check_expectation_ids, merge_validation_file
from mrmkit.params.workbooks import BacktestSection, ChampionChallengerSection, DriftSection, ExplainabilitySection

__all__ = [
    "Parameters",
    "load_parameters",
    "parameters_from_dict",
    "read_yaml",
    "setting_default",
]


class Parameters(_Section):
    """A whole parameter file."""

    seed: int = Field(
        0,
        ge=0,
        le=2**32 - 1,
        strict=True,
        description="Seed of every random step (0 to 2**32 - 1); recorded in the manifest.",
    )
    model: ModelSection
    validation: ValidationSection = Field(default_factory=ValidationSection)
    challenger: ChallengerSection | None = None
    data: DataSection
    policy: PolicySection = Field(default_factory=PolicySection)
    drift: DriftSection | None = None
    backtest: BacktestSection | None = None
    champion_challenger: ChampionChallengerSection | None = None
    explainability: ExplainabilitySection | None = None
    mlflow: MlflowSection = Field(default_factory=MlflowSection)

    @model_validator(mode="after")
    def _tracking_server(self) -> Parameters:
        # a registry model needs its server; the default (MLFLOW_TRACKING_URI) is written into the resolved
        # parameters, so the package says where the model came from and `reproduce` asks the same server
        remote = [
            (name, s)
            for name, s in (("model", self.model), ("challenger", self.challenger))
            if s is not None and s.remote
        ]
        if not remote:
            return self
        env = os.environ.get("MLFLOW_TRACKING_URI") or None
        if env is not None:
            try:
                check_tracking_uri(env)
            except ValueError as exc:
                raise ValueError(f"model.tracking_uri (from MLFLOW_TRACKING_URI): {exc}") from None
        default = self.model.tracking_uri or env
        for name, section in remote:
            uri = section.tracking_uri or default
            if uri is None:
                raise ValueError(
                    f"{name}.tracking_uri: {name}.artifact {section.artifact!r} is in an MLflow registry; "
                    "give its tracking server as model.tracking_uri or the MLFLOW_TRACKING_URI environment "
                    "variable"
                )
            object.__setattr__(section, "tracking_uri", uri)
        return self

    @model_validator(mode="after")
    def _challenger_given(self) -> Parameters:
        if self.champion_challenger is not None and (
            self.challenger is None or (self.challenger.artifact is None and self.challenger.score is None)
        ):
            raise ValueError(
                "champion_challenger: give the challenger as challenger.artifact or challenger.score (a column)"
            )
        return self

    @model_validator(mode="before")
    @classmethod
    def _loss_inputs_in_data(cls, raw: Any) -> Any:
        # earlier versions read exposure and LGD from backtest.stress, which only the stress test could see;
        # they are columns of the data, so a file (or a package's parameters.yaml) that has them there still
        # runs, read as data.exposure and data.lgd
        backtest = raw.get("backtest") if isinstance(raw, dict) else None
        stress = backtest.get("stress") if isinstance(backtest, dict) else None
        moved = [k for k in ("exposure", "lgd") if isinstance(stress, dict) and k in stress]
        if not moved:
            return raw
        data = raw.get("data") if isinstance(raw.get("data"), dict) else {}
        both = [k for k in moved if k in data]
        if both:
            raise ValueError(
                f"backtest.stress.{both[0]}: it is read as data.{both[0]}, which is also given; keep data.{both[0]} only"
            )
        stress = {k: v for k, v in stress.items() if k not in moved}
        return {
            **raw,
            "data": {**data, **{k: raw["backtest"]["stress"][k] for k in moved}},
            "backtest": {**backtest, "stress": stress},
        }

    @model_validator(mode="before")
    @classmethod
    def _rows_or_series(cls, raw: Any) -> Any:
        # a kind whose evidence is its own output series (a VaR engine) has no application data: its data
        # section (the roots) may be left out
        model = raw.get("model") if isinstance(raw, dict) else None
        kind = model.get("kind", "pd") if isinstance(model, dict) else None
        if kind in kinds.names() and not kinds.get(kind).scored_on_rows and "data" not in raw:
            return {**raw, "data": {}}
        return raw

    @model_validator(mode="after")
    def _kind_expectations(self) -> Parameters:
        check_expectation_ids(self.validation, self.model_kind)
        return self

    @model_validator(mode="after")
    def _kind_sections(self) -> Parameters:
        check_kind(self, self.model.kind)
        if kinds.get(self.model.kind).decision == "operating_point" and (
            (self.policy.alert_rate is None) == (self.policy.threshold is None)
        ):
            raise ValueError(
                f"model.kind {self.model.kind}: give exactly one operating point, policy.alert_rate (the share "
                "of cases alerted) or policy.threshold (alert when the score is at or above it)"
            )
        return self

    @model_validator(mode="after")
    def _model_given(self) -> Parameters:
        if not kinds.get(self.model.kind).scored_on_rows:
            return self
        if self.model.artifact is None and self.data.score is None:
            raise ValueError("model: give the model as model.artifact, or its scores as data.score (scores-only mode)")
        return self

    @property
    def model_kind(self) -> kinds.ModelKind:
        """The registered kind of ``model.kind``: what applies to this model and the words its reports use."""
        return kinds.get(self.model.kind)

    def enabled_workbooks(self) -> list[str]:
        return [name for name in WORKBOOKS if getattr(self, name) is not None]

    def _data_inputs(self) -> dict[str, Path | Query]:
        """Every data input by role, a file or a query."""
        inputs = {
            k: p
            for k, p in (("data.reference", self.data.reference), ("data.current", self.data.current))
            if p is not None
        }
        if self.backtest is not None and self.backtest.var is not None:
            inputs["backtest.var.data"] = self.backtest.var.data
        cc = self.champion_challenger
        if cc is not None and cc.shadow is not None:
            inputs["champion_challenger.shadow.data"] = cc.shadow.data
        if cc is not None and cc.ab is not None:
            inputs["champion_challenger.ab.data"] = cc.ab.data
        return inputs

    def input_paths(self) -> dict[str, Path]:
        """Every input file by role, for containment checks and the manifest (queries are not files: see
        :meth:`queries`; a model in a registry is recorded through its snapshot, :mod:`mrmkit.sources.registry`)."""
        paths = {k: p for k, p in self._data_inputs().items() if k.startswith("data.") and isinstance(p, Path)}
        if isinstance(self.model.artifact, Path):
            paths["model.artifact"] = self.model.artifact
        if self.challenger is not None and isinstance(self.challenger.artifact, Path):
            paths["challenger.artifact"] = self.challenger.artifact
        paths.update(
            {k: p for k, p in self._data_inputs().items() if not k.startswith("data.") and isinstance(p, Path)}
        )
        return paths

    def queries(self) -> dict[str, Query]:
        """Every data input given as a query on ``data.database``, by role (see :mod:`mrmkit.sources.sql`)."""
        return {k: q for k, q in self._data_inputs().items() if isinstance(q, Query)}

    @model_validator(mode="after")
    def _queries_have_a_database(self) -> Parameters:
        queries = self.queries()
        if queries and self.data.database is None:
            raise ValueError(
                f"{next(iter(queries))}: a query needs data.database, the SQLAlchemy URL of the database "
                "it runs on (e.g. sqlite:///data/logs.db)"
            )
        for role, query in queries.items():  # a loader then needs nothing but the query itself
            query._role, query._database, query._password_env = (
                role,
                self.data.database,
                self.data.database_password_env,
            )
        return self

    def to_yaml(self) -> str:
        """The parameters as resolved (absolute paths, defaults filled in)."""
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


def _location(loc: tuple[Any, ...]) -> str:
    return shorten(".".join(str(part) for part in loc), 160) or "(top level)"


def _message(error: dict[str, Any]) -> str:
    """One clause for the first pydantic error: the field and what is wrong with it."""
    loc = _location(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key {loc!r}"
    if kind == "missing":
        return f"required key {loc!r} is missing"
    msg = error["msg"]
    msg = re.sub(r"^(Value error|Assertion failed), ", "", msg)
    if kind == "value_error" and not error["loc"]:  # a check of the whole file: its message names the field(s)
        return msg
    return (
        f"{loc}: {shorten(msg, 200)} (got {shorten(error.get('input'))})" if kind != "value_error" else f"{loc}: {msg}"
    )


def _section_at(parts: Sequence[Any]) -> Any:
    """The section model reached from :class:`Parameters` by field names (``("mlflow",)``), or ``None``."""
    model: Any = Parameters
    for part in parts:
        field = model.model_fields.get(str(part)) if hasattr(model, "model_fields") else None
        if field is None:
            return None
        annotation = field.annotation
        candidates = [a for a in getattr(annotation, "__args__", (annotation,)) if hasattr(a, "model_fields")]
        if not candidates:
            return None
        model = candidates[0]
    return model


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Keys allowed at the level of an unknown key, for the error message."""
    model = _section_at(loc[:-1])
    return list(model.model_fields) if model is not None else []


def setting_default(dotted: str) -> tuple[bool, Any]:
    """Whether the setting ``dotted`` (``mlflow.log``) has a default, and that default as a package's
    ``parameters.yaml`` writes it (JSON types). A list element (``data.roots[0]``) has none."""
    from pydantic import TypeAdapter

    parts = dotted.split(".")
    model = None if any("[" in p for p in parts) else _section_at(parts[:-1])
    field = model.model_fields.get(parts[-1]) if model is not None else None
    if field is None or field.is_required():
        return False, None
    return True, TypeAdapter(field.annotation).dump_python(field.get_default(call_default_factory=True), mode="json")


def parameters_from_dict(raw: Any, base_dir: Path, source: str) -> Parameters:
    """Validate a parsed parameter mapping; ``source`` names the file in error messages."""
    if not isinstance(raw, dict):
        raise InvalidParameters(f"{source}: the file must be a YAML mapping of sections; got {type(raw).__name__}.")
    raw = merge_validation_file(raw, Path(base_dir), source)
    try:
        params = Parameters.model_validate(raw, context={"base_dir": Path(base_dir)})
    except ValidationError as exc:
        first = exc.errors()[0]
        text = _message(first)
        if first["type"] == "extra_forbidden":
            allowed = _allowed_keys(first["loc"])
            if allowed:
                text += f" (allowed here: {', '.join(allowed)})"
        more = len(exc.errors()) - 1
        suffix = f"; and {more} more problem{'s' if more > 1 else ''}" if more else ""
        raise InvalidParameters(f"{source}: {text}{suffix}.") from None
    _check_containment(params, source)
    return params


def _check_containment(params: Parameters, source: str) -> None:
    from mrmkit.params.database import sqlite_path

    roots = params.data.roots
    files = dict(params.input_paths())
    if params.data.database is not None and sqlite_path(params.data.database) is not None:
        files["data.database"] = sqlite_path(params.data.database)
    for role, path in files.items():
        if not any(path.is_relative_to(root) for root in roots):
            shown = ", ".join(str(r) for r in roots)
            raise InvalidParameters(
                f"{source}: {role} ({path}) lies outside the folders the parameter file allows (data.roots: {shown})."
            )


def read_yaml(path: str | Path, kind: str = "Parameter file") -> Any:
    """A YAML file's content; a missing, unreadable, malformed, hostile or empty file is one ``InvalidParameters``
    sentence (see :mod:`mrmkit.params.yamlfile`: size, depth, alias expansion and duplicate keys are bounded).

    ``kind`` names the file in messages ("Parameter file", "Inventory file").
    """
    from mrmkit.params.yamlfile import read_yaml_file

    return read_yaml_file(path, kind)


def load_parameters(path: str | Path) -> Parameters:
    """Read, validate and resolve a parameter file; every problem is one ``InvalidParameters`` sentence."""
    path = Path(path)
    raw = read_yaml(path, "Parameter file")
    return parameters_from_dict(raw, path.resolve().parent, str(path))
