"""Model evaluations of the counterfactual search: batched and counted calls, whole-number rounding, greedy fill."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InvalidInput
from mrmkit.explain.counterfactual.inputs import _CHUNK


class _Model:
    """Batched PD evaluations of candidate rows, counting evaluations per row."""

    def __init__(self, model: Any, base: pd.DataFrame, act: list[str], n_rows: int, budget: int) -> None:
        self.model, self.base, self.act = model, base, act
        self.used = np.zeros(n_rows, dtype=np.int64)
        self.budget = budget

    def left(self, rows: np.ndarray) -> np.ndarray:
        return self.budget - self.used[rows]

    def __call__(self, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        """PD of rows ``rows`` (positions) with the actionable features set to ``values`` (len(rows) x m)."""
        out = np.empty(len(rows), dtype=np.float64)
        for start in range(0, len(rows), _CHUNK):
            part = slice(start, start + _CHUNK)
            frame = self.base.iloc[rows[part]].reset_index(drop=True)
            for j, name in enumerate(self.act):
                frame[name] = values[part, j]
            try:
                pred = np.asarray(self.model.predict_proba(frame), dtype=np.float64)[:, 1]
            except Exception as exc:  # noqa: BLE001  (wrapped with context, as the conventions ask)
                raise InvalidInput(f"The model's predict_proba failed while searching counterfactuals: {exc}") from exc
            out[part] = pred
        np.add.at(self.used, rows, 1)
        return out


def _round_away(values: np.ndarray, origin: np.ndarray, integer: np.ndarray) -> np.ndarray:
    """Whole-number features rounded away from the current value; others unchanged."""
    away = np.where(values >= origin, np.ceil(values), np.floor(values))
    return np.where(integer, away, values)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def _greedy(
    evaluate: _Model,
    rows: np.ndarray,
    v: np.ndarray,
    fav: np.ndarray,
    start: np.ndarray,
    can: np.ndarray,
    end_pd: np.ndarray,
    p0: np.ndarray,
    sc: np.ndarray,
    is_int: np.ndarray,
    cut: float,
    n_bisection: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy combination per row: prefixes of the efficiency order at their bounds, the last one bisected."""
    n, m = v.shape
    best_end = end_pd.min(axis=2)  # PD with the feature alone at its more favourable bound
    gain = (_logit(p0)[:, None] - _logit(best_end)) / np.maximum(np.abs(fav - np.nan_to_num(v)) / sc, 1e-300)
    order = np.argsort(np.where(can, -gain, np.inf), axis=1, kind="stable")
    out_v, out_pd = v.copy(), np.full(n, np.inf)
    prev = v.copy()
    done = np.zeros(n, dtype=bool)
    for k in range(m):
        j = order[:, k]
        live = ~done & can[np.arange(n), j] & (evaluate.left(rows) >= 1)
        a = np.flatnonzero(live)
        if not len(a):
            break
        cur = prev[a].copy()
        cur[np.arange(len(a)), j[a]] = fav[a, j[a]]
        pm = evaluate(rows[a], cur)
        hit = pm <= cut
        for i, r in enumerate(a):  # bisect the k-th feature between the previous prefix and this one
            if not hit[i]:
                prev[r] = cur[i]
                continue
            jj = j[r]
            lo = start[r, jj] if prev[r, jj] == v[r, jj] else prev[r, jj]
            hi, hpd, point = fav[r, jj], pm[i], cur[i].copy()
            for _ in range(n_bisection):
                mid = (lo + hi) / 2
                if is_int[jj]:
                    mid = math.floor(mid) if hi > lo else math.ceil(mid)
                if mid in (lo, hi) or evaluate.left(rows[r : r + 1])[0] < 1:
                    break
                point[jj] = mid
                pmid = evaluate(rows[r : r + 1], point[None, :])[0]
                if pmid <= cut:
                    hi, hpd = mid, pmid
                else:
                    lo = mid
            point[jj] = hi
            out_v[r], out_pd[r], done[r] = point, hpd, True
    return out_v, out_pd
