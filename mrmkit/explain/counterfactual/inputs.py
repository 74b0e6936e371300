"""Inputs and output of the counterfactual search: defaults, the result class, argument checks and scales."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.stats._base import Result, check_int, check_probability

#: Fractions of the way from the current value to a bound evaluated before bisection: fine near the
#: current value (small moves are found first), then every tenth of the way.
DEFAULT_STEP_GRID: tuple[float, ...] = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
_CHUNK = 100_000
FUNC = "counterfactuals"


@dataclass(frozen=True, slots=True)
class CounterfactualResult(Result):
    """Counterfactuals of a set of rows.

    Attributes
    ----------
    rows : DataFrame
        One line per input row, in input order: ``id``, ``pd`` (current), ``status`` (``"approved"``:
        not explained; ``"found"``; ``"not_found"``), ``method`` (``"single"`` or ``"combination"``),
        ``distance``, ``new_pd``, ``n_changed``, ``evaluations`` (model evaluations used for the row),
        ``missing_features`` (actionable features left unchanged because missing), ``reason`` (why no
        counterfactual was found, else empty).
    changes : DataFrame
        One line per changed feature of a found counterfactual: ``id``, ``feature``, ``from``, ``to``,
        ``delta``, ``scaled_delta`` (``|delta| / scale``).
    cutoff, seed, max_evaluations, n_bisection, n_random : settings used.
    actionable : dict
        feature -> [low, high] as used (whole-number bounds rounded inwards).
    scale, scale_source : dict
        Scale of each actionable feature and where it came from (``given``, ``iqr``, ``std``, ``range``,
        ``unit``).
    scale_sample : str
        ``"reference"`` or ``"rows"``: the sample the scales and whole-number checks came from.
    integer_features : tuple of str
        Actionable features treated as whole numbers.
    step_grid : tuple of float
        Fractions evaluated before bisection (1.0 appended when absent).
    n_rows, n_approved, n_declined, n_found : int
    share_found : float
        n_found / n_declined (NaN when nothing is declined).
    """

    rows: pd.DataFrame
    changes: pd.DataFrame
    cutoff: float
    seed: int
    max_evaluations: int
    n_bisection: int
    n_random: int
    actionable: dict[str, list[float]]
    scale: dict[str, float]
    scale_source: dict[str, str]
    scale_sample: str
    integer_features: tuple[str, ...]
    step_grid: tuple[float, ...]
    n_rows: int
    n_approved: int
    n_declined: int
    n_found: int
    share_found: float


def _check_args(
    rows: Any, features: Any, actionable: Any, cutoff: Any, seed: Any, categorical: Sequence[str]
) -> tuple[list[str], dict[str, tuple[float, float]], float, int]:
    if not isinstance(rows, pd.DataFrame) or len(rows) == 0:
        raise InvalidInput(f"The 'rows' argument of {FUNC} must be a non-empty DataFrame.")
    features = [str(f) for f in features]
    lacking = [f for f in features if f not in rows.columns]
    if lacking:
        raise InvalidInput(f"The 'rows' of {FUNC} lack the model features {lacking}; they have {list(rows.columns)}.")
    if not isinstance(actionable, Mapping) or not actionable:
        raise InvalidParameters(
            f"The 'actionable' parameter of {FUNC} must be a non-empty mapping feature -> (low, high); "
            f"got {actionable!r}."
        )
    unknown = [f for f in actionable if f not in features]
    if unknown:
        raise InvalidParameters(
            f"The 'actionable' parameter of {FUNC} names unknown features {unknown}; the model's features "
            f"are {features}."
        )
    cats = [f for f in actionable if f in set(categorical) or not pd.api.types.is_numeric_dtype(rows[f])]
    cats += [f for f in actionable if f not in cats and rows[f].dtype == bool]
    if cats:
        raise InvalidParameters(
            f"The 'actionable' parameter of {FUNC} names categorical features {cats}: counterfactuals "
            "support numeric actionable features only (categorical moves are not supported)."
        )
    bounds: dict[str, tuple[float, float]] = {}
    for f, rng in actionable.items():
        try:
            low, high = (float(v) for v in rng)
        except (TypeError, ValueError):
            low = high = math.nan
        if not (math.isfinite(low) and math.isfinite(high)) or low > high:
            raise InvalidParameters(
                f"The 'actionable' parameter of {FUNC} needs finite (low, high) with low <= high for each "
                f"feature; got {rng!r} for {f!r}."
            )
        bounds[str(f)] = (low, high)
    cut = check_probability(cutoff, "cutoff", FUNC)
    seed = check_int(seed, "seed", FUNC, 0)
    return features, bounds, cut, seed


def _scales(
    sample: pd.DataFrame, bounds: dict[str, tuple[float, float]], scale: Mapping[str, float] | None
) -> tuple[dict[str, float], dict[str, str]]:
    given = dict(scale or {})
    unknown = [f for f in given if f not in bounds]
    if unknown:
        raise InvalidParameters(f"The 'scale' parameter of {FUNC} names non-actionable features {unknown}.")
    out: dict[str, float] = {}
    source: dict[str, str] = {}
    for f, (low, high) in bounds.items():
        if f in given:
            v = float(given[f])
            if not (math.isfinite(v) and v > 0):
                raise InvalidParameters(
                    f"The 'scale' parameter of {FUNC} must be a positive finite number per feature; "
                    f"got {given[f]!r} for {f!r}."
                )
            out[f], source[f] = v, "given"
            continue
        x = pd.to_numeric(sample[f], errors="coerce").to_numpy(dtype=np.float64)
        x = x[np.isfinite(x)]
        iqr = float(np.subtract(*np.percentile(x, [75, 25]))) if len(x) else math.nan
        std = float(np.std(x, ddof=1)) if len(x) > 1 else math.nan
        for name, value in (("iqr", iqr), ("std", std), ("range", high - low), ("unit", 1.0)):
            if math.isfinite(value) and value > 0:
                out[f], source[f] = value, name
                break
    return out, source
