"""The validated data of one run: :class:`Inputs` and :func:`load_inputs`, which checks everything a parameter
file names and loads and scores the models once per process."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InvalidInput
from mrmkit.io.checks import (
    _check_dates,
    _check_values,
    check_binary,
    check_loss_columns,
    check_probabilities,
    loss_columns,
    require_columns,
)
from mrmkit.io.frames import read_frame
from mrmkit.io.models import _load_challenger, load_model, score_model
from mrmkit.params import Parameters

__all__ = ["Inputs", "load_inputs"]


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
    if not params.model_kind.scored_on_rows:
        empty = pd.DataFrame()
        return Inputs(
            reference=empty,
            current=empty,
            features=(),
            categorical=(),
            reference_score=None,
            current_score=None,
            reference_target=None,
            current_target=None,
            score_source="none",
        )
    used = None  # with data.features given, only the named columns are read (a wide file costs what they cost)
    if d.features is not None:
        named = [*d.features, d.id, d.target, d.score, d.grade, d.time, d.segment, *d.protected, *loss_columns(d)]
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
    check_loss_columns(cur, d)

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
