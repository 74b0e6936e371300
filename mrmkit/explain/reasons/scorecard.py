"""Scorecard reasons: :func:`points_below_maximum` (the classic method) and :func:`linear_points`.

The shortfalls ``max_points - points`` are ranked with the rules of :func:`~mrmkit.explain.reasons.reason_codes`
(:mod:`mrmkit.explain.reasons.assignment`); :func:`linear_points` derives the points and maxima of a
linear (logistic) model without a scorecard.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.explain.reasons.assignment import ReasonCodes, _check_frame, _rank
from mrmkit.stats._base import register

__all__ = ["points_below_maximum", "linear_points"]


@register("points_below_maximum")
def points_below_maximum(
    points: pd.DataFrame,
    max_points: Mapping[str, float],
    ids: Sequence[Any],
    table: Mapping[str, Mapping[str, str]],
    top_k: int = 4,
    used_features: Sequence[str] | None = None,
    min_contribution: float = 0.0,
) -> ReasonCodes:
    """Scorecard reason codes by points below the maximum (the classic scorecard method).

    Purpose
    -------
    Give each decline of a points scorecard the features where it lost the most points against the
    best attribute of that feature, mapped to adverse-action statements.

    Method
    ------
    For each row and feature the shortfall is ``max_points[feature] - points[row, feature]`` (higher
    points = lower risk). Shortfalls are ranked exactly as contributions in :func:`reason_codes`
    (strictly above ``min_contribution``; ties by table order; one line per code). A row at the maximum
    of a feature (shortfall 0) never gets that feature as a reason.

    Signs of high risk
    ------------------
    Points above a feature's stated maximum (an error: the points table and maxima disagree); one
    reason dominating all declines; many rows with fewer than ``top_k`` reasons.

    Strengths
    ---------
    Transparent and reproducible by hand from the scorecard; widely used and accepted for notices.

    Limitations
    -----------
    The maximum-points baseline ignores how common the best attribute is; a feature with a wide
    points range dominates. An alternative baseline (e.g. average points) gives different reasons.

    References
    ----------
    12 CFR 1002.9(b)(2), Official Interpretation 9(b)(2)-5, Regulation B (methods for selecting reasons).
    Siddiqi, N. (2017), Intelligent Credit Scoring, 2nd ed., Wiley, chapter on adverse action codes.

    Parameters
    ----------
    points : DataFrame
        Rows = declines, columns = features, values = points the row earned on each feature.
    max_points : mapping
        feature -> the maximum points that feature can award; must cover every column of ``points``.
    ids, table, top_k, used_features, min_contribution
        As in :func:`reason_codes`.

    Returns
    -------
    ReasonCodes
        ``contribution`` is the shortfall in points.
    """
    func = "points_below_maximum"
    frame = _check_frame(points, "points", func)
    if not isinstance(max_points, Mapping):
        raise InvalidParameters(f"The 'max_points' parameter of {func} must be a mapping feature -> points.")
    missing = [c for c in frame.columns if c not in max_points]
    if missing:
        raise InvalidParameters(
            f"The 'max_points' parameter of {func} lacks features {missing}; it has {list(max_points)}."
        )
    maxima = np.array([float(max_points[c]) for c in frame.columns])
    if not np.isfinite(maxima).all():
        raise InvalidParameters(f"The 'max_points' parameter of {func} must be finite; got {dict(max_points)}.")
    shortfall = maxima[None, :] - frame.to_numpy(dtype=np.float64)
    above = [c for c, bad in zip(frame.columns, (shortfall < 0).any(axis=0), strict=True) if bad]
    if above:
        raise InvalidInput(f"{func}: some rows earn more than the maximum points of {above}; fix the maxima.")
    values = pd.DataFrame(shortfall, columns=frame.columns, index=frame.index)
    return _rank(values, ids, table, top_k, used_features, min_contribution, func, "points_below_maximum")


def linear_points(
    coefficients: Mapping[str, float], values: pd.DataFrame, reference: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Points and maximum points of a linear (logistic) model without a scorecard, for ``points_below_maximum``.

    A feature's points are ``-coefficient * value`` (points rise as the PD falls; the units are
    log-odds when the model is a logistic regression on these values). The maximum of a feature is its
    best points over the ``reference`` sample; a row more favourable than every reference value earns
    the maximum (its points are capped), so shortfalls are never negative and do not depend on which
    other rows are scored. ``values`` and ``reference`` must be numeric without missing values: impute
    (and scale, if the model was fitted on scaled values) as the model does before calling.

    Returns
    -------
    (points, max_points)
    """
    func = "linear_points"
    if not isinstance(coefficients, Mapping) or not coefficients:
        raise InvalidParameters(f"The 'coefficients' parameter of {func} must be a non-empty mapping.")
    feats = list(coefficients)
    for name, frame in (("values", values), ("reference", reference)):
        if not isinstance(frame, pd.DataFrame):
            raise InvalidInput(f"The '{name}' argument of {func} must be a DataFrame.")
        lacking = [f for f in feats if f not in frame.columns]
        if lacking:
            raise InvalidInput(
                f"The '{name}' argument of {func} lacks columns {lacking}; it has {list(frame.columns)}."
            )
        _check_frame(frame[feats], name, func)
    beta = np.array([float(coefficients[f]) for f in feats])
    ref_points = -beta[None, :] * reference[feats].to_numpy(dtype=np.float64)
    maxima = ref_points.max(axis=0)
    pts = np.minimum(-beta[None, :] * values[feats].to_numpy(dtype=np.float64), maxima[None, :])
    return pd.DataFrame(pts, columns=feats, index=values.index), dict(zip(feats, maxima.tolist(), strict=True))
