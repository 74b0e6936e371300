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

from mrmkit.errors import InvalidInput, shorten
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
    "parse_dates",
    "MAX_CSV_BYTES",
]

_READERS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


#: the largest CSV file read (bytes); ``$MRMKIT_MAX_CSV_BYTES`` changes it. Parquet is read by columns.
MAX_CSV_BYTES = 4 * 1024**3
_CSV_BLOCK = 16 * 1024 * 1024


def _csv_limit() -> int:
    import os

    try:
        return int(os.environ.get("MRMKIT_MAX_CSV_BYTES", MAX_CSV_BYTES))
    except ValueError:
        return MAX_CSV_BYTES


def _name(column: Any) -> str:
    """A column name for a message: quoted, printable, shortened."""
    return shorten(repr(str(column)))


def _reason(exc: BaseException) -> str:
    return shorten(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, 200)


def _read_csv(path: Path, field: str, columns: Sequence[str] | None) -> pd.DataFrame:
    """A CSV file through pyarrow's streaming reader: header checked first, NUL bytes refused, bounded."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    size = path.stat().st_size
    if size > _csv_limit():
        raise InvalidInput(f"{field}: {path} is {size:,} bytes, more than the {_csv_limit():,} bytes a CSV may have "
                           "(set MRMKIT_MAX_CSV_BYTES, or give the data as Parquet).")  # fmt: skip
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if b"\x00" in head:
        raise InvalidInput(f"{field}: {path} contains NUL bytes; it is not a CSV text file.")
    header = head.split(b"\n", 1)[0].rstrip(b"\r")
    if not header.strip():
        raise InvalidInput(f"{field}: {path} has no header line.")
    try:
        names = next(iter(__import__("csv").reader([header.decode("utf-8-sig")])))
    except (UnicodeDecodeError, StopIteration, __import__("csv").Error) as exc:
        raise InvalidInput(f"{field}: {path} cannot be read as csv: its header is not UTF-8 text ({_reason(exc)}).") from None
    seen: set[str] = set()
    dup = sorted({n for n in names if n in seen or seen.add(n)})  # type: ignore[func-returns-value]
    if dup:
        raise InvalidInput(f"{field}: {path} has duplicated column names: {', '.join(shorten(d) for d in dup)}; "
                           "every column needs its own name.")  # fmt: skip
    wanted = [c for c in names if c in set(columns)] if columns is not None else None
    options = csv.ReadOptions(block_size=_CSV_BLOCK)
    try:
        # dates stay text, as pandas would read them, so that parse_dates applies one rule to every source
        # (pyarrow would turn offsets into UTC silently, hiding mixed time zones)
        first = csv.open_csv(path, read_options=options, convert_options=csv.ConvertOptions(include_columns=wanted))
        as_text = {f.name: pa.string() for f in first.schema if pa.types.is_temporal(f.type)}
        convert = csv.ConvertOptions(include_columns=wanted, strings_can_be_null=True, column_types=as_text)
        reader = csv.open_csv(path, read_options=options, convert_options=convert)
        batches = []
        for batch in reader:
            for column in batch.columns:
                if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                    if pc.any(pc.match_substring(column, "\x00")).as_py():
                        raise InvalidInput(f"{field}: {path} contains NUL bytes inside values; it is not a CSV text file.")
            batches.append(batch)
        table = pa.Table.from_batches(batches, schema=reader.schema)
    except InvalidInput:
        raise
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError, OSError) as exc:
        raise InvalidInput(f"{field}: {path} cannot be read as csv: {_reason(exc)}.") from None
    return table.to_pandas()


def read_frame(path: Path, field: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a .parquet or .csv data file named by parameter ``field``; refuse missing, odd or empty files.

    ``columns``, when given, are the only ones read (a file of thousands of columns costs what its used
    columns cost); the others are never parsed. CSV files are read with pyarrow: a repeated header name, a
    NUL byte, a ragged row or a file over :data:`MAX_CSV_BYTES` is refused, never silently renamed or
    truncated.
    """
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
    if kind == "csv":
        frame = _read_csv(path, field, columns)
    else:
        frame = _read_parquet(path, field, columns)
    if len(frame) == 0:
        raise InvalidInput(f"{field}: data file {path} has no rows.")
    if frame.columns.has_duplicates:
        dup = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise InvalidInput(f"{field}: {path} has duplicated column names: {', '.join(dup)}.")
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _read_parquet(path: Path, field: str, columns: Sequence[str] | None) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        names = list(schema.names)
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise InvalidInput(f"{field}: {path} has duplicated column names: {', '.join(shorten(d) for d in dup)}.")
        wanted = [c for c in names if c in set(columns)] if columns is not None else None
        return pd.read_parquet(path, columns=wanted)
    except InvalidInput:
        raise
    except Exception as exc:  # pyarrow raises many types for a corrupt file
        raise InvalidInput(f"{field}: {path} cannot be read as parquet: {_reason(exc)}.") from None


