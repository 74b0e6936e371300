"""``build_demo``: the demo portfolio, its two models and its parameter file, written to one folder.

The build runs in four stages, each a public function so that the benchmark can time them:
``generate_portfolio`` (data), ``train_models`` (fit on the development part of the reference sample),
``score_portfolio`` (scores and grades of both samples) and ``write_demo`` (parquet, skops, YAML, with a
check that the saved models reproduce the written scores exactly).

The same seed and sizes give byte-identical parquet and skops files: every random draw comes from
``numpy.random.SeedSequence(seed)`` children, parquet files carry no time stamps, and the skops files
are canonicalised (``models.dumps_canonical``).

The first three stages are in :mod:`mrmkit.demo.samples`, ``write_demo`` in :mod:`mrmkit.demo.writing`,
and the contents of the parameter files in :mod:`mrmkit.demo.parameters`; this module checks the
arguments of :func:`build_demo` and runs the stages in order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InvalidParameters

# isort: off
# The former module's names stay importable from here ("x as x" marks a re-export).
from mrmkit.demo.samples import (
    CHALLENGER_SCORE as CHALLENGER_SCORE,
    GRADE as GRADE,
    HOLDOUT_SHARE as HOLDOUT_SHARE,
    ID as ID,
    REFERENCE_MONTHS as REFERENCE_MONTHS,
    SAMPLE as SAMPLE,
    SCORE as SCORE,
    SEGMENT as SEGMENT,
    TARGET as TARGET,
    TIME as TIME,
    Portfolio,
    _ids as _ids,
    generate_portfolio,
    score_portfolio,
    train_models,
)
from mrmkit.demo.parameters import (
    _ACTIONABLE as _ACTIONABLE,
    _EXPECTED_DIRECTION as _EXPECTED_DIRECTION,
    _REASONS as _REASONS,
    _STRESS as _STRESS,
    CUTOFF as CUTOFF,
    _as_of as _as_of,
    _parameters as _parameters,
    _var_parameters as _var_parameters,
)
from mrmkit.demo.writing import (
    DemoBuild,
    _auc as _auc,
    _plain as _plain,
    write_demo,
)
# isort: on

__all__ = [
    "DemoBuild",
    "Portfolio",
    "build_demo",
    "generate_portfolio",
    "train_models",
    "score_portfolio",
    "write_demo",
]


def _check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or value < low
        or (high is not None and value > high)
    ):
        allowed = f"an integer of at least {low}" + (f" and at most {high}" if high is not None else "")
        raise InvalidParameters(f"The '{name}' parameter of build_demo must be {allowed}; got {value!r}.")
    return int(value)


def _check_start(start: Any) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(start)
    except (TypeError, ValueError):
        stamp = None
    if stamp is None or pd.isna(stamp) or stamp.tz is not None or stamp != stamp.normalize() or stamp.day != 1:
        raise InvalidParameters(
            f"The 'start' parameter of build_demo must be the first day of a month as an ISO date "
            f"(e.g. '2025-01-01'); got {start!r}."
        )
    return stamp


def build_demo(
    out_dir: Path,
    *,
    seed: int = 20261123,
    n_reference: int = 20000,
    n_per_window: int = 5000,
    n_windows: int = 6,
    start: str = "2025-01-01",
) -> DemoBuild:
    """Build the demo portfolio, train both models and write everything under ``out_dir``.

    Parameters
    ----------
    out_dir : pathlib.Path
        Folder to write ``data/reference.parquet``, ``data/current.parquet``,
        ``models/champion.skops``, ``models/challenger.skops`` and ``demo.yaml`` to (created if
        needed; existing files of these names are replaced).
    seed : int
        Seed of every random draw. The same seed and sizes give byte-identical files.
    n_reference : int
        Rows of the reference (development) sample, spread over the 12 months before ``start``;
        30 percent of them are held out from training (column ``sample``).
    n_per_window : int
        Rows of each monthly monitoring window.
    n_windows : int
        Number of monitoring months from ``start``; drift ramps up from window 3 to the last window.
    start : str
        First day of the first monitoring month, ISO format.

    Returns
    -------
    DemoBuild
        The paths written and the facts of the build (default rates, AUCs, drift, trust lists).
    """
    seed = _check_int("seed", seed, 0)
    n_reference = _check_int("n_reference", n_reference, 1000)
    n_per_window = _check_int("n_per_window", n_per_window, 50)
    n_windows = _check_int("n_windows", n_windows, 1, 36)
    stamp = _check_start(start)
    portfolio = generate_portfolio(seed, n_reference, n_per_window, n_windows, stamp)
    champion, challenger = train_models(portfolio)
    portfolio = score_portfolio(portfolio, champion, challenger)
    return write_demo(Path(out_dir), portfolio, champion, challenger)
