"""Reading what a parameter file names: data files, columns, model artifacts and scores.

Every problem a user can cause becomes one ``InvalidInput`` sentence naming the file and the field.
Models load with skops; pickle and joblib only when the parameter file marks the artifact trusted
(already enforced when the parameters are validated, and checked again here).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InvalidInput
from mrmkit.params import ArtifactSection, Parameters

__all__ = [
    "sha256_file",
    "read_frame",
    "require_columns",
    "check_binary",
    "check_probabilities",
    "load_model",
    "score_model",
    "Inputs",
    "load_inputs",
]

_READERS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def read_frame(path: Path, field: str) -> pd.DataFrame:
    """Read a .parquet or .csv data file named by parameter ``field``; refuse missing, odd or empty files."""
    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"{field}: data file {path} does not exist.")
    if not path.is_file():
        raise InvalidInput(f"{field}: {path} is not a file.")
    kind = _READERS.get(path.suffix.lower())
    if kind is None:
        raise InvalidInput(
            f"{field}: {path} is not a data file mrmkit reads; use .parquet or .csv (got {path.suffix or 'no suffix'!r})."
        )
    try:
        frame = pd.read_parquet(path) if kind == "parquet" else pd.read_csv(path)
    except Exception as exc:  # pyarrow and the csv parser raise many types for a corrupt file
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InvalidInput(f"{field}: {path} cannot be read as {kind}: {reason}.") from None
    if len(frame) == 0:
        raise InvalidInput(f"{field}: data file {path} has no rows.")
    if frame.columns.has_duplicates:
        dup = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise InvalidInput(f"{field}: {path} has duplicated column names: {', '.join(dup)}.")
    frame.columns = [str(c) for c in frame.columns]
    return frame


def require_columns(frame: pd.DataFrame, columns: Iterable[str], path: Path, field: str) -> None:
    """Raise if any of ``columns`` is missing from ``frame``, listing the columns that do exist."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        existing = ", ".join(map(str, frame.columns[:40])) + (" ..." if frame.shape[1] > 40 else "")
        plural = "s" if len(missing) > 1 else ""
        raise InvalidInput(
            f"{field}: column{plural} {', '.join(map(repr, missing))} not found in {path}; its columns are: {existing}."
        )


def check_binary(values: pd.Series, path: Path, field: str) -> np.ndarray:
    """The target as an int8 array of 0/1; missing or other values are an error."""
    if values.isna().any():
        raise InvalidInput(
            f"{field}: target column {values.name!r} in {path} has {int(values.isna().sum())} missing values."
        )
    if values.dtype == bool:
        return values.to_numpy(dtype=np.int8)
    uniques = pd.unique(values)
    try:
        as_float = np.asarray(uniques, dtype=float)
    except (TypeError, ValueError):
        as_float = None
    if as_float is None or not np.isin(as_float, (0.0, 1.0)).all():
        shown = ", ".join(map(repr, sorted(map(str, uniques))[:6]))
        raise InvalidInput(
            f"{field}: target column {values.name!r} in {path} must be binary (0/1); found values {shown}."
        )
    return values.to_numpy(dtype=float).astype(np.int8)


