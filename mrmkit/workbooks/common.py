"""Helpers more than one workbook needs, so that no workbook imports another.

- :func:`window_maturity`: which monitoring windows of the current sample have mature outcomes
  (``backtest.as_of`` and ``backtest.maturity_months``); the backtest and champion-challenger both use it.
- :func:`grade_table`: defaults, mean PD and the binomial and Jeffreys tests per grade; the backtest's
  calibration and champion-challenger's side-by-side calibration of both models.
- :func:`loss_inputs` and :func:`loss_settings`: the exposure and LGD of ``data.exposure`` and ``data.lgd``,
  and how they were used in words; the stress test's and the business comparison's losses both use them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mrmkit import stats
from mrmkit.policy import NOT_ENOUGH_DATA, classify_low, not_enough_data
from mrmkit.workbooks.context import Context

__all__ = ["window_maturity", "grade_table", "loss_inputs", "loss_settings"]


def _window_labels(dates: pd.Series) -> pd.Series:
    return dates.dt.to_period("M").astype(str)


def window_maturity(ctx: Context) -> tuple[np.ndarray, dict[str, dict[str, Any]], str]:
    """Mask of current rows whose outcome is mature, each window's maturity, and the rule as text."""
    cfg, inp = ctx.params.backtest, ctx.inputs
    n = len(inp.current)
    if not ctx.params.data.time:
        return np.ones(n, dtype=bool), {}, "no data.time: the whole current sample is treated as mature"
    labels = _window_labels(inp.current[ctx.params.data.time])
    windows: dict[str, dict[str, Any]] = {}
    if cfg.as_of is None:
        rule = "backtest.as_of not given: every window is treated as mature"
        mature_windows = set(labels.unique())
    else:
        as_of = pd.Timestamp(cfg.as_of)
        mature_windows = set()
        for label in sorted(labels.unique()):
            end = pd.Period(label, freq="M").end_time.normalize()
            matures = end + pd.DateOffset(months=cfg.maturity_months)
            ok = matures <= as_of
            windows[label] = {"mature": ok, "matures_on": matures.date().isoformat()}
            if ok:
                mature_windows.add(label)
        rule = (
            f"a window is mature when its last day plus {cfg.maturity_months} months is on or before "
            f"{cfg.as_of.isoformat()}"
        )
    for label in sorted(labels.unique()):
        windows.setdefault(label, {"mature": label in mature_windows, "matures_on": None})
    return labels.isin(mature_windows).to_numpy(), windows, rule


def grade_table(y: np.ndarray, score: np.ndarray, grades: np.ndarray, order: list[str], ctx: Context) -> pd.DataFrame:
    frame = pd.DataFrame({"grade": grades, "y": y, "pd": score})
    grouped = frame.groupby("grade", sort=False).agg(n=("y", "size"), defaults=("y", "sum"), mean_pd=("pd", "mean"))
    table = grouped.reindex(order)
    table["n"] = table["n"].fillna(0).astype(int)
    table["defaults"] = table["defaults"].fillna(0).astype(int)
    table["observed_rate"] = np.where(table["n"] > 0, table["defaults"] / table["n"].where(table["n"] > 0, 1), np.nan)
    populated = table["n"] > 0
    p_bin = np.full(len(table), np.nan)
    p_jef = np.full(len(table), np.nan)
    lo = np.full(len(table), np.nan)
    hi = np.full(len(table), np.nan)
    if populated.any():
        n, d, p = (
            table.loc[populated, "n"].to_numpy(),
            table.loc[populated, "defaults"].to_numpy(),
            table.loc[populated, "mean_pd"].to_numpy(),
        )
        binom = stats.binomial_test(n, d, p)
        jeff = stats.jeffreys_test(n, d, p)
        p_bin[populated.to_numpy()] = np.atleast_1d(binom.p_value)
        p_jef[populated.to_numpy()] = np.atleast_1d(jeff.p_value)
        lo[populated.to_numpy()] = np.atleast_1d(jeff.ci_lower)
        hi[populated.to_numpy()] = np.atleast_1d(jeff.ci_upper)
    table["binomial_p_value"] = p_bin
    table["jeffreys_p_value"] = p_jef
    table["jeffreys_ci_lower"] = lo
    table["jeffreys_ci_upper"] = hi
    minimum = ctx.params.policy.min_sample.events
    table["status"] = [
        "n/a" if n == 0 else NOT_ENOUGH_DATA if n < minimum else classify_low(v, ctx.params.policy.p_value)
        for v, n in zip(p_jef, table["n"], strict=True)
    ]
    table["status_reason"] = [not_enough_data(n, minimum, "loans") if 0 < n < minimum else None for n in table["n"]]
    table.index.name = None
    return table


def loss_inputs(ctx: Context, rows: Any = slice(None)) -> tuple[np.ndarray | None, Any]:
    """Exposure (``None``: per unit of exposure) and LGD (a number, an array, or ``None``: 1) of the current
    sample's ``rows``, from ``data.exposure`` and ``data.lgd`` (their columns are checked when loaded)."""
    frame, data = ctx.inputs.current, ctx.params.data

    def column(name: str) -> np.ndarray:
        return pd.to_numeric(frame[name]).to_numpy(dtype=float)[rows]

    exposure = None if data.exposure is None else column(data.exposure)
    return exposure, column(data.lgd) if isinstance(data.lgd, str) else data.lgd


def loss_settings(ctx: Context) -> dict[str, str]:
    """Which exposure and LGD the losses use, in words, for a workbook's settings."""
    data = ctx.params.data
    lgd = data.lgd
    return {
        "exposure": f"column {data.exposure}"
        if data.exposure is not None
        else "none (data.exposure not given): losses are per unit of exposure",
        "lgd": f"column {lgd}"
        if isinstance(lgd, str)
        else (f"{lgd:g}" if lgd is not None else "1 (data.lgd not given)"),
    }
