"""Reading what a parameter file names: data files, columns, model artifacts and scores.

Every problem a user can cause becomes one ``InvalidInput`` sentence naming the file and the field.
Models load with skops; pickle and joblib only when the parameter file marks the artifact trusted
(already enforced when the parameters are validated, and checked again here).

The package has one module per job, and this module re-exports all their names:
:mod:`~mrmkit.io.frames` (reading Parquet and CSV files, file hashes), :mod:`~mrmkit.io.checks` (dates,
required columns, binary targets, probabilities, feature values), :mod:`~mrmkit.io.models` (loading and
scoring model artifacts, the challenger) and :mod:`~mrmkit.io.inputs` (:class:`Inputs` and
:func:`load_inputs`).
"""

# isort: off
from mrmkit.io.frames import MAX_CSV_BYTES, read_frame, sha256_file
from mrmkit.io.checks import check_binary, check_probabilities, parse_dates, require_columns
from mrmkit.io.models import load_model, score_model
from mrmkit.io.inputs import Inputs, load_inputs

# The former module's other names, still importable from here ("x as x" marks a re-export).
from mrmkit.io.frames import (
    _CSV_BLOCK as _CSV_BLOCK,
    _READERS as _READERS,
    _csv_limit as _csv_limit,
    _read_csv as _read_csv,
    _read_parquet as _read_parquet,
    _reason as _reason,
)
from mrmkit.io.checks import _check_dates as _check_dates, _check_values as _check_values, _name as _name
from mrmkit.io.models import _first_line as _first_line, _load_challenger as _load_challenger
from mrmkit.io.inputs import (
    _default_features as _default_features,
    _runs as _runs,
    _uses_challenger as _uses_challenger,
)
# isort: on

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
