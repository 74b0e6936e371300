"""Each feature's importance to the model, measured by the drift workbook itself for its top-driver rule.

The drift workbook may run alone or before the explainability workbook, so it measures importance on its
own, cheaply and deterministically:

- with a model artifact, permutation importance of the score: on a seeded sample of ``drift.importance_rows``
  reference rows, each feature's values are permuted (one seeded permutation per feature, one
  ``predict_proba`` per feature) and its importance is the mean absolute change of the predicted
  probability;
- with a score column only, the feature's association with the score: the correlation ratio (eta) of the
  reference scores' log-odds (the additive scale of a scorecard or a logistic model) over the feature's categories, or its reference deciles for a numeric feature
  (missing values a group of their own), on every reference row. It measures what the score moves with, not
  what the model uses: two correlated features share the credit;
- neither (or a score that does not vary): no importance; the rule then judges every feature by its
  effect size alone, and the evidence says so.

Importances are normalised to shares that add to 1. The reference rows are put in the order of a hash of
their values first, so the sample, the permutations and every sum do not depend on the order of the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InvalidInput
from mrmkit.io.models import score_model
from mrmkit.workbooks.context import Context

__all__ = ["Importance", "feature_importance"]

PERMUTATION = "permutation"
ASSOCIATION = "association"
NONE = "none"


@dataclass(frozen=True)
class Importance:
    """Importance shares of the features (adding to 1), or none, and how they were measured."""

    shares: pd.Series | None  # feature -> share of the importance
    raw: pd.Series | None  # feature -> the importance before normalising
    method: str  # "permutation", "association" or "none"
    rows: int  # reference rows measured on
    seed: int | None  # the seed of the sample and the permutations (permutation only)
    note: str  # what was measured, or why nothing was

    def settings(self) -> dict[str, Any]:
        return {"method": self.method, "rows": self.rows, "seed": self.seed, "note": self.note}


def _hash_order(frame: pd.DataFrame) -> np.ndarray:
    """Row positions in the order of a hash of each row's values: the same rows in any order give the same rows."""
    keys = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return np.argsort(keys, kind="stable")


def _normalised(raw: pd.Series, method: str, rows: int, seed: int | None, note: str) -> Importance:
    total = float(raw.sum())
    if not np.isfinite(total) or total <= 0:
        return Importance(None, raw, NONE, rows, seed, f"{note}; every feature's importance is 0, so none is used")
    return Importance(raw / total, raw, method, rows, seed, note)


def _permutation(ctx: Context) -> Importance:
    inp, seed = ctx.inputs, int(ctx.params.seed)
    features = list(inp.features)
    ref = inp.reference[features]
    rows = min(ctx.params.drift.importance_rows, len(ref))
    rng = np.random.default_rng(seed)
    take = np.sort(rng.choice(len(ref), rows, replace=False))
    sample = ref.iloc[_hash_order(ref)[take]].reset_index(drop=True)
    where = f"a permuted sample of {ctx.params.data.reference}"
    base = score_model(inp.model, sample, features, where, "model.artifact")
    raw = {}
    for name in features:  # one predict per feature, on the whole sample
        permuted = sample.copy()
        permuted[name] = sample[name].iloc[rng.permutation(rows)].reset_index(drop=True)  # keeps the dtype
        raw[name] = float(np.mean(np.abs(score_model(inp.model, permuted, features, where, "model.artifact") - base)))
    note = (
        f"permutation importance of the model artifact's probability: mean absolute change when the feature is "
        f"permuted, on {rows:,} reference rows sampled with seed {seed}"
    )
    return _normalised(pd.Series(raw, dtype=float), PERMUTATION, rows, seed, note)


def _groups(values: pd.Series, numeric: bool) -> np.ndarray:
    """Group codes: categories (sorted), or reference deciles of a numeric feature; missing values last."""
    if numeric:
        x = values.to_numpy(dtype=float, na_value=np.nan)
        valid = ~np.isnan(x)
        edges = np.unique(np.quantile(x[valid], np.linspace(0, 1, 11)[1:-1])) if valid.any() else np.array([])
        codes = np.searchsorted(edges, x, side="left")
        codes[~valid] = edges.size + 1
        return codes
    codes, _ = pd.factorize(values.astype(str).where(values.notna(), None), sort=True, use_na_sentinel=True)
    return np.where(codes < 0, codes.max(initial=0) + 1, codes)


def _eta(codes: np.ndarray, values: np.ndarray) -> float:
    """Correlation ratio of ``values`` over the groups ``codes``: sqrt(between-group / total sum of squares)."""
    centred = values - values.mean()
    total = float(np.sum(centred**2))
    if total <= 0:
        return 0.0
    n = np.bincount(codes)
    sums = np.bincount(codes, weights=centred)
    used = n > 0
    return float(np.sqrt(np.sum(sums[used] ** 2 / n[used]) / total))


def _association(ctx: Context) -> Importance:
    inp = ctx.inputs
    features = list(inp.features)
    ref = inp.reference[features].assign(__score__=inp.reference_score)
    ordered = ref.iloc[_hash_order(ref)].reset_index(drop=True)
    score = np.clip(ordered["__score__"].to_numpy(dtype=float), 1e-12, 1 - 1e-12)
    log_odds = np.log(score) - np.log1p(-score)
    raw = {}
    for name in features:
        column = ordered[name]
        numeric = name not in inp.categorical and pd.api.types.is_numeric_dtype(column)
        numeric = numeric and not pd.api.types.is_bool_dtype(column)
        raw[name] = _eta(_groups(column, numeric), log_odds)
    note = (
        f"no model artifact: association of each feature with the score, the correlation ratio (eta) of the "
        f"score's log-odds over the feature's categories or reference deciles, on all {len(ref):,} reference rows "
        "(correlated features share the credit)"
    )
    return _normalised(pd.Series(raw, dtype=float), ASSOCIATION, len(ref), None, note)


def feature_importance(ctx: Context) -> Importance:
    """Each feature's share of the model's importance: permutation with an artifact, association with a score."""
    inp = ctx.inputs
    if inp.model is not None:
        try:
            return _permutation(ctx)
        except InvalidInput as exc:  # a model that cannot score permuted rows: say so, use the score instead
            fallback = _association(ctx)
            return Importance(
                fallback.shares,
                fallback.raw,
                fallback.method,
                fallback.rows,
                None,
                f"permutation importance failed ({exc}); {fallback.note}",
            )
    if inp.reference_score is not None and len(inp.reference_score):
        return _association(ctx)
    return Importance(None, None, NONE, 0, None, "no model artifact and no score: importance not measured")
