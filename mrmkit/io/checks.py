"""Checks of what the columns of a data file hold: dates, required columns, a binary target, probabilities.

Every problem becomes one ``InvalidInput`` sentence naming the file, the field, the column and, where it
helps, the first offending row.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InvalidInput, shorten
from mrmkit.io.frames import _reason

__all__ = [
    "parse_dates",
    "require_columns",
    "check_binary",
    "check_probabilities",
    "loss_columns",
    "check_loss_columns",
]


def _name(column: Any) -> str:
    """A column name for a message: quoted, printable, shortened."""
    return shorten(repr(str(column)))


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
            raise InvalidInput(
                f"{field}: column {_name(column)} in {path} has {int(text.isna().sum())} missing "
                f"dates (first at row {row + 2} of the file)."
            )
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
            raise InvalidInput(
                f"{field}: column {_name(column)} in {path} mixes time zones ({shorten(shown)}); "
                "give every date in one time zone."
            )
        try:
            parsed = pd.to_datetime(text, format="ISO8601")
        except (ValueError, OverflowError) as exc:
            raise InvalidInput(
                f"{field}: column {_name(column)} in {path} has an impossible date ({_reason(exc)})."
            ) from None
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
            raise InvalidInput(
                f"{field}: column {_name(column)} in {path} has no value at all (every row is "
                "missing); drop the feature or fix the extract."
            )


def loss_columns(data: Any) -> list[str]:
    """The columns ``data.exposure`` and ``data.lgd`` name (an LGD given as a number names none)."""
    return [c for c in (data.exposure, data.lgd) if isinstance(c, str)]


def check_loss_columns(frame: pd.DataFrame, data: Any) -> None:
    """The exposure and LGD columns of the current sample: present, and every value a number, an exposure at
    least 0 and an LGD between 0 and 1."""
    for field, column, high in (("data.exposure", data.exposure, np.inf), ("data.lgd", data.lgd, 1.0)):
        if not isinstance(column, str):
            continue
        require_columns(frame, [column], data.current, field)
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~(np.isfinite(values) & (values >= 0) & (values <= high))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            allowed = "a finite number of at least 0" if high == np.inf else "a number between 0 and 1"
            raise InvalidInput(
                f"{field}: column {_name(column)} in {data.current} has {int(bad.sum()):,} values that are not "
                f"{allowed} (first at row {row + 2} of the file: {shorten(frame[column].iloc[row])})."
            )
