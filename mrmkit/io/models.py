"""Loading and scoring model artifacts.

Models load with skops, every type of the file listed under ``trusted_types``; pickle and joblib only when
the parameter file marks the artifact ``trusted: true`` (already enforced when the parameters are
validated, and checked again here). A model needs ``predict_proba`` with two columns; the probability of
the positive class is checked like any score (:func:`mrmkit.io.checks.check_probabilities`). The
challenger comes from its artifact or, without one, from its score column (missing values kept as NaN).
Each problem is one ``InvalidInput`` sentence naming the field (``model.artifact``, ``challenger.artifact``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InvalidInput
from mrmkit.io.checks import check_probabilities, require_columns
from mrmkit.params import ArtifactSection, Parameters

__all__ = ["load_model", "score_model"]


def load_model(section: ArtifactSection, field: str) -> Any:
    """Load a model artifact: skops with an explicit trust list, pickle/joblib only when trusted.

    A registry URI (``models:/``, ``runs:/``) is loaded from the run's snapshot of it by the same rules, its
    format taken from the MLflow flavour (:func:`mrmkit.sources.registry.model_file`).
    """
    if section.artifact is None:
        raise InvalidInput(f"{field}: no artifact given.")
    if section.remote:
        from mrmkit.sources import registry

        path, fmt = registry.model_file(section, field)
    else:
        path, fmt = section.artifact, section.format
    if not path.is_file():
        raise InvalidInput(f"{field}: model artifact {path} does not exist.")
    return _load_file(path, fmt, section, field)


def _load_file(path: Path, fmt: str | None, section: ArtifactSection, field: str) -> Any:
    import io

    from mrmkit.files import read_bytes
    from mrmkit.io.frames import _data_limit

    data = read_bytes(path, f"{field}: model artifact", _data_limit())  # a regular file only, read once, bounded
    if fmt == "skops":
        import skops.io as sio

        try:
            untrusted = sio.get_untrusted_types(data=data)
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
            return sio.loads(data, trusted=list(untrusted))
        except Exception as exc:
            raise InvalidInput(f"{field}: {path} could not be loaded with skops ({_first_line(exc)}).") from None
    if not section.trusted:
        raise InvalidInput(f"{field}: {path} is a {fmt} file and is not marked trusted: true.")
    try:
        if fmt == "joblib":
            import joblib

            return joblib.load(io.BytesIO(data))
        if fmt == "cloudpickle":  # MLflow's scikit-learn flavour; plain pickle with cloudpickle's reducers
            import cloudpickle

            return cloudpickle.load(io.BytesIO(data))  # noqa: S301 - only reached with trusted: true
        import pickle

        return pickle.load(io.BytesIO(data))  # noqa: S301 - only reached with trusted: true
    except Exception as exc:
        raise InvalidInput(f"{field}: {path} could not be loaded as {fmt} ({_first_line(exc)}).") from None


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
