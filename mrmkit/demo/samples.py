"""The first three stages of the demo build: draw the portfolio, train both models, score both samples.

:func:`generate_portfolio` draws the reference sample (12 months before the start) and the monitoring
windows, :func:`train_models` fits the champion and the challenger on the reference rows marked
``train``, and :func:`score_portfolio` adds both models' PDs and the champion's grade. The column names
of the demo data are defined here; :mod:`mrmkit.demo.writing` writes the result.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.demo import models as _models
from mrmkit.demo import portfolio as _portfolio
from mrmkit.errors import InsufficientData

__all__ = ["Portfolio", "generate_portfolio", "train_models", "score_portfolio"]

ID = "application_id"
TIME = "application_date"
TARGET = "default_12m"
SEGMENT = "product"
SAMPLE = "sample"
SCORE, CHALLENGER_SCORE, GRADE = "champion_pd", "challenger_pd", "champion_grade"
HOLDOUT_SHARE = 0.3
REFERENCE_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Portfolio:
    """The generated samples before scoring; ``sample`` in the reference is ``train`` or ``holdout``."""

    reference: pd.DataFrame
    current: pd.DataFrame
    seed: int
    n_per_window: int
    n_windows: int
    windows: tuple[str, ...]
    reference_period: tuple[str, str]


def _ids(first: int, count: int) -> np.ndarray:
    return np.array([f"A{k:07d}" for k in range(first, first + count)], dtype=object)


def generate_portfolio(
    seed: int, n_reference: int, n_per_window: int, n_windows: int, start: pd.Timestamp
) -> Portfolio:
    """Draw the reference (12 months before ``start``) and the monitoring windows (months from ``start``)."""
    data_seq, split_seq, _ = np.random.SeedSequence(seed).spawn(3)
    rng = np.random.default_rng(data_seq)
    ref_months = _portfolio.month_windows(start - pd.DateOffset(months=REFERENCE_MONTHS), REFERENCE_MONTHS)
    base, extra = divmod(n_reference, REFERENCE_MONTHS)
    ref_counts = [base + (k < extra) for k in range(REFERENCE_MONTHS)]
    cur_months = _portfolio.month_windows(start, n_windows)
    window = np.concatenate([np.zeros(n_reference, np.int64), np.repeat(np.arange(1, n_windows + 1), n_per_window)])

    drawn = _portfolio.draw_applicants(rng, window, n_windows).drop(columns="true_pd")
    dates = _portfolio.dates_in_months(rng, [*ref_months, *cur_months], [*ref_counts, *[n_per_window] * n_windows])
    frame = pd.concat([pd.DataFrame({ID: _ids(1, len(window)), TIME: dates}), drawn.reset_index(drop=True)], axis=1)
    frame[ID] = frame[ID].astype("str")

    holdout = np.zeros(n_reference, dtype=bool)
    holdout[np.random.default_rng(split_seq).permutation(n_reference)[: round(HOLDOUT_SHARE * n_reference)]] = True
    frame.insert(3, SAMPLE, pd.array(np.where(window == 0, "train", "monitoring"), dtype="str"))
    frame.loc[np.flatnonzero(holdout), SAMPLE] = "holdout"
    reference = frame.iloc[:n_reference].reset_index(drop=True)
    current = frame.iloc[n_reference:].reset_index(drop=True)
    end = (start - pd.Timedelta(days=1)).date().isoformat()
    return Portfolio(
        reference=reference,
        current=current,
        seed=seed,
        n_per_window=n_per_window,
        n_windows=n_windows,
        windows=tuple(m.date().isoformat() for m in cur_months),
        reference_period=(ref_months[0].date().isoformat(), end),
    )


def train_models(portfolio: Portfolio) -> tuple[Any, Any]:
    """Fit the champion and the challenger on the reference rows marked ``train``."""
    train = portfolio.reference[portfolio.reference[SAMPLE] == "train"]
    holdout = portfolio.reference[portfolio.reference[SAMPLE] == "holdout"]
    for name, part in (("training", train), ("holdout", holdout)):
        positives = int(part[TARGET].sum())
        if positives < 5 or positives > len(part) - 5:
            raise InsufficientData(
                f"The {name} part of the reference sample has {positives} defaults in {len(part)} rows; "
                "at least 5 of each outcome are needed: raise n_reference."
            )
    model_seed = int(np.random.SeedSequence(portfolio.seed).spawn(3)[2].generate_state(1)[0] % (2**31 - 1))
    return _models.fit_models(
        train,
        train[TARGET].to_numpy(),
        _portfolio.NUMERIC_FEATURES,
        _portfolio.CATEGORICAL_FEATURES,
        random_state=model_seed,
    )


def score_portfolio(portfolio: Portfolio, champion: Any, challenger: Any) -> Portfolio:
    """A copy of the portfolio with both models' PDs and the champion's grade in both samples."""
    scored = []
    for frame in (portfolio.reference, portfolio.current):
        frame = frame.copy()
        frame[SCORE] = _models.predict_pd(champion, frame, _portfolio.FEATURES)
        frame[CHALLENGER_SCORE] = _models.predict_pd(challenger, frame, _portfolio.FEATURES)
        frame[GRADE] = pd.array(_models.assign_grades(frame[SCORE].to_numpy()), dtype="str")
        scored.append(frame)
    return dataclasses.replace(portfolio, reference=scored[0], current=scored[1])