def parse_dates(values: pd.Series, path: Any, field: str) -> pd.Series:
    """A date column under one explicit rule, or one sentence naming the column, the row and the value.

    Dates are ISO 8601 (``YYYY-MM-DD``, optionally with a time and a UTC offset), or a date/time column of
    the file format itself. Anything else is refused rather than guessed: numbers (epoch seconds would
    become 1970), ``03/04/2025`` (day-first or month-first, which pandas would decide row by row), text
    that is not a date, missing values, and values with different UTC offsets in one column. A column in
    one time zone keeps its local dates and times (the zone is dropped, so two samples compare alike).
    """
    column = values.name
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
    elif pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        raise InvalidInput(
            f"{field}: column {_name(column)} in {path} holds numbers, not dates (epoch seconds would be read as "
            "1970); write dates as ISO 8601, e.g. 2025-03-31."
        )
    else:
        text = values.astype("string")
        if text.isna().any():
            row = int(np.flatnonzero(text.isna().to_numpy())[0])
            raise InvalidInput(f"{field}: column {_name(column)} in {path} has {int(text.isna().sum())} missing "
                               f"dates (first at row {row + 2} of the file).")  # fmt: skip
        iso = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?")
        if not iso.all():
            row = int(np.flatnonzero(~iso.to_numpy())[0])
            raise InvalidInput(
                f"{field}: column {_name(column)} in {path} has {int((~iso).sum()):,} values that are not ISO 8601 "
                f"dates (first at row {row + 2}: {shorten(text.iloc[row])}); write dates as YYYY-MM-DD, so no date "
                "is read day-first in one row and month-first in another."
            )
        offsets = text.str.extract(r"(Z|[+-]\d{2}:?\d{2})$")[0]
        zones = set(offsets.dropna().str.replace(":", "").replace("Z", "+0000"))
        if len(zones) > 1 or (zones and offsets.isna().any()):
            shown = ", ".join(sorted(zones | ({"none"} if offsets.isna().any() else set())))
            raise InvalidInput(f"{field}: column {_name(column)} in {path} mixes time zones ({shorten(shown)}); "
                               "give every date in one time zone.")  # fmt: skip
        try:
            parsed = pd.to_datetime(text, format="ISO8601")
        except (ValueError, OverflowError) as exc:
            raise InvalidInput(f"{field}: column {_name(column)} in {path} has an impossible date ({_reason(exc)}).") from None
    if parsed.isna().any():
        raise InvalidInput(f"{field}: column {_name(column)} in {path} has {int(parsed.isna().sum())} missing dates.")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed


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
    challenger_model: Any = None  # the challenger, loaded once per process, when a workbook that runs needs it
    challenger_score: np.ndarray | None = None  # its PD on the current sample (NaN where a score column has none)


def _uses_challenger(params: Parameters, workbooks: Sequence[str] | None) -> bool:
    """Whether a workbook that will run needs the challenger (``None``: every enabled workbook runs)."""
    if params.challenger is None:
        return False
    x = params.explainability
    return _runs(params, workbooks, "champion_challenger") or (
        _runs(params, workbooks, "explainability") and x is not None and "challenger" in x.models
    )