def check_probabilities(values: Any, source: str, field: str) -> np.ndarray:
    """Scores as float64, all finite and within [0, 1]."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInput(f"{field}: scores from {source} are not numbers.") from None
    bad_missing = ~np.isfinite(array)
    if bad_missing.any():
        raise InvalidInput(
            f"{field}: scores from {source} have {int(bad_missing.sum())} missing or infinite values; "
            "probabilities are expected for every row."
        )
    outside = (array < 0.0) | (array > 1.0)
    if outside.any():
        raise InvalidInput(
            f"{field}: scores from {source} must be probabilities in [0, 1]; {int(outside.sum())} lie outside "
            f"(from {array.min():.6g} to {array.max():.6g})."
        )
    return array


def load_model(section: ArtifactSection, field: str) -> Any:
    """Load a model artifact: skops with an explicit trust list, pickle/joblib only when trusted."""
    path = section.artifact
    if path is None:
        raise InvalidInput(f"{field}: no artifact given.")
    if not path.is_file():
        raise InvalidInput(f"{field}: model artifact {path} does not exist.")
    if section.format == "skops":
        import skops.io as sio

        try:
            untrusted = sio.get_untrusted_types(file=path)
        except Exception as exc:
            raise InvalidInput(f"{field}: {path} is not a readable skops file ({_first_line(exc)}).") from None
        refused = sorted(set(untrusted) - set(section.trusted_types))
        if refused:
            key = field.rsplit(".", 1)[0] + ".trusted_types"
            raise InvalidInput(
                f"{field}: {path} contains types that are not trusted: {', '.join(refused)}; "
                f"list them under {key} if you trust this file."
            )
        try:
            return sio.load(path, trusted=list(untrusted))
        except Exception as exc:
            raise InvalidInput(f"{field}: {path} could not be loaded with skops ({_first_line(exc)}).") from None
    if not section.trusted:
        raise InvalidInput(f"{field}: {path} is a {section.format} file and is not marked trusted: true.")
    try:
        if section.format == "joblib":
            import joblib

            return joblib.load(path)
        import pickle

        with open(path, "rb") as handle:
            return pickle.load(handle)  # noqa: S301 - only reached with trusted: true
    except Exception as exc:
        raise InvalidInput(f"{field}: {path} could not be loaded as {section.format} ({_first_line(exc)}).") from None


def score_model(model: Any, frame: pd.DataFrame, features: Sequence[str], source: str, field: str) -> np.ndarray:
    """Probability of the positive class for every row of ``frame[features]``."""
    if not hasattr(model, "predict_proba"):
        raise InvalidInput(f"{field}: the model has no predict_proba method; a probability model is expected.")
    try:
        proba = np.asarray(model.predict_proba(frame[list(features)]))
    except Exception as exc:
        raise InvalidInput(f"{field}: the model could not score {source} ({_first_line(exc)}).") from None
    if proba.ndim != 2 or proba.shape[1] != 2:
        raise InvalidInput(f"{field}: predict_proba returned shape {proba.shape}; a binary classifier is expected.")
    return check_probabilities(proba[:, 1], source, field)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:300]


@dataclass(frozen=True, slots=True)
class Inputs:
    """The validated data of one run: both samples, the features, the scores and the target."""

    reference: pd.DataFrame
    current: pd.DataFrame
    features: tuple[str, ...]
    categorical: tuple[str, ...]
    reference_score: np.ndarray | None
    current_score: np.ndarray | None
    reference_target: np.ndarray | None
    current_target: np.ndarray | None
    score_source: str  # "artifact" or "column"
    model: Any = None  # the loaded model when given as an artifact


def _default_features(params: Parameters, columns: Sequence[str]) -> list[str]:
    d = params.data
    named = {d.id, d.target, d.score, d.grade, d.time, d.segment, *d.protected}
    if params.challenger is not None:
        named.add(params.challenger.score)
    return [c for c in columns if c not in named]


def load_inputs(params: Parameters) -> Inputs:
    """Load and check everything the parameter file names; raise ``InvalidInput`` on the first problem."""
    d = params.data
    frames = {
        "data.reference": read_frame(d.reference, "data.reference"),
        "data.current": read_frame(d.current, "data.current"),
    }
    features = (
        list(d.features) if d.features is not None else _default_features(params, frames["data.reference"].columns)
    )
    if not features:
        raise InvalidInput(f"data.features: {d.reference} has no columns left to use as features.")
    wanted = {
        "data.features": features,
        "data.id": [d.id] if d.id else [],
        "data.target": [d.target] if d.target else [],
        "data.score": [d.score] if d.score and params.model.artifact is None else [],
        "data.grade": [d.grade] if d.grade else [],
        "data.time": [d.time] if d.time else [],
        "data.segment": [d.segment] if d.segment else [],
        "data.protected": list(d.protected),
    }
    for key, frame in frames.items():
        path = d.reference if key == "data.reference" else d.current
        for field, cols in wanted.items():
            require_columns(frame, cols, path, field)
        if d.time:
            _check_dates(frame, d.time, path)
    ref, cur = frames["data.reference"], frames["data.current"]

    targets = [None, None]
    if d.target:
        targets = [check_binary(f[d.target], p, "data.target") for f, p in ((ref, d.reference), (cur, d.current))]

    if params.model.artifact is not None:
        model = load_model(params.model, "model.artifact")
        scores = [
            score_model(model, f, features, str(p), "model.artifact") for f, p in ((ref, d.reference), (cur, d.current))
        ]
        source = "artifact"
    else:
        model = None
        scores = [
            check_probabilities(f[d.score], f"column {d.score!r} of {p}", "data.score")
            for f, p in ((ref, d.reference), (cur, d.current))
        ]
        source = "column"
    categorical = [
        c
        for c in features
        if c in set(d.categorical) or not pd.api.types.is_numeric_dtype(ref[c]) or ref[c].dtype == bool
    ]
    return Inputs(
        reference=ref,
        current=cur,
        features=tuple(features),
        categorical=tuple(categorical),
        reference_score=scores[0],
        current_score=scores[1],
        reference_target=targets[0],
        current_target=targets[1],
        score_source=source,
        model=model,
    )


def _check_dates(frame: pd.DataFrame, column: str, path: Path) -> None:
    values = frame[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        bad = values.isna()
    else:
        parsed = pd.to_datetime(values, errors="coerce", format="mixed")
        bad = parsed.isna()
        frame[column] = parsed
    if bad.any():
        raise InvalidInput(
            f"data.time: column {column!r} in {path} has {int(bad.sum())} values that are missing or not dates."
        )
