"""Adjustment of a family of p-values for multiple testing: :func:`adjust_pvalues` (Holm, Bonferroni,
Benjamini-Hochberg).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.stats._base import Result, check_probability, register

__all__ = ["adjust_pvalues", "AdjustedPValues"]


# ----------------------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class AdjustedPValues(Result):
    p_values: tuple[float, ...]
    adjusted: tuple[float, ...]
    reject: tuple[bool | None, ...]
    method: str
    alpha: float
    n_tests: int


# --------------------------------------------------------------------------- multiple comparisons
def _bonferroni(p: np.ndarray) -> np.ndarray:
    return np.minimum(p * float(p.size), 1.0)


def _holm(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p)
    adj = np.maximum.accumulate(p[order] * np.arange(p.size, 0, -1))
    out = np.empty_like(adj)
    out[order] = np.minimum(adj, 1.0)
    return out


def _fdr_bh(p: np.ndarray) -> np.ndarray:
    order = np.argsort(p)
    raw = p[order] / (np.arange(1, p.size + 1) / p.size)
    adj = np.minimum.accumulate(raw[::-1])[::-1]
    out = np.empty_like(adj)
    out[order] = np.minimum(adj, 1.0)
    return out


_ADJUSTMENTS = {"holm": _holm, "bonferroni": _bonferroni, "fdr_bh": _fdr_bh}


@register("adjust_pvalues")
def adjust_pvalues(p_values: Any, method: str = "holm", alpha: float = 0.05) -> AdjustedPValues:
    """Adjust a family of p-values for multiple testing.

    Parameters
    ----------
    p_values : array-like of float
        p-values in [0, 1]; NaN (a test that could not be computed) passes through untouched and is
        not counted in the family.
    method : {'holm', 'bonferroni', 'fdr_bh'}, default 'holm'
        Holm's step-down (family-wise error), Bonferroni, or Benjamini-Hochberg (false discovery rate).
    alpha : float, default 0.05
        Level at which ``reject`` is decided (adjusted p-value <= alpha).

    Returns
    -------
    AdjustedPValues
        ``adjusted`` (same order as the input), ``reject``, ``method``, ``alpha``, ``n_tests``.

    Purpose
    -------
    Controls false alarms when many drift tests (one per variable) or many comparisons are read
    together.

    Method
    ------
    With m non-missing p-values: Bonferroni ``min(m p, 1)``; Holm sorts ascending, multiplies the
    i-th smallest by ``m - i + 1`` and takes the running maximum; Benjamini-Hochberg multiplies the
    i-th smallest by ``m / i`` and takes the running minimum from the largest; all capped at 1.
    Equal to ``statsmodels.stats.multitest.multipletests`` on the non-missing values.

    Signs of high risk
    ------------------
    Findings that are significant only before adjustment should not drive a red rating on their own.

    Strengths
    ---------
    Holm controls the family-wise error under any dependence and is uniformly more powerful than
    Bonferroni; Benjamini-Hochberg is more powerful when many variables are screened.

    Limitations
    -----------
    Benjamini-Hochberg assumes independence or positive dependence between tests; adjustment does
    not fix the large-sample problem (tiny effects remain significant).

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of
    Statistics 6(2), 65-70.
    Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. Journal of the Royal
    Statistical Society B 57(1), 289-300.
    Dunn, O. J. (1961). Multiple comparisons among means. JASA 56(293), 52-64.
    """
    if method not in _ADJUSTMENTS:
        raise InvalidParameters(
            f"The 'method' parameter of adjust_pvalues must be one of {sorted(_ADJUSTMENTS)}; got {method!r}."
        )
    alpha = check_probability(alpha, "alpha", "adjust_pvalues")
    try:
        p = np.array(p_values, dtype=np.float64, ndmin=1)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"The p-values given to adjust_pvalues must be numbers: {exc}.") from exc
    if p.ndim != 1:
        raise InvalidInput(f"The p-values given to adjust_pvalues must be one-dimensional; got shape {p.shape}.")
    ok = ~np.isnan(p)
    if ((p[ok] < 0) | (p[ok] > 1)).any():
        bad = p[ok][(p[ok] < 0) | (p[ok] > 1)].tolist()[:5]
        raise InvalidInput(f"The p-values given to adjust_pvalues must lie in [0, 1]; got {bad}.")
    adjusted = p.copy()
    if ok.any():
        adjusted[ok] = _ADJUSTMENTS[method](p[ok])
    reject = tuple(None if not k else bool(a <= alpha) for k, a in zip(ok.tolist(), adjusted.tolist(), strict=True))
    return AdjustedPValues(tuple(p.tolist()), tuple(adjusted.tolist()), reject, method, alpha, int(ok.sum()))