def _runs(params: Parameters, workbooks: Sequence[str] | None, name: str) -> bool:
    return name in (params.enabled_workbooks() if workbooks is None else workbooks)


def _load_challenger(
    params: Parameters, current: pd.DataFrame, features: Sequence[str], scored: bool
) -> tuple[Any, np.ndarray | None]:
    """The challenger and its PD on the current sample: from its artifact, else its score column (NaN kept).

    ``scored``: the champion-challenger workbook runs, so a challenger that cannot be scored is refused here.
    """
    ch, source = params.challenger, params.data.current
    if ch.artifact is not None:
        model = load_model(ch, "challenger.artifact")
        if not scored and not callable(getattr(model, "predict_proba", None)):
            return model, None  # the explainability workbook's own check says why it cannot be explained
        return model, score_model(model, current, features, str(source), "challenger.artifact")
    require_columns(current, [ch.score], source, "challenger.score")
    values = pd.to_numeric(current[ch.score], errors="coerce").to_numpy(dtype=float)
    check_probabilities(values[~np.isnan(values)], f"column {ch.score!r} of {source}", "challenger.score")
    return None, values


def _default_features(params: Parameters, columns: Sequence[str]) -> list[str]:
    d = params.data
    named = {d.id, d.target, d.score, d.grade, d.time, d.segment, *d.protected}
    if params.challenger is not None:
        named.add(params.challenger.score)
    return [c for c in columns if c not in named]


def load_inputs(params: Parameters, workbooks: Sequence[str] | None = None) -> Inputs:
    """Load and check everything the parameter file names; raise ``InvalidInput`` on the first problem.

    Models are loaded and scored here, once per process: the champion, and the challenger when one of
    ``workbooks`` (default: every enabled workbook) uses it.

    A VaR engine (``model.kind: var``) has no application data: its inputs are empty, and the backtest
    workbook reads the P&L, VaR and ES series itself.
    """
    d = params.data
    if params.model.kind == "var":
        empty = pd.DataFrame()
        return Inputs(reference=empty, current=empty, features=(), categorical=(), reference_score=None,
                      current_score=None, reference_target=None, current_target=None, score_source="none")  # fmt: skip
    used = None  # with data.features given, only the named columns are read (a wide file costs what they cost)
    if d.features is not None:
        named = [*d.features, d.id, d.target, d.score, d.grade, d.time, d.segment, *d.protected]
        if params.challenger is not None:
            named.append(params.challenger.score)
        used = [c for c in named if c]
    frames = {
        "data.reference": read_frame(d.reference, "data.reference", used),
        "data.current": read_frame(d.current, "data.current", used),
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
        _check_values(frame, features, path, key)
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
    challenger_model, challenger_score = (
        _load_challenger(params, cur, features, _runs(params, workbooks, "champion_challenger"))
        if _uses_challenger(params, workbooks)
        else (None, None)
    )
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
        challenger_model=challenger_model,
        challenger_score=challenger_score,
    )


def _check_dates(frame: pd.DataFrame, column: str, path: Path) -> None:
    frame[column] = parse_dates(frame[column], path, "data.time")


def _check_values(frame: pd.DataFrame, columns: Iterable[str], path: Path, field: str) -> None:
    """No infinite number in a feature, and no feature without a single value."""
    for column in columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            array = values.to_numpy(dtype=float, na_value=np.nan)
            infinite = np.isinf(array)
            if infinite.any():
                row = int(np.flatnonzero(infinite)[0])
                raise InvalidInput(
                    f"{field}: column {_name(column)} in {path} has {int(infinite.sum()):,} infinite values (first at "
                    f"row {row + 2} of the file: {array[row]}); give a number or leave the value missing."
                )
        if values.isna().all():
            raise InvalidInput(f"{field}: column {_name(column)} in {path} has no value at all (every row is "
                               "missing); drop the feature or fix the extract.")  # fmt: skip
