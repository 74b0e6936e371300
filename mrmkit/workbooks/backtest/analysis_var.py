"""VaR and expected-shortfall backtests of a daily P&L, VaR and ES series.

Evidence only: the series is read and checked by :func:`mrmkit.workbooks.backtest.workbook.read_var_series`
(the Context does not carry it), and the findings are made from this evidence by
:mod:`mrmkit.workbooks.backtest.findings`. An exception is a loss larger than VaR (pnl < -VaR, VaR a positive
amount); every test is one per day, so with fewer days than ``policy.min_sample.var_days`` the tests are
computed and marked "not enough data" instead of judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mrmkit import stats
from mrmkit.params import BacktestSection
from mrmkit.policy import NOT_ENOUGH_DATA, not_enough_data
from mrmkit.stats._base import jsonable
from mrmkit.workbooks.context import Context

__all__ = ["VarBacktest", "var_backtest"]

_plain = jsonable  # results and numpy values to plain JSON types


@dataclass(frozen=True)
class VarBacktest:
    """``backtest.var`` (None without ``backtest.var``) and the day-by-day series with each level's exceptions."""

    metrics: dict[str, Any] | None
    series: pd.DataFrame | None


def var_backtest(cfg: BacktestSection, data: tuple[pd.DataFrame, pd.Series] | None, ctx: Context) -> VarBacktest:
    """Each VaR level's exceptions and tests and each ES series' Z2 test, on ``data`` as read by read_var_series."""
    if cfg.var is None:
        return VarBacktest(None, None)
    v = cfg.var
    frame, dates = data
    levels = {}
    series = pd.DataFrame({"date": dates.to_numpy(), "pnl": frame[v.pnl].to_numpy()})
    too_few = not_enough_data(len(frame), ctx.params.policy.min_sample.var_days, "days")  # every test: one per day
    for column, coverage in v.levels.items():
        exc = stats.var_exceptions(frame[v.pnl], frame[column])
        hits = np.asarray(exc.hits)
        series[column] = frame[column].to_numpy()
        series[f"{column}_exception"] = hits
        entry = {
            "coverage": coverage,
            "n": int(hits.size),
            "exceptions": int(hits.sum()),
            "kupiec_pof": _plain(stats.kupiec_pof(hits, coverage)),
            "christoffersen_independence": _plain(stats.christoffersen_independence(hits)),
            "conditional_coverage": _plain(stats.conditional_coverage(hits, coverage)),
            "binomial_z": _plain(stats.binomial_z_test(hits, coverage)),
            "time_until_first_failure": _plain(stats.time_until_first_failure(hits, coverage)),
        }
        days = v.traffic_light_days
        if hits.size >= days:
            recent = hits[-days:]
            light = stats.basel_traffic_light(int(recent.sum()), n=days, coverage=coverage)
            basel = coverage == 0.99 and days == 250  # the only setting the Basel Committee defines zones for
            name = (
                "Basel traffic light"
                if basel
                else f"binomial traffic-light zones (an extension of Basel's to {coverage:.1%} over {days} days, not a Basel zone)"
            )
            entry["traffic_light"] = {"applicable": True, "days": days, "basel": basel, "name": name, **_plain(light)}
        else:
            entry["traffic_light"] = {
                "applicable": False,
                "reason": f"only {hits.size} days; the traffic light needs {days}",
            }
        if too_few:
            entry["status"], entry["status_reason"] = NOT_ENOUGH_DATA, too_few
        levels[column] = entry
    es_tests = {}
    for es_column, var_column in v.es.items():
        coverage = v.levels[var_column]
        series[es_column] = frame[es_column].to_numpy()
        test = _plain(
            stats.es_backtest(
                frame[v.pnl],
                frame[var_column],
                frame[es_column],
                coverage,
                distribution=v.es_distribution,
                degrees_of_freedom=v.es_degrees_of_freedom,
                n_simulations=v.es_simulations,
                seed=ctx.params.seed,
            )
        )
        test["var_column"] = var_column
        if too_few:
            test["status"], test["status_reason"] = NOT_ENOUGH_DATA, too_few
        es_tests[es_column] = test
    # contract key: backtest.var.kupiec_pof.* is the first (highest-coverage) level
    first = max(v.levels, key=lambda c: v.levels[c])
    metrics = {
        "levels": levels,
        "primary_level": first,
        **{
            k: levels[first][k]
            for k in ("kupiec_pof", "christoffersen_independence", "conditional_coverage", "traffic_light")
        },
        "es": es_tests,
        "exception_rule": "an exception is a day whose loss exceeds VaR: pnl < -VaR (VaR a positive amount)",
        "n_days": int(len(series)),
        "first_date": str(series["date"].iloc[0].date()),
        "last_date": str(series["date"].iloc[-1].date()),
    }
    return VarBacktest(metrics, series)
